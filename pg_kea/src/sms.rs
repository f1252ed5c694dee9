//! `kea.twiml_message`: the TwiML that answers an inbound text, written by kea_core's one XML
//! writer (escaped, and cleaned of characters XML forbids) like every other TwiML document.

use pgrx::prelude::*;

#[pg_schema]
mod kea {
    use super::*;

    /// `<Response><Message>body</Message></Response>`.
    #[pg_extern(immutable, parallel_safe)]
    fn twiml_message(body: &str) -> String {
        kea_core::twiml::message(body)
    }
}
