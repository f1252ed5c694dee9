//! Prints the extraction of one utterance against a FoodOrdering venue (debugging aid).
//!
//! cargo run -p kea_core --example fo_show -- DIR "utterance"

use kea_core::extract::CompiledMenu;
use kea_core::foodordering::{import_dir, to_exr};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(text)) = (args.first(), args.get(1)) else {
        eprintln!("usage: fo_show DIR UTTERANCE");
        std::process::exit(2);
    };
    let cm = CompiledMenu::new(import_dir(dir).expect("import venue"));
    let ext = cm.extract(text);
    println!("{}", serde_json::to_string_pretty(&ext).expect("json"));
    println!("{}", to_exr(&cm.menu, &ext));
    print!("{}", cm.explain(text));
}
