//! `scripts/bench extract [--venue DIR] [--out FILE]`: extraction accuracy and SQL throughput
//! on every venue (or one).
//!
//! Venues: the shared FoodOrdering venues (`../shared/data/food-ordering/{pizza,burrito,burger}`
//! next to the checkout, or `$KEA_FOOD_ORDERING`: schema.json, alias/*.txt, dev.json) and kea's
//! own POS-style venues (`tests/venues/*`: menu.json, utterances.txt), then the blind batches
//! (`tests/venues-blind*/`, those in `BLIND_BATCHES`: either format). Each menu is imported
//! into kea's tables (api.import_menu) and every utterance runs through `kea.extract` in
//! PostgreSQL. FoodOrdering is scored by unordered exact match of the EXR forest, kea's venues
//! as `venue_eval` scores them (the multiset of order lines, and the expected intents). In the
//! same run the keyword baseline (`keyword_baseline.rs`) is scored by the same scorer, and
//! throughput is measured next to baseline queries over the same texts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use kea_core::extract::Extraction;
use kea_core::foodordering;
use kea_core::menu::Menu;
use serde_json::Value;

use crate::keyword_baseline::KeywordBaseline;

// The scorer of `venue_eval` and `tests/venues.rs`, used as it is.
#[allow(dead_code)]
#[path = "../../pg_kea/core/tests/common/venues.rs"]
pub(crate) mod venues;

/// The shared FoodOrdering venues run when no `--venue` is given.
const FOOD_ORDERING: &[&str] = &["pizza", "burrito", "burger"];

#[derive(clap::Args)]
pub struct Args {
    /// One venue folder: FoodOrdering (schema.json, alias/*.txt, dev.json) or kea's own
    /// (menu.json, utterances.txt). Without it, every venue.
    #[arg(long)]
    venue: Option<PathBuf>,
    /// Write one JSON line per utterance: {"venue", "SRC", "gold", "kea", "baseline"}.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The one-statement throughput figures run over each venue's texts repeated to at least
    /// this many.
    #[arg(long, default_value_t = 10_000)]
    bulk_texts: usize,
    /// Throughput: each figure is the best of this many rounds, after one warm-up.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Seconds, small counts (scripts/test): every venue scored as in a full run, the
    /// throughput figures over 200 texts in one round.
    #[arg(long)]
    smoke: bool,
}

enum Gold {
    /// FoodOrdering: the EXR forest.
    Exr(Vec<String>),
    /// kea's venues: expected lines and intents.
    Cases(Vec<venues::Case>),
}

struct Venue {
    name: String,
    kind: &'static str,
    /// The menu document as the owner (or the import) wrote it: what SQL imports and the
    /// keyword baseline reads.
    menu: Menu,
    texts: Vec<String>,
    gold: Gold,
}

impl Venue {
    fn load(dir: &Path) -> Result<Venue, String> {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "venue".into());
        let name = if venues::is_blind(dir) {
            format!("{name} (blind)")
        } else {
            name
        };
        if dir.join("schema.json").is_file() {
            let menu = foodordering::import_dir(dir)
                .map_err(|e| format!("importing {}: {e}", dir.display()))?;
            let (texts, exr) = read_dev(&dir.join("dev.json"))?.into_iter().unzip();
            Ok(Venue {
                name,
                kind: "FoodOrdering",
                menu,
                texts,
                gold: Gold::Exr(exr),
            })
        } else if dir.join("menu.json").is_file() && dir.join("utterances.txt").is_file() {
            let path = dir.join("menu.json");
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let menu: Menu =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let cases = venues::load(dir).cases;
            Ok(Venue {
                name,
                kind: "kea",
                menu,
                texts: cases.iter().map(|c| c.utterance.clone()).collect(),
                gold: Gold::Cases(cases),
            })
        } else {
            Err(format!(
                "{}: not a venue (want schema.json + dev.json, or menu.json + utterances.txt)",
                dir.display()
            ))
        }
    }

    /// Whether `ext` is right for utterance `i`, and what it is in the gold's terms.
    fn score(&self, i: usize, ext: &Extraction) -> (bool, Value) {
        match &self.gold {
            Gold::Exr(gold) => {
                let pred = foodordering::to_exr(&self.menu, ext);
                (
                    foodordering::exr_equal_unordered(&pred, &gold[i]),
                    pred.into(),
                )
            }
            Gold::Cases(cases) => {
                let got: Vec<String> = ext.lines.iter().map(venues::line_key).collect();
                let intents = venues::intent_names(ext);
                let ok = venues::score(&cases[i], ext.clone()).ok;
                (ok, serde_json::json!({"lines": got, "intents": intents}))
            }
        }
    }

    fn gold_json(&self, i: usize) -> Value {
        match &self.gold {
            Gold::Exr(g) => g[i].clone().into(),
            Gold::Cases(c) => serde_json::json!({"lines": c[i].lines, "intents": c[i].intents}),
        }
    }
}

/// One venue's figures.
struct Row {
    name: String,
    n: usize,
    kea: usize,
    baseline: usize,
    extract_bulk: f64,
    length_bulk: f64,
    tsv_bulk: f64,
    extract_call: f64,
    length_call: f64,
}

/// How a venue whose menu kea refuses to import is reported.
const REFUSED: &str = "menu refused at import";

fn pct(k: usize, n: usize) -> f64 {
    100.0 * k as f64 / n.max(1) as f64
}

pub async fn run(admin_url: &str, mut args: Args) -> Result<(), String> {
    if args.smoke {
        args.bulk_texts = 200;
        args.rounds = 1;
    }
    let dirs = match &args.venue {
        Some(d) => vec![d.clone()],
        None => all_venues()?,
    };
    let db = crate::connect(admin_url).await?;
    let mut out = match &args.out {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let load = crate::cpu::load_average();
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    for dir in &dirs {
        let venue = Venue::load(dir)?;
        match bench_venue(&db, &venue, &args, out.as_mut()).await {
            Ok(row) => rows.push(row),
            // A menu kea refuses to import (a negative price) is said, and the rest still run;
            // a venue named with --venue fails the run.
            Err(e) if args.venue.is_none() && e.starts_with(REFUSED) => {
                println!("  {e}");
                refused.push(venue.name.clone());
            }
            Err(e) => return Err(e),
        }
        println!();
    }
    if let Some(p) = &args.out {
        println!("predictions written to {}", p.display());
    }
    if !refused.is_empty() {
        println!(
            "menus kea refused to import, not in the table: {}",
            refused.join(", ")
        );
    }

    println!(
        "every venue: unordered exact match (FoodOrdering) / exact match of lines and intents (kea's venues, as venue_eval); throughput through SQL, one connection, utterances/s (load average at the start: {}, at the end: {})",
        load,
        crate::cpu::load_average()
    );
    println!(
        "| venue | utterances | kea.extract | keyword baseline | margin | kea.extract, one statement over the venue | baseline `length(t)` | baseline `to_tsvector('english', t)` | kea.extract ÷ to_tsvector | kea.extract, one statement per utterance | baseline `select length($1)` per statement |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {}/{} = {:.2}% | {}/{} = {:.2}% | {:+.2} pts | {:.0} | {:.0} | {:.0} | {:.2} | {:.0} | {:.0} |",
            r.name,
            r.n,
            r.kea,
            r.n,
            pct(r.kea, r.n),
            r.baseline,
            r.n,
            pct(r.baseline, r.n),
            pct(r.kea, r.n) - pct(r.baseline, r.n),
            r.extract_bulk,
            r.length_bulk,
            r.tsv_bulk,
            r.extract_bulk / r.tsv_bulk,
            r.extract_call,
            r.length_call
        );
    }
    if rows.len() > 1 {
        let n: usize = rows.iter().map(|r| r.n).sum();
        let kea: usize = rows.iter().map(|r| r.kea).sum();
        let base: usize = rows.iter().map(|r| r.baseline).sum();
        let slowest = rows
            .iter()
            .map(|r| r.extract_bulk)
            .fold(f64::INFINITY, f64::min);
        println!(
            "| all | {n} | {kea}/{n} = {:.2}% | {base}/{n} = {:.2}% | {:+.2} pts | slowest {slowest:.0} | | | | | |",
            pct(kea, n),
            pct(base, n),
            pct(kea, n) - pct(base, n)
        );
    }
    Ok(())
}

/// The shared FoodOrdering venues, every `tests/venues/*` venue, then the blind batches'.
fn all_venues() -> Result<Vec<PathBuf>, String> {
    let root = std::env::var_os("KEA_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let fo = match std::env::var_os("KEA_FOOD_ORDERING") {
        Some(p) => PathBuf::from(p),
        None => root.join("../shared/data/food-ordering"),
    };
    let mut dirs = Vec::new();
    for v in FOOD_ORDERING {
        let d = fo.join(v);
        if !d.join("dev.json").is_file() {
            return Err(format!(
                "FoodOrdering venue {v} not found at {} (the shared data lives next to the checkout, in ../shared/data/food-ordering; set KEA_FOOD_ORDERING to its folder, or pass --venue DIR)",
                d.display()
            ));
        }
        dirs.push(d);
    }
    let own = root.join("tests/venues");
    let mut mine: Vec<PathBuf> = std::fs::read_dir(&own)
        .map_err(|e| format!("{}: {e}", own.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("menu.json").is_file() && p.join("utterances.txt").is_file())
        .collect();
    if mine.is_empty() {
        return Err(format!("no venues in {}", own.display()));
    }
    mine.sort();
    dirs.extend(mine);
    // The blind batches whose first run is recorded (`venues::BLIND_BATCHES`), in both formats.
    for batch in venues::BLIND_BATCHES {
        let dir = root.join("tests").join(batch);
        let mut blind: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.join("schema.json").is_file()
                    || (p.join("menu.json").is_file() && p.join("utterances.txt").is_file())
            })
            .collect();
        blind.sort();
        dirs.extend(blind);
    }
    Ok(dirs)
}

async fn bench_venue(
    db: &tokio_postgres::Client,
    venue: &Venue,
    args: &Args,
    mut out: Option<&mut std::fs::File>,
) -> Result<Row, String> {
    let menu = &venue.menu;
    println!(
        "venue {} ({}): {} utterances, {} items, {} modifier groups",
        venue.name,
        venue.kind,
        venue.texts.len(),
        menu.items.len(),
        menu.groups.len()
    );
    let menu_id = import(db, &venue.name, menu)
        .await
        .map_err(|e| format!("{REFUSED}: {e}"))?;

    // Accuracy: every utterance through SQL, and the keyword baseline, by the same scorer.
    let texts = &venue.texts;
    let rows = db
        .query("select kea.extract($1, t) from unnest($2::text[]) with ordinality as x(t, n) order by n", &[&menu_id, texts])
        .await
        .map_err(|e| e.to_string())?;
    let baseline = KeywordBaseline::new(menu);
    let (mut kea_ok, mut base_ok) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let v: Value = row.get(0);
        let ex: Extraction = serde_json::from_value(v).map_err(|e| e.to_string())?;
        let (ok, pred) = venue.score(i, &ex);
        let (bok, bpred) = venue.score(i, &baseline.extract(&texts[i]));
        kea_ok += ok as usize;
        base_ok += bok as usize;
        if let Some(f) = out.as_mut() {
            let line = serde_json::json!({
                "venue": venue.name, "SRC": texts[i], "gold": venue.gold_json(i),
                "kea": pred, "kea_ok": ok, "baseline": bpred, "baseline_ok": bok,
            });
            writeln!(f, "{line}").map_err(|e| e.to_string())?;
        }
    }
    let n = texts.len();
    // Not a judgement of the figures: with no utterance, or none right, there is nothing
    // measured (a venue that no longer loads, an extraction that no longer reads the menu).
    if n == 0 || rows.len() != n || kea_ok == 0 {
        return Err(format!(
            "venue {}: {kea_ok} of {n} utterances right ({} extracted): extraction is not being measured",
            venue.name,
            rows.len()
        ));
    }
    println!(
        "  kea.extract (SQL):  {kea_ok}/{n} = {:.2}%",
        pct(kea_ok, n)
    );
    println!(
        "  keyword baseline:   {base_ok}/{n} = {:.2}%",
        pct(base_ok, n)
    );
    println!(
        "  margin:             {:+.2} points",
        pct(kea_ok, n) - pct(base_ok, n)
    );

    // Throughput on one connection: one statement over the venue's texts (repeated), then one
    // statement per utterance (what a dialog turn does), each next to a baseline.
    let repeat = args.bulk_texts.div_ceil(n.max(1)).max(1);
    let many: Vec<String> = (0..repeat).flat_map(|_| texts.iter().cloned()).collect();
    // One warm-up each, then `--rounds` rounds in which every query runs once, in turn, so a
    // figure and its baselines see the same load on this shared machine; each figure is its
    // best round (the least disturbed one).
    let rounds = args.rounds.max(1);
    const BULK: [&str; 3] = [
        "select count(kea.extract($1, t)) from unnest($2::text[]) t",
        "select count(length(t)) + $1::bigint from unnest($2::text[]) t",
        "select count(to_tsvector('english', t)) + $1::bigint from unnest($2::text[]) t",
    ];
    const CALL: [&str; 2] = [
        "select kea.extract($1, $2)",
        "select length($2) + $1::bigint",
    ];
    let per = n.max(1000).min(many.len());
    let mut stmts = Vec::new();
    for sql in CALL {
        stmts.push(db.prepare(sql).await.map_err(|e| e.to_string())?);
    }
    let mut best = [0f64; 5];
    for round in 0..=rounds {
        for (q, sql) in BULK.iter().enumerate() {
            let t0 = Instant::now();
            db.query_one(*sql, &[&menu_id, &many])
                .await
                .map_err(|e| e.to_string())?;
            if round > 0 {
                best[q] = best[q].max(many.len() as f64 / t0.elapsed().as_secs_f64());
            }
        }
        for (q, stmt) in stmts.iter().enumerate() {
            let t0 = Instant::now();
            for t in &many[..per] {
                db.query_one(stmt, &[&menu_id, t])
                    .await
                    .map_err(|e| e.to_string())?;
            }
            if round > 0 {
                best[3 + q] = best[3 + q].max(per as f64 / t0.elapsed().as_secs_f64());
            }
        }
    }
    let [extract_bulk, length_bulk, tsv_bulk, extract_call, length_call] = best;

    println!("  throughput, one connection (release build; utterances/second):");
    println!("    {:<58} {:>12}", "query", "utt/s");
    println!(
        "    {:<58} {:>12.0}",
        "kea.extract over all texts in one statement", extract_bulk
    );
    println!(
        "    {:<58} {:>12.0}",
        "  baseline: length(t) over the same texts", length_bulk
    );
    println!(
        "    {:<58} {:>12.0}",
        "  baseline: to_tsvector('english', t) over the same texts", tsv_bulk
    );
    println!(
        "    {:<58} {:>12.0}",
        "kea.extract, one statement per utterance (prepared)", extract_call
    );
    println!(
        "    {:<58} {:>12.0}",
        "  baseline: select length($1), one statement per text", length_call
    );
    println!(
        "  ({n} texts x {repeat} for the one-statement figures, {} statements per round for the per-utterance ones; best of {rounds} rounds)",
        per
    );
    Ok(Row {
        name: venue.name.clone(),
        n,
        kea: kea_ok,
        baseline: base_ok,
        extract_bulk,
        length_bulk,
        tsv_bulk,
        extract_call,
        length_call,
    })
}

/// (SRC, EXR) pairs of a dev.json (one JSON object a line).
fn read_dev(path: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let v: Value = serde_json::from_str(l)
                .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
            let field = |k: &str| {
                v[k].as_str()
                    .map(String::from)
                    .ok_or_else(|| format!("{}:{}: no {k}", path.display(), i + 1))
            };
            Ok((field("SRC")?, field("EXR")?))
        })
        .collect()
}

/// Imports the menu for a bench merchant of its own (created once), returning the menu id.
async fn import(db: &tokio_postgres::Client, venue: &str, menu: &Menu) -> Result<i64, String> {
    let slug = format!(
        "bench-{}",
        venue
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let row = db
        .query_one(
            "with ins as (insert into app.merchants (slug, name) values ($1, $2)
                          on conflict (slug) do nothing returning id)
             select id from ins union all select id from app.merchants where slug = $1",
            &[&slug, &format!("Bench {venue}")],
        )
        .await
        .map_err(|e| e.to_string())?;
    let merchant: i64 = row.get(0);
    let doc = serde_json::to_value(menu).map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let menu_id: i64 = db
        .query_one("select api.import_menu($1, $2)", &[&merchant, &doc])
        .await
        .map_err(|e| match e.as_db_error() {
            Some(d) => format!("{} ({})", d.message(), d.hint().unwrap_or("")),
            None => e.to_string(),
        })?
        .get(0);
    println!(
        "  imported into kea's menu tables as menu {menu_id} in {:.0} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    Ok(menu_id)
}
