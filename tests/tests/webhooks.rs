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
        .json(&serde_json::json!({"call_sid": "CAnone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        401,
        "anonymous callers may not read calls: sign in (PostgREST: 401)"
    );
    let r = client
        .post(format!("{}/rpc/call_summary", gw.url))
        .bearer_auth("not.a.jwt")
        .json(&serde_json::json!({"call_sid": "CAnone"}))
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

/// Whether a TwiML answer is the apology (the turn failed) rather than the dialog going on.
fn is_apology(body: &str) -> bool {
    body.contains("having trouble taking your order")
}

#[tokio::test]
async fn a_query_past_its_budget_is_cancelled_and_its_connection_discarded() {
    let db = admin().await;
    let m = merchant(&db, "").await;
    // One pooled connection, a 1 s budget, and a name to find the gateway's backends by.
    let app = format!("kea_budget_test_{}", std::process::id());
    let url = format!("{}?application_name={app}", test_database_url());
    let gw = start_gateway_configured(&url, |c| {
        c.pool_size = 1;
        c.sql_budget_ms = 1_000;
    })
    .await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    let greeting = caller.post("/twilio/voice", &[]).await.unwrap();
    assert!(!is_apology(&greeting), "{greeting}");
    // Another session holds the call's row: the next turn's SQL waits on the lock, as a
    // statement that runs away would.
    let mut locker = admin().await;
    let lock = locker.transaction().await.unwrap();
    lock.execute(
        "select 1 from app.calls where call_sid = $1 for update",
        &[&caller.call_sid()],
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let hung = caller
        .post(
            "/twilio/voice/gather?turn=1",
            &[("SpeechResult", "a coke"), ("Confidence", "0.9")],
        )
        .await
        .unwrap();
    assert!(
        is_apology(&hung),
        "past its budget the caller gets the apology: {hung}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    // The statement was cancelled and its connection closed, not left waiting in the pool.
    let mut left = i64::MAX;
    for _ in 0..50 {
        left = db
            .query_one(
                "select count(*) from pg_stat_activity where application_name = $1",
                &[&app],
            )
            .await
            .unwrap()
            .get(0);
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        left, 0,
        "the hung backend is gone while the lock is still held"
    );
    // The next call gets a fresh connection and is answered, lock or not.
    let mut next = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    let answer = next.post("/twilio/voice", &[]).await.unwrap();
    assert!(
        !is_apology(&answer),
        "the pool did not hand out the hung connection: {answer}"
    );
    lock.rollback().await.unwrap();
    let metrics = metrics(&gw).await;
    assert!(
        metrics.contains("kea_gateway_sql_cancelled_total 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn hostile_parameter_values_keep_the_call_going() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    let start = caller
        .post(
            "/twilio/voice",
            &[("CallerName", "Bob\0by"), ("FromCity", "\u{1}\u{ffff}")],
        )
        .await
        .unwrap();
    assert!(!is_apology(&start), "{start}");
    let turns: [&[(&str, &str)]; 6] = [
        &[
            ("SpeechResult", "a large\0 cheese pizza\u{fffe}"),
            ("Confidence", "abc"),
        ],
        &[("SpeechResult", "and a coke\u{7}"), ("Confidence", "")],
        &[("SpeechResult", "and a sprite"), ("Confidence", "1,5")],
        &[("SpeechResult", "and a brownie"), ("Confidence", "1e309")],
        &[("SpeechResult", "and a cannoli"), ("Confidence", "-0.5")],
        &[("SpeechResult", "yes"), ("Confidence", "7")],
    ];
    for (i, extra) in turns.iter().enumerate() {
        let path = format!("/twilio/voice/gather?turn={}", i + 1);
        let body = caller.post(&path, extra).await.unwrap();
        assert!(!is_apology(&body), "turn {}: {body}", i + 1);
        assert!(parse(&body).is_ok(), "turn {}: {body}", i + 1);
    }
    let rows = db
        .query(
            "select t.seq, t.speech, t.confidence from app.turns t join app.calls c
                 on c.merchant_id = t.merchant_id and c.id = t.call_id
              where c.call_sid = $1 and t.seq > 0 order by t.seq",
            &[&caller.call_sid()],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 6, "every turn was taken");
    for r in &rows {
        let speech: Option<String> = r.get(1);
        let speech = speech.unwrap_or_default();
        assert!(
            speech.chars().all(kea_core::twiml::is_xml_char),
            "stored speech keeps a forbidden character: {speech:?}"
        );
    }
    let confidences: Vec<Option<f32>> = rows.iter().map(|r| r.get(2)).collect();
    // Unusable values count as absent (full confidence); out of range ones are clamped.
    assert_eq!(
        confidences,
        vec![
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(0.0),
            Some(1.0)
        ]
    );
}

#[tokio::test]
async fn status_callbacks_with_odd_durations_still_end_the_call() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    caller.post("/twilio/voice", &[]).await.unwrap();
    caller
        .post(
            "/twilio/voice/status",
            &[
                ("CallStatus", "completed"),
                ("CallDuration", "12.5"),
                ("RecordingDuration", "abc\0"),
            ],
        )
        .await
        .unwrap();
    let row = db
        .query_one(
            "select status, duration_s, recording_duration_s from app.calls where call_sid = $1",
            &[&caller.call_sid()],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, String>(0),
        "ended",
        "the end of the call is recorded"
    );
    assert_eq!(row.get::<_, Option<i32>>(1), None);
    assert_eq!(row.get::<_, Option<i32>>(2), None);
}

#[tokio::test]
async fn a_call_start_without_a_call_sid_is_apologised_to_and_writes_nothing() {
    let db = admin().await;
    let m = merchant(&db, "").await;
    // Started after the merchant exists: the apology finds the store's number in the directory.
    let gw = start_gateway().await;
    for sid in [None, Some(""), Some("\0")] {
        let mut params = vec![
            ("From".to_string(), "+15551112222".to_string()),
            ("To".to_string(), m.number.clone()),
            ("CallStatus".to_string(), "ringing".to_string()),
        ];
        if let Some(sid) = sid {
            params.push(("CallSid".to_string(), sid.to_string()));
        }
        let (status, body) = post_signed(&gw.url, "/twilio/voice", &params, AUTH_TOKEN).await;
        assert_eq!(status, 200);
        let verbs = parse(&body).expect("valid TwiML");
        assert!(
            verbs
                .iter()
                .any(|v| matches!(v, Verb::Dial { number, .. } if *number == m.transfer_number)),
            "apologises and puts the caller through to the store: {verbs:?}"
        );
    }
    let calls: i64 = db
        .query_one(
            "select count(*) from app.calls where merchant_id = $1",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(calls, 0);
}

#[tokio::test]
async fn a_turn_that_is_not_a_number_is_taken_as_absent() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    let greeting = caller.post("/twilio/voice", &[]).await.unwrap();
    assert!(greeting.contains("turn=1"), "{greeting}");
    // Absent: not kea's own action URL, so the caller hears the greeting again and the call
    // does not move.
    for (turn, says) in [
        ("-1", "a coke"),
        ("abc", "and a sprite"),
        ("1.5", "that's all"),
    ] {
        let body = caller
            .post(
                &format!("/twilio/voice/gather?turn={turn}"),
                &[("SpeechResult", says), ("Confidence", "0.9")],
            )
            .await
            .unwrap();
        assert_eq!(body, greeting, "turn={turn}: the greeting again");
    }
    assert_eq!(
        call_state(&db, caller.call_sid()).await,
        (1, 0),
        "nothing taken"
    );
    // The real first turn then goes on.
    let next = caller
        .post(
            "/twilio/voice/gather?turn=1",
            &[("SpeechResult", "a coke"), ("Confidence", "0.9")],
        )
        .await
        .unwrap();
    assert!(next.contains("turn=2") && !is_apology(&next), "{next}");
    assert_eq!(call_state(&db, caller.call_sid()).await, (2, 1));
}

/// The call's next turn and how many lines its cart holds.
async fn call_state(db: &tokio_postgres::Client, sid: &str) -> (i32, i32) {
    let r = db
        .query_one(
            "select c.next_turn, json_array_length(c.state->'cart') from app.calls c where c.call_sid = $1",
            &[&sid],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1))
}

/// Issue 9, item 5: a turn number kea never handed out (ahead of the call, or none at all) did
/// not come from kea's own action URL: the caller hears the last prompt again and nothing
/// changes; the real next turn then goes on.
#[tokio::test]
async fn a_turn_ahead_of_the_call_or_missing_changes_nothing() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let mut caller = Caller::new(
        CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
        |_, _| {},
    );
    caller.post("/twilio/voice", &[]).await.unwrap();
    let speech = |text: &'static str| [("SpeechResult", text), ("Confidence", "0.9")];
    let first = caller
        .post("/twilio/voice/gather?turn=1", &speech("a coke"))
        .await
        .unwrap();
    for path in ["/twilio/voice/gather?turn=50", "/twilio/voice/gather"] {
        let again = caller
            .post(path, &speech("a large pepperoni pizza"))
            .await
            .unwrap();
        assert_eq!(again, first, "{path}: the last prompt again");
    }
    assert_eq!(
        call_state(&db, caller.call_sid()).await,
        (2, 1),
        "only the coke"
    );
    let next = caller
        .post(
            "/twilio/voice/gather?turn=2",
            &speech("and a large pepperoni pizza"),
        )
        .await
        .unwrap();
    assert!(!is_apology(&next), "{next}");
    assert_eq!(call_state(&db, caller.call_sid()).await, (3, 2));
}

#[tokio::test]
async fn a_pizza_without_its_size_is_never_read_back_or_ordered() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let t = call(&gw, &m, &["add a cheese pizza", "that's all", "yes"]).await;
    let said = t.kea_said();
    // Asked for the size, and still asking at every later turn, until the caller hangs up.
    assert_eq!(
        said.get(1).copied(),
        Some("What size would you like for the Cheese Pizza: small, medium or large?"),
        "{said:?}"
    );
    let s = summary(&gw, &t.call_sid).await;
    let phases: Vec<&str> = s["turns"]
        .as_array()
        .expect("turns")
        .iter()
        .skip(1)
        .map(|t| t["phase"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(phases, ["ask_choice"; 3], "{said:?}");
    assert_eq!(s["outcome"], "abandoned", "{said:?}");
    assert!(
        said.iter()
            .all(|s| !s.contains("$0.00") && !s.contains("Shall I place the order")),
        "{said:?}"
    );
    let orders: i64 = db
        .query_one(
            "select count(*) from app.orders o join app.calls c
                 on c.merchant_id = o.merchant_id and c.id = o.call_id
              where c.call_sid = $1 and o.status = 'pending_verification'",
            &[&t.call_sid],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(orders, 0, "{said:?}");
}
