//! Repeat callers ("the same as last time") and the number for the text, without Postgres.

use super::tests::{menu, store};
use super::*;
use crate::extract::Qualifier;

const CALLER: &str = "+15551234567";

/// Runs a call from `caller`: start, then each utterance ("<press 123>" keys digits).
fn call(
    menu: &CompiledMenu,
    store: &Store,
    caller: Option<&str>,
    says: &[&str],
) -> Vec<TurnOutput> {
    let mut outs: Vec<TurnOutput> = Vec::new();
    let mut state = CallState::default();
    let events = std::iter::once(Event::Start).chain(says.iter().map(|s| {
        match s.strip_prefix("<press ").and_then(|d| d.strip_suffix('>')) {
            Some(digits) => Event::Digits {
                digits: digits.to_string(),
            },
            None => Event::Speech {
                text: s.to_string(),
                confidence: 0.9,
            },
        }
    }));
    for (turn, event) in events.enumerate() {
        let input = TurnInput {
            event,
            turn: turn as u32,
            caller: caller.map(String::from),
            store: store.clone(),
        };
        let out = step(menu, state, &input);
        state = out.state.clone();
        outs.push(out);
    }
    outs
}

fn said(outs: &[TurnOutput]) -> Vec<&str> {
    outs.iter().map(|o| o.say.as_str()).collect()
}

fn order(outs: &[TurnOutput]) -> &PricedOrder {
    match &outs.last().expect("turns").outcome {
        Some(Outcome::Submitted { order }) => order,
        other => panic!("expected an order, got {other:?}: {:?}", said(outs)),
    }
}

fn option(group: &str, code: &str, name: &str) -> PastOption {
    PastOption {
        group: group.into(),
        option: code.into(),
        name: name.into(),
        qualifier: None,
        negated: false,
        quantity: None,
    }
}

/// Two large pepperoni pizzas with mushrooms and extra onions, and a can of coke.
fn last_order() -> Vec<PastLine> {
    vec![
        PastLine {
            item: "pepperoni_pizza".into(),
            name: "Pepperoni Pizza".into(),
            variation: Some("large".into()),
            quantity: 2,
            modifiers: vec![
                option("toppings", "mushrooms", "Mushrooms"),
                PastOption {
                    qualifier: Some(Qualifier::Extra),
                    ..option("toppings", "onions", "Onions")
                },
            ],
        },
        PastLine {
            item: "coke".into(),
            name: "Coke".into(),
            variation: Some("can".into()),
            quantity: 1,
            modifiers: Vec::new(),
        },
    ]
}

fn regular() -> Store {
    Store {
        usual: last_order(),
        ..store()
    }
}

/// The menu with `edit` applied (a price changed, something sold out or removed).
fn menu_with(edit: impl FnOnce(&mut crate::menu::Menu)) -> CompiledMenu {
    let mut m = menu().menu.clone();
    edit(&mut m);
    CompiledMenu::new(m)
}

#[test]
fn the_same_as_last_time_puts_the_last_order_in_the_cart_at_todays_prices() {
    // The large pepperoni costs $20.00 today (it was $19.49 when the order was placed).
    let m = menu_with(|m| {
        let item = m.items.iter_mut().find(|i| i.code == "pepperoni_pizza");
        let large = item
            .unwrap()
            .variations
            .iter_mut()
            .find(|v| v.code == "large");
        large.unwrap().price_cents = 2000;
    });
    let outs = call(
        &m,
        &regular(),
        Some(CALLER),
        &["hi, can I get the same as last time", "that's all", "yes"],
    );
    assert_eq!(
        outs[1].say,
        "Sure, the same as last time: two large Pepperoni Pizzas with mushrooms and extra \
         onions, $46.00; one Coke, $1.99. Anything else?",
        "{:?}",
        said(&outs)
    );
    assert_eq!(outs[1].state.phase, Phase::AnythingElse);
    assert!(outs[2].say.contains("$47.99"), "{}", outs[2].say);
    let o = order(&outs);
    let lines: Vec<(&str, Option<&str>, u32, i64)> = o
        .lines
        .iter()
        .map(|l| {
            (
                l.item.as_str(),
                l.variation.as_deref(),
                l.quantity,
                l.unit_price_cents,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("pepperoni_pizza", Some("large"), 2, 2300),
            ("coke", Some("can"), 1, 199)
        ]
    );
    let toppings: Vec<(&str, Option<Qualifier>)> = o.lines[0]
        .modifiers
        .iter()
        .map(|m| (m.option.as_str(), m.qualifier))
        .collect();
    assert_eq!(
        toppings,
        [("mushrooms", None), ("onions", Some(Qualifier::Extra))]
    );
}

#[test]
fn the_ways_of_asking_for_the_last_order_are_heard_and_orders_are_not() {
    for says in [
        "the same as last time please",
        "my usual",
        "I'll have the usual",
        "what I had last week",
        "same order as before",
        "can I get what I got last time",
        "same thing again",
        "just my last order",
        "same as before",
    ] {
        let outs = call(&menu(), &regular(), Some(CALLER), &[says]);
        assert_eq!(outs[1].state.cart.len(), 2, "{says}: {:?}", said(&outs));
        assert!(
            outs[1].say.starts_with("Sure, the same as last time"),
            "{says}"
        );
    }
    for says in [
        "a large pepperoni pizza",
        "make it the same size as the other one",
        "a regular coke",
        "what do you usually recommend",
    ] {
        assert!(!repeat::asks_for_usual(says), "{says}");
    }
}

#[test]
fn sold_out_things_of_the_last_order_are_said_and_left_out() {
    let m = menu_with(|m| {
        m.items
            .iter_mut()
            .find(|i| i.code == "coke")
            .unwrap()
            .available = false;
        let toppings = m.groups.iter_mut().find(|g| g.code == "toppings").unwrap();
        let mushrooms = toppings.options.iter_mut().find(|o| o.code == "mushrooms");
        mushrooms.unwrap().available = false;
    });
    let outs = call(
        &m,
        &regular(),
        Some(CALLER),
        &["my usual", "that's it", "yes"],
    );
    assert_eq!(
        outs[1].say,
        "Sorry, the Mushrooms and the Coke are sold out today, so I've left them out. \
         Otherwise, the same as last time: two large Pepperoni Pizzas with extra onions, \
         $41.98. Anything else?",
        "{:?}",
        said(&outs)
    );
    let o = order(&outs);
    assert_eq!(o.lines.len(), 1);
    let toppings: Vec<&str> = o.lines[0]
        .modifiers
        .iter()
        .map(|m| m.option.as_str())
        .collect();
    assert_eq!(toppings, ["onions"]);
}

#[test]
fn things_no_longer_on_the_menu_are_said_and_left_out() {
    let m = menu_with(|m| m.items.retain(|i| i.code != "coke"));
    let outs = call(&m, &regular(), Some(CALLER), &["same as last time"]);
    assert!(
        outs[1]
            .say
            .starts_with("Sorry, the Coke is no longer on the menu, so I've left it out."),
        "{}",
        outs[1].say
    );
    assert_eq!(outs[1].state.cart.len(), 1);
}

#[test]
fn a_last_order_with_nothing_left_goes_back_to_ordering() {
    let m = menu_with(|m| {
        for i in &mut m.items {
            i.available = false;
        }
    });
    let outs = call(&m, &regular(), Some(CALLER), &["the usual"]);
    assert_eq!(
        outs[1].say,
        "Sorry, the Pepperoni Pizza and the Coke are sold out today, so I've left them out. \
         What can I get for you today?"
    );
    assert!(outs[1].state.cart.is_empty());
    assert_eq!(outs[1].state.phase, Phase::Ordering);
}

#[test]
fn a_caller_without_history_is_told_so() {
    let outs = call(&menu(), &store(), Some(CALLER), &["same as last time"]);
    assert_eq!(
        outs[1].say,
        "Sorry, I don't have an earlier order from this number. What can I get for you?"
    );
    assert!(outs[1].state.cart.is_empty());
}

#[test]
fn a_caller_without_history_who_says_the_order_gets_it_taken() {
    let outs = call(
        &menu(),
        &store(),
        Some(CALLER),
        &[
            "hi it's the usual, a large pepperoni pizza and a coke",
            "that's it",
            "yes",
        ],
    );
    assert!(
        outs[1]
            .say
            .starts_with("I don't have an earlier order from this number. "),
        "{}",
        outs[1].say
    );
    let items: Vec<&str> = order(&outs).lines.iter().map(|l| l.item.as_str()).collect();
    assert_eq!(items.len(), 2, "{:?}", said(&outs));
}

#[test]
fn the_last_order_goes_on_as_any_cart() {
    let outs = call(
        &menu(),
        &regular(),
        Some(CALLER),
        &[
            "my usual, and a brownie",
            "remove the coke",
            "that's all",
            "yes",
        ],
    );
    assert!(
        outs[1].say.starts_with("Sure, the same as last time."),
        "{:?}",
        said(&outs)
    );
    assert_eq!(outs[1].state.cart.len(), 3, "{:?}", said(&outs));
    let items: Vec<&str> = order(&outs).lines.iter().map(|l| l.item.as_str()).collect();
    assert_eq!(items, ["pepperoni_pizza", "brownie"]);
    // Asking twice does not double the order.
    let outs = call(
        &menu(),
        &regular(),
        Some(CALLER),
        &["my usual", "the usual"],
    );
    assert_eq!(outs[2].state.cart.len(), 2);
}

#[test]
fn the_usual_said_with_its_own_lines_is_in_the_cart_once() {
    // "it's the usual, <the usual's lines>": what the usual is, not more of it (off: two
    // pepperoni pizzas and two cokes). A line it does not have is still added.
    let outs = call(
        &menu(),
        &regular(),
        Some(CALLER),
        &[
            "hi it's the usual, a large pepperoni pizza and a coke, and a brownie",
            "that's all",
            "yes",
        ],
    );
    let items: Vec<&str> = order(&outs).lines.iter().map(|l| l.item.as_str()).collect();
    assert_eq!(
        items,
        ["pepperoni_pizza", "coke", "brownie"],
        "{:?}",
        said(&outs)
    );
}

#[test]
fn the_greeting_offers_the_last_order_when_the_merchant_wants_it() {
    let offering = Store {
        offers_usual: true,
        ..regular()
    };
    let outs = call(
        &menu(),
        &offering,
        Some(CALLER),
        &["yes please", "that's all", "yes"],
    );
    assert_eq!(
        outs[0].say,
        "Thanks for calling Tony's Pizza! Welcome back! Would you like the same as last time?"
    );
    assert_eq!(order(&outs).lines.len(), 2, "{:?}", said(&outs));

    let outs = call(&menu(), &offering, Some(CALLER), &["no thanks"]);
    assert_eq!(outs[1].say, "Okay. What can I get for you?");
    assert!(outs[1].state.cart.is_empty());

    let outs = call(&menu(), &offering, Some(CALLER), &["no, a brownie"]);
    assert_eq!(outs[1].state.cart.len(), 1, "{:?}", said(&outs));

    // Off (the default), or nothing to offer: the usual greeting.
    for s in [
        regular(),
        Store {
            offers_usual: true,
            ..store()
        },
    ] {
        let outs = call(&menu(), &s, Some(CALLER), &[]);
        assert_eq!(
            outs[0].say,
            "Thanks for calling Tony's Pizza! What can I get for you today?"
        );
    }
}

#[test]
fn a_number_for_the_text_other_than_the_caller_id_is_read_back() {
    let outs = call(
        &menu(),
        &store(),
        Some(CALLER),
        &["a brownie, my number is 415 555 0123", "that's all", "yes"],
    );
    assert!(
        outs[2]
            .say
            .contains("For pickup. We'll text 4 1 5, 5 5 5, 0 1 2 3."),
        "{}",
        outs[2].say
    );
    assert_eq!(order(&outs).details.phone.as_deref(), Some("4155550123"));
    // The number called from, said again: nothing to confirm.
    let outs = call(
        &menu(),
        &store(),
        Some(CALLER),
        &["a brownie, my number is 555 123 4567", "that's all"],
    );
    assert!(!outs[2].say.contains("We'll text"), "{}", outs[2].say);
    // The caller ID alone: nothing to confirm either.
    let outs = call(
        &menu(),
        &store(),
        Some(CALLER),
        &["a brownie", "that's all"],
    );
    assert!(!outs[2].say.contains("We'll text"), "{}", outs[2].say);
}

#[test]
fn seven_digits_are_asked_for_their_area_code() {
    let outs = call(
        &menu(),
        &store(),
        Some(CALLER),
        &[
            "a brownie, my number is 555 0123",
            "that's all",
            "it's 415",
            "yes",
        ],
    );
    assert_eq!(
        outs[2].say,
        "What's the area code for 5 5 5 0 1 2 3?",
        "{:?}",
        said(&outs)
    );
    assert_eq!(outs[2].state.phase, Phase::AskAreaCode);
    assert!(
        outs[3].say.contains("We'll text 4 1 5, 5 5 5, 0 1 2 3."),
        "{}",
        outs[3].say
    );
    assert_eq!(order(&outs).details.phone.as_deref(), Some("4155550123"));

    // No caller ID: the number asked for, seven digits keyed, the area code keyed.
    let outs = call(
        &menu(),
        &store(),
        None,
        &[
            "a brownie",
            "that's all",
            "<press 5550123>",
            "<press 212>",
            "yes",
        ],
    );
    assert_eq!(outs[3].state.phase, Phase::AskAreaCode, "{:?}", said(&outs));
    assert_eq!(order(&outs).details.phone.as_deref(), Some("2125550123"));

    // Something else than an area code is asked again, never taken as the number.
    let outs = call(
        &menu(),
        &store(),
        None,
        &[
            "a brownie",
            "that's all",
            "five five five oh one two three",
            "hmm",
        ],
    );
    assert_eq!(outs[4].state.phase, Phase::AskAreaCode, "{:?}", said(&outs));
    assert_eq!(outs[4].state.details.phone, None);
}

#[test]
fn a_sold_out_size_leaves_its_line_out_and_a_removed_option_is_said() {
    let m = menu_with(|m| {
        let item = m.items.iter_mut().find(|i| i.code == "pepperoni_pizza");
        let large = item
            .unwrap()
            .variations
            .iter_mut()
            .find(|v| v.code == "large");
        large.unwrap().available = false;
    });
    let outs = call(&m, &regular(), Some(CALLER), &["same as last time"]);
    assert_eq!(
        outs[1].say,
        "Sorry, the large Pepperoni Pizza is sold out today, so I've left it out. Otherwise, the \
         same as last time: one Coke, $1.99. Anything else?"
    );

    let m = menu_with(|m| {
        let toppings = m.groups.iter_mut().find(|g| g.code == "toppings").unwrap();
        toppings.options.retain(|o| o.code != "onions");
    });
    let outs = call(&m, &regular(), Some(CALLER), &["same as last time"]);
    assert!(
        outs[1].say.starts_with(
            "Sorry, the Onions are no longer on the menu, so I've left them out. Otherwise, the \
             same as last time: two large Pepperoni Pizzas with mushrooms, $41.98;"
        ),
        "{}",
        outs[1].say
    );
}
