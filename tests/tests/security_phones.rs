//! Phone numbers are E.164 before they are stored or texted, and the opt-out list matches them
//! (issue 17, item 11; docs/security.md, "Phone numbers"): a number the caller says becomes
//! E.164 in the merchant's country, a STOP from that number stops the text to the order, and an
//! opt-out written in another shape is kept as E.164 too.

use kea_tests::{admin, call_with, merchant, start_gateway};

#[tokio::test]
async fn numbers_are_normalised_the_way_callers_say_them() {
    let db = admin().await;
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("(212) 555-0147", "US", Some("+12125550147")),
        ("1 212 555 0147", "US", Some("+12125550147")),
        ("212.555.0147", "CA", Some("+12125550147")),
        ("+1 212 555 0147", "US", Some("+12125550147")),
        ("011 44 20 7946 0018", "US", Some("+442079460018")),
        ("020 7946 0018", "GB", Some("+442079460018")),
        ("0044 20 7946 0018", "FR", Some("+442079460018")),
        ("555 1234", "US", None),
        ("call me maybe", "US", None),
        ("", "US", None),
    ];
    for (said, country, want) in cases {
        let got: Option<String> = db
            .query_one("select app.e164($1, $2)", &[said, country])
            .await
            .unwrap()
            .get(0);
        assert_eq!(got.as_deref(), *want, "{said:?} in {country}");
    }
}

#[tokio::test]
async fn a_number_said_on_the_call_is_matched_against_stop() {
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant(&db, "").await;
    // The caller's ID is withheld; the number is said, digit by digit, as callers do.
    let t = call_with(
        &gw,
        &m,
        &[
            "a brownie",
            "that's all",
            "two one two five five five zero one four seven",
            "yes",
        ],
        |s| s.from = "anonymous".into(),
    )
    .await;
    let (order, phone): (i64, Option<String>) = {
        let r = db
            .query_one(
                "select o.id, o.customer_phone from app.orders o join app.calls c
                   on c.merchant_id = o.merchant_id and c.id = o.call_id where c.call_sid = $1",
                &[&t.call_sid],
            )
            .await
            .expect("the call's order");
        (r.get(0), r.get(1))
    };
    assert_eq!(phone.as_deref(), Some("+12125550147"), "stored as E.164");

    // STOP from that number (Twilio sends E.164), then the confirmation kea would send.
    db.execute(
        "delete from app.sms_opt_outs where phone = '+12125550147'",
        &[],
    )
    .await
    .unwrap();
    db.query_one(
        "select api.twilio_sms(jsonb_build_object('To', $1::text, 'From', '+12125550147', 'Body', 'STOP',
                                                  'MessageSid', 'SM' || md5(random()::text)))",
        &[&m.number],
    )
    .await
    .unwrap();
    // A job that no worker takes (due in a day), read as the worker reads it.
    let job: i64 = db
        .query_one(
            "select app.enqueue($1, 'sms', jsonb_build_object('order_id', $2::bigint, 'template', 'rejected'),
                                null, now() + interval '1 day')",
            &[&m.id, &order],
        )
        .await
        .unwrap()
        .get(0);
    let message: serde_json::Value = db
        .query_one("select worker.sms_message($1)", &[&job])
        .await
        .unwrap()
        .get(0);
    db.execute("delete from app.jobs where id = $1", &[&job])
        .await
        .unwrap();
    assert_eq!(message["to"], "+12125550147", "{message}");
    assert_eq!(message["opted_out"], true, "{message}");

    // An opt-out written in another shape (a hand-made row, an older writer) is E.164 too.
    db.execute(
        "insert into app.sms_opt_outs (phone, keyword) values ('(718) 555-0123', 'STOP')
         on conflict (phone) do nothing",
        &[],
    )
    .await
    .unwrap();
    let kept: i64 = db
        .query_one(
            "select count(*) from app.sms_opt_outs where phone = '+17185550123'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 1);
}
