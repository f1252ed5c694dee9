//! `/rpc` resolves calls against a cached catalog (PostgREST's schema cache): a function added
//! after start-up is not seen until a NOTIFY on `kea_catalog` (what scripts/migrate sends when it
//! applies the SQL) makes the gateway read the catalog again.
//!
//! It runs in a database of its own, so the functions it adds never show in kea_test's `api`.

use std::time::{Duration, Instant};

use kea_tests::{admin_to, drop_database, fresh_database, start_gateway_with, test_database_url};
use serde_json::Value;

const DB: &str = "kea_catalog_cache";

async fn rpc(url: &str, f: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{url}/rpc/{f}"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("rpc");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_function_added_after_start_up_is_callable_after_the_notify() {
    fresh_database(DB).await;
    let db = admin_to(DB).await;
    // What /rpc needs of a database: the api schema, api.token_revoked, one function.
    db.batch_execute(
        "create schema api;
         grant usage on schema api to kea_anon, kea_authenticator;
         create function api.token_revoked(jsonb) returns text language sql as 'select null::text';
         create function api.first() returns int language sql as 'select 1';
         grant execute on function api.first() to kea_anon;",
    )
    .await
    .expect("schema");
    let base = test_database_url();
    let url = format!(
        "{}/{DB}",
        &base[..base.rfind('/').expect("a database name")]
    );
    let gw = start_gateway_with(&url).await;
    // The gateway reloads when its LISTEN connection is made: wait for it, so that reload
    // cannot be mistaken for the NOTIFY's.
    let admin = admin_to("postgres").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let listening: i64 = admin
            .query_one(
                "select count(*) from pg_stat_activity where datname = $1 and query = 'listen kea_catalog'",
                &[&DB],
            )
            .await
            .expect("pg_stat_activity")
            .get(0);
        if listening > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the gateway never listened on kea_catalog"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert_eq!(rpc(&gw.url, "first").await, (200, Value::from(1)));
    assert_eq!(rpc(&gw.url, "added").await.0, 404, "not there yet");
    db.batch_execute(
        "create function api.added() returns int language sql as 'select 42';
         grant execute on function api.added() to kea_anon;",
    )
    .await
    .expect("adding a function");
    let (status, body) = rpc(&gw.url, "added").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("PGRST202")),
        "the cached catalog does not have it yet"
    );

    db.batch_execute("notify kea_catalog, 'reload'")
        .await
        .expect("notify");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = rpc(&gw.url, "added").await;
    while last.0 != 200 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        last = rpc(&gw.url, "added").await;
    }
    assert_eq!(last, (200, Value::from(42)), "callable after the NOTIFY");

    drop(gw);
    drop(db);
    drop(admin);
    drop_database(DB).await;
}
