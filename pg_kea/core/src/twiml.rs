//! TwiML rendering: the only place kea writes the XML Twilio executes.
//!
//! Action URLs are relative (`/twilio/voice/gather?turn=3`): Twilio resolves them against the
//! URL it just requested, so the same TwiML works behind any public host or TLS proxy. The turn
//! number in the URL is what makes retries idempotent (see docs/dialog.md).

use std::borrow::Cow;

use quick_xml::escape::escape as escape_markup;
use serde::{Deserialize, Serialize};

/// Whether XML 1.0 allows `c` in a document at all (production `Char`): tab, newline, carriage
/// return, and everything from U+0020 except U+FFFE and U+FFFF (surrogates are no `char`).
/// Escaping cannot help with the others: `&#0;` is as forbidden as a raw NUL.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with every character XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF) replaced by a
/// space, so words on either side stay apart. Borrowed when there was nothing to replace.
/// The gateway applies the same cleaning to webhook parameters, so such characters are never
/// stored either.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_xml_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_xml_char(c) { c } else { ' ' })
            .collect(),
    )
}

/// The one way text enters a document: cleaned of forbidden characters, then escaped.
fn escape(text: &str) -> String {
    escape_markup(xml_safe(text).as_ref()).into_owned()
}

/// How the store speaks: per-merchant, editable in SQL (`app.merchants.voice/language`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Voice {
    #[serde(default = "default_voice")]
    pub voice: String,
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_voice() -> String {
    "Polly.Joanna".into()
}
fn default_language() -> String {
    "en-US".into()
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            voice: default_voice(),
            language: default_language(),
        }
    }
}

/// What to do after speaking.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Next {
    /// Listen for speech (or a key press) and post it to the gather action for `turn`.
    Gather {
        turn: u32,
        hints: Vec<String>,
        /// Expect a phone number on the keypad (ends with #) rather than a single key (0).
        #[serde(default)]
        number_entry: bool,
    },
    /// Transfer the caller to the store; `turn` numbers the dial-result callback.
    Dial {
        number: String,
        turn: u32,
    },
    /// Transfer with no callback: the call ends when the transfer does (the apology's way out,
    /// used when kea itself cannot go on).
    Transfer {
        number: String,
    },
    Hangup,
}

pub const GATHER_PATH: &str = "/twilio/voice/gather";
pub const DIAL_PATH: &str = "/twilio/voice/dial";

/// Renders `<Response>`: the prompt, then what comes next. With `Gather`, the prompt is nested
/// inside it so the caller can barge in; a trailing `<Redirect>` covers a gather that ends with
/// no input on carriers that ignore `actionOnEmptyResult`.
pub fn render(voice: &Voice, say: &str, next: &Next) -> String {
    let mut out = String::with_capacity(256 + say.len());
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#);
    let say_xml = say_element(voice, say);
    match next {
        Next::Gather {
            turn,
            hints,
            number_entry,
        } => {
            let action = format!("{GATHER_PATH}?turn={turn}");
            // One key is enough to reach a person (0); a phone number ends with #.
            let keys = if *number_entry {
                r##"finishOnKey="#""##
            } else {
                r#"numDigits="1""#
            };
            out.push_str(&format!(
                r#"<Gather input="speech dtmf" action="{a}" method="POST" speechTimeout="auto" {keys} language="{l}" actionOnEmptyResult="true""#,
                a = escape(&action),
                l = escape(&voice.language),
            ));
            if !hints.is_empty() {
                out.push_str(&format!(r#" hints="{}""#, escape(&hints.join(", "))));
            }
            out.push('>');
            out.push_str(&say_xml);
            out.push_str("</Gather>");
            out.push_str(&format!(
                r#"<Redirect method="POST">{}</Redirect>"#,
                escape(&action)
            ));
        }
        Next::Dial { number, turn } => {
            out.push_str(&say_xml);
            out.push_str(&format!(
                r#"<Dial timeout="30" action="{a}" method="POST">{n}</Dial>"#,
                a = escape(&format!("{DIAL_PATH}?turn={turn}")),
                n = escape(number),
            ));
        }
        Next::Transfer { number } => {
            out.push_str(&say_xml);
            out.push_str(&format!(r#"<Dial timeout="30">{}</Dial>"#, escape(number)));
        }
        Next::Hangup => {
            out.push_str(&say_xml);
            out.push_str("<Hangup/>");
        }
    }
    out.push_str("</Response>");
    out
}

fn say_element(voice: &Voice, say: &str) -> String {
    if say.is_empty() {
        return String::new();
    }
    format!(
        r#"<Say voice="{v}" language="{l}">{t}</Say>"#,
        v = escape(&voice.voice),
        l = escape(&voice.language),
        t = escape(say)
    )
}

/// The answer when anything fails: apologise, then transfer to the store when its number is
/// known, else hang up. Never fails itself, so a caller never hears "application error".
pub fn apology(voice: &Voice, store_number: Option<&str>) -> String {
    match store_number.filter(|n| !n.trim().is_empty()) {
        Some(number) => render(
            voice,
            "Sorry, we're having trouble taking your order right now. Let me put you through to the restaurant.",
            &Next::Transfer {
                number: number.to_string(),
            },
        ),
        None => render(
            voice,
            "Sorry, we're having trouble taking your order right now. Please call back in a few minutes.",
            &Next::Hangup,
        ),
    }
}

/// An SMS reply (`<Response><Message>`): what kea answers an inbound text (STOP, HELP...).
pub fn message(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message>{}</Message></Response>"#,
        escape(body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn say_text_is_escaped() {
        let xml = render(&Voice::default(), "Tom & Jerry's <pizza>", &Next::Hangup);
        assert!(
            xml.contains("Tom &amp; Jerry&apos;s &lt;pizza&gt;"),
            "{xml}"
        );
        assert!(xml.ends_with("<Hangup/></Response>"));
    }

    #[test]
    fn gather_nests_say_for_barge_in_and_numbers_the_turn() {
        let xml = render(
            &Voice::default(),
            "Hi",
            &Next::Gather {
                turn: 3,
                hints: vec!["pepperoni pizza".into(), "coke".into()],
                number_entry: false,
            },
        );
        assert!(
            xml.contains(r#"action="/twilio/voice/gather?turn=3""#),
            "{xml}"
        );
        assert!(xml.contains(r#"hints="pepperoni pizza, coke""#), "{xml}");
        let gather = xml.find("<Gather").unwrap();
        let say = xml.find("<Say").unwrap();
        let end = xml.find("</Gather>").unwrap();
        assert!(gather < say && say < end);
        assert!(
            xml.contains(r#"numDigits="1""#),
            "one key reaches a person: {xml}"
        );
    }

    #[test]
    fn number_entry_waits_for_the_hash_key() {
        let next = Next::Gather {
            turn: 1,
            hints: vec![],
            number_entry: true,
        };
        let xml = render(&Voice::default(), "Your number?", &next);
        assert!(
            xml.contains(r##"finishOnKey="#""##) && !xml.contains("numDigits"),
            "{xml}"
        );
        assert!(!xml.contains("hints="), "no empty hints attribute: {xml}");
    }

    #[test]
    fn apology_dials_the_store_when_known() {
        let xml = apology(&Voice::default(), Some("+15555550199"));
        assert!(xml.contains("<Dial"), "{xml}");
        assert!(xml.contains(">+15555550199</Dial>"));
        let xml = apology(&Voice::default(), None);
        assert!(xml.contains("<Hangup/>") && !xml.contains("<Dial"));
    }

    #[test]
    fn forbidden_characters_become_spaces() {
        let xml = render(
            &Voice::default(),
            "two\u{0}pizzas\u{1b}[0m\u{fffe}\u{ffff}, please\tnow",
            &Next::Hangup,
        );
        assert!(
            xml.contains(">two pizzas [0m  , please\tnow</Say>"),
            "{xml}"
        );
        assert!(roxmltree::Document::parse(&xml).is_ok(), "{xml}");
        assert!(matches!(xml_safe("fine text"), Cow::Borrowed(_)));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Any text, with the characters that break documents (controls, U+FFFE/U+FFFF,
        /// markup) far more often than uniform sampling would give them.
        pub(crate) fn hostile_text() -> impl Strategy<Value = String> {
            let c = prop_oneof![
                4 => any::<char>(),
                1 => prop::char::range('\u{0}', '\u{1f}'),
                1 => prop::sample::select(vec!['\u{fffe}', '\u{ffff}', '&', '<', '>', '"', '\'', ']']),
            ];
            prop::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
        }

        fn next() -> impl Strategy<Value = Next> {
            prop_oneof![
                (
                    any::<u32>(),
                    prop::collection::vec(hostile_text(), 0..4),
                    any::<bool>()
                )
                    .prop_map(|(turn, hints, number_entry)| Next::Gather {
                        turn,
                        hints,
                        number_entry
                    }),
                (hostile_text(), any::<u32>())
                    .prop_map(|(number, turn)| Next::Dial { number, turn }),
                hostile_text().prop_map(|number| Next::Transfer { number }),
                Just(Next::Hangup),
            ]
        }

        proptest! {
            #[test]
            fn every_document_is_well_formed_xml(
                voice in hostile_text(),
                language in hostile_text(),
                say in hostile_text(),
                next in next(),
                store_number in proptest::option::of(hostile_text()),
            ) {
                let voice = Voice { voice, language };
                for xml in [render(&voice, &say, &next), apology(&voice, store_number.as_deref())] {
                    let doc = roxmltree::Document::parse(&xml);
                    prop_assert!(doc.is_ok(), "{:?}: {}", doc.err(), xml.escape_debug());
                }
            }
        }
    }
}
