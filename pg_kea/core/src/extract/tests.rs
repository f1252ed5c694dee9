//! Extraction on the hand-written POS menus of tests/venues/: the behaviours that need a whole
//! menu (whole counts, corrections of one option, sugar levels said of sweetness).

use super::*;
use crate::test_venues::venue;

/// "2 garlic_naan@ potatoes=home_fries toast=wheat" (options sorted), one per line.
fn lines(ext: &Extraction) -> Vec<String> {
    ext.lines
        .iter()
        .map(|l| {
            let mut mods: Vec<String> = l
                .modifiers
                .iter()
                .map(|m| {
                    format!(
                        "{}{}={}",
                        if m.negated { "!" } else { "" },
                        m.group,
                        m.option
                    )
                })
                .collect();
            mods.sort();
            let mut s = format!(
                "{} {}@{}",
                l.quantity,
                l.item.as_deref().unwrap_or("?"),
                l.variation.as_deref().unwrap_or("")
            );
            for m in mods {
                s.push(' ');
                s.push_str(&m);
            }
            s
        })
        .collect()
}

#[test]
fn a_count_after_just_or_only_is_the_whole_count() {
    let m = venue("indian");
    for said in [
        "actually just one pakora",
        "just one pakora",
        "only one pakora",
        "only two samosas",
        "just 2 samosas",
        // A correction with a count of an item it names.
        "actually two samosas",
    ] {
        let e = m.extract(said);
        assert_eq!(e.lines.len(), 1, "{said}: {e:?}");
        assert!(e.lines[0].whole_count, "{said}: {e:?}");
        assert!(e.intents.is_empty(), "{said}: {e:?}");
    }
    let e = m.extract("only two samosas");
    assert_eq!(lines(&e), ["2 samosa@"]);
}

#[test]
fn more_of_an_item_is_no_whole_count() {
    let m = venue("indian");
    for said in [
        "and one more pakora",
        "another pakora",
        "two onion pakoras",
        "a pakora",
        // An article is no count: "just a pakora" may well be a new line.
        "just a pakora",
    ] {
        let e = m.extract(said);
        assert_eq!(e.lines.len(), 1, "{said}: {e:?}");
        assert!(!e.lines[0].whole_count, "{said}: {e:?}");
    }
    // Two different items, each a line of its own.
    let e = m.extract("a plain naan and two garlic naans");
    assert_eq!(lines(&e), ["1 plain_naan@", "2 garlic_naan@"]);
    assert!(e.lines.iter().all(|l| !l.whole_count));
    // "make that one pakora" stays a change of quantity.
    let e = m.extract("make that one pakora");
    assert!(e.lines.is_empty(), "{e:?}");
    assert!(matches!(
        e.intents.as_slice(),
        [Intent::SetQuantity { item: Some(i), quantity: 1 }] if i == "pakora"
    ));
    // Not serialised when false: the JSON of a plain line is as it was.
    let json = serde_json::to_string(&m.extract("two samosas")).expect("json");
    assert!(!json.contains("whole_count"), "{json}");
}

#[test]
fn a_correction_naming_another_option_of_the_group_replaces_only_it() {
    let m = venue("diner");
    for said in [
        "a western omelette with wheat toast and hash browns, no wait, home fries",
        // The option replaced need not be the last one said when its group takes one.
        "a western omelette with hash browns and wheat toast, no wait, home fries",
        "a western omelette with wheat toast and hash browns, i mean home fries",
    ] {
        let e = m.extract(said);
        assert_eq!(
            lines(&e),
            ["1 western_omelette@ potatoes=home_fries toast=wheat"],
            "{said}"
        );
    }
    let e = m.extract("a western omelette with wheat toast, no wait, rye toast");
    assert_eq!(lines(&e), ["1 western_omelette@ toast=rye"]);
    let m = venue("taqueria");
    let e = m.extract("a burrito with chicken, no wait, carnitas");
    assert_eq!(lines(&e), ["1 burrito@ protein=carnitas"]);
}

#[test]
fn a_correction_naming_another_item_still_replaces_the_line() {
    let e = venue("indian").extract("a lamb vindaloo, no sorry, a chana masala, hot");
    assert_eq!(lines(&e), ["1 chana_masala@ spice=hot"]);
    let e = venue("taqueria").extract("a chicken burrito, no wait, a chicken bowl");
    assert_eq!(lines(&e), ["1 burrito_bowl@ protein=chicken"]);
    // The option is said for the next line: the line said before goes.
    let e = venue("taqueria").extract("a chicken burrito, no wait, carnitas tacos");
    assert_eq!(lines(&e), ["1 street_taco@ protein=carnitas"]);
    let e = venue("diner").extract("a short stack, no wait, a full stack with bananas");
    assert_eq!(e.lines.len(), 1, "{e:?}");
    // Only the number: "two, i mean three".
    let e = venue("indian").extract("two, i mean three garlic naans");
    assert_eq!(lines(&e), ["3 garlic_naan@"]);
}

#[test]
fn sugar_levels_are_said_as_fractions_and_of_sweetness() {
    let m = venue("boba");
    for (said, level) in [
        ("a large jasmine milk tea half sweet", "sugar_50"),
        ("a large jasmine milk tea, half sugar", "sugar_50"),
        (
            "a large jasmine milk tea, fifty percent sweetness",
            "sugar_50",
        ),
        ("a large jasmine milk tea, quarter sugar", "sugar_25"),
        ("a large jasmine milk tea, a quarter sweet", "sugar_25"),
        ("a large jasmine milk tea, three quarters sweet", "sugar_75"),
        ("a large jasmine milk tea, three quarter sugar", "sugar_75"),
        ("a large jasmine milk tea, no sugar", "sugar_0"),
        ("a large jasmine milk tea, zero sugar", "sugar_0"),
        ("a large jasmine milk tea, unsweetened", "sugar_0"),
        ("a large jasmine milk tea, full sugar", "sugar_100"),
    ] {
        let e = m.extract(said);
        assert_eq!(
            lines(&e),
            [format!("1 jasmine_milk_tea@large sugar={level}")],
            "{said}"
        );
    }
    // Said alone, about the drink being ordered: the level, no item.
    let e = m.extract("can i get it half sweet");
    assert_eq!(lines(&e), ["1 ?@ sugar=sugar_50"]);
    // Three quarters is a level, not a count of three.
    let e = m.extract("two classic milk teas three quarters sweet");
    assert_eq!(lines(&e), ["2 classic_milk_tea@ sugar=sugar_75"]);
}

#[test]
fn sweet_is_sugar_only_in_a_level() {
    // "Brown Sugar Boba Milk Tea" is not a "brown sweet" tea, and "sweet" alone names no level.
    let m = venue("boba");
    let e = m.extract("a large brown sweet milk tea");
    assert!(
        e.lines
            .iter()
            .all(|l| l.modifiers.iter().all(|x| x.group != "sugar")),
        "{e:?}"
    );
    let e = m.extract("a sweet jasmine milk tea");
    assert!(
        e.lines
            .iter()
            .all(|l| l.modifiers.iter().all(|x| x.group != "sugar")),
        "{e:?}"
    );
    // A menu without levels: "sweet tea" stays what it was.
    let e = venue("diner").extract("a half sweet tea");
    assert!(
        e.lines
            .iter()
            .all(|l| l.modifiers.iter().all(|x| !x.option.contains("50"))),
        "{e:?}"
    );
}
