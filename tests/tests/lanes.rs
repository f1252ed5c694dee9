//! The gateway sends a merchant's webhooks to the same database connection while it is free
//! (kea_gateway::lanes), so the backend that compiled the merchant's menu for a call's first
//! turn answers the next turns too (docs/scaling.md).

use kea_gateway::simulator::{CallSpec, Caller};
use kea_tests::*;

/// The backend that ran the gateway's last webhook statement.
async fn last_backend(db: &tokio_postgres::Client, app: &str) -> i32 {
    db.query_one(
        "select pid from pg_stat_activity
          where application_name = $1 and query like 'select api.twilio_%'
          order by state_change desc limit 1",
        &[&app],
    )
    .await
    .expect("the gateway's backends")
    .get(0)
}

#[tokio::test]
async fn every_turn_of_a_call_is_answered_by_the_same_backend() {
    let db = admin().await;
    let m = merchant(&db, "").await;
    let app = format!("kea_lanes_test_{}", std::process::id());
    let url = format!("{}?application_name={app}", test_database_url());
    let gw = start_gateway_configured(&url, |c| c.pool_size = 4).await;
    // Four calls at once open every connection of the pool, so the next turns could go to any.
    let mut callers: [Caller; 4] = std::array::from_fn(|_| {
        Caller::new(
            CallSpec::new(&gw.url, AUTH_TOKEN, &m.number, &[]),
            |_, _| {},
        )
    });
    let [a, b, c, d] = &mut callers;
    let greetings = tokio::join!(
        a.post("/twilio/voice", &[]),
        b.post("/twilio/voice", &[]),
        c.post("/twilio/voice", &[]),
        d.post("/twilio/voice", &[])
    );
    for g in [greetings.0, greetings.1, greetings.2, greetings.3] {
        g.expect("a greeting");
    }
    let opened: i64 = db
        .query_one(
            "select count(*) from pg_stat_activity where application_name = $1",
            &[&app],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        opened >= 2,
        "{opened} backends open after four calls at once"
    );
    let caller = &mut callers[0];
    let mut backends = Vec::new();
    for (turn, said) in ["a pepperoni pizza", "large", "that's all"]
        .iter()
        .enumerate()
    {
        let answer = caller
            .post(
                &format!("/twilio/voice/gather?turn={}", turn + 1),
                &[("SpeechResult", said), ("Confidence", "0.9")],
            )
            .await
            .expect("an answer");
        assert!(
            !answer.contains("having trouble taking your order"),
            "{answer}"
        );
        backends.push(last_backend(&db, &app).await);
    }
    assert!(
        backends.windows(2).all(|w| w[0] == w[1]),
        "the turns of one call went to backends {backends:?} of {opened}"
    );
}
