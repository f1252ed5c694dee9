//! After the call, over HTTP: agents sign in through `/rpc`, the task router offers each order
//! to one agent, offers time out to the next agent (timeouts are jobs run by a real kea-worker,
//! in-process), an agent going offline gives the task back, nobody answering escalates to the
//! store, and a call Twilio never ended is swept (issue 9, item 6). Each test has its own
//! merchant, agents and routing workflow, so tests run side by side.

use std::time::{Duration, Instant};

use kea_tests::{admin, call, merchant, start_gateway, test_database_url, Gateway, Merchant};
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio_postgres::Client;

const ORDER: &[&str] = &["two large pepperoni pizzas", "that's all", "yes"];

/// POST /rpc/<function> with a token: (status, body).
/// One test of this file at a time. A worker claims due jobs of every merchant, and a test's
/// in-process worker dies with its test's runtime holding what it claimed: run beside the
/// backlog test, such workers took some of its 3,000 jobs, which came back only when their
/// leases ran out (CI: "every job ran once: 2996", then with longer leases "not within 15 s").
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

async fn rpc(gw: &Gateway, function: &str, args: Value, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/rpc/{function}", gw.url))
        .json(&args);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("POST /rpc");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// An agent serving only this merchant, signed in and available; returns (id, token).
async fn agent(db: &Client, gw: &Gateway, m: &Merchant, name: &str, idle_s: i64) -> (i64, String) {
    let email = format!("{name}-{}@test.example", m.number.trim_start_matches('+'));
    let id: i64 = db
        .query_one(
            "select app.upsert_agent($1, $2, 'pw-for-tests', $3, 1)",
            &[&email, &name, &json!({"merchants": [m.id]})],
        )
        .await
        .unwrap()
        .get(0);
    let (status, body) = rpc(
        gw,
        "login",
        json!({"email": email, "password": "pw-for-tests"}),
        None,
    )
    .await;
    assert_eq!(status, 200, "login: {body}");
    let token = body["token"].as_str().expect("a token").to_string();
    let (status, body) = rpc(
        gw,
        "set_activity",
        json!({"activity": "available"}),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "set_activity: {body}");
    // Longest idle is offered first: make the order of the agents explicit.
    db.execute(
        "update app.agents set activity_at = now() - make_interval(secs => $2) where id = $1",
        &[&id, &(idle_s as f64)],
    )
    .await
    .unwrap();
    (id, token)
}

/// A routing workflow of the merchant's own: a queue whose offers last `offer_s`, for
/// `step_s`, then the store.
async fn workflow(db: &Client, m: &Merchant, offer_s: i32, step_s: i32) {
    let name = format!("test-{}", m.id);
    db.batch_execute(&format!(
        "insert into app.task_queues (name, reservation_timeout_s) values ('{name}', {offer_s});
         insert into app.workflows (name) values ('{name}');
         insert into app.workflow_steps (workflow_id, step, kind, queue_id, timeout_s)
         select w.id, 1, 'queue', q.id, {step_s} from app.workflows w, app.task_queues q
          where w.name = '{name}' and q.name = '{name}';
         insert into app.workflow_steps (workflow_id, step, kind, timeout_s)
         select id, 2, 'escalate_store', 60 from app.workflows where name = '{name}';
         update app.merchants set workflow_id = (select id from app.workflows where name = '{name}')
          where id = {}",
        m.id
    ))
    .await
    .unwrap();
}

/// A real kea-worker, in-process, polling often (no Twilio credentials: texts wait).
fn start_worker() -> watch::Sender<bool> {
    start_worker_with(4, 0)
}

fn start_worker_with(concurrency: usize, prefetch: usize) -> watch::Sender<bool> {
    start_worker_serving(concurrency, prefetch, "off", |_| {})
}

/// The same, serving its metrics on `metrics` (host:port, or "off"); `on_metrics` gets the
/// bound address.
fn start_worker_serving(
    concurrency: usize,
    prefetch: usize,
    metrics: &str,
    on_metrics: impl FnOnce(Option<std::net::SocketAddr>) + Send + 'static,
) -> watch::Sender<bool> {
    let (stop, stopped) = watch::channel(false);
    let config = kea_worker::Config {
        worker_database_url: Some(test_database_url()),
        database_url: test_database_url(),
        concurrency,
        prefetch,
        lease_s: 5.0,
        poll_ms: 100,
        metrics: metrics.into(),
        shutdown_s: 1.0,
        http_timeout_s: 2.0,
        sms_settle_s: 1.0,
        worker_id: None,
        threads: 1,
        twilio_account_sid: None,
        twilio_auth_token: None,
        twilio_api_url: "http://127.0.0.1:9".into(),
        square_api_url: "http://127.0.0.1:9".into(),
        public_url: None,
    };
    tokio::spawn(async move {
        if let Err(e) = kea_worker::run(config, stopped, on_metrics).await {
            panic!("the worker stopped: {e}");
        }
    });
    stop
}

async fn order_of_call(db: &Client, m: &Merchant) -> (i64, i64) {
    let r = db
        .query_one(
            "select o.id, t.id from app.orders o join app.tasks t on t.merchant_id = o.merchant_id and t.order_id = o.id
              where o.merchant_id = $1 order by o.id desc limit 1",
            &[&m.id],
        )
        .await
        .expect("the call's order has a task");
    (r.get(0), r.get(1))
}

async fn live_offer(db: &Client, task: i64) -> Option<(i64, String)> {
    db.query_opt(
        "select agent_id, status from app.reservations where task_id = $1 and status in ('pending', 'accepted')",
        &[&task],
    )
    .await
    .unwrap()
    .map(|r| (r.get(0), r.get(1)))
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 15 s");
}

#[tokio::test]
async fn the_offer_goes_to_one_agent_who_verifies_and_approves_over_rpc() {
    let _serial = serial().await;
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let (first, first_token) = agent(&db, &gw, &m, "first", 600).await;
    let (_second, second_token) = agent(&db, &gw, &m, "second", 60).await;
    call(&gw, &m, ORDER).await;
    let (order, task) = order_of_call(&db, &m).await;
    assert_eq!(
        live_offer(&db, task).await,
        Some((first, "pending".into())),
        "longest idle first"
    );

    let (_, mine) = rpc(&gw, "my_tasks", json!({}), Some(&first_token)).await;
    assert_eq!(mine[0]["task_id"], task, "{mine}");
    assert_eq!(mine[0]["order"]["id"], order);

    // Both agents race to accept: only the one it was offered to gets it.
    let (a, b) = tokio::join!(
        rpc(
            &gw,
            "accept_task",
            json!({"task_id": task}),
            Some(&first_token)
        ),
        rpc(
            &gw,
            "accept_task",
            json!({"task_id": task}),
            Some(&second_token)
        ),
    );
    assert_eq!(a.0, 200, "{}", a.1);
    assert_eq!((b.0, b.1["code"].as_str()), (404, Some("KT404")), "{}", b.1);

    let (status, edited) = rpc(
        &gw,
        "edit_order_line",
        json!({"task_id": task, "line_no": 1, "quantity": 3}),
        Some(&first_token),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["lines"][0]["quantity"], 3);
    assert_eq!(edited["subtotal_cents"], 3 * 1949, "repriced: {edited}");
    let (status, refused) = rpc(
        &gw,
        "edit_order_line",
        json!({"task_id": task, "line_no": 1, "variation": "gigantic"}),
        Some(&first_token),
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("KM422")),
        "{refused}"
    );

    let (status, approved) = rpc(
        &gw,
        "approve_order",
        json!({"task_id": task}),
        Some(&first_token),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "verified");
    let r = db
        .query_one(
            "select (select count(*) from app.order_edits where order_id = $1),
                    (select count(*) from app.jobs_all where unique_key = 'sms:confirmation:' || $1),
                    (select string_agg(to_status, ',' order by id) from app.order_history where order_id = $1)",
            &[&order],
        )
        .await
        .unwrap();
    assert_eq!(r.get::<_, i64>(0), 1, "the edit is recorded");
    assert_eq!(
        r.get::<_, i64>(1),
        1,
        "no POS connected: the caller's text is queued"
    );
    assert_eq!(
        r.get::<_, String>(2),
        "pending_verification,in_verification,verified"
    );
    let (status, again) = rpc(
        &gw,
        "approve_order",
        json!({"task_id": task}),
        Some(&first_token),
    )
    .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (404, Some("KT404")),
        "{again}"
    );
}

#[tokio::test]
async fn an_offer_not_accepted_in_time_goes_to_the_next_agent() {
    let _serial = serial().await;
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    workflow(&db, &m, 1, 600).await;
    let (first, _) = agent(&db, &gw, &m, "slow", 600).await;
    let (second, second_token) = agent(&db, &gw, &m, "quick", 60).await;
    let stop = start_worker();
    call(&gw, &m, ORDER).await;
    let (_, task) = order_of_call(&db, &m).await;
    assert_eq!(live_offer(&db, task).await.map(|o| o.0), Some(first));
    eventually("the offer times out to the next agent", || async {
        live_offer(&db, task).await.map(|o| o.0) == Some(second)
    })
    .await;
    let (status, body) = rpc(
        &gw,
        "accept_task",
        json!({"task_id": task}),
        Some(&second_token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let timed_out: i64 = db
        .query_one(
            "select count(*) from app.reservations where task_id = $1 and agent_id = $2 and status = 'timeout'",
            &[&task, &first],
        )
        .await
        .unwrap()
        .get(0);
    let _ = stop.send(true);
    assert_eq!(timed_out, 1);
}

#[tokio::test]
async fn an_agent_going_offline_gives_the_task_back() {
    let _serial = serial().await;
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let (first, first_token) = agent(&db, &gw, &m, "leaving", 600).await;
    let (second, _) = agent(&db, &gw, &m, "staying", 60).await;
    call(&gw, &m, ORDER).await;
    let (order, task) = order_of_call(&db, &m).await;
    assert_eq!(live_offer(&db, task).await.map(|o| o.0), Some(first));
    let (status, body) = rpc(
        &gw,
        "accept_task",
        json!({"task_id": task}),
        Some(&first_token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = rpc(
        &gw,
        "set_activity",
        json!({"activity": "offline"}),
        Some(&first_token),
    )
    .await;
    assert_eq!(
        (status, body["activity"].as_str()),
        (200, Some("offline")),
        "{body}"
    );
    assert_eq!(
        live_offer(&db, task).await,
        Some((second, "pending".into()))
    );
    let status: String = db
        .query_one("select status from app.orders where id = $1", &[&order])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        status, "pending_verification",
        "the order waits for the next agent"
    );
}

#[tokio::test]
async fn nobody_taking_the_task_escalates_to_the_store() {
    let _serial = serial().await;
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    workflow(&db, &m, 1, 1).await;
    let stop = start_worker();
    call(&gw, &m, ORDER).await;
    let (order, task) = order_of_call(&db, &m).await;
    eventually("the task is escalated to the store", || async {
        db.query_one("select outcome from app.tasks where id = $1", &[&task])
            .await
            .unwrap()
            .get::<_, Option<String>>(0)
            .as_deref()
            == Some("escalated")
    })
    .await;
    let texts: i64 = db
        .query_one(
            "select count(*) from app.jobs_all where kind = 'sms' and args->>'template' = 'store_escalation'
               and (args->>'order_id')::bigint = $1",
            &[&order],
        )
        .await
        .unwrap()
        .get(0);
    let _ = stop.send(true);
    assert_eq!(texts, 1, "the store gets the order by text");
}

/// Issue 9, item 6: a call with no webhook for longer than Twilio's longest call is closed by
/// the scheduled sweep, its cart kept as an abandoned order.
#[tokio::test]
async fn a_call_twilio_never_ended_is_swept_with_its_cart_kept() {
    let _serial = serial().await;
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    // The caller orders and is never heard of again: the simulator's status callback is undone,
    // as if Twilio had never sent it.
    let t = call(&gw, &m, &["a large pepperoni pizza", "<hangup>"]).await;
    db.batch_execute(&format!(
        "delete from app.orders o using app.calls c
          where c.call_sid = '{0}' and o.merchant_id = c.merchant_id and o.call_id = c.id;
         update app.calls set status = 'active', outcome = null, ended_at = null, order_id = null,
                twilio_status = 'in-progress', started_at = now() - interval '5 hours'
          where call_sid = '{0}'",
        t.call_sid
    ))
    .await
    .unwrap();
    db.execute(
        "update app.turns t set created_at = now() - interval '5 hours'
           from app.calls c where c.call_sid = $1 and t.merchant_id = c.merchant_id and t.call_id = c.id",
        &[&t.call_sid],
    )
    .await
    .unwrap();
    let stop = start_worker();
    // The sweep runs on its schedule; this one is due now (another period's key).
    db.execute(
        "select app.enqueue(0, 'sweep_calls', '{}', 'sweep_calls:test:' || $1::text, null, 1)",
        &[&t.call_sid],
    )
    .await
    .unwrap();
    eventually("the call is swept", || async {
        db.query_one(
            "select status from app.calls where call_sid = $1",
            &[&t.call_sid],
        )
        .await
        .unwrap()
        .get::<_, String>(0)
            == "ended"
    })
    .await;
    let _ = stop.send(true);
    let r = db
        .query_one(
            "select c.outcome, c.twilio_status, o.status, (select count(*) from app.order_lines l
                     where l.merchant_id = o.merchant_id and l.order_id = o.id)
               from app.calls c join app.orders o on o.merchant_id = c.merchant_id and o.id = c.order_id
              where c.call_sid = $1",
            &[&t.call_sid],
        )
        .await
        .expect("the cart is kept as an order");
    assert_eq!(r.get::<_, String>(0), "abandoned");
    assert_eq!(r.get::<_, String>(1), "swept");
    assert_eq!(r.get::<_, String>(2), "abandoned");
    assert_eq!(r.get::<_, i64>(3), 1);
}

/// A deep backlog at concurrency 1: with a prefetch the worker claims batches and holds them
/// ready, far fewer claims than jobs (its `kea_worker_claims` metric), and still runs every job
/// exactly once. Without a prefetch it makes about one claim per job.
#[tokio::test]
async fn a_prefetching_worker_runs_a_backlog_in_batches_each_job_once() {
    let _serial = serial().await;
    const JOBS: i64 = 3000;
    let db = admin().await;
    let tenant: i64 = -(i64::from(std::process::id()) * 10 + 7);
    db.execute(
        "insert into app.jobs (merchant_id, kind) select $1, 'noop' from generate_series(1, $2::bigint)",
        &[&tenant, &JOBS],
    )
    .await
    .unwrap();
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let stop = start_worker_serving(1, 100, "127.0.0.1:0", move |a| {
        let _ = addr_tx.send(a);
    });
    let addr = addr_rx.await.unwrap().expect("metrics served");
    eventually("the backlog is done", || async {
        db.query_one(
            "select count(*) from app.jobs_all where merchant_id = $1 and state <> 'completed'",
            &[&tenant],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
            == 0
    })
    .await;
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let _ = stop.send(true);
    let claims: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("kea_worker_claims_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no kea_worker_claims_total in:\n{text}"));
    let once: i64 = db
        .query_one(
            "select count(*) from app.jobs_all where merchant_id = $1 and attempt = 1",
            &[&tenant],
        )
        .await
        .unwrap()
        .get(0);
    db.batch_execute(&format!(
        "delete from app.jobs where merchant_id = {tenant}; delete from app.jobs_done where merchant_id = {tenant}"
    ))
        .await
        .unwrap();
    assert_eq!(once, JOBS, "every job ran once");
    assert!(
        claims < (JOBS / 10) as f64,
        "{claims} claims for {JOBS} jobs: the backlog was not claimed in batches"
    );
}
