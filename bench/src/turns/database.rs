//! The bench merchant, and what the bench reads in the database: that every request took a
//! real turn, and a settled state before each measurement.

use super::callers::{FROM, STORE, TURNS};

fn e(err: tokio_postgres::Error) -> String {
    err.as_db_error()
        .map_or(err.to_string(), |d| d.message().to_string())
}

/// A merchant with Tony's menu on STORE, open around the clock, and per pgbench client k a
/// live call BENCH-REF-k for the reference turn. Returns the merchant id.
pub async fn setup(db: &tokio_postgres::Client, clients: usize) -> Result<i64, String> {
    db.batch_execute(include_str!("../../sql/reference_turn.sql"))
        .await
        .map_err(e)?;
    let merchant: i64 = db
        .query_one(
            "insert into app.merchants (slug, name, tax_rate_bp, transfer_number)
             values ('bench-turns', 'Bench Pizza', 825, '+15550009001') returning id",
            &[],
        )
        .await
        .map_err(e)?
        .get(0);
    db.execute(
        "insert into app.phone_numbers values ($1, $2)",
        &[&STORE, &merchant],
    )
    .await
    .map_err(e)?;
    db.execute(
        "insert into app.opening_hours select $1, d, '00:00', '24:00' from generate_series(0, 6) d",
        &[&merchant],
    )
    .await
    .map_err(e)?;
    let menu: serde_json::Value = serde_json::from_str(include_str!(
        "../../../migrations/seed/tonys_pizza.menu.json"
    ))
    .map_err(|e| e.to_string())?;
    db.execute("select api.import_menu($1, $2)", &[&merchant, &menu])
        .await
        .map_err(e)?;
    for k in 0..clients {
        let p = serde_json::json!({"CallSid": format!("BENCH-REF-{k}"), "To": STORE, "From": FROM});
        db.query_one("select api.twilio_voice($1)", &[&p])
            .await
            .map_err(e)?;
    }
    Ok(merchant)
}

/// Rows of `app.turns` of the bench merchant.
pub async fn turn_count(db: &tokio_postgres::Client, merchant: i64) -> Result<i64, String> {
    db.query_one(
        "select count(*) from app.turns where merchant_id = $1",
        &[&merchant],
    )
    .await
    .map(|r| r.get(0))
    .map_err(e)
}

/// Every request took a real turn: `app.turns` grew by exactly `requests` since it counted
/// `before` (none was answered as a retry, with the last prompt again, or as a call already
/// over).
pub async fn check_count(
    db: &tokio_postgres::Client,
    merchant: i64,
    before: i64,
    requests: usize,
) -> Result<(), String> {
    let turns = turn_count(db, merchant).await? - before;
    if requests == 0 || turns != requests as i64 {
        return Err(format!(
            "{requests} requests but {turns} new turns in app.turns: not every request took a turn"
        ));
    }
    Ok(())
}

/// [`check_count`], and every call of the measurement (sids `BENCH-{tag}-...`) that got all
/// its turns saved its order, and at least one did.
pub async fn check_turns(
    db: &tokio_postgres::Client,
    merchant: i64,
    tag: &str,
    before: i64,
    requests: usize,
) -> Result<(), String> {
    check_count(db, merchant, before, requests).await?;
    let row = db
        .query_one(
            "select count(*) filter (where outcome = 'ordered' and order_id is not null),
                    count(*) filter (where outcome is distinct from 'ordered' or order_id is null)
               from app.calls
              where merchant_id = $1 and call_sid like $2 and next_turn = $3",
            &[&merchant, &format!("BENCH-{tag}-%"), &(TURNS as i32)],
        )
        .await
        .map_err(e)?;
    let (ordered, not): (i64, i64) = (row.get(0), row.get(1));
    if ordered == 0 || not > 0 {
        return Err(format!(
            "of the calls that got all {TURNS} turns, {ordered} saved their order and {not} did not"
        ));
    }
    Ok(())
}

/// Every measurement starts from the same state: the database vacuumed and analysed (so
/// autovacuum is unlikely to start mid-measurement) and a checkpoint just done (so no
/// measurement has one, and each pays the same full-page writes after it). The durability
/// settings themselves stay at PostgreSQL's defaults.
pub async fn settle(db: &tokio_postgres::Client) -> Result<(), String> {
    // Two statements: VACUUM cannot share a query string (an implicit transaction).
    for sql in ["vacuum analyze", "checkpoint"] {
        db.batch_execute(sql)
            .await
            .map_err(|err| format!("{sql} before a measurement: {}", e(err)))?;
    }
    Ok(())
}

/// Process ids of the connections a server under measurement holds (it logs in as
/// kea_authenticator; the bench and pgbench as the admin role).
pub async fn server_backends(db: &tokio_postgres::Client) -> Result<Vec<String>, String> {
    let rows = db
        .query(
            "select pid::text from pg_stat_activity
              where datname = current_database() and usename = 'kea_authenticator'
                and backend_type = 'client backend'",
            &[],
        )
        .await
        .map_err(e)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Time spent inside the turn by each turn of the calls (`app.turns.elapsed_ms`, written by
/// `api.twilio_gather`; the greeting's excludes the call row `api.twilio_voice` inserts first),
/// over every measurement of the run: (turn, phase, turns, p50 ms, p90 ms).
pub async fn turn_times(
    db: &tokio_postgres::Client,
    merchant: i64,
) -> Result<Vec<(i32, String, i64, f64, f64)>, String> {
    let rows = db
        .query(
            "select t.seq, t.phase, count(*),
                    percentile_cont(0.5) within group (order by t.elapsed_ms),
                    percentile_cont(0.9) within group (order by t.elapsed_ms)
               from app.turns t
               join app.calls c on c.merchant_id = t.merchant_id and c.id = t.call_id
              where t.merchant_id = $1 and c.call_sid not like 'BENCH-REF-%' and t.seq < $2
              group by 1, 2 order by 1, 3 desc",
            &[&merchant, &(TURNS as i32)],
        )
        .await
        .map_err(e)?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect())
}
