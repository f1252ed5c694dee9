//! A menu with an option that takes money off ("No Rice", -$1.00), as POS menus have them
//! (docs/architecture.md, "Prices, and options that take money off"): imported, and a call
//! through the real gateway ordering it ends in an order whose read-back, stored totals, POS
//! ticket and text to the caller all say the same figures.

use kea_tests::*;
use serde_json::{json, Value};

const CURRY_MENU: &str = r#"{
  "name": "Curry House",
  "categories": [{"code": "curries", "name": "Curries"}],
  "items": [
    {"code": "chicken_curry", "name": "Chicken Curry", "category": "curries", "price_cents": 1299,
     "groups": ["rice"]},
    {"code": "dal", "name": "Side of Dal", "category": "curries", "price_cents": 200,
     "groups": ["portion"]}
  ],
  "groups": [
    {"code": "rice", "name": "Rice", "max": 1,
     "options": [{"code": "no_rice", "name": "No Rice", "price_cents": -100},
                 {"code": "extra_rice", "name": "Extra Rice", "price_cents": 150}]},
    {"code": "portion", "name": "Portion", "max": 1,
     "options": [{"code": "half", "name": "Half Portion", "price_cents": -250}]}
  ]
}"#;

/// The order moves to `status` as `actor` would move it (the history names who).
async fn set_status(db: &tokio_postgres::Client, actor: &str, order: i64, status: &str) {
    db.batch_execute(&format!(
        "begin;
         select app.act_as('{actor}', 'negative-prices', 'by the test');
         update app.orders set status = '{status}' where id = {order};
         commit;"
    ))
    .await
    .unwrap_or_else(|e| panic!("{actor} setting order {order} to {status}: {e}"));
}

/// What the worker sends for the order's job of this kind (`pos_order`, `sms`), once there is
/// one: `function` (`worker.pos_ticket`, `worker.sms_message`) of the newest such job.
async fn sent(db: &tokio_postgres::Client, order: i64, kind: &str, function: &str) -> Value {
    let job: i64 = db
        .query_one(
            "select id from app.jobs_all where kind = $2 and (args->>'order_id')::bigint = $1
              order by id desc limit 1",
            &[&order, &kind],
        )
        .await
        .unwrap_or_else(|e| panic!("no {kind} job for order {order}: {e}"))
        .get(0);
    db.query_one(&format!("select {function}($1)"), &[&job])
        .await
        .unwrap_or_else(|e| panic!("{function}: {e}"))
        .get(0)
}

#[tokio::test]
async fn a_curry_with_no_rice_is_a_dollar_less_everywhere() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant_with_menu(&db, "", CURRY_MENU).await;
    let t = call(
        &gw,
        &m,
        &["a chicken curry with no rice", "that's all", "yes"],
    )
    .await;

    // 12.99 - 1.00 = 11.99; tax 8.25% = 0.99 (0.989 rounded); total 12.98.
    let said = t.kea_said();
    let read_back = said
        .iter()
        .find(|s| s.contains("read that back"))
        .unwrap_or_else(|| panic!("a read-back: {said:?}"));
    assert!(
        read_back.to_lowercase().contains("no rice") && read_back.contains("$11.99"),
        "the line, a dollar less: {read_back}"
    );
    assert!(read_back.contains("$12.98"), "the total: {read_back}");

    let s = summary(&gw, &t.call_sid).await;
    let order = &s["order"];
    assert_eq!(order["status"], "pending_verification", "{s}");
    assert_eq!(
        (
            &order["subtotal_cents"],
            &order["tax_cents"],
            &order["total_cents"]
        ),
        (&json!(1199), &json!(99), &json!(1298)),
        "{order}"
    );
    let line = &order["lines"][0];
    assert_eq!(
        (&line["unit_price_cents"], &line["line_total_cents"]),
        (&json!(1199), &json!(1199))
    );
    assert_eq!(line["modifiers"][0]["option"], "no_rice", "{line}");
    assert_eq!(line["modifiers"][0]["price_cents"], -100, "{line}");
    let order_id = order["id"].as_i64().expect("the order's id");

    // Approved, the order goes to the POS: the ticket says what the call said, and its line's
    // parts (the item's price and the modifier's) add up to the line's price.
    db.execute(
        "select api.connect_pos($1, 'webhook', 'http://127.0.0.1:9/pos', 'pos-secret', null)",
        &[&m.id],
    )
    .await
    .expect("api.connect_pos");
    set_status(&db, "agent", order_id, "verified").await;
    let ticket = sent(&db, order_id, "pos_order", "worker.pos_ticket").await;
    assert_eq!(ticket["order"]["total_cents"], 1298, "{ticket}");
    let tline = &ticket["lines"][0];
    assert_eq!(tline["unit_price_cents"], 1199, "{ticket}");
    assert_eq!(tline["modifiers"][0]["price_cents"], -100, "{ticket}");

    // The POS takes it: the caller's text says the same total.
    set_status(&db, "pos", order_id, "accepted_by_pos").await;
    let sms = sent(&db, order_id, "sms", "worker.sms_message").await;
    let body = sms["body"].as_str().unwrap_or_default();
    assert!(body.contains("$12.98"), "the text's total: {sms}");
}

/// A reduction larger than the item's price: the line costs nothing, never less, and the
/// order is saved (a line below zero would be refused by the database after the caller's yes).
#[tokio::test]
async fn a_half_portion_worth_more_than_the_side_makes_it_free_not_negative() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant_with_menu(&db, "", CURRY_MENU).await;
    let t = call(
        &gw,
        &m,
        &[
            "a chicken curry and a side of dal, half portion",
            "that's all",
            "yes",
        ],
    )
    .await;
    let said = t.kea_said();
    let read_back = said
        .iter()
        .find(|s| s.contains("read that back"))
        .unwrap_or_else(|| panic!("a read-back: {said:?}"));
    // 12.99 + 0.00; tax 8.25% = 1.07; total 14.06.
    assert!(
        read_back.contains("$0.00") && read_back.contains("$14.06"),
        "the dal free, the total: {read_back}"
    );
    let s = summary(&gw, &t.call_sid).await;
    let order = &s["order"];
    assert_eq!(s["outcome"], "ordered", "{s}");
    assert_eq!(order["total_cents"], 1406, "{order}");
    let dal = &order["lines"][1];
    assert_eq!(dal["item_code"], "dal", "{order}");
    assert_eq!(
        (
            &dal["unit_price_cents"],
            &dal["modifiers"][0]["price_cents"]
        ),
        (&json!(0), &json!(-200)),
        "the reduction says what it took: {dal}"
    );
}
