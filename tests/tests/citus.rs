//! kea on a Citus cluster (issue 20, docs/scaling.md): the Citus stage that ends `scripts/test`
//! (and `scripts/test --citus`) builds the local cluster (`scripts/citus --fresh`: a coordinator
//! and two workers, kea distributed by merchant) and runs these with `--include-ignored` and the
//! harness pointed at the coordinator (`KEA_TEST_ADMIN_URL`, `KEA_TEST_DATABASE_URL`); the stage
//! fails if any of them is skipped. They are `#[ignore]`d in the `cargo test` of plain
//! PostgreSQL, which has no cluster; each first checks that it is on one.
//!
//! - A whole call on Citus: the real gateway and a real kea-worker on the coordinator, a call
//!   becomes an order and a task, an agent approves it over `/rpc`, the worker sends it to the
//!   POS stand-in and texts the caller through the Twilio stand-in.
//! - Every statement of a turn that reads or writes a merchant's call data is a router query:
//!   every command Citus sends for it (`citus.log_remote_commands`) names only that merchant's
//!   shards, on the one worker that holds them. (auto_explain cannot show these plans: Citus
//!   cannot EXPLAIN a statement with parameters from inside a function.)

use std::sync::Arc;
use std::time::{Duration, Instant};

use kea_tests::{admin, call_with, merchant, start_gateway, test_database_url, Gateway};
use kea_worker::standins::{self, pos_webhook::PosWebhook, twilio::Twilio};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Client, NoTls};

const POS_SECRET: &str = "kea-citus-pos-secret";
const TWILIO_SID: &str = "ACcitus00000000000000000000000000";
const TWILIO_TOKEN: &str = "kea-citus-twilio-token";

/// Panics unless the test database is a Citus coordinator with kea's tenant tables distributed.
async fn on_citus(db: &Client) {
    let distributed: i64 = db
        .query_one(
            "select count(*) from pg_catalog.pg_extension e, pg_dist_partition p
              where e.extname = 'citus' and p.logicalrelid = 'app.orders'::regclass
                and p.partmethod = 'h'",
            &[],
        )
        .await
        .expect("not a Citus coordinator: run scripts/test --citus")
        .get(0);
    assert_eq!(distributed, 1, "app.orders is not distributed here");
}

/// The worker ports of the cluster (pg_dist_node, every node but the coordinator).
async fn worker_ports(db: &Client) -> Vec<i32> {
    db.query(
        "select nodeport from pg_dist_node where groupid <> 0 order by nodeport",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
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

async fn received(url: &str) -> Value {
    reqwest::get(format!("{url}/_received"))
        .await
        .expect("/_received")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
#[ignore = "needs the Citus cluster: run by scripts/test's Citus stage"]
async fn a_call_on_citus_is_ordered_approved_sent_to_the_pos_and_texted() {
    let db = admin().await;
    on_citus(&db).await;
    let gw = start_gateway().await;
    let pos = standins::start("127.0.0.1:0", Arc::new(PosWebhook::new(POS_SECRET, 20)))
        .await
        .expect("the POS stand-in");
    let twilio = standins::start(
        "127.0.0.1:0",
        Arc::new(Twilio::new(TWILIO_SID, TWILIO_TOKEN, &[])),
    )
    .await
    .expect("the Twilio stand-in");
    let (stop, stopped) = watch::channel(false);
    let config = kea_worker::Config {
        worker_database_url: Some(test_database_url()),
        database_url: test_database_url(),
        concurrency: 4,
        prefetch: 0,
        lease_s: 5.0,
        poll_ms: 100,
        metrics: "off".into(),
        shutdown_s: 1.0,
        http_timeout_s: 5.0,
        sms_settle_s: 1.0,
        worker_id: Some(format!("citus-{}", std::process::id())),
        threads: 1,
        twilio_account_sid: Some(TWILIO_SID.into()),
        twilio_auth_token: Some(TWILIO_TOKEN.into()),
        twilio_api_url: twilio.url.clone(),
        square_api_url: "http://127.0.0.1:9".into(),
        public_url: None,
    };
    tokio::spawn(async move {
        if let Err(e) = kea_worker::run(config, stopped, |_| {}).await {
            panic!("the worker stopped: {e}");
        }
    });

    let m = merchant(&db, "").await;
    db.execute(
        "select api.connect_pos($1, 'webhook', $2, $3, null)",
        &[&m.id, &pos.url, &POS_SECRET],
    )
    .await
    .expect("connecting the POS stand-in");
    let email = format!("citus-{}@test.example", m.number.trim_start_matches('+'));
    db.execute(
        "select app.upsert_agent($1, 'Citus agent', 'pw-for-tests', $2, 1)",
        &[&email, &json!({"merchants": [m.id]})],
    )
    .await
    .expect("an agent");
    let (status, body) = rpc(
        &gw,
        "login",
        json!({"email": email, "password": "pw-for-tests"}),
        None,
    )
    .await;
    assert_eq!(status, 200, "login: {body}");
    let token = body["token"].as_str().expect("a token").to_string();
    let (status, body) = rpc(
        &gw,
        "set_activity",
        json!({"activity": "available"}),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "set_activity: {body}");

    let caller = format!("+1557{}", &m.number[5..]);
    let t = call_with(
        &gw,
        &m,
        &["two large pepperoni pizzas", "that's all", "yes"],
        |s| s.from = caller.clone(),
    )
    .await;
    assert_eq!(t.ended_by, "kea hung up", "{:?}", t.lines);

    // The order and its task live on a worker, in the merchant's shard.
    let r = db
        .query_one(
            "select o.id, t.id, o.status, o.customer_phone from app.orders o
               join app.tasks t on t.merchant_id = o.merchant_id and t.order_id = o.id
              where o.merchant_id = $1",
            &[&m.id],
        )
        .await
        .expect("the call's order and its task");
    let (order, task): (i64, i64) = (r.get(0), r.get(1));
    assert_eq!(r.get::<_, String>(2), "pending_verification");
    assert_eq!(
        r.get::<_, Option<String>>(3).as_deref(),
        Some(caller.as_str())
    );
    let port: i32 = db
        .query_one(
            "select n.nodeport from pg_dist_shard s
               join pg_dist_placement p using (shardid)
               join pg_dist_node n using (groupid)
              where s.logicalrelid = 'app.orders'::regclass
                and s.shardid = get_shard_id_for_distribution_column('app.orders', $1::bigint)",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        worker_ports(&db).await.contains(&port),
        "the order's shard is on node {port}, not a worker"
    );

    let (_, mine) = rpc(&gw, "my_tasks", json!({}), Some(&token)).await;
    assert_eq!(mine[0]["task_id"], task, "offered to the agent: {mine}");
    let (status, body) = rpc(&gw, "accept_task", json!({"task_id": task}), Some(&token)).await;
    assert_eq!(status, 200, "accept_task: {body}");
    let (status, body) = rpc(&gw, "approve_order", json!({"task_id": task}), Some(&token)).await;
    assert_eq!(status, 200, "approve_order: {body}");
    assert_eq!(body["status"], "verified", "{body}");

    // The worker takes it to the POS, which accepts it, and texts the caller.
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let status: String = db
            .query_one(
                "select status from app.orders where merchant_id = $1 and id = $2",
                &[&m.id, &order],
            )
            .await
            .unwrap()
            .get(0);
        let texted: bool = db
            .query_one(
                "select exists (select 1 from app.jobs_done where merchant_id = $1 and kind = 'sms'
                                   and (args->>'order_id')::bigint = $2)",
                &[&m.id, &order],
            )
            .await
            .unwrap()
            .get(0);
        if status == "accepted_by_pos" && texted {
            break;
        }
        assert!(
            Instant::now() < end,
            "order {order} is {status} (texted: {texted}) after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let at_pos = received(&pos.url).await;
    let key = format!("kea-order-{order}");
    let n = at_pos["orders"]
        .as_array()
        .expect("the POS's orders")
        .iter()
        .filter(|o| o["idempotency_key"] == key.as_str())
        .count();
    assert_eq!(n, 1, "order {order} at the POS once: {at_pos}");
    let texts = received(&twilio.url).await;
    let reference = format!("order #{order}:");
    let n = texts["messages"]
        .as_array()
        .expect("the texts sent")
        .iter()
        .filter(|t| {
            t["to"] == caller.as_str() && t["body"].as_str().unwrap_or("").contains(&reference)
        })
        .count();
    assert_eq!(n, 1, "one text to {caller} about order {order}: {texts}");
    let history: String = db
        .query_one(
            "select string_agg(to_status, ',' order by id) from app.order_history
              where merchant_id = $1 and order_id = $2",
            &[&m.id, &order],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        history,
        "pending_verification,in_verification,verified,accepted_by_pos"
    );
    drop(stop);
}

/// A command Citus sent to a node: its SQL and the node's port.
struct Sent {
    sql: String,
    port: i32,
}

/// A superuser connection that is told every command Citus sends to a node
/// (`citus.log_remote_commands`, as NOTICEs: "issuing ..." on server host:port).
async fn watched_connection() -> (Client, mpsc::UnboundedReceiver<Sent>) {
    let config: tokio_postgres::Config = std::env::var("KEA_TEST_ADMIN_URL")
        .expect("KEA_TEST_ADMIN_URL")
        .parse()
        .expect("KEA_TEST_ADMIN_URL");
    let (client, mut conn) = config.connect(NoTls).await.expect("connecting");
    let (tx, rx) = mpsc::unbounded_channel();
    let port = regex::Regex::new(r"on server \S+@\S+:(\d+)").unwrap();
    tokio::spawn(async move {
        while let Some(m) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
            match m {
                Ok(AsyncMessage::Notice(n)) => {
                    if let (Some(sql), Some(p)) = (
                        n.message().strip_prefix("issuing "),
                        n.detail().and_then(|d| port.captures(d)),
                    ) {
                        let _ = tx.send(Sent {
                            sql: sql.to_string(),
                            port: p[1].parse().unwrap(),
                        });
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    client
        .batch_execute(
            "set citus.log_remote_commands = on;
             set client_min_messages = notice;",
        )
        .await
        .expect("citus.log_remote_commands");
    (client, rx)
}

fn drain(rx: &mut mpsc::UnboundedReceiver<Sent>) -> Vec<Sent> {
    let mut out = Vec::new();
    while let Ok(s) = rx.try_recv() {
        out.push(s);
    }
    out
}

/// The tables of a merchant's call data (distributed by merchant, co-located).
const TENANT_TABLES: &[&str] = &[
    "calls",
    "turns",
    "orders",
    "order_lines",
    "order_history",
    "order_edits",
    "tasks",
    "reservations",
    "sms_messages",
    "autoverify_decisions",
    "learned_phrase_sources",
];

#[tokio::test]
#[ignore = "needs the Citus cluster: run by scripts/test's Citus stage"]
async fn every_statement_of_a_turn_on_call_data_goes_to_the_merchants_shards_on_one_worker() {
    let db = admin().await;
    on_citus(&db).await;
    let m = merchant(&db, "").await;
    // This merchant's shard of each tenant table, and the worker holding them (co-located: one).
    let mut mine = std::collections::HashMap::new();
    for t in TENANT_TABLES {
        let r = db
            .query_one(
                "select s.shardid, n.nodeport from pg_dist_shard s
                   join pg_dist_placement p using (shardid) join pg_dist_node n using (groupid)
                  where s.shardid = get_shard_id_for_distribution_column(('app.' || $1)::regclass, $2::bigint)",
                &[t, &m.id],
            )
            .await
            .unwrap_or_else(|e| panic!("the shard of app.{t}: {e}"));
        mine.insert(format!("{t}_{}", r.get::<_, i64>(0)), r.get::<_, i32>(1));
    }
    let worker = *mine.values().next().unwrap();
    assert!(
        mine.values().all(|p| *p == worker),
        "a merchant's shards are not co-located: {mine:?}"
    );
    assert!(worker_ports(&db).await.contains(&worker));

    let (sql, mut rx) = watched_connection().await;
    let sid = format!("CAcitusroute{}", m.number.trim_start_matches('+'));
    let params = |extra: Value| {
        let mut p = json!({"CallSid": sid, "From": "+15551230000", "To": m.number,
                           "CallStatus": "in-progress", "Confidence": "0.93"});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        p
    };
    // The turns the gateway runs, as it runs them (one SQL call each): the greeting, then each
    // utterance, the last one confirming the order (saved with its lines and history, its task
    // created and routed, auto-verification checked).
    let mut turns: Vec<(String, Vec<Sent>)> = Vec::new();
    let greeting: String = sql
        .query_one("select api.twilio_voice($1)", &[&params(json!({}))])
        .await
        .expect("the greeting")
        .get(0);
    assert!(greeting.contains("<Gather"), "{greeting}");
    turns.push(("the greeting".into(), drain(&mut rx)));
    for (n, says) in ["two large pepperoni pizzas", "that's all", "yes"]
        .iter()
        .enumerate()
    {
        let twiml: String = sql
            .query_one(
                "select api.twilio_gather($1, $2)",
                &[&params(json!({"SpeechResult": says})), &(n as i32 + 1)],
            )
            .await
            .unwrap_or_else(|e| panic!("turn {}: {e}", n + 1))
            .get(0);
        assert!(twiml.contains("<Response>"), "turn {}: {twiml}", n + 1);
        turns.push((format!("turn {} ({says})", n + 1), drain(&mut rx)));
    }
    let orders: i64 = db
        .query_one(
            "select count(*) from app.orders where merchant_id = $1 and status = 'pending_verification'",
            &[&m.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(orders, 1, "the call confirmed its order");

    // Every command on a shard of call data names only this merchant's shards, on its worker.
    let shard = regex::Regex::new(r"\bapp\.([a-z_]+)_(\d{6,})\b").unwrap();
    let mut on_call_data = std::collections::HashMap::<String, usize>::new();
    let mut wrong = Vec::new();
    for (turn, sent) in &turns {
        for s in sent {
            for c in shard.captures_iter(&s.sql) {
                if !TENANT_TABLES.contains(&&c[1]) {
                    continue;
                }
                *on_call_data.entry(c[1].to_string()).or_default() += 1;
                let sh = format!("{}_{}", &c[1], &c[2]);
                if !mine.contains_key(&sh) || s.port != worker {
                    wrong.push(format!("{turn}: {sh} on {}: {}", s.port, s.sql));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "commands of a turn on another merchant's shards or another node (the merchant's: {mine:?} on {worker}):\n{}",
        wrong.join("\n")
    );
    // The turns did reach the call's data through the cluster: the call, its turns, its order.
    for t in ["calls", "turns", "orders"] {
        assert!(
            on_call_data.get(t).copied().unwrap_or(0) > 0,
            "no command on app.{t}'s shard was seen ({on_call_data:?}): is citus.log_remote_commands on?"
        );
    }
    println!(
        "commands on call data per table over {} turns, each to this merchant's shard on worker {worker}: {on_call_data:?}",
        turns.len()
    );
}

/// The first column, a bigint, of what `query` returns to a tenant role reading with `claims`,
/// as the gateway's login taking that role for one transaction (as /rpc and PostgREST do). With
/// `set_local`, the claims are also set with `SET LOCAL`, which Citus sends on to the workers
/// (`set_config` it does not).
async fn seen(role: &str, claims: &Value, query: &str, set_local: bool) -> Vec<i64> {
    let (mut sql, conn) = tokio_postgres::connect(&test_database_url(), NoTls)
        .await
        .expect("connecting as the gateway's login");
    tokio::spawn(conn);
    let tx = sql.transaction().await.unwrap();
    tx.query_one(
        "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
        &[&role, &claims.to_string()],
    )
    .await
    .unwrap();
    if set_local {
        let literal = claims.to_string().replace('\'', "''");
        tx.batch_execute(&format!("set local request.jwt.claims = '{literal}'"))
            .await
            .unwrap();
    }
    let rows = tx
        .query(query, &[])
        .await
        .unwrap_or_else(|e| panic!("{role} running {query}: {e:?}"));
    rows.iter().map(|r| r.get(0)).collect()
}

/// The merchants of the rows of `api.{view}` a tenant role reads with `claims` (`seen`).
async fn merchants_seen(role: &str, claims: &Value, view: &str, set_local: bool) -> Vec<i64> {
    seen(
        role,
        claims,
        &format!("select merchant_id from api.{view}"),
        set_local,
    )
    .await
}

#[tokio::test]
#[ignore = "needs the Citus cluster: run by scripts/test's Citus stage"]
async fn a_merchant_or_an_agent_never_reads_another_merchants_calls_through_the_views() {
    let db = admin().await;
    on_citus(&db).await;
    let gw = start_gateway().await;
    let (mine, theirs) = (merchant(&db, "").await, merchant(&db, "").await);
    for m in [&mine, &theirs] {
        kea_tests::call(&gw, m, &["a large pepperoni pizza", "that's all", "yes"]).await;
    }
    let slug: String = db
        .query_one("select slug from app.merchants where id = $1", &[&mine.id])
        .await
        .unwrap()
        .get(0);
    let agent: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Citus Agent', 'citus-agent-pw', $2)",
            &[
                &format!("citus-agent-{}@example.com", mine.id),
                &json!({"merchants": [slug]}),
            ],
        )
        .await
        .expect("an agent serving one merchant")
        .get(0);
    // What the other merchant has in each table, so that seeing none of it means something.
    let theirs_calls: i64 = db
        .query_one(
            "select count(*) from app.calls where merchant_id = $1",
            &[&theirs.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(theirs_calls > 0);
    let readers = [
        (
            "kea_merchant",
            json!({"role": "kea_merchant", "merchant_id": mine.id}),
        ),
        ("kea_agent", json!({"role": "kea_agent", "agent_id": agent})),
        (
            "kea_pos",
            json!({"role": "kea_pos", "merchant_id": mine.id}),
        ),
    ];
    for (role, claims) in &readers {
        // The views each role may read at all (sql/app/policies.sql).
        let views: &[&str] = match *role {
            "kea_agent" => &[
                "calls",
                "turns",
                "orders",
                "order_lines",
                "tasks",
                "merchants",
                "menu_items",
            ],
            "kea_merchant" => &[
                "calls",
                "turns",
                "orders",
                "order_lines",
                "merchants",
                "menu_items",
            ],
            _ => &["orders", "order_lines"],
        };
        for view in views {
            for set_local in [false, true] {
                let seen = merchants_seen(role, claims, view, set_local).await;
                assert!(
                    seen.iter().all(|m| *m == mine.id),
                    "{role} of merchant {} read other merchants' rows of api.{view} \
                     (set local: {set_local}): {seen:?}",
                    mine.id
                );
            }
        }
    }
    // With the claims where the shards see them, a merchant reads its own rows (its policy has
    // no subquery: merchant_id = the claim).
    let claims = json!({"role": "kea_merchant", "merchant_id": mine.id});
    for view in [
        "calls",
        "turns",
        "orders",
        "order_lines",
        "merchants",
        "menu_items",
    ] {
        let seen = merchants_seen("kea_merchant", &claims, view, true).await;
        assert!(
            !seen.is_empty(),
            "the merchant reads none of its own rows of api.{view} with its claims set locally"
        );
    }
}

#[tokio::test]
#[ignore = "needs the Citus cluster: run by scripts/test's Citus stage"]
async fn the_gateways_login_reads_the_directory_it_apologises_with() {
    let db = admin().await;
    on_citus(&db).await;
    let m = merchant(&db, "").await;
    let (sql, conn) = tokio_postgres::connect(&test_database_url(), NoTls)
        .await
        .expect("connecting as the gateway's login");
    tokio::spawn(conn);
    // What gateway/src/directory.rs reads at start and in the background.
    let row = sql
        .query_one(
            "select transfer_number, voice, language from api.twilio_directory where e164 = $1",
            &[&m.number],
        )
        .await
        .unwrap_or_else(|e| panic!("the gateway's login reading api.twilio_directory: {e:?}"));
    assert_eq!(row.get::<_, Option<String>>(0), Some(m.transfer_number));
}

#[tokio::test]
#[ignore = "needs the Citus cluster: run by scripts/test's Citus stage"]
async fn an_agent_reads_the_call_and_order_routed_to_it_through_the_views_and_no_other() {
    let db = admin().await;
    on_citus(&db).await;
    let gw = start_gateway().await;
    let (mine, theirs) = (merchant(&db, "").await, merchant(&db, "").await);
    // An available agent for each merchant, serving it alone: each call's task is offered to
    // its merchant's agent, so the other merchant's rows are routed too (to someone else).
    let mut agents = Vec::new();
    for m in [&mine, &theirs] {
        let agent: i64 = db
            .query_one(
                "select app.upsert_agent($1, 'Citus Routed Agent', 'citus-agent-pw', $2, 1)",
                &[
                    &format!("citus-routed-{}@example.com", m.id),
                    &json!({"merchants": [m.id]}),
                ],
            )
            .await
            .expect("an agent serving one merchant")
            .get(0);
        db.execute(
            "update app.agents set activity = 'available', activity_at = now() where id = $1",
            &[&agent],
        )
        .await
        .unwrap();
        agents.push(agent);
    }
    let mut work = Vec::new();
    for (m, agent) in [&mine, &theirs].into_iter().zip(&agents) {
        kea_tests::call(&gw, m, &["a large pepperoni pizza", "that's all", "yes"]).await;
        let r = db
            .query_one(
                "select c.id, o.id, t.id from app.calls c
                   join app.orders o on o.merchant_id = c.merchant_id and o.call_id = c.id
                   join app.tasks t on t.merchant_id = o.merchant_id and t.order_id = o.id
                  where c.merchant_id = $1",
                &[&m.id],
            )
            .await
            .expect("the call, its order and its task");
        let (call, order, task): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        let offered: i64 = db
            .query_one(
                "select agent_id from app.reservations
                  where merchant_id = $1 and task_id = $2 and status = 'pending'",
                &[&m.id, &task],
            )
            .await
            .expect("the task offered")
            .get(0);
        assert_eq!(
            offered, *agent,
            "merchant {}'s task went to its agent",
            m.id
        );
        work.push((call, order, task));
    }
    let (call, order, task) = work[0];
    let claims = json!({"role": "kea_agent", "agent_id": agents[0]});
    // With the claims where the shards see them (SET LOCAL), the agent reads the work routed to
    // it: the task, the order and its lines, the call and its turns, and the merchant and its
    // menu (coordinator tables); without, nothing (closed).
    let expect: [(&str, &str, i64); 7] = [
        ("tasks", "task_id", task),
        ("orders", "order_id", order),
        ("order_lines", "order_id", order),
        ("calls", "call_id", call),
        ("turns", "call_id", call),
        ("merchants", "merchant_id", mine.id),
        ("menu_items", "merchant_id", mine.id),
    ];
    for (view, id, want) in expect {
        let ids = seen(
            "kea_agent",
            &claims,
            &format!("select {id} from api.{view}"),
            true,
        )
        .await;
        assert!(
            !ids.is_empty() && ids.iter().all(|i| *i == want),
            "the agent reads api.{view}: {id}s {ids:?}, expected only {want}"
        );
        for set_local in [false, true] {
            let merchants = merchants_seen("kea_agent", &claims, view, set_local).await;
            assert!(
                merchants.iter().all(|m| *m == mine.id),
                "the agent of merchant {} read other merchants' rows of api.{view} \
                 (set local: {set_local}): {merchants:?}",
                mine.id
            );
        }
    }
    // The merchant and its menu are the coordinator's tables: their policy's function reads the
    // claims there, so claims set with set_config alone (as the gateway sets them) show them.
    for view in ["merchants", "menu_items"] {
        let merchants = merchants_seen("kea_agent", &claims, view, false).await;
        assert!(
            !merchants.is_empty() && merchants.iter().all(|m| *m == mine.id),
            "the agent reads api.{view} without SET LOCAL: merchants {merchants:?}, expected only {}",
            mine.id
        );
    }
    // Given back (over /rpc, signed in), the task and what is behind it are out of the agent's
    // sight again.
    let (status, body) = rpc(
        &gw,
        "login",
        json!({"email": format!("citus-routed-{}@example.com", mine.id), "password": "citus-agent-pw"}),
        None,
    )
    .await;
    assert_eq!(status, 200, "login: {body}");
    let token = body["token"].as_str().expect("a token").to_string();
    let (status, body) = rpc(
        &gw,
        "reject_task",
        json!({"task_id": task, "reason": "testing"}),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "reject_task: {body}");
    for view in [
        "tasks",
        "orders",
        "order_lines",
        "calls",
        "turns",
        "merchants",
        "menu_items",
    ] {
        let merchants = merchants_seen("kea_agent", &claims, view, true).await;
        assert!(
            merchants.is_empty(),
            "the agent still reads api.{view} after giving its task back: {merchants:?}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the Citus cluster: run by scripts/test's Citus stage"]
async fn an_analysts_own_sql_session_reads_the_analytics_views() {
    let db = admin().await;
    on_citus(&db).await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    // An agent serving this merchant alone approves the call's order over /rpc: a row of
    // api.analytics_agents with an offer, an accept and an approval, from three distributed
    // tables (reservations, tasks, edits) and the agents' reference table.
    let email = format!("citus-analyst-{}@example.com", m.id);
    let agent: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Citus Analysed Agent', 'citus-agent-pw', $2, 1)",
            &[&email, &json!({"merchants": [m.id]})],
        )
        .await
        .expect("an agent serving one merchant")
        .get(0);
    db.execute(
        "update app.agents set activity = 'available', activity_at = now() where id = $1",
        &[&agent],
    )
    .await
    .unwrap();
    kea_tests::call(&gw, &m, &["a large pepperoni pizza", "that's all", "yes"]).await;
    let (status, body) = rpc(
        &gw,
        "login",
        json!({"email": email, "password": "citus-agent-pw"}),
        None,
    )
    .await;
    assert_eq!(status, 200, "login: {body}");
    let token = body["token"].as_str().expect("a token").to_string();
    let (_, mine) = rpc(&gw, "my_tasks", json!({}), Some(&token)).await;
    let task = mine[0]["task_id"].clone();
    assert!(
        task.is_i64(),
        "the call's task offered to the agent: {mine}"
    );
    let (status, body) = rpc(&gw, "accept_task", json!({"task_id": task}), Some(&token)).await;
    assert_eq!(status, 200, "accept_task: {body}");
    let (status, body) = rpc(&gw, "approve_order", json!({"task_id": task}), Some(&token)).await;
    assert_eq!(status, 200, "approve_order: {body}");
    let views: Vec<String> = db
        .query(
            "select viewname::text from pg_views
              where schemaname = 'api' and viewname like 'analytics\\_%' order by 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(views.len() > 10, "the analytics views: {views:?}");
    // An analyst's own SQL session: a login that is kea_analyst for the session (SET ROLE; no
    // claims: the views read across merchants). Not SET LOCAL, which Citus would send on to the
    // workers, where the security definer functions' connections (as their owner) may not take it.
    let (sql, conn) = tokio_postgres::connect(&test_database_url(), NoTls)
        .await
        .expect("connecting as the gateway's login");
    tokio::spawn(conn);
    sql.batch_execute("set role kea_analyst").await.unwrap();
    let mut failing = Vec::new();
    for v in &views {
        if let Err(e) = sql.query(&format!("select * from api.{v}"), &[]).await {
            failing.push((v.clone(), format!("{e:?}")));
        }
    }
    assert!(
        failing.is_empty(),
        "the analyst's reads of the analytics views that failed: {failing:#?}"
    );
    // The agent's row: what it was offered, took and approved, and no edit.
    let row = sql
        .query_one(
            "select offers, accepts, rejections, timeouts, approved, rejected,
                    edits_per_order::text
               from api.analytics_agents where agent_id = $1",
            &[&agent],
        )
        .await
        .expect("the agent's row of api.analytics_agents");
    let counts: Vec<i64> = (0..6).map(|i| row.get(i)).collect();
    assert_eq!(
        (counts, row.get::<_, Option<String>>(6)),
        (vec![1, 1, 0, 0, 1, 0], Some("0.00".to_string())),
        "api.analytics_agents for the agent (offers, accepts, rejections, timeouts, approved, \
         rejected; edits per order)"
    );
    // What it reads is the data: this merchant's call in the funnel.
    let calls: i64 = sql
        .query_one(
            "select coalesce(sum(calls), 0)::bigint from api.analytics_funnel where merchant_id = $1",
            &[&m.id],
        )
        .await
        .expect("the funnel")
        .get(0);
    assert_eq!(calls, 1, "the merchant's call in api.analytics_funnel");
    // And no more than the views: not the tables, nor the views' own queries in app.
    for relation in ["app.orders", "app.analytics_funnel"] {
        let err = sql
            .query(&format!("select count(*) from {relation}"), &[])
            .await
            .expect_err("an analyst reading app");
        assert!(
            format!("{err:?}").contains("permission denied"),
            "an analyst reading {relation}: {err:?}"
        );
    }
}
