//! The hand-written venues of `tests/venues/` (format: `tests/venues/README.md`): loading,
//! running extraction, scoring by case and by line. Shared by `tests/venues.rs` and
//! `examples/venue_eval.rs`.

use std::path::{Path, PathBuf};

use kea_core::extract::{CompiledMenu, Extraction, LineMention, Qualifier};
use kea_core::menu::Menu;

/// `tests/venues` at the repository root: venues written by people who knew the engine.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/venues")
}

/// The batches of venues written by people who never read the engine, committed before their
/// first run (tests/venues-blind/README.md). An explicit list, not a glob: a batch joins it only
/// after its first run has been recorded, so a batch being written stays held out.
pub const BLIND_BATCHES: &[&str] = &[
    "venues-blind",
    "venues-blind-2",
    "venues-blind-3",
    "venues-blind-4",
    "venues-blind-5",
    "venues-blind-6",
    "venues-blind-7",
    "venues-blind-8",
    "venues-blind-9",
    "venues-blind-10",
    "venues-blind-11",
    "venues-blind-12",
    "venues-blind-13",
    "venues-blind-14",
    "venues-blind-15",
    "venues-blind-16",
    "venues-blind-17",
    "venues-blind-18",
    "venues-blind-19",
    "venues-blind-20",
    "venues-blind-21",
    "venues-blind-22",
    "venues-blind-23",
    "venues-blind-24",
    "venues-blind-25",
    "venues-blind-26",
    "venues-blind-27",
    "venues-blind-28",
    "venues-blind-29",
    "venues-blind-30",
    "venues-blind-31",
    "venues-blind-32",
];

pub fn blind_roots() -> Vec<PathBuf> {
    BLIND_BATCHES
        .iter()
        .map(|b| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests")
                .join(b)
        })
        .collect()
}

/// Every kea-format venue directory (with `menu.json` and `utterances.txt`) of every root,
/// sorted by name.
pub fn dirs() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::iter::once(root())
        .chain(blind_roots())
        .filter_map(|r| std::fs::read_dir(r).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("menu.json").is_file() && p.join("utterances.txt").is_file())
        .collect();
    out.sort_by_key(|p| p.file_name().map(|n| n.to_owned()));
    out
}

/// The venue directory of that name, in any root.
pub fn dir(name: &str) -> PathBuf {
    std::iter::once(root())
        .chain(blind_roots())
        .map(|r| r.join(name))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| root().join(name))
}

/// Whether the venue was written blind.
pub fn is_blind(dir: &Path) -> bool {
    dir.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| BLIND_BATCHES.iter().any(|b| n == *b))
}

#[derive(Debug, Clone)]
pub struct Case {
    pub utterance: String,
    /// Canonical keys of the expected lines (see [`line_key`]).
    pub lines: Vec<String>,
    pub intents: Vec<String>,
}

pub struct Venue {
    pub name: String,
    pub menu: CompiledMenu,
    pub cases: Vec<Case>,
}

pub fn load(dir: &Path) -> Venue {
    let menu: Menu =
        serde_json::from_str(&std::fs::read_to_string(dir.join("menu.json")).expect("menu.json"))
            .expect("menu.json parses");
    let text = std::fs::read_to_string(dir.join("utterances.txt")).expect("utterances.txt");
    let mut cases: Vec<Case> = Vec::new();
    for raw in text.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(u) = l.strip_prefix('>') {
            cases.push(Case {
                utterance: u.trim().to_string(),
                lines: Vec::new(),
                intents: Vec::new(),
            });
            continue;
        }
        let case = cases.last_mut().expect("expectation before any utterance");
        if let Some(i) = l.strip_prefix('-') {
            case.intents.push(i.trim().to_string());
        } else if l != "(none)" {
            case.lines.push(expected_key(l));
        }
    }
    Venue {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        menu: CompiledMenu::new(menu),
        cases,
    }
}

/// `2 street_taco@large protein=chicken !toppings=onion*2+extra` -> canonical key.
fn expected_key(l: &str) -> String {
    let mut parts = l.split_whitespace();
    let qty: u32 = parts.next().and_then(|q| q.parse().ok()).expect("quantity");
    let head = parts.next().expect("item");
    let (items, var) = match head.split_once('@') {
        Some((i, v)) => (i, Some(v.to_string())),
        None => (head, None),
    };
    let mut items: Vec<String> = items.split('|').map(String::from).collect();
    items.sort();
    let mut mods: Vec<String> = parts
        .map(|m| {
            let (negated, m) = match m.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, m),
            };
            let (m, qual) = match m.split_once('+') {
                Some((a, q)) => (a, Some(q.to_string())),
                None => (m, None),
            };
            let (m, n) = match m.split_once('*') {
                Some((a, n)) => (a, n.parse().expect("option quantity")),
                None => (m, 1u32),
            };
            let (g, o) = m.split_once('=').expect("group=option");
            mod_key(g, o, negated, n, qual.as_deref())
        })
        .collect();
    mods.sort();
    format!(
        "{qty} {}@{} {}",
        items.join("|"),
        var.unwrap_or_default(),
        mods.join(" ")
    )
}

fn mod_key(group: &str, option: &str, negated: bool, n: u32, qual: Option<&str>) -> String {
    format!(
        "{}{group}={option}*{n}+{}",
        if negated { "!" } else { "" },
        qual.unwrap_or("")
    )
}

/// Canonical key of an extracted line, comparable with the expected ones.
pub fn line_key(l: &LineMention) -> String {
    let items = match &l.item {
        Some(i) => i.clone(),
        None => {
            let mut c = l.candidates.clone();
            c.sort();
            c.join("|")
        }
    };
    let mut mods: Vec<String> = l
        .modifiers
        .iter()
        .map(|m| {
            let q = m.qualifier.map(|q| match q {
                Qualifier::Extra => "extra",
                Qualifier::Light => "light",
                Qualifier::Double => "double",
            });
            mod_key(&m.group, &m.option, m.negated, m.quantity.unwrap_or(1), q)
        })
        .collect();
    mods.sort();
    format!(
        "{} {items}@{} {}",
        l.quantity,
        l.variation.clone().unwrap_or_default(),
        mods.join(" ")
    )
}

pub struct Outcome {
    pub ext: Extraction,
    pub ok: bool,
    /// Per extracted line: its confidence and whether an expected line matches it exactly.
    pub lines: Vec<(f32, bool)>,
}

pub fn run(menu: &CompiledMenu, case: &Case) -> Outcome {
    score(case, menu.extract(&case.utterance))
}

/// The names of the intents `ext` found ("remove_item", "done"...).
pub fn intent_names(ext: &Extraction) -> Vec<String> {
    ext.intents
        .iter()
        .filter_map(|i| {
            serde_json::to_value(i).ok()?["intent"]
                .as_str()
                .map(String::from)
        })
        .collect()
}

/// Right when the extracted lines equal the expected ones as a multiset and every expected
/// intent is present (however `ext` was made: here, or through PostgreSQL by the bench).
pub fn score(case: &Case, ext: Extraction) -> Outcome {
    let mut left = case.lines.clone();
    let mut lines = Vec::with_capacity(ext.lines.len());
    for l in &ext.lines {
        let k = line_key(l);
        let hit = left.iter().position(|e| *e == k);
        if let Some(i) = hit {
            left.remove(i);
        }
        lines.push((l.confidence, hit.is_some()));
    }
    let intents = intent_names(&ext);
    let ok = left.is_empty()
        && lines.iter().all(|l| l.1)
        && case.intents.iter().all(|i| intents.contains(i));
    Outcome { ext, ok, lines }
}

/// Confidence buckets (lower bounds) for the calibration table.
pub const BUCKETS: &[f32] = &[0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0];

/// Per bucket: (lower bound, lines, lines exactly right).
pub fn calibration(lines: &[(f32, bool)]) -> Vec<(f32, usize, usize)> {
    let mut out: Vec<(f32, usize, usize)> = BUCKETS.iter().map(|&b| (b, 0, 0)).collect();
    for &(c, good) in lines {
        let b = BUCKETS.iter().rposition(|&b| c >= b).unwrap_or(0);
        out[b].1 += 1;
        out[b].2 += good as usize;
    }
    out
}
