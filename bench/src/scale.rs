//! `scripts/bench scale`: how a turn's cost grows with the platform. The database grows to 10,
//! 1,000 and 10,000 merchants (each with a menu, of varied sizes) and, in proportion, to a
//! million past calls with their turns and a million orders with their lines and history
//! (loaded with generate_series in SQL); at each size, callers place real calls through the
//! gateway to merchants drawn across the whole set, and turn throughput and latency are printed
//! next to the 10-merchant figure of the same run. With `--citus-admin-url`, the same on the
//! Citus cluster (scripts/citus: a coordinator and two workers) next to one PostgreSQL, in the
//! same run. Then the database size per 1,000 calls, and where it goes.
//!
//! Every request must be a real turn: each answer is checked (a prompt while the call goes on,
//! the hang-up after "yes"), and `app.turns` must grow by exactly the number of requests.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use kea_gateway::simulator::{CallSpec, Caller};
use tokio::process::{Child, Command};

use crate::stats::{ms, percentile};

#[derive(clap::Args)]
pub struct Args {
    /// Merchant counts to measure at, ascending; the first is the baseline.
    #[arg(long, value_delimiter = ',', default_value = "10,1000,10000")]
    merchants: Vec<i64>,
    /// Past calls (each with its turns and most with an order) at the largest size; smaller
    /// sizes get their share.
    #[arg(long, default_value_t = 1_000_000)]
    calls: i64,
    /// Concurrent callers.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Where kea-gateway is (scripts/bench: target/release).
    #[arg(long, default_value = "target/release")]
    bin_dir: PathBuf,
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    auth_token: String,
    /// The gateway's login to the one-PostgreSQL database (scripts/bench sets it).
    #[arg(long, env = "KEA_DATABASE_URL")]
    database_url: String,
    /// Also on the Citus cluster (scripts/bench scale --citus runs scripts/citus and sets the
    /// two URLs below). Off by default: it needs a Citus cluster of its own, set up for the run
    /// (docs/scaling.md, "What runs on Citus today").
    #[arg(long)]
    citus: bool,
    /// Superuser URL of a kea database on the Citus coordinator (scripts/bench: scripts/citus).
    #[arg(long, env = "KEA_CITUS_ADMIN_URL")]
    citus_admin_url: Option<String>,
    /// The gateway's login to that database.
    #[arg(long, env = "KEA_CITUS_DATABASE_URL")]
    citus_database_url: Option<String>,
    /// Seconds, tiny sizes (3 and 8 merchants: menus imported and copied, 200 past calls), debug builds; figures printed,
    /// not judged. Still fails when a turn is not a real turn.
    #[arg(long)]
    smoke: bool,
    /// Also break each size's turns down by statement, nested ones included (the SQL inside
    /// kea's functions and pg_kea's): time per turn, mean time and pages of each, what grew
    /// most from the first size to the last, and what read the menu tables. Needs
    /// pg_stat_statements loaded by the cluster (`shared_preload_libraries`, with
    /// `pg_stat_statements.track = all`) and created in the database; its statistics are reset
    /// at each size (docs/benchmarks.md, "Scale").
    #[arg(long)]
    breakdown: bool,
}

/// What each caller says after the greeting: an order that makes kea ask its size, the size,
/// "that's all", and "yes" to the read-back.
const SAYS: [&str; 4] = ["a pepperoni pizza and a coke", "large", "that's all", "yes"];
const TURNS: usize = 5;
/// The merchants' numbers: +1 555 2 and the merchant's index on 6 digits.
fn number(i: i64) -> String {
    format!("+15552{i:06}")
}

struct Target {
    name: &'static str,
    admin: tokio_postgres::Client,
    database_url: String,
}

struct Figures {
    tps: f64,
    p50: Duration,
    p99: Duration,
    /// Reads of `kea.menus` per turn, warm-up included: pg_kea reads it twice to compile a
    /// menu and not at all for a menu its backend holds, so this counts the compiles.
    menu_reads: f64,
    /// Where the turns' pages came from, per turn (warm-up included).
    io: Io,
    /// The machine's load averages as the measurement ended.
    load: String,
    /// With --breakdown: every statement the turns ran, per turn (warm-up included).
    statements: Vec<Statement>,
}

/// One statement of pg_stat_statements over a measurement, per turn.
struct Statement {
    queryid: i64,
    /// Run by the gateway itself; false: inside a function (or pg_kea) a statement ran.
    toplevel: bool,
    query: String,
    calls: f64,
    /// Milliseconds per turn.
    ms: f64,
    /// Milliseconds per call.
    mean_ms: f64,
    /// Pages per call: found in shared buffers, read from outside them.
    hit: f64,
    read: f64,
    /// Full-page images written to the WAL per call: the first change to a page after a
    /// checkpoint writes the whole page, and calls spread over more merchants touch more pages.
    fpi: f64,
}

/// Pages the turns read, per turn: found in shared buffers (hit) or read from outside them
/// (the OS cache or the disk), and the relations read from outside them the most. The gap
/// between sizes that compiles did not explain is looked for here (docs/benchmarks.md).
#[derive(Default)]
struct Io {
    hit: f64,
    read: f64,
    /// (relation or index, pages read from outside shared buffers per turn), most first.
    most_read: Vec<(String, f64)>,
}

pub async fn run(admin_url: &str, mut args: Args) -> Result<(), String> {
    if args.smoke {
        args.merchants = vec![3, 8];
        args.calls = 200;
        args.clients = 2;
        args.seconds = 1;
    }
    if args.merchants.windows(2).any(|w| w[0] >= w[1]) || args.merchants.is_empty() {
        return Err("--merchants must be ascending".into());
    }
    let mut targets = vec![Target {
        name: "PostgreSQL",
        admin: crate::connect(admin_url).await?,
        database_url: args.database_url.clone(),
    }];
    if args.citus {
        match (&args.citus_admin_url, &args.citus_database_url) {
            (Some(a), Some(d)) => targets.push(Target {
                name: "Citus",
                admin: crate::connect(a).await?,
                database_url: d.clone(),
            }),
            _ => return Err("--citus needs --citus-admin-url and --citus-database-url (scripts/bench scale --citus sets them)".into()),
        }
    }
    if args.breakdown {
        for t in &targets {
            statements(&t.admin, 1.0).await.map_err(|e| {
                format!("{}: --breakdown needs pg_stat_statements, loaded by the cluster (shared_preload_libraries, pg_stat_statements.track = all) and created in the database: {e}", t.name)
            })?;
        }
    }
    let max = *args.merchants.last().unwrap();
    println!(
        "{} s per measurement, {} callers placing calls of {TURNS} turns to merchants drawn from all loaded; {} builds{}",
        args.seconds,
        args.clients,
        if args.smoke { "debug (smoke)" } else { "release" },
        if args.smoke { "\nsmoke run: figures printed, not judged" } else { "" }
    );
    let work = std::env::temp_dir().join(format!("kea-bench-scale-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    // rows[size][target]
    let mut rows: Vec<(i64, i64, Vec<Figures>)> = Vec::new();
    for &n in &args.merchants {
        let calls = args.calls * n / max;
        let mut per = Vec::new();
        for t in &targets {
            let t0 = Instant::now();
            load(&t.admin, n, calls)
                .await
                .map_err(|e| format!("{}: loading: {e}", t.name))?;
            eprintln!(
                "    {}: {n} merchants, {calls} past calls loaded in {:.0} s",
                t.name,
                t0.elapsed().as_secs_f64()
            );
            let f = measure(&args, t, n, &work).await?;
            eprintln!(
                "    {}: {:.0} turns/s, p50 {} ms, p99 {} ms, kea.menus reads per turn {:.2}, load average {}",
                t.name,
                f.tps,
                ms(f.p50),
                ms(f.p99),
                f.menu_reads,
                f.load
            );
            per.push(f);
        }
        rows.push((n, calls, per));
    }
    let _ = std::fs::remove_dir_all(&work);

    println!();
    println!("Turns through the gateway at each size, next to the first size of the same run");
    println!("(menu reads/turn: kea.menus reads per turn, warm-up included; compiling a menu reads it twice, a menu the backend holds not at all):");
    let mut head = format!("{:>9} | {:>10}", "merchants", "past calls");
    for t in &targets {
        head += &format!(" | {:>33}", format!("{}: turns/s p50 p99 (ms)", t.name));
        head += &format!(" | {:>12}", "p50 vs first");
        head += &format!(" | {:>15}", "menu reads/turn");
    }
    if targets.len() == 2 {
        head += &format!(" | {:>13}", "Citus/PG tps");
    }
    println!("{head}");
    for (n, calls, per) in &rows {
        let mut line = format!("{n:>9} | {calls:>10}");
        for (i, f) in per.iter().enumerate() {
            let first = &rows[0].2[i];
            line += &format!(
                " | {:>33} | {:>11.2}x | {:>15.2}",
                format!("{:.0} {} {}", f.tps, ms(f.p50), ms(f.p99)),
                f.p50.as_secs_f64() / first.p50.as_secs_f64(),
                f.menu_reads
            );
        }
        if per.len() == 2 {
            line += &format!(" | {:>12.0}%", 100.0 * per[1].tps / per[0].tps);
        }
        println!("{line}");
    }
    println!();
    println!("Pages per turn (8 kB, warm-up included): found in shared buffers, read from outside them (OS cache or disk), and the relations read the most:");
    for (n, _, per) in &rows {
        for (t, f) in targets.iter().zip(per) {
            let most: Vec<String> =
                f.io.most_read
                    .iter()
                    .map(|(r, k)| format!("{r} {k:.2}"))
                    .collect();
            println!(
                "{n:>9} {}: hit {:.1}, read {:.2} (load average {}); {}",
                t.name,
                f.io.hit,
                f.io.read,
                f.load,
                most.join(", ")
            );
        }
    }
    if !args.smoke {
        let (first, last) = (&rows[0], rows.last().unwrap());
        for (i, t) in targets.iter().enumerate() {
            let r = last.2[i].p50.as_secs_f64() / first.2[i].p50.as_secs_f64();
            println!(
                "  {} {}: p50 at {} merchants within 1.2x of {}: {r:.2}x (issue 20's target, reported, not asserted)",
                if r <= 1.2 { "met:    " } else { "NOT MET:" },
                t.name,
                last.0,
                first.0
            );
        }
    }
    if args.breakdown {
        print_breakdown(&targets, &rows);
    }
    println!();
    for t in &targets {
        sizes(t).await?;
    }
    Ok(())
}

/// The menu tables a turn should not read: it reads the compiled menu (`kea.menus`).
const MENU_TABLES: [&str; 3] = ["menu_items", "item_variations", "modifier_options"];

/// What `--breakdown` found: at each size the statements that took the most time per turn
/// and the slowest per call, then those whose time per turn grew the most from the first size
/// to the last, and every statement that names a menu table.
fn print_breakdown(targets: &[Target], rows: &[(i64, i64, Vec<Figures>)]) {
    let line = |s: &Statement| {
        let q: String = s.query.split_whitespace().collect::<Vec<_>>().join(" ");
        let q: String = q.chars().take(150).collect();
        format!(
            "{:>8.3} ms/turn {:>7.3} calls/turn {:>8.3} ms/call {:>7.1} hit {:>6.2} read {:>5.2} fpi/call {} {q}",
            s.ms,
            s.calls,
            s.mean_ms,
            s.hit,
            s.read,
            s.fpi,
            if s.toplevel { "top   " } else { "nested" }
        )
    };
    for (i, t) in targets.iter().enumerate() {
        for (n, _, per) in rows {
            let st = &per[i].statements;
            println!();
            println!("{} at {n} merchants, statements by time per turn (pg_stat_statements, nested included: a function's time holds its statements'):", t.name);
            for s in st.iter().take(15) {
                println!("  {}", line(s));
            }
            let mut by_mean: Vec<&Statement> = st.iter().filter(|s| s.calls >= 0.01).collect();
            by_mean.sort_by(|a, b| b.mean_ms.total_cmp(&a.mean_ms));
            println!(
                "{} at {n} merchants, the slowest per call (0.01 calls per turn or more):",
                t.name
            );
            for s in by_mean.iter().take(10) {
                println!("  {}", line(s));
            }
            println!(
                "{} at {n} merchants, statements naming {}:",
                t.name,
                MENU_TABLES.join(", ")
            );
            let menu: Vec<&Statement> = st
                .iter()
                .filter(|s| MENU_TABLES.iter().any(|m| s.query.contains(m)))
                .collect();
            if menu.is_empty() {
                println!("  none");
            }
            for s in menu {
                println!("  {}", line(s));
            }
        }
        if rows.len() >= 2 {
            let (first, last) = (&rows[0], rows.last().unwrap());
            let before = |s: &Statement| {
                first.2[i]
                    .statements
                    .iter()
                    .find(|b| b.queryid == s.queryid && b.toplevel == s.toplevel)
                    .map_or(0.0, |b| b.ms)
            };
            let mut grew: Vec<(f64, f64, &Statement)> = last.2[i]
                .statements
                .iter()
                .map(|s| (s.ms - before(s), before(s), s))
                .collect();
            grew.sort_by(|a, b| b.0.total_cmp(&a.0));
            println!();
            println!(
                "{}: what grew the most in time per turn from {} to {} merchants (ms/turn at {} -> at {}):",
                t.name, first.0, last.0, first.0, last.0
            );
            for (d, b, s) in grew.iter().take(12) {
                println!("  +{d:.3} ({b:.3} -> {:.3}) {}", s.ms, line(s));
            }
        }
    }
}

/// pg_stat_statements of this database since its last reset, per turn, most time first.
async fn statements(db: &tokio_postgres::Client, turns: f64) -> Result<Vec<Statement>, String> {
    let rows = db
        .query(
            "select queryid, toplevel, query, calls::float8, total_exec_time,
                    shared_blks_hit::float8, shared_blks_read::float8, wal_fpi::float8
               from pg_stat_statements
              where dbid = (select oid from pg_database where datname = current_database())
                and userid <> (select oid from pg_roles where rolname = current_user)
                and calls > 0
              order by total_exec_time desc limit 300",
            &[],
        )
        .await
        .map_err(|e| {
            e.as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string())
        })?;
    Ok(rows
        .iter()
        .map(|r| {
            let calls: f64 = r.get(3);
            let total: f64 = r.get(4);
            Statement {
                queryid: r.get(0),
                toplevel: r.get(1),
                query: r.get(2),
                calls: calls / turns,
                ms: total / turns,
                mean_ms: total / calls,
                hit: r.get::<_, f64>(5) / calls,
                read: r.get::<_, f64>(6) / calls,
                fpi: r.get::<_, f64>(7) / calls,
            }
        })
        .collect())
}

/// Grows the database to `n` merchants and `calls` past calls (what is there already stays):
/// merchants with a number, hours around the clock and a menu (Tony's, plus 0 to 80 generated
/// items: menus of varied sizes); past calls of 5 turns each, each with an order of two lines
/// and two history rows, spread over the merchants.
async fn load(db: &tokio_postgres::Client, n: i64, calls: i64) -> Result<(), String> {
    let e = |e: tokio_postgres::Error| {
        e.as_db_error().map_or(e.to_string(), |d| {
            format!("{}: {}", d.code().code(), d.message())
        })
    };
    let mut laps = Laps::new();
    let have: i64 = db
        .query_one(
            "select count(*) from app.merchants where slug like 'scale-%'",
            &[],
        )
        .await
        .map_err(e)?
        .get(0);
    if have < n {
        db.execute(
            "insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
             select 'scale-' || i, 'Scale Pizza ' || i, 825, '+15553' || lpad(i::text, 6, '0')
               from generate_series($1::bigint, $2::bigint - 1) i",
            &[&have, &n],
        )
        .await
        .map_err(e)?;
        laps.lap("merchants");
        db.execute(
            "insert into app.phone_numbers (e164, merchant_id)
             select '+15552' || lpad(substr(slug, 7), 6, '0'), id from app.merchants
              where slug like 'scale-%' and substr(slug, 7)::bigint >= $1",
            &[&have],
        )
        .await
        .map_err(e)?;
        laps.lap("phone numbers");
        db.execute(
            "insert into app.opening_hours (merchant_id, weekday, opens, closes)
             select m.id, d, '00:00', '24:00' from app.merchants m, generate_series(0, 6) d
              where m.slug like 'scale-%' and substr(m.slug, 7)::bigint >= $1",
            &[&have],
        )
        .await
        .map_err(e)?;
        laps.lap("opening hours");
        let menu: serde_json::Value =
            serde_json::from_str(include_str!("../../migrations/seed/tonys_pizza.menu.json"))
                .map_err(|e| e.to_string())?;
        // Menus of five sizes: Tony's menu and k extra items, k = 0, 20, .. 80 by merchant. The
        // first five merchants import theirs (api.import_menu, as an owner would); the others'
        // are copied from the one of their size in a few set-based statements, with triggers
        // off while the rows go in (importing 10,000 menus one by one takes most of an hour
        // here), then each is published once, as an import publishes it.
        // One statement per merchant, not one over app.merchants: on Citus a function that
        // queries distributed tables cannot run per row of a query on a distributed table.
        let first = db
            .query(
                "select id, substr(slug, 7)::bigint from app.merchants
                  where slug like 'scale-%' and substr(slug, 7)::bigint >= $1
                    and substr(slug, 7)::bigint < 5
                  order by id",
                &[&have],
            )
            .await
            .map_err(e)?;
        for row in first {
            let (id, n): (i64, i64) = (row.get(0), row.get(1));
            db.execute(
                "select api.import_menu($1, jsonb_set($2::jsonb, '{items}', ($2::jsonb->'items') || coalesce(
                        (select jsonb_agg(jsonb_build_object(
                             'code', 'extra' || k, 'name', 'house special ' || k, 'category',
                             $2::jsonb->'items'->0->>'category', 'price_cents', 500 + k))
                           from generate_series(1, ($3::bigint % 5) * 20) k), '[]')))",
                &[&id, &menu, &n],
            )
            .await
            .map_err(e)?;
        }
        laps.lap("the first five merchants' menus imported");
        // Statement by statement, each its own transaction: on Citus one transaction may not
        // read a placement on the coordinator (the reference tables' copy) and then write the
        // distributed tables from it.
        let copy = format!(
            "create temp table scale_new as
                 select m.id as merchant_id, t.id as template_menu
                   from app.merchants m
                   join app.merchants tm on tm.slug = 'scale-' || (substr(m.slug, 7)::bigint % 5)
                   join app.menus t on t.merchant_id = tm.id and t.active
                  where m.slug like 'scale-%' and substr(m.slug, 7)::bigint >= greatest({have}, 5);
             set session_replication_role = replica;
             insert into app.menus (merchant_id, name, active, extra)
             select n.merchant_id, t.name, true, t.extra
               from scale_new n join app.menus t on t.id = n.template_menu;
             create temp table scale_menus as
                 select mn.merchant_id, mn.id as menu_id, n.template_menu
                   from app.menus mn join scale_new n using (merchant_id);
             analyze scale_menus;
             insert into app.menu_categories (merchant_id, menu_id, code, name, aliases, position, extra)
             select s.merchant_id, s.menu_id, c.code, c.name, c.aliases, c.position, c.extra
               from scale_menus s join app.menu_categories c on c.menu_id = s.template_menu;
             insert into app.menu_items (merchant_id, menu_id, category_code, code, name, aliases,
                                         price_cents, available, default_variation,
                                         variation_slot, position, extra)
             select s.merchant_id, s.menu_id, i.category_code, i.code, i.name, i.aliases,
                    i.price_cents, i.available, i.default_variation, i.variation_slot,
                    i.position, i.extra
               from scale_menus s join app.menu_items i on i.menu_id = s.template_menu;
             insert into app.modifier_groups (merchant_id, menu_id, code, name, min_choices,
                                              max_choices, qualified, negatable, position, extra)
             select s.merchant_id, s.menu_id, g.code, g.name, g.min_choices, g.max_choices,
                    g.qualified, g.negatable, g.position, g.extra
               from scale_menus s join app.modifier_groups g on g.menu_id = s.template_menu;
             -- The rows the next statements look up by menu and code, analysed: a second run
             -- at 10,000 merchants, without this, spent over seven minutes in one of these
             -- inserts, rescanning an index per copied row (statistics of the 1,000 size).
             analyze app.menu_items, app.modifier_groups;
             insert into app.modifier_options (merchant_id, menu_id, group_id, code, name, aliases,
                                               price_cents, is_default, available, position, extra)
             select s.merchant_id, s.menu_id, ng.id, o.code, o.name, o.aliases, o.price_cents,
                    o.is_default, o.available, o.position, o.extra
               from scale_menus s
               join app.modifier_options o on o.menu_id = s.template_menu
               join app.modifier_groups tg on tg.merchant_id = o.merchant_id and tg.id = o.group_id
               join app.modifier_groups ng on ng.merchant_id = s.merchant_id
                                          and ng.menu_id = s.menu_id and ng.code = tg.code;
             insert into app.item_variations (merchant_id, menu_id, item_id, code, name, aliases,
                                              price_cents, available, position, extra)
             select s.merchant_id, s.menu_id, ni.id, v.code, v.name, v.aliases, v.price_cents,
                    v.available, v.position, v.extra
               from scale_menus s
               join app.item_variations v on v.menu_id = s.template_menu
               join app.menu_items ti on ti.merchant_id = v.merchant_id and ti.id = v.item_id
               join app.menu_items ni on ni.merchant_id = s.merchant_id
                                     and ni.menu_id = s.menu_id and ni.code = ti.code;
             insert into app.item_modifier_groups (merchant_id, menu_id, item_id, group_id, position)
             select s.merchant_id, s.menu_id, ni.id, ng.id, img.position
               from scale_menus s
               join app.item_modifier_groups img on img.menu_id = s.template_menu
               join app.menu_items ti on ti.merchant_id = img.merchant_id and ti.id = img.item_id
               join app.modifier_groups tg on tg.merchant_id = img.merchant_id and tg.id = img.group_id
               join app.menu_items ni on ni.merchant_id = s.merchant_id
                                     and ni.menu_id = s.menu_id and ni.code = ti.code
               join app.modifier_groups ng on ng.merchant_id = s.merchant_id
                                          and ng.menu_id = s.menu_id and ng.code = tg.code;
             set session_replication_role = origin;
             -- Statistics of the rows just copied, as autovacuum would have them on a platform
             -- that grew: without them app.menu_document's plan guessed thousands of items per
             -- menu, cost past jit_above_cost, and each publish spent 1.6 s compiling it (JIT).
             analyze app.menus, app.menu_categories, app.menu_items, app.modifier_groups,
                     app.modifier_options, app.item_variations, app.item_modifier_groups;
             select app.publish_menu(menu_id) from scale_menus;
             drop table scale_new, scale_menus;"
        );
        for statement in copy.split(";\n").filter(|s| !s.trim().is_empty()) {
            db.batch_execute(statement).await.map_err(e)?;
        }
        laps.lap("menus copied and published");
    }
    let past: i64 = db
        .query_one(
            "select count(*) from app.calls where call_sid like 'PAST-%'",
            &[],
        )
        .await
        .map_err(e)?
        .get(0);
    if past < calls {
        // Calls round-robin over the merchants loaded so far, as generate_series rows: the
        // turns' text is what a real call of this shape stores (speech, what kea understood,
        // said and its TwiML).
        db.batch_execute(&format!(
            "create temp table scale_m as
                 select row_number() over (order by id) - 1 as k, id
                   from app.merchants where slug like 'scale-%';
             create index on scale_m (k);
             analyze scale_m;
             insert into app.calls (merchant_id, call_sid, from_number, to_number, status, outcome,
                                    state, next_turn, started_at, ended_at, duration_s)
             select m.id, 'PAST-' || i, '+1555' || lpad((i % 9000000)::text, 7, '0'), '+15552000000',
                    'ended', 'abandoned',
                    '{{}}', 5, now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval + interval '90 seconds', 90
               from generate_series({past}, {calls} - 1) i
               -- The count as a value, not a column of scale_m: `k = i % n` with n on the
               -- merchants' side could only be a nested loop over every merchant for every call
               -- (900,000 x 10,000 comparisons: over ten minutes).
               join scale_m m on m.k = i % (select count(*) from scale_m);
             drop table scale_m;"
        ))
        .await
        .map_err(e)?;
        laps.lap("past calls");
        let said = [
            "Thanks for calling Scale Pizza! What would you like to order?",
            "Got it, a pepperoni pizza and a coke. What size would you like the pizza?",
            "A large pepperoni pizza. Anything else?",
            "That's a large pepperoni pizza and a coke, $21.63 with tax. Shall I place the order?",
            "Thanks! Your order is in. Goodbye!",
        ];
        let twiml = |s: &str, last: bool| {
            if last {
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say voice=\"Polly.Joanna\" language=\"en-US\">{s}</Say><Hangup/></Response>")
            } else {
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather input=\"speech dtmf\" action=\"/twilio/voice/gather?turn=N\" method=\"POST\" speechTimeout=\"auto\" language=\"en-US\" hints=\"pepperoni, coke, large\"><Say voice=\"Polly.Joanna\" language=\"en-US\">{s}</Say></Gather><Redirect method=\"POST\">/twilio/voice/gather?turn=N</Redirect></Response>")
            }
        };
        for seq in 0..TURNS {
            let (event, speech) = if seq == 0 {
                ("start", None)
            } else {
                ("speech", Some(SAYS[seq - 1]))
            };
            db.execute(
                "insert into app.turns (merchant_id, call_id, seq, event, speech, confidence,
                                        understood, said, twiml, phase, elapsed_ms, created_at)
                 select merchant_id, id, $1::int, $2::text, $3::text,
                        case when $3::text is not null then 0.9 end,
                        case when $3::text is not null then '{\"intent\": \"order\", \"items\": [{\"item\": \"pepperoni\", \"quantity\": 1}]}'::json end,
                        $4::text, $5::text, 'ordering', 3.2, started_at + ($1::int * interval '15 seconds')
                   from app.calls where call_sid like 'PAST-%' and next_turn = 5
                    and substr(call_sid, 6)::bigint >= $6::bigint",
                &[&(seq as i32), &event, &speech, &said[seq], &twiml(said[seq], seq == TURNS - 1), &past],
            )
            .await
            .map_err(e)?;
            laps.lap(&format!("turns, seq {seq}"));
        }
        // Past orders are kept as `abandoned`: a status no check or task follows (the
        // completeness check reads an order's lines at its commit, and these are inserted by
        // the statement after). The orders trigger writes each one's first history row.
        db.execute(
            "insert into app.orders (merchant_id, call_id, status, customer_phone, subtotal_cents,
                                     tax_cents, total_cents, created_at, updated_at, call_lines)
             select merchant_id, id, 'abandoned', from_number, 1998, 165, 2163,
                    started_at, started_at, '[]'
               from app.calls where call_sid like 'PAST-%'
                and substr(call_sid, 6)::bigint >= $1",
            &[&past],
        )
        .await
        .map_err(e)?;
        laps.lap("orders");
        // Lines and a second history row of the new orders (their calls mark them).
        db.batch_execute(&format!(
            "create temp table scale_o as
                 select o.merchant_id, o.id, o.created_at from app.orders o
                   join app.calls c on c.merchant_id = o.merchant_id and c.id = o.call_id
                  where c.call_sid like 'PAST-%' and substr(c.call_sid, 6)::bigint >= {past};
             insert into app.order_lines (merchant_id, order_id, line_no, item_code, name,
                                          variation_code, variation_name, quantity,
                                          unit_price_cents, line_total_cents, modifiers)
             select merchant_id, id, l, case l when 1 then 'pepperoni' else 'coke' end,
                    case l when 1 then 'Pepperoni Pizza' else 'Coke' end,
                    case l when 1 then 'large' end, case l when 1 then 'Large' end, 1,
                    case l when 1 then 1799 else 199 end, case l when 1 then 1799 else 199 end, '[]'
               from scale_o, generate_series(1, 2) l;
             insert into app.order_history (merchant_id, order_id, from_status, to_status,
                                            actor_kind, reason, at)
             select merchant_id, id, 'abandoned', 'abandoned', 'system', 'the call ended',
                    created_at + interval '2 minutes' from scale_o;
             drop table scale_o;"
        ))
        .await
        .map_err(e)?;
        laps.lap("order lines and history");
        // VACUUM cannot share a query string with other statements (an implicit transaction).
        // The merchants' and menus' rows too: left to autovacuum, the menus' 2 million rows and
        // 10,000 documents are vacuumed whenever its naptime comes, a measurement's seconds
        // included (a reduced run counted pages of app.menu_items, item_variations and
        // modifier_options read from outside shared buffers, which no statement of a turn
        // reads: --breakdown names none; pg_statio counts autovacuum's reads too).
        db.batch_execute(
            "vacuum analyze app.calls, app.turns, app.orders, app.order_lines, app.order_history,
                    app.merchants, app.phone_numbers, app.opening_hours, app.autoverify_policies,
                    app.menus, app.menu_categories, app.menu_items, app.item_variations,
                    app.modifier_groups, app.modifier_options, app.item_modifier_groups, kea.menus",
        )
        .await
        .map_err(e)?;
        laps.lap("vacuum analyze");
        // The load leaves up to shared_buffers of dirty pages and its WAL behind: written out
        // here, not by a checkpoint running during the measurement right after (the first
        // 10,000-merchant figures were measured beside it).
        db.batch_execute("checkpoint").await.map_err(e)?;
        laps.lap("checkpoint");
    }
    Ok(())
}

/// How long each step of loading took, printed as it ends: what makes loading slow shows in
/// the run's own output.
struct Laps(Instant);

impl Laps {
    fn new() -> Laps {
        Laps(Instant::now())
    }

    fn lap(&mut self, what: &str) {
        eprintln!("      {what}: {:.1} s", self.0.elapsed().as_secs_f64());
        self.0 = Instant::now();
    }
}

/// Callers placing calls through a gateway on this target's database, each to merchant
/// (caller + call * 7919) mod n: every loaded merchant gets calls.
async fn measure(args: &Args, t: &Target, n: i64, work: &Path) -> Result<Figures, String> {
    // Statistics of what was just loaded, and a checkpoint, before the clock starts.
    t.admin
        .batch_execute("checkpoint")
        .await
        .map_err(|e| e.to_string())?;
    let before = turn_count(&t.admin).await?;
    let reads_before = menu_reads(&t.admin).await?;
    let io_before = io_counts(&t.admin).await?;
    if args.breakdown {
        t.admin
            .batch_execute("select pg_stat_statements_reset()")
            .await
            .map_err(|e| e.to_string())?;
    }
    let gw = Gateway::start(
        args,
        &t.database_url,
        &work.join(format!("{}-{n}.log", t.name)),
    )
    .await?;
    let run = |duration: Duration, tag: String| {
        let url = gw.url.clone();
        let token = args.auth_token.clone();
        let clients = args.clients;
        async move {
            let deadline = Instant::now() + duration;
            let t0 = Instant::now();
            let mut tasks = Vec::new();
            for k in 0..clients {
                let url = url.clone();
                let token = token.clone();
                let tag = tag.clone();
                tasks.push(tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut call = 0i64;
                    'calls: while Instant::now() < deadline {
                        call += 1;
                        let m = (k as i64 + call * 7919) % n;
                        // A number per call, as a platform's callers are: with one number
                        // for every call, each greeting looked up that caller's hundreds of
                        // earlier calls (`app.caller_last_order`), and the 10-merchant base,
                        // whose merchants hold most of them, grew slower with each run.
                        let spec = CallSpec {
                            from: format!("+1554{:02}{:05}", k % 100, call % 100_000),
                            confidence: 0.9,
                            ..CallSpec::new(&url, &token, &number(m), &[])
                        };
                        let mut caller = Caller::new(spec, |_, _| {})
                            .with_call_sid(format!("SCALE-{tag}-{k}-{call}"));
                        for turn in 0..TURNS {
                            if turn > 0 && Instant::now() >= deadline {
                                latencies.extend_from_slice(caller.latencies());
                                break 'calls;
                            }
                            let body = if turn == 0 {
                                caller.post("/twilio/voice", &[("CallStatus", "ringing")]).await?
                            } else {
                                caller
                                    .post(
                                        &format!("/twilio/voice/gather?turn={turn}"),
                                        &[("SpeechResult", SAYS[turn - 1]), ("Confidence", "0.90")],
                                    )
                                    .await?
                            };
                            let last = turn == TURNS - 1;
                            let ok = !body.contains("<Dial")
                                && body.contains(if last { "<Hangup" } else { "<Gather" });
                            if !ok {
                                return Err(format!(
                                    "unexpected answer to turn {turn} of a call to merchant {m}: {body}"
                                ));
                            }
                        }
                        latencies.extend_from_slice(caller.latencies());
                    }
                    Ok::<Vec<Duration>, String>(latencies)
                }));
            }
            let mut all = Vec::new();
            for task in tasks {
                all.extend(task.await.map_err(|e| e.to_string())??);
            }
            Ok::<(Vec<Duration>, f64), String>((all, t0.elapsed().as_secs_f64()))
        }
    };
    // Warm up: the pool connects and its backends compile the menus they meet.
    // Call sids unique to this run, so a database measured before takes new calls.
    let run_id = std::process::id();
    let warm = run(Duration::from_secs(1), format!("W{run_id}-{n}{}", t.name)).await;
    let measured = match warm {
        Ok(_) => {
            run(
                Duration::from_secs(args.seconds),
                format!("M{run_id}-{n}{}", t.name),
            )
            .await
        }
        Err(e) => Err(e),
    };
    gw.stop().await;
    // The gateway's backends report their table statistics as they exit.
    for _ in 0..50 {
        let left: i64 = t
            .admin
            .query_one(
                "select count(*) from pg_stat_activity
                  where datname = current_database() and usename = 'kea_authenticator'",
                &[],
            )
            .await
            .map_err(|e| e.to_string())?
            .get(0);
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reads = menu_reads(&t.admin).await? - reads_before;
    let io_after = io_counts(&t.admin).await?;
    let (mut lat, elapsed) = measured.map_err(|e| format!("{} at {n} merchants: {e}", t.name))?;
    let after = turn_count(&t.admin).await?;
    // Every request of both runs (the warm-up's too) took a turn.
    let warm_and_measured = after - before;
    if lat.is_empty() || warm_and_measured < lat.len() as i64 {
        return Err(format!(
            "{} at {n} merchants: {} measured requests but {warm_and_measured} new turns",
            t.name,
            lat.len()
        ));
    }
    let turns = warm_and_measured.max(1) as f64;
    let statements = if args.breakdown {
        statements(&t.admin, turns).await?
    } else {
        Vec::new()
    };
    let mut io = Io::default();
    for (rel, (read, hit)) in &io_after {
        let (read0, hit0) = io_before.get(rel).copied().unwrap_or_default();
        let read = (read - read0) as f64 / turns;
        io.hit += (hit - hit0) as f64 / turns;
        io.read += read;
        if read >= 0.01 {
            io.most_read.push((rel.clone(), read));
        }
    }
    io.most_read.sort_by(|a, b| b.1.total_cmp(&a.1));
    io.most_read.truncate(8);
    Ok(Figures {
        menu_reads: reads as f64 / turns,
        io,
        load: crate::cpu::load_average(),
        statements,
        tps: lat.len() as f64 / elapsed,
        p50: percentile(&mut lat, 50.0),
        p99: percentile(&mut lat, 99.0),
    })
}

/// Index and sequential scans of `kea.menus` so far (the statistics of backends that exited).
async fn menu_reads(db: &tokio_postgres::Client) -> Result<i64, String> {
    db.query_one(
        "select coalesce(idx_scan, 0) + coalesce(seq_scan, 0) from pg_stat_user_tables
          where relid = 'kea.menus'::regclass",
        &[],
    )
    .await
    .map(|r| r.get(0))
    .map_err(|e| e.to_string())
}

/// Pages read from outside shared buffers and found in them, per table (heap and TOAST) and
/// per index of kea's schemas, so far (the statistics of backends that exited).
async fn io_counts(
    db: &tokio_postgres::Client,
) -> Result<std::collections::HashMap<String, (i64, i64)>, String> {
    let rows = db
        .query(
            "select schemaname || '.' || relname,
                    coalesce(heap_blks_read, 0) + coalesce(toast_blks_read, 0) + coalesce(tidx_blks_read, 0),
                    coalesce(heap_blks_hit, 0) + coalesce(toast_blks_hit, 0) + coalesce(tidx_blks_hit, 0)
               from pg_statio_user_tables
             union all
             select schemaname || '.' || indexrelname, coalesce(idx_blks_read, 0), coalesce(idx_blks_hit, 0)
               from pg_statio_user_indexes",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), (r.get(1), r.get(2))))
        .collect())
}

async fn turn_count(db: &tokio_postgres::Client) -> Result<i64, String> {
    db.query_one("select count(*) from app.turns", &[])
        .await
        .map(|r| r.get(0))
        .map_err(|e| e.to_string())
}

/// The database size per 1,000 calls, and where it goes.
async fn sizes(t: &Target) -> Result<(), String> {
    let citus = t.name == "Citus";
    // On Citus, a distributed table's size is the sum of its shards (citus_total_relation_size).
    let size = if citus {
        "(case when exists (select 1 from pg_dist_partition where logicalrelid = r and partmethod = 'h') then citus_total_relation_size(r) else pg_total_relation_size(r) end)"
    } else {
        "pg_total_relation_size(r)"
    };
    let sql = format!(
        "with t(name, r) as (values ('calls', 'app.calls'::regclass), ('turns', 'app.turns'),
                  ('orders', 'app.orders'), ('order_lines', 'app.order_lines'),
                  ('order_history', 'app.order_history'), ('tasks', 'app.tasks'),
                  ('jobs', 'app.jobs'), ('jobs_done', 'app.jobs_done'), ('job_keys', 'app.job_keys'))
         select name, {size}::float8 from t"
    );
    let rows = t.admin.query(&sql, &[]).await.map_err(|e| e.to_string())?;
    let calls: i64 = t
        .admin
        .query_one("select count(*) from app.calls", &[])
        .await
        .map_err(|e| e.to_string())?
        .get(0);
    // The TwiML's own bytes, from a sample of turns.
    let twiml_share: f64 = t
        .admin
        .query_one(
            "select coalesce(sum(pg_column_size(twiml))::float8 / nullif(sum(pg_column_size(t.*)), 0), 0)
               from (select * from app.turns limit 100000) t",
            &[],
        )
        .await
        .map_err(|e| e.to_string())?
        .get(0);
    let per = |bytes: f64| bytes / calls.max(1) as f64 * 1000.0 / 1_048_576.0;
    let total: f64 = rows.iter().map(|r| r.get::<_, f64>(1)).sum();
    println!(
        "{}: database size per 1,000 calls (tables with their indexes, {calls} calls): {:.2} MB",
        t.name,
        per(total)
    );
    for r in &rows {
        let (name, bytes): (&str, f64) = (r.get(0), r.get(1));
        let note = if name == "turns" {
            format!(
                " (TwiML: {:.0}% of the turn rows' bytes)",
                100.0 * twiml_share
            )
        } else {
            String::new()
        };
        println!("  {name:<14} {:>8.3} MB{note}", per(bytes));
    }
    Ok(())
}

/// kea-gateway on a free port against one database; killed when stopped or dropped.
struct Gateway {
    url: String,
    child: Child,
}

impl Gateway {
    async fn start(args: &Args, database_url: &str, log: &Path) -> Result<Gateway, String> {
        let bin = args.bin_dir.join("kea-gateway");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let listen = format!("127.0.0.1:{port}");
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new(&bin)
            .env("KEA_LISTEN", &listen)
            .env("KEA_DATABASE_URL", database_url)
            .env("KEA_LOG", "warn")
            .env("KEA_POOL_SIZE", args.clients.max(4).to_string())
            .stdout(Stdio::null())
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {} ({e}): build it first", bin.display()))?;
        let url = format!("http://{listen}");
        let http = reqwest::Client::new();
        let t0 = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{url}/healthz")).send().await {
                if r.status().is_success() {
                    return Ok(Gateway { url, child });
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "kea-gateway exited ({status}) at start: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                ));
            }
            if t0.elapsed() > Duration::from_secs(15) {
                return Err(format!("kea-gateway did not answer {url}/healthz in 15 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
