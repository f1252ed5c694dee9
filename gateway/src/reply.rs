//! The answer to a request, and the whole of an error answer: its status (from
//! [`crate::http_error`]), PostgREST's JSON body (`code`, `message`, `details`, `hint`), what
//! of the database's words each role may read, `Retry-After` and `WWW-Authenticate`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};
use serde_json::json;

use crate::http_error;
use crate::state::AppState;

/// A response under construction.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
    /// Seconds for `Retry-After` (a 503 or 429 for a full budget).
    pub retry_after: Option<u32>,
    /// Other headers (an `/rpc` function's `response.headers`, the pages' security headers).
    pub headers: Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)>,
}

impl Reply {
    pub fn xml(body: String) -> Reply {
        Reply {
            status: StatusCode::OK,
            content_type: "text/xml; charset=utf-8",
            body: body.into(),
            retry_after: None,
            headers: Vec::new(),
        }
    }
    pub fn text(status: StatusCode, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Bytes::copy_from_slice(body.as_bytes()),
            retry_after: None,
            headers: Vec::new(),
        }
    }
    pub fn json(status: StatusCode, v: &serde_json::Value) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: v.to_string().into(),
            retry_after: None,
            headers: Vec::new(),
        }
    }
    pub fn retry_after(mut self, seconds: u32) -> Reply {
        self.retry_after = Some(seconds);
        self
    }
    /// 503 for a request whose budget is full (docs/security.md), counted by budget.
    pub fn budget_full(state: &AppState, budget: &'static str) -> Reply {
        state.metrics.count_budget_full(budget);
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "KG503",
            &format!("the gateway is busy ({budget}): retry shortly"),
        )
        .retry_after(1)
    }
}

impl Reply {
    /// The HTTP response. `api`: the answer of `/rpc`, where a 401 names the scheme it
    /// expects (RFC 6750, as PostgREST answers).
    pub fn into_response(self, api: bool) -> Response<Full<Bytes>> {
        let mut response = Response::builder()
            .status(self.status)
            .header(hyper::header::CONTENT_TYPE, self.content_type);
        if self.status == StatusCode::UNAUTHORIZED && api {
            response = response.header(hyper::header::WWW_AUTHENTICATE, "Bearer");
        }
        if let Some(seconds) = self.retry_after {
            response = response.header(hyper::header::RETRY_AFTER, seconds);
        }
        for (name, value) in self.headers {
            response = response.header(name, value);
        }
        // Every answer is what its Content-Type says (no browser guessing JSON is HTML).
        response = response.header(hyper::header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        response
            .body(Full::new(self.body))
            .expect("static headers are valid")
    }
}

pub fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"code": code, "message": message, "details": null, "hint": null}),
    )
}

/// Roles that see the database's own words in errors: operators. Everyone else (anonymous
/// callers, agents, staff, POS tokens) gets kea's own messages only (docs/security.md,
/// "Information").
const SEES_SQL_DETAIL: &[&str] = &["kea_service", "kea_analyst"];

/// The error as PostgREST answers it. The database's own messages can name constraints and
/// carry row values (`Key (email)=(...) already exists`, `Failing row contains (...)`): only
/// kea's own errors (`K...`, `PT...`, plain `raise`, the argument errors kea raises) keep
/// their words for every role; any other keeps its SQLSTATE and status, with a generic message
/// and no detail, unless the caller is an operator. The full error is logged.
pub fn db_error(
    e: &tokio_postgres::Error,
    role: &str,
    authenticated: bool,
    function: &str,
) -> Reply {
    let Some(db) = e.as_db_error() else {
        return error(
            http_error::status_for(e),
            "PGRST000",
            "the database could not be reached",
        );
    };
    let code = db.code().code();
    let status = http_error::status_for_sqlstate_as(db.code(), authenticated);
    let ours = code.starts_with('K') || code.starts_with("PT");
    if ours || SEES_SQL_DETAIL.contains(&role) {
        return Reply::json(
            status,
            &json!({"code": code, "message": db.message(), "details": db.detail(), "hint": db.hint()}),
        );
    }
    tracing::info!(
        function,
        role,
        code,
        message = db.message(),
        detail = db.detail(),
        "an /rpc call failed in the database (answered without the database's detail)"
    );
    let message = match code {
        // kea's own raises and a value the caller sent that is not of the argument's type:
        // about the request, in words kea chose or of the caller's own input.
        "P0001" | "P0002" | "22023" | "42501" | "25006" | "57014" => db.message().to_string(),
        _ if code.starts_with("22") && !code.starts_with("22P0") || code == "22P02" => {
            db.message().to_string()
        }
        _ if code.starts_with("23") => {
            "the request conflicts with what is stored (a rule of the data)".to_string()
        }
        _ if status.is_server_error() => "the database could not complete the request".to_string(),
        _ => "the request was refused by the database".to_string(),
    };
    Reply::json(
        status,
        &json!({"code": code, "message": message, "details": null, "hint": null}),
    )
}
