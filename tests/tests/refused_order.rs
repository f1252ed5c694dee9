//! An order the caller confirmed is never lost, even when the database refuses it at save
//! (issue 16): the dialog checks the cart by the same rules as the save, and if the save still
//! refuses (here a stricter database, made for this merchant only by a trigger), the order is
//! kept for an agent with the reason, a verification task is created, and the caller hears that
//! a person will confirm by text, never the apology.

use kea_tests::*;

#[tokio::test]
async fn an_order_refused_after_yes_is_kept_for_an_agent() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    // The refusal the save would give for a line the dialog let through (KO422), for this
    // merchant's orders saved without a reason to keep them.
    let (function, trigger) = (
        format!("kea_test_refuse_{}", m.id),
        format!("kea_test_refuse_{}", m.id),
    );
    // One statement per call: on Citus, the trigger's DDL is sent on to the workers' shards
    // with the text it came in, and a worker refuses several commands in one (docs/scaling.md).
    db.batch_execute(&format!(
        "create function public.{function}() returns trigger language plpgsql as $$
         begin
             raise exception 'order is incomplete: Test Pizza takes at most 1 crust'
                 using errcode = 'KO422';
         end $$"
    ))
    .await
    .expect("the refusing trigger's function");
    db.batch_execute(&format!(
        "create trigger {trigger} before insert on app.orders for each row
             when (new.merchant_id = {id} and new.review_reason is null)
             execute function public.{function}()",
        id = m.id
    ))
    .await
    .expect("the refusing trigger");

    let t = call(&gw, &m, &["a large pepperoni pizza", "that's all", "yes"]).await;

    db.batch_execute(&format!("drop trigger {trigger} on app.orders"))
        .await
        .expect("dropping the trigger");
    db.batch_execute(&format!("drop function public.{function}()"))
        .await
        .expect("dropping the trigger's function");

    let said = t.kea_said();
    let last = said.last().copied().unwrap_or_default();
    assert!(
        said.iter().any(|s| s.contains("Shall I place the order?")),
        "the order was read back: {said:?}"
    );
    assert!(
        !said.iter().any(|s| s.contains("trouble")),
        "the caller heard the apology: {said:?}"
    );
    assert!(
        last.contains("confirm it by text"),
        "the caller is told a person will confirm: {last:?}"
    );
    let row = db
        .query_one(
            "select o.status, o.review_reason, c.outcome,
                    (select count(*) from app.tasks k
                      where k.merchant_id = o.merchant_id and k.order_id = o.id
                        and k.kind = 'verification'),
                    (select count(*) from app.order_lines l
                      where l.merchant_id = o.merchant_id and l.order_id = o.id)
               from app.calls c
               join app.orders o on o.merchant_id = c.merchant_id and o.id = c.order_id
              where c.merchant_id = $1 and c.call_sid = $2",
            &[&m.id, &t.call_sid],
        )
        .await
        .expect("the call's order");
    let (status, reason, outcome, tasks, lines): (String, Option<String>, String, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert_eq!(status, "pending_verification");
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.contains("takes at most 1 crust")),
        "the reason is kept: {reason:?}"
    );
    assert_eq!(outcome, "ordered");
    assert_eq!(tasks, 1, "a verification task for an agent");
    assert_eq!(lines, 1, "the lines as the call took them");
}
