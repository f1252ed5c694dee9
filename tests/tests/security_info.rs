//! What the gateway tells (issue 17, item 12; docs/security.md, "Information"): `/metrics` only
//! on its own listener, the database's own error words (constraint names, row values) only to
//! operators, `/openapi.json` only what the caller's role may call, and STOP's scope (every
//! merchant, said in the reply).

use kea_tests::{admin, merchant, start_gateway, Gateway};
use serde_json::{json, Value};
use tokio_postgres::Client;

async fn sign(db: &Client, claims: Value) -> String {
    let mut claims = claims;
    claims["exp"] = json!(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600
    );
    db.query_one("select app.sign_jwt($1)", &[&claims])
        .await
        .unwrap()
        .get(0)
}

async fn rpc(gw: &Gateway, f: &str, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/{f}", gw.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn openapi_paths(gw: &Gateway, token: Option<&str>) -> Vec<String> {
    let mut req = reqwest::Client::new().get(format!("{}/openapi.json", gw.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let doc: Value = req.send().await.unwrap().json().await.unwrap();
    let mut paths: Vec<String> = doc["paths"]
        .as_object()
        .unwrap_or_else(|| panic!("no paths: {doc}"))
        .keys()
        .map(|p| p.trim_start_matches("/rpc/").to_string())
        .collect();
    paths.sort();
    paths
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_only() {
    let gw = start_gateway().await;
    let public = reqwest::get(format!("{}/metrics", gw.url)).await.unwrap();
    assert_eq!(
        public.status(),
        404,
        "the public listener serves no metrics"
    );
    let own = reqwest::get(format!("{}/metrics", gw.metrics_url))
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    assert!(own.text().await.unwrap().contains("kea_gateway_requests"));
}

#[tokio::test]
async fn the_databases_own_words_reach_operators_only() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let staff = sign(&db, json!({"role": "kea_merchant", "merchant_id": m.id})).await;
    // A weekday that is not one: the table's check constraint refuses the row.
    let (status, body) = rpc(
        &gw,
        "set_hours",
        &staff,
        json!({"hours": [{"weekday": 9, "opens": "11:00", "closes": "22:00"}]}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("23514")),
        "{body}"
    );
    let text = body.to_string();
    for secret in [
        "opening_hours",
        "check constraint",
        "Failing row",
        "weekday_check",
    ] {
        assert!(!text.contains(secret), "{secret:?} told to staff: {text}");
    }
    assert_eq!(body["details"], Value::Null);
    // kea's own errors keep their words (what the page shows).
    let (status, body) = rpc(
        &gw,
        "set_option_available",
        &staff,
        json!({"kind": "item", "code": "no_such_item", "available": false}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("KM404")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("no_such_item"));
    // An operator sees the database's words.
    let service = sign(&db, json!({"role": "kea_service", "sub": "ops@info.test"})).await;
    let (status, body) = rpc(
        &gw,
        "connect_pos",
        &service,
        json!({"merchant_id": m.id, "kind": "carrier-pigeon", "base_url": null, "secret": "s"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("pos_connections"),
        "{body}"
    );
}

#[tokio::test]
async fn openapi_describes_what_the_callers_role_may_call() {
    let db = admin().await;
    let gw = start_gateway().await;
    assert_eq!(
        openapi_paths(&gw, None).await,
        ["login", "pre_request"],
        "anonymous callers may sign in (and ask whether their token is good), nothing else"
    );
    let staff = sign(&db, json!({"role": "kea_merchant", "merchant_id": 1})).await;
    let merchant = openapi_paths(&gw, Some(&staff)).await;
    assert!(merchant.contains(&"merchant_settings".to_string()));
    for hidden in [
        "twilio_voice",
        "issue_pos_token",
        "my_tasks",
        "token_revoked",
        "analytics",
    ] {
        assert!(
            !merchant.contains(&hidden.to_string()),
            "{hidden} shown to staff"
        );
    }
    let service = sign(&db, json!({"role": "kea_service"})).await;
    let ops = openapi_paths(&gw, Some(&service)).await;
    assert!(ops.contains(&"issue_pos_token".to_string()));
    assert!(!ops.iter().any(|p| p.starts_with("twilio_")), "{ops:?}");
    // A bad token is refused as /rpc refuses it.
    let r = reqwest::Client::new()
        .get(format!("{}/openapi.json", gw.url))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn stop_holds_for_every_merchant_and_says_so() {
    let db = admin().await;
    let a = merchant(&db, "").await;
    let b = merchant(&db, "").await;
    let caller = format!("+1212555{:04}", std::process::id() % 10_000);
    db.execute("delete from app.sms_opt_outs where phone = $1", &[&caller])
        .await
        .unwrap();
    let reply: String = db
        .query_one(
            "select api.twilio_sms(jsonb_build_object('To', $1::text, 'From', $2::text, 'Body', 'stop',
                                                      'MessageSid', 'SM' || md5(random()::text)))",
            &[&a.number, &caller],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        reply.contains("or any other restaurant kea takes orders for"),
        "{reply}"
    );
    // Merchant B's confirmation to that number is not sent either.
    let order: i64 = db
        .query_one(
            "insert into app.orders (merchant_id, status, customer_phone, subtotal_cents, tax_cents, total_cents)
             values ($1, 'abandoned', $2, 0, 0, 0) returning id",
            &[&b.id, &caller],
        )
        .await
        .unwrap()
        .get(0);
    let job: i64 = db
        .query_one(
            "select app.enqueue($1, 'sms', jsonb_build_object('order_id', $2::bigint, 'template', 'rejected'),
                                null, now() + interval '1 day')",
            &[&b.id, &order],
        )
        .await
        .unwrap()
        .get(0);
    let message: Value = db
        .query_one("select worker.sms_message($1)", &[&job])
        .await
        .unwrap()
        .get(0);
    db.execute("delete from app.jobs where id = $1", &[&job])
        .await
        .unwrap();
    assert_eq!(message["opted_out"], true, "{message}");
}
