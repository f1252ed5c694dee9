//! No toll fraud through the transfer number (issue 17, item 6; docs/security.md, "Transfer
//! numbers"): merchant staff may set only a number of the merchant's allowed countries (its own
//! by default, more if the operator allows them) that is not premium or special-rate, and every
//! change is recorded with who made it.

use kea_tests::{admin, merchant, start_gateway, Gateway};
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

async fn rpc(gw: &Gateway, f: &str, token: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/rpc/{f}", gw.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("rpc");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn transfer_numbers_are_of_the_allowed_countries_and_never_premium() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let staff: i64 = db
        .query_one(
            "select app.upsert_merchant_user($1, $2, 'Owner', 'owner-pw')",
            &[&m.id, &format!("owner-{}@transfer.test", m.id)],
        )
        .await
        .unwrap()
        .get(0);
    let owner = sign(
        &db,
        json!({"role": "kea_merchant", "merchant_id": m.id, "user_id": staff, "sub": format!("merchant_user:{staff}")}),
    )
    .await;
    let set = |number: &'static str| {
        let (gw, owner) = (&gw, &owner);
        async move {
            rpc(
                gw,
                "update_settings",
                owner,
                json!({"transfer_number": number, "greeting": null}),
            )
            .await
        }
    };
    // A US restaurant (the default country).
    for (number, why) in [
        ("+19005550142", "US premium (900)"),
        ("+12129765555", "US premium exchange (976)"),
        (
            "+18765550142",
            "Jamaica: +1, but not the US (one-ring fraud)",
        ),
        ("+8819912345678", "a satellite network"),
        (
            "+442079460018",
            "the United Kingdom, not allowed for this merchant",
        ),
        ("+2347012345678", "Nigeria"),
    ] {
        let (status, body) = set(number).await;
        assert_eq!(status, 422, "{why} ({number}) was taken: {body}");
        assert_eq!(body["code"], "KS422", "{body}");
    }
    let (status, body) = set("+12125550123").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["transfer_number"], "+12125550123");
    assert_eq!(
        body["transfer_number_changed"]["by"],
        format!("merchant_user:{staff}"),
        "{body}"
    );

    // The operator allows the United Kingdom: a London number, never a UK premium one.
    let service = sign(
        &db,
        json!({"role": "kea_service", "sub": "ops@kea.example"}),
    )
    .await;
    let (status, body) = rpc(
        &gw,
        "set_transfer_countries",
        &service,
        json!({"merchant_id": m.id, "countries": ["US", "GB"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = rpc(
        &gw,
        "set_transfer_countries",
        &service,
        json!({"merchant_id": m.id, "countries": ["XX"]}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("KS422")),
        "{body}"
    );
    // Staff cannot widen their own list.
    let (status, _) = rpc(
        &gw,
        "set_transfer_countries",
        &owner,
        json!({"merchant_id": m.id, "countries": ["NG"]}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(set("+442079460018").await.0, 200);
    let (status, body) = set("+449098790000").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("KS422")),
        "{body}"
    );

    // Every change, with who made it.
    let changes: Vec<(String, Option<String>, String)> = db
        .query(
            "select setting, new_value, changed_by from app.settings_changes where merchant_id = $1 order by id",
            &[&m.id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let me = format!("merchant_user:{staff}");
    assert_eq!(
        changes,
        vec![
            (
                "transfer_number".into(),
                Some("+12125550123".into()),
                me.clone()
            ),
            (
                "transfer_countries".into(),
                Some("{US,GB}".into()),
                "ops@kea.example".into()
            ),
            ("transfer_number".into(), Some("+442079460018".into()), me),
        ]
    );
}
