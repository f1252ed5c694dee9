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
use serde_json::{json, Map, Value};

use crate::auth::{self, Caller};
use crate::catalog::{self, Function};
use crate::db;
use crate::reply::{db_error, error, Reply};
use crate::state::AppState;

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
    let caller = match auth::caller(state, headers) {
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
        Err(CallError::Db(e)) => db_error(&e, &caller.role, caller.authenticated, function),
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
    let overloads = state.catalog.overloads(&**client, function).await?;
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
    if catalog::is_json(ty) {
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

#[cfg(test)]
mod tests {
    use super::*;
    fn function(name: &str, args: &[(&str, &str, bool)]) -> Function {
        Function {
            name: name.into(),
            args: args
                .iter()
                .map(|(n, t, d)| catalog::Arg {
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
