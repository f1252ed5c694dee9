//! A built line to the public `LineMention`: options resolved to the item's groups,
//! replacements applied, confidence lowered for what was noticed.

use super::*;

impl Builder<'_> {
    pub(super) fn mention(&self, line: &Line, sc: &Scanned) -> LineMention {
        let menu = self.menu;
        let item = line.item.or(match line.cands.as_deref() {
            Some([only]) => Some(*only),
            _ => None,
        });
        let item_groups: Option<Vec<u32>> = item.map(|i| menu.group_indexes(i as usize));
        let mut conf = if line.item_named || item.is_some() {
            line.item_conf.max(0.0)
        } else {
            1.0
        };
        if conf == 0.0 {
            conf = 1.0;
        }
        let variation = line.var.as_ref().and_then(|(vs, c)| {
            conf = conf.min(*c);
            let pick = match item {
                Some(i) => vs.iter().find(|v| v.0 == i),
                None => vs.first(),
            }?;
            Some(
                menu.items[pick.0 as usize].variations[pick.1 as usize]
                    .code
                    .clone(),
            )
        });
        let mut modifiers: Vec<ModMention> = Vec::with_capacity(line.mods.len());
        let mut dropped = line.dropped;
        // Options said after "instead of" / "rather than": what the caller replaces.
        let mut replaced: Vec<(String, String)> = Vec::new();
        for m in &line.mods {
            let fits: Vec<&(u32, u32)> = m
                .cands
                .iter()
                .filter(|c| match &item_groups {
                    Some(gs) => gs.contains(&c.0),
                    None => line.cands.as_ref().is_none_or(|cands| {
                        self.t.group_items[c.0 as usize]
                            .iter()
                            .any(|i| cands.contains(i))
                    }),
                })
                .collect();
            // "a podi uttapam" where the uttapam has `Podi` and `Gunpowder (podi)`: the option
            // whose own name was said beats the one it is only the gloss of (once the item is
            // known: before, the order of the readings decides, as it did).
            let pick = match fits[..] {
                [_, _, ..] if item_groups.is_some() => fits
                    .iter()
                    .find(|c| said_own_name(menu, sc, m, c))
                    .or(fits.first())
                    .copied(),
                _ => fits.first().copied(),
            };
            // An option of a group the line's item does not take ("medium" heard as a steak's
            // doneness on a coffee) is dropped, not attached to that other group; the
            // confidence says something was.
            let Some(&(g, o)) = pick else {
                dropped = true;
                continue;
            };
            let group = &menu.groups[g as usize];
            let option = &group.options[o as usize];
            let mm = ModMention {
                group: group.code.clone(),
                option: option.code.clone(),
                qualifier: m
                    .qual
                    .filter(|q| !lexicon::name_says_amount(*q, &option.name)),
                negated: m.negated,
                confidence: m.conf,
                quantity: m.count,
            };
            conf = conf.min(m.conf);
            if said_as_replaced(sc, m.start) {
                replaced.push((mm.group.clone(), mm.option.clone()));
            }
            // "a chicken bowl with extra chicken": one option, said twice, the second time
            // with its qualifier.
            match modifiers
                .iter_mut()
                .find(|x| x.group == mm.group && x.option == mm.option && x.negated == mm.negated)
            {
                Some(x) => {
                    x.qualifier = x.qualifier.or(mm.qualifier);
                    x.quantity = x.quantity.or(mm.quantity);
                }
                None => modifiers.push(mm),
            }
        }
        replace_within_groups(menu, &mut modifiers, &replaced);
        let (s, e) = (
            line.start,
            line.end.max(line.start + 1).min(sc.tokens.len()),
        );
        let unknown_nearby = sc.units.iter().any(|u| {
            !u.used
                && matches!(u.kind, UnitKind::Word { function: false })
                && u.start >= s
                && u.start <= e
        });
        let repeated_kind = modifiers.iter().enumerate().any(|(a, x)| {
            let g = menu.group(&x.group);
            g.is_some_and(|g| !g.qualified && !g.negatable && g.max != 1)
                && modifiers[a + 1..]
                    .iter()
                    .any(|y| y.group == x.group && y.option != x.option && !y.negated)
        });
        let conf = crate::extract::confidence::line_confidence(
            conf,
            crate::extract::confidence::Signals {
                unknown_nearby,
                repeated_kind,
                undecided: item.is_none(),
                dropped,
            },
        );
        let span = if sc.tokens.is_empty() || s >= sc.tokens.len() {
            Span::default()
        } else {
            let (a, b) = (sc.tokens[s].start, sc.tokens[e - 1].end);
            Span {
                start: a,
                end: b,
                text: sc.text[a..b].to_string(),
            }
        };
        // "actually two samosas" (a correction with a count of an item it names) says the whole
        // count too.
        let whole_count = line.qty.is_some()
            && !line.qty_article
            && (line.whole_count || (line.change && !line.change_strong));
        LineMention {
            whole_count,
            item_implied: item.is_some() && !line.item_named,
            item: item.map(|i| menu.items[i as usize].code.clone()),
            quantity: line.qty.unwrap_or(1),
            quantity_explicit: line.qty.is_some(),
            variation,
            modifiers,
            confidence: conf,
            span,
            candidates: match (item, line.cands.as_deref()) {
                (None, Some(c)) if (2..=MAX_CANDIDATES).contains(&c.len()) => c
                    .iter()
                    .map(|&i| menu.items[i as usize].code.clone())
                    .collect(),
                _ => Vec::new(),
            },
        }
    }
}

/// Whether the words of `m` are the name of option `c` outside its brackets.
fn said_own_name(menu: &Menu, sc: &Scanned, m: &Mod, c: &(u32, u32)) -> bool {
    let (Some(a), Some(b)) = (sc.tokens.get(m.start), sc.tokens.get(m.end.max(1) - 1)) else {
        return false;
    };
    let said = &sc.text[a.start..b.end];
    let name = &menu.groups[c.0 as usize].options[c.1 as usize].name;
    crate::extract::names::native_forms(&crate::extract::names::outer_name(name))
        .iter()
        .any(|f| crate::extract::normalise::normalise(f).0 == said)
}

/// Whether the option starting at token `start` follows "instead of" or "rather than" (an
/// article between is allowed: "instead of the white", and a word for what comes by default:
/// "instead of the regular mayo").
pub(super) fn said_as_replaced(sc: &Scanned, start: usize) -> bool {
    let mut i = start;
    while i > 0
        && matches!(
            sc.word(i - 1),
            "the" | "a" | "an" | "any" | "my" | "regular" | "usual" | "normal"
        )
    {
        i -= 1;
    }
    i >= 2
        && matches!(
            (sc.word(i - 2), sc.word(i - 1)),
            ("instead", "of") | ("rather", "than")
        )
}

/// "rye instead of white", "rye, not white", "no ranch, blue cheese": in a group of one choice
/// the positive option is the choice and the other goes (a negated option there says nothing
/// the choice does not); in a group of several, the option replaced is taken off
/// ("spinach instead of lettuce": spinach, no lettuce).
fn replace_within_groups(menu: &Menu, mods: &mut Vec<ModMention>, replaced: &[(String, String)]) {
    let single = |g: &str| menu.group(g).is_some_and(|g| g.max == 1);
    let chosen = |mods: &[ModMention], g: &str, except: &str| {
        mods.iter()
            .any(|x| x.group == g && x.option != except && !x.negated)
    };
    for (g, o) in replaced {
        let other = chosen(mods, g, o);
        if single(g) && other {
            mods.retain(|x| !(x.group == *g && x.option == *o));
        } else if let Some(x) = mods.iter_mut().find(|x| x.group == *g && x.option == *o) {
            x.negated = true;
            x.qualifier = None;
        }
    }
    let snapshot = mods.clone();
    mods.retain(|x| !(x.negated && single(&x.group) && chosen(&snapshot, &x.group, &x.option)));
}
