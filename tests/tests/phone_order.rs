//! One phone order end to end: signed webhooks through the real gateway into PostgreSQL.

use kea_tests::*;

#[tokio::test]
async fn two_pizzas_and_a_coke_become_an_order() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let t = call(
        &gw,
        &m,
        &["two large pepperoni pizzas and a coke", "that's all", "yes"],
    )
    .await;

    let said = t.kea_said();
    assert!(
        said[0].contains("Test Pizza"),
        "greets with the store's name: {said:?}"
    );
    assert!(said.iter().any(|s| s.contains("Anything else")), "{said:?}");
    let read_back = said
        .iter()
        .find(|s| s.contains("read that back"))
        .expect("a read-back");
    assert!(
        read_back.contains("$38.98") && read_back.contains("$1.99"),
        "line prices: {read_back}"
    );
    // 2 x 19.49 + 1.99 = 40.97; tax 8.25% = 3.38; total 44.35
    assert!(read_back.contains("$44.35"), "total with tax: {read_back}");
    assert_eq!(t.ended_by, "kea hung up");

    let s = summary(&gw, &t.call_sid).await;
    let order = &s["order"];
    assert_eq!(order["status"], "pending_verification");
    assert_eq!(order["subtotal_cents"], 4097);
    assert_eq!(order["tax_cents"], 338);
    assert_eq!(order["total_cents"], 4435);
    assert_eq!(order["customer_phone"], "+15551230000");
    let lines = order["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["item_code"], "pepperoni_pizza");
    assert_eq!(lines[0]["variation_code"], "large");
    assert_eq!(lines[0]["quantity"], 2);
    assert_eq!(lines[0]["line_total_cents"], 3898);
    assert_eq!(lines[1]["item_code"], "coke");
    assert_eq!(lines[1]["quantity"], 1);
    assert_eq!(s["outcome"], "ordered");
    assert_eq!(s["status"], "ended");
}

#[tokio::test]
async fn every_turn_is_stored_with_what_was_heard_understood_and_said() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let t = call(&gw, &m, &["a medium cheese pizza", "that's it", "yes"]).await;
    let rows = db
        .query(
            "select t.seq, t.event, t.speech, t.understood, t.said, t.phase, t.elapsed_ms::float8
               from app.turns t join app.calls c on c.merchant_id = t.merchant_id and c.id = t.call_id
              where c.call_sid = $1 order by t.seq",
            &[&t.call_sid],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 4, "start + three utterances");
    assert_eq!(rows[0].get::<_, String>(1), "start");
    assert_eq!(
        rows[1].get::<_, Option<String>>(2).as_deref(),
        Some("a medium cheese pizza")
    );
    let understood: serde_json::Value = rows[1].get(3);
    assert_eq!(
        understood["extraction"]["lines"][0]["item"], "cheese_pizza",
        "{understood}"
    );
    assert_eq!(understood["extraction"]["lines"][0]["variation"], "medium");
    assert!(rows[1].get::<_, String>(4).contains("medium Cheese Pizza"));
    assert_eq!(rows[3].get::<_, String>(5), "submitted");
    assert!(rows.iter().all(|r| r.get::<_, f64>(6) >= 0.0));
}

#[tokio::test]
async fn a_call_replays_in_sql_to_the_same_words() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let t = call(
        &gw,
        &m,
        &[
            "a pepperoni pizza",
            "large",
            "make that two",
            "<silence>",
            "that's all",
            "yes",
        ],
    )
    .await;
    let rows = db
        .query(
            "select seq, said, replayed, same from api.replay_call($1)",
            &[&t.call_sid],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 7, "start + six turns");
    for r in &rows {
        assert!(
            r.get::<_, bool>(3),
            "turn {}: said {:?}, replayed {:?}",
            r.get::<_, i32>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(2)
        );
    }
    // After a price change the replay shows where kea would now say otherwise.
    db.execute(
        "update app.menu_items set price_cents = 1 where menu_id = $1 and code = 'pepperoni_pizza'",
        &[&m.menu_id],
    )
    .await
    .unwrap();
    db.execute(
        "update app.item_variations set price_cents = price_cents + 100 where menu_id = $1",
        &[&m.menu_id],
    )
    .await
    .unwrap();
    let differ: i64 = db
        .query_one(
            "select count(*) from api.replay_call($1) where not same",
            &[&t.call_sid],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(differ, 1, "only the read-back (prices) differs");
}
