//! FoodOrdering dev sets (CC BY-NC, read in place, never copied here): unordered exact match
//! must stay at or above 97% on every venue. The data is `../shared/data/food-ordering` beside
//! the checkout, or the folder in `$KEA_FOOD_ORDERING`. Missing data skips with a note on a
//! developer's machine and fails under CI (`CI` set), where it must be there.

use std::path::{Path, PathBuf};

use kea_core::extract::CompiledMenu;
use kea_core::foodordering::{exr_equal_unordered, import_dir, to_exr};

/// The data folder, or `None` (after the note, or the failure under CI) when it is missing.
fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KEA_FOOD_ORDERING") {
        Some(d) => PathBuf::from(d),
        // The repository root's parent: where CI lays `shared/` beside the clone.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/food-ordering"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!(
        "the FoodOrdering data is not at {} (put shared/data/food-ordering beside the checkout, \
         or set KEA_FOOD_ORDERING to its folder)",
        dir.display()
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "{why}: CI is set, so the FoodOrdering check must run"
    );
    eprintln!("note: {why}; FoodOrdering check skipped");
    None
}

fn venue_uem(dir: &Path) -> (usize, usize) {
    let cm = CompiledMenu::new(import_dir(dir).expect("import"));
    let dev = std::fs::read_to_string(dir.join("dev.json")).expect("dev.json");
    let mut ok = 0;
    let mut n = 0;
    for line in dev.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        let pred = to_exr(&cm.menu, &cm.extract(v["SRC"].as_str().unwrap_or_default()));
        ok += exr_equal_unordered(&pred, v["EXR"].as_str().unwrap_or_default()) as usize;
        n += 1;
    }
    (ok, n)
}

#[test]
fn dev_sets_unordered_exact_match() {
    let Some(root) = data_dir() else { return };
    let mut venues: Vec<_> = std::fs::read_dir(&root)
        .expect("read data dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("schema.json").is_file() && p.join("dev.json").is_file())
        .collect();
    venues.sort();
    assert!(
        !venues.is_empty(),
        "no venue (schema.json and dev.json) under {}",
        root.display()
    );
    for dir in venues {
        let (ok, n) = venue_uem(&dir);
        let pct = 100.0 * ok as f64 / n as f64;
        eprintln!("{}: {ok}/{n} = {pct:.2}%", dir.display());
        assert!(pct >= 97.0, "{}: {pct:.2}% < 97%", dir.display());
    }
}

#[test]
fn import_maps_slots_to_groups_and_grammar_to_lexicon() {
    let Some(root) = data_dir() else { return };
    let dir = root.join("pizza");
    let menu = import_dir(&dir).expect("import");
    let pizza = menu.item("PIZZAORDER").expect("intent as item");
    assert!(pizza.aliases.iter().any(|a| a == "pies"));
    assert!(pizza.groups.iter().any(|g| g == "TOPPING"));
    assert!(!pizza.groups.iter().any(|g| g == "NUMBER" || g == "NOT"));
    let topping = menu.group("TOPPING").expect("slot as group");
    assert!(topping.qualified && topping.negatable);
    assert!(topping.option("banana_peppers").is_some());
    assert!(menu.lexicon.negations.iter().any(|n| n == "hold the"));
    assert!(menu
        .lexicon
        .numbers
        .iter()
        .any(|n| n.phrase == "a" && n.value == 1));
    // The menu round-trips through JSON (the lead stores it in SQL tables).
    let json = serde_json::to_string(&menu).expect("serialise");
    let back: kea_core::menu::Menu = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, menu);
}
