//! PostgREST-style RPC (docs/api.md): `POST /rpc/{function}` with a JSON object of named
//! arguments, or the whole body for a function of one json/jsonb argument (unnamed, or with
//! `Prefer: params=single-object`); `GET /rpc/{function}?arg=...` for stable and immutable
//! functions, in a read-only transaction. The call runs as the role in the bearer token's
//! `role` claim (`kea_anon` without a token), inside one transaction with `request.jwt.claims`
//! set for RLS and the role's own `statement_timeout`. Set-returning functions answer a JSON
//! array, others their value; errors are PostgREST's JSON (`code`, `message`, `details`,
//! `hint`) with the status from `http_error`.

use bytes::Bytes;
use hyper::header::HeaderMap;
use hyper::{Method, StatusCode};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Map, Value};

use crate::openapi::{self, Function};
use crate::server::{AppState, Reply};
use crate::{db, http_error};

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

/// What the request gives the function.
enum Input {
    Named(Map<String, Value>),
    /// The whole body, for the single json/jsonb argument.
    Whole(Value),
}

pub async fn handle(
    state: &AppState,
    method: &Method,
    function: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
    client: Option<std::net::IpAddr>,
) -> Reply {
    let reply = handle_call(state, method, function, query, headers, body, client).await;
    if function == "login" {
        state.metrics.count_sign_in(reply.status.as_u16());
    }
    reply
}

async fn handle_call(
    state: &AppState,
    method: &Method,
    function: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
    client: Option<std::net::IpAddr>,
) -> Reply {
    if !is_identifier(function) {
        return not_found(function, &[]);
    }
    let caller = match caller(state, headers) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let get = method == Method::GET;
    let input = if get {
        let mut m = Map::new();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            m.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        Input::Named(m)
    } else {
        let value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(e) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "PGRST102",
                        &format!("invalid JSON body: {e}"),
                    )
                }
            }
        };
        let single_object = headers
            .get_all("prefer")
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(','))
            .any(|p| p.trim() == "params=single-object");
        if single_object {
            Input::Whole(value)
        } else {
            match value {
                Value::Object(m) => Input::Named(m),
                other => Input::Whole(other),
            }
        }
    };
    match call(state, function, get, &caller, input, client).await {
        Ok(reply) => reply,
        Err(CallError::Db(e)) => db_error(&e, &caller, function),
        Err(CallError::Pool(msg)) => error(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", &msg),
        Err(CallError::Reply(r)) => r,
    }
}

enum CallError {
    Db(tokio_postgres::Error),
    Pool(String),
    Reply(Reply),
}

impl From<tokio_postgres::Error> for CallError {
    fn from(e: tokio_postgres::Error) -> Self {
        CallError::Db(e)
    }
}

/// The overload the input names, as PostgREST picks it: every given name is an argument and
/// every argument without a default is given; a whole body goes to a single json argument.
fn resolve<'f>(overloads: &'f [Function], input: &Input) -> Option<&'f Function> {
    match input {
        Input::Whole(_) => overloads.iter().find(|f| f.single_json_arg()),
        Input::Named(m) => overloads
            .iter()
            .find(|f| {
                m.keys().all(|k| f.args.iter().any(|a| &a.name == k))
                    && f.args
                        .iter()
                        .all(|a| a.has_default || m.contains_key(&a.name))
            })
            // a function of one unnamed json argument takes an object body whole
            .or_else(|| {
                overloads
                    .iter()
                    .find(|f| f.single_json_arg() && f.args[0].name.is_empty())
            }),
    }
}

async fn call(
    state: &AppState,
    function: &str,
    get: bool,
    caller: &Caller,
    input: Input,
    client_addr: Option<std::net::IpAddr>,
) -> Result<Reply, CallError> {
    // Sign-ins and other anonymous calls have a small share of the pool of their own, calls with
    // a token a larger one; neither can take the connections kept for webhooks.
    let who = if caller.authenticated {
        db::Who::Token
    } else {
        db::Who::Anonymous
    };
    let mut client = state
        .shares
        .get(&state.pool, who)
        .await
        .map_err(|e| match e {
            db::Refused::Busy(who) => CallError::Reply(Reply::budget_full(state, who.share())),
            db::Refused::Pool(msg) => CallError::Pool(msg),
        })?;
    let overloads = openapi::functions(&**client, Some(function), None).await?;
    let Some(f) = resolve(&overloads, &input) else {
        return Err(CallError::Reply(match &input {
            Input::Named(m) => not_found(function, &m.keys().cloned().collect::<Vec<_>>()),
            // the function exists but takes named arguments
            Input::Whole(_) if !overloads.is_empty() => error(
                StatusCode::BAD_REQUEST,
                "PGRST102",
                &format!("api.{function} takes named arguments: send a JSON object"),
            ),
            Input::Whole(_) => not_found(function, &[]),
        }));
    };
    // An object body for a function of one unnamed json argument is that argument.
    let input = match input {
        Input::Named(m) if f.single_json_arg() && f.args[0].name.is_empty() && !get => {
            Input::Whole(Value::Object(m))
        }
        other => other,
    };
    if get && !f.read_only {
        return Err(CallError::Reply(error(
            StatusCode::METHOD_NOT_ALLOWED,
            "PGRST101",
            &format!("api.{function} is volatile: call it with POST"),
        )));
    }
    // Values travel as bound text parameters, cast to the types the catalog declares; names
    // and type names come from the catalog, not from the request.
    let mut values: Vec<Option<String>> = Vec::new();
    let mut sql_args: Vec<String> = Vec::new();
    let arg = |i: usize, ty: &str| format!("cast(${}::text as {ty})", i + 1);
    match &input {
        Input::Whole(v) => {
            values.push(Some(v.to_string()));
            let a = &f.args[0];
            let cast = arg(0, &a.ty);
            sql_args.push(if a.name.is_empty() {
                cast
            } else {
                format!("\"{}\" => {cast}", a.name)
            });
        }
        Input::Named(m) => {
            for a in f.args.iter().filter(|a| m.contains_key(&a.name)) {
                let v = &m[&a.name];
                let text = to_text(&a.ty, v, get).ok_or_else(|| {
                    CallError::Reply(error(
                        StatusCode::BAD_REQUEST,
                        "PGRST102",
                        &format!("argument {}: cannot pass {v} as {}", a.name, a.ty),
                    ))
                })?;
                sql_args.push(format!("\"{}\" => {}", a.name, arg(values.len(), &a.ty)));
                values.push(text);
            }
        }
    }
    let call = format!("api.\"{}\"({})", f.name, sql_args.join(", "));
    let result = if f.returns_set {
        format!("select coalesce(jsonb_agg(x), '[]'::jsonb) from (select to_jsonb({call}) as x) s")
    } else if f.returns == "void" {
        format!("select null::jsonb from (select {call}) s")
    } else {
        format!("select to_jsonb({call})")
    };
    // The function may choose the response's status and headers (PostgREST's `response.status`
    // and `response.headers`): read after it ran, as PostgREST reads them.
    let sql = format!(
        "with r(v) as materialized ({result})
         select r.v, current_setting('response.status', true), current_setting('response.headers', true)
           from r"
    );
    let tx = client.build_transaction().read_only(get).start().await?;
    let claims = Value::Object(caller.claims.clone()).to_string();
    let method = if get { "GET" } else { "POST" };
    let path = format!("/rpc/{function}");
    // The role, the request's GUCs and the role's own statement_timeout, in one round trip
    // (ALTER ROLE ... SET applies at login only, and the gateway logs in as kea_authenticator).
    let client_addr = client_addr.map(|a| a.to_string()).unwrap_or_default();
    // ... and whether the token was revoked since it was signed (app.token_revoked: a new
    // password, a deleted account, a replaced POS token), in the same round trip.
    let setup = tx
        .query_one(
        "select set_config('statement_timeout', coalesce(s.v, current_setting('statement_timeout')), true),
                set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
                set_config('request.method', $3, true), set_config('request.path', $4, true),
                set_config('request.client_addr', $5, true), chk.why
           -- before the role is taken (OFFSET 0 keeps the planner from moving it), as the
           -- gateway's own login, the only role that may ask
           from (select api.token_revoked($2::text::jsonb) as why offset 0) chk
           left join lateral (
                 select substr(c, length('statement_timeout=') + 1) as v
                   from pg_db_role_setting d, unnest(d.setconfig) c
                  where d.setrole = (select oid from pg_roles where rolname = $1)
                    and d.setdatabase in (0, (select oid from pg_database
                                               where datname = current_database()))
                    and c like 'statement_timeout=%'
                  order by d.setdatabase desc limit 1) s on true",
        &[&caller.role, &claims, &method, &path, &client_addr],
    )
    .await?;
    if let Some(why) = setup.get::<_, Option<String>>(6) {
        return Err(CallError::Reply(error(
            StatusCode::UNAUTHORIZED,
            "KA401",
            &why,
        )));
    }
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
        .iter()
        .map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect();
    let row = tx.query_one(&sql, &params).await?;
    tx.commit().await?;
    let chosen = row
        .get::<_, Option<String>>(1)
        .and_then(|s| s.trim().parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .filter(|s| s.as_u16() >= 200);
    let headers = response_headers(row.get::<_, Option<String>>(2).as_deref());
    let mut reply = if f.returns == "void" {
        Reply {
            status: StatusCode::NO_CONTENT,
            content_type: "application/json",
            body: Bytes::new(),
            retry_after: None,
            headers: Vec::new(),
        }
    } else {
        let v: Option<Value> = row.get(0);
        Reply::json(StatusCode::OK, &v.unwrap_or(Value::Null))
    };
    if let Some(status) = chosen {
        reply.status = status;
    }
    reply.headers = headers;
    Ok(reply)
}

/// `response.headers` as PostgREST reads it: a JSON array of one-header objects,
/// `[{"Retry-After": "30"}]`. Anything unusable is left out.
fn response_headers(
    setting: Option<&str>,
) -> Vec<(hyper::header::HeaderName, hyper::header::HeaderValue)> {
    let Some(Value::Array(items)) = setting.and_then(|s| serde_json::from_str(s).ok()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.iter())
        .filter_map(|(k, v)| {
            Some((
                k.parse::<hyper::header::HeaderName>().ok()?,
                v.as_str()?.parse::<hyper::header::HeaderValue>().ok()?,
            ))
        })
        .collect()
}

/// A JSON (or query-string) value as the text Postgres reads for type `ty`; None when it
/// cannot be one (an object for a bigint).
fn to_text(ty: &str, v: &Value, from_query: bool) -> Option<Option<String>> {
    if openapi::is_json(ty) {
        return Some(match v {
            Value::Null => None,
            // GET ?doc={"a":1} gives the JSON text itself
            Value::String(s) if from_query => Some(s.clone()),
            other => Some(other.to_string()),
        });
    }
    Some(match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        // a JSON array for a Postgres array: {"a","b"}
        Value::Array(items) if ty.ends_with("[]") => {
            let parts: Option<Vec<String>> = items
                .iter()
                .map(|i| match i {
                    Value::Null => Some("NULL".to_string()),
                    Value::String(s) => Some(format!(
                        "\"{}\"",
                        s.replace('\\', "\\\\").replace('"', "\\\"")
                    )),
                    Value::Bool(_) | Value::Number(_) => Some(i.to_string()),
                    _ => None,
                })
                .collect();
            Some(format!("{{{}}}", parts?.join(",")))
        }
        _ => return None,
    })
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

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.len() <= 63
}

fn not_found(function: &str, names: &[String]) -> Reply {
    Reply::json(
        StatusCode::NOT_FOUND,
        &json!({
            "code": "PGRST202",
            "message": format!("Could not find the function api.{function}({}) in the schema cache",
                               names.join(", ")),
            "details": null,
            "hint": "GET /openapi.json lists the functions and their arguments",
        }),
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
fn db_error(e: &tokio_postgres::Error, caller: &Caller, function: &str) -> Reply {
    let Some(db) = e.as_db_error() else {
        return error(
            http_error::status_for(e),
            "PGRST000",
            "the database could not be reached",
        );
    };
    let code = db.code().code();
    let status = http_error::status_for_sqlstate_as(db.code(), caller.authenticated);
    let ours = code.starts_with('K') || code.starts_with("PT");
    if ours || SEES_SQL_DETAIL.contains(&caller.role.as_str()) {
        return Reply::json(
            status,
            &json!({"code": code, "message": db.message(), "details": db.detail(), "hint": db.hint()}),
        );
    }
    tracing::info!(
        function, role = %caller.role, code, message = db.message(), detail = db.detail(),
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

pub fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"code": code, "message": message, "details": null, "hint": null}),
    )
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

    fn function(name: &str, args: &[(&str, &str, bool)]) -> Function {
        Function {
            name: name.into(),
            args: args
                .iter()
                .map(|(n, t, d)| openapi::Arg {
                    name: n.to_string(),
                    ty: t.to_string(),
                    has_default: *d,
                })
                .collect(),
            read_only: false,
            returns_set: false,
            returns: "jsonb".into(),
            description: None,
        }
    }

    #[test]
    fn overloads_are_picked_by_argument_names_and_json_bodies_go_whole() {
        let two = [
            function("f", &[("a", "bigint", false)]),
            function("f", &[("a", "bigint", false), ("b", "text", true)]),
        ];
        let named = |v: Value| Input::Named(v.as_object().unwrap().clone());
        assert_eq!(
            resolve(&two, &named(json!({"a": 1}))).unwrap().args.len(),
            1
        );
        assert_eq!(
            resolve(&two, &named(json!({"a": 1, "b": "x"})))
                .unwrap()
                .args
                .len(),
            2
        );
        assert!(
            resolve(&two, &named(json!({"b": "x"}))).is_none(),
            "a is required"
        );
        assert!(resolve(&two, &named(json!({"c": 1}))).is_none());
        assert!(resolve(&two, &Input::Whole(json!([1]))).is_none());
        let doc = [function("g", &[("doc", "jsonb", false)])];
        assert!(resolve(&doc, &Input::Whole(json!([1, 2]))).is_some());
        assert!(resolve(&doc, &named(json!({"doc": {}}))).is_some());
        let unnamed = [function("h", &[("", "json", false)])];
        assert!(resolve(&unnamed, &named(json!({"anything": 1}))).is_some());
    }

    #[test]
    fn json_values_become_postgres_text() {
        assert_eq!(
            to_text("bigint", &json!(12), false),
            Some(Some("12".into()))
        );
        assert_eq!(
            to_text("text[]", &json!(["a", "b\"c"]), false),
            Some(Some("{\"a\",\"b\\\"c\"}".into()))
        );
        assert_eq!(to_text("bigint", &json!({"a": 1}), false), None);
        assert_eq!(
            to_text("jsonb", &json!({"a": 1}), false),
            Some(Some("{\"a\":1}".into()))
        );
        assert_eq!(to_text("text", &Value::Null, false), Some(None));
    }
}
