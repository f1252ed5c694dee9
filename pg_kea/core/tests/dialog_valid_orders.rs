//! The dialog never reads back, nor submits, an order the database would refuse: whatever a
//! caller says, over every test venue (`tests/venues/` and every batch of
//! `common::venues::BLIND_BATCHES`), each read-back
//! and each submitted order passes `order_rules::validate`, the one definition of a valid order
//! that `kea.validate_lines` and the save's completeness check apply (docs/dialog.md, "One
//! definition of a valid order").

mod common;

use std::path::PathBuf;

use kea_core::dialog::{self, CallState, Event, Outcome, Phase, Store, TurnInput};
use kea_core::extract::CompiledMenu;
use kea_core::menu::Menu;
use kea_core::order_rules::{self, RuleLine};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Every kea-format menu of the test venues, hand-written and of every batch in
/// `common::venues::BLIND_BATCHES`.
fn menus() -> Vec<(String, CompiledMenu)> {
    let mut dirs: Vec<PathBuf> = std::iter::once(common::venues::root())
        .chain(common::venues::blind_roots())
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("menu.json").is_file())
        .collect();
    dirs.sort();
    dirs.iter()
        .map(|d| {
            let text = std::fs::read_to_string(d.join("menu.json")).expect("menu.json");
            let menu: Menu = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: menu.json: {e}", d.display()));
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            (name, CompiledMenu::new(menu))
        })
        .collect()
}

/// The words a caller of this menu might say, in pieces: names whole and in part, sizes,
/// options, counts, and the small words that glue, correct and answer.
fn vocabulary(menu: &Menu) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let lower = |s: &str| s.to_lowercase();
    for item in &menu.items {
        words.push(lower(&item.name));
        // A partial name: its first or last word ("the pad thai noodles", "a burger").
        let parts: Vec<&str> = item.name.split_whitespace().collect();
        if let (Some(first), Some(last)) = (parts.first(), parts.last()) {
            words.push(lower(first));
            words.push(lower(last));
        }
        for v in &item.variations {
            words.push(lower(&v.name));
            words.push(format!("{} {}", lower(&v.name), lower(&item.name)));
        }
    }
    for g in &menu.groups {
        words.push(lower(&g.name));
        for o in &g.options {
            words.push(lower(&o.name));
            words.push(format!("with {}", lower(&o.name)));
            words.push(format!("no {}", lower(&o.name)));
            words.push(format!("extra {}", lower(&o.name)));
        }
        // Two values of one group in one breath, and one replacing another.
        for pair in g.options.windows(2) {
            words.push(format!(
                "{} and {}",
                lower(&pair[0].name),
                lower(&pair[1].name)
            ));
            words.push(format!(
                "{} instead of {}",
                lower(&pair[1].name),
                lower(&pair[0].name)
            ));
            words.push(format!(
                "{}, not {}",
                lower(&pair[0].name),
                lower(&pair[1].name)
            ));
        }
    }
    for w in [
        "a",
        "an",
        "one",
        "two",
        "three",
        "and",
        "with",
        "also",
        "actually",
        "no wait",
        "make that",
        "make it",
        "change the",
        "instead of",
        "yes",
        "no",
        "that's all",
        "the second one",
        "the first one",
        "whatever",
        "um",
        "can i get",
        "i'd like",
        "add",
        "put",
        "on that",
        "take off the",
        "medium",
        "large",
        "small",
        "regular",
    ] {
        words.push(w.to_string());
    }
    words.sort();
    words.dedup();
    words
}

fn store() -> Store {
    Store {
        name: "Test Venue".into(),
        transfer_number: Some("+15555550199".into()),
        open_now: true,
        hours_text: "We're open every day.".into(),
        ..Store::default()
    }
}

/// An order as a caller might say it: a count, a size, an item of the menu (by its whole
/// name or a piece of it), and options of its groups, two of one group now and then.
fn spoken_order(menu: Menu) -> impl Strategy<Value = String> {
    use prop::sample::Index;
    (
        any::<Index>(),
        any::<Index>(),
        prop::collection::vec(any::<Index>(), 0..4),
        0..6usize,
        any::<bool>(),
    )
        .prop_map(move |(item, size, options, count, partial)| {
            let item = &menu.items[item.index(menu.items.len())];
            let mut said = Vec::new();
            said.push(["a", "two", "one", "three", "", ""][count].to_string());
            if !item.variations.is_empty() && count % 2 == 0 {
                said.push(
                    item.variations[size.index(item.variations.len())]
                        .name
                        .to_lowercase(),
                );
            }
            let name = item.name.to_lowercase();
            said.push(if partial {
                name.split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_string()
            } else {
                name
            });
            let mut first = true;
            for o in options.iter().filter(|_| !item.groups.is_empty()) {
                let g = &item.groups[o.index(item.groups.len())];
                let Some(group) = menu.groups.iter().find(|x| &x.code == g) else {
                    continue;
                };
                if group.options.is_empty() {
                    continue;
                }
                let opt = &group.options[o.index(group.options.len())];
                said.push(if first { "with" } else { "and" }.to_string());
                said.push(opt.name.to_lowercase());
                first = false;
            }
            said.retain(|w| !w.is_empty());
            said.join(" ")
        })
}

/// An utterance: an order, or a few pieces of the vocabulary.
fn utterance(menu: &Menu, vocab: Vec<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => spoken_order(menu.clone()),
        1 => prop::collection::vec(prop::sample::select(vocab), 1..6).prop_map(|v| v.join(" ")),
    ]
}

/// What a cooperative caller says next: the first choice offered, then "that's all", then
/// "yes" at the read-back.
fn cooperative(phase: Phase) -> &'static str {
    match phase {
        Phase::AskChoice => "the first one",
        Phase::Confirm => "yes",
        Phase::AskName => "sam",
        Phase::AskAddress => "12 main street",
        Phase::AskFulfillment => "pickup",
        Phase::AskCallback => "555 123 4567",
        _ => "that's all",
    }
}

/// Calls of random utterances, each ended by "that's all" and "yes" (so most reach the
/// read-back and many the submit), checked at every turn.
fn check_venue(name: &str, menu: &CompiledMenu, cases: u32) {
    let vocab = vocabulary(&menu.menu);
    let calls = prop::collection::vec(utterance(&menu.menu, vocab), 1..6);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let (read_backs, submits) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
    runner
        .run(&calls, |says| {
            let mut state = CallState::default();
            let mut said: Vec<String> = says.clone();
            let mut turn = 0u32;
            // The random utterances, then up to a dozen cooperative answers.
            while (turn as usize) < says.len() + 13 {
                let event = match turn {
                    0 => Event::Start,
                    t if (t as usize) <= says.len() => Event::Speech {
                        text: says[t as usize - 1].clone(),
                        confidence: 0.9,
                    },
                    _ => {
                        let text = cooperative(state.phase).to_string();
                        said.push(text.clone());
                        Event::Speech {
                            text,
                            confidence: 0.9,
                        }
                    }
                };
                let input = TurnInput {
                    event,
                    turn,
                    caller: Some("+15551234567".into()),
                    store: store(),
                };
                let out = dialog::step(menu, state, &input);
                // The last guard (a cart no repair could fix goes to a person) is a defect
                // whenever it is reached.
                let did = out.understood["did"].to_string();
                prop_assert!(
                    !did.contains("invalid_cart"),
                    "{name}: the cart was refused after {said:?}: {did}"
                );
                if out.state.phase == Phase::Confirm {
                    read_backs.set(read_backs.get() + 1);
                    let lines: Vec<RuleLine> = out
                        .state
                        .cart
                        .iter()
                        .map(|l| serde_json::from_value(serde_json::to_value(l).unwrap()).unwrap())
                        .collect();
                    let problems = order_rules::validate(&menu.menu, &lines);
                    prop_assert!(
                        problems.is_empty(),
                        "{name}: read back {:?} with {problems:?} after {said:?}",
                        out.say
                    );
                    prop_assert!(!lines.is_empty(), "{name}: read back an empty order");
                }
                if let Some(Outcome::Submitted { order }) = &out.outcome {
                    submits.set(submits.get() + 1);
                    // As the database reads the saved lines (app.order_lines_json).
                    let lines: Vec<RuleLine> =
                        serde_json::from_value(serde_json::to_value(&order.lines).unwrap())
                            .unwrap();
                    let problems = order_rules::validate(&menu.menu, &lines);
                    prop_assert!(
                        problems.is_empty(),
                        "{name}: submitted {lines:?} with {problems:?} after {said:?}"
                    );
                }
                if matches!(
                    out.state.phase,
                    Phase::Submitted | Phase::Transferred | Phase::Ended | Phase::Closed
                ) {
                    break;
                }
                state = out.state;
                turn += 1;
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (read_backs, submits) = (read_backs.get(), submits.get());
    eprintln!("{name}: {cases} calls, {read_backs} read-backs and {submits} submits checked");
    // A generator that never reaches the read-back would check nothing.
    assert!(read_backs > 0 && submits > 0, "{name}: nothing was checked");
}

#[test]
fn read_backs_and_submits_pass_the_shared_validation() {
    let cases = std::env::var("KEA_PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(200);
    let menus = menus();
    assert!(menus.len() >= 5, "the test venues were not found");
    for (name, menu) in &menus {
        check_venue(name, menu, cases);
    }
}
