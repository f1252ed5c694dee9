//! The console's and merchant page's server side over HTTP (docs/console.md): `GET /events`
//! delivers an offer live to the agent it was routed to and to no one else, refuses what /rpc
//! refuses, and serves merchants their own tasks; `api.menu_for_task` and `api.call_for_task`
//! for a task the agent holds; the merchant's functions on its own data only. The pages
//! themselves are driven in Chromium by tests/browser/run.mjs.

use std::time::Duration;

use kea_tests::{admin, call, merchant, rpc, start_gateway, Gateway, Merchant};
use serde_json::{json, Value};
use tokio_postgres::Client;

async fn sign(db: &Client, claims: Value) -> String {
    db.query_one("select app.sign_jwt($1)", &[&claims])
        .await
        .expect("signing")
        .get(0)
}

fn exp() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 3600
}

/// A merchant routed to its own queue, so only this test's agents are offered its tasks.
async fn routed_merchant(db: &Client, skill: &str) -> Merchant {
    let m = merchant(db, "").await;
    db.batch_execute(&format!(
        "insert into app.task_queues (name, requires, reservation_timeout_s)
           values ('{skill}', '{{\"skills\": [\"{skill}\"]}}', 120);
         insert into app.workflows (name) values ('{skill}');
         insert into app.workflow_steps (workflow_id, step, kind, queue_id, timeout_s)
           select w.id, 1, 'queue', q.id, 600 from app.workflows w, app.task_queues q
            where w.name = '{skill}' and q.name = '{skill}';
         update app.merchants set workflow_id = (select id from app.workflows where name = '{skill}')
          where id = {};",
        m.id
    ))
    .await
    .expect("queue");
    m
}

async fn agent(db: &Client, email: &str, m: &Merchant, skill: &str) -> (i64, String) {
    let id: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Test Agent', 'pw', $2, 1)",
            &[&email, &json!({"merchants": [m.id], "skills": [skill]})],
        )
        .await
        .expect("agent")
        .get(0);
    let token = sign(
        db,
        json!({"role": "kea_agent", "agent_id": id, "sub": format!("agent:{id}"), "exp": exp()}),
    )
    .await;
    (id, token)
}

/// An open `/events` stream, read event by event.
struct Events(reqwest::Response, String);

/// What reading an `/events` stream gave: an event, the end of the stream (the server closed it
/// cleanly), or nothing within the time allowed (the stream still open). The stream ending and
/// the stream going quiet are different outcomes, and the tests tell them apart.
#[derive(Debug)]
enum Read {
    Event(Value),
    Ended,
    Quiet,
}

impl Read {
    /// The event, or a failure saying what was expected and what came instead.
    #[track_caller]
    fn event(self, what: &str) -> Value {
        match self {
            Read::Event(ev) => ev,
            other => panic!("expected {what}, the stream gave {other:?}"),
        }
    }
}

impl Events {
    async fn open(gw: &Gateway, token: &str) -> Events {
        let r = reqwest::Client::new()
            .get(format!("{}/events", gw.url))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET /events");
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "text/event-stream");
        Events(r, String::new())
    }

    /// The next event (JSON of a `data:` line), the end of the stream, or `Quiet` after `within`.
    /// A broken connection (a body error, not a clean end) fails the test.
    async fn next(&mut self, within: Duration) -> Read {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(cut) = self.1.find("\n\n") {
                let block: String = self.1.drain(..cut + 2).collect();
                if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Read::Event(serde_json::from_str(data).expect("event JSON"));
                }
                continue;
            }
            let Ok(chunk) = tokio::time::timeout_at(deadline, self.0.chunk()).await else {
                return Read::Quiet;
            };
            match chunk.expect("the stream broke instead of ending") {
                Some(bytes) => self.1.push_str(&String::from_utf8_lossy(&bytes)),
                None => return Read::Ended,
            }
        }
    }

    /// Skips events until one with `event` == `kind`; the end or a quiet stream stops it.
    async fn until(&mut self, kind: &str, within: Duration) -> Read {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Read::Event(ev) if ev["event"] != kind => continue,
                read => return read,
            }
        }
    }
}

const ORDER: &[&str] = &["a large cheese pizza and a coke", "that's all", "yes"];

#[tokio::test]
async fn an_offer_reaches_its_agent_live_and_no_one_else() {
    let db = admin().await;
    let gw = start_gateway().await;
    let skill = format!(
        "events-{}",
        kea_tests::unique_number().trim_start_matches('+')
    );
    let m = routed_merchant(&db, &skill).await;
    let (first, t1) = agent(&db, &format!("{skill}-1@test.example"), &m, &skill).await;
    let (_, t2) = agent(&db, &format!("{skill}-2@test.example"), &m, &skill).await;
    for t in [&t1, &t2] {
        assert_eq!(
            rpc(&gw, "set_activity", t, json!({"activity": "available"}))
                .await
                .0,
            200
        );
    }
    let mut one = Events::open(&gw, &t1).await;
    let mut two = Events::open(&gw, &t2).await;
    assert_eq!(
        one.next(Duration::from_secs(5)).await.event("ready")["agent_id"],
        first
    );
    // Let both listeners settle (the first subscriber starts the LISTEN connection).
    tokio::time::sleep(Duration::from_millis(300)).await;

    call(&gw, &m, ORDER).await;
    let offer = one
        .until("offered", Duration::from_secs(5))
        .await
        .event("the longest idle agent hears of the offer");
    assert_eq!(offer["yours"], true);
    assert_eq!(offer["merchant_id"], m.id);
    let task = offer["task_id"].as_i64().unwrap();
    let other = two.until("offered", Duration::from_millis(500)).await;
    assert!(
        matches!(other, Read::Quiet),
        "the other agent is not told of someone else's offer, and its stream stays open: {other:?}"
    );

    // The console's own functions, for the task the agent holds.
    let (s, menu) = rpc(&gw, "menu_for_task", &t1, json!({"task_id": task})).await;
    assert_eq!(s, 200, "{menu}");
    assert!(menu["items"].as_array().unwrap().len() > 10);
    let (s, call) = rpc(&gw, "call_for_task", &t1, json!({"task_id": task})).await;
    assert_eq!(s, 200, "{call}");
    assert!(call["turns"][1]["understood"]["extraction"]["lines"][0]["confidence"].is_number());
    let (s, denied) = rpc(&gw, "menu_for_task", &t2, json!({"task_id": task})).await;
    assert_eq!((s, denied["code"].as_str()), (404, Some("KT404")));

    // Passing it on: the second agent is offered it; the first hears it is gone, not by whom.
    assert_eq!(
        rpc(&gw, "reject_task", &t1, json!({"task_id": task}))
            .await
            .0,
        200
    );
    let moved = two
        .until("offered", Duration::from_secs(5))
        .await
        .event("the offer passed on");
    assert_eq!(
        (moved["task_id"].as_i64(), &moved["yours"]),
        (Some(task), &json!(true))
    );
    let gone = loop {
        let ev = one.next(Duration::from_secs(5)).await.event("gone");
        if ev["yours"] == false {
            break ev;
        }
    };
    assert!(gone.get("agent_id").is_none());
}

#[tokio::test]
async fn events_refuse_what_rpc_refuses() {
    let db = admin().await;
    let gw = start_gateway().await;
    let get = |auth: Option<String>| {
        let mut r = reqwest::Client::new().get(format!("{}/events", gw.url));
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get(None).await, 401);
    assert_eq!(get(Some("Bearer not.a.token".into())).await, 401);
    let expired = sign(
        &db,
        json!({"role": "kea_agent", "agent_id": 1, "exp": 1000}),
    )
    .await;
    assert_eq!(get(Some(format!("Bearer {expired}"))).await, 401);
    let pos = sign(
        &db,
        json!({"role": "kea_pos", "merchant_id": 1, "exp": exp()}),
    )
    .await;
    assert_eq!(get(Some(format!("Bearer {pos}"))).await, 403);
}

#[tokio::test]
async fn a_merchant_sees_and_changes_its_own_data_only() {
    let db = admin().await;
    let gw = start_gateway().await;
    let skill = format!(
        "merchant-{}",
        kea_tests::unique_number().trim_start_matches('+')
    );
    let m = routed_merchant(&db, &skill).await;
    let other = merchant(&db, "").await;
    let mine = sign(
        &db,
        json!({"role": "kea_merchant", "merchant_id": m.id, "exp": exp()}),
    )
    .await;
    let theirs = sign(
        &db,
        json!({"role": "kea_merchant", "merchant_id": other.id, "exp": exp()}),
    )
    .await;
    let mut events = Events::open(&gw, &mine).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await.event("ready")["merchant_id"],
        m.id
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    call(&gw, &m, ORDER).await;
    events
        .until("created", Duration::from_secs(5))
        .await
        .event("the order created");

    let (s, orders) = rpc(&gw, "merchant_orders_today", &mine, json!({})).await;
    assert_eq!(s, 200, "{orders}");
    assert_eq!(orders.as_array().unwrap().len(), 1);
    assert_eq!(orders[0]["status"], "pending_verification");
    assert_eq!(orders[0]["history"][0]["to"], "pending_verification");
    let (_, calls) = rpc(&gw, "merchant_calls", &mine, json!({})).await;
    assert_eq!(calls[0]["outcome"], "ordered");
    assert!(calls[0]["turns"].as_array().unwrap().len() >= 4);
    let (_, none) = rpc(&gw, "merchant_orders_today", &theirs, json!({})).await;
    assert_eq!(none, json!([]));

    // Sold out and back; a code not in the menu is refused.
    let flip = |available: bool| json!({"kind": "option", "group_code": "toppings", "code": "mushrooms", "available": available});
    assert_eq!(
        rpc(&gw, "set_option_available", &mine, flip(false)).await.0,
        200
    );
    let available = |id: i64| {
        let db = &db;
        async move {
            db.query_one(
                "select o.available from app.modifier_options o join app.modifier_groups g on g.id = o.group_id
                   join app.menus mn on mn.id = g.menu_id and mn.active
                  where g.merchant_id = $1 and g.code = 'toppings' and o.code = 'mushrooms'",
                &[&id],
            )
            .await
            .unwrap()
            .get::<_, bool>(0)
        }
    };
    assert!(!available(m.id).await);
    assert!(
        available(other.id).await,
        "another merchant's menu is untouched"
    );
    assert_eq!(
        rpc(&gw, "set_option_available", &mine, flip(true)).await.0,
        200
    );
    assert!(available(m.id).await);
    let (s, e) = rpc(
        &gw,
        "set_option_available",
        &mine,
        json!({"kind": "item", "code": "caviar", "available": false}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (404, Some("KM404")), "{e}");

    // Settings and hours.
    let (s, st) = rpc(
        &gw,
        "update_settings",
        &mine,
        json!({"transfer_number": "+12125550123", "greeting": "Ciao! Thanks for calling."}),
    )
    .await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["transfer_number"], "+12125550123");
    let (s, e) = rpc(
        &gw,
        "update_settings",
        &mine,
        json!({"transfer_number": "555-0123", "greeting": null}),
    )
    .await;
    assert_eq!(s, 400, "{e}");
    let (s, st) = rpc(
        &gw,
        "set_hours",
        &mine,
        json!({"hours": [{"weekday": 5, "opens": "11:00", "closes": "23:00"}]}),
    )
    .await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(st["hours_text"], "We're open Friday, 11:00 AM to 11:00 PM.");
}

#[tokio::test]
async fn a_stream_ends_when_its_token_expires_and_when_the_gateway_stops() {
    let db = admin().await;
    let gw = start_gateway().await;
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 2;
    let short = sign(
        &db,
        json!({"role": "kea_agent", "agent_id": 1, "exp": soon}),
    )
    .await;
    let mut events = Events::open(&gw, &short).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await.event("ready")["event"],
        "ready"
    );
    let last = events
        .until("expired", Duration::from_secs(5))
        .await
        .event("told the token expired");
    assert_eq!(last["event"], "expired");
    let after = events.next(Duration::from_secs(2)).await;
    assert!(
        matches!(after, Read::Ended),
        "the stream ends after `expired`: {after:?}"
    );

    let token = sign(
        &db,
        json!({"role": "kea_agent", "agent_id": 1, "exp": exp()}),
    )
    .await;
    let mut events = Events::open(&gw, &token).await;
    assert_eq!(
        events.next(Duration::from_secs(5)).await.event("ready")["event"],
        "ready"
    );
    drop(gw);
    // Shutting down ends open streams first, so they never hold the server up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let end = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match events.next(left).await {
            Read::Event(_) => continue,
            read => break read,
        }
    };
    assert!(
        matches!(end, Read::Ended),
        "the stream ends when the gateway stops: {end:?}"
    );
}
