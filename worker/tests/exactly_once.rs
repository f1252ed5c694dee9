//! Exactly once where it is hardest: leases lost and kept, workers dying at the worst
//! moments, and a Twilio as awkward as the real one. Real PostgreSQL (a database of these
//! tests' own), the real `kea-worker` binary, real HTTP to the stand-ins, which record every
//! request (not only distinct idempotency keys) and refuse a key reused with another ticket.

mod harness;

use std::time::{Duration, Instant};

use harness::proxy::Proxy;
use harness::*;
use serde_json::Value;
use tokio_postgres::Client;

const WAIT: Duration = Duration::from_secs(30);

/// Every order of `ids` is at the POS once (one order per key, no ticket changed between
/// attempts), and every caller got exactly one confirmation.
async fn exactly_once(db: &Client, pos: &Stand, twilio: &Stand, ids: &[i64], phones: &[String]) {
    wait_for(WAIT, "every order accepted and texted", || async {
        orders_in(db, ids, "accepted_by_pos").await == ids.len() as i64
            && texts_done(db, ids).await == ids.len() as i64
    })
    .await;
    let at_pos = pos.received().await;
    let texts = twilio.received().await;
    assert_eq!(pos_mismatches(&at_pos), 0, "a retry sent another ticket");
    for (id, phone) in ids.iter().zip(phones) {
        assert_eq!(
            pos_orders_for(&at_pos, *id).len(),
            1,
            "order {id} at the POS"
        );
        assert_eq!(texts_for(&texts, phone, *id), 1, "texts for order {id}");
    }
}

/// `n` orders of `m`, each from its own caller.
async fn orders(db: &Client, m: &Merchant, n: usize) -> (Vec<i64>, Vec<String>) {
    let mut ids = Vec::new();
    let mut phones = Vec::new();
    for _ in 0..n {
        let p = caller_number();
        ids.push(order(db, m, &p).await);
        phones.push(p);
    }
    (ids, phones)
}

async fn pos_job(db: &Client, order: i64) -> (i64, String, i32, Option<String>) {
    let r = db
        .query_one(
            "select id, state, attempt, locked_by from app.jobs_all
              where kind = 'pos_order' and (args->>'order_id')::bigint = $1",
            &[&order],
        )
        .await
        .expect("the POS job");
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// A handler that outlives its lease (the POS answers after 3 s, the lease is 1 s) while a
/// second worker is idle beside it: the first worker's heartbeats keep the job, so the second
/// never takes it over and the POS sees one request. Without heartbeats the second worker
/// claims the job after a second and the POS sees two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_a_job_whose_handler_outlives_its_lease() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    pos.control("hold?ms=3000&count=1").await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let first = format!("keep-a-{}", std::process::id());
    let _a = spawn_worker(&first, &to, &[]);
    let (ids, phones) = orders(&db, &m, 1).await;
    verify(&db, &ids).await;
    wait_for(Duration::from_secs(10), "the POS request", || async {
        !pos_requests_for(&pos.received().await, ids[0]).is_empty()
    })
    .await;
    let _b = spawn_worker(&format!("keep-b-{}", std::process::id()), &to, &[]);
    exactly_once(&db, &pos, &twilio, &ids, &phones).await;
    let requests = pos_requests_for(&pos.received().await, ids[0]);
    let (_, _, attempt, by) = pos_job(&db, ids[0]).await;
    println!(
        "a 3 s POS answer under a 1 s lease: {} request(s), attempt {attempt}, by {by:?}",
        requests.len()
    );
    assert_eq!(
        requests.len(),
        1,
        "the second worker took over a job whose handler was still running: {requests:?}"
    );
    assert_eq!((attempt, by.as_deref()), (1, Some(first.as_str())));
}

/// A worker cut off from the database (its heartbeats hang) while its handler waits (here for
/// its ticket, behind a lock): the handler stops before the lease ends, so when the path heals
/// it sends nothing, and the second worker's run, after the lease, is the only one the POS
/// sees. Without the stop, the first handler sends the ticket again once it gets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_cut_off_from_the_database_stops_its_handler_before_its_lease_ends() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let proxy = Proxy::start(&database_addr().await).await;
    let via = database_url_via(&proxy).await;
    let cut_off = format!("cut-a-{}", std::process::id());
    let (ids, phones) = orders(&db, &m, 1).await;
    verify(&db, &ids).await;
    // worker.pos_ticket reads app.pos_connections: the handler waits on this lock (taken
    // after the approval, which reads the table too).
    let blocker = admin().await;
    blocker
        .batch_execute("begin; lock table app.pos_connections in access exclusive mode")
        .await
        .unwrap();
    let mut a = spawn_worker(&cut_off, &to, &[("KEA_WORKER_DATABASE_URL", &via)]);
    wait_for_lock_wait(
        &db,
        &cut_off,
        "%worker.pos_ticket%",
        Duration::from_secs(10),
    )
    .await;
    proxy.partition();
    let cut_at = Instant::now();
    blocker.batch_execute("rollback").await.unwrap();
    let _b = spawn_worker(&format!("cut-b-{}", std::process::id()), &to, &[]);
    wait_for(WAIT, "the order delivered by the second worker", || async {
        orders_in(&db, &ids, "accepted_by_pos").await == 1
    })
    .await;
    let taken_over = cut_at.elapsed();
    // The path heals: a handler still running would now get its ticket and send it.
    proxy.heal();
    tokio::time::sleep(Duration::from_secs(2)).await;
    exactly_once(&db, &pos, &twilio, &ids, &phones).await;
    let requests = pos_requests_for(&pos.received().await, ids[0]);
    let (_, _, attempt, by) = pos_job(&db, ids[0]).await;
    println!(
        "cut off for {:.1} s: {} POS request(s), attempt {attempt} by {by:?}",
        taken_over.as_secs_f32(),
        requests.len()
    );
    assert_ne!(by.as_deref(), Some(cut_off.as_str()));
    assert_eq!(
        requests.len(),
        1,
        "the cut-off worker's handler ran on past its lease and sent the ticket again"
    );
    a.kill9();
}

/// Killed holding a prefetched batch (claimed, leased, not started): the jobs come back after
/// the lease and each reaches the POS once, with only the one running at the kill sent twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_holding_a_prefetched_batch() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    pos.control("hold?ms=400").await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let name = format!("prefetch-{}", std::process::id());
    let (ids, phones) = orders(&db, &m, 12).await;
    let mut a = spawn_worker(
        &name,
        &to,
        &[
            ("KEA_WORKER_CONCURRENCY", "1"),
            ("KEA_WORKER_PREFETCH", "10"),
        ],
    );
    verify(&db, &ids).await;
    let held = || async {
        db.query_one(
            "select count(*) from app.jobs where kind = 'pos_order' and state = 'running'
                and locked_by = $1 and (args->>'order_id')::bigint = any($2)",
            &[&name, &ids],
        )
        .await
        .unwrap()
        .get::<_, i64>(0)
    };
    wait_for(Duration::from_secs(10), "a prefetched batch", || async {
        held().await >= 5
            && !pos.received().await["requests"]
                .as_array()
                .unwrap()
                .is_empty()
    })
    .await;
    let holding = held().await;
    a.kill9();
    pos.control("hold?ms=0").await;
    let _b = spawn_worker(&format!("prefetch-next-{}", std::process::id()), &to, &[]);
    exactly_once(&db, &pos, &twilio, &ids, &phones).await;
    let requests = pos.received().await["requests"].as_array().unwrap().len();
    println!(
        "killed holding {holding} jobs: {requests} POS requests for {} orders",
        ids.len()
    );
    assert!(
        requests <= ids.len() + 1,
        "{requests} requests: jobs held ready, never started, were sent twice"
    );
}

/// Killed in the middle of a heartbeat (its UPDATE waiting on a row lock), with a POS request
/// in flight: the job comes back after the lease and is delivered once, texted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_a_heartbeat() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    pos.control("hold?ms=3000&count=1").await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let name = format!("beat-{}", std::process::id());
    let mut a = spawn_worker(&name, &to, &[]);
    let (ids, phones) = orders(&db, &m, 1).await;
    verify(&db, &ids).await;
    wait_for(Duration::from_secs(10), "the POS request", || async {
        !pos_requests_for(&pos.received().await, ids[0]).is_empty()
    })
    .await;
    let (job, ..) = pos_job(&db, ids[0]).await;
    let blocker = admin().await;
    blocker
        .batch_execute(&format!(
            "begin; select 1 from app.jobs where id = {job} for update"
        ))
        .await
        .unwrap();
    let pid = wait_for_lock_wait(&db, &name, "%worker.heartbeat%", Duration::from_secs(5)).await;
    a.kill9();
    blocker.batch_execute("rollback").await.unwrap();
    println!("killed while its heartbeat (backend {pid}) waited on a lock");
    let _b = spawn_worker(&format!("beat-next-{}", std::process::id()), &to, &[]);
    exactly_once(&db, &pos, &twilio, &ids, &phones).await;
    assert!(pos_requests_for(&pos.received().await, ids[0]).len() <= 2);
}

/// SIGTERM, then SIGKILL during the grace period while a POS request is in flight: nothing
/// was given back, the lease brings the job back, delivered once, texted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_the_shutdown_grace_period() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    connect_webhook(&db, &m, &pos.url).await;
    pos.control("hold?ms=3000&count=2").await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let name = format!("grace-{}", std::process::id());
    let mut a = spawn_worker(&name, &to, &[("KEA_WORKER_SHUTDOWN_S", "5")]);
    let (ids, phones) = orders(&db, &m, 2).await;
    verify(&db, &ids).await;
    wait_for(Duration::from_secs(10), "both POS requests", || async {
        pos.received().await["requests"].as_array().unwrap().len() == 2
    })
    .await;
    a.term();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        a.exited(Duration::ZERO).await.is_none(),
        "the worker waits for its handlers during the grace period"
    );
    a.kill9();
    let (_, state, ..) = pos_job(&db, ids[0]).await;
    assert_eq!(state, "running", "killed before it gave anything back");
    let _b = spawn_worker(&format!("grace-next-{}", std::process::id()), &to, &[]);
    exactly_once(&db, &pos, &twilio, &ids, &phones).await;
}

/// Killed after the POS answered and before the completion committed (its transaction waits
/// on the order's row lock; the session dies with the process): the next attempt sends the
/// same ticket under the same key, the POS recognises it, the order is there once. And the
/// same for a text: killed after Twilio took it, before `worker.sms_sent` committed; the
/// retry finds the message in Twilio's list and does not send it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_the_answer_and_the_commit() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let pos = pos_standin().await;
    let twilio = twilio_standin().await;
    // Twilio's list lags: the retry's first look-up misses the message.
    twilio.control("strict?lag_ms=800&queued_ms=300").await;
    connect_webhook(&db, &m, &pos.url).await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let (ids, phones) = orders(&db, &m, 1).await;
    let id = ids[0];

    // The POS: the order's row is locked (after the approval, which writes it), so
    // worker.pos_delivered waits once the POS answered.
    verify(&db, &ids).await;
    let blocker = admin().await;
    blocker
        .batch_execute(&format!(
            "begin; select 1 from app.orders where id = {id} for update"
        ))
        .await
        .unwrap();
    let name = format!("commit-pos-{}", std::process::id());
    let mut a = spawn_worker(&name, &to, &[]);
    let pid = wait_for_lock_wait(&db, &name, "%worker.pos_delivered%", WAIT).await;
    a.kill9();
    // A dead client's backend would still commit once the lock is gone: it goes too.
    db.execute("select pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    blocker.batch_execute("rollback").await.unwrap();
    assert_eq!(pos_requests_for(&pos.received().await, id).len(), 1);
    assert_eq!(orders_in(&db, &ids, "verified").await, 1, "not committed");

    // The text: worker.sms_sent stores the message in app.sms_messages, which is locked, so
    // it waits once Twilio answered. The next worker delivers the POS job again, then texts.
    blocker
        .batch_execute("begin; lock table app.sms_messages in share mode")
        .await
        .unwrap();
    let name = format!("commit-sms-{}", std::process::id());
    let mut b = spawn_worker(&name, &to, &[]);
    let pid = wait_for_lock_wait(&db, &name, "%worker.sms_sent%", WAIT).await;
    b.kill9();
    db.execute("select pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    blocker.batch_execute("rollback").await.unwrap();
    assert_eq!(texts_for(&twilio.received().await, &phones[0], id), 1);
    let sms_job: i64 = db
        .query_one(
            "select id from app.jobs where kind = 'sms' and state = 'running'
                and (args->>'order_id')::bigint = $1",
            &[&id],
        )
        .await
        .expect("the text job, not completed")
        .get(0);

    let _c = spawn_worker(&format!("commit-next-{}", std::process::id()), &to, &[]);
    exactly_once(&db, &pos, &twilio, &ids, &phones).await;
    let o = pos_orders_for(&pos.received().await, id);
    assert_eq!(o[0]["deliveries"], 2, "sent again under the same key");
    let found: Option<bool> = db
        .query_one(
            "select (args->>'found_existing')::boolean from app.jobs_all where id = $1",
            &[&sms_job],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(found, Some(true), "the retry found the text already sent");
}

/// Twilio's list as awkward as the real one: the first attempt's message was taken but its
/// answer lost (the connection dropped), the list shows it only seconds later, then as
/// `queued` with no date, in pages of two behind newer messages to the same caller. The retry
/// looks, does not find it, looks again after the settle time, follows the pages and finds it:
/// one text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_text_is_found_in_a_lagging_paged_list() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let twilio = twilio_standin().await;
    // No POS: an approved order is texted at once.
    twilio
        .control("strict?lag_ms=2500&queued_ms=500&page_max=2")
        .await;
    twilio.control("drop?count=1").await;
    let (ids, phones) = orders(&db, &m, 1).await;
    let phone = &phones[0];
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let _w = spawn_worker(
        &format!("paged-{}", std::process::id()),
        &to,
        &[("KEA_WORKER_SMS_SETTLE_S", "3")],
    );
    verify(&db, &ids).await;
    wait_for(
        Duration::from_secs(10),
        "the first (dropped) send",
        || async {
            !twilio.received().await["messages"]
                .as_array()
                .unwrap()
                .is_empty()
        },
    )
    .await;
    // The retry must look only once the four newer texts below are listed, or ours is still on
    // the first page (CI saw the retry look first twice, on a loaded machine): its job waits
    // until they are, then runs.
    let job: i64 = {
        let job = || async {
            db.query_opt(
                "select id from app.jobs where kind = 'sms' and state = 'retryable'
                    and (args->>'order_id')::bigint = $1",
                &[&ids[0]],
            )
            .await
            .unwrap()
            .map(|r| r.get::<_, i64>(0))
        };
        wait_for(WAIT, "the text job waiting to retry", || async {
            job().await.is_some()
        })
        .await;
        job().await.unwrap()
    };
    let held = db
        .execute(
            "update app.jobs set run_at = now() + interval '1 hour'
              where id = $1 and state = 'retryable'",
            &[&job],
        )
        .await
        .unwrap();
    assert_eq!(held, 1, "the retry ran before it could be held back");
    // Newer messages to the same caller put ours on the third page.
    let client = reqwest::Client::new();
    for n in 0..4 {
        let r = client
            .post(format!(
                "{}/2010-04-01/Accounts/{TWILIO_SID}/Messages.json",
                twilio.url
            ))
            .basic_auth(TWILIO_SID, Some(TWILIO_TOKEN))
            .form(&[
                ("To", phone.as_str()),
                ("From", "+15550000000"),
                ("Body", &format!("other {n}")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    // Listed and sent (lag 2.5 s, then queued 0.5 s), by the stand-in's clock.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    db.execute("update app.jobs set run_at = now() where id = $1", &[&job])
        .await
        .unwrap();
    wait_for(WAIT, "the text job done", || async {
        texts_done(&db, &ids).await == 1
    })
    .await;
    let got = twilio.received().await;
    assert_eq!(texts_for(&got, phone, ids[0]), 1, "texted twice");
    let lists: Vec<&Value> = got["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "GET")
        .collect();
    let pages: Vec<&str> = lists
        .iter()
        .filter_map(|r| r["query"]["Page"].as_str())
        .collect();
    println!(
        "{} list requests ({} following next_page_uri: pages {pages:?})",
        lists.len(),
        pages.len()
    );
    assert!(pages.contains(&"2"), "the look-up never read a third page");
    let found: Option<bool> = db
        .query_one(
            "select (args->>'found_existing')::boolean from app.jobs_all
              where kind = 'sms' and (args->>'order_id')::bigint = $1",
            &[&ids[0]],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(found, Some(true));
}

/// 429 with Retry-After: the next attempt waits at least that long; a 5xx from the list the
/// retry reads first: no text is sent blind, the job retries; in the end one text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_429_retry_after_and_5xx_are_retried_without_a_second_text() {
    let _serial = serial().await;
    let db = db().await;
    let m = merchant(&db).await;
    let twilio = twilio_standin().await;
    twilio
        .control("fail?status=429&count=1&retry_after=3")
        .await;
    let (ids, phones) = orders(&db, &m, 1).await;
    let to = Targets {
        twilio: &twilio,
        square: None,
    };
    let _w = spawn_worker(&format!("busy-{}", std::process::id()), &to, &[]);
    verify(&db, &ids).await;
    wait_for(Duration::from_secs(10), "the 429", || async {
        twilio.received().await["requests"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["status"] == 429))
    })
    .await;
    twilio.control("fail?status=500&count=1").await;
    wait_for(WAIT, "the text sent", || async {
        texts_done(&db, &ids).await == 1
    })
    .await;
    let got = twilio.received().await;
    let requests = got["requests"].as_array().unwrap();
    let at = |i: usize| requests[i]["at_ms"].as_u64().unwrap();
    let statuses: Vec<(String, u64)> = requests
        .iter()
        .map(|r| {
            (
                format!("{} {}", r["method"].as_str().unwrap(), r["status"]),
                r["at_ms"].as_u64().unwrap(),
            )
        })
        .collect();
    println!("Twilio saw {statuses:?}");
    assert_eq!(requests[0]["status"], 429);
    assert!(
        at(1) - at(0) >= 3000,
        "retried {} ms after a 429 that said Retry-After: 3",
        at(1) - at(0)
    );
    assert_eq!(
        (
            requests[1]["method"].as_str(),
            requests[1]["status"].as_u64()
        ),
        (Some("GET"), Some(500)),
        "a retry looks first"
    );
    assert_eq!(texts_for(&got, &phones[0], ids[0]), 1);
    let attempt: i32 = db
        .query_one(
            "select attempt from app.jobs_all where kind = 'sms' and (args->>'order_id')::bigint = $1",
            &[&ids[0]],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(attempt, 3);
}
