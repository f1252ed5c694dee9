//! PostgREST-style RPC: `POST /rpc/{function}` with a JSON object of named arguments calls
//! `api.{function}(name => value, ...)` as the role in the bearer token's `role` claim
//! (`kea_anon` without a token), inside one transaction with `request.jwt.claims` set for RLS.

use bytes::Bytes;
use hyper::header::HeaderMap;
use hyper::StatusCode;
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde_json::{json, Map, Value};
use tokio_postgres::types::{ToSql, Type};

use crate::http_error;
use crate::server::{AppState, Reply};

/// Roles a token may name. Anything else is refused before reaching the database.
const ROLES: &[&str] = &["kea_anon", "kea_agent", "kea_pos", "kea_worker"];

pub async fn handle(state: &AppState, function: &str, headers: &HeaderMap, body: Bytes) -> Reply {
    if !is_identifier(function) {
        return error(
            StatusCode::NOT_FOUND,
            "PGRST202",
            &format!("no function api.{function}"),
        );
    }
    let claims = match claims(state, headers) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let role = claims
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or("kea_anon")
        .to_string();
    if !ROLES.contains(&role.as_str()) {
        return error(
            StatusCode::FORBIDDEN,
            "PGRST301",
            &format!("role {role} may not call /rpc"),
        );
    }
    let args: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice(&body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "PGRST102",
                    "the body must be a JSON object of named arguments",
                )
            }
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "PGRST102",
                    &format!("invalid JSON body: {e}"),
                )
            }
        }
    };
    if let Some(bad) = args.keys().find(|k| !is_identifier(k)) {
        return error(
            StatusCode::BAD_REQUEST,
            "PGRST102",
            &format!("invalid argument name {bad:?}"),
        );
    }
    match call(
        state,
        function,
        &role,
        &Value::Object(claims.clone()),
        &args,
    )
    .await
    {
        Ok(v) => Reply::json(StatusCode::OK, &v),
        Err(CallError::Db(e)) => db_error(&e),
        Err(CallError::Pool(msg)) => error(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", &msg),
        Err(CallError::Arg(msg)) => error(StatusCode::BAD_REQUEST, "PGRST102", &msg),
    }
}

enum CallError {
    Db(tokio_postgres::Error),
    Pool(String),
    Arg(String),
}

impl From<tokio_postgres::Error> for CallError {
    fn from(e: tokio_postgres::Error) -> Self {
        CallError::Db(e)
    }
}

async fn call(
    state: &AppState,
    function: &str,
    role: &str,
    claims: &Value,
    args: &Map<String, Value>,
) -> Result<Value, CallError> {
    let mut client = state
        .pool
        .get()
        .await
        .map_err(|e| CallError::Pool(e.to_string()))?;
    let named: Vec<String> = args
        .keys()
        .enumerate()
        .map(|(i, k)| format!("\"{k}\" => ${}", i + 1))
        .collect();
    // Identifiers are checked by is_identifier; values travel as bound parameters.
    let sql = format!("select to_jsonb(api.\"{function}\"({}))", named.join(", "));
    let tx = client.transaction().await?;
    tx.execute(
        "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
        &[&role, &claims.to_string()],
    )
    .await?;
    let stmt = tx.prepare(&sql).await?;
    let values: Vec<Box<dyn ToSql + Sync + Send>> = stmt
        .params()
        .iter()
        .zip(args.iter())
        .map(|(ty, (name, v))| {
            to_sql(ty, v)
                .ok_or_else(|| CallError::Arg(format!("argument {name}: cannot pass {v} as {ty}")))
        })
        .collect::<Result<_, _>>()?;
    let refs: Vec<&(dyn ToSql + Sync)> = values
        .iter()
        .map(|b| b.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let rows = tx.query(&stmt, &refs).await?;
    tx.commit().await?;
    let mut out: Vec<Value> = rows
        .iter()
        .map(|r| r.get::<_, Option<Value>>(0).unwrap_or(Value::Null))
        .collect();
    Ok(if out.len() == 1 {
        out.remove(0)
    } else {
        Value::Array(out)
    })
}

/// A JSON argument as the SQL type the function declares.
fn to_sql(ty: &Type, v: &Value) -> Option<Box<dyn ToSql + Sync + Send>> {
    if v.is_null() {
        return Some(match *ty {
            Type::INT2 | Type::INT4 => Box::new(None::<i32>),
            Type::INT8 => Box::new(None::<i64>),
            Type::BOOL => Box::new(None::<bool>),
            Type::FLOAT8 => Box::new(None::<f64>),
            Type::JSON | Type::JSONB => Box::new(None::<Value>),
            _ => Box::new(None::<String>),
        });
    }
    Some(match *ty {
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => match v {
            Value::String(s) => Box::new(s.clone()),
            other => Box::new(other.to_string()),
        },
        Type::INT2 | Type::INT4 => Box::new(i32::try_from(as_i64(v)?).ok()?),
        Type::INT8 => Box::new(as_i64(v)?),
        Type::BOOL => Box::new(v.as_bool()?),
        Type::FLOAT8 => Box::new(v.as_f64()?),
        Type::JSON | Type::JSONB => Box::new(v.clone()),
        _ => return None,
    })
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.parse().ok())
}

fn claims(state: &AppState, headers: &HeaderMap) -> Result<Map<String, Value>, Reply> {
    let Some(auth) = headers.get(hyper::header::AUTHORIZATION) else {
        return Ok(Map::new());
    };
    let token = auth
        .to_str()
        .ok()
        .and_then(|a| a.strip_prefix("Bearer "))
        .ok_or_else(|| {
            error(
                StatusCode::UNAUTHORIZED,
                "PGRST301",
                "expected Authorization: Bearer <jwt>",
            )
        })?;
    let Some(secret) = &state.config.jwt_secret else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "PGRST300",
            "this gateway has no KEA_JWT_SECRET: tokens cannot be checked",
        ));
    };
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = true;
    decode::<Map<String, Value>>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|d| d.claims)
    .map_err(|e| {
        error(
            StatusCode::UNAUTHORIZED,
            "PGRST301",
            &format!("invalid token: {e}"),
        )
    })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= 63
}

fn db_error(e: &tokio_postgres::Error) -> Reply {
    let status = http_error::status_for(e);
    match e.as_db_error() {
        Some(db) => Reply::json(
            status,
            &json!({
                "code": db.code().code(),
                "message": db.message(),
                "details": db.detail(),
                "hint": db.hint(),
            }),
        ),
        None => error(status, "PGRST000", &e.to_string()),
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"code": code, "message": message, "details": null, "hint": null}),
    )
}
