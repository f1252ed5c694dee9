//! CPU time of one menu compilation (`CompiledMenu::new`), per menu: Tony's menu alone and
//! with 80 generated items (the smallest and largest menus of `scripts/bench scale`), the
//! venues of `tests/venues` and the venue directories given as arguments (ours or
//! FoodOrdering ones).
//!
//! cargo run -p kea_core --release --example compile_time -- [--rounds N] [--dump DIR] [DIR...]
//!
//! `--dump DIR` writes each menu's compiled tables (`Debug`, lines sorted: the hash maps'
//! order is per process) to DIR/NAME.txt, to compare two builds' tables byte for byte.

use std::time::Instant;

use kea_core::extract::CompiledMenu;
use kea_core::menu::Menu;

fn tonys(extra: usize) -> Menu {
    let mut v: serde_json::Value = serde_json::from_str(include_str!(
        "../../../migrations/seed/tonys_pizza.menu.json"
    ))
    .expect("tonys_pizza.menu.json");
    let category = v["items"][0]["category"].clone();
    let items = v["items"].as_array_mut().expect("items");
    // As bench/src/scale.rs generates them.
    for k in 1..=extra {
        items.push(serde_json::json!({
            "id": 0, "code": format!("extra{k}"), "name": format!("house special {k}"),
            "category": category, "price_cents": 500 + k,
        }));
    }
    serde_json::from_value(v).expect("Tony's menu parses")
}

/// Milliseconds this thread has run on a CPU (`/proc/thread-self/schedstat`, in ns): the
/// machine is shared, so wall time says more about the others' load than about compilation.
/// Wall time where that file is missing.
fn cpu_ms(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| start.elapsed().as_secs_f64() * 1000.0, |ns| ns / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rounds: usize = flag("--rounds").map_or(50, |r| r.parse().expect("--rounds N"));
    let dump = flag("--dump");
    let mut menus: Vec<(String, Menu)> =
        vec![("tonys".into(), tonys(0)), ("tonys+80".into(), tonys(80))];
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/venues");
    let mut venues: Vec<_> = std::fs::read_dir(root)
        .expect("tests/venues")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("menu.json").exists())
        .collect();
    venues.sort();
    for dir in venues {
        let text = std::fs::read_to_string(dir.join("menu.json")).expect("menu.json");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        menus.push((name, serde_json::from_str(&text).expect("menu.json parses")));
    }
    let mut skip = false;
    for a in &args {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a.starts_with("--") {
            skip = true;
            continue;
        }
        let dir = std::path::Path::new(a);
        let name = dir.file_name().unwrap().to_string_lossy();
        // A venue of ours (menu.json) or a FoodOrdering one.
        match std::fs::read_to_string(dir.join("menu.json")) {
            Ok(text) => menus.push((
                name.into_owned(),
                serde_json::from_str(&text).expect("menu.json parses"),
            )),
            Err(_) => menus.push((
                format!("fo-{name}"),
                kea_core::foodordering::import_dir(a).expect("import venue"),
            )),
        }
    }
    println!("menu            items  CPU ms/compile (best of 5 x {rounds})");
    for (name, menu) in &menus {
        // Warm up, then the best of five batches: the machine is shared.
        std::hint::black_box(CompiledMenu::new(menu.clone()));
        let best = (0..5)
            .map(|_| {
                let clones: Vec<Menu> = (0..rounds).map(|_| menu.clone()).collect();
                let (wall, t) = (Instant::now(), cpu_ms(Instant::now()));
                for m in clones {
                    std::hint::black_box(CompiledMenu::new(m));
                }
                (cpu_ms(wall) - t) / rounds as f64
            })
            .fold(f64::INFINITY, f64::min);
        println!("{name:<15} {:>5}  {best:.3}", menu.items.len());
        if let Some(dir) = &dump {
            let text = format!("{:#?}", CompiledMenu::new(menu.clone()));
            let mut lines: Vec<&str> = text.lines().collect();
            lines.sort_unstable();
            std::fs::create_dir_all(dir).expect("dump dir");
            std::fs::write(format!("{dir}/{name}.txt"), lines.join("\n")).expect("dump");
        }
    }
}
