//! Exact match per hand-written venue (`tests/venues/`), calibration of line confidence, and
//! throughput.
//!
//! cargo run -p kea_core --release --example venue_eval -- [--errors] [VENUE...]
//! cargo run -p kea_core --release --example venue_eval -- --show VENUE "utterance"

#[path = "../tests/common/venues.rs"]
mod venues;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--show") {
        let (Some(venue), Some(text)) = (args.get(i + 1), args.get(i + 2)) else {
            eprintln!("usage: venue_eval --show VENUE UTTERANCE");
            std::process::exit(2);
        };
        let v = venues::load(&venues::dir(venue));
        let ext = v.menu.extract(text);
        println!("{}", serde_json::to_string_pretty(&ext).expect("json"));
        for l in &ext.lines {
            println!("{}  (confidence {:.2})", venues::line_key(l), l.confidence);
        }
        print!("{}", v.menu.explain(text));
        return;
    }
    let show_errors = args.iter().any(|a| a == "--errors");
    let mut all_lines: Vec<(f32, bool)> = Vec::new();
    let dirs = venues::dirs();
    let loaded: Vec<venues::Venue> = dirs.iter().map(|d| venues::load(d)).collect();
    let (mut ok_all, mut n_all) = (0, 0);
    for (v, dir) in loaded.iter().zip(&dirs) {
        let only: Vec<&String> = args
            .iter()
            .skip(1)
            .filter(|a| !a.starts_with("--"))
            .collect();
        if !only.is_empty() && !only.contains(&&v.name) {
            continue;
        }
        let mut ok = 0;
        for case in &v.cases {
            let out = venues::run(&v.menu, case);
            ok += out.ok as usize;
            all_lines.extend(&out.lines);
            if show_errors && !out.ok {
                let got: Vec<String> = out.ext.lines.iter().map(venues::line_key).collect();
                let intents: Vec<String> = out
                    .ext
                    .intents
                    .iter()
                    .map(|i| serde_json::to_string(i).unwrap_or_default())
                    .collect();
                println!(
                    "[{}] {}\n  want {:?} {:?}\n  got  {:?} {:?}\n",
                    v.name, case.utterance, case.lines, case.intents, got, intents
                );
            }
        }
        ok_all += ok;
        n_all += v.cases.len();
        println!(
            "{}{}: exact match {ok}/{} = {:.2}%",
            v.name,
            if venues::is_blind(dir) {
                " (blind)"
            } else {
                ""
            },
            v.cases.len(),
            100.0 * ok as f64 / v.cases.len() as f64
        );
    }
    println!(
        "all: exact match {ok_all}/{n_all} = {:.2}%",
        100.0 * ok_all as f64 / n_all.max(1) as f64
    );
    println!("calibration (extracted lines by confidence):");
    println!("  confidence   lines  exactly right");
    let b = venues::BUCKETS;
    for (i, (lo, n, good)) in venues::calibration(&all_lines).into_iter().enumerate() {
        if n == 0 {
            continue;
        }
        let hi = b
            .get(i + 1)
            .map_or("1.00".to_string(), |h| format!("{h:.2})"));
        let range = if lo == 1.0 {
            "1.00      ".to_string()
        } else {
            format!("[{lo:.2}, {hi}")
        };
        println!(
            "  {range:<12} {n:>5}  {good:>4} = {:.1}%",
            100.0 * good as f64 / n as f64
        );
    }
    let start = Instant::now();
    let mut n = 0usize;
    let mut sink = 0usize;
    while start.elapsed().as_secs_f64() < 1.0 {
        for v in &loaded {
            for c in &v.cases {
                sink += v.menu.extract(&c.utterance).lines.len();
                n += 1;
            }
        }
    }
    println!(
        "throughput: {:.0} utterances/s (extract, 1 thread){}",
        n as f64 / start.elapsed().as_secs_f64(),
        if sink == 0 { "!" } else { "" }
    );
}
