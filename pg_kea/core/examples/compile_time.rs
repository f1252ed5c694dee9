//! CPU time of one menu compilation (`CompiledMenu::new`), per menu: Tony's menu alone and
//! with 80 generated items (the smallest and largest menus of `scripts/bench scale`), the
//! venues of `tests/venues` and the venue directories given as arguments (ours or
//! FoodOrdering ones). Beside it, what a backend does on a cache miss with and without the
//! form compiled at publish: parse the document and compile it, or load the form
//! (`kea_core::compiled_form`); the form's size, and the heap a compiled menu holds.
//!
//! cargo run -p kea_core --release --example compile_time -- [--rounds N] [--dump DIR] [DIR...]
//!
//! `--dump DIR` writes each menu's compiled tables (`Debug`, lines sorted: the hash maps'
//! order is per process) to DIR/NAME.txt, to compare two builds' tables byte for byte.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use kea_core::extract::CompiledMenu;
use kea_core::menu::Menu;

/// Counts the bytes live on the heap, to say what a compiled menu weighs.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Allocations made (never decremented): what a load costs is mostly how many it makes.
static ALLOCS: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Ordering::Relaxed);
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Heap bytes `f`'s result holds, and the allocations (and reallocations) `f` made.
fn heap_kb<T>(f: impl FnOnce() -> T) -> (T, f64, isize) {
    let (before, allocs) = (LIVE.load(Ordering::Relaxed), ALLOCS.load(Ordering::Relaxed));
    let t = f();
    let heap = (LIVE.load(Ordering::Relaxed) - before) as f64 / 1024.0;
    (t, heap, ALLOCS.load(Ordering::Relaxed) - allocs)
}

/// The best of five batches of `rounds` runs of `f` on fresh inputs, in CPU ms per run.
fn best_of_5<I, T>(rounds: usize, input: impl Fn() -> I, f: impl Fn(I) -> T) -> f64 {
    (0..5)
        .map(|_| {
            let inputs: Vec<I> = (0..rounds).map(|_| input()).collect();
            let (wall, t) = (Instant::now(), cpu_ms(Instant::now()));
            for i in inputs {
                std::hint::black_box(f(i));
            }
            (cpu_ms(wall) - t) / rounds as f64
        })
        .fold(f64::INFINITY, f64::min)
}

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
    println!(
        "CPU ms per menu (best of 5 x {rounds}): compile = CompiledMenu::new; json+compile adds \
         parsing the published document; load = compiled_form::from_bytes of the stored form"
    );
    println!("menu            items  compile  json+compile     load  load/json+compile  form KB  heap KB  loaded heap KB  load allocs");
    for (name, menu) in &menus {
        // Warm up first: the machine is shared, so the best of five batches.
        std::hint::black_box(CompiledMenu::new(menu.clone()));
        let compile = best_of_5(rounds, || menu.clone(), CompiledMenu::new);
        let json = serde_json::to_string(menu).expect("menu serialises");
        let json_compile = best_of_5(
            rounds,
            || (),
            |()| CompiledMenu::new(serde_json::from_str::<Menu>(&json).expect("parses")),
        );
        let form = kea_core::compiled_form::to_bytes(&CompiledMenu::new(menu.clone()));
        // A load takes a few hundredths of a millisecond: more runs, or the CPU clock's
        // granularity is all that shows.
        let load = best_of_5(
            rounds * 20,
            || (),
            |()| kea_core::compiled_form::from_bytes(&form).expect("loads"),
        );
        let (compiled, heap, _) = heap_kb(|| CompiledMenu::new(menu.clone()));
        drop(compiled);
        let (loaded, loaded_heap, load_allocs) =
            heap_kb(|| kea_core::compiled_form::from_bytes(&form).expect("loads"));
        drop(loaded);
        println!(
            "{name:<15} {:>5}  {compile:>7.3}  {json_compile:>12.3}  {load:>7.3}  {:>17.2}  {:>7.0}  {heap:>7.0}  {loaded_heap:>14.0}  {load_allocs:>11}",
            menu.items.len(),
            load / json_compile,
            form.len() as f64 / 1024.0,
        );
        if let Some(dir) = &dump {
            let text = format!("{:#?}", CompiledMenu::new(menu.clone()));
            let mut lines: Vec<&str> = text.lines().collect();
            lines.sort_unstable();
            std::fs::create_dir_all(dir).expect("dump dir");
            std::fs::write(format!("{dir}/{name}.txt"), lines.join("\n")).expect("dump");
        }
    }
}
