//! Orders kea verified alone, in the agent console (docs/console.md, "Verified by kea"): over
//! HTTP, an agent lists the ones of the stores it serves and never another's, pages through
//! them, opens one read-only (its call as the task detail shows it), and reports a mistake on
//! it; the report is kept in the order's history and on its decision, the store's policy loses
//! its earned trust (back to shadow: its next sure order goes to an agent), and the analytics
//! views show it. The order itself is not changed. The page is tested by tests/browser/run.mjs.

use kea_tests::{
    admin, agent_token, call, merchant, rpc, start_gateway, unique_number, Gateway, Merchant,
};
use serde_json::json;
use tokio_postgres::Client;

/// An agent serving these merchants (left offline: nothing is offered to it); its id and token.
async fn agent(db: &Client, serves: &[i64]) -> (i64, String) {
    let email = format!(
        "autoverified-{}@test.example",
        unique_number().trim_start_matches('+')
    );
    let id: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Verified Agent', 'pw', $2, 1)",
            &[&email, &json!({ "merchants": serves })],
        )
        .await
        .expect("agent")
        .get(0);
    let token = agent_token(db, id).await;
    (id, token)
}

/// The policy on and live: three would-pass orders approved unchanged out of three (set after
/// the rules, whose change starts the count again).
async fn live_policy(db: &Client, m: &Merchant) {
    db.execute(
        "update app.autoverify_policies
            set enabled = true, min_confidence = 0.5, max_total_cents = null,
                returning_only = false, sample_one_in = 0, min_shadow_orders = 3
          where merchant_id = $1",
        &[&m.id],
    )
    .await
    .expect("policy");
    db.execute(
        "update app.autoverify_policies set checked_unchanged = 3 where merchant_id = $1",
        &[&m.id],
    )
    .await
    .expect("live");
}

/// A sure call to an order; the order's id and the policy's verdict on it.
async fn sure_order(db: &Client, gw: &Gateway, m: &Merchant) -> (i64, String) {
    let t = call(gw, m, &["two garlic knots", "that's all", "yes"]).await;
    let r = db
        .query_one(
            "select d.order_id, d.verdict from app.calls c join app.autoverify_decisions d
               on d.merchant_id = c.merchant_id and d.order_id = c.order_id where c.call_sid = $1",
            &[&t.call_sid],
        )
        .await
        .expect("the order's decision");
    (r.get(0), r.get(1))
}

async fn trust(db: &Client, m: &Merchant) -> (String, i64, Option<i64>, Option<String>) {
    let r = db
        .query_one(
            "select state, checked_unchanged, trust_lost_order_id, trust_lost_reason
               from api.analytics_autoverify_trust where merchant_id = $1",
            &[&m.id],
        )
        .await
        .expect("trust");
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

#[tokio::test]
async fn an_agent_opens_and_reports_orders_kea_verified_alone() {
    let db = admin().await;
    let gw = start_gateway().await;
    let (mine, other) = (merchant(&db, "").await, merchant(&db, "").await);
    live_policy(&db, &mine).await;
    live_policy(&db, &other).await;
    let (agent_id, token) = agent(&db, &[mine.id]).await;

    let (older, v) = sure_order(&db, &gw, &mine).await;
    assert_eq!(v, "verified");
    let (newer, v) = sure_order(&db, &gw, &mine).await;
    assert_eq!(v, "verified");
    let (theirs, v) = sure_order(&db, &gw, &other).await;
    assert_eq!(v, "verified");

    // The list: this agent's stores only, newest first, with what the card shows.
    let (s, list) = rpc(&gw, "autoverified_orders", &token, json!({})).await;
    assert_eq!(s, 200, "{list}");
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![newer, older], "{list}");
    let card = &list[0];
    assert_eq!(card["merchant_id"], mine.id);
    assert_eq!(card["status"], "verified");
    assert_eq!(card["items"], 2);
    assert_eq!(
        card["lines"],
        json!([{"quantity": 2, "name": "Garlic Knots"}])
    );
    assert_eq!(card["reported"], false);
    assert!(card["customer_phone"].as_str().unwrap().starts_with('+'));
    assert!(card["total_cents"].as_i64().unwrap() > 0);

    // Paged: one at a time, the next page before the last one's time.
    let (s, page) = rpc(&gw, "autoverified_orders", &token, json!({"max_rows": 1})).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["order_id"], newer);
    let (s, page) = rpc(
        &gw,
        "autoverified_orders",
        &token,
        json!({"max_rows": 1, "before": page[0]["verified_at"]}),
    )
    .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page[0]["order_id"], older, "{page}");

    // Opened: the order, its call turn by turn with what kea understood, the rule that passed,
    // the store's own number. Another store's order is not there for this agent.
    let (s, o) = rpc(
        &gw,
        "autoverified_order",
        &token,
        json!({"order_id": newer}),
    )
    .await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(o["order"]["id"], newer);
    assert_eq!(o["order"]["lines"][0]["name"], "Garlic Knots");
    assert_eq!(o["store_phone"], mine.transfer_number.as_str());
    assert!(o["decision"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("every line at least"));
    let turns = o["call"]["turns"].as_array().unwrap();
    assert!(
        turns.iter().any(|t| t["speech"] == "two garlic knots"
            && t["understood"]["extraction"]["lines"][0]["item"].is_string()),
        "{o}"
    );
    assert_eq!(o["call"]["why"], json!([]));
    assert!(o["menu"]["items"].is_array());
    let (s, e) = rpc(
        &gw,
        "autoverified_order",
        &token,
        json!({"order_id": theirs}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (404, Some("KO404")), "{e}");
    let (s, e) = rpc(
        &gw,
        "report_autoverified_order",
        &token,
        json!({"order_id": theirs, "reason": "not mine"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (404, Some("KO404")), "{e}");
    assert_eq!(trust(&db, &other).await.0, "live");

    // A report needs a reason and a line of the order.
    let (s, _) = rpc(
        &gw,
        "report_autoverified_order",
        &token,
        json!({"order_id": newer, "reason": "  "}),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = rpc(
        &gw,
        "report_autoverified_order",
        &token,
        json!({"order_id": newer, "reason": "x", "line_no": 9}),
    )
    .await;
    assert_eq!(s, 400);

    // Reported: in the order's history by this agent, on the decision, and trust is lost.
    assert_eq!(trust(&db, &mine).await.0, "live");
    let (s, o) = rpc(
        &gw,
        "report_autoverified_order",
        &token,
        json!({"order_id": newer, "reason": "the caller asked for three", "line_no": 1}),
    )
    .await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(o["decision"]["checked"], "reported");
    assert_eq!(o["order"]["status"], "verified", "the order is not changed");
    assert_eq!(
        o["reports"][0]["reason"],
        "reported a mistake on line 1 (2× Garlic Knots): the caller asked for three"
    );
    let h = db
        .query_one(
            "select actor_kind, actor_id, from_status, to_status from app.order_history
              where merchant_id = $1 and order_id = $2 and reason like 'reported a mistake%'",
            &[&mine.id, &newer],
        )
        .await
        .expect("the history row");
    assert_eq!(h.get::<_, String>(0), "agent");
    assert_eq!(h.get::<_, String>(1), agent_id.to_string());
    assert_eq!(h.get::<_, String>(2), h.get::<_, String>(3));
    let d = db
        .query_one(
            "select checked, check_note from api.analytics_autoverify_decisions
              where merchant_id = $1 and order_id = $2",
            &[&mine.id, &newer],
        )
        .await
        .expect("the decision");
    assert_eq!(d.get::<_, String>(0), "reported");
    assert!(d
        .get::<_, String>(1)
        .starts_with("trust lost: an agent reported a mistake"));
    let (state, count, lost_order, lost_reason) = trust(&db, &mine).await;
    assert_eq!(
        (state.as_str(), count, lost_order),
        ("shadow", 0, Some(newer))
    );
    assert!(
        lost_reason
            .unwrap()
            .ends_with("3 unchanged in a row before it, back to shadow"),
        "trust lost as an edit of a shadow order loses it"
    );
    let (_, list) = rpc(&gw, "autoverified_orders", &token, json!({})).await;
    assert_eq!(list[0]["reported"], true);

    // Once per order; and the store's next sure order goes to an agent.
    let (s, e) = rpc(
        &gw,
        "report_autoverified_order",
        &token,
        json!({"order_id": newer, "reason": "again"}),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("KO409")), "{e}");
    let (_, v) = sure_order(&db, &gw, &mine).await;
    assert_eq!(v, "shadow");
    assert_eq!(
        trust(&db, &other).await.0,
        "live",
        "another store keeps its trust"
    );
}
