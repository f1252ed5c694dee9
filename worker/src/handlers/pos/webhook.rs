//! The generic POS: a signed JSON webhook (`pos_kind = 'webhook'`), what many small POS and
//! kitchen screens accept. `POST base_url` with the ticket, `X-Kea-Signature: sha256=<hex
//! HMAC-SHA256(body, secret)>` and `Idempotency-Key`; 2xx = taken.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{response_json, Connection, PosResult};
use crate::handlers::{excerpt, Ctx};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "X-Kea-Signature";

/// `sha256=<hex HMAC-SHA256 of body keyed with secret>`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a signature header in constant time (what a POS does; used by the stand-in).
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

/// What is posted: the ticket without its connection (the POS must never see the secret).
pub fn body(ticket: &Value) -> Vec<u8> {
    let mut t = ticket.clone();
    if let Some(o) = t.as_object_mut() {
        o.remove("connection");
    }
    serde_json::to_vec(&t).expect("a JSON value serialises")
}

/// What an HTTP answer means (docs/workflow.md, Handlers): 2xx taken; 408, 429 and 5xx
/// retried; any other status refused for good.
pub fn classify(status: u16, body: &[u8], retry_after_s: Option<f32>) -> PosResult {
    match status {
        200..=299 => {
            let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let text = |k: &str| {
                v.get(k)
                    .and_then(|x| match x {
                        Value::String(s) if !s.is_empty() => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
            };
            PosResult::Taken {
                pos_order_id: text("order_id"),
                accepted: text("status").as_deref() == Some("accepted"),
                ready_at: text("ready_at"),
                response: response_json(status, body),
            }
        }
        408 | 429 | 500..=599 => PosResult::Retry {
            error: format!("POS answered {status}: {}", excerpt(body)),
            retry_after_s,
        },
        400..=499 => PosResult::Refused {
            error: format!("POS refused the order ({status}): {}", excerpt(body)),
            response: response_json(status, body),
        },
        // 1xx/3xx are not answers a webhook should give; try again rather than lose the order.
        _ => PosResult::Retry {
            error: format!("POS answered an unexpected {status}"),
            retry_after_s,
        },
    }
}

/// Posts the ticket.
pub async fn send(ctx: &Ctx, conn: &Connection, key: &str, ticket: &Value) -> PosResult {
    let Some(url) = conn.base_url.as_deref() else {
        return PosResult::Refused {
            error: "the webhook POS connection has no base_url".into(),
            response: Value::Null,
        };
    };
    let body = body(ticket);
    let sent = ctx
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature(conn.secret.as_bytes(), &body))
        .header("Idempotency-Key", key)
        .body(body)
        .send()
        .await;
    PosResult::from_answer(sent, "POS webhook", classify).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signature_is_hex_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let sig = signature(b"s3cret", b"{}");
        assert!(verify(b"s3cret", b"{}", &sig));
        assert!(!verify(b"other", b"{}", &sig));
        assert!(!verify(b"s3cret", b"{ }", &sig));
        assert!(!verify(b"s3cret", b"{}", sig.trim_start_matches("sha256=")));
        assert!(!verify(b"s3cret", b"{}", "sha256=zz"));
    }

    #[test]
    fn the_body_leaves_the_secret_out() {
        let t = json!({"connection": {"secret": "s"}, "order": {"id": 1}});
        let b: Value = serde_json::from_slice(&body(&t)).unwrap();
        assert_eq!(b, json!({"order": {"id": 1}}));
    }

    #[test]
    fn answers_are_classified() {
        let ok = classify(
            200,
            br#"{"order_id": "pos-3", "status": "accepted", "ready_at": "2024-01-01T12:00:00Z"}"#,
            None,
        );
        match ok {
            PosResult::Taken {
                pos_order_id,
                accepted,
                ready_at,
                ..
            } => {
                assert_eq!(pos_order_id.as_deref(), Some("pos-3"));
                assert!(accepted);
                assert_eq!(ready_at.as_deref(), Some("2024-01-01T12:00:00Z"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(202, b"", None),
            PosResult::Taken {
                accepted: false,
                pos_order_id: None,
                ..
            }
        ));
        for s in [408, 429, 500, 502, 503] {
            assert!(
                matches!(classify(s, b"", Some(2.0)), PosResult::Retry { .. }),
                "{s}"
            );
        }
        for s in [400, 401, 404, 409, 422] {
            assert!(
                matches!(classify(s, b"no", None), PosResult::Refused { .. }),
                "{s}"
            );
        }
    }
}
