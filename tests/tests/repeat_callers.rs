//! Repeat callers through the real gateway (signed webhooks into PostgreSQL): "the same as last
//! time" orders the caller's last verified order with this merchant, at today's menu; history
//! never crosses merchants; the number for the text is read back and completed (issue 22 §3,
//! issue 17 item 11; docs/dialog.md, "Repeat callers").

use kea_tests::*;
use tokio_postgres::Client;

const LAST_TIME: [&str; 3] = ["two large pepperoni pizzas and a coke", "that's all", "yes"];

/// A merchant whose sure orders are verified without a person (every one: no sample, live at
/// once: no shadow orders, docs/closed-loop.md "Earned trust"), so that
/// a first call leaves a verified order behind the way production does.
async fn verifying_merchant(db: &Client, settings: &str) -> Merchant {
    let m = merchant(db, settings).await;
    db.execute(
        "update app.autoverify_policies
            set enabled = true, min_confidence = 0, max_total_cents = null, sample_one_in = 0, min_shadow_orders = 0
          where merchant_id = $1",
        &[&m.id],
    )
    .await
    .expect("auto-verify on");
    m
}

async fn call_from(
    gw: &Gateway,
    m: &Merchant,
    from: &str,
    says: &[&str],
) -> kea_gateway::simulator::Transcript {
    call_with(gw, m, says, |s| s.from = from.to_string()).await
}

/// The first call: an order the merchant verified.
async fn first_order(gw: &Gateway, m: &Merchant, from: &str) {
    let t = call_from(gw, m, from, &LAST_TIME).await;
    let s = summary(gw, &t.call_sid).await;
    assert_eq!(
        s["order"]["status"],
        "verified",
        "the first order: {:?}",
        t.kea_said()
    );
}

fn lines(s: &serde_json::Value) -> Vec<(String, Option<String>, i64, i64)> {
    s["order"]["lines"]
        .as_array()
        .expect("order lines")
        .iter()
        .map(|l| {
            (
                l["item_code"].as_str().unwrap().to_string(),
                l["variation_code"].as_str().map(String::from),
                l["quantity"].as_i64().unwrap(),
                l["line_total_cents"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_returning_caller_orders_the_same_as_last_time() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = verifying_merchant(&db, "").await;
    let caller = unique_number();
    first_order(&gw, &m, &caller).await;

    let t = call_from(
        &gw,
        &m,
        &caller,
        &["hi, can I get the same as last time", "that's all", "yes"],
    )
    .await;
    let said = t.kea_said();
    assert_eq!(
        said[1],
        "Sure, the same as last time: two large Pepperoni Pizzas, $38.98; one Coke, $1.99. \
         Anything else?",
        "{said:?}"
    );
    assert!(said[2].contains("$44.35 in total"), "{said:?}");
    assert_eq!(t.ended_by, "kea hung up");
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["outcome"], "ordered");
    assert_eq!(
        lines(&s),
        [
            ("pepperoni_pizza".into(), Some("large".into()), 2, 3898),
            ("coke".into(), Some("can".into()), 1, 199)
        ]
    );
    assert_eq!(s["order"]["customer_phone"], caller.as_str());
}

/// The usual is the caller's newest verified order, past newer calls that left none:
/// app.caller_last_order walks the caller's calls newest first (migration 0042) and must neither
/// stop at the newest call nor give back an older verified order.
#[tokio::test]
async fn the_usual_is_the_newest_verified_order_past_newer_calls_without_one() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = verifying_merchant(&db, "").await;
    let caller = unique_number();
    first_order(&gw, &m, &caller).await;
    let t = call_from(&gw, &m, &caller, &["a brownie", "that's all", "yes"]).await;
    assert_eq!(
        summary(&gw, &t.call_sid).await["order"]["status"],
        "verified",
        "the second order: {:?}",
        t.kea_said()
    );

    // Two newer calls leave no verified order: one waits for a person, one hangs up first.
    db.execute(
        "update app.autoverify_policies set enabled = false where merchant_id = $1",
        &[&m.id],
    )
    .await
    .expect("auto-verify off");
    let t = call_from(&gw, &m, &caller, &["two cokes", "that's all", "yes"]).await;
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["outcome"], "ordered", "{:?}", t.kea_said());
    assert_ne!(s["order"]["status"], "verified", "{s}");
    let t = call_from(&gw, &m, &caller, &["hmm"]).await;
    assert!(
        summary(&gw, &t.call_sid).await["order"].is_null(),
        "{:?}",
        t.kea_said()
    );

    let usual: serde_json::Value = db
        .query_one("select app.caller_last_order($1, $2)", &[&m.id, &caller])
        .await
        .expect("the usual")
        .get(0);
    let items: Vec<&str> = usual
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["item"].as_str().unwrap())
        .collect();
    assert_eq!(items, ["brownie"], "{usual}");

    let t = call_from(&gw, &m, &caller, &["the same as last time"]).await;
    let said = t.kea_said();
    assert!(
        said[1].starts_with("Sure, the same as last time: one Brownie,"),
        "{said:?}"
    );
}

/// The merchant turns the offer on over /rpc, as the merchant page does.
async fn offer_the_last_order(db: &Client, gw: &Gateway, m: &Merchant) {
    let owner: i64 = db
        .query_one(
            "select app.upsert_merchant_user($1, $2, 'Owner', 'pw')",
            &[&m.id, &format!("owner-{}@owners.example", m.id)],
        )
        .await
        .expect("the owner")
        .get(0);
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let claims = serde_json::json!({"role": "kea_merchant", "merchant_id": m.id, "user_id": owner,
                                    "sub": format!("merchant_user:{owner}"), "exp": exp});
    let token: String = db
        .query_one("select app.sign_jwt($1)", &[&claims])
        .await
        .expect("signing")
        .get(0);
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/set_offers_usual", gw.url))
        .bearer_auth(&token)
        .json(&serde_json::json!({"offers_usual": true}))
        .send()
        .await
        .expect("rpc");
    assert_eq!(r.status().as_u16(), 200);
    let settings: serde_json::Value = r.json().await.expect("the settings");
    assert_eq!(settings["offers_usual"], true, "{settings}");
}

#[tokio::test]
async fn the_greeting_offers_the_last_order_when_the_merchant_turned_it_on() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = verifying_merchant(&db, "").await;
    offer_the_last_order(&db, &gw, &m).await;
    let caller = unique_number();
    // A new caller hears the usual greeting.
    let t = call_from(&gw, &m, &caller, &LAST_TIME).await;
    assert!(
        t.kea_said()[0].ends_with("What can I get for you today?"),
        "{:?}",
        t.kea_said()
    );
    assert_eq!(
        summary(&gw, &t.call_sid).await["order"]["status"],
        "verified"
    );

    let t = call_from(&gw, &m, &caller, &["yes please", "that's it", "yes"]).await;
    let said = t.kea_said();
    assert!(
        said[0].ends_with("Welcome back! Would you like the same as last time?"),
        "{said:?}"
    );
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["outcome"], "ordered", "{said:?}");
    assert_eq!(lines(&s).len(), 2, "{said:?}");
}

#[tokio::test]
async fn history_never_crosses_merchants() {
    let db = admin().await;
    let gw = start_gateway().await;
    let a = verifying_merchant(&db, "").await;
    let b = verifying_merchant(&db, "offers_usual = true").await;
    let caller = unique_number();
    first_order(&gw, &a, &caller).await;

    // The same number calling another merchant: no offer, no history.
    let t = call_from(&gw, &b, &caller, &["the same as last time"]).await;
    let said = t.kea_said();
    assert!(
        said[0].ends_with("What can I get for you today?"),
        "{said:?}"
    );
    assert_eq!(
        said[1],
        "Sorry, I don't have an earlier order from this number. What can I get for you?"
    );
    let usual: serde_json::Value = db
        .query_one(
            "select (store->'usual')::jsonb from app.calls where merchant_id = $1 and call_sid = $2",
            &[&b.id, &t.call_sid],
        )
        .await
        .expect("the call's settings")
        .get(0);
    assert_eq!(usual, serde_json::json!([]));

    // Another number calling the first merchant: none either.
    let t = call_from(&gw, &a, &unique_number(), &["my usual please"]).await;
    assert_eq!(
        t.kea_said()[1],
        "Sorry, I don't have an earlier order from this number. What can I get for you?"
    );
}

#[tokio::test]
async fn a_sold_out_item_of_the_last_order_is_said_and_left_out() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = verifying_merchant(&db, "").await;
    let caller = unique_number();
    first_order(&gw, &m, &caller).await;
    db.execute("select api.set_item_available($1, 'coke', false)", &[&m.id])
        .await
        .expect("coke sold out");

    let t = call_from(
        &gw,
        &m,
        &caller,
        &["what I had last week", "that's all", "yes"],
    )
    .await;
    let said = t.kea_said();
    assert_eq!(
        said[1],
        "Sorry, the Coke is sold out today, so I've left it out. Otherwise, the same as last \
         time: two large Pepperoni Pizzas, $38.98. Anything else?",
        "{said:?}"
    );
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(
        lines(&s),
        [("pepperoni_pizza".into(), Some("large".into()), 2, 3898)]
    );
}

#[tokio::test]
async fn a_number_for_the_text_is_read_back_and_completed_then_stored_as_e164() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let t = call(
        &gw,
        &m,
        &["a brownie, my number is 415 555 0123", "that's all", "yes"],
    )
    .await;
    let said = t.kea_said();
    assert!(
        said[2].contains("We'll text 4 1 5, 5 5 5, 0 1 2 3."),
        "{said:?}"
    );
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["order"]["customer_phone"], "+14155550123");

    // Seven digits: the area code is asked, and the whole number stored.
    let t = call(
        &gw,
        &m,
        &[
            "a brownie, my number is 555 0123",
            "that's all",
            "two one two",
            "yes",
        ],
    )
    .await;
    let said = t.kea_said();
    assert_eq!(
        said[2], "What's the area code for 5 5 5 0 1 2 3?",
        "{said:?}"
    );
    assert!(
        said[3].contains("We'll text 2 1 2, 5 5 5, 0 1 2 3."),
        "{said:?}"
    );
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["order"]["customer_phone"], "+12125550123");
}
