//! "no rice", "light on the beans", "no sauce", "no dip": a group's own name said after a
//! negation or an amount, when the line's item takes that group and the group has one default
//! option, is that default option ("no rice" on a bowl that comes with cilantro-lime rice takes
//! that rice off; "extra rice" is more of it), never an item whose name has the word (a side
//! of rice) nor a word left unread. And the group's name said right after one of its options
//! ("brown rice", "pinto beans", "corn salsa", "curry gravy") only says which group the option
//! is of: it names no item of its own.

use super::*;

impl Builder<'_> {
    /// Reads unit `k` as the default option of a group the line's item takes, when it is that
    /// group's name after a pending negation or qualifier; true when it did.
    pub(super) fn group_default(&mut self, sc: &Scanned, k: usize) -> bool {
        let u = &sc.units[k];
        let Some(item) = self.cur.item else {
            return false;
        };
        let negated = self
            .pending_neg
            .is_some_and(|e| u.start <= e + PENDING_REACH);
        let qual = self
            .pending_qual
            .filter(|&(_, e)| u.start <= e + PENDING_REACH)
            .map(|q| q.0);
        if (!negated && qual.is_none()) || u.end - u.start != 1 {
            return false;
        }
        let takes = |g: u32| self.t.group_items[g as usize].contains(&item);
        // An option the item takes is read as itself ("no cheese").
        if let UnitKind::Match(ms, _) = &u.kind {
            if ms
                .iter()
                .any(|m| matches!(m.sense, Sense::Opt { group, .. } if takes(group)))
            {
                return false;
            }
        }
        let id = sc.ids[u.start];
        let found: Vec<(u32, u32)> = self
            .t
            .group_heads
            .iter()
            .enumerate()
            .filter(|&(g, &h)| h == id && takes(g as u32))
            .filter_map(|(g, _)| {
                let mut defaults = self.menu.groups[g]
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| o.default);
                match (defaults.next(), defaults.next()) {
                    (Some((o, _)), None) => Some((g as u32, o as u32)),
                    _ => None,
                }
            })
            .collect();
        let [(g, o)] = found[..] else {
            return false;
        };
        self.pending_neg = None;
        self.pending_qual = None;
        self.neg_chain = negated;
        self.cur.mods.push(Mod {
            cands: vec![(g, o)],
            negated,
            qual,
            conf: 1.0,
            start: u.start,
            end: u.end,
            describer: false,
            in_list: false,
            count: None,
        });
        self.touch(u.start, u.end);
        true
    }

    /// Unit `k` is the name of a group the line's item takes, said right after an option of
    /// that group ("brown rice" on a bowl): the option keeps that group, and the word is read.
    pub(super) fn group_after_option(&mut self, sc: &Scanned, k: usize) -> bool {
        let u = &sc.units[k];
        let Some(item) = self.cur.item else {
            return false;
        };
        if u.end - u.start != 1 {
            return false;
        }
        let id = sc.ids[u.start];
        let t = self.t;
        let Some(last) = self.cur.mods.last_mut() else {
            return false;
        };
        if last.end != u.start {
            return false;
        }
        let named = |&(g, _): &(u32, u32)| {
            t.group_heads[g as usize] == id && t.group_items[g as usize].contains(&item)
        };
        if !last.cands.iter().any(named) {
            return false;
        }
        // The word is also an option of another group the item takes ("sauce" of "Sauce on
        // Side" after "bbq"): left to the option reading.
        if let UnitKind::Match(ms, _) = &u.kind {
            let other = ms.iter().any(|m| match m.sense {
                Sense::Opt { group, .. } => {
                    t.group_heads[group as usize] != id
                        && t.group_items[group as usize].contains(&item)
                }
                _ => false,
            });
            if other {
                return false;
            }
        }
        last.cands.retain(named);
        last.end = u.end;
        self.cur.end = u.end;
        true
    }
}
