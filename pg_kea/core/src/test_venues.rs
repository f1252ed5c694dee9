//! The hand-written POS menus of tests/venues/ and the blind ones of tests/venues-blind-*/,
//! compiled, for the unit tests of extraction and the dialog.

use crate::extract::CompiledMenu;

/// One venue's menu (any name not listed is the coffee shop).
pub fn venue(name: &str) -> CompiledMenu {
    let text = match name {
        "taqueria" => include_str!("../../../tests/venues/taqueria/menu.json"),
        "indian" => include_str!("../../../tests/venues/indian/menu.json"),
        "boba" => include_str!("../../../tests/venues/boba/menu.json"),
        "diner" => include_str!("../../../tests/venues/diner/menu.json"),
        _ => include_str!("../../../tests/venues/coffee/menu.json"),
    };
    CompiledMenu::new(serde_json::from_str(text).expect("the venue menu parses"))
}

/// A blind venue's menu, by its path under tests/ ("venues-blind-31/chicken-salad-shop"), read
/// as `calls_eval` reads it.
pub fn blind_venue(path: &str) -> CompiledMenu {
    let file = format!(
        "{}/../../tests/{path}/menu.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    CompiledMenu::new(serde_json::from_str(&text).expect("the venue menu parses"))
}
