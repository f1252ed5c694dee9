//! SQLSTATE -> HTTP status, in one place (after PostgREST's mapSQLtoHTTP).

use hyper::StatusCode;
use tokio_postgres::error::SqlState;

/// The HTTP status for a database error. Errors with no SQLSTATE (connection lost, pool
/// exhausted) are 503: the request may be retried.
pub fn status_for(err: &tokio_postgres::Error) -> StatusCode {
    match err.code() {
        Some(code) => status_for_sqlstate(code),
        None => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The status of a database error for a caller with a token; see `status_for_sqlstate_as`.
pub fn status_for_sqlstate(code: &SqlState) -> StatusCode {
    status_for_sqlstate_as(code, true)
}

/// The one SQLSTATE -> HTTP mapping. `authenticated`: the request carried a valid token;
/// without one, insufficient privilege is 401 (sign in first), with one 403 (PostgREST).
pub fn status_for_sqlstate_as(code: &SqlState, authenticated: bool) -> StatusCode {
    let c = code.code();
    match c {
        // `raise sqlstate 'PT404'` chooses the status itself, as in PostgREST.
        _ if c.starts_with("PT") => c[2..]
            .parse::<u16>()
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        // kea's own codes carry their status: K + subsystem letter + HTTP status
        // (docs/workflow.md, "Error codes"), e.g. KT404, KO409, KM422.
        _ if c.starts_with('K') && c.len() == 5 => c[2..]
            .parse::<u16>()
            .ok()
            .filter(|s| (400..600).contains(s))
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::BAD_REQUEST),
        // unique / foreign key violations: the request conflicts with what is stored
        "23505" | "23503" => StatusCode::CONFLICT,
        // insufficient privilege: who you are may not (403), or say who you are (401)
        "42501" if authenticated => StatusCode::FORBIDDEN,
        "42501" => StatusCode::UNAUTHORIZED,
        // a write in a GET's read-only transaction
        "25006" => StatusCode::METHOD_NOT_ALLOWED,
        // undefined function / table: no such endpoint
        "42883" | "42P01" => StatusCode::NOT_FOUND,
        // query canceled (statement_timeout)
        "57014" => StatusCode::GATEWAY_TIMEOUT,
        // connection exceptions, too many connections, admin shutdown
        _ if c.starts_with("08") || c == "53300" || c.starts_with("57P") => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        // raise exception (P0001), data exceptions (22*), integrity (23*), no data (P0002):
        // the caller sent something the database refused.
        _ if c == "P0001" || c == "P0002" || c.starts_with("22") || c.starts_with("23") => {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping() {
        let s = |c: &str| status_for_sqlstate(&SqlState::from_code(c));
        assert_eq!(s("23505"), StatusCode::CONFLICT);
        assert_eq!(s("42501"), StatusCode::FORBIDDEN);
        let anon = status_for_sqlstate_as(&SqlState::from_code("42501"), false);
        assert_eq!(anon, StatusCode::UNAUTHORIZED);
        assert_eq!(s("25006"), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(s("42883"), StatusCode::NOT_FOUND);
        assert_eq!(s("P0001"), StatusCode::BAD_REQUEST);
        assert_eq!(s("22023"), StatusCode::BAD_REQUEST);
        assert_eq!(s("PT409"), StatusCode::CONFLICT);
        assert_eq!(s("KT404"), StatusCode::NOT_FOUND);
        assert_eq!(s("KM422"), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(s("KA401"), StatusCode::UNAUTHORIZED);
        assert_eq!(s("08006"), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(s("57014"), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(s("XX000"), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
