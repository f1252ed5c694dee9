//! Why a person checks an order (docs/console.md, "Why a person checks this"): over HTTP, an
//! agent's `api.call_for_task` says it in plain words, with the lines it is about, for each
//! reason kea records and used never to show: the save refused what the caller confirmed
//! (`app.orders.review_reason`), and auto-verify held the order (a line heard with little
//! confidence, lines from the caller's last order that no turn heard). An order it sampled is
//! checked blind, as with auto-verify off: nothing is said. The page showing it is tested by
//! tests/browser/run.mjs.

use std::time::Duration;

use kea_tests::{
    admin, agent_token, call, call_with, merchant, rpc, start_gateway, unique_number, Gateway,
    Merchant,
};
use serde_json::{json, Value};
use tokio_postgres::Client;

/// A merchant routed to its own queue and an available agent of that queue only, who may hold
/// many tasks at once (every order of the test is offered to her); her token.
async fn merchant_and_agent(db: &Client, gw: &Gateway) -> (Merchant, String) {
    let m = merchant(db, "").await;
    let skill = format!("why-{}", unique_number().trim_start_matches('+'));
    db.batch_execute(&format!(
        "insert into app.task_queues (name, requires, reservation_timeout_s)
           values ('{skill}', '{{\"skills\": [\"{skill}\"]}}', 600);
         insert into app.workflows (name) values ('{skill}');
         insert into app.workflow_steps (workflow_id, step, kind, queue_id, timeout_s)
           select w.id, 1, 'queue', q.id, 900 from app.workflows w, app.task_queues q
            where w.name = '{skill}' and q.name = '{skill}';
         update app.merchants set workflow_id = (select id from app.workflows where name = '{skill}')
          where id = {};",
        m.id
    ))
    .await
    .expect("queue");
    let email = format!("{skill}@test.example");
    let id: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Why Agent', 'pw', $2, 10)",
            &[&email, &json!({"merchants": [m.id], "skills": [skill]})],
        )
        .await
        .expect("agent")
        .get(0);
    let token = agent_token(db, id).await;
    let (s, r) = rpc(gw, "set_activity", &token, json!({"activity": "available"})).await;
    assert_eq!(s, 200, "{r}");
    (m, token)
}

/// The auto-verify policy, as the merchant page sets it, live at once (no shadow orders; the SQL
/// behind it is tested elsewhere).
async fn policy(db: &Client, m: &Merchant, min_confidence: f32, sample_one_in: i32, passed: i64) {
    db.execute(
        "update app.autoverify_policies
            set enabled = true, min_confidence = $2, max_total_cents = null,
                returning_only = false, sample_one_in = $3, passed = $4, min_shadow_orders = 0
          where merchant_id = $1",
        &[&m.id, &min_confidence, &sample_one_in, &passed],
    )
    .await
    .expect("auto-verify policy");
}

/// What `api.call_for_task` says of the call's order, for the agent it was offered to.
async fn why(db: &Client, gw: &Gateway, token: &str, call_sid: &str) -> Value {
    let order: i64 = db
        .query_one(
            "select order_id from app.calls where call_sid = $1",
            &[&call_sid],
        )
        .await
        .expect("the call")
        .get(0);
    for _ in 0..50 {
        let (s, tasks) = rpc(gw, "my_tasks", token, json!({})).await;
        assert_eq!(s, 200, "{tasks}");
        if let Some(t) = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["order"]["id"] == order)
        {
            let (s, c) = rpc(gw, "call_for_task", token, json!({"task_id": t["task_id"]})).await;
            assert_eq!(s, 200, "{c}");
            return c["why"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("order {order} was not offered to the agent");
}

#[tokio::test]
async fn the_agent_is_told_why_a_person_checks_the_order() {
    let db = admin().await;
    let gw = start_gateway().await;
    let (m, token) = merchant_and_agent(&db, &gw).await;

    // Auto-verify off: an order waits for an agent as always, and nothing is claimed.
    let t = call(&gw, &m, &["two garlic knots", "that's all", "yes"]).await;
    assert_eq!(why(&db, &gw, &token, &t.call_sid).await, json!([]));

    // The save refused the lines the caller confirmed (a stricter database, for this merchant
    // only, as in refused_order.rs).
    let refuse = format!("kea_test_why_refuse_{}", m.id);
    db.batch_execute(&format!(
        "create function public.{refuse}() returns trigger language plpgsql as $$
         begin
             raise exception 'order is incomplete: Large Pepperoni Pizza takes at most 1 crust'
                 using errcode = 'KO422';
         end $$;
         create trigger {refuse} before insert on app.orders for each row
             when (new.merchant_id = {id} and new.review_reason is null)
             execute function public.{refuse}();",
        id = m.id
    ))
    .await
    .expect("the refusing trigger");
    let t = call(&gw, &m, &["a large pepperoni pizza", "that's all", "yes"]).await;
    db.batch_execute(&format!(
        "drop trigger {refuse} on app.orders; drop function public.{refuse}();"
    ))
    .await
    .expect("dropping the trigger");
    assert_eq!(
        why(&db, &gw, &token, &t.call_sid).await,
        json!([{"rule": "refused", "lines": [],
                "text": "kea could not save the order as heard: Large Pepperoni Pizza takes at most 1 crust"}])
    );

    // Held: the line was heard with little confidence.
    policy(&db, &m, 0.9, 0, 0).await;
    let t = call_with(&gw, &m, &["two garlic knots", "that's all", "yes"], |s| {
        s.confidence = 0.62
    })
    .await;
    assert_eq!(
        why(&db, &gw, &token, &t.call_sid).await,
        json!([{"rule": "low_confidence", "lines": [1],
                "text": "line 1 (Garlic Knots) was heard with low confidence (0.62)"}])
    );

    // Sampled: a sure order, the tenth to pass. The check is blind: the agent is not told that
    // kea was sure (the sample measures auto-verification's precision), as with the policy off.
    policy(&db, &m, 0.5, 10, 9).await;
    let t = call(&gw, &m, &["two garlic knots", "that's all", "yes"]).await;
    let sampled: String = db
        .query_one(
            "select verdict from app.autoverify_decisions d join app.calls c
               on c.merchant_id = d.merchant_id and c.order_id = d.order_id where c.call_sid = $1",
            &[&t.call_sid],
        )
        .await
        .expect("the order's decision")
        .get(0);
    assert_eq!(sampled, "sampled");
    assert_eq!(why(&db, &gw, &token, &t.call_sid).await, json!([]));

    // Held: "the same as last time", whose lines no turn of this call heard. The first order
    // is verified by kea (nothing sampled), so that there is a last order.
    policy(&db, &m, 0.0, 0, 0).await;
    let caller = unique_number();
    let from = |s: &mut kea_gateway::simulator::CallSpec| s.from = caller.clone();
    let first = call_with(
        &gw,
        &m,
        &["two large pepperoni pizzas and a coke", "that's all", "yes"],
        from,
    )
    .await;
    let status: String = db
        .query_one(
            "select o.status from app.calls c join app.orders o on o.merchant_id = c.merchant_id and o.id = c.order_id
              where c.call_sid = $1",
            &[&first.call_sid],
        )
        .await
        .expect("the first order")
        .get(0);
    assert_eq!(status, "verified", "the first order is verified by kea");
    let t = call_with(
        &gw,
        &m,
        &["hi, can I get the same as last time", "that's all", "yes"],
        from,
    )
    .await;
    assert_eq!(
        why(&db, &gw, &token, &t.call_sid).await,
        json!([
            {"rule": "not_heard", "lines": [1],
             "text": "line 1 (Pepperoni Pizza) is from the caller's last order (\"the same as last time\"): no turn heard it"},
            {"rule": "not_heard", "lines": [2],
             "text": "line 2 (Coke) is from the caller's last order (\"the same as last time\"): no turn heard it"}
        ])
    );
}
