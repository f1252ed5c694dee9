//! "the pork chop broken rice" beside a pick-two plate whose picks are the proteins: one pick
//! said of a group where two or more must be picked, with no item named, is the dish whose
//! name holds those words, not the build-your-own plate. So is one pick of a box that must
//! take one and may take two ("a traditional" beside a mini box of two flavours named after
//! the dishes).

use super::*;

impl Builder<'_> {
    /// A line with no item named, whose only item is the one carrying a pick-several group
    /// (`min >= 2`, or a required pick of up to two or more), and one option of that group said
    /// in words that are all in the name of exactly one other item: that item, when it takes
    /// every other option said on the line (each read again among its own groups, so "an egg"
    /// is its added egg, not the plate's egg meatloaf pick).
    pub(super) fn one_pick_names_dish(&mut self, sc: &Scanned) {
        let menu = self.menu;
        let t = self.t;
        let groups_of = |i: u32| menu.group_indexes(i as usize);
        let several = |g: u32| {
            let g = &menu.groups[g as usize];
            g.min >= 2 || (g.min >= 1 && g.max >= 2)
        };
        let lines_said: Vec<(usize, usize)> = self.lines.iter().map(|l| (l.start, l.end)).collect();
        for (n, l) in self.lines.iter_mut().enumerate() {
            if l.change {
                continue;
            }
            // The item named only by a word that is also a category the dish is in ("pork
            // chop plate" where "plate" is a piece of "#6 Pick 2 Plate" and the Plates
            // category) is still open to the dish.
            let named_by_kind = |dish: u32| {
                sc.units
                    .iter()
                    .find(|u| u.end == l.item_tok && u.start >= l.start)
                    .is_some_and(|u| match &u.kind {
                        UnitKind::Match(ms, _) => ms.iter().any(|x| {
                            matches!(x.sense, Sense::Category(c)
                                if t.category_items[c as usize].contains(&dish))
                        }),
                        _ => false,
                    })
            };
            let Some(own) = l.item.or(match l.cands.as_deref() {
                Some([only]) => Some(*only),
                _ => None,
            }) else {
                continue;
            };
            let picks: Vec<usize> = (0..l.mods.len())
                .filter(|&k| {
                    let m = &l.mods[k];
                    !m.negated
                        && !m.cands.is_empty()
                        && m.cands
                            .iter()
                            .all(|&(g, _)| several(g) && t.group_items[g as usize].contains(&own))
                })
                .collect();
            // Two picks said ("chicken and tofu") are the plate; one is a dish.
            let [p] = picks[..] else { continue };
            let pick = &l.mods[p];
            let words = &sc.ids[pick.start..pick.end.min(sc.ids.len())];
            let named_by: Vec<u32> = (0..menu.items.len() as u32)
                .filter(|&i| {
                    i != own
                        && !pick
                            .cands
                            .iter()
                            .any(|&(g, _)| t.group_items[g as usize].contains(&i))
                        && words.iter().all(|w| t.item_words[i as usize].contains(w))
                })
                .collect();
            let [dish] = named_by[..] else { continue };
            if l.item_named && !named_by_kind(dish) {
                continue;
            }
            // A second pick of the group said on another line of the utterance ("pork chop
            // and lemongrass chicken", an answer naming the plate's two picks): the plate.
            let other_pick = sc.units.iter().any(|u| {
                let own_line = lines_said[n].0 <= u.start && u.end <= lines_said[n].1;
                !own_line
                    && matches!(&u.kind, UnitKind::Match(ms, _) if ms.iter().any(|x| {
                        matches!(x.sense, Sense::Opt { group, .. }
                            if pick.cands.iter().any(|c| c.0 == group))
                    }))
            });
            if other_pick {
                continue;
            }
            if l.var
                .as_ref()
                .is_some_and(|(vs, _)| !vs.iter().any(|v| v.0 == dish))
            {
                continue;
            }
            let takes = groups_of(dish);
            // Every other option, read again among the dish's groups.
            let mut reread: Vec<Vec<(u32, u32)>> = Vec::with_capacity(l.mods.len());
            let mut fits = true;
            for (k, m) in l.mods.iter().enumerate() {
                if k == p {
                    reread.push(Vec::new());
                    continue;
                }
                let said: Vec<(u32, u32)> = sc
                    .units
                    .iter()
                    .find(|u| u.start == m.start && u.end == m.end)
                    .and_then(|u| match &u.kind {
                        UnitKind::Match(ms, _) => Some(ms),
                        _ => None,
                    })
                    .map(|ms| {
                        ms.iter()
                            .filter_map(|x| match x.sense {
                                Sense::Opt { group, opt } if takes.contains(&group) => {
                                    Some((group, opt))
                                }
                                _ => None,
                            })
                            .collect()
                    })
                    .unwrap_or_else(|| {
                        m.cands
                            .iter()
                            .copied()
                            .filter(|c| takes.contains(&c.0))
                            .collect()
                    });
                if said.is_empty() {
                    fits = false;
                    break;
                }
                reread.push(said);
            }
            if !fits {
                continue;
            }
            let conf = pick.conf;
            for (m, c) in l.mods.iter_mut().zip(reread) {
                m.cands = c;
            }
            l.mods.remove(p);
            l.item = Some(dish);
            l.cands = Some(vec![dish]);
            l.item_conf = crate::extract::compile::PARTIAL_CONFIDENCE * conf;
        }
    }
}
