//! `scripts/bench extract --venue DIR [--out FILE]`: imports a FoodOrdering venue as a kea
//! menu (kea's own tables, through api.import_menu), runs every utterance of DIR/dev.json
//! through `kea.extract` in PostgreSQL, and prints unordered exact match and throughput next
//! to baseline queries over the same texts.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use kea_core::extract::Extraction;
use kea_core::foodordering;
use serde_json::Value;

#[derive(clap::Args)]
pub struct Args {
    /// Venue folder: schema.json, alias/*.txt, dev.json.
    #[arg(long)]
    venue: PathBuf,
    /// Write one JSON line per utterance: {"SRC", "EXR" (gold), "PRED"}.
    #[arg(long)]
    out: Option<PathBuf>,
    /// How many times the texts are run for the throughput figures.
    #[arg(long, default_value_t = 30)]
    repeat: usize,
}

pub async fn run(admin_url: &str, args: Args) -> Result<(), String> {
    let venue_name = args
        .venue
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "venue".into());
    let menu = foodordering::import_dir(&args.venue)
        .map_err(|e| format!("importing {}: {e}", args.venue.display()))?;
    let examples = read_dev(&args.venue.join("dev.json"))?;
    println!(
        "venue {venue_name}: {} utterances, {} items, {} modifier groups",
        examples.len(),
        menu.items.len(),
        menu.groups.len()
    );

    let db = crate::connect(admin_url).await?;
    let menu_id = import(&db, &venue_name, &menu).await?;

    // Accuracy: every utterance through SQL, compared with the gold parse.
    let texts: Vec<String> = examples.iter().map(|(s, _)| s.clone()).collect();
    let rows = db
        .query("select kea.extract($1, t) from unnest($2::text[]) with ordinality as x(t, n) order by n", &[&menu_id, &texts])
        .await
        .map_err(|e| e.to_string())?;
    let mut exact = 0;
    let mut out = match &args.out {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    for ((src, gold), row) in examples.iter().zip(&rows) {
        let v: Value = row.get(0);
        let ex: Extraction = serde_json::from_value(v).map_err(|e| e.to_string())?;
        let pred = foodordering::to_exr(&menu, &ex);
        if foodordering::exr_equal_unordered(&pred, gold) {
            exact += 1;
        }
        if let Some(f) = out.as_mut() {
            let line = serde_json::json!({"SRC": src, "EXR": gold, "PRED": pred});
            writeln!(f, "{line}").map_err(|e| e.to_string())?;
        }
    }
    let n = examples.len();
    println!(
        "unordered exact match: {exact}/{n} = {:.2}%",
        100.0 * exact as f64 / n.max(1) as f64
    );
    if let Some(p) = &args.out {
        println!("predictions written to {}", p.display());
    }

    // Throughput on one connection: one statement over all texts (repeated), then one
    // statement per utterance (what a dialog turn does), each next to a baseline.
    let many: Vec<String> = (0..args.repeat)
        .flat_map(|_| texts.iter().cloned())
        .collect();
    let bulk = |sql: &'static str| {
        let (db, many) = (&db, &many);
        async move {
            db.query_one(sql, &[&menu_id, many])
                .await
                .map_err(|e| e.to_string())?;
            let t0 = Instant::now();
            db.query_one(sql, &[&menu_id, many])
                .await
                .map_err(|e| e.to_string())?;
            Ok::<f64, String>(many.len() as f64 / t0.elapsed().as_secs_f64())
        }
    };
    let extract_bulk = bulk("select count(kea.extract($1, t)) from unnest($2::text[]) t").await?;
    let length_bulk =
        bulk("select count(length(t)) + $1::bigint from unnest($2::text[]) t").await?;
    let tsv_bulk =
        bulk("select count(to_tsvector('english', t)) + $1::bigint from unnest($2::text[]) t")
            .await?;
    let per_call = |sql: &'static str| {
        let (db, texts) = (&db, &texts);
        async move {
            let stmt = db.prepare(sql).await.map_err(|e| e.to_string())?;
            let rounds = 3;
            let t0 = Instant::now();
            for _ in 0..rounds {
                for t in texts {
                    db.query_one(&stmt, &[&menu_id, t])
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok::<f64, String>((rounds * texts.len()) as f64 / t0.elapsed().as_secs_f64())
        }
    };
    let extract_call = per_call("select kea.extract($1, $2)").await?;
    let length_call = per_call("select length($2) + $1::bigint").await?;

    println!();
    println!("throughput, one connection (release build; utterances/second):");
    println!("  {:<58} {:>12}", "query", "utt/s");
    println!(
        "  {:<58} {:>12.0}",
        "kea.extract over all texts in one statement", extract_bulk
    );
    println!(
        "  {:<58} {:>12.0}",
        "  baseline: length(t) over the same texts", length_bulk
    );
    println!(
        "  {:<58} {:>12.0}",
        "  baseline: to_tsvector('english', t) over the same texts", tsv_bulk
    );
    println!(
        "  {:<58} {:>12.0}",
        "kea.extract, one statement per utterance (prepared)", extract_call
    );
    println!(
        "  {:<58} {:>12.0}",
        "  baseline: select length($1), one statement per text", length_call
    );
    println!(
        "({} texts x {} for the bulk figures)",
        texts.len(),
        args.repeat
    );
    Ok(())
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
async fn import(
    db: &tokio_postgres::Client,
    venue: &str,
    menu: &kea_core::menu::Menu,
) -> Result<i64, String> {
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
        .map_err(|e| e.to_string())?
        .get(0);
    println!(
        "imported into kea's menu tables as menu {menu_id} in {:.0} ms",
        t0.elapsed().as_secs_f64() * 1000.0
    );
    Ok(menu_id)
}
