//! Whose rows (issue 17, item 2): every `api` function that takes an identifier, called over
//! `/rpc` with the identifiers of another merchant by every tenant role (anonymous, an agent
//! serving only merchant A, A's staff, A's POS). Nothing of merchant B may come back and nothing
//! of B may change. The privilege matrix (`api_privileges.rs`) says who may call a function;
//! this says on whose rows. The service and analyst roles work across merchants by design
//! (docs/api.md) and are not tenants.
//!
//! The list of cases is checked against the catalog: a new function with an identifier
//! argument fails this test until it has a case here.

use kea_tests::{admin, call_with, merchant, start_gateway, Gateway, Merchant};
use serde_json::{json, Value};
use tokio_postgres::Client;

async fn sign(db: &Client, claims: Value) -> String {
    let mut claims = claims;
    claims["exp"] = json!(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 3600
    );
    db.query_one("select app.sign_jwt($1)", &[&claims])
        .await
        .expect("signing")
        .get(0)
}

async fn rpc(gw: &Gateway, f: &str, token: Option<&str>, body: &Value) -> (u16, String) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/rpc/{f}", gw.url))
        .json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("rpc");
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Everything of merchant `id` a call could change, as one hash.
async fn state_of(db: &Client, id: i64) -> String {
    db.query_one(
        "select md5(concat_ws('|',
            (select string_agg(concat_ws(',', id, status, total_cents, pos_order_id, ready_at), ';' order by id)
               from app.orders where merchant_id = $1),
            (select string_agg(concat_ws(',', order_id, line_no, item_code, variation_code, quantity, modifiers), ';'
                               order by order_id, line_no) from app.order_lines where merchant_id = $1),
            (select string_agg(concat_ws(',', id, status, agent_id), ';' order by id) from app.tasks where merchant_id = $1),
            (select string_agg(concat_ws(',', id, status), ';' order by id) from app.reservations where merchant_id = $1),
            (select string_agg(concat_ws(',', id, active), ';' order by id) from app.menus where merchant_id = $1),
            (select string_agg(concat_ws(',', id, status), ';' order by id) from app.learned_phrases where merchant_id = $1),
            (select string_agg(concat_ws(',', id, available), ';' order by id) from app.menu_items where merchant_id = $1),
            (select concat_ws(',', kind, base_url, secret) from app.pos_connections where merchant_id = $1),
            (select string_agg(concat_ws(',', id, revoked_at), ';' order by id) from app.pos_tokens where merchant_id = $1),
            (select concat_ws(',', name, transfer_number, transfer_countries, greeting) from app.merchants where id = $1)))",
        &[&id],
    )
    .await
    .unwrap()
    .get(0)
}

/// Merchant B's identifiers and what marks its data in an answer.
struct Target {
    merchant: Merchant,
    task_id: i64,
    order_id: i64,
    call_sid: String,
    /// A phrase kea learnt for the merchant (sql/api/learning.sql), a candidate.
    phrase_id: i64,
    /// The caller's number of B's call: in any answer that leaks the call.
    marker: String,
}

/// A merchant with a real call through the gateway (an order, a task) from a caller number of
/// its own.
async fn tenant(db: &Client, gw: &Gateway, caller: &str) -> Target {
    let m = merchant(db, "").await;
    let t = call_with(
        gw,
        &m,
        &["a large pepperoni pizza", "that's all", "yes"],
        |spec| spec.from = caller.to_string(),
    )
    .await;
    let (order_id, task_id): (i64, i64) = {
        let r = db
            .query_one(
                "select o.id, t.id from app.orders o join app.tasks t on t.merchant_id = o.merchant_id and t.order_id = o.id
                  where o.merchant_id = $1",
                &[&m.id],
            )
            .await
            .expect("the call's order and task");
        (r.get(0), r.get(1))
    };
    let phrase_id: i64 = db
        .query_one(
            "insert into app.learned_phrases (merchant_id, phrase, target_kind, item_code, code)
             values ($1, 'the big one', 'item', 'pepperoni_pizza', 'pepperoni_pizza') returning id",
            &[&m.id],
        )
        .await
        .expect("a learned phrase")
        .get(0);
    Target {
        phrase_id,
        merchant: m,
        task_id,
        order_id,
        call_sid: t.call_sid,
        marker: caller.trim_start_matches('+').to_string(),
    }
}

/// The body each function is called with, aimed at merchant `b`. Every api function with an
/// identifier argument has one.
fn cases(b: &Target) -> Vec<(&'static str, Value)> {
    let m = b.merchant.id;
    let t = b.task_id;
    vec![
        ("accept_task", json!({"task_id": t})),
        ("reject_task", json!({"task_id": t, "reason": "x"})),
        ("order_for_task", json!({"task_id": t})),
        ("menu_for_task", json!({"task_id": t})),
        ("call_for_task", json!({"task_id": t})),
        (
            "edit_order_line",
            json!({"task_id": t, "line_no": 1, "quantity": 9}),
        ),
        (
            "add_order_line",
            json!({"task_id": t, "item": "garlic_knots"}),
        ),
        ("remove_order_line", json!({"task_id": t, "line_no": 1})),
        ("approve_order", json!({"task_id": t})),
        ("reject_order", json!({"task_id": t, "reason": "x"})),
        ("accept_phrase", json!({"phrase_id": b.phrase_id})),
        ("reject_phrase", json!({"phrase_id": b.phrase_id})),
        ("autoverified_order", json!({"order_id": b.order_id})),
        (
            "report_autoverified_order",
            json!({"order_id": b.order_id, "reason": "x"}),
        ),
        ("call_summary", json!({"call_sid": b.call_sid})),
        ("replay_call", json!({"call_sid": b.call_sid})),
        (
            "pos_order_update",
            json!({"order_id": b.order_id, "status": "cancelled"}),
        ),
        (
            "analytics",
            json!({"view_name": "analytics_calls_by_hour", "merchant_id": m}),
        ),
        (
            "connect_pos",
            json!({"merchant_id": m, "kind": "webhook", "base_url": "http://127.0.0.1:9/x", "secret": "s"}),
        ),
        (
            "import_menu",
            json!({"merchant_id": m, "document": {"name": "x", "items": []}}),
        ),
        (
            "import_square_catalog",
            json!({"merchant_id": m, "catalog": {"objects": []}}),
        ),
        ("issue_pos_token", json!({"merchant_id": m})),
        ("rotate_pos_token", json!({"merchant_id": m})),
        ("revoke_pos_tokens", json!({"merchant_id": m})),
        (
            "set_transfer_countries",
            json!({"merchant_id": m, "countries": ["US", "GB"]}),
        ),
        (
            "set_item_available",
            json!({"merchant_id": m, "code": "pepperoni_pizza", "available": false}),
        ),
    ]
}

#[tokio::test]
async fn no_tenant_role_reaches_another_merchants_rows_by_identifier() {
    let db = admin().await;
    let gw = start_gateway().await;
    let stamp = std::process::id() % 1000;
    let a = tenant(&db, &gw, &format!("+1557{stamp:03}1111")).await;
    let b = tenant(&db, &gw, &format!("+1557{stamp:03}2222")).await;

    // The catalog's functions with an identifier argument (an id, a CallSid) are all cases.
    let with_ids: Vec<String> = db
        .query(
            "select distinct p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname = 'api' and p.proname not like 'twilio\\_%'
                and exists (select 1 from unnest(p.proargnames) a where a ~ '(^|_)(id|sid)$')
              order by 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let listed: Vec<&str> = cases(&b).iter().map(|(f, _)| *f).collect();
    for f in &with_ids {
        assert!(
            listed.contains(&f.as_str()),
            "api.{f} takes an identifier: add it to cases() in tests/tests/api_tenants.rs"
        );
    }

    // An agent who serves A only (and holds A's task), A's staff, A's POS, and no token.
    let agent: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'Tenant Agent', 'tenant-pw', jsonb_build_object('merchants', jsonb_build_array($2::bigint)), 1)",
            &[&format!("agent-{}@tenants.test", a.marker), &a.merchant.id],
        )
        .await
        .unwrap()
        .get(0);
    db.execute(
        "update app.reservations set status = 'rescinded' where task_id = $1 and status = 'pending'",
        &[&a.task_id],
    )
    .await
    .unwrap();
    db.execute(
        "insert into app.reservations (merchant_id, task_id, agent_id, expires_at)
         values ($1, $2, $3, now() + interval '10 minutes')",
        &[&a.merchant.id, &a.task_id, &agent],
    )
    .await
    .unwrap();
    // B's task is offered to someone else entirely.
    let staff: i64 = db
        .query_one(
            "select app.upsert_merchant_user($1, $2, 'Staff', 'staff-pw')",
            &[&a.merchant.id, &format!("staff-{}@tenants.test", a.marker)],
        )
        .await
        .unwrap()
        .get(0);
    let roles: Vec<(&str, Option<String>)> = vec![
        ("anonymous", None),
        (
            "agent of A",
            Some(
                sign(
                    &db,
                    json!({"role": "kea_agent", "agent_id": agent, "sub": format!("agent:{agent}")}),
                )
                .await,
            ),
        ),
        (
            "staff of A",
            Some(
                sign(
                    &db,
                    json!({"role": "kea_merchant", "merchant_id": a.merchant.id, "user_id": staff,
                           "sub": format!("merchant_user:{staff}")}),
                )
                .await,
            ),
        ),
        (
            "POS of A",
            // issued by the service, as a POS gets it
            db.query_one(
                "select api.issue_pos_token($1)->>'token'",
                &[&a.merchant.id],
            )
            .await
            .unwrap()
            .get(0),
        ),
    ];

    // The test can see a leak: the agent reads A's own call, with its caller's number.
    let (status, body) = rpc(
        &gw,
        "call_summary",
        roles[1].1.as_deref(),
        &json!({"call_sid": a.call_sid}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&a.marker), "A's own call: {body}");

    let before = state_of(&db, b.merchant.id).await;
    let mut leaks = Vec::new();
    for (who, token) in &roles {
        for (f, args) in cases(&b) {
            let (status, body) = rpc(&gw, f, token.as_deref(), &args).await;
            if body.contains(&b.marker) || (f == "issue_pos_token" && status == 200) {
                leaks.push(format!("{who} {f}: {status} {body}"));
            }
            // Success is fine only for an answer that says nothing (null, an empty list).
            if (200..300).contains(&status) && !matches!(body.trim(), "" | "null" | "[]") {
                leaks.push(format!("{who} {f} answered {status}: {body}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "another merchant's rows reached:\n{}",
        leaks.join("\n")
    );
    assert_eq!(
        state_of(&db, b.merchant.id).await,
        before,
        "merchant B's rows changed"
    );
}
