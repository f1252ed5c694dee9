//! Plain English size words for sizes a menu names its own way: "a large horchata" where the
//! agua fresca comes `Chica` / `Grande`, "a small esquites" for `Chico`, "a large caesar" for
//! `Entrée` beside `Side`. Callers say small / medium / large whatever the menu calls them.

use super::lexicon;
use super::names;
use crate::menu::{Item, Variation};

/// The plain size words an item's sizes take (variation index, word), ranked by price:
/// "small" the cheapest, "large" (and the big words) the dearest, "medium" the middle one of
/// three. Only where no size of the item is already named small, large or regular, so a
/// menu's own "Lg" or "Reg" keeps its meaning, and only where the sizes are not counts.
/// `menu_says_plainly`: some size of the menu is named small, large or big
/// ([`menu_says_plainly`]).
pub fn plain_size_words(item: &Item, menu_says_plainly: bool) -> Vec<(usize, &'static str)> {
    let vs = &item.variations;
    if vs.len() < 2 || vs.len() > 3 {
        return Vec::new();
    }
    let said = |words: &[&str]| vs.iter().any(|v| says_a_word(v, words));
    // "Chico / Mediano / Grande": "mediano" is said "medium" already, the ends are not.
    // "Reg / Grande": the small end is said plainly, the big end is not ("a large soup"),
    // unless the menu says small or large of other sizes: then it has its own word for them
    // and chose another here.
    let said_plainly = said(PLAIN) && (vs.len() != 2 || menu_says_plainly || said(PLAINLY));
    // "3 chops" / "5 chops", "1 Ulam" / "2 Ulam", "Single" / "Double": a count of pieces or
    // patties, no size a caller would call small or large.
    let counted = |name: &str| {
        let outer = names::outer_name(name).to_lowercase();
        let first = outer
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or("");
        first.starts_with(|c: char| c.is_ascii_digit())
            || lexicon::number_value(first).is_some()
            || MULTIPLES.contains(&first)
            || names::size_count(name).is_some()
    };
    if said_plainly || vs.iter().any(|v| counted(&v.name)) {
        return Vec::new();
    }
    let mut rank: Vec<usize> = (0..vs.len()).collect();
    rank.sort_by_key(|&i| vs[i].price_cents);
    // Sizes cost more as they grow; variations at one price are kinds ("Hot" / "Iced").
    if rank
        .windows(2)
        .any(|w| vs[w[0]].price_cents == vs[w[1]].price_cents)
    {
        return Vec::new();
    }
    let mut out = vec![(rank[0], "small")];
    out.push((rank[vs.len() - 1], "large"));
    out.extend(lexicon::BIG_WORDS.iter().map(|w| (rank[vs.len() - 1], *w)));
    if vs.len() == 3 && !said(&["medium"]) {
        out.push((rank[1], "medium"));
    }
    out
}

/// Whether some size of the menu is named small, large or big in any of its spoken forms.
pub fn menu_says_plainly(items: &[Item]) -> bool {
    items
        .iter()
        .flat_map(|i| &i.variations)
        .any(|v| says_a_word(v, PLAINLY))
}

/// Whether a size's name or an alias, in any of its spoken forms, has one of `words`.
fn says_a_word(v: &Variation, words: &[&str]) -> bool {
    std::iter::once(&v.name)
        .chain(v.aliases.iter())
        .flat_map(|n| names::spoken_forms(n))
        .any(|f| {
            f.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| words.contains(&w))
        })
}

/// Below a size the menu names itself: where a word is both, with nothing to choose between
/// them, the menu's own is meant (`lines/matched.rs`).
pub const PLAIN_SIZE_CONFIDENCE: f32 = 0.95;

/// Words that count patties or shots, not sizes.
const MULTIPLES: &[&str] = &["single", "double", "triple", "quad", "solo", "doppio"];

/// Words that already say a size plainly.
const PLAIN: &[&str] = &["small", "large", "big", "regular"];

/// The plain words for the ends of a range of sizes ("regular" is the small end or the middle).
const PLAINLY: &[&str] = &["small", "large", "big"];
