//! `GET /openapi.json`: an OpenAPI 3 document of the `api` functions the caller may call,
//! generated at request time from the catalog (names, argument names and types, defaults,
//! comments), so clients and fuzzers see what is there now.

use hyper::StatusCode;
use serde_json::{json, Map, Value};

use crate::catalog::{functions, Function};
use crate::reply::{error, Reply};
use crate::state::AppState;
use crate::{auth, db};

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
    let caller = match auth::caller(state, headers) {
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
        Err(db::Refused::Pool(e)) => return error(StatusCode::SERVICE_UNAVAILABLE, "PGRST000", &e),
    };
    match functions(&**client, None, Some(&caller.role)).await {
        Ok(fs) => Reply::json(
            StatusCode::OK,
            &document(&fs, state.config.public_url.as_deref()),
        ),
        Err(e) => error(
            crate::http_error::status_for(&e),
            "PGRST000",
            &e.to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Arg;

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
