//! Spoken forms of names as owners type them into a POS: "Chips & Salsa", "Elote (Mexican
//! Street Corn)", "Takoyaki (6 pcs)", "50% Sugar", "Two Eggs Any Style", "BBQ Chicken". A caller
//! says "chips and salsa", "mexican street corn", "takoyaki", "fifty percent sugar" or "half
//! sugar", "2 eggs", "barbecue chicken". Every form derived here is a full form of the name
//! (confidence 1.0); pieces of names (partial forms) are derived later, in `compile`.

use std::sync::OnceLock;

use super::{lexicon, menu_words};

/// Every full spoken form of `name`, the name itself first, then its English forms
/// ([`menu_words`]). Lower case, not yet normalised.
pub fn spoken_forms(name: &str) -> Vec<String> {
    let mut out = native_forms(name);
    // "Arroz Blanco", "1/2 Pollo": a name in another language is also said in English ("white
    // rice", "half chicken").
    for f in out.clone() {
        for e in menu_words::english_forms(&f) {
            if !out.contains(&e) {
                out.push(e);
            }
        }
    }
    out
}

/// The spoken forms of `name` in the language it is written in.
pub fn native_forms(name: &str) -> Vec<String> {
    let lower = slash_words(&name.to_lowercase());
    let mut bases: Vec<String> = Vec::new();
    let (outer, inner) = split_parenthetical(&lower);
    bases.push(outer.clone());
    // "Tapioca Pearls (Boba)": the inner part is another name for the same thing, unless it
    // is a count or a measure ("6 pcs", "12 oz").
    // A list, a count, an amount or a "no ..." inside the brackets ("Game Day Pack (40 Wings, 2 Lg
    // Fries, 4 Dips)", "Naked (No Sauce)") describes the thing: it is no name of it.
    if let Some(inner) = inner.clone().filter(|i| !is_count(i) && !is_description(i)) {
        bases.push(inner);
    }
    // "Koshari Bel Kibda (w/ liver)": a "with" gloss that says the name's last words word for
    // word (a joining word and as many words as it has) says the dish said with them
    // ("koshari with liver", "liver koshari").
    for said in with_gloss_forms(&outer, inner.as_deref()) {
        bases.push(said);
    }
    // "Kibda Eskandarani (Alex liver) Sandwich": a gloss written inside the name says the
    // words before it, and the words after it go with it ("alex liver sandwich").
    if let Some(said) = mid_gloss_form(&lower) {
        bases.push(said);
    }
    // 'Med 14"', 'Large 16 in': a size in inches is said "fourteen inch", alone or with the
    // rest of the name ("a fourteen inch margherita").
    for b in bases.clone() {
        if let Some((with_unit, measure, rest)) = inch_measure(&b) {
            // Twelve inches are a foot: "a footlong" for 'Whole (12in)'.
            if measure == "12 inch" {
                bases.push("footlong".into());
                bases.push("foot long".into());
            }
            bases.push(with_unit);
            bases.push(measure);
            if !rest.is_empty() {
                bases.push(rest);
            }
        }
    }
    // "Burnt Ends 1/2 lb", "Wings 10 pc": a measure typed after the name is not said.
    if let Some(short) = without_trailing_measure(&outer) {
        bases.push(short);
    }
    // "1/2 lb", "1/4 Dark", "1 lb": fractions and a single unit are said in words ("half a
    // pound", "quarter dark", "a pound"). Not a portion in brackets ("Rib Plate (1/2 rack)"):
    // that describes the item.
    for b in bases.clone().into_iter().take(1) {
        for f in fraction_forms(&b) {
            if !bases.contains(&f) {
                bases.push(f);
            }
        }
    }
    // "3 - Hot", "0 - No Spice": a level typed after its number and a dash is said by its
    // words alone ("hot"), as the caller cannot see the number.
    for b in bases.clone() {
        if let Some(said) = numbered_level_words(&b) {
            if !bases.contains(&said) {
                bases.push(said);
            }
        }
    }
    // "#1 Tender Combo": the caller says "the number one" or "a number one tender combo".
    for b in bases.clone() {
        for said in menu_number_forms(&b) {
            if !bases.contains(&said) {
                bases.push(said);
            }
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    for b in bases {
        let percent = b.contains('%');
        for f in ampersand_forms(&b) {
            for g in number_forms(&f) {
                for h in abbreviation_forms(&g) {
                    for p in percent_of_forms(&h, percent) {
                        push(p);
                    }
                }
            }
        }
        if let Some(said) = none_of_form(&b) {
            push(said.to_string());
        }
        // "Lvl 3 Hot": a numbered level is said by its number alone ("level three").
        let lvl: Vec<&str> = b.split_whitespace().collect();
        if let ["lvl" | "level", n, _, ..] = lvl[..] {
            if n.chars().all(|c| c.is_ascii_digit()) {
                for f in number_forms(&format!("level {n}")) {
                    push(f);
                }
            }
        }
        // "X-Hot": the level is said "extra hot", not "hot" with an amount.
        if let Some(rest) = b.strip_prefix("x-").or_else(|| b.strip_prefix("x ")) {
            push(format!("extra {rest}"));
        }
        // "Sin Arepa": a caller says what the option goes without in English ("no arepa").
        if let Some(rest) = b.strip_prefix("sin ") {
            push(format!("no {rest}"));
            push(format!("without {rest}"));
        }
        // "Vita Soy", "Hash Browns", "Poppy Seed": a name of two words is also written as one
        // by the recogniser ("vitasoy", "hashbrowns", "poppyseed").
        let words: Vec<&str> = b
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if let [a, z] = words[..] {
            if words.iter().all(|w| w.chars().all(char::is_alphabetic)) {
                push(format!("{a}{z}"));
            }
        }
    }
    out
}

/// "w/" and "c/" typed for "with" and the Spanish or Portuguese "con"/"com" ("Veggie Ramen w/
/// Tofu", "Frijol c/ Queso"), also glued to the next word ("w/cheese"), are said in full; "w/o"
/// is left to mean "without".
fn slash_words(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            // "(w/ rice)": the bracket stays before the word.
            let open = w.len() - w.trim_start_matches('(').len();
            let (bracket, word) = w.split_at(open);
            for (typed, said) in [("w/", "with"), ("c/", "con")] {
                if let Some(rest) = word.strip_prefix(typed) {
                    if rest != "o" && !rest.starts_with("o)") {
                        return format!("{bracket}{said} {rest}");
                    }
                }
            }
            w.to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "3 - hot" -> "hot": the words after a number and a dash that start the name, when they
/// hold a letter.
fn numbered_level_words(name: &str) -> Option<String> {
    let digits = name.len() - name.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let rest = name[digits..].trim_start();
    let rest = rest
        .strip_prefix('-')
        .or_else(|| rest.strip_prefix('\u{2013}'))?
        .trim();
    rest.chars()
        .any(char::is_alphabetic)
        .then(|| rest.to_string())
}

/// "#1 tender combo" -> "number 1 tender combo" and "number 1": a menu number said as the
/// name, alone or with the rest.
fn menu_number_forms(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let Some(at) = words.iter().position(|w| {
        w.strip_prefix('#')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    }) else {
        return Vec::new();
    };
    let number = format!("number {}", &words[at][1..]);
    let mut whole = words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    whole[at] = number.clone();
    vec![whole.join(" "), number]
}

/// The name without a measure typed at its end ("burnt ends 1/2 lb" -> "burnt ends"), when
/// something is left.
fn without_trailing_measure(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let [head @ .., amount, unit] = &words[..] else {
        return None;
    };
    let amount_ok = amount
        .chars()
        .all(|c| c.is_ascii_digit() || c == '/' || c == '.')
        && amount.chars().any(|c| c.is_ascii_digit());
    let unit_ok = lexicon::MEASURE_UNITS.contains(unit) || lexicon::COUNT_UNITS.contains(unit);
    (amount_ok && unit_ok && !head.is_empty()).then(|| head.join(" "))
}

/// A name that starts with a fraction or a single unit of a measure, said as callers say it:
/// "1/2 lb" is "half lb", "half a lb"; "1/4 dark" "quarter dark"; "1 lb" "a lb" (the
/// abbreviation is spelled out later). An article before a fraction stays an article.
fn fraction_forms(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let Some((first, rest)) = words.split_first() else {
        return Vec::new();
    };
    if rest.is_empty() {
        return Vec::new();
    }
    let rest = rest.join(" ");
    let said: &[&str] = match *first {
        "1/2" | "½" => &["half", "half a", "one half"],
        "1/4" | "¼" => &["quarter", "one quarter", "quarter of a"],
        "3/4" | "¾" => &["three quarter", "three quarters of a"],
        "1" if lexicon::MEASURE_UNITS.contains(&rest.as_str()) => &["a", "one"],
        _ => &[],
    };
    said.iter().map(|w| format!("{w} {rest}")).collect()
}

/// A measure in inches in a name ('14"', '14 in', '14 inch'): the name with the measure said
/// "14 inch", the measure alone, and the rest of the name without it.
fn inch_measure(name: &str) -> Option<(String, String, String)> {
    // "12in", "6in.": the unit typed against the number.
    let unglued = digits_apart(name);
    let spaced = unglued
        .replace(['\u{201d}', '\u{2033}'], "\"")
        .replace("''", "\"")
        .replace('"', " \" ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.chars().all(|c| c.is_ascii_digit()))?;
    let unit = words.get(at + 1)?;
    if !matches!(*unit, "\"" | "in" | "in." | "inch" | "inches") {
        return None;
    }
    let measure = format!("{} inch", words[at]);
    let mut with_unit: Vec<&str> = words.clone();
    with_unit[at + 1] = "inch";
    let rest: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at && *i != at + 1)
        .map(|(_, w)| *w)
        .collect();
    Some((with_unit.join(" "), measure, rest.join(" ")))
}

/// In a name with a percentage, the word it is a percentage of is also said as its
/// equivalents ("50% Sugar": "half sweet", "fifty percent sweetness"). `form` is one spoken
/// form of the name; `percent`: whether the name has a percentage.
fn percent_of_forms(form: &str, percent: bool) -> Vec<String> {
    let mut out = vec![form.to_string()];
    if !percent {
        return out;
    }
    let words: Vec<&str> = form.split_whitespace().collect();
    for class in lexicon::PERCENT_OF {
        for (i, w) in words.iter().enumerate() {
            if !class.contains(w) {
                continue;
            }
            for other in class.iter().filter(|o| *o != w) {
                let mut v = words.clone();
                v[i] = other;
                out.push(v.join(" "));
            }
        }
    }
    out
}

/// A name that is none of something with a word of its own: "0% Sugar" / "Sugar 0%" is
/// "unsweetened" (`name` as typed, lower case).
fn none_of_form(name: &str) -> Option<&'static str> {
    let typed: Vec<String> = name
        .replace('%', " % ")
        .split_whitespace()
        .map(String::from)
        .collect();
    let of = match typed.as_slice() {
        [n, p, w] | [w, n, p] if n == "0" && p == "%" => w.as_str(),
        _ => return None,
    };
    lexicon::NONE_OF
        .iter()
        .find(|(class, _)| class.contains(&of))
        .map(|&(_, said)| said)
}

/// "elote (mexican street corn)" -> ("elote", Some("mexican street corn")). A price in brackets
/// is dropped first: "nasi uduk (coconut) (+1.00)" -> ("nasi uduk", Some("coconut")).
fn split_parenthetical(s: &str) -> (String, Option<String>) {
    let s = &without_price_brackets(s);
    match (s.find('('), s.rfind(')')) {
        (Some(a), Some(b)) if b > a => {
            let inner = s[a + 1..b].trim().to_string();
            let outer = format!("{} {}", &s[..a], &s[b + 1..]);
            (
                outer.trim().to_string(),
                Some(inner).filter(|i| !i.is_empty()),
            )
        }
        _ => (s.to_string(), None),
    }
}

/// "koshari bel kibda" with the gloss "w/ liver" -> "koshari with liver", "liver koshari": the
/// gloss says "with" and its words, and the name is one word, a joining word and as many more
/// words as the gloss has after "with". No list ("w/ bread, salad").
fn with_gloss_forms(outer: &str, inner: Option<&str>) -> Vec<String> {
    let Some(inner) = inner else {
        return Vec::new();
    };
    let Some(with) = inner
        .strip_prefix("w/")
        .or_else(|| inner.strip_prefix("with "))
        .map(str::trim)
    else {
        return Vec::new();
    };
    let with: Vec<&str> = with
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    let name: Vec<&str> = outer.split_whitespace().collect();
    if with.is_empty()
        || inner.contains([',', '&', '+'])
        || name.len() != with.len() + 2
        || matches!(name[1], "&" | "and" | "n" | "+" | "or")
    {
        return Vec::new();
    }
    let with = with.join(" ");
    vec![
        format!("{} with {with}", name[0]),
        format!("{with} {}", name[0]),
    ]
}

/// The gloss of a name in brackets followed by the rest of the name ("sogo' (spicy sausage)
/// sandwich" -> "spicy sausage sandwich"): one pair of brackets, words before and after it.
fn mid_gloss_form(s: &str) -> Option<String> {
    let s = without_price_brackets(s);
    let (open, close) = (s.find('(')?, s.find(')')?);
    if close < open || s[close + 1..].contains(['(', ')']) || s[..open].trim().is_empty() {
        return None;
    }
    let (inner, after) = (s[open + 1..close].trim(), s[close + 1..].trim());
    if after.is_empty() || inner.is_empty() || is_count(inner) || is_description(inner) {
        return None;
    }
    Some(format!("{inner} {after}"))
}

/// A POS name carries what an option adds to the price in brackets ("Nasi Uduk (coconut)
/// (+1.00)", "No Rice (-1.00)", "(+.50)", "($2)"): nobody says it, and left in, it hid the gloss
/// before it, so "coconut" named only the side order of that rice, never the plate's rice pick.
/// A bare count ("Egg Tarts (3)") has no sign or currency and stays.
fn without_price_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inner = rest[open + 1..close].trim();
        let digits = inner.trim_start_matches(['+', '-', '$']);
        let is_price = inner.len() > digits.len()
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.');
        out.push_str(&rest[..open]);
        if !is_price {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What an owner writes in brackets to describe an item rather than name it: a list ("40
/// Wings, 2 Lg Fries"), counts of things ("2 eggs, toast"; a measure alone, "12 oz", is a
/// name of the size), or what it comes without ("No Sauce").
fn is_description(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    s.contains(',')
        || words.len() > 2
            && words.iter().any(|w| {
                w.chars().all(|c| c.is_ascii_digit()) || lexicon::number_value(w).is_some()
            })
        || words
            .first()
            .is_some_and(|w| matches!(*w, "no" | "without" | "w/o" | "not" | "with" | "w/"))
        // "Pickled Radish (Extra)": an amount alone says the item is more of a thing, and
        // "extra" said of an option must stay its amount.
        || lexicon::QUALIFIERS.iter().any(|(q, _)| *q == s.trim())
}

/// The name outside its brackets and the first part of a list joined by "+" in them:
/// "Sifrina (reina pepiada + amarillo)" -> ("sifrina", "reina pepiada"). Lower case.
pub fn plus_list(name: &str) -> Option<(String, String)> {
    let (outer, inner) = split_parenthetical(&name.to_lowercase());
    let inner = inner.filter(|i| joins_with_plus(i))?;
    let first = inner.split('+').next()?.trim().to_string();
    Some((outer, first))
}

/// The part of a name in brackets when it is another name of the thing, not a count or a
/// description ("Tapioca Pearls (Boba)" -> "boba"; not "(6 pcs)", "(no sugar)"). Lower case.
pub fn gloss(name: &str) -> Option<String> {
    split_parenthetical(&name.to_lowercase())
        .1
        .filter(|i| !is_count(i) && !is_description(i))
}

/// "Tawar (no sugar)": a level whose gloss says it is none of a sweetness is said that way ("no
/// sugar", "no sweet", "unsweetened"), though a gloss "no ..." is otherwise a description.
pub fn none_gloss_forms(name: &str) -> Vec<String> {
    let Some(inner) = split_parenthetical(&name.to_lowercase()).1 else {
        return Vec::new();
    };
    let Some(of) = inner.strip_prefix("no ") else {
        return Vec::new();
    };
    lexicon::NONE_OF
        .iter()
        .filter(|(class, _)| class.contains(&of.trim()))
        .flat_map(|(class, said)| {
            class
                .iter()
                .map(|w| format!("no {w}"))
                .chain(std::iter::once(said.to_string()))
        })
        .collect()
}

/// The name without a price typed after it ("Makemba +2", "Guac +1.50" -> "Makemba", "Guac").
pub fn without_price_tag(name: &str) -> String {
    let price = |w: &str| {
        w.strip_prefix('+')
            .map(|r| r.trim_start_matches('$'))
            .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    name.split_whitespace()
        .filter(|w| !price(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name outside its brackets, lower case.
pub fn outer_name(name: &str) -> String {
    split_parenthetical(&name.to_lowercase()).0
}

/// Whether words are joined by a "+" ("shrimp + debris", "egg+butter"); not a price ("+1.00").
fn joins_with_plus(s: &str) -> bool {
    s.match_indices('+').any(|(at, _)| {
        s[..at].trim_end().ends_with(|c: char| c.is_alphabetic())
            && s[at + 1..]
                .trim_start()
                .starts_with(|c: char| c.is_alphabetic())
    })
}

/// A size named large ("Large", "Lg", "Lg (family)", "Large (32 oz)"), not extra large.
pub fn is_large_size(name: &str) -> bool {
    let lower = name.to_lowercase();
    let first = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty());
    matches!(first, Some("large" | "lg" | "lrg"))
}

/// The count a size's name says ("10 pc", "6 Piece", "20", "Twelve Count", "3pc", "3 Sticks",
/// "Party 10 Sticks", "8 pc (box)", "Dz", "Half Dz"): a caller says "ten wings" or "a dozen
/// croquetas" for that pack, one order of it, not that many single ones. Measures ("12 oz",
/// "6 inch") are no count.
pub fn size_count(name: &str) -> Option<u32> {
    let lower = digits_apart(&name.to_lowercase());
    // "10 pc (family)": what the brackets say of the pack is not its count.
    let head = lower.split('(').next().unwrap_or("");
    let words: Vec<&str> = head.split_whitespace().collect();
    let dozen = |w: &str| matches!(w, "dozen" | "dz" | "doz");
    // "Dozen", "1/2 Dozen", "Half Dz": a dozen is a count a caller says ("a dozen", "twelve").
    match words[..] {
        [d] | ["1" | "one", d] if dozen(d) => return Some(12),
        ["1/2" | "half", d] | ["half", "a", d] if dozen(d) => return Some(6),
        _ => {}
    }
    let number = |w: &str| w.parse::<u32>().ok().or_else(|| lexicon::number_value(w));
    let unit = |w: &str| lexicon::COUNT_UNITS.contains(&w) || lexicon::PACK_UNITS.contains(&w);
    // "Party 10 Sticks", "Festa 25 pc": a word naming the pack before its count.
    let counted = match words[..] {
        [first, _, u] if number(first).is_none() && unit(u) => &words[1..],
        _ => &words[..],
    };
    // "Docena (12)", "Short Stack (3)": a name with no count of its own and a bare number in
    // brackets, the pieces the pack holds.
    let Some(n) = counted.first().and_then(|w| number(w)) else {
        let inner = lower.split_once('(')?.1.split(')').next().unwrap_or("");
        return match inner.split_whitespace().collect::<Vec<_>>()[..] {
            [w] => w.parse::<u32>().ok().filter(|&n| n >= 2),
            _ => None,
        };
    };
    let unit_ok = match counted.get(1..).unwrap_or(&[]) {
        [] => true,
        [u] => unit(u),
        _ => false,
    };
    (unit_ok && n >= 2).then_some(n)
}

/// Sizes all named a number and one same word ("5 kom" / "10 kom"): a count of pieces in the
/// menu's own language, the item sold only in those counts ("ten cevapi" is the ten). A
/// measure ("12 oz" / "16 oz", "6 inch") is no count.
pub fn counts_in_own_unit(vs: &[crate::menu::Variation]) -> Vec<(u32, u32)> {
    let mut unit: Option<String> = None;
    let mut out = Vec::new();
    for (vi, v) in vs.iter().enumerate() {
        // "30 st (to share)": what the brackets say of the pack is not its count.
        let lower = digits_apart(&outer_name(&v.name));
        let words: Vec<&str> = lower.split_whitespace().collect();
        let [n, u] = words[..] else {
            return Vec::new();
        };
        let Some(n) = n.parse::<u32>().ok().filter(|n| *n >= 2) else {
            return Vec::new();
        };
        if !u.chars().all(|c| c.is_alphabetic())
            || lexicon::MEASURE_UNITS.contains(&u)
            || MEASURE_WORDS.contains(&u)
            || unit.as_deref().is_some_and(|x| x != u)
        {
            return Vec::new();
        }
        unit = Some(u.to_string());
        out.push((vi as u32, n));
    }
    if out.len() < 2 {
        return Vec::new();
    }
    out
}

/// Measures a size is named by beside `lexicon::MEASURE_UNITS`.
const MEASURE_WORDS: &[&str] = &[
    "in", "inch", "inches", "cm", "ml", "cl", "l", "g", "kg", "floz",
];

/// Words that say only a count of one ("one", "1"): callers say them for the count of anything,
/// so they name no size on their own. Larger counts as codes ("six" for a six-pack, "two" for a
/// two-item combo) are kept: said before the item they are read as its size.
pub fn is_count_of_one(words: &str) -> bool {
    let w = words.trim();
    w == "1" || lexicon::number_value(w) == Some(1)
}

/// A size of one ("1 Stick", "1 pc", "Ea", "Single"): the item is also sold one at a time.
pub fn is_single_size(name: &str) -> bool {
    let lower = digits_apart(&name.to_lowercase());
    let head = lower.split('(').next().unwrap_or("");
    let words: Vec<&str> = head.split_whitespace().collect();
    match words[..] {
        ["ea" | "each" | "single"] => true,
        ["1" | "one", u] => lexicon::COUNT_UNITS.contains(&u) || lexicon::PACK_UNITS.contains(&u),
        _ => false,
    }
}

/// A size named only by a number with its unit of measure typed against it, set apart ("44oz
/// (XL)" -> "44 oz"): callers say "a 44 ounce".
pub fn measure_apart(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let (outer, _) = split_parenthetical(&lower);
    let apart = digits_apart(&outer);
    let words: Vec<&str> = apart.split_whitespace().collect();
    let glued = outer.split_whitespace().count() == 1;
    let measured = matches!(words[..], [n, u]
        if n.chars().all(|c| c.is_ascii_digit()) && lexicon::MEASURE_UNITS.contains(&u));
    if glued && measured {
        return Some(apart);
    }
    // "Sm 12oz", "Lg 32oz": a size's word and then its measure typed glued, the last word;
    // callers say "a twelve ounce" too.
    let outer_words: Vec<&str> = outer.split_whitespace().collect();
    match outer_words[..] {
        [_, last] => measure_apart(last),
        _ => None,
    }
}

/// "4pc", "12in": a unit typed against its number, spaced apart ("4 pc").
fn digits_apart(s: &str) -> String {
    let mut spaced = String::new();
    let mut prev_digit = false;
    for c in s.chars() {
        if prev_digit && c.is_ascii_alphabetic() {
            spaced.push(' ');
        }
        prev_digit = c.is_ascii_digit();
        spaced.push(c);
    }
    spaced
}

/// The pieces a size's name counts anywhere in it ("Nigiri 2 pc", "10 pc", "Half (8 pc)").
pub fn piece_count(name: &str) -> Option<u32> {
    let lower = name.to_lowercase().replace(['(', ')'], " ");
    let words: Vec<&str> = lower.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let n = w[0]
            .parse::<u32>()
            .ok()
            .or_else(|| lexicon::number_value(w[0]))?;
        (lexicon::COUNT_UNITS.contains(&w[1]) && n >= 2).then_some(n)
    })
}

/// The pieces one order of an item holds, as its name says ("Egg Tarts (3)", "Har Gow
/// (shrimp) 4pc", "Goi Cuon (Spring Rolls 2 pc)"): a caller counting pieces ("eight har gow")
/// orders that many pieces, not that many orders. A list or a measure in brackets ("(40
/// Wings, 2 Fries)", "(4oz)", "(12 & under)") counts no pieces.
pub fn name_piece_count(name: &str) -> Option<u32> {
    // "4pc" is "4 pc".
    let spaced = digits_apart(&name.to_lowercase());
    let count = |words: &[&str]| -> Option<u32> {
        let n = match words {
            [n] => n,
            [.., n, u] if lexicon::COUNT_UNITS.contains(u) => n,
            _ => return None,
        };
        n.parse::<u32>().ok().filter(|&n| n >= 2)
    };
    let mut outside = String::new();
    let mut rest = spaced.as_str();
    while let Some(open) = rest.find('(') {
        outside.push_str(&rest[..open]);
        let close = rest[open..].find(')').map_or(rest.len(), |c| open + c);
        let inner = &rest[open + 1..close];
        if !inner.contains([',', '+', '&', '/']) {
            let words: Vec<&str> = inner.split_whitespace().collect();
            if let Some(n) = count(&words) {
                return Some(n);
            }
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    outside.push_str(rest);
    let words: Vec<&str> = outside.split_whitespace().collect();
    match words[..] {
        [.., n, u] if lexicon::COUNT_UNITS.contains(&u) => count(&[n, u]),
        _ => None,
    }
}

/// "6 pcs", "3 pieces", "12 oz", "2 ct": a count or measure, not a name.
fn is_count(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.len() <= 2
        && words
            .first()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        && words
            .get(1)
            .is_none_or(|u| lexicon::COUNT_UNITS.contains(u))
}

/// "&", "+", "n" between words are said "and" ("chips and salsa"); the name as typed is kept.
fn ampersand_forms(s: &str) -> Vec<String> {
    let spaced = s.replace('&', " & ").replace(" + ", " & ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    if !words.iter().any(|w| matches!(*w, "&" | "n" | "'n'" | "n'")) {
        return vec![s.to_string()];
    }
    let join = |with: &str| {
        words
            .iter()
            .map(|w| match *w {
                "&" | "n" | "'n'" | "n'" => with,
                w => w,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    vec![s.to_string(), join("and"), join("n")]
}

/// Digits in a name are also said as words and the other way round ("7 up" / "seven up",
/// "two eggs" / "2 eggs"); "50%" is said "fifty percent", and a few percentages have everyday
/// names ("half sugar", "no ice" for "0% ice", "full sugar").
fn number_forms(s: &str) -> Vec<String> {
    // "3-Way", "2-Meat Combo": a number hyphened to the next word is said as a word of its own
    // ("a three way", "the two meat combo"); the hyphen is a space once normalised, so without
    // this the name was only "3 way" and "three way" was a count of a category.
    let words: Vec<String> = s
        .replace('%', " % ")
        .split_whitespace()
        .flat_map(|w| match w.split_once('-') {
            Some((n, rest))
                if !rest.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) =>
            {
                vec![n.to_string(), rest.to_string()]
            }
            _ => vec![w.to_string()],
        })
        .collect();
    let mut out = vec![s.to_string()];
    let mut spoken: Vec<String> = Vec::new();
    let mut digits: Vec<String> = Vec::new();
    let mut everyday: Vec<Vec<String>> = vec![Vec::new()];
    let mut changed = false;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let percent = words.get(i + 1).is_some_and(|n| n == "%");
        if let Ok(v) = w.parse::<u32>() {
            changed = true;
            let said = lexicon::spoken_number(v);
            spoken.push(said.clone());
            digits.push(w.clone());
            if percent {
                spoken.push("percent".into());
                digits.push("percent".into());
                let names: Vec<&str> = lexicon::PERCENT_NAMES
                    .iter()
                    .filter(|(p, _)| *p == v)
                    .map(|(_, n)| *n)
                    .collect();
                let mut next = Vec::new();
                for prefix in &everyday {
                    for n in &names {
                        let mut p = prefix.clone();
                        p.push(n.to_string());
                        next.push(p);
                    }
                    let mut p = prefix.clone();
                    p.push(said.clone());
                    next.push(p);
                }
                everyday = next;
                i += 2;
                continue;
            }
            for e in everyday.iter_mut() {
                e.push(said.clone());
            }
        } else if let Some(v) = lexicon::number_value(w) {
            changed = true;
            spoken.push(w.clone());
            digits.push(v.to_string());
            for e in everyday.iter_mut() {
                e.push(w.clone());
            }
        } else {
            spoken.push(w.clone());
            digits.push(w.clone());
            for e in everyday.iter_mut() {
                e.push(w.clone());
            }
        }
        i += 1;
    }
    if changed {
        out.push(spoken.join(" "));
        out.push(digits.join(" "));
        out.extend(everyday.into_iter().map(|e| e.join(" ")));
    }
    out
}

/// The percentage of a name that is nothing else ("0%", "50 %"), as a number.
pub fn only_percentage(name: &str) -> Option<u32> {
    let t = name.trim();
    let digits = t.strip_suffix('%')?.trim();
    digits.parse().ok()
}

/// A group's name as the noun a percentage is of: "Sugar Level" is "sugar".
pub fn group_noun(group_name: &str) -> String {
    group_name
        .to_lowercase()
        .split_whitespace()
        .filter(|w| !lexicon::GROUP_NAME_FILLERS.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Common ordering abbreviations both ways ("bbq" / "barbecue", "mac" / "macaroni"), every
/// one in a name at once as well as each alone: "Dbl Choc Chunk" is also "double chocolate
/// chunk", "PB Choc Chip" "peanut butter chocolate chip".
fn abbreviation_forms(s: &str) -> Vec<String> {
    let mut out = vec![s.to_string()];
    let mut at = 0;
    // A name holds few abbreviations; the cap only bounds a pathological one.
    while at < out.len() && out.len() < 32 {
        for f in abbreviation_swaps(&out[at].clone()) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        at += 1;
    }
    out
}

/// The forms of `s` with one abbreviation said the other way.
fn abbreviation_swaps(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let words: Vec<&str> = s.split_whitespace().collect();
    for (short, long, long_words) in abbreviation_pairs() {
        // This runs for every spoken form of every phrase at each compilation, and most forms
        // hold no abbreviation: a pair neither of whose first words is a word here is skipped.
        if !words.iter().any(|w| w == short || *w == long_words[0]) {
            continue;
        }
        for from_long in [true, false] {
            let (find, put): (&[&str], &str) = if from_long {
                (long_words, short)
            } else {
                (std::slice::from_ref(short), long)
            };
            let m = find.len();
            if let Some(p) =
                (0..words.len().saturating_sub(m - 1)).find(|&p| words[p..p + m] == find[..])
            {
                let mut w: Vec<&str> = words[..p].to_vec();
                w.push(put);
                w.extend(&words[p + m..]);
                out.push(w.join(" "));
            }
        }
    }
    out
}

/// [`lexicon::ABBREVIATIONS`]: (short, long, the long form's words), split once per process.
fn abbreviation_pairs() -> &'static [(&'static str, &'static str, Vec<&'static str>)] {
    static PAIRS: OnceLock<Vec<(&str, &str, Vec<&str>)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        lexicon::ABBREVIATIONS
            .iter()
            .map(|&(short, long)| (short, long, long.split_whitespace().collect()))
            .collect()
    })
}

/// Initials of a name of two or three words ("orange juice" -> "oj"), if they are not a word
/// the menu or the grammar already uses (`known`).
pub fn initials(name: &str, known: impl Fn(&str) -> bool) -> Option<String> {
    let (outer, _) = split_parenthetical(&name.to_lowercase());
    let words: Vec<&str> = outer
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if !(2..=3).contains(&words.len()) || words.iter().any(|w| !w.chars().all(char::is_alphabetic))
    {
        return None;
    }
    let s: String = words.iter().filter_map(|w| w.chars().next()).collect();
    (!known(&s)).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_pos_names() {
        let f = spoken_forms("Elote (Mexican Street Corn)");
        assert!(f.contains(&"elote".to_string()) && f.contains(&"mexican street corn".to_string()));
        assert_eq!(
            spoken_forms("Takoyaki (6 pcs)"),
            vec!["takoyaki".to_string()]
        );
        assert!(spoken_forms("Chips & Salsa").contains(&"chips and salsa".to_string()));
        let s = spoken_forms("50% Sugar");
        for want in ["fifty percent sugar", "50 percent sugar", "half sugar"] {
            assert!(s.contains(&want.to_string()), "{want} in {s:?}");
        }
        assert!(spoken_forms("0% Ice").contains(&"no ice".to_string()));
        assert!(!spoken_forms("0% Ice").contains(&"unsweetened".to_string()));
        let s = spoken_forms("50% Sugar");
        for want in ["half sweet", "fifty percent sweetness", "50 percent sweet"] {
            assert!(s.contains(&want.to_string()), "{want} in {s:?}");
        }
        let q = spoken_forms("25% Sugar");
        assert!(
            q.contains(&"quarter sugar".to_string()) && q.contains(&"quarter sweet".to_string())
        );
        let t = spoken_forms("75% Sugar");
        assert!(t.contains(&"three quarters sweet".to_string()), "{t:?}");
        assert!(spoken_forms("0% Sugar").contains(&"unsweetened".to_string()));
        assert!(spoken_forms("0% Sugar").contains(&"no sweet".to_string()));
        assert!(spoken_forms("Sweetness 50%").contains(&"sugar fifty percent".to_string()));
        // Only in names with a percentage.
        assert!(!spoken_forms("Sweet Tea").contains(&"sugar tea".to_string()));
        assert!(!spoken_forms("Brown Sugar Milk Tea").contains(&"brown sweet milk tea".to_string()));
        assert!(spoken_forms("Two Eggs Any Style").contains(&"2 eggs any style".to_string()));
        // A number hyphened to the next word is said as a word.
        let w = spoken_forms("3-Way (spag, chili, chz)");
        assert!(w.contains(&"three way".to_string()), "{w:?}");
        assert!(spoken_forms("2-Meat Combo Rice").contains(&"two meat combo rice".to_string()));
        assert!(spoken_forms("BBQ Chicken").contains(&"barbecue chicken".to_string()));
        assert_eq!(initials("Orange Juice", |_| false).as_deref(), Some("oj"));
        let l = spoken_forms("Lvl 3 Hot");
        assert!(l.contains(&"level three".to_string()), "{l:?}");
        let t = none_gloss_forms("Tawar (no sugar)");
        assert!(t.contains(&"unsweetened".to_string()) && t.contains(&"no sugar".to_string()));
        assert!(none_gloss_forms("Naked (No Sauce)").is_empty());
        // A price in brackets is no name and hides no gloss.
        let r = spoken_forms("Nasi Uduk (coconut) (+1.00)");
        assert!(r.contains(&"coconut".to_string()), "{r:?}");
        assert!(!r.iter().any(|f| f.contains('1')), "{r:?}");
        assert_eq!(
            gloss("Integral (whole grain) (+.50)").as_deref(),
            Some("whole grain")
        );
        assert_eq!(gloss("Xtra Egg (+1.50)"), None);
        assert_eq!(without_price_brackets("egg tarts (3)"), "egg tarts (3)");
        assert_eq!(initials("Iced Tea", |w| w == "it"), None);
    }
}
