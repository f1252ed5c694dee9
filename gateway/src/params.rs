//! Webhook parameters made safe for SQL and TwiML, once, at the edge (after the signature
//! check, which is over the values exactly as Twilio sent them).
//!
//! Anyone who can sign, or a carrier's odd value, could otherwise turn a turn into an SQL error
//! (a NUL is not valid in `jsonb`, "abc" is not a `real`, "1e309" overflows one) and the caller
//! into the apology and a transfer; or put characters into `app.turns` that no TwiML document
//! may contain. So every value is cleaned of what XML forbids, numbers SQL casts are checked
//! and dropped when unusable (SQL then treats them as absent), and the speech is cut to what
//! extraction reads anyway.

use std::borrow::Cow;

use kea_core::extract::bounded;
use kea_core::twiml::xml_safe;
use serde_json::{Map, Value};

/// Values SQL reads as a fraction between 0 and 1.
const FRACTIONS: [&str; 2] = ["Confidence", "Stability"];
/// Values SQL reads as a count of seconds or a sequence number (non-negative `integer`).
const COUNTS: [&str; 5] = [
    "CallDuration",
    "RecordingDuration",
    "DialCallDuration",
    "Duration",
    "SequenceNumber",
];
/// Recognised speech: cut to what the dialog reads, so the stored speech is what was understood.
const SPEECH: [&str; 2] = ["SpeechResult", "UnstableSpeechResult"];

/// The parameters as one JSON object for `api.twilio_*`, cleaned. Of repeated names the last
/// value wins; empty `CallSid` is treated as absent. Takes the parsed pairs by value: a name or
/// value with nothing to clean is moved into the object, not copied (almost every one).
pub fn normalise(params: Vec<(String, String)>) -> Map<String, Value> {
    let mut object = Map::new();
    for (name, value) in params {
        let name = cleaned(name);
        let value = cleaned(value);
        let value = match name.as_str() {
            n if FRACTIONS.contains(&n) => fraction(&value),
            n if COUNTS.contains(&n) => count(&value),
            n if SPEECH.contains(&n) => Some(speech(value)),
            "CallSid" => Some(trimmed(value)).filter(|s| !s.is_empty()),
            _ => Some(value),
        };
        match value {
            Some(v) => object.insert(name, Value::String(v)),
            None => object.remove(&name),
        };
    }
    object
}

/// `text` cleaned of what XML forbids ([`xml_safe`]), the same `String` when it was clean.
fn cleaned(text: String) -> String {
    match xml_safe(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(clean) => clean,
    }
}

/// The speech cut to what extraction reads ([`bounded`], a prefix of it), in place.
fn speech(mut text: String) -> String {
    let end = bounded(&text).len();
    text.truncate(end);
    text
}

/// `text` without leading or trailing whitespace, the same `String` when it had none.
fn trimmed(text: String) -> String {
    let t = text.trim();
    if t.len() == text.len() {
        text
    } else {
        t.to_string()
    }
}

/// A number in [0, 1], clamped when a finite number lies outside; `None` for anything else
/// ("abc", "", "1,5", "NaN", "1e309").
fn fraction(value: &str) -> Option<String> {
    let v: f64 = value.trim().parse().ok()?;
    v.is_finite().then(|| v.clamp(0.0, 1.0).to_string())
}

/// A non-negative integer that fits PostgreSQL's `integer`; `None` for anything else ("12.5",
/// "-3", "", "99999999999").
fn count(value: &str) -> Option<String> {
    let v: u32 = value.trim().parse().ok()?;
    i32::try_from(v).ok().map(|v| v.to_string())
}

/// The `turn` of a gather or dial URL: a non-negative `integer`, else `None` (treated as
/// absent: SQL runs the call's next turn).
pub fn turn(query: Option<&str>) -> Option<i32> {
    let q = query?;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "turn")
        .and_then(|(_, v)| v.trim().parse::<u32>().ok())
        .and_then(|v| i32::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, value: &str) -> Option<String> {
        normalise(vec![(name.to_string(), value.to_string())])
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    #[test]
    fn forbidden_characters_are_replaced_everywhere() {
        assert_eq!(
            one("SpeechResult", "two\0pizzas\u{ffff}").as_deref(),
            Some("two pizzas ")
        );
        assert_eq!(one("To", "+1555\u{1}0100").as_deref(), Some("+1555 0100"));
        let names = normalise(vec![("Fr\0om".into(), "x".into())]);
        assert!(names.contains_key("Fr om"));
    }

    #[test]
    fn unusable_numbers_are_dropped_and_fractions_clamped() {
        for bad in ["abc", "", "1,5", "1e309", "NaN", "inf"] {
            assert_eq!(one("Confidence", bad), None, "{bad:?}");
        }
        assert_eq!(one("Confidence", "0.25").as_deref(), Some("0.25"));
        assert_eq!(one("Confidence", "-0.5").as_deref(), Some("0"));
        assert_eq!(one("Confidence", "7").as_deref(), Some("1"));
        for bad in ["12.5", "-3", "", "abc", "99999999999", "1e3"] {
            assert_eq!(one("CallDuration", bad), None, "{bad:?}");
            assert_eq!(one("RecordingDuration", bad), None, "{bad:?}");
        }
        assert_eq!(one("CallDuration", "42").as_deref(), Some("42"));
    }

    #[test]
    fn an_empty_call_sid_is_absent() {
        assert_eq!(one("CallSid", ""), None);
        assert_eq!(one("CallSid", "\0"), None);
        assert_eq!(one("CallSid", "CA1").as_deref(), Some("CA1"));
    }

    #[test]
    fn turns_are_non_negative_integers() {
        assert_eq!(turn(Some("turn=3")), Some(3));
        for bad in [
            "turn=abc",
            "turn=-1",
            "turn=",
            "turn=1.5",
            "turn=99999999999",
            "x=1",
        ] {
            assert_eq!(turn(Some(bad)), None, "{bad}");
        }
        assert_eq!(turn(None), None);
    }
}
