//! JWT claims (issue 17, item 8; docs/api.md, "Tokens"): a token needs a numeric `exp` and an
//! `aud` naming kea, on `/rpc` and `/events`, so every `/events` stream ends when its token
//! does; `app.sign_jwt` sets the audience.

use kea_tests::{admin, start_gateway, Gateway};
use serde_json::{json, Value};
use tokio_postgres::Client;

/// An HS256 token of exactly these claims, signed with the tests' secret.
async fn raw(db: &Client, claims: Value) -> String {
    db.query_one(
        "select x || '.' || app.base64url(hmac(convert_to(x, 'utf8'), convert_to($2, 'utf8'), 'sha256'))
           from (select app.base64url(convert_to('{\"alg\":\"HS256\",\"typ\":\"JWT\"}', 'utf8')) || '.'
                        || app.base64url(convert_to($1::jsonb::text, 'utf8')) as x) s",
        &[&claims, &kea_tests::JWT_SECRET],
    )
    .await
    .expect("token")
    .get(0)
}

async fn statuses(gw: &Gateway, token: &str) -> (u16, u16) {
    let http = reqwest::Client::new();
    let rpc = http
        .post(format!("{}/rpc/my_tasks", gw.url))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    let events = http
        .get(format!("{}/events", gw.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (rpc, events)
}

#[tokio::test]
async fn tokens_need_a_numeric_expiry_and_kea_as_audience() {
    let db = admin().await;
    let gw = start_gateway().await;
    let agent: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Claims', 'claims-pw')",
            &[&format!("claims-{}@claims.test", std::process::id())],
        )
        .await
        .unwrap()
        .get(0);
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let base = json!({"role": "kea_agent", "agent_id": agent});
    let with = |extra: Value| {
        let mut c = base.clone();
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        c
    };
    let good = raw(&db, with(json!({"exp": later, "aud": "kea"}))).await;
    assert_eq!(statuses(&gw, &good).await, (200, 200));
    let also = raw(&db, with(json!({"exp": later, "aud": ["billing", "kea"]}))).await;
    assert_eq!(statuses(&gw, &also).await.0, 200, "kea among its audiences");
    for (why, claims) in [
        (
            "no exp: a stream would never end",
            with(json!({"aud": "kea"})),
        ),
        (
            "a text exp",
            with(json!({"aud": "kea", "exp": later.to_string()})),
        ),
        ("no aud", with(json!({"exp": later}))),
        (
            "another system's audience",
            with(json!({"exp": later, "aud": "billing"})),
        ),
    ] {
        let token = raw(&db, claims).await;
        assert_eq!(statuses(&gw, &token).await, (401, 401), "{why}");
    }
    // SQL-signed tokens get the audience.
    let signed: String = db
        .query_one(
            "select app.sign_jwt(jsonb_build_object('role', 'kea_agent', 'agent_id', $1::bigint, 'exp', $2::bigint))",
            &[&agent, &(later as i64)],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(statuses(&gw, &signed).await, (200, 200));
}
