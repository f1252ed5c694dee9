//! Tokens can be revoked (issue 17, item 7; docs/security.md, "Tokens"): a sign-in's token
//! stops working, on `/rpc` and `/events`, when the staff member is deleted or moved to another
//! merchant or the password changes; POS tokens are rotated with a grace period and revoked.

use kea_tests::{admin, merchant, start_gateway, Gateway};
use serde_json::{json, Value};
use tokio_postgres::Client;

async fn rpc(gw: &Gateway, f: &str, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/{f}", gw.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("rpc");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn events(gw: &Gateway, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/events", gw.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("/events")
        .status()
        .as_u16()
}

async fn login(gw: &Gateway, email: &str, password: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/login", gw.url))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    let v: Value = r.json().await.unwrap();
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {v}"))
        .to_string()
}

async fn sql(db: &Client, q: &str, email: &str) {
    db.execute(q, &[&email]).await.unwrap();
}

#[tokio::test]
async fn a_deleted_or_repassworded_account_loses_its_tokens() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let other = merchant(&db, "").await;
    let staff = format!("staff-{}@tokens.test", m.id);
    db.execute(
        "select app.upsert_merchant_user($1, $2, 'Staff', 'staff-pw')",
        &[&m.id, &staff],
    )
    .await
    .unwrap();
    let token = login(&gw, &staff, "staff-pw").await;
    assert_eq!(
        rpc(&gw, "merchant_settings", &token, json!({})).await.0,
        200
    );
    assert_eq!(events(&gw, &token).await, 200);
    // The same password again changes nothing.
    db.execute(
        "select app.upsert_merchant_user($1, $2, 'Staff Renamed', 'staff-pw')",
        &[&m.id, &staff],
    )
    .await
    .unwrap();
    assert_eq!(
        rpc(&gw, "merchant_settings", &token, json!({})).await.0,
        200
    );
    // A new password: the old sign-in ends, on /rpc and /events.
    db.execute(
        "select app.upsert_merchant_user($1, $2, 'Staff', 'new-staff-pw')",
        &[&m.id, &staff],
    )
    .await
    .unwrap();
    let (status, body) = rpc(&gw, "merchant_settings", &token, json!({})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("KA401")),
        "{body}"
    );
    assert_eq!(events(&gw, &token).await, 401);
    let token = login(&gw, &staff, "new-staff-pw").await;
    assert_eq!(
        rpc(&gw, "merchant_settings", &token, json!({})).await.0,
        200
    );
    // Moved to another merchant: the token of the first one ends.
    db.execute(
        "select app.upsert_merchant_user($1, $2, 'Staff', 'new-staff-pw')",
        &[&other.id, &staff],
    )
    .await
    .unwrap();
    assert_eq!(
        rpc(&gw, "merchant_settings", &token, json!({})).await.0,
        401
    );
    // Deleted.
    let token = login(&gw, &staff, "new-staff-pw").await;
    assert_eq!(
        rpc(&gw, "merchant_settings", &token, json!({})).await.0,
        200
    );
    sql(
        &db,
        "delete from app.merchant_users where email = $1",
        &staff,
    )
    .await;
    assert_eq!(
        rpc(&gw, "merchant_settings", &token, json!({})).await.0,
        401
    );
    assert_eq!(events(&gw, &token).await, 401);

    // An agent: the same.
    let agent = format!("agent-{}@tokens.test", m.id);
    db.execute(
        "select app.upsert_agent($1, 'Agent', 'agent-pw')",
        &[&agent],
    )
    .await
    .unwrap();
    let token = login(&gw, &agent, "agent-pw").await;
    assert_eq!(rpc(&gw, "my_tasks", &token, json!({})).await.0, 200);
    db.execute(
        "select app.upsert_agent($1, 'Agent', 'agent-pw-2')",
        &[&agent],
    )
    .await
    .unwrap();
    assert_eq!(rpc(&gw, "my_tasks", &token, json!({})).await.0, 401);
    let token = login(&gw, &agent, "agent-pw-2").await;
    sql(&db, "delete from app.agents where email = $1", &agent).await;
    assert_eq!(rpc(&gw, "my_tasks", &token, json!({})).await.0, 401);
}

#[tokio::test]
async fn pos_tokens_are_rotated_with_grace_and_revoked() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let service: String = db
        .query_one(
            "select app.sign_jwt(jsonb_build_object('role', 'kea_service', 'sub', 'ops@tokens.test',
                     'exp', extract(epoch from now() + interval '1 hour')::bigint))",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let issue = |f: &'static str, body: Value| {
        let (gw, service) = (&gw, &service);
        async move {
            let (status, v) = rpc(gw, f, service, body).await;
            assert_eq!(status, 200, "{f}: {v}");
            v["token"].as_str().map(str::to_string)
        }
    };
    // Accepted: the callback is answered for what it asks (no such order), not refused.
    let accepted = |token: String| {
        let gw = &gw;
        async move {
            let (status, body) = rpc(
                gw,
                "pos_order_update",
                &token,
                json!({"order_id": -1, "status": "completed"}),
            )
            .await;
            match status {
                404 => true,
                401 => false,
                other => panic!("{other} {body}"),
            }
        }
    };
    let first = issue("issue_pos_token", json!({"merchant_id": m.id}))
        .await
        .unwrap();
    assert!(accepted(first.clone()).await);
    // A rotation with an hour's grace: both work meanwhile.
    let second = issue("rotate_pos_token", json!({"merchant_id": m.id}))
        .await
        .unwrap();
    assert!(
        accepted(first.clone()).await,
        "the old token within its grace"
    );
    assert!(accepted(second.clone()).await);
    // At once: only the newest.
    let third = issue(
        "rotate_pos_token",
        json!({"merchant_id": m.id, "grace_minutes": 0}),
    )
    .await
    .unwrap();
    assert!(!accepted(first).await);
    assert!(!accepted(second).await);
    assert!(accepted(third.clone()).await);
    // A POS token that never was issued (signed with the secret, no jti) is refused too.
    let unissued: String = db
        .query_one(
            "select app.sign_jwt(jsonb_build_object('role', 'kea_pos', 'merchant_id', $1::bigint,
                     'exp', extract(epoch from now() + interval '1 hour')::bigint))",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!accepted(unissued).await);
    // Everything revoked.
    issue("revoke_pos_tokens", json!({"merchant_id": m.id})).await;
    assert!(!accepted(third).await);
    let issued_by: String = db
        .query_one(
            "select string_agg(distinct issued_by, ',') from app.pos_tokens where merchant_id = $1",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(issued_by, "ops@tokens.test");
}
