//! The API over HTTP (docs/api.md): tokens refused as PostgREST refuses them, /rpc's calling
//! conventions (POST, GET for stable functions, arrays for set-returning ones, PostgREST's
//! error JSON), sign-in for agents and merchant staff, cross-merchant calls refused, POS
//! tokens, analysts, and GET /openapi.json listing every api function.

use kea_tests::{admin, merchant, start_gateway, Gateway, Merchant};
use serde_json::{json, Value};
use tokio_postgres::Client;

/// A token signed in SQL (app.sign_jwt, the first of app.jwt_secrets: the tests' secret), valid
/// for an hour unless the claims say otherwise.
async fn sign(db: &Client, claims: Value) -> String {
    let mut claims = claims;
    if claims.get("exp").is_none() {
        claims["exp"] = json!(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 3600
        );
    }
    db.query_one("select app.sign_jwt($1)", &[&claims])
        .await
        .expect("signing")
        .get(0)
}

/// A token with any header, signed with HMAC-SHA256 under `secret` (forgeries and algorithm
/// confusion), or unsigned (`secret` None: `alg: none`).
async fn raw_token(db: &Client, header: Value, claims: Value, secret: Option<&str>) -> String {
    db.query_one(
        "select app.base64url(convert_to($1::jsonb::text, 'utf8')) || '.' || app.base64url(convert_to($2::jsonb::text, 'utf8'))
                || '.' || coalesce(app.base64url(hmac(convert_to(app.base64url(convert_to($1::jsonb::text, 'utf8'))
                || '.' || app.base64url(convert_to($2::jsonb::text, 'utf8')), 'utf8'), convert_to($3, 'utf8'), 'sha256')), '')",
        &[&header, &claims, &secret],
    )
    .await
    .expect("token")
    .get(0)
}

async fn rpc(gw: &Gateway, f: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/rpc/{f}", gw.url))
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("rpc");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(gw: &Gateway, path_and_query: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{path_and_query}", gw.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("get");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Two merchants, the first with staff and an agent serving only it, and a task of an order
/// of the first merchant offered to that agent.
struct World {
    a: Merchant,
    b: Merchant,
    agent_email: String,
    staff_email: String,
    task_id: i64,
    order_a: i64,
    order_b: i64,
}

async fn world(db: &Client) -> World {
    let a = merchant(db, "").await;
    let b = merchant(db, "").await;
    let tag = a.number.trim_start_matches('+').to_string();
    let agent_email = format!("agent-{tag}@api.test");
    let staff_email = format!("staff-{tag}@api.test");
    let agent: i64 = db
        .query_one(
            "select app.upsert_agent($1, 'API Agent', 'agent-pw', jsonb_build_object('merchants', jsonb_build_array($2::bigint)), 1)",
            &[&agent_email, &a.id],
        )
        .await
        .unwrap()
        .get(0);
    db.execute(
        "select app.upsert_merchant_user($1, $2, 'Staff', 'staff-pw')",
        &[&a.id, &staff_email],
    )
    .await
    .unwrap();
    let save =
        "select app.save_order($1, null, kea.price_lines($2, '[{\"item\": \"garlic_knots\"}]')
                       || '{\"details\": {\"phone\": \"+15550003333\"}}', 'pending_verification')";
    let order_a: i64 = db
        .query_one(save, &[&a.id, &a.menu_id])
        .await
        .unwrap()
        .get(0);
    let order_b: i64 = db
        .query_one(save, &[&b.id, &b.menu_id])
        .await
        .unwrap()
        .get(0);
    // The router may have offered the task to someone else (other tests' agents): it is
    // offered to ours here, whatever happened.
    let task_id: i64 = db
        .query_one(
            "select id from app.tasks where merchant_id = $1 and order_id = $2",
            &[&a.id, &order_a],
        )
        .await
        .unwrap()
        .get(0);
    db.execute(
        "update app.reservations set status = 'rescinded' where task_id = $1 and status = 'pending'",
        &[&task_id],
    )
    .await
    .unwrap();
    db.execute(
        "insert into app.reservations (merchant_id, task_id, agent_id, expires_at)
         values ($1, $2, $3, now() + interval '10 minutes')",
        &[&a.id, &task_id, &agent],
    )
    .await
    .unwrap();
    db.execute(
        "update app.tasks set status = 'reserved' where id = $1",
        &[&task_id],
    )
    .await
    .unwrap();
    World {
        a,
        b,
        agent_email,
        staff_email,
        task_id,
        order_a,
        order_b,
    }
}

#[tokio::test]
async fn tokens_are_refused_as_postgrest_refuses_them() {
    let db = admin().await;
    let gw = start_gateway().await;
    let hs = json!({"alg": "HS256", "typ": "JWT"});
    let agent = json!({"role": "kea_agent", "agent_id": -1});
    let cases: Vec<(&str, String, u16)> = vec![
        (
            "forged (another secret)",
            raw_token(
                &db,
                hs.clone(),
                agent.clone(),
                Some("not-the-secret-at-all"),
            )
            .await,
            401,
        ),
        (
            "alg none",
            raw_token(
                &db,
                json!({"alg": "none", "typ": "JWT"}),
                agent.clone(),
                None,
            )
            .await,
            401,
        ),
        (
            "RS256 header, HMAC with the secret (algorithm confusion)",
            raw_token(
                &db,
                json!({"alg": "RS256", "typ": "JWT"}),
                agent.clone(),
                Some(kea_tests::JWT_SECRET),
            )
            .await,
            401,
        ),
        (
            "expired",
            sign(
                &db,
                json!({"role": "kea_agent", "agent_id": -1, "exp": 1_000_000_000}),
            )
            .await,
            401,
        ),
        (
            "not yet valid",
            sign(
                &db,
                json!({"role": "kea_agent", "agent_id": -1, "nbf": 4_000_000_000_i64}),
            )
            .await,
            401,
        ),
        ("not a JWT", "abc.def".into(), 401),
        (
            "unknown role",
            sign(&db, json!({"role": "kea_nobody"})).await,
            403,
        ),
        (
            "the owner role",
            sign(&db, json!({"role": "kea_owner"})).await,
            403,
        ),
        (
            "a superuser",
            sign(&db, json!({"role": "postgres"})).await,
            403,
        ),
        (
            "the login role itself",
            sign(&db, json!({"role": "kea_authenticator"})).await,
            403,
        ),
    ];
    for (what, token, want) in cases {
        let (status, body) = rpc(&gw, "my_tasks", Some(&token), json!({})).await;
        assert_eq!(status, want, "{what}: {body}");
        assert!(
            body["code"].is_string() && body["message"].is_string(),
            "{what}: {body}"
        );
    }
    // The right secret (the second of two, as during a rotation) is taken.
    let rotated = kea_tests::start_gateway_configured(&kea_tests::test_database_url(), |c| {
        c.jwt_secret = Some(format!(
            "a-newer-secret-0123456789,{}",
            kea_tests::JWT_SECRET
        ));
    })
    .await;
    let t = sign(&db, json!({"role": "kea_agent", "agent_id": -1})).await;
    let (status, body) = rpc(&rotated, "my_tasks", Some(&t), json!({})).await;
    assert_eq!((status, body), (200, json!([])));
}

#[tokio::test]
async fn anonymous_is_401_and_signed_in_but_not_allowed_is_403() {
    let db = admin().await;
    let gw = start_gateway().await;
    let (status, body) = rpc(&gw, "my_tasks", None, json!({})).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "42501");
    // RFC 6750: the 401 names the scheme, as PostgREST's does.
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/my_tasks", gw.url))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let analyst = sign(&db, json!({"role": "kea_analyst"})).await;
    let (status, _) = rpc(&gw, "my_tasks", Some(&analyst), json!({})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn agents_and_staff_sign_in_and_see_only_their_own() {
    let db = admin().await;
    let gw = start_gateway().await;
    let w = world(&db).await;

    let (status, body) = rpc(
        &gw,
        "login",
        None,
        json!({"email": w.agent_email, "password": "wrong"}),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "KA401");

    let (status, login) = rpc(
        &gw,
        "login",
        None,
        json!({"email": w.agent_email, "password": "agent-pw"}),
    )
    .await;
    assert_eq!(status, 200, "{login}");
    let agent = login["token"].as_str().unwrap().to_string();
    // GET for a stable function, in a read-only transaction
    let (status, tasks) = get(&gw, "/rpc/my_tasks", Some(&agent)).await;
    assert_eq!(status, 200, "{tasks}");
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!(tasks[0]["task_id"], json!(w.task_id));
    assert_eq!(tasks[0]["merchant_id"], json!(w.a.id));
    // GET for a volatile one is refused: it would write
    let (status, body) = get(
        &gw,
        &format!("/rpc/accept_task?task_id={}", w.task_id),
        Some(&agent),
    )
    .await;
    assert_eq!(status, 405, "{body}");
    let (status, body) = rpc(
        &gw,
        "accept_task",
        Some(&agent),
        json!({"task_id": w.task_id}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["order"]["status"], "in_verification");

    // merchant staff: a kea_merchant token for their merchant
    let (status, staff) = rpc(
        &gw,
        "login",
        None,
        json!({"email": w.staff_email, "password": "staff-pw"}),
    )
    .await;
    assert_eq!(status, 200, "{staff}");
    assert_eq!(staff["role"], "kea_merchant");
    assert_eq!(staff["merchant_id"], json!(w.a.id));
    let staff = staff["token"].as_str().unwrap().to_string();
    // staff cannot act as an agent
    let (status, body) = rpc(
        &gw,
        "accept_task",
        Some(&staff),
        json!({"task_id": w.task_id}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    // nor as a POS
    let (status, body) = rpc(
        &gw,
        "pos_order_update",
        Some(&staff),
        json!({"order_id": w.order_a, "status": "completed"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // unknown arguments: PostgREST's 404 with the names given
    let (status, body) = rpc(&gw, "my_tasks", Some(&agent), json!({"nope": 1})).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "PGRST202");
    // a value of the wrong type: 400 with Postgres's own code
    let (status, body) = rpc(&gw, "accept_task", Some(&agent), json!({"task_id": "x"})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "22P02");
}

#[tokio::test]
async fn pos_tokens_move_only_their_own_merchants_orders() {
    let db = admin().await;
    let gw = start_gateway().await;
    let w = world(&db).await;
    // the service issues POS tokens; nobody else may
    let service = sign(&db, json!({"role": "kea_service", "sub": "test"})).await;
    let (status, issued) = rpc(
        &gw,
        "issue_pos_token",
        Some(&service),
        json!({"merchant_id": w.a.id}),
    )
    .await;
    assert_eq!(status, 200, "{issued}");
    let pos = issued["token"].as_str().unwrap().to_string();
    let (status, _) = rpc(&gw, "issue_pos_token", None, json!({"merchant_id": w.a.id})).await;
    assert_eq!(status, 401);
    let (status, _) = rpc(
        &gw,
        "issue_pos_token",
        Some(&pos),
        json!({"merchant_id": w.b.id}),
    )
    .await;
    assert_eq!(status, 403);

    for (m, o) in [(w.a.id, w.order_a), (w.b.id, w.order_b)] {
        db.batch_execute(&format!(
            "select app.act_as('system');
             update app.orders set status = 'verified' where merchant_id = {m} and id = {o};
             update app.orders set status = 'sent_to_pos' where merchant_id = {m} and id = {o};"
        ))
        .await
        .unwrap();
    }
    // another merchant's order: not found
    let (status, body) = rpc(
        &gw,
        "pos_order_update",
        Some(&pos),
        json!({"order_id": w.order_b, "status": "accepted_by_pos"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("KO404")),
        "{body}"
    );
    let (status, body) = rpc(
        &gw,
        "pos_order_update",
        Some(&pos),
        json!({"order_id": w.order_a, "status": "accepted_by_pos", "pos_order_id": "SQ-9",
               "ready_at": "2030-01-01T12:00:00Z"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "accepted_by_pos");
    let (status, body) = rpc(
        &gw,
        "pos_order_update",
        Some(&pos),
        json!({"order_id": w.order_a, "status": "shipped"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("KO422")),
        "{body}"
    );
    let b_status: String = db
        .query_one("select status from app.orders where id = $1", &[&w.order_b])
        .await
        .unwrap()
        .get(0);
    assert_eq!(b_status, "sent_to_pos", "B's order untouched");
}

#[tokio::test]
async fn analysts_read_views_as_arrays_and_nothing_else() {
    let db = admin().await;
    let gw = start_gateway().await;
    let w = world(&db).await;
    let analyst = sign(&db, json!({"role": "kea_analyst"})).await;
    let (status, rows) = rpc(
        &gw,
        "analytics",
        Some(&analyst),
        json!({"view_name": "analytics_funnel"}),
    )
    .await;
    assert_eq!(status, 200, "{rows}");
    assert!(
        rows.is_array() && !rows.as_array().unwrap().is_empty(),
        "{rows}"
    );
    // one merchant's rows: its day, with its one order
    let (status, rows) = rpc(
        &gw,
        "analytics",
        Some(&analyst),
        json!({"view_name": "analytics_funnel", "merchant_id": w.a.id}),
    )
    .await;
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(rows[0]["orders_started"], 1, "{rows}");
    // a set-returning function answers an array, even of one row
    let (status, rows) = get(
        &gw,
        "/rpc/analytics?view_name=analytics_funnel&max_rows=1",
        Some(&analyst),
    )
    .await;
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    let (status, _) = rpc(
        &gw,
        "analytics",
        None,
        json!({"view_name": "analytics_funnel"}),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = rpc(&gw, "my_tasks", Some(&analyst), json!({})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn openapi_lists_every_function_the_callers_role_may_call() {
    let db = admin().await;
    let gw = start_gateway().await;
    let mut docs = Vec::new();
    for (role, claims) in [
        ("kea_anon", None),
        (
            "kea_agent",
            Some(json!({"role": "kea_agent", "agent_id": 1})),
        ),
        (
            "kea_merchant",
            Some(json!({"role": "kea_merchant", "merchant_id": 1})),
        ),
        ("kea_service", Some(json!({"role": "kea_service"}))),
    ] {
        let token = match claims {
            Some(c) => Some(sign(&db, c).await),
            None => None,
        };
        let (status, doc) = get(&gw, "/openapi.json", token.as_deref()).await;
        assert_eq!(status, 200);
        assert_eq!(doc["openapi"], "3.0.3");
        let names: Vec<String> = db
            .query(
                "select distinct p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                  where n.nspname = 'api' and p.prokind = 'f'
                    and has_function_privilege($1::text, p.oid, 'execute') order by 1",
                &[&role],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let paths = doc["paths"].as_object().unwrap();
        for n in &names {
            assert!(
                paths.contains_key(&format!("/rpc/{n}")),
                "{role}: {n} missing"
            );
        }
        assert_eq!(paths.len(), names.len(), "{role}: {:?}", paths.keys());
        docs.push(doc);
    }
    assert!(docs[3]["paths"].as_object().unwrap().len() > 10);
    let paths = |i: usize| docs[i]["paths"].as_object().unwrap().clone();
    let login = &paths(0)["/rpc/login"]["post"];
    assert_eq!(
        login["requestBody"]["content"]["application/json"]["schema"]["required"],
        json!(["email", "password"])
    );
    assert!(login["summary"].as_str().unwrap().contains("Signs"));
    assert!(paths(1)["/rpc/my_tasks"]["get"].is_object(), "stable: GET");
    assert!(
        paths(1)["/rpc/accept_task"]["get"].is_null(),
        "volatile: POST only"
    );
    let issue = &paths(3)["/rpc/issue_pos_token"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    assert_eq!(
        issue["required"],
        json!(["merchant_id"]),
        "days has a default"
    );
    assert_eq!(issue["properties"]["merchant_id"]["format"], "int64");
}

#[tokio::test]
async fn a_single_json_argument_takes_the_whole_body_and_staff_write_only_their_own() {
    let db = admin().await;
    let gw = start_gateway().await;
    let w = world(&db).await;
    let (_, staff) = rpc(
        &gw,
        "login",
        None,
        json!({"email": w.staff_email, "password": "staff-pw"}),
    )
    .await;
    let staff = staff["token"].as_str().unwrap().to_string();
    let hours = json!([{"weekday": 1, "opens": "11:00", "closes": "22:00"}]);
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/set_hours", gw.url))
        .bearer_auth(&staff)
        .header("Prefer", "params=single-object")
        .json(&hours)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["merchant_id"], json!(w.a.id), "{body}");
    assert_eq!(body["hours"].as_array().map(Vec::len), Some(1), "{body}");
    // the same as a named argument
    let (status, body) = rpc(&gw, "set_hours", Some(&staff), json!({"hours": hours})).await;
    assert_eq!(status, 200, "{body}");
    // B's hours are untouched (all day, every day, from the fixture)
    let b_hours: i64 = db
        .query_one(
            "select count(*) from app.opening_hours where merchant_id = $1",
            &[&w.b.id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(b_hours, 7);
    // and B's rows are not readable through the merchant's functions either
    let (status, settings) = get(&gw, "/rpc/merchant_settings", Some(&staff)).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["merchant_id"], json!(w.a.id));
}

/// The role x function matrix of tests/sql/api_privileges.out, over HTTP: each function called
/// through /rpc with each role's token (null arguments, claims naming no real agent or
/// merchant) is refused with 401 (no token) or 403 exactly where the matrix says `-`.
#[tokio::test]
async fn every_role_against_every_function_over_http_matches_the_matrix() {
    let db = admin().await;
    let gw = start_gateway().await;
    let matrix = include_str!("../sql/api_privileges.out");
    let mut lines = matrix.lines();
    let roles: Vec<String> = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|r| format!("kea_{r}"))
        .collect();
    // A POS token is one the service issued (a row of app.pos_tokens), of a real merchant.
    let pos_merchant = merchant(&db, "").await;
    let mut tokens = Vec::new();
    for role in &roles {
        tokens.push(match role.as_str() {
            "kea_anon" | "kea_authenticator" => None,
            "kea_agent" => Some(sign(&db, json!({"role": role, "agent_id": 999999999})).await),
            "kea_merchant" => {
                Some(sign(&db, json!({"role": role, "merchant_id": 999999999})).await)
            }
            "kea_pos" => Some(
                db.query_one(
                    "select api.issue_pos_token($1)->>'token'",
                    &[&pos_merchant.id],
                )
                .await
                .unwrap()
                .get(0),
            ),
            _ => Some(sign(&db, json!({"role": role})).await),
        });
    }
    let mut checked = 0;
    for line in lines.filter(|l| !l.contains(" (view)")) {
        let (label, cells) = line.split_at(line.find(')').unwrap() + 1);
        let name = &label[..label.find('(').unwrap()];
        let args: serde_json::Map<String, Value> = label[name.len() + 1..label.len() - 1]
            .split(", ")
            .filter(|a| !a.is_empty())
            .map(|a| (a.split(' ').next().unwrap().to_string(), Value::Null))
            .collect();
        let cells: Vec<&str> = cells.split_whitespace().collect();
        for (i, role) in roles.iter().enumerate() {
            // the gateway's own login role is not reachable with a token
            if role == "kea_authenticator" {
                continue;
            }
            let (status, body) =
                rpc(&gw, name, tokens[i].as_deref(), Value::Object(args.clone())).await;
            // refused for who it is: 42501 (a function's own KA401 is an answer, not a refusal)
            let refused = (status == 401 || status == 403) && body["code"] == "42501";
            assert_eq!(
                refused,
                cells[i] == "-",
                "{role} calling {name}: {status} {body}, matrix says {}",
                cells[i]
            );
            if refused {
                assert_eq!(
                    status,
                    if tokens[i].is_none() { 401 } else { 403 },
                    "{role} {name}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}
