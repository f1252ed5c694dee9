//! The persona calls of `tests/venues*/*/calls.txt` (format in tests/venues/taqueria/calls.txt)
//! through the dialog alone, without Postgres: the same scripts and expectations that
//! tests/tests/venue_calls.rs runs through the real gateway. Shared by `tests/venue_calls.rs`
//! and `examples/calls_eval.rs`.

use std::collections::HashMap;
use std::path::Path;

use kea_core::dialog::pricing::PricedLine;
use kea_core::dialog::{self, CallState, Event, Outcome, Store, TurnInput};
use kea_core::extract::{CompiledMenu, Qualifier};

/// The most times one prompt may be said in a call (dialog::MAX_SAME_PROMPT).
const MAX_SAME_PROMPT: usize = dialog::MAX_SAME_PROMPT;

pub struct CallScript {
    pub name: String,
    pub says: Vec<String>,
    /// Expected order lines, modifiers sorted.
    pub lines: Vec<String>,
    pub outcome: String,
    pub must_say: Vec<String>,
    pub never_say: Vec<String>,
    /// A failure known and explained (`known REASON`): reported, not failed; a known failure
    /// that passes is an error (remove the line).
    pub known: Option<String>,
}

pub fn parse(text: &str) -> Vec<CallScript> {
    let mut calls: Vec<CallScript> = Vec::new();
    for l in text.lines().map(str::trim) {
        if let Some(name) = l.strip_prefix("== ") {
            calls.push(CallScript {
                name: name.into(),
                says: Vec::new(),
                lines: Vec::new(),
                outcome: "ordered".into(),
                must_say: Vec::new(),
                never_say: Vec::new(),
                known: None,
            });
        } else if let Some(c) = calls.last_mut() {
            if let Some(s) = l.strip_prefix("> ") {
                c.says.push(s.into());
            } else if let Some(s) = l.strip_prefix("= ") {
                let mut w: Vec<&str> = s.split_whitespace().collect();
                if w.len() > 2 {
                    w[2..].sort_unstable();
                }
                c.lines.push(w.join(" "));
            } else if let Some(s) = l.strip_prefix("outcome ") {
                c.outcome = s.trim().into();
            } else if let Some(s) = l.strip_prefix("? ") {
                c.must_say.push(s.to_lowercase());
            } else if let Some(s) = l.strip_prefix("! ") {
                c.never_say.push(s.to_lowercase());
            } else if let Some(s) = l.strip_prefix("known ") {
                c.known = Some(s.to_string());
            }
        }
    }
    calls
}

/// The store the calls are taken for: pickup only, the caller's number known, no name asked,
/// as the gateway's test merchant.
pub fn store() -> Store {
    Store {
        name: "Test Venue".into(),
        transfer_number: Some("+15555550199".into()),
        open_now: true,
        hours_text: "We're open every day, all day.".into(),
        prep_minutes: Some(20),
        ..Store::default()
    }
}

/// An order line in the notation of calls.txt.
pub fn line_notation(l: &PricedLine) -> String {
    let mut s = format!("{} {}", l.quantity, l.item);
    if let Some(v) = &l.variation {
        s.push('@');
        s.push_str(v);
    }
    let mut mods: Vec<String> = l
        .modifiers
        .iter()
        .map(|m| {
            let mut t = String::new();
            if m.negated {
                t.push('!');
            }
            t.push_str(&format!("{}={}", m.group, m.option));
            if let Some(q) = m.quantity.filter(|&q| q > 1) {
                t.push_str(&format!("*{q}"));
            }
            if let Some(q) = m.qualifier {
                t.push('+');
                t.push_str(match q {
                    Qualifier::Extra => "extra",
                    Qualifier::Light => "light",
                    Qualifier::Double => "double",
                });
            }
            t
        })
        .collect();
    mods.sort();
    for m in mods {
        s.push(' ');
        s.push_str(&m);
    }
    s
}

/// What kea said in each turn of one call (the greeting first).
pub fn run(menu: &CompiledMenu, says: &[String]) -> Vec<dialog::TurnOutput> {
    let mut outs = Vec::new();
    let mut state = CallState::default();
    let events = std::iter::once(Event::Start).chain(says.iter().map(|s| match s.as_str() {
        "<silence>" => Event::Silence,
        s if s.starts_with("<press ") => Event::Digits {
            digits: s[7..s.len() - 1].to_string(),
        },
        s => Event::Speech {
            text: s.to_string(),
            confidence: 0.9,
        },
    }));
    for (turn, event) in events.enumerate() {
        let input = TurnInput {
            event,
            turn: turn as u32,
            caller: Some("+15551234567".into()),
            store: store(),
        };
        let out = dialog::step(menu, state, &input);
        state = out.state.clone();
        let over = out.twiml.contains("<Hangup/>") || out.twiml.contains("<Dial");
        outs.push(out);
        if over {
            break;
        }
    }
    outs
}

/// "1 ITEM@DEFAULT ..." -> "1 ITEM ...": a line of the item's default size (`default_variation`)
/// reads the same as one with no size said, as the gateway's test judges it
/// (tests/tests/venue_calls.rs): the scripts write a size only when the caller said one, and
/// the dialog fills the default in.
fn without_default_size(menu: &CompiledMenu, line: &str) -> String {
    let mut words: Vec<String> = line.split_whitespace().map(String::from).collect();
    if let Some((item, size)) = words.get(1).and_then(|w| w.split_once('@')) {
        let default = menu
            .menu
            .item(item)
            .and_then(|i| i.default_variation.as_deref());
        if default == Some(size) {
            words[1] = item.to_string();
        }
    }
    words.join(" ")
}

/// Why the call did not end as the script says, or `None` when it did.
pub fn judge(menu: &CompiledMenu, c: &CallScript, outs: &[dialog::TurnOutput]) -> Option<String> {
    let said: Vec<&str> = outs.iter().map(|o| o.say.as_str()).collect();
    let (outcome, mut lines) = match outs.iter().rev().find_map(|o| o.outcome.clone()) {
        Some(Outcome::Submitted { order }) => (
            "ordered",
            order.lines.iter().map(line_notation).collect::<Vec<_>>(),
        ),
        Some(Outcome::Transferred { .. }) => ("transferred", Vec::new()),
        Some(Outcome::Cancelled) => ("cancelled", Vec::new()),
        Some(Outcome::Callback { .. }) => ("callback", Vec::new()),
        _ => ("none", Vec::new()),
    };
    let mut want = c.lines.clone();
    for l in lines.iter_mut().chain(want.iter_mut()) {
        *l = without_default_size(menu, l);
    }
    lines.sort();
    want.sort();
    let all = said.join("\n").to_lowercase();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in &said {
        *counts.entry(s).or_insert(0) += 1;
    }
    let mut problems = Vec::new();
    if outcome != c.outcome {
        problems.push(format!("outcome {outcome}, expected {}", c.outcome));
    }
    if outcome == "ordered" && lines != want {
        problems.push(format!("lines {lines:?}, expected {want:?}"));
    }
    if let Some((p, n)) = counts.iter().find(|(_, &n)| n > MAX_SAME_PROMPT) {
        problems.push(format!("said {n} times: {p}"));
    }
    for m in &c.must_say {
        if !all.contains(m) {
            problems.push(format!("never said {m:?}"));
        }
    }
    for m in &c.never_say {
        if all.contains(m) {
            problems.push(format!("said {m:?}"));
        }
    }
    if problems.is_empty() {
        return None;
    }
    let transcript: Vec<String> = c
        .says
        .iter()
        .zip(said.iter().skip(1))
        .map(|(a, b)| format!("> {a}\n    {b}"))
        .collect();
    Some(format!(
        "{}\n  {}",
        problems.join("; "),
        transcript.join("\n  ")
    ))
}

/// Every venue directory with a `calls.txt`, of both roots, with its compiled menu.
pub fn venues() -> Vec<(String, std::path::PathBuf, CompiledMenu)> {
    super::venues::dirs()
        .into_iter()
        .filter(|d| d.join("calls.txt").is_file())
        .map(|d| {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            let menu = super::venues::load(&d).menu;
            (name, d, menu)
        })
        .collect()
}

pub fn scripts(dir: &Path) -> Vec<CallScript> {
    parse(&std::fs::read_to_string(dir.join("calls.txt")).expect("calls.txt"))
}
