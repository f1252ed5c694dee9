//! The messaging webhooks (docs/workflow.md, "Inbound SMS"): a caller texting STOP is never
//! texted again until START, HELP says who this is, every reply is TwiML `<Message>`, and the
//! status of a sent text is kept without going backwards.

use kea_gateway::signature;
use kea_tests::*;

async fn post_signed(gw: &Gateway, path: &str, params: &[(&str, &str)]) -> (u16, String) {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let sig = signature::sign(AUTH_TOKEN, &format!("{}{path}", gw.url), &params);
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", gw.url))
        .header("X-Twilio-Signature", sig)
        .form(&params)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

fn message(twiml: &str) -> String {
    let doc =
        roxmltree::Document::parse(twiml).unwrap_or_else(|e| panic!("not XML ({e}): {twiml}"));
    let m = doc
        .descendants()
        .find(|n| n.has_tag_name("Message"))
        .unwrap_or_else(|| panic!("no <Message>: {twiml}"));
    m.text().unwrap_or_default().to_string()
}

#[tokio::test]
async fn stop_opts_the_caller_out_until_start_and_help_answers() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let caller = unique_number();
    let text = |body: &'static str, sid: &'static str| {
        let (to, from) = (m.number.clone(), caller.clone());
        let gw = &gw;
        async move {
            let sid = format!("SM{sid}{}", from.trim_start_matches('+'));
            post_signed(
                gw,
                "/twilio/sms",
                &[
                    ("From", &from),
                    ("To", &to),
                    ("Body", body),
                    ("MessageSid", &sid),
                ],
            )
            .await
        }
    };
    let opted_out = |phone: String| {
        let db = &db;
        async move {
            db.query_one(
                "select count(*) from app.sms_opt_outs where phone = $1",
                &[&phone],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
                == 1
        }
    };

    let (status, reply) = text("Stop ", "a").await;
    assert_eq!(status, 200);
    assert!(
        message(&reply).contains("no more texts from Test Pizza"),
        "{reply}"
    );
    assert!(opted_out(caller.clone()).await, "STOP is kept");

    // The next text kea would send is skipped before it leaves.
    let order: i64 = db
        .query_one(
            "insert into app.orders (merchant_id, status, customer_phone, subtotal_cents, tax_cents, total_cents)
             values ($1, 'abandoned', $2, 0, 0, 0) returning id",
            &[&m.id, &caller],
        )
        .await
        .unwrap()
        .get(0);
    let job: i64 = db
        .query_one(
            "select app.enqueue($1, 'sms', jsonb_build_object('order_id', $2::bigint, 'template', 'rejected'))",
            &[&m.id, &order],
        )
        .await
        .unwrap()
        .get(0);
    let skip: serde_json::Value = db
        .query_one("select worker.sms_message($1)", &[&job])
        .await
        .unwrap()
        .get(0);
    db.execute("select app.cancel_job($1)", &[&job])
        .await
        .unwrap();
    assert_eq!(skip["opted_out"], true, "{skip}");

    let (_, reply) = text("HELP", "b").await;
    assert!(message(&reply).contains("Call +15555550199"), "{reply}");
    let (_, reply) = text("start", "c").await;
    assert!(message(&reply).contains("again"), "{reply}");
    assert!(!opted_out(caller.clone()).await, "START opts back in");
    let (_, reply) = text("what time do you close <tonight> & \u{1}?", "d").await;
    assert!(
        message(&reply).contains("only sends order confirmations"),
        "{reply}"
    );

    let inbound: i64 = db
        .query_one(
            "select count(*) from app.sms_messages where direction = 'inbound' and from_number = $1",
            &[&caller],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(inbound, 4, "every text received is kept");
}

#[tokio::test]
async fn a_texts_status_is_kept_and_never_goes_back() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    let sid = format!("SMstatus{}", m.number.trim_start_matches('+'));
    db.execute(
        "insert into app.sms_messages (merchant_id, direction, to_number, body, sid, status)
         values ($1, 'outbound', '+15550001111', 'hi', $2, 'queued')",
        &[&m.id, &sid],
    )
    .await
    .unwrap();
    for status in ["sent", "delivered", "sent"] {
        let (code, body) = post_signed(
            &gw,
            "/twilio/sms/status",
            &[
                ("MessageSid", &sid),
                ("MessageStatus", status),
                ("To", &m.number),
            ],
        )
        .await;
        assert_eq!(code, 200, "{body}");
    }
    let status: String = db
        .query_one(
            "select status from app.sms_messages where sid = $1",
            &[&sid],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        status, "delivered",
        "a late 'sent' does not undo 'delivered'"
    );
}
