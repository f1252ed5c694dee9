//! Square's Orders API (`pos_kind = 'square'`): `POST {base}/v2/orders` with the order's
//! idempotency key, catalog ids where the menu carries them (`pos_id`), ad-hoc lines
//! otherwise, decimal-string quantities, and a PICKUP or DELIVERY fulfillment.

use serde_json::{json, Map, Value};

use super::{response_json, Connection, PosResult};
use crate::handlers::{excerpt, Ctx};

/// The API version kea's request shape was written against.
pub const SQUARE_VERSION: &str = "2025-01-23";

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(|x| {
        x.as_i64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
    })
}

/// The catalog object a line or modifier maps to, when the menu carries one.
fn pos_id(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(v, k)).map(str::to_string)
}

fn money(amount: i64, currency: &str) -> Value {
    json!({"amount": amount, "currency": currency})
}

/// One ticket line as a Square line item. The money of ad-hoc lines is the line's unit
/// price less what its ad-hoc modifiers add, since Square adds those itself. A modifier that
/// takes money off ("No rice", -1.00) goes at 0.00 with its name, and what it took stays in the
/// ad-hoc line's price (the unit price already holds it): a negative modifier price is not
/// something to count on a POS taking, and the total is the same. On a catalog line it goes as
/// it is, since Square prices that line.
fn line_item(line: &Value, currency: &str) -> Value {
    let quantity = int(line, "quantity").unwrap_or(1).max(1);
    let mut notes: Vec<String> = Vec::new();
    let mut modifiers: Vec<Value> = Vec::new();
    let mut modifiers_cents = 0i64;
    let empty = Vec::new();
    let mods = line
        .get("modifiers")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    // Square prices a catalog line itself: a reduction cannot go into its price, so there it
    // is sent as it is.
    let variation = pos_id(line, &["pos_variation_id", "catalog_object_id"]);
    for m in mods {
        let name = text(m, "name").or(text(m, "option")).unwrap_or("option");
        if m.get("negated").and_then(Value::as_bool).unwrap_or(false) {
            // Square has no "without": the kitchen reads it in the note.
            notes.push(format!("no {name}"));
            continue;
        }
        if let Some(q) = text(m, "qualifier") {
            notes.push(format!("{q} {name}"));
        }
        let mq = int(m, "quantity").unwrap_or(1).max(1);
        match pos_id(m, &["pos_id", "catalog_object_id"]) {
            Some(id) => {
                modifiers.push(json!({"catalog_object_id": id, "quantity": mq.to_string()}))
            }
            None => {
                let price = int(m, "price_cents").unwrap_or(0);
                let price = if variation.is_none() {
                    price.max(0)
                } else {
                    price
                };
                modifiers_cents += price * mq;
                modifiers.push(json!({
                    "name": name,
                    "quantity": mq.to_string(),
                    "base_price_money": money(price, currency),
                }));
            }
        }
    }
    let mut item = Map::new();
    // Square line items reference an ITEM_VARIATION; an item id alone cannot be used.
    match variation {
        Some(id) => {
            item.insert("catalog_object_id".into(), id.into());
        }
        None => {
            let name = text(line, "name").unwrap_or("item");
            let name = match text(line, "variation_name") {
                Some(v) => format!("{name} ({v})"),
                None => name.to_string(),
            };
            let unit = int(line, "unit_price_cents").unwrap_or(0);
            let base = if unit >= modifiers_cents {
                unit - modifiers_cents
            } else {
                unit
            };
            item.insert("name".into(), name.into());
            item.insert("base_price_money".into(), money(base, currency));
        }
    }
    item.insert("quantity".into(), quantity.to_string().into());
    if !modifiers.is_empty() {
        item.insert("modifiers".into(), modifiers.into());
    }
    if let Some(n) = text(line, "note") {
        notes.push(n.to_string());
    }
    if !notes.is_empty() {
        item.insert("note".into(), notes.join(", ").into());
    }
    Value::Object(item)
}

/// The fulfillment (`ticket.fulfillment`, `ticket.customer`): who collects it, and where it
/// goes for a delivery.
fn fulfillment(ticket: &Value) -> Value {
    let customer = ticket.get("customer").unwrap_or(&Value::Null);
    let how = ticket.get("fulfillment").unwrap_or(&Value::Null);
    let phone = text(customer, "phone");
    let display = text(customer, "name").or(phone).unwrap_or("kea caller");
    let mut recipient = Map::new();
    recipient.insert("display_name".into(), display.into());
    if let Some(p) = phone {
        recipient.insert("phone_number".into(), p.into());
    }
    let delivery = text(how, "type") == Some("delivery");
    if delivery {
        if let Some(a) = text(how, "address") {
            recipient.insert("address".into(), json!({"address_line_1": a}));
        }
    }
    let mut details = Map::new();
    details.insert("recipient".into(), Value::Object(recipient));
    details.insert("schedule_type".into(), "ASAP".into());
    let prep = ticket.get("store").and_then(|s| int(s, "prep_minutes"));
    if let Some(m) = prep.filter(|m| *m > 0) {
        details.insert("prep_time_duration".into(), format!("PT{m}M").into());
    }
    if delivery {
        json!({"type": "DELIVERY", "state": "PROPOSED", "delivery_details": details})
    } else {
        json!({"type": "PICKUP", "state": "PROPOSED", "pickup_details": details})
    }
}

/// The CreateOrder request for a ticket (`worker.pos_ticket`: `{connection, idempotency_key,
/// reference, order, store, customer, fulfillment, lines}`).
pub fn request(ticket: &Value, key: &str, location_id: &str) -> Value {
    let order = ticket.get("order").unwrap_or(&Value::Null);
    let currency = text(order, "currency").unwrap_or("USD");
    let empty = Vec::new();
    let lines = ticket
        .get("lines")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let reference = text(ticket, "reference")
        .map(str::to_string)
        .or_else(|| int(order, "id").map(|id| format!("kea-{id}")))
        .unwrap_or_else(|| key.to_string());
    json!({
        "idempotency_key": key,
        "order": {
            "location_id": location_id,
            // Square keeps at most 40 characters here.
            "reference_id": reference.chars().take(40).collect::<String>(),
            "source": {"name": "kea"},
            "line_items": lines.iter().map(|l| line_item(l, currency)).collect::<Vec<_>>(),
            "fulfillments": [fulfillment(ticket)],
        }
    })
}

/// What Square's answer means: 200 with an order = taken (`OPEN` = accepted); 408, 429, 5xx
/// and RATE_LIMIT_ERROR retried; any other 4xx refused for good.
pub fn classify(status: u16, body: &[u8], retry_after_s: Option<f32>) -> PosResult {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let rate_limited = v
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errs| {
            errs.iter()
                .any(|e| text(e, "category") == Some("RATE_LIMIT_ERROR"))
        });
    match status {
        200..=299 => match v.get("order").filter(|o| o.is_object()) {
            Some(o) => PosResult::Taken {
                pos_order_id: text(o, "id").map(str::to_string),
                accepted: text(o, "state") == Some("OPEN"),
                ready_at: o
                    .pointer("/fulfillments/0/pickup_details/pickup_at")
                    .or_else(|| o.pointer("/fulfillments/0/delivery_details/deliver_at"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
                response: response_json(status, body),
            },
            // A 2xx without an order is not Square's answer; the key makes a retry safe.
            None => PosResult::Retry {
                error: format!("Square answered {status} without an order"),
                retry_after_s,
            },
        },
        _ if rate_limited => PosResult::Retry {
            error: format!("Square rate limit ({status}): {}", excerpt(body)),
            retry_after_s,
        },
        408 | 429 | 500..=599 => PosResult::Retry {
            error: format!("Square answered {status}: {}", excerpt(body)),
            retry_after_s,
        },
        400..=499 => PosResult::Refused {
            error: format!("Square refused the order ({status}): {}", excerpt(body)),
            response: response_json(status, body),
        },
        _ => PosResult::Retry {
            error: format!("Square answered an unexpected {status}"),
            retry_after_s,
        },
    }
}

/// Creates the order in Square.
pub async fn send(ctx: &Ctx, conn: &Connection, key: &str, ticket: &Value) -> PosResult {
    let Some(location) = conn.location_id.as_deref() else {
        return PosResult::Refused {
            error: "the Square connection has no location_id".into(),
            response: Value::Null,
        };
    };
    let base = conn
        .base_url
        .as_deref()
        .unwrap_or(&ctx.config.square_api_url)
        .trim_end_matches('/');
    let sent = ctx
        .http
        .post(format!("{base}/v2/orders"))
        .bearer_auth(&conn.secret)
        .header("Square-Version", SQUARE_VERSION)
        .json(&request(ticket, key, location))
        .send()
        .await;
    PosResult::from_answer(sent, "Square", classify).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Value {
        json!({
            "connection": {"kind": "square", "secret": "tok", "location_id": "L1"},
            "idempotency_key": "kea-order-12",
            "reference": "kea-12",
            "order": {"id": 12, "currency": "USD", "total_cents": 5000},
            "store": {"name": "Tony's", "prep_minutes": 20},
            "customer": {"name": "Sam", "phone": "+14155550123"},
            "fulfillment": {"type": "pickup", "address": null},
            "lines": [
                {"line_no": 1, "name": "Pepperoni Pizza", "variation_name": "Large",
                 "pos_item_id": "ITEM-P", "pos_variation_id": "VAR-L", "quantity": 2,
                 "unit_price_cents": 1899,
                 "modifiers": [
                    {"group": "crust", "option": "thin", "name": "Thin crust", "pos_id": "MOD-THIN",
                     "price_cents": 0},
                    {"group": "toppings", "option": "onion", "name": "Onions", "negated": true,
                     "pos_id": null},
                    {"group": "sauce", "option": "sauce", "name": "sauce", "qualifier": "light",
                     "pos_id": "MOD-SAUCE"}]},
                {"line_no": 2, "name": "Garlic Knots", "quantity": 1, "unit_price_cents": 699,
                 "pos_item_id": "ITEM-K", "pos_variation_id": null,
                 "modifiers": [{"name": "Extra dip", "price_cents": 100, "pos_id": null}]}
            ]
        })
    }

    #[test]
    fn the_request_has_squares_shape() {
        let r = request(&ticket(), "kea-order-12", "L1");
        assert_eq!(r["idempotency_key"], "kea-order-12");
        let o = &r["order"];
        assert_eq!(o["location_id"], "L1");
        assert_eq!(o["reference_id"], "kea-12");
        assert_eq!(o["source"]["name"], "kea");
        let l0 = &o["line_items"][0];
        assert_eq!(l0["catalog_object_id"], "VAR-L");
        assert_eq!(l0["quantity"], "2", "quantities are decimal strings");
        assert!(
            l0.get("base_price_money").is_none(),
            "the catalog prices it"
        );
        assert_eq!(
            l0["modifiers"],
            json!([{"catalog_object_id": "MOD-THIN", "quantity": "1"},
                   {"catalog_object_id": "MOD-SAUCE", "quantity": "1"}])
        );
        assert_eq!(l0["note"], "no Onions, light sauce");
        let l1 = &o["line_items"][1];
        assert_eq!(l1["name"], "Garlic Knots");
        assert_eq!(l1["quantity"], "1");
        assert_eq!(
            l1["base_price_money"],
            json!({"amount": 599, "currency": "USD"})
        );
        assert_eq!(
            l1["modifiers"][0]["base_price_money"],
            json!({"amount": 100, "currency": "USD"})
        );
        assert_eq!(
            o["fulfillments"],
            json!([{"type": "PICKUP", "state": "PROPOSED", "pickup_details": {
                "recipient": {"display_name": "Sam", "phone_number": "+14155550123"},
                "schedule_type": "ASAP", "prep_time_duration": "PT20M"}}])
        );
    }

    #[test]
    fn a_modifier_that_takes_money_off_stays_in_the_line_price() {
        let mut t = ticket();
        t["lines"] = json!([{"line_no": 1, "name": "Chicken Curry", "quantity": 1,
            "unit_price_cents": 1199, "pos_variation_id": null,
            "modifiers": [{"name": "No Rice", "price_cents": -100, "pos_id": null},
                          {"name": "Extra Naan", "price_cents": 200, "pos_id": null}]}]);
        let l = &request(&t, "k", "L1")["order"]["line_items"][0];
        assert_eq!(
            l["base_price_money"],
            json!({"amount": 999, "currency": "USD"}),
            "1199 less the 200 Square adds for the naan; the rice's -100 is already in 1199"
        );
        assert_eq!(
            l["modifiers"],
            json!([{"name": "No Rice", "quantity": "1",
                    "base_price_money": {"amount": 0, "currency": "USD"}},
                   {"name": "Extra Naan", "quantity": "1",
                    "base_price_money": {"amount": 200, "currency": "USD"}}])
        );
    }

    #[test]
    fn deliveries_carry_the_address() {
        let mut t = ticket();
        t["fulfillment"] = json!({"type": "delivery", "address": "12 Main St"});
        let f = &request(&t, "k", "L1")["order"]["fulfillments"][0];
        assert_eq!(f["type"], "DELIVERY");
        assert_eq!(
            f["delivery_details"]["recipient"]["address"]["address_line_1"],
            "12 Main St"
        );
    }

    #[test]
    fn answers_are_classified() {
        let ok = classify(200, br#"{"order": {"id": "SQ1", "state": "OPEN"}}"#, None);
        assert!(
            matches!(ok, PosResult::Taken { accepted: true, ref pos_order_id, .. }
                         if pos_order_id.as_deref() == Some("SQ1"))
        );
        let draft = classify(200, br#"{"order": {"id": "SQ1", "state": "DRAFT"}}"#, None);
        assert!(matches!(
            draft,
            PosResult::Taken {
                accepted: false,
                ..
            }
        ));
        let limited = br#"{"errors": [{"category": "RATE_LIMIT_ERROR", "code": "RATE_LIMITED"}]}"#;
        assert!(matches!(
            classify(400, limited, None),
            PosResult::Retry { .. }
        ));
        assert!(matches!(classify(503, b"", None), PosResult::Retry { .. }));
        let bad = br#"{"errors": [{"category": "INVALID_REQUEST_ERROR", "code": "NOT_FOUND"}]}"#;
        assert!(matches!(
            classify(404, bad, None),
            PosResult::Refused { .. }
        ));
    }
}
