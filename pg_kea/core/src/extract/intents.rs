//! Dialog cues: the pass before line building. It turns cue phrases into intents and details,
//! marks the words it used, and leaves everything else to the line builder.

use super::compile::Tables;
use super::details;
use super::lexicon::{self, Cue};
use super::matcher::{Sense, NO_WORD};
use super::scan::{Scanned, UnitKind};
use super::types::{Details, Fulfillment, Intent, LineMention, ModMention, RequestedTime, Span};
use crate::menu::Menu;

#[derive(Debug, Default)]
pub struct Acts {
    /// Intents with the token where they were said (to keep spoken order).
    pub intents: Vec<(usize, Intent)>,
    pub details: Details,
    /// Token positions of "make that" / "actually": what follows changes the last line.
    /// (token, strong): strong for "make that", weak for "actually".
    pub changes: Vec<(usize, bool)>,
    /// Token positions of "no wait" / "i mean": what follows replaces what was just said.
    pub retracts: Vec<usize>,
    /// What a question asked about that is not one thing on the menu ("do you have lamb
    /// biryani" on a menu with lamb vindaloo and chicken biryani): reported as unmatched so
    /// the dialog says it is missing and offers the closest items.
    pub asked: Vec<Span>,
}

fn cue_of(kind: &UnitKind) -> Option<Cue> {
    match kind {
        UnitKind::Match(ms, _) => ms.iter().find_map(|m| match m.sense {
            Sense::Cue(c) => Some(c),
            _ => None,
        }),
        _ => None,
    }
}

fn is_content(kind: &UnitKind) -> bool {
    matches!(kind, UnitKind::Match(ms, _) if ms.iter().any(|m| m.sense.is_content()))
}

/// Whether the words from token `from` (after fillers such as "uh", "so") ask for something:
/// "can i get", "could i have", "lemme get", "let me get", "gimme", "i'll have", "i want".
fn opens_request(sc: &Scanned, from: usize) -> bool {
    let mut i = from;
    while i < sc.tokens.len()
        && matches!(
            sc.word(i),
            "uh" | "um" | "so" | "hi" | "hey" | "and" | "well"
        )
    {
        i += 1;
    }
    let w = |j: usize| if j < sc.tokens.len() { sc.word(j) } else { "" };
    matches!(
        (w(i), w(i + 1)),
        ("can" | "could" | "may", "i" | "we")
            | ("lemme" | "gimme", _)
            | ("let", "me" | "us")
            | ("i'll" | "i'd" | "we'll" | "we'd", _)
            | ("i" | "we", "want" | "need" | "will" | "would")
    )
}

fn is_filler(kind: &UnitKind) -> bool {
    matches!(kind, UnitKind::Word { function: true })
}

pub fn read_acts(sc: &mut Scanned, t: &Tables, menu: &Menu) -> Acts {
    let mut acts = Acts::default();
    let n_units = sc.units.len();
    let mut at_start = true;
    let mut k = 0;
    while k < n_units {
        let unit = &sc.units[k];
        if unit.used {
            k += 1;
            continue;
        }
        let (start, end) = (unit.start, unit.end);
        let Some(cue) = cue_of(&unit.kind) else {
            // Uncued phone numbers and street addresses.
            if matches!(unit.kind, UnitKind::Digits(_) | UnitKind::Match(..)) {
                if let Some((p, e)) = details::phone(sc, start, 7) {
                    acts.details.phone = Some(p);
                    mark(sc, start, e);
                    k += 1;
                    continue;
                }
                if let Some((a, e)) = details::address(sc, start, false) {
                    acts.details.address = Some(a);
                    mark(sc, start, e);
                    k += 1;
                    continue;
                }
            }
            if !is_filler(&sc.units[k].kind) {
                at_start = false;
            }
            k += 1;
            continue;
        };
        let next_content = sc.units.get(k + 1).is_some_and(|u| is_content(&u.kind));
        let mut fired = true;
        let mut stop = end;
        match cue {
            // "yeah can i get ...", "yeah lemme get ...": a yes that opens a request is how
            // the caller starts ordering, not an answer.
            Cue::Yes if at_start && !opens_request(sc, end) => {
                acts.intents.push((start, Intent::Yes))
            }
            Cue::No if at_start && !next_content => acts.intents.push((start, Intent::No)),
            Cue::Done => acts.intents.push((start, Intent::Done)),
            Cue::Human => acts.intents.push((start, Intent::Human)),
            Cue::Repeat => acts.intents.push((start, Intent::Repeat)),
            Cue::Hours => acts.intents.push((start, Intent::Hours)),
            Cue::Cancel => match next_item(sc, k, t, menu) {
                Some((j, Target::Item(code))) => {
                    acts.intents
                        .push((start, Intent::Remove { item: Some(code) }));
                    sc.units[j].used = true;
                }
                _ => acts.intents.push((start, Intent::Cancel)),
            },
            // "what sides come with the combo", "what cheese is in the cheese one": a question
            // opening said after a "what"/"which" subject opens the utterance too.
            Cue::MenuQuestion | Cue::QuestionOpening
                if cue == Cue::MenuQuestion || at_start || asked_subject(sc, k) =>
            {
                // A question orders nothing: "how much is a large thai tea" adds no line. It
                // runs until the caller goes back to ordering ("... and two tacos").
                stop = question_end(sc, k);
                if let Some(from) = fronted_subject(sc, k) {
                    mark(sc, from, start);
                }
                let (about, asked) = question_about(sc, k, stop, t, menu);
                acts.asked.extend(asked);
                acts.intents.push((start, Intent::MenuQuestion { about }));
            }
            Cue::Remove => match next_item(sc, k, t, menu) {
                Some((j, Target::Item(code))) => {
                    sc.units[j].used = true;
                    acts.intents
                        .push((start, Intent::Remove { item: Some(code) }));
                }
                Some((j, Target::Option(group, option))) => {
                    sc.units[j].used = true;
                    let changes = LineMention {
                        item: None,
                        quantity: 1,
                        modifiers: vec![ModMention {
                            group,
                            option,
                            qualifier: None,
                            negated: true,
                            confidence: 1.0,
                            quantity: None,
                        }],
                        confidence: 1.0,
                        ..Default::default()
                    };
                    acts.intents.push((
                        start,
                        Intent::Modify {
                            item: None,
                            changes,
                        },
                    ));
                }
                _ => acts.intents.push((start, Intent::Remove { item: None })),
            },
            Cue::Change => acts.changes.push((start, true)),
            // "two cubanas, actually three": said after content of this utterance, the caller
            // takes back what was just said, as with "i mean".
            Cue::Correction
                if sc.word(start) == "actually"
                    && sc.units[..k].iter().any(|u| !u.used && is_content(&u.kind)) =>
            {
                acts.retracts.push(end)
            }
            Cue::Correction => acts.changes.push((start, false)),
            Cue::Retract => acts.retracts.push(end),
            Cue::Pickup => acts.details.fulfillment = Some(Fulfillment::Pickup),
            Cue::Delivery => {
                if acts.details.fulfillment.is_none() {
                    acts.details.fulfillment = Some(Fulfillment::Delivery)
                }
            }
            Cue::Name => {
                // A name is any word that is not a menu word nor one of the few words that
                // never are names ("my name is will" is Will).
                let known = |i: usize| {
                    let id = sc.ids[i];
                    let menu_word = id != NO_WORD && !sc.repaired[i] && t.content[id as usize];
                    // Words that start a phrase of their own ("for pickup", "no onions").
                    let phrase = sc.units.iter().any(|u| {
                        u.start == i && matches!(&u.kind, UnitKind::Match(ms, _) if !ms.is_empty())
                    });
                    menu_word
                        || phrase
                        || lexicon::NOT_NAMES.contains(&sc.word(i))
                        || details::number_word(sc.word(i)).is_some()
                };
                match details::name(sc, end, known) {
                    Some((name, e)) => {
                        acts.details.name = Some(name);
                        stop = e;
                    }
                    None => fired = false,
                }
            }
            // "send it to 12 main street" is an address, not a number.
            Cue::Phone => match details::phone(sc, end, 3)
                .filter(|_| details::address(sc, end, false).is_none())
            {
                Some((p, e)) => {
                    acts.details.phone = Some(p);
                    stop = e;
                }
                None => fired = false,
            },
            Cue::Address => {
                acts.details.fulfillment = Some(Fulfillment::Delivery);
                if let Some((a, e)) = details::address(sc, end, true) {
                    acts.details.address = Some(a);
                    stop = e;
                }
            }
            Cue::Asap => acts.details.time = Some(RequestedTime::Asap),
            Cue::In => match details::duration(sc, end) {
                Some((m, e)) => {
                    acts.details.time = Some(RequestedTime::InMinutes { minutes: m });
                    stop = e;
                }
                None => fired = false,
            },
            Cue::At => {
                let word = sc.word(start);
                if let Some((a, e)) = details::address(sc, end, false) {
                    acts.details.address = Some(a);
                    stop = e;
                } else if let Some((p, e)) = details::phone(sc, end, 7) {
                    // "at 415 555 0123": a number followed by more digits is a phone number,
                    // never a time ("4:15") and the rest.
                    acts.details.phone = Some(p);
                    stop = e;
                } else {
                    match details::clock(sc, end) {
                        Some(((hour, minute), e, strong)) if strong || word != "for" => {
                            // A bare number after "at" followed by menu words is a quantity.
                            let followed_by_content = sc
                                .units
                                .iter()
                                .find(|u| u.start >= e)
                                .is_some_and(|u| u.start == e && is_content(&u.kind));
                            if strong || !followed_by_content {
                                acts.details.time = Some(RequestedTime::At { hour, minute });
                                stop = e;
                            } else {
                                fired = false;
                            }
                        }
                        _ => fired = false,
                    }
                }
            }
            _ => fired = false,
        }
        if fired {
            mark(sc, start, stop);
        } else if !is_filler(&sc.units[k].kind) && !matches!(cue, Cue::At | Cue::In) {
            at_start = at_start && matches!(cue, Cue::Yes | Cue::No);
        }
        k += 1;
    }
    acts
}

/// What a question (cue at unit `k`, scope up to token `stop`) is about: the first run of menu
/// words after the cue must name one thing ("a large thai milk tea" is the thai milk tea, its
/// size fits it). When the words name things that do not fit together ("lamb biryani": lamb
/// vindaloo and the biryanis) or include unknown words ("veggie burger"), it is about nothing
/// on the menu, and the words are returned as asked-for text: never swapped for an item that
/// shares one word.
fn question_about(
    sc: &Scanned,
    k: usize,
    stop: usize,
    t: &Tables,
    menu: &Menu,
) -> (Option<String>, Option<Span>) {
    let mut run: Vec<usize> = Vec::new();
    for j in k + 1..sc.units.len() {
        let u = &sc.units[j];
        if u.start >= stop || u.used {
            break;
        }
        let grammar = match &u.kind {
            UnitKind::Word { function } => *function,
            UnitKind::Digits(_) => true,
            UnitKind::Match(ms, _) => !ms.iter().any(|m| m.sense.is_content()),
        };
        if grammar {
            if run.is_empty() {
                continue;
            }
            break;
        }
        run.push(j);
    }
    let (Some(&first), Some(&last)) = (run.first(), run.last()) else {
        return (None, None);
    };
    let span = || {
        let (a, b) = (
            sc.tokens[sc.units[first].start].start,
            sc.tokens[sc.units[last].end - 1].end,
        );
        Span {
            start: a,
            end: b,
            text: sc.text[a..b].to_string(),
        }
    };
    let mut common: Option<Vec<u32>> = None;
    let mut named: Option<Target> = None;
    // The last word is the head of what is asked: unknown there ("a veggie burger"), it is
    // nothing on the menu; unknown before it ("a large mango lassi"), it only describes.
    if !matches!(sc.units[last].kind, UnitKind::Match(..)) {
        return (None, Some(span()));
    }
    for &j in &run {
        let UnitKind::Match(ms, _) = &sc.units[j].kind else {
            continue;
        };
        // Sizes and options only describe ("a large mango lassi" is about the lassi even
        // when it has one size); names decide.
        let mut items: Vec<u32> = Vec::new();
        for m in ms.iter() {
            match m.sense {
                Sense::Item(i) => items.push(i),
                Sense::Category(c) => items.extend(&t.category_items[c as usize]),
                _ => {}
            }
        }
        if items.is_empty() {
            continue;
        }
        common = Some(match common {
            None => items,
            Some(c) => c.into_iter().filter(|i| items.contains(i)).collect(),
        });
        if named.is_none() {
            named = ms.iter().find_map(|m| match m.sense {
                Sense::Item(i) => Some(Target::Item(menu.items[i as usize].code.clone())),
                Sense::Category(c) => {
                    Some(Target::Category(menu.categories[c as usize].code.clone()))
                }
                _ => None,
            });
        }
    }
    let Some(common) = common else {
        return (None, None);
    };
    if common.is_empty() {
        return (None, Some(span()));
    }
    // Several fit ("do you have naan"): the category they all belong to, if one.
    let shared_category = || {
        let c = menu.items[common[0] as usize].category.clone()?;
        common
            .iter()
            .all(|&i| menu.items[i as usize].category.as_ref() == Some(&c))
            .then_some(c)
    };
    let about = match (common.as_slice(), named) {
        ([only], _) => Some(menu.items[*only as usize].code.clone()),
        (_, Some(Target::Category(code))) => Some(code),
        _ => shared_category(),
    };
    (about, None)
}

/// "what salsas do you have", "the lobster roll, how much is it": the question's subject said
/// before its cue (unit `k`) at the start of the utterance, after "what"/"which" or "the" and
/// with no count, article or other cue, is asked about, not ordered. The token it starts at.
fn fronted_subject(sc: &Scanned, k: usize) -> Option<usize> {
    let before = &sc.units[..k];
    let first = before.iter().position(|u| {
        !matches!(u.kind, UnitKind::Word { .. })
            || !matches!(sc.word(u.start), "uh" | "um" | "so" | "and" | "ok" | "okay")
    })?;
    if !matches!(sc.word(before[first].start), "what" | "which" | "the") {
        return None;
    }
    let plain = before[first + 1..].iter().all(|u| match &u.kind {
        UnitKind::Word { .. } => true,
        UnitKind::Match(ms, _) => ms
            .iter()
            .all(|m| !matches!(m.sense, Sense::Num { .. } | Sense::Cue(_)) && m.sense.is_content()),
        _ => false,
    });
    let names = before[first + 1..]
        .iter()
        .any(|u| matches!(u.kind, UnitKind::Match(..)));
    (plain && names).then_some(before[first].start)
}

/// Whether the utterance opens with "what"/"which" and menu words, then unit `k`.
fn asked_subject(sc: &Scanned, k: usize) -> bool {
    fronted_subject(sc, k).is_some_and(|t| matches!(sc.word(t), "what" | "which"))
}

/// Token where a question that starts at unit `k` ends: the end of the utterance, or an "and" /
/// "also" / "then" followed by a quantity, or an ordering cue.
fn question_end(sc: &Scanned, k: usize) -> usize {
    let units = &sc.units;
    for j in k + 1..units.len() {
        let u = &units[j];
        let w = sc.word(u.start);
        let joins = matches!(u.kind, UnitKind::Word { .. })
            && matches!(w, "and" | "also" | "then" | "plus" | "but");
        let quantity_next = units[j + 1..].iter().take(3).any(|n| {
            matches!(n.kind, UnitKind::Digits(_))
                || matches!(&n.kind, UnitKind::Match(ms, _)
                    if ms.iter().any(|m| matches!(m.sense, Sense::Num { .. })))
        });
        if joins && quantity_next {
            return u.start;
        }
        if cue_of(&u.kind).is_some_and(|c| {
            !matches!(
                c,
                Cue::MenuQuestion | Cue::QuestionOpening | Cue::At | Cue::In
            )
        }) {
            return u.start;
        }
    }
    sc.tokens.len()
}

fn mark(sc: &mut Scanned, start: usize, end: usize) {
    for u in sc.units.iter_mut() {
        if u.start >= start && u.end <= end {
            u.used = true;
        }
    }
}

enum Target {
    Item(String),
    Category(String),
    Option(String, String),
}

/// The first menu thing named within a few words after unit `k`.
fn next_item(sc: &Scanned, k: usize, t: &Tables, menu: &Menu) -> Option<(usize, Target)> {
    for j in k + 1..(k + 4).min(sc.units.len()) {
        let u = &sc.units[j];
        if u.used {
            return None;
        }
        match &u.kind {
            UnitKind::Match(ms, _) if ms.iter().any(|m| m.sense.is_content()) => {
                for m in ms.iter() {
                    if let Sense::Item(i) = m.sense {
                        return Some((j, Target::Item(menu.items[i as usize].code.clone())));
                    }
                }
                for m in ms.iter() {
                    if let Sense::Category(c) = m.sense {
                        return Some((
                            j,
                            Target::Category(menu.categories[c as usize].code.clone()),
                        ));
                    }
                }
                for m in ms.iter() {
                    if let Sense::Opt { group, opt } = m.sense {
                        let g = &menu.groups[group as usize];
                        let _ = t;
                        return Some((
                            j,
                            Target::Option(g.code.clone(), g.options[opt as usize].code.clone()),
                        ));
                    }
                }
                return None;
            }
            UnitKind::Word { function: true } => continue,
            UnitKind::Match(ms, _) if ms.iter().all(|m| matches!(m.sense, Sense::Num { .. })) => {
                continue
            }
            _ => return None,
        }
    }
    None
}
