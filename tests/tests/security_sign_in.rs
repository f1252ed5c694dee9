//! Sign-in cannot be guessed or probed (issue 17, item 3; docs/security.md): failures are
//! throttled per account and per client address with 429 and `Retry-After`, an unknown email
//! costs the same one bcrypt compare as a known one, hashes have the stronger cost (older ones
//! are rehashed at sign-in), and a merchant sees the failed sign-ins on its staff's accounts;
//! the gateway counts sign-ins by outcome.

use kea_tests::{admin, merchant, metrics, start_gateway, start_gateway_configured, Gateway};
use serde_json::{json, Value};
use tokio_postgres::Client;

/// POST /rpc/login, as the client `forwarded_for` when given (the gateway trusts loopback as
/// its proxy in those tests): status, Retry-After, body.
async fn login(
    gw: &Gateway,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (u16, Option<u64>, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/rpc/login", gw.url))
        .json(&json!({"email": email, "password": password}));
    if let Some(a) = forwarded_for {
        req = req.header("x-forwarded-for", a);
    }
    let r = req.send().await.expect("login");
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, r.json().await.unwrap_or(Value::Null))
}

fn tag() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            % 1_000_000
    )
}

/// The time passes: the account's attempts move 20 minutes into the past.
async fn age_attempts(db: &Client, email: &str) {
    db.execute(
        "update app.sign_in_attempts set at = at - interval '20 minutes' where email = $1",
        &[&email],
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn failures_are_throttled_per_account_with_retry_after() {
    let db = admin().await;
    let gw = start_gateway().await;
    let email = format!("guessed-{}@signin.test", tag());
    db.execute(
        "select app.upsert_agent($1, 'Guessed', 'the-right-password')",
        &[&email],
    )
    .await
    .unwrap();
    for i in 1..=5 {
        let (status, _, body) = login(&gw, &email, &format!("guess-{i}"), None).await;
        assert_eq!(status, 401, "guess {i}: {body}");
        assert_eq!(body["code"], "KA401");
    }
    // The sixth comes too soon: refused before any password is compared, the right one too.
    for password in ["guess-6", "the-right-password"] {
        let (status, retry, body) = login(&gw, &email, password, None).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["code"], "KA429");
        let retry = retry.expect("a Retry-After header");
        assert!((1..=2).contains(&retry), "Retry-After {retry}");
    }
    let recorded: i64 = db
        .query_one(
            "select count(*) from app.sign_in_attempts where email = $1",
            &[&email],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(recorded, 5, "throttled attempts are not recorded");
    // Later, the right password signs in and a success clears the account's failures.
    age_attempts(&db, &email).await;
    let (status, _, body) = login(&gw, &email, "the-right-password", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "kea_agent");
    let (status, _, _) = login(&gw, &email, "guess-7", None).await;
    assert_eq!(status, 401, "one failure after a success is not throttled");

    let m = metrics(&gw).await;
    let count = |outcome: &str| -> f64 {
        let series = format!("kea_gateway_sign_ins_total{{outcome=\"{outcome}\"}} ");
        m.lines()
            .find_map(|l| l.strip_prefix(&series))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{m}"))
    };
    assert_eq!(
        (count("failed"), count("throttled"), count("ok")),
        (6.0, 2.0, 1.0)
    );
}

#[tokio::test]
async fn failures_from_one_client_address_are_throttled_across_accounts() {
    let gw = start_gateway_configured(&kea_tests::test_database_url(), |c| {
        c.security.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    // A documentation address of this run's own (attempts stay in kea_test between runs).
    let n = std::process::id();
    let client = format!("2001:db8::{:x}:{:x}", n >> 16, n & 0xffff);
    let t = tag();
    for i in 0..30 {
        let (status, _, body) = login(
            &gw,
            &format!("nobody-{i}-{t}@signin.test"),
            "x",
            Some(&client),
        )
        .await;
        assert_eq!(status, 401, "attempt {i}: {body}");
    }
    let (status, retry, body) = login(
        &gw,
        &format!("nobody-30-{t}@signin.test"),
        "x",
        Some(&client),
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert!(
        retry.unwrap_or(0) > 800,
        "Retry-After {retry:?}: 15 minutes"
    );
    // Another client is not affected; nor is a forged X-Forwarded-For from an untrusted peer
    // (the default gateway trusts no proxy, and a loopback peer is no known client).
    let (status, _, _) = login(
        &gw,
        &format!("nobody-31-{t}@signin.test"),
        "x",
        Some(&format!("{client}1")),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn an_unknown_email_costs_one_bcrypt_compare_like_a_known_one() {
    let db = admin().await;
    let email = format!("known-{}@signin.test", tag());
    db.execute(
        "select app.upsert_agent($1, 'Known', 'pw-known')",
        &[&email],
    )
    .await
    .unwrap();
    let cost: i32 = db
        .query_one(
            "select app.password_hash_cost(password_hash) from app.agents where email = $1",
            &[&email],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(cost, 10, "new hashes have the stronger cost");
    // pgcrypto's crypt() calls, counted by the statistics collector for this transaction.
    let compares = |who: String, password: &'static str| {
        let db = &db;
        async move {
            // Counts not yet flushed accumulate across transactions: the difference is this
            // sign-in's (nothing is flushed inside a transaction block).
            let crypt_calls = "select coalesce(sum(calls), 0)::bigint from pg_stat_xact_user_functions where funcname = 'crypt'";
            db.batch_execute("begin; set local track_functions = 'all'")
                .await
                .unwrap();
            let before: i64 = db.query_one(crypt_calls, &[]).await.unwrap().get(0);
            let body: Value = db
                .query_one("select api.login($1, $2)", &[&who, &password])
                .await
                .unwrap()
                .get(0);
            let after: i64 = db.query_one(crypt_calls, &[]).await.unwrap().get(0);
            db.batch_execute("rollback").await.unwrap();
            (after - before, body)
        }
    };
    let (known, body) = compares(email.clone(), "wrong").await;
    assert_eq!(body["code"], "KA401");
    let (unknown, body) = compares(format!("nobody-{}@signin.test", tag()), "wrong").await;
    assert_eq!(body["code"], "KA401");
    assert_eq!((known, unknown), (1, 1), "one compare each");

    // A hash of the old cost is replaced at the next sign-in.
    db.execute(
        "update app.agents set password_hash = crypt('pw-known', gen_salt('bf', 8)) where email = $1",
        &[&email],
    )
    .await
    .unwrap();
    let body: Value = db
        .query_one("select api.login($1, 'pw-known')", &[&email])
        .await
        .unwrap()
        .get(0);
    assert!(body["token"].is_string(), "{body}");
    let cost: i32 = db
        .query_one(
            "select app.password_hash_cost(password_hash) from app.agents where email = $1",
            &[&email],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(cost, 10);
}

#[tokio::test]
async fn a_merchant_sees_the_failed_sign_ins_on_its_staff_accounts() {
    let db = admin().await;
    let gw = start_gateway().await;
    let mine = merchant(&db, "").await;
    let theirs = merchant(&db, "").await;
    let t = tag();
    let owner = format!("owner-{t}@signin.test");
    let cook = format!("cook-{t}@signin.test");
    let other = format!("other-{t}@signin.test");
    for (m, email) in [(&mine, &owner), (&mine, &cook), (&theirs, &other)] {
        db.execute(
            "select app.upsert_merchant_user($1, $2, 'Staff', 'staff-pw')",
            &[&m.id, email],
        )
        .await
        .unwrap();
    }
    for (email, password) in [
        (&cook, "nope"),
        (&cook, "nope again"),
        (&other, "nope"),
        (&owner, "staff-pw"),
    ] {
        login(&gw, email, password, None).await;
    }
    let (_, _, signed_in) = login(&gw, &owner, "staff-pw", None).await;
    let token = signed_in["token"].as_str().expect("a token").to_string();
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/merchant_sign_ins", gw.url))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let seen: Vec<Value> = r.json().await.unwrap();
    let emails: Vec<&str> = seen.iter().filter_map(|s| s["email"].as_str()).collect();
    assert_eq!(
        emails,
        [cook.as_str(), cook.as_str()],
        "the two failures on this merchant's cook, nothing of the other merchant: {seen:?}"
    );
    assert!(seen.iter().all(|s| s["ok"] == json!(false)));
}
