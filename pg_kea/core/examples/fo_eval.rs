//! Unordered exact match and throughput of pure-Rust extraction on a FoodOrdering venue.
//!
//! cargo run -p kea_core --release --example fo_eval -- DIR [--out FILE] [--errors]

use std::io::Write;
use std::time::Instant;

use kea_core::extract::CompiledMenu;
use kea_core::foodordering::{exr_equal_unordered, import_dir, to_exr};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: fo_eval DIR [--out FILE] [--errors]");
        std::process::exit(2);
    };
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1));
    let show_errors = args.iter().any(|a| a == "--errors");
    let menu = import_dir(dir).expect("import venue");
    let cm = CompiledMenu::new(menu);
    let dev = std::fs::read_to_string(format!("{dir}/dev.json")).expect("dev.json");
    let rows: Vec<(String, String)> = dev
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            (
                v["SRC"].as_str().unwrap_or_default().to_string(),
                v["EXR"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut ok = 0;
    let mut file = out.map(|p| std::fs::File::create(p).expect("create --out"));
    for (src, gold) in &rows {
        let ext = cm.extract(src);
        let pred = to_exr(&cm.menu, &ext);
        let good = exr_equal_unordered(&pred, gold);
        ok += good as usize;
        if show_errors && !good {
            println!(
                "SRC  {src}\nGOLD {gold}\nPRED {pred}\nUNM  {:?}\n",
                ext.unmatched.iter().map(|s| &s.text).collect::<Vec<_>>()
            );
        }
        if let Some(f) = file.as_mut() {
            let line = serde_json::json!({"SRC": src, "EXR": gold, "PRED": pred});
            writeln!(f, "{line}").expect("write --out");
        }
    }
    // Throughput: repeat the set until at least a second of work.
    let start = Instant::now();
    let mut n = 0usize;
    let mut sink = 0usize;
    while start.elapsed().as_secs_f64() < 1.0 {
        for (src, _) in &rows {
            let ext = cm.extract(src);
            sink += to_exr(&cm.menu, &ext).len();
            n += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{dir}: unordered exact match {ok}/{} = {:.2}%  |  {:.0} utterances/s (extract+EXR, 1 thread){}",
        rows.len(),
        100.0 * ok as f64 / rows.len() as f64,
        n as f64 / secs,
        if sink == 0 { "!" } else { "" }
    );
}
