//! SQL invariants: every `tests/sql/*.sql` runs against kea_test inside a transaction that is
//! rolled back. A file fails when any statement raises (the files assert with `assert` /
//! `raise` in DO blocks, one scenario per block). SQL tests whose value is what they print
//! (dialog turns, hours, menus, roles, analytics, error codes) are pg_regress files instead:
//! `tests/regress`, run by `scripts/regress`.

use kea_tests::{admin, admin_to};

#[tokio::test]
async fn sql_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sql");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/sql")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no SQL tests found in {dir}");
    let mut failures = Vec::new();
    for f in &files {
        let db = admin().await;
        let sql = std::fs::read_to_string(f).expect("readable");
        let result = db
            .batch_execute(&format!("begin;\n{sql}\n;rollback;"))
            .await;
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        match result {
            Ok(()) => println!("sql {name} ... ok"),
            Err(e) => {
                let msg = e
                    .as_db_error()
                    .map_or(e.to_string(), |d| d.message().to_string());
                println!("sql {name} ... FAILED: {msg}");
                failures.push(format!("{name}: {msg}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} SQL files failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// A menu published by one session is what every other session's cached copy becomes: the
/// publish sends a relcache invalidation that each backend's menu cache listens for.
#[tokio::test]
async fn a_menu_published_in_one_session_is_seen_by_the_others() {
    const MENU: i64 = -4242;
    let publisher = admin().await;
    let reader = admin().await;
    let publish = |code: &'static str| {
        let menu = serde_json::json!({"name": "Stall", "items": [{"id": 1, "code": code, "name": code, "price_cents": 100}]});
        let db = &publisher;
        async move {
            db.execute("select kea.publish_menu($1, $2)", &[&MENU, &menu])
                .await
                .unwrap();
        }
    };
    let item = |said: &'static str| {
        let db = &reader;
        async move {
            let r = db
                .query_one("select kea.extract($1, $2)", &[&MENU, &said])
                .await
                .unwrap();
            let v: serde_json::Value = r.get(0);
            v["lines"][0]["item"].as_str().map(str::to_string)
        }
    };
    publish("tea").await;
    assert_eq!(
        item("a tea").await.as_deref(),
        Some("tea"),
        "compiled and cached"
    );

    publish("scone").await;
    let after = item("a scone").await;
    let gone = item("a tea").await;
    publisher
        .execute("delete from kea.menus where menu_id = $1", &[&MENU])
        .await
        .unwrap();
    assert_eq!(after.as_deref(), Some("scone"), "the new version is used");
    assert_eq!(gone, None, "the old version is gone");
}

/// A backend that ran turns keeps running them after the extension is recreated under it
/// (scripts/migrate does that for a new build while the gateway's pooled connections live on).
#[tokio::test]
async fn turns_survive_the_extension_being_recreated() {
    const DB: &str = "kea_test_recreate";
    let admin = admin().await;
    // One statement each: neither may run in a transaction block.
    for sql in [
        format!("drop database if exists {DB} with (force)"),
        format!("create database {DB}"),
    ] {
        admin.batch_execute(&sql).await.unwrap();
    }
    let setup = "create extension pg_kea;
        select kea.publish_menu(1, '{\"name\": \"Stall\", \"items\": [{\"id\": 1, \"code\": \"tea\", \"name\": \"Tea\", \"price_cents\": 100}]}')";
    let pooled = admin_to(DB).await;
    pooled.batch_execute(setup).await.unwrap();
    let turn = "select (kea.dialog_turn(1, '{}', '{\"name\": \"Stall\"}', 0, null, 'start',
                                         null, null, null, null)).phase";
    let before: String = pooled.query_one(turn, &[]).await.unwrap().get(0);

    let migrate = admin_to(DB).await;
    migrate
        .batch_execute(&format!("drop extension pg_kea cascade; {setup}"))
        .await
        .unwrap();
    let after = pooled
        .query_one(turn, &[])
        .await
        .map(|r| r.get::<_, String>(0));
    drop((pooled, migrate));
    admin
        .batch_execute(&format!("drop database {DB} with (force)"))
        .await
        .unwrap();
    assert_eq!(before, "ordering");
    let after = after.map_err(|e| {
        e.as_db_error()
            .map_or(e.to_string(), |d| d.message().into())
    });
    assert_eq!(after.as_deref(), Ok("ordering"));
}
