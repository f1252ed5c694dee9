//! The gateway's contract with Twilio: signatures, retries, status callbacks, and valid TwiML
//! for every failure.

use kea_gateway::signature;
use kea_gateway::simulator::{parse, CallSpec, Caller, Verb};
use kea_tests::*;

async fn post_signed(
    url: &str,
    path: &str,
    params: &[(String, String)],
    token: &str,
) -> (u16, String) {
    let sig = signature::sign(token, &format!("{url}{path}"), params);
    let resp = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .header("X-Twilio-Signature", sig)
        .form(params)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

fn start_params(sid: &str, to: &str) -> Vec<(String, String)> {
    [
        ("CallSid", sid),
        ("From", "+15551112222"),
        ("To", to),
        ("CallStatus", "ringing"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[tokio::test]
async fn missing_or_wrong_signatures_get_403_and_touch_nothing() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let params = start_params("CAsig1", &m.number);
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/twilio/voice", gw.url))
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (status, _) = post_signed(&gw.url, "/twilio/voice", &params, "not-the-token").await;
    assert_eq!(status, 403);
    let calls: i64 = db
        .query_one(
            "select count(*) from app.calls where merchant_id = $1",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(calls, 0);
    let metrics = metrics(&gw).await;
    assert!(
        metrics.contains("kea_gateway_bad_signatures_total 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unknown_number_gets_an_apology_not_an_error() {
    let gw = start_gateway().await;
    let (status, body) = post_signed(
        &gw.url,
        "/twilio/voice",
        &start_params("CAnobody", "+15550000001"),
        AUTH_TOKEN,
    )
    .await;
    assert_eq!(status, 200);
    let verbs = parse(&body).expect("valid TwiML");
    assert!(
        matches!(&verbs[0], Verb::Say(s) if s.contains("Sorry")),
        "{verbs:?}"
    );
    assert_eq!(verbs.last(), Some(&Verb::Hangup));
}

#[tokio::test]
async fn a_database_that_is_down_still_gets_valid_twiml() {
    // Nothing listens on port 9: every SQL call fails.
    let gw = start_gateway_with("postgres://kea_authenticator:kea@127.0.0.1:9/kea_test").await;
    for path in ["/twilio/voice", "/twilio/voice/gather?turn=1"] {
        let (status, body) = post_signed(
            &gw.url,
            path,
            &start_params("CAdown", "+15555550100"),
            AUTH_TOKEN,
        )
        .await;
        assert_eq!(status, 200, "{path}");
        let verbs = parse(&body).expect("valid TwiML");
        assert!(
            matches!(&verbs[0], Verb::Say(s) if s.contains("Sorry")),
            "{verbs:?}"
        );
    }
    let health = reqwest::get(format!("{}/healthz", gw.url)).await.unwrap();
    assert_eq!(health.status(), 503);
}

#[tokio::test]
async fn a_failure_inside_sql_apologises_and_dials_the_store() {
    let db = admin().await;
    let m = merchant(&db, "").await;
    // The gateway loads the store directory at start; then the menu disappears from under the
    // dialog, so kea.dialog_step raises (menu not published).
    let gw = start_gateway().await;
    db.execute("delete from kea.menus where menu_id = $1", &[&m.menu_id])
        .await
        .unwrap();
    let (status, body) = post_signed(
        &gw.url,
        "/twilio/voice",
        &start_params("CAbroken", &m.number),
        AUTH_TOKEN,
    )
    .await;
    assert_eq!(status, 200);
    let verbs = parse(&body).expect("valid TwiML");
    assert!(
        verbs.iter().any(
            |v| matches!(v, Verb::Dial { number, action: None } if number == &m.transfer_number)
        ),
        "{verbs:?}"
    );
    let metrics = metrics(&gw).await;
    assert!(
        metrics.contains("kea_gateway_twiml_fallbacks_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_retried_turn_returns_the_same_twiml_and_changes_nothing() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    let greeting = caller
        .post("/twilio/voice", &[("CallStatus", "ringing")])
        .await
        .unwrap();
    let again = caller
        .post("/twilio/voice", &[("CallStatus", "ringing")])
        .await
        .unwrap();
    assert_eq!(greeting, again, "a retried start webhook answers the same");
    let speech = [
        ("SpeechResult", "a large cheese pizza"),
        ("Confidence", "0.9"),
    ];
    let first = caller
        .post("/twilio/voice/gather?turn=1", &speech)
        .await
        .unwrap();
    let retry = caller
        .post("/twilio/voice/gather?turn=1", &speech)
        .await
        .unwrap();
    assert_eq!(first, retry);
    let row = db
        .query_one(
            "select c.next_turn, json_array_length(c.state->'cart'), (select count(*) from app.turns t
                    where t.merchant_id = c.merchant_id and t.call_id = c.id)
               from app.calls c where c.call_sid = $1",
            &[&caller.call_sid()],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 2);
    assert_eq!(row.get::<_, i32>(1), 1, "one pizza in the cart, not two");
    assert_eq!(row.get::<_, i64>(2), 2, "turns 0 and 1 only");
}

#[tokio::test]
async fn concurrent_requests_for_one_call_are_serialised() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    caller.post("/twilio/voice", &[]).await.unwrap();
    let sid = caller.call_sid().to_string();
    let params = caller.params(&[("SpeechResult", "a coke"), ("Confidence", "0.9")]);
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (url, params) = (gw.url.clone(), params.clone());
        handles.push(tokio::spawn(async move {
            post_signed(&url, "/twilio/voice/gather?turn=1", &params, AUTH_TOKEN).await
        }));
    }
    let mut bodies = Vec::new();
    for h in handles {
        let (status, body) = h.await.unwrap();
        assert_eq!(status, 200);
        bodies.push(body);
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every copy got the same answer"
    );
    let cart: i32 = db
        .query_one(
            "select json_array_length(state->'cart') from app.calls where call_sid = $1",
            &[&sid],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(cart, 1);
}

#[tokio::test]
async fn a_call_that_ends_mid_order_leaves_an_abandoned_order() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let t = call(&gw, &m, &["two medium sausage pizzas", "<hangup>"]).await;
    let s = summary(&gw, &t.call_sid).await;
    assert_eq!(s["outcome"], "abandoned");
    assert_eq!(s["status"], "ended");
    assert_eq!(s["order"]["status"], "abandoned");
    assert_eq!(s["order"]["lines"][0]["item_code"], "sausage_pizza");
    assert_eq!(s["order"]["lines"][0]["quantity"], 2);

    // The same final callback again, and a late "in-progress": nothing changes.
    let params: Vec<(String, String)> = [
        ("CallSid", t.call_sid.as_str()),
        ("To", m.number.as_str()),
        ("From", "+15551230000"),
        ("CallStatus", "completed"),
        ("CallDuration", "42"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(
        post_signed(&gw.url, "/twilio/voice/status", &params, AUTH_TOKEN)
            .await
            .0,
        200
    );
    let mut late = params.clone();
    late[3].1 = "in-progress".into();
    assert_eq!(
        post_signed(&gw.url, "/twilio/voice/status", &late, AUTH_TOKEN)
            .await
            .0,
        200
    );
    let row = db
        .query_one(
            "select count(*), max(c.twilio_status), max(c.duration_s)
               from app.orders o join app.calls c on c.merchant_id = o.merchant_id and c.id = o.call_id
              where c.call_sid = $1",
            &[&t.call_sid],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1, "one abandoned order, not two");
    assert_eq!(
        row.get::<_, Option<String>>(1).as_deref(),
        Some("completed")
    );
    assert_eq!(row.get::<_, Option<i32>>(2), Some(42));
}

#[tokio::test]
async fn rpc_needs_a_valid_token_and_maps_errors() {
    let gw = start_gateway().await;
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/rpc/call_summary", gw.url))
        .json(&serde_json::json!({"p_call_sid": "CAnone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "anonymous callers may not read calls");
    let r = client
        .post(format!("{}/rpc/call_summary", gw.url))
        .bearer_auth("not.a.jwt")
        .json(&serde_json::json!({"p_call_sid": "CAnone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .post(format!("{}/rpc/no_such_function", gw.url))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = client
        .post(format!("{}/rpc/call_summary", gw.url))
        .body("[1]")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
