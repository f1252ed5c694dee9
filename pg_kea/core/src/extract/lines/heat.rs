//! "a large mutton kottu, very spicy", "a currywurst but not spicy": heat said against the
//! scale, not by a level's name, is the hottest or the mildest level of the item's heat group.

use super::*;

impl Builder<'_> {
    /// A heat group: one choice among three or more levels, one of them named mild; its
    /// levels run from the mildest (first) to the hottest (last), as menus list them.
    fn heat_group(&self, item: u32) -> Option<u32> {
        let heat: Vec<u32> = self
            .menu
            .group_indexes(item as usize)
            .into_iter()
            .filter(|&g| {
                let group = &self.menu.groups[g as usize];
                group.max == 1
                    && group.options.len() >= 3
                    && group.options.iter().any(|o| {
                        super::super::normalise::normalise(&o.name)
                            .0
                            .split_whitespace()
                            .any(|w| lexicon::MILD_WORDS.contains(&w))
                    })
            })
            .collect();
        match heat[..] {
            [only] => Some(only),
            _ => None,
        }
    }

    /// Each "very spicy" / "not spicy" said (`lexicon::HOTTEST`, `lexicon::MILDEST`) that no
    /// option's name took whole goes to the line it follows, when that line's item has one
    /// heat group: the level replaces what its words were read as there, and a line they
    /// opened with nothing else on it goes.
    pub(super) fn heat_words(&mut self, sc: &Scanned) {
        let n = sc.tokens.len();
        let mut t = 0;
        while t < n {
            let found = [(lexicon::HOTTEST, true), (lexicon::MILDEST, false)]
                .iter()
                .find_map(|(phrases, hot)| {
                    phrases
                        .iter()
                        .find(|p| {
                            t + p.len() <= n
                                && p.iter().enumerate().all(|(k, w)| sc.word(t + k) == *w)
                        })
                        .map(|p| (p.len(), *hot))
                });
            let Some((len, hot)) = found else {
                t += 1;
                continue;
            };
            let (a, b) = (t, t + len);
            t = b;
            // An option named by these words ("X-Hot", "Not Spicy") was read whole.
            if self.lines.iter().any(|l| {
                l.mods
                    .iter()
                    .any(|m| m.start <= a && m.end >= b && m.qual.is_none())
            }) {
                continue;
            }
            let Some(at) = self
                .lines
                .iter()
                .rposition(|l| l.start <= a && l.item.is_some() && l.item_named)
            else {
                continue;
            };
            let Some(g) = self.heat_group(self.lines[at].item.unwrap_or_default()) else {
                continue;
            };
            // "extra spicy" read as a level whose name says the "extra" ("Xtra Spicy").
            let group = &self.menu.groups[g as usize];
            if self.lines[at].mods.iter().any(|m| {
                m.start >= a
                    && m.end <= b
                    && m.cands.iter().any(|&(mg, o)| {
                        mg == g
                            && lexicon::name_says_amount(
                                Qualifier::Extra,
                                &group.options[o as usize].name,
                            )
                    })
            }) {
                continue;
            }
            let count = group.options.len() as u32;
            let level = if hot { count - 1 } else { 0 };
            // A line the words opened, with nothing else on it, goes.
            let opened = |l: &Line| {
                l.start >= a
                    && !l.item_named
                    && l.var.is_none()
                    && l.mods.iter().all(|m| m.start >= a && m.end <= b)
            };
            let mut k = at + 1;
            while k < self.lines.len() {
                if opened(&self.lines[k]) {
                    self.lines.remove(k);
                } else {
                    k += 1;
                }
            }
            let l = &mut self.lines[at];
            l.mods.retain(|m| {
                let said_here = m.start >= a && m.end <= b;
                !(said_here || m.cands.iter().any(|c| c.0 == g))
            });
            l.mods.push(Mod {
                cands: vec![(g, level)],
                negated: false,
                qual: None,
                conf: 1.0,
                start: a,
                end: b,
                describer: false,
                in_list: false,
                count: None,
            });
            l.end = l.end.max(b);
        }
    }
}
