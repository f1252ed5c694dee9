//! Who is calling: the bearer token (HS256 JWT, PostgREST's rules) checked against the
//! configured secrets, the role it names, and whether it was revoked since it was signed.
//! `/rpc`, `/openapi.json` and `/events` all take their caller from here.

use hyper::header::HeaderMap;
use hyper::StatusCode;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::reply::{error, Reply};
use crate::state::AppState;

/// Roles a token may name (migrations/0001 and 0010). Anything else, the owner and superusers
/// above all, is refused before reaching the database.
pub const ROLES: &[&str] = &[
    "kea_anon",
    "kea_agent",
    "kea_merchant",
    "kea_analyst",
    "kea_pos",
    "kea_service",
];

/// The role of requests without a token.
pub const ANON: &str = "kea_anon";

/// The audience every token must name (`aud`), and `app.sign_jwt` puts in: a token another
/// system signed with the same secret is not one of kea's.
pub const AUDIENCE: &str = "kea";

/// Who is calling: the token's claims (empty for anon) and its role.
pub struct Caller {
    pub claims: Map<String, Value>,
    pub role: String,
    pub authenticated: bool,
}

/// The HS256 secrets tokens are checked with (`KEA_JWT_SECRET`, comma-separated: the first is
/// the one SQL signs with, all verify, so a secret can be rotated without a flag day).
pub fn secrets(config_value: Option<&str>) -> Vec<String> {
    config_value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The bearer token's claims and role, or the 401/403 PostgREST would answer: 401 for a token
/// that is malformed, badly signed, of another algorithm than HS256, expired or not yet
/// valid; 403 for a well-signed token naming a role that is not an API role.
pub fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Reply> {
    let Some(auth) = headers.get(hyper::header::AUTHORIZATION) else {
        return Ok(Caller {
            claims: Map::new(),
            role: ANON.into(),
            authenticated: false,
        });
    };
    let token = auth
        .to_str()
        .ok()
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "PGRST301",
                "expected Authorization: Bearer <jwt>",
            )
        })?;
    let claims = verify(token, &secrets(state.config.jwt_secret.as_deref()))?;
    let role = match claims.get("role") {
        None => ANON.to_string(),
        Some(Value::String(r)) => r.clone(),
        Some(_) => {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "PGRST303",
                "the token's role claim is not a string",
            ))
        }
    };
    if !ROLES.contains(&role.as_str()) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "42501",
            &format!("permission denied to set role \"{role}\""),
        ));
    }
    Ok(Caller {
        claims,
        role,
        authenticated: true,
    })
}

/// Checks an HS256 token against each secret: a numeric `exp` (required, in the future) and
/// `aud` naming [`AUDIENCE`] (required), `nbf` when present; no leeway.
pub fn verify(token: &str, secrets: &[String]) -> Result<Map<String, Value>, Reply> {
    if secrets.is_empty() {
        return Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "PGRST300",
            "this gateway has no KEA_JWT_SECRET: tokens cannot be checked",
        ));
    }
    let invalid = |msg: String| error(StatusCode::UNAUTHORIZED, "PGRST301", &msg);
    // The header names its algorithm; only HS256 is taken (never `none`, never RS256 with
    // the secret read as a public key).
    let header = decode_header(token).map_err(|e| invalid(format!("invalid token: {e}")))?;
    if header.alg != Algorithm::HS256 {
        return Err(invalid(format!(
            "invalid token: algorithm {:?}, expected HS256",
            header.alg
        )));
    }
    let mut validation = Validation::new(Algorithm::HS256);
    // A token without an expiry would never end (nor would its /events stream).
    validation.set_required_spec_claims(&["exp", "aud"]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.validate_aud = true;
    validation.leeway = 0;
    let mut last = None;
    for s in secrets {
        match decode::<Map<String, Value>>(
            token,
            &DecodingKey::from_secret(s.as_bytes()),
            &validation,
        ) {
            Ok(d) => return Ok(d.claims),
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind;
                match e.kind() {
                    ErrorKind::ExpiredSignature => {
                        return Err(error(StatusCode::UNAUTHORIZED, "PGRST303", "JWT expired"))
                    }
                    ErrorKind::ImmatureSignature => {
                        return Err(error(
                            StatusCode::UNAUTHORIZED,
                            "PGRST303",
                            "JWT not yet valid (nbf)",
                        ))
                    }
                    _ => last = Some(e),
                }
            }
        }
    }
    Err(invalid(format!(
        "invalid token: {}",
        last.map_or("no secret matched".to_string(), |e| e.to_string())
    )))
}

/// Whether a token can have been revoked (`app.token_revoked`): a sign-in's (it carries its
/// account's version, `ver`) or a POS token; an operator's ends with its `exp` or its secret.
pub fn revocable(claims: &Map<String, Value>) -> bool {
    claims.contains_key("ver") || claims.get("role").and_then(Value::as_str) == Some("kea_pos")
}

/// Why a verified token is no longer good (`api.token_revoked`), or None; for callers outside
/// `/rpc` (the `/events` streams), on a connection of their own.
pub async fn revoked(
    client: &impl tokio_postgres::GenericClient,
    claims: &Map<String, Value>,
) -> Result<Option<String>, tokio_postgres::Error> {
    let claims = Value::Object(claims.clone()).to_string();
    let row = client
        .query_one("select api.token_revoked($1::text::jsonb)", &[&claims])
        .await?;
    Ok(row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    fn token(alg: Algorithm, claims: Value, secret: &str) -> String {
        encode(
            &Header::new(alg),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    fn later() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 600
    }

    #[test]
    fn tokens_are_checked_against_every_secret_and_only_hs256() {
        let secrets = secrets(Some("new-secret-0123456789, old-secret-0123456789"));
        assert_eq!(secrets.len(), 2);
        let t = token(
            Algorithm::HS256,
            json!({"role": "kea_agent", "exp": later(), "aud": AUDIENCE}),
            "old-secret-0123456789",
        );
        assert!(verify(&t, &secrets).is_ok(), "an old secret still verifies");
        let t = token(
            Algorithm::HS256,
            json!({"role": "kea_agent", "exp": later(), "aud": AUDIENCE}),
            "someone-else-000000",
        );
        assert_eq!(verify(&t, &secrets).unwrap_err().status, 401);
        let t = token(
            Algorithm::HS384,
            json!({"role": "kea_agent", "exp": later(), "aud": AUDIENCE}),
            "new-secret-0123456789",
        );
        assert_eq!(verify(&t, &secrets).unwrap_err().status, 401);
        // alg none: header {"alg":"none"}, no signature
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJyb2xlIjoia2VhX2FnZW50In0.";
        assert_eq!(verify(none, &secrets).unwrap_err().status, 401);
        let t = token(
            Algorithm::HS256,
            json!({"role": "kea_agent", "exp": 1, "aud": AUDIENCE}),
            "new-secret-0123456789",
        );
        assert_eq!(verify(&t, &secrets).unwrap_err().status, 401);
        // No expiry, a text one, no audience, another system's.
        for claims in [
            json!({"role": "kea_agent", "aud": AUDIENCE}),
            json!({"role": "kea_agent", "aud": AUDIENCE, "exp": later().to_string()}),
            json!({"role": "kea_agent", "exp": later()}),
            json!({"role": "kea_agent", "exp": later(), "aud": "another-system"}),
        ] {
            let t = token(Algorithm::HS256, claims.clone(), "new-secret-0123456789");
            assert_eq!(verify(&t, &secrets).unwrap_err().status, 401, "{claims}");
        }
        let t = token(
            Algorithm::HS256,
            json!({"role": "kea_agent", "exp": later(), "aud": ["other", AUDIENCE]}),
            "new-secret-0123456789",
        );
        assert!(verify(&t, &secrets).is_ok(), "one of its audiences is kea");
    }
}
