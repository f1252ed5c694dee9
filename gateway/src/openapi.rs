//! The `api` schema's functions as the catalog describes them: what `/rpc` resolves calls
//! against, and `GET /openapi.json`, an OpenAPI 3 document generated at request time (names,
//! argument names and types, defaults, comments), so clients and fuzzers see what is there now.

use hyper::StatusCode;
use serde_json::{json, Map, Value};
use tokio_postgres::GenericClient;

use crate::server::{AppState, Reply};
use crate::{db, rpc};

/// One input argument of an `api` function.
#[derive(Debug, Clone)]
pub struct Arg {
    /// Empty for an unnamed argument.
    pub name: String,
    /// `format_type` of its type: `bigint`, `text[]`, `timestamp with time zone`, ...
    pub ty: String,
    /// It has a default, so a call may leave it out.
    pub has_default: bool,
}

/// One `api` function (an overload: several may share a name).
#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    pub args: Vec<Arg>,
    /// Stable or immutable: callable with GET, in a read-only transaction.
    pub read_only: bool,
    pub returns_set: bool,
    /// `format_type` of the return type (`void`, `jsonb`, `record`, ...).
    pub returns: String,
    /// The function's comment.
    pub description: Option<String>,
}

impl Function {
    /// One json/jsonb argument: it may take the whole request body.
    pub fn single_json_arg(&self) -> bool {
        self.args.len() == 1 && is_json(&self.args[0].ty)
    }
}

pub fn is_json(ty: &str) -> bool {
    ty == "json" || ty == "jsonb"
}

const FUNCTIONS: &str = "
select p.proname::text, p.proargnames::text[], p.proargmodes::text[],
       array(select format_type(t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i)
              order by i) as types,
       p.pronargdefaults::int4, p.provolatile in ('s', 'i'), p.proretset,
       format_type(p.prorettype, null), obj_description(p.oid, 'pg_proc')
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname = 'api' and p.prokind = 'f' and ($1::text is null or p.proname = $1)
   and ($2::text is null or has_function_privilege($2::text, p.oid, 'execute'))
 order by p.proname, p.oid";

/// The `api` functions named `name` (all of them with `None`) that `role` may execute (all of
/// them with `None`), read from the catalog.
pub async fn functions(
    db: &impl GenericClient,
    name: Option<&str>,
    role: Option<&str>,
) -> Result<Vec<Function>, tokio_postgres::Error> {
    let rows = db.query(FUNCTIONS, &[&name, &role]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let names: Option<Vec<String>> = r.get(1);
            let modes: Option<Vec<String>> = r.get(2);
            let types: Vec<String> = r.get(3);
            let n_defaults = r.get::<_, i32>(4).max(0) as usize;
            // proargnames covers OUT arguments too (table-returning functions): keep the
            // names of the input ones, which line up with proargtypes.
            let names = names.unwrap_or_default();
            let input_names: Vec<String> = match modes {
                None => names,
                Some(modes) => modes
                    .iter()
                    .zip(names.into_iter().chain(std::iter::repeat(String::new())))
                    .filter(|(m, _)| matches!(m.as_str(), "i" | "b" | "v"))
                    .map(|(_, n)| n)
                    .collect(),
            };
            let first_default = types.len().saturating_sub(n_defaults);
            let args = types
                .into_iter()
                .enumerate()
                .map(|(i, ty)| Arg {
                    name: input_names.get(i).cloned().unwrap_or_default(),
                    ty,
                    has_default: i >= first_default,
                })
                .collect();
            Function {
                name: r.get(0),
                args,
                read_only: r.get(5),
                returns_set: r.get(6),
                returns: r.get(7),
                description: r.get(8),
            }
        })
        .collect())
}

/// The JSON Schema of a Postgres type, as far as JSON can say.
fn schema_for(ty: &str) -> Value {
    if let Some(element) = ty.strip_suffix("[]") {
        return json!({"type": "array", "items": schema_for(element)});
    }
    match ty {
        "smallint" | "integer" => json!({"type": "integer", "format": "int32"}),
        "bigint" => json!({"type": "integer", "format": "int64"}),
        "numeric" | "real" | "double precision" => json!({"type": "number"}),
        "boolean" => json!({"type": "boolean"}),
        "json" | "jsonb" => json!({}),
        "timestamp with time zone" | "timestamp without time zone" => {
            json!({"type": "string", "format": "date-time"})
        }
        "date" => json!({"type": "string", "format": "date"}),
        "uuid" => json!({"type": "string", "format": "uuid"}),
        _ => json!({"type": "string"}),
    }
}

fn result_schema(f: &Function) -> Value {
    let one = match f.returns.as_str() {
        // composite rows (returns table / setof a row type) are JSON objects
        "record" => json!({"type": "object"}),
        t if t.contains('.') => json!({"type": "object"}),
        t => schema_for(t),
    };
    if f.returns_set {
        json!({"type": "array", "items": one})
    } else {
        one
    }
}

fn error_responses() -> Value {
    let e = json!({"$ref": "#/components/responses/Error"});
    json!({"400": e, "401": e, "403": e, "404": e, "409": e, "503": e})
}

/// The OpenAPI 3.0 document of these functions.
pub fn document(functions: &[Function], server_url: Option<&str>) -> Value {
    let mut paths = Map::new();
    // Overloads share a path: the first (by oid) describes it; /rpc picks by argument names.
    let mut seen = std::collections::HashSet::new();
    for f in functions {
        if !seen.insert(f.name.clone()) {
            continue;
        }
        let summary = f
            .description
            .clone()
            .unwrap_or_else(|| format!("api.{}", f.name));
        let mut responses = error_responses();
        let ok = if f.returns == "void" {
            json!({"description": "done (no content)"})
        } else {
            json!({"description": "the function's result",
                   "content": {"application/json": {"schema": result_schema(f)}}})
        };
        let status = if f.returns == "void" { "204" } else { "200" };
        responses[status] = ok;
        let whole_body = f.single_json_arg() && f.args[0].name.is_empty();
        let body_schema = if whole_body {
            json!({})
        } else {
            let mut props = Map::new();
            for a in &f.args {
                props.insert(a.name.clone(), schema_for(&a.ty));
            }
            let required: Vec<&str> = f
                .args
                .iter()
                .filter(|a| !a.has_default)
                .map(|a| a.name.as_str())
                .collect();
            let mut s = json!({"type": "object", "properties": props});
            if !required.is_empty() {
                s["required"] = json!(required);
            }
            s
        };
        let mut item = json!({
            "post": {
                "operationId": format!("{}_post", f.name),
                "summary": summary,
                "tags": ["rpc"],
                "requestBody": {
                    "required": f.args.iter().any(|a| !a.has_default),
                    "content": {"application/json": {"schema": body_schema}},
                },
                "responses": responses.clone(),
            }
        });
        if f.read_only && !whole_body {
            let params: Vec<Value> = f
                .args
                .iter()
                .map(|a| {
                    json!({"name": a.name, "in": "query", "required": !a.has_default,
                           "schema": schema_for(&a.ty)})
                })
                .collect();
            item["get"] = json!({
                "operationId": format!("{}_get", f.name),
                "summary": summary,
                "description": "A stable function: GET runs it in a read-only transaction.",
                "tags": ["rpc"],
                "parameters": params,
                "responses": responses,
            });
        }
        paths.insert(format!("/rpc/{}", f.name), item);
    }
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "kea api",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The functions of kea's `api` schema, served PostgREST-style at /rpc \
                            (docs/api.md). Generated from the database catalog.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "description": "SQLSTATE or PGRSTnnn"},
                        "message": {"type": "string"},
                        "details": {"type": "string", "nullable": true},
                        "hint": {"type": "string", "nullable": true},
                    },
                }
            },
            "responses": {
                "Error": {
                    "description": "an error, as PostgREST reports it",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
        },
        "security": [{}, {"bearer": []}],
    });
    if let Some(url) = server_url {
        doc["servers"] = json!([{"url": url}]);
    }
    doc
}

/// `GET /openapi.json`: the document of what the database holds now, of the functions the
/// caller's role may call (its bearer token's, as `/rpc` takes it; `kea_anon` without one):
/// nobody learns from it what only others may call (docs/security.md, "Information").
pub async fn serve(state: &AppState, headers: &hyper::HeaderMap) -> Reply {
    let caller = match rpc::caller(state, headers) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let who = if caller.authenticated {
        db::Who::Token
    } else {
        db::Who::Anonymous
    };
    let client = match state.shares.get(&state.pool, who).await {
        Ok(c) => c,
        Err(db::Refused::Busy(who)) => return Reply::budget_full(state, who.share()),
        Err(db::Refused::Pool(e)) => {
            return rpc::error(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", &e)
        }
    };
    match functions(&**client, None, Some(&caller.role)).await {
        Ok(fs) => Reply::json(
            StatusCode::OK,
            &document(&fs, state.config.public_url.as_deref()),
        ),
        Err(e) => rpc::error(
            crate::http_error::status_for(&e),
            "PGRST000",
            &e.to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_functions_get_a_get_and_required_args_are_listed() {
        let f = Function {
            name: "my_tasks".into(),
            args: vec![
                Arg {
                    name: "task_id".into(),
                    ty: "bigint".into(),
                    has_default: false,
                },
                Arg {
                    name: "reason".into(),
                    ty: "text".into(),
                    has_default: true,
                },
            ],
            read_only: true,
            returns_set: true,
            returns: "record".into(),
            description: Some("tasks".into()),
        };
        let d = document(&[f], None);
        let p = &d["paths"]["/rpc/my_tasks"];
        assert_eq!(
            p["post"]["requestBody"]["content"]["application/json"]["schema"]["required"],
            json!(["task_id"])
        );
        assert_eq!(p["get"]["parameters"][1]["required"], json!(false));
        assert_eq!(
            p["post"]["responses"]["200"]["content"]["application/json"]["schema"]["type"],
            "array"
        );
    }
}
