//! Unordered exact match and throughput of pure-Rust extraction on a FoodOrdering venue.
//!
//! cargo run -p kea_core --release --example fo_eval -- DIR [--out FILE] [--errors] [--calibration]

use std::io::Write;
use std::time::Instant;

use kea_core::extract::{CompiledMenu, Extraction};
use kea_core::foodordering::{exr_equal_unordered, exr_lines, import_dir, to_exr};

/// Confidence buckets (lower bounds) for the calibration table.
const BUCKETS: &[f32] = &[0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0];

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
    // Per bucket: lines extracted, lines whose EXR node is one of the gold nodes.
    let mut calib = vec![(0usize, 0usize); BUCKETS.len()];
    let mut file = out.map(|p| std::fs::File::create(p).expect("create --out"));
    for (src, gold) in &rows {
        let ext = cm.extract(src);
        let pred = to_exr(&cm.menu, &ext);
        let good = exr_equal_unordered(&pred, gold);
        ok += good as usize;
        let mut gold_lines = exr_lines(gold).unwrap_or_default();
        for line in &ext.lines {
            let one = Extraction {
                lines: vec![line.clone()],
                ..Default::default()
            };
            let Some(node) = exr_lines(&to_exr(&cm.menu, &one)).and_then(|v| v.into_iter().next())
            else {
                continue;
            };
            let b = BUCKETS
                .iter()
                .rposition(|&b| line.confidence >= b)
                .unwrap_or(0);
            calib[b].0 += 1;
            if let Some(i) = gold_lines.iter().position(|g| *g == node) {
                gold_lines.remove(i);
                calib[b].1 += 1;
            }
        }
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
    if args.iter().any(|a| a == "--calibration") {
        println!("calibration (extracted lines by confidence, right = its EXR node is gold's):");
        for (i, (n, right)) in calib.iter().enumerate() {
            if *n > 0 {
                let hi = BUCKETS
                    .get(i + 1)
                    .map_or("1.00]".into(), |h| format!("{h:.2})"));
                println!(
                    "  [{:.2}, {hi:<6} {n:>5} lines  {right:>5} right = {:.1}%",
                    BUCKETS[i],
                    100.0 * *right as f64 / *n as f64
                );
            }
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
