//! kea-worker end to end: real PostgreSQL (`kea_test`), the real binary, real HTTP to the
//! stand-ins. Orders are saved and verified through kea's SQL, so each job is the one the
//! order status machine enqueues.

mod harness;

use std::time::{Duration, Instant};

use harness::*;

const MINUTE: Duration = Duration::from_secs(60);

/// The heart of it: workers killed with SIGKILL over and over, in the middle of POS requests
/// and text messages (the stand-ins hold each answer open; Twilio's list lags as the real
/// one's does), with a 1 s lease. Every order still reaches the POS exactly once, under one
/// idempotency key with the same ticket, and every caller gets exactly one text; the POS sees
/// no more repeated requests than there were POS jobs held by the workers killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_nothing_and_send_nothing_twice() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    pos.control("hold?ms=200").await;
    twilio.control("hold?ms=200").await;
    twilio.control("strict?lag_ms=300&queued_ms=200").await;
    connect_webhook(&db, &m, &format!("{}/orders", pos.url)).await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };

    let mut ids: Vec<i64> = Vec::new();
    let mut phones: Vec<String> = Vec::new();

    // Three workers alive at a time; every 100-350 ms one of them, at random, is killed and
    // replaced. A kill counts when the victim held running jobs at that moment; the loop goes
    // on until 100 such kills, at least 15 of them in the middle of a text message, and one
    // retry that found its text already sent.
    let started = Instant::now();
    let (mut kills, mut mid_job, mut mid_text) = (0, 0, 0);
    // POS jobs the victims held when they died: each may be sent once more, no other.
    let mut pos_held_at_kills = 0;
    let spawn = |n: usize| {
        let name = format!("kill-{}-{n}", std::process::id());
        spawn_worker(&name, &to, &[("KEA_WORKER_CONCURRENCY", "2")])
    };
    let mut alive: Vec<Worker> = (0..3).map(spawn).collect();
    let mut spawned = alive.len();
    let mut found_yet = false;
    while mid_job < 100 || mid_text < 15 || !found_yet {
        assert!(
            kills < 400,
            "only {mid_job} of {kills} kills found jobs running ({mid_text} texts)"
        );
        // Two more orders approved per round keep POS and text jobs in flight together (POS
        // jobs come first by priority, and a text is only queued once its POS job is done).
        let mut new = Vec::new();
        for _ in 0..2 {
            let phone = caller_number();
            new.push(order(&db, &m, &phone).await);
            phones.push(phone);
        }
        verify(&db, &new).await;
        ids.extend(new);
        // A job killed at every attempt would die of it; this test is about duplicates.
        db.execute(
            "update app.jobs set max_attempts = 1000 where merchant_id = $1 and max_attempts < 1000",
            &[&m.id],
        )
        .await
        .expect("raising max_attempts");
        tokio::time::sleep(Duration::from_millis(fastrand::u64(100..350))).await;
        let victim = fastrand::usize(..alive.len());
        let held = kill_and_read_held(&db, &mut alive[victim]).await;
        pos_held_at_kills += held.iter().filter(|k| *k == "pos_order").count();
        alive[victim] = spawn(spawned);
        spawned += 1;
        kills += 1;
        mid_job += usize::from(!held.is_empty());
        mid_text += usize::from(held.iter().any(|k| k == "sms"));
        // Until a retry has found its text already sent, the look-up has not been tried.
        found_yet = found_yet
            || db
                .query_one(
                    "select exists (select 1 from app.jobs_all where merchant_id = $1 and kind = 'sms'
                                       and (args->>'found_existing')::boolean)",
                    &[&m.id],
                )
                .await
                .expect("found_existing")
                .get::<_, bool>(0);
    }
    // The last three die the same way, and what they held counts like any other kill's
    // (dropping them unread once let their POS jobs' second sends look unexplained).
    let mut pos_held_by_last = 0;
    for w in &mut alive {
        let held = kill_and_read_held(&db, w).await;
        pos_held_by_last += held.iter().filter(|k| *k == "pos_order").count();
    }
    pos_held_at_kills += pos_held_by_last;
    drop(alive);
    let kill_phase = started.elapsed();

    let orders = ids.len();
    // What is left is drained at full speed: the holds were for the kills.
    pos.control("hold?ms=0").await;
    twilio.control("hold?ms=0").await;
    let mut last = spawn_worker("kill-survivor", &to, &[("KEA_WORKER_CONCURRENCY", "8")]);
    wait_for(MINUTE, "every order accepted and texted", || async {
        orders_in(&db, &ids, "accepted_by_pos").await == orders as i64
            && texts_done(&db, &ids).await == orders as i64
    })
    .await;
    last.term();
    assert!(
        last.exited(Duration::from_secs(5)).await.is_some(),
        "SIGTERM stops an idle worker"
    );

    let at_pos = pos.received().await;
    let texts = twilio.received().await;
    assert_eq!(
        at_pos["orders"].as_array().map(Vec::len),
        Some(orders),
        "one POS order per kea order"
    );
    for (id, phone) in ids.iter().zip(&phones) {
        assert_eq!(
            pos_orders_for(&at_pos, *id).len(),
            1,
            "order {id} at the POS"
        );
        assert_eq!(texts_for(&texts, phone, *id), 1, "texts for order {id}");
    }
    assert_eq!(pos_mismatches(&at_pos), 0, "a retry sent another ticket");
    let requests = at_pos["requests"].as_array().expect("requests");
    for r in requests {
        let id = &r["body"]["order"]["id"];
        assert_eq!(
            r["headers"]["idempotency-key"],
            format!("kea-order-{id}").as_str(),
            "every attempt carries the order's key"
        );
        assert_eq!(r["status"], 200, "{r}");
    }
    let repeats = requests.len() - orders;
    let found_existing = count(
        &db,
        "select count(*) from app.jobs_all where kind = 'sms' and (args->>'found_existing')::boolean
            and (args->>'order_id')::bigint = any($1)",
        &ids,
    )
    .await;
    let stored = count(
        &db,
        "select count(*) from app.sms_messages where order_id = any($1)",
        &ids,
    )
    .await;
    assert_eq!(stored, orders as i64, "one stored message per order");
    println!(
        "{orders} orders, {kills} kills ({mid_job} with jobs running, {mid_text} during a text, \
         {pos_held_at_kills} POS jobs held by the victims, {pos_held_by_last} of them by the last \
         three) in {:.1}s; {repeats} POS requests \
         repeated (recognised by key); {found_existing} texts found already sent by a killed \
         attempt",
        kill_phase.as_secs_f32()
    );
    assert!(
        repeats > 0,
        "no POS request was ever repeated: the kills never landed mid-request"
    );
    assert!(
        repeats <= pos_held_at_kills,
        "{repeats} POS requests repeated, but the kills hit only {pos_held_at_kills} POS jobs: \
         something other than a death sends tickets twice"
    );
    assert!(
        found_existing > 0,
        "no retry ever found its text already sent: the look-up was not exercised"
    );
}

/// SIGKILLs `w` and returns the kinds of the jobs it held. Read after the death: exactly what
/// the victim held (nobody takes its jobs before their lease, renewed a moment ago, runs out).
async fn kill_and_read_held(db: &tokio_postgres::Client, w: &mut Worker) -> Vec<String> {
    w.kill9();
    db.query(
        "select kind from app.jobs_all where locked_by = $1 and state = 'running'",
        &[&w.name],
    )
    .await
    .expect("jobs running")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// The POS is down for a while (503): the job is retried with backoff and delivered once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_that_was_down_gets_the_order_once_it_is_back() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    // Down for the first two attempts, however long the worker takes to come (a time window
    // could close before a slow machine's first attempt).
    pos.control("fail?status=503&count=2").await;
    let phone = caller_number();
    let id = order(&db, &m, &phone).await;
    let _w = spawn_worker(
        "down",
        &Targets {
            twilio: &twilio,
            square: None,
        },
        &[],
    );
    verify(&db, &[id]).await;
    wait_for(
        Duration::from_secs(30),
        "the order accepted after the outage",
        || async {
            orders_in(&db, &[id], "accepted_by_pos").await == 1 && texts_done(&db, &[id]).await == 1
        },
    )
    .await;
    let at_pos = pos.received().await;
    let refused = at_pos["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 503)
        .count();
    assert_eq!(refused, 2, "the POS was down for two attempts");
    assert_eq!(pos_orders_for(&at_pos, id).len(), 1);
    let row = db
        .query_one(
            "select attempt, jsonb_array_length(errors) from app.jobs_all
              where kind = 'pos_order' and (args->>'order_id')::bigint = $1",
            &[&id],
        )
        .await
        .unwrap();
    let (attempt, errors): (i32, i32) = (row.get(0), row.get(1));
    assert!(
        attempt >= 2 && errors >= 1,
        "attempt {attempt}, {errors} errors"
    );
    assert_eq!(texts_for(&twilio.received().await, &phone, id), 1);
}

/// A POS that refuses the order for good (4xx): the job dies at once, the order fails, a
/// person gets an escalation task, and the caller gets no confirmation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_refusing_for_good_fails_the_order_and_escalates() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    pos.control("refuse?status=422").await;
    let phone = caller_number();
    let id = order(&db, &m, &phone).await;
    let _w = spawn_worker(
        "refused",
        &Targets {
            twilio: &twilio,
            square: None,
        },
        &[],
    );
    verify(&db, &[id]).await;
    wait_for(Duration::from_secs(15), "the order failed", || async {
        orders_in(&db, &[id], "failed").await == 1
    })
    .await;
    let row = db
        .query_one(
            "select state, attempt from app.jobs_all
              where kind = 'pos_order' and (args->>'order_id')::bigint = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, i32>(1)),
        ("dead".into(), 1),
        "refused for good is not retried"
    );
    let escalations = count(
        &db,
        "select count(*) from app.tasks where order_id = any($1) and kind = 'escalation'",
        &[id],
    )
    .await;
    assert_eq!(escalations, 1, "a person is asked to sort it out");
    let confirmations = count(
        &db,
        "select count(*) from app.jobs_all where kind = 'sms' and args->>'template' = 'confirmation'
            and (args->>'order_id')::bigint = any($1)",
        &[id],
    )
    .await;
    assert_eq!(confirmations, 0);
    assert_eq!(texts_for(&twilio.received().await, &phone, id), 0);
}

/// Callers who opted out get no text, whether kea knew (a STOP it received) or only Twilio
/// did (21610, which kea then remembers); their orders are not affected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opted_out_callers_get_no_text() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    let (known, twilio_only) = (caller_number(), caller_number());
    db.execute(
        "insert into app.sms_opt_outs (phone, keyword) values ($1, 'STOP')",
        &[&known],
    )
    .await
    .unwrap();
    twilio
        .control(&format!(
            "opt_out?number={}",
            twilio_only.replace('+', "%2B")
        ))
        .await;
    let ids = [
        order(&db, &m, &known).await,
        order(&db, &m, &twilio_only).await,
    ];
    let _w = spawn_worker(
        "opt-out",
        &Targets {
            twilio: &twilio,
            square: None,
        },
        &[],
    );
    verify(&db, &ids).await;
    wait_for(Duration::from_secs(15), "both text jobs done", || async {
        texts_done(&db, &ids).await == 2
    })
    .await;
    assert_eq!(
        orders_in(&db, &ids, "accepted_by_pos").await,
        2,
        "orders unaffected"
    );
    let skipped = count(
        &db,
        "select count(*) from app.jobs_all where kind = 'sms' and args->>'skipped' = 'opted_out'
            and (args->>'order_id')::bigint = any($1)",
        &ids,
    )
    .await;
    assert_eq!(skipped, 2);
    let got = twilio.received().await;
    let posts_to = |n: &str| {
        got["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["method"] == "POST" && r["body"]["To"] == n)
            .count()
    };
    assert_eq!(posts_to(&known), 0, "kea knew: Twilio is not even asked");
    assert_eq!(
        posts_to(&twilio_only),
        1,
        "asked once, answered 21610, not retried"
    );
    let to_them = got["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == known.as_str() || m["to"] == twilio_only.as_str())
        .count();
    assert_eq!(to_them, 0);
    let remembered: i64 = db
        .query_one(
            "select count(*) from app.sms_opt_outs where phone = $1",
            &[&twilio_only],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(remembered, 1, "21610 is remembered as an opt-out");
}

/// Two workers racing for the same burst of jobs: each job is done by one of them, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_racing_do_each_job_once() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    pos.control("hold?ms=100").await;
    connect_webhook(&db, &m, &pos.url).await;
    const ORDERS: usize = 60;
    let mut ids = Vec::new();
    let mut phones = Vec::new();
    for _ in 0..ORDERS {
        let p = caller_number();
        ids.push(order(&db, &m, &p).await);
        phones.push(p);
    }
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    // A long lease: no job may be taken over here, so every request is a first.
    let extra = [
        ("KEA_WORKER_LEASE_S", "10"),
        ("KEA_WORKER_CONCURRENCY", "8"),
    ];
    let (a, b) = (
        format!("race-a-{}", std::process::id()),
        format!("race-b-{}", std::process::id()),
    );
    let _wa = spawn_worker(&a, &to, &extra);
    let _wb = spawn_worker(&b, &to, &extra);
    tokio::time::sleep(Duration::from_millis(500)).await;
    verify(&db, &ids).await;
    wait_for(MINUTE, "every order accepted and texted", || async {
        orders_in(&db, &ids, "accepted_by_pos").await == ORDERS as i64
            && texts_done(&db, &ids).await == ORDERS as i64
    })
    .await;
    let at_pos = pos.received().await;
    assert_eq!(
        at_pos["requests"].as_array().map(Vec::len),
        Some(ORDERS),
        "one request per order: no job was run twice"
    );
    let texts = twilio.received().await;
    for (id, phone) in ids.iter().zip(&phones) {
        assert_eq!(texts_for(&texts, phone, *id), 1);
    }
    let by: Vec<String> = db
        .query(
            "select distinct locked_by from app.jobs_all where merchant_id = $1 and kind = 'pos_order'",
            &[&m.id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        by.contains(&a) && by.contains(&b),
        "both workers took jobs: {by:?}"
    );
}

/// Square: the order arrives as a CreateOrder request in Square's shape, and Square's order id
/// is kept on kea's order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn square_gets_a_create_order_request() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let square = square_standin().await;
    let twilio = twilio_standin().await;
    connect_square(&db, &m, "L-TEST").await;
    let phone = caller_number();
    let id = order(&db, &m, &phone).await;
    let _w = spawn_worker(
        "square",
        &Targets {
            twilio: &twilio,
            square: Some(&square),
        },
        &[],
    );
    verify(&db, &[id]).await;
    wait_for(
        Duration::from_secs(15),
        "the order accepted by Square",
        || async {
            orders_in(&db, &[id], "accepted_by_pos").await == 1 && texts_done(&db, &[id]).await == 1
        },
    )
    .await;
    let got = square.received().await;
    let orders = pos_orders_for(&got, id);
    assert_eq!(orders.len(), 1);
    let req = &orders[0]["request"];
    assert_eq!(req["order"]["location_id"], "L-TEST");
    assert_eq!(req["order"]["reference_id"], format!("kea-{id}").as_str());
    let line = &req["order"]["line_items"][0];
    assert_eq!(line["name"], "Garlic Knots");
    assert_eq!(line["quantity"], "2");
    assert!(line["base_price_money"]["amount"].as_i64().unwrap() > 0);
    let f = &req["order"]["fulfillments"][0];
    assert_eq!(f["type"], "PICKUP");
    assert_eq!(
        f["pickup_details"]["recipient"]["phone_number"],
        phone.as_str()
    );
    let pos_id: Option<String> = db
        .query_one("select pos_order_id from app.orders where id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    assert_eq!(pos_id.as_deref(), orders[0]["pos_order_id"].as_str());
}

/// SIGTERM in the middle of a POS request: the worker stops within its grace period, and the
/// job, whose request may have reached the POS, comes back as a counted attempt; the next
/// worker delivers it under the same key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_gives_running_jobs_back() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    pos.control("hold?ms=4000").await;
    connect_webhook(&db, &m, &pos.url).await;
    let id = order(&db, &m, &caller_number()).await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let mut w = spawn_worker("term", &to, &[("KEA_WORKER_SHUTDOWN_S", "0.5")]);
    verify(&db, &[id]).await;
    wait_for(Duration::from_secs(10), "the POS request", || async {
        pos.received().await["requests"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    })
    .await;
    let asked = Instant::now();
    w.term();
    let status = w
        .exited(Duration::from_secs(3))
        .await
        .expect("the worker exits after its grace period");
    assert!(status.success(), "{status:?}");
    assert!(asked.elapsed() < Duration::from_millis(2500));
    let row = db
        .query_one(
            "select state, attempt, errors->-1->>'error' from app.jobs_all
              where kind = 'pos_order' and (args->>'order_id')::bigint = $1",
            &[&id],
        )
        .await
        .unwrap();
    let (state, attempt, error): (String, i32, Option<String>) =
        (row.get(0), row.get(1), row.get(2));
    assert_eq!((state.as_str(), attempt), ("retryable", 1));
    assert!(error.unwrap_or_default().contains("stopped"));
    pos.control("hold?ms=0").await;
    let _next = spawn_worker("term-next", &to, &[]);
    wait_for(Duration::from_secs(15), "the order delivered", || async {
        orders_in(&db, &[id], "accepted_by_pos").await == 1
    })
    .await;
    let at_pos = pos.received().await;
    let o = pos_orders_for(&at_pos, id);
    assert_eq!(o.len(), 1);
    assert_eq!(o[0]["deliveries"], 2, "the same key, twice, one order");
}

/// SIGTERM while a handler has not sent anything yet (here held by a lock before it reads
/// its ticket): the job is released, its attempt not counted, and the next worker sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_releases_jobs_not_started() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    let id = order(&db, &m, &caller_number()).await;
    verify(&db, &[id]).await;
    let job = || async {
        let r = db
            .query_one(
                "select state, attempt, locked_by from app.jobs_all
                  where kind = 'pos_order' and (args->>'order_id')::bigint = $1",
                &[&id],
            )
            .await
            .unwrap();
        (
            r.get::<_, String>(0),
            r.get::<_, i32>(1),
            r.get::<_, Option<String>>(2),
        )
    };
    // worker.pos_ticket reads app.pos_connections: the handler waits on this lock.
    let blocker = admin().await;
    blocker
        .batch_execute("begin; lock table app.pos_connections in access exclusive mode")
        .await
        .unwrap();
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let mut w = spawn_worker("release", &to, &[("KEA_WORKER_SHUTDOWN_S", "0.3")]);
    wait_for(Duration::from_secs(10), "the job claimed", || async {
        job().await.2.as_deref() == Some("release")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.term();
    let status = w.exited(Duration::from_secs(3)).await;
    blocker.batch_execute("rollback").await.unwrap();
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    let (state, attempt, _) = job().await;
    assert_eq!(
        (state.as_str(), attempt),
        ("available", 0),
        "released, not counted"
    );
    let _next = spawn_worker("release-next", &to, &[]);
    wait_for(Duration::from_secs(15), "the order delivered", || async {
        orders_in(&db, &[id], "accepted_by_pos").await == 1
    })
    .await;
    assert_eq!(job().await.1, 1);
    assert_eq!(
        pos_orders_for(&pos.received().await, id)[0]["deliveries"],
        1
    );
}

/// NOTIFY wakes an idle worker long before its fallback poll, also after its LISTEN session
/// was killed, and /metrics counts it all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_the_worker_and_metrics_count_it() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let twilio = twilio_standin().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_at = format!("127.0.0.1:{port}");
    let _w = spawn_worker(
        "notify",
        &Targets {
            twilio: &twilio,
            square: None,
        },
        &[
            ("KEA_WORKER_POLL_MS", "60000"),
            ("KEA_WORKER_METRICS", &metrics_at),
        ],
    );
    let url = format!("http://{metrics_at}/metrics");
    let metrics = || async { reqwest::get(&url).await.ok()?.text().await.ok() };
    let listening = || async {
        db.query_one(
            "select count(*) from pg_stat_activity where application_name = 'kea-worker notify listen'
                and query ilike 'listen kea_jobs%'",
            &[],
        )
        .await
        .map(|r| r.get::<_, i64>(0) > 0)
        .unwrap_or(false)
    };
    wait_for(Duration::from_secs(10), "the worker listening", || async {
        listening().await && metrics().await.is_some()
    })
    .await;
    let noop_done_within = |limit: Duration| {
        let db = &db;
        let m = &m;
        async move {
            let enqueued = Instant::now();
            let job: i64 = db
                .query_one("select app.enqueue($1, 'noop', '{}')", &[&m.id])
                .await
                .unwrap()
                .get(0);
            wait_for(Duration::from_secs(5), "the noop job completed", || async {
                db.query_one("select state from app.jobs_all where id = $1", &[&job])
                    .await
                    .map(|r| r.get::<_, String>(0) == "completed")
                    .unwrap_or(false)
            })
            .await;
            let took = enqueued.elapsed();
            assert!(
                took < limit,
                "woken by NOTIFY, not the 60 s poll ({took:?})"
            );
        }
    };
    noop_done_within(Duration::from_secs(2)).await;
    // The LISTEN session dies (a restart, a proxy): the worker makes it again, and NOTIFY
    // still wakes it.
    db.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'kea-worker notify listen'",
        &[],
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    wait_for(Duration::from_secs(10), "listening again", listening).await;
    noop_done_within(Duration::from_secs(2)).await;
    let text = metrics().await.expect("GET /metrics");
    for series in [
        "kea_worker_jobs_claimed_total{kind=\"noop\"}",
        "kea_worker_jobs_completed_total{kind=\"noop\"}",
        "kea_worker_notifications_total",
        "kea_worker_handler_seconds_bucket",
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
    let notifications: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("kea_worker_notifications_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    assert!(notifications >= 2.0, "{notifications} notifications");
    let reconnects: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("kea_worker_reconnects_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    assert!(reconnects >= 1.0, "{reconnects} reconnects");
}
