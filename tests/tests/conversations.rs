//! The conversation suite: scripted calls through the real gateway over HTTP (signed), each
//! checked for its final order or outcome. One test per path a real caller takes; see
//! docs/dialog.md for the state diagram these walk.

use kea_gateway::simulator::{CallSpec, Transcript};
use kea_tests::*;
use serde_json::Value;

struct Call {
    t: Transcript,
    s: Value,
}

impl Call {
    fn said(&self) -> String {
        self.t.kea_said().join("\n")
    }
    fn says(&self, phrase: &str) -> bool {
        self.said().to_lowercase().contains(&phrase.to_lowercase())
    }
    fn outcome(&self) -> &str {
        self.s["outcome"].as_str().unwrap_or("none")
    }
    fn order(&self) -> &Value {
        &self.s["order"]
    }
    /// (item, size, quantity) of every order line.
    fn lines(&self) -> Vec<(String, Option<String>, i64)> {
        self.order()["lines"]
            .as_array()
            .map(|ls| {
                ls.iter()
                    .map(|l| {
                        (
                            l["item_code"].as_str().unwrap_or("").to_string(),
                            l["variation_code"].as_str().map(String::from),
                            l["quantity"].as_i64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    /// "group:option" (prefixed "no " / qualifier) of a line's modifiers.
    fn modifiers(&self, line: usize) -> Vec<String> {
        self.order()["lines"][line]["modifiers"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| {
                        let mut s = String::new();
                        if m["negated"] == true {
                            s.push_str("no ");
                        }
                        if let Some(q) = m["qualifier"].as_str() {
                            s.push_str(q);
                            s.push(' ');
                        }
                        s.push_str(m["option"].as_str().unwrap_or(""));
                        s
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn line(item: &str, size: Option<&str>, qty: i64) -> (String, Option<String>, i64) {
    (item.to_string(), size.map(String::from), qty)
}

async fn talk(settings: &str, says: &[&str]) -> Call {
    talk_with(settings, says, |_| {}).await
}

async fn talk_with(settings: &str, says: &[&str], edit: impl FnOnce(&mut CallSpec)) -> Call {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, settings).await;
    let t = call_with(&gw, &m, says, edit).await;
    let s = summary(&gw, &t.call_sid).await;
    Call { t, s }
}

fn ordered(c: &Call) {
    assert_eq!(c.outcome(), "ordered", "{}", c.said());
    assert_eq!(c.order()["status"], "pending_verification");
}

// --- ordering -------------------------------------------------------------------------------

#[tokio::test]
async fn simple_order_in_one_breath() {
    let c = talk(
        "",
        &["two large pepperoni pizzas and a coke", "that's all", "yes"],
    )
    .await;
    ordered(&c);
    assert_eq!(
        c.lines(),
        vec![
            line("pepperoni_pizza", Some("large"), 2),
            line("coke", Some("can"), 1)
        ]
    );
    assert_eq!(c.order()["total_cents"], 4435);
}

#[tokio::test]
async fn items_over_several_turns() {
    let c = talk(
        "",
        &[
            "a small cheese pizza",
            "and garlic knots",
            "and a brownie",
            "that's it",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(
        c.lines(),
        vec![
            line("cheese_pizza", Some("small"), 1),
            line("garlic_knots", None, 1),
            line("brownie", None, 1)
        ]
    );
}

#[tokio::test]
async fn asks_for_the_size_when_missing() {
    let c = talk("", &["a pepperoni pizza", "medium", "that's all", "yes"]).await;
    assert!(
        c.says("What size would you like for the Pepperoni Pizza: small, medium or large?"),
        "{}",
        c.said()
    );
    ordered(&c);
    assert_eq!(c.lines(), vec![line("pepperoni_pizza", Some("medium"), 1)]);
}

#[tokio::test]
async fn asks_each_missing_size_in_turn() {
    let c = talk(
        "",
        &[
            "a cheese pizza and a sausage pizza",
            "large",
            "small",
            "that's it",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(
        c.lines(),
        vec![
            line("cheese_pizza", Some("large"), 1),
            line("sausage_pizza", Some("small"), 1)
        ]
    );
}

#[tokio::test]
async fn asks_for_a_required_modifier() {
    let c = talk("", &["a garden salad", "italian", "that's all", "yes"]).await;
    assert!(
        c.says("Which dressing would you like for the Garden Salad"),
        "{}",
        c.said()
    );
    ordered(&c);
    assert_eq!(c.modifiers(0), vec!["italian"]);
}

#[tokio::test]
async fn required_choice_for_wings_size_then_sauce() {
    let c = talk(
        "",
        &[
            "some chicken wings",
            "twelve piece",
            "bbq",
            "that's all",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("chicken_wings", Some("12_piece"), 1)]);
    assert_eq!(c.modifiers(0), vec!["bbq"]);
}

#[tokio::test]
async fn toppings_with_qualifiers_and_negation() {
    let c = talk(
        "",
        &[
            "a large cheese pizza with extra mushrooms and no onions",
            "that's all",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    let mods = c.modifiers(0);
    assert!(mods.contains(&"extra mushrooms".to_string()), "{mods:?}");
    assert!(mods.contains(&"no onions".to_string()), "{mods:?}");
    // 17.99 + 1.50 extra mushrooms; a removed topping costs nothing
    assert_eq!(c.order()["lines"][0]["unit_price_cents"], 1949);
}

#[tokio::test]
async fn crust_choice_is_taken_when_said() {
    let c = talk(
        "",
        &["a medium veggie pizza thin crust", "that's it", "yes"],
    )
    .await;
    ordered(&c);
    assert_eq!(c.modifiers(0), vec!["thin_crust"]);
}

#[tokio::test]
async fn fillers_and_no_punctuation() {
    let c = talk(
        "",
        &[
            "um yeah uh can i like get a large hawaiian pizza",
            "uh that's it",
            "yeah",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("hawaiian_pizza", Some("large"), 1)]);
}

#[tokio::test]
async fn drink_in_a_named_size() {
    let c = talk("", &["a two liter sprite", "that's all", "yes"]).await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("sprite", Some("2_liter"), 1)]);
}

#[tokio::test]
async fn no_to_anything_else_means_done() {
    let c = talk("", &["a cannoli", "no", "yes"]).await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("cannoli", None, 1)]);
}

#[tokio::test]
async fn done_before_ordering_anything_asks_again() {
    let c = talk("", &["that's all", "a tiramisu", "that's all", "yes"]).await;
    assert!(c.says("You haven't ordered anything yet"), "{}", c.said());
    ordered(&c);
}

// --- corrections ----------------------------------------------------------------------------

#[tokio::test]
async fn make_that_two() {
    let c = talk(
        "",
        &["a large cheese pizza", "make that two", "that's all", "yes"],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("cheese_pizza", Some("large"), 2)]);
}

#[tokio::test]
async fn actually_a_medium() {
    let c = talk(
        "",
        &[
            "two large sausage pizzas",
            "actually a medium",
            "that's all",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("sausage_pizza", Some("medium"), 2)]);
}

#[tokio::test]
async fn remove_the_coke() {
    let c = talk(
        "",
        &[
            "a large cheese pizza and a coke",
            "remove the coke",
            "that's all",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("cheese_pizza", Some("large"), 1)]);
}

#[tokio::test]
async fn actually_no_onions() {
    let c = talk(
        "",
        &[
            "a large cheese pizza with onions",
            "actually no onions",
            "that's all",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.modifiers(0), vec!["no onions"]);
}

#[tokio::test]
async fn change_at_the_read_back() {
    let c = talk(
        "",
        &[
            "a large cheese pizza",
            "that's all",
            "make that three",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("cheese_pizza", Some("large"), 3)]);
    assert_eq!(
        c.said().matches("Let me read that back").count(),
        2,
        "read back again after the change"
    );
}

#[tokio::test]
async fn no_at_the_read_back_then_a_change() {
    let c = talk(
        "",
        &[
            "a small cheese pizza and fries",
            "that's it",
            "no",
            "remove the fries",
            "that's it",
            "yes",
        ],
    )
    .await;
    ordered(&c);
    assert_eq!(c.lines(), vec![line("cheese_pizza", Some("small"), 1)]);
}

#[tokio::test]
async fn adding_at_the_read_back() {
    let c = talk(
        "",
        &["a small cheese pizza", "that's it", "and a sprite", "yes"],
    )
    .await;
    ordered(&c);
    assert_eq!(
        c.lines(),
        vec![
            line("cheese_pizza", Some("small"), 1),
            line("sprite", Some("can"), 1)
        ]
    );
}

// --- details --------------------------------------------------------------------------------

#[tokio::test]
async fn pickup_or_delivery_pickup() {
    let c = talk(
        "offers_delivery = true",
        &["a medium cheese pizza", "that's all", "pickup", "yes"],
    )
    .await;
    assert!(c.says("pickup or delivery"), "{}", c.said());
    ordered(&c);
    assert_eq!(c.order()["fulfillment"], "pickup");
}

#[tokio::test]
async fn delivery_with_address() {
    let c = talk(
        "offers_delivery = true",
        &[
            "a medium cheese pizza",
            "that's all",
            "delivery",
            "42 elm street",
            "yes",
        ],
    )
    .await;
    assert!(c.says("delivery address"), "{}", c.said());
    ordered(&c);
    assert_eq!(c.order()["fulfillment"], "delivery");
    assert!(
        c.order()["address"]
            .as_str()
            .unwrap_or("")
            .contains("42 elm street"),
        "{}",
        c.order()
    );
}

#[tokio::test]
async fn name_for_the_order() {
    let c = talk(
        "asks_name = true",
        &["a brownie", "that's all", "my name is maria", "yes"],
    )
    .await;
    assert!(
        c.says("What name should I put the order under"),
        "{}",
        c.said()
    );
    ordered(&c);
    assert_eq!(
        c.order()["customer_name"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some("maria")
    );
}

#[tokio::test]
async fn callback_number_when_caller_id_is_withheld() {
    let c = talk_with(
        "",
        &[
            "a brownie",
            "that's all",
            "five five five one two three four five six seven",
            "yes",
        ],
        |s| s.from = "anonymous".into(),
    )
    .await;
    assert!(c.says("best number to reach you"), "{}", c.said());
    ordered(&c);
    assert_eq!(
        c.order()["customer_phone"]
            .as_str()
            .map(|p| p.ends_with("5551234567")),
        Some(true),
        "{}",
        c.order()
    );
}

#[tokio::test]
async fn caller_id_is_used_as_the_callback_number() {
    let c = talk_with("", &["a brownie", "that's all", "yes"], |s| {
        s.from = "+15557654321".into()
    })
    .await;
    ordered(&c);
    assert_eq!(c.order()["customer_phone"], "+15557654321");
}

// --- menu, hours, unknown and sold-out items --------------------------------------------------

#[tokio::test]
async fn unknown_item_offers_the_closest_ones() {
    let c = talk(
        "",
        &[
            "can i get a lasagna",
            "a large cheese pizza",
            "that's all",
            "yes",
        ],
    )
    .await;
    assert!(c.says("we don't have lasagna"), "{}", c.said());
    assert!(c.says("We have"), "{}", c.said());
    ordered(&c);
}

#[tokio::test]
async fn sold_out_item_is_refused_with_alternatives() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    db.query_one(
        "select api.set_item_available($1, 'cannoli', false)",
        &[&m.id],
    )
    .await
    .unwrap();
    let t = call(&gw, &m, &["a cannoli", "a tiramisu", "that's all", "yes"]).await;
    let said = t.kea_said().join("\n");
    assert!(said.contains("Sorry, we're out of Cannoli today"), "{said}");
    assert!(said.contains("We do have Tiramisu"), "{said}");
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["order"]["lines"].as_array().map(Vec::len), Some(1));
    assert_eq!(s["order"]["lines"][0]["item_code"], "tiramisu");
}

#[tokio::test]
async fn menu_question_is_answered_from_the_menu() {
    let c = talk(
        "",
        &[
            "what desserts do you have",
            "a brownie",
            "that's all",
            "yes",
        ],
    )
    .await;
    assert!(c.says("Cannoli") && c.says("Tiramisu"), "{}", c.said());
    ordered(&c);
}

#[tokio::test]
async fn hours_question_mid_order() {
    let c = talk("", &["when are you open", "a brownie", "that's all", "yes"]).await;
    assert!(c.says("every day, all day"), "{}", c.said());
    ordered(&c);
}

#[tokio::test]
async fn closed_store_says_its_hours_and_hangs_up() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    // Open only in an hour-long window that starts 3 hours from now (in the merchant's zone).
    db.execute(
        "delete from app.opening_hours where merchant_id = $1",
        &[&m.id],
    )
    .await
    .unwrap();
    db.execute(
        "insert into app.opening_hours (merchant_id, weekday, opens, closes)
         select $1, extract(dow from l)::int, l::time, (l + interval '1 hour')::time
           from (select (now() + interval '3 hours') at time zone time_zone as l
                   from app.merchants where id = $1) x",
        &[&m.id],
    )
    .await
    .unwrap();
    let t = call(&gw, &m, &["a brownie"]).await;
    let said = t.kea_said().join("\n");
    assert!(said.contains("We're closed right now"), "{said}");
    assert!(said.contains("We're open"), "{said}");
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["outcome"], "closed");
    assert!(s["order"].is_null());
}

#[tokio::test]
async fn closed_store_that_takes_orders_for_later() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "accepts_orders_when_closed = true").await;
    db.execute(
        "delete from app.opening_hours where merchant_id = $1",
        &[&m.id],
    )
    .await
    .unwrap();
    let t = call(&gw, &m, &["a brownie", "that's all", "yes"]).await;
    let said = t.kea_said().join("\n");
    assert!(said.contains("I can take your order for later"), "{said}");
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["outcome"], "ordered");
}

// --- getting a person -----------------------------------------------------------------------

#[tokio::test]
async fn asks_for_a_person() {
    let c = talk("", &["can i talk to a real person"]).await;
    assert_eq!(c.outcome(), "transferred");
    assert!(
        c.t.lines
            .iter()
            .any(|(_, l)| l.contains("transfers the call to +15555550199")),
        "{:?}",
        c.t.lines
    );
}

#[tokio::test]
async fn presses_zero() {
    let c = talk("", &["<press 0>"]).await;
    assert_eq!(c.outcome(), "transferred");
}

#[tokio::test]
async fn not_understood_twice() {
    let c = talk("", &["flibber jabber", "wobble gobble"]).await;
    assert!(c.says("Sorry, I didn't catch that"), "{}", c.said());
    assert_eq!(c.outcome(), "transferred");
}

#[tokio::test]
async fn silent_twice() {
    let c = talk("", &["<silence>", "<silence>"]).await;
    assert!(c.says("Are you still there?"), "{}", c.said());
    assert_eq!(c.outcome(), "transferred");
}

#[tokio::test]
async fn one_silence_then_an_order() {
    let c = talk("", &["<silence>", "a brownie", "that's all", "yes"]).await;
    ordered(&c);
}

#[tokio::test]
async fn transfer_fails_and_a_callback_is_taken() {
    let c = talk_with("", &["operator", "yes"], |s| {
        s.dial_status = "no-answer".into();
        s.from = "+15553334444".into();
    })
    .await;
    assert!(c.says("nobody could pick up"), "{}", c.said());
    assert_eq!(c.outcome(), "callback");
}

#[tokio::test]
async fn transfer_fails_and_another_number_is_given() {
    let c = talk_with("", &["operator", "call me at 555 987 6543"], |s| {
        s.dial_status = "busy".into()
    })
    .await;
    assert_eq!(c.outcome(), "callback");
    assert!(c.says("9 8 7") || c.says("987"), "{}", c.said());
}

#[tokio::test]
async fn no_transfer_number_takes_a_callback() {
    let c = talk("transfer_number = null", &["speak to a human", "yes"]).await;
    assert_eq!(c.outcome(), "callback");
}

// --- recognition confidence, repeat, cancel, hang-up ------------------------------------------

#[tokio::test]
async fn low_confidence_is_confirmed_before_acting() {
    let c = talk_with(
        "",
        &["a large cheese pizza", "yes", "that's all", "yes"],
        |s| s.confidence = 0.2,
    )
    .await;
    assert!(c.says("I think you said"), "{}", c.said());
    ordered(&c);
    assert_eq!(c.lines(), vec![line("cheese_pizza", Some("large"), 1)]);
}

#[tokio::test]
async fn low_confidence_denied_asks_again() {
    let c = talk_with("", &["a large cheese pizza", "no", "<hangup>"], |s| {
        s.confidence = 0.2
    })
    .await;
    assert!(c.says("Could you say it again"), "{}", c.said());
    assert_eq!(c.outcome(), "hung_up", "nothing was added");
}

#[tokio::test]
async fn repeat_please() {
    let c = talk(
        "",
        &[
            "a large cheese pizza",
            "can you repeat that",
            "that's all",
            "yes",
        ],
    )
    .await;
    let said = c.t.kea_said();
    assert_eq!(said[1], said[2], "the same prompt again");
    ordered(&c);
}

#[tokio::test]
async fn caller_cancels() {
    let c = talk("", &["a large cheese pizza", "cancel my order"]).await;
    assert_eq!(c.outcome(), "cancelled");
    assert!(c.order().is_null());
}

#[tokio::test]
async fn hang_up_before_ordering() {
    let c = talk("", &["<hangup>"]).await;
    assert_eq!(c.outcome(), "hung_up");
    assert!(c.order().is_null());
}

#[tokio::test]
async fn hang_up_at_the_read_back_leaves_an_abandoned_order() {
    let c = talk("", &["a large cheese pizza", "that's all", "<hangup>"]).await;
    assert_eq!(c.outcome(), "abandoned");
    assert_eq!(c.order()["status"], "abandoned");
}

// --- per-merchant voice and greeting ----------------------------------------------------------

#[tokio::test]
async fn merchant_greeting_voice_and_language() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(
        &db,
        "greeting = 'Ciao from {store}!', voice = 'Polly.Matthew', language = 'en-GB'",
    )
    .await;
    let mut caller = kea_gateway::simulator::Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    let xml = caller.post("/twilio/voice", &[]).await.unwrap();
    assert!(xml.contains("Ciao from Test Pizza!"), "{xml}");
    assert!(
        xml.contains(r#"voice="Polly.Matthew""#) && xml.contains(r#"language="en-GB""#),
        "{xml}"
    );
    assert!(
        xml.contains("hints=\"cheese pizza, pepperoni pizza"),
        "speech hints from the menu: {xml}"
    );
}

#[tokio::test]
async fn prices_follow_menu_edits_immediately() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    db.execute(
        "update app.menu_items set price_cents = 500 where menu_id = $1 and code = 'brownie'",
        &[&m.menu_id],
    )
    .await
    .unwrap();
    let t = call(&gw, &m, &["two brownies", "that's all", "yes"]).await;
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["order"]["subtotal_cents"], 1000);
}

#[tokio::test]
async fn details_volunteered_up_front_are_not_asked_again() {
    let c = talk(
        "offers_delivery = true, asks_name = true",
        &[
            "two large cheese pizzas for delivery to 12 main street",
            "my name is john",
            "that's all",
            "yes",
        ],
    )
    .await;
    assert!(!c.says("pickup or delivery"), "{}", c.said());
    assert!(!c.says("What name"), "{}", c.said());
    ordered(&c);
    assert_eq!(c.order()["fulfillment"], "delivery");
    assert_eq!(c.order()["address"], "12 main street");
    assert_eq!(
        c.order()["customer_name"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some("john")
    );
}
