//! kea-passthrough: the floor the gateway is measured against in `scripts/bench turns`.
//!
//! The same request as the gateway's (Twilio's form-encoded voice webhooks) becomes the same
//! one SQL call (`api.twilio_voice($1)` or `api.twilio_gather($1, $2)` on a pooled connection
//! with a cached prepared statement), and its text is the answer. Everything else the gateway
//! does is left out: no signature check, no parameter cleaning, no connection limits or
//! timeouts, no metrics, no logging, no fallback TwiML. The gateway's CPU per turn over this
//! one's is what the gateway itself costs.
//!
//! Configuration as the gateway's: KEA_LISTEN, KEA_DATABASE_URL, KEA_POOL_SIZE.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value};

#[tokio::main]
async fn main() {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let listen = env("KEA_LISTEN", "127.0.0.1:8090");
    let url = env(
        "KEA_DATABASE_URL",
        "postgres://kea_authenticator:kea@127.0.0.1:5432/kea",
    );
    let size: usize = env("KEA_POOL_SIZE", "16").parse().expect("KEA_POOL_SIZE");
    // The gateway's pool, configured as the gateway configures it (gateway/src/state.rs).
    let manager = Manager::from_config(
        url.parse().expect("KEA_DATABASE_URL"),
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Arc::new(
        Pool::builder(manager)
            .max_size(size)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .expect("building the pool"),
    );
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .unwrap_or_else(|e| panic!("cannot listen on {listen}: {e}"));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let pool = pool.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let pool = pool.clone();
                async move { Ok::<_, Infallible>(answer(&pool, req).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(pool: &Pool, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: String| {
        Response::builder()
            .status(status)
            .header("content-type", "text/xml; charset=utf-8")
            .body(Full::new(Bytes::from(body)))
            .expect("a response")
    };
    let path = req.uri().path().to_string();
    let turn: Option<i32> = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "turn")
            .and_then(|(_, v)| v.parse().ok())
    });
    let sql = match path.as_str() {
        "/twilio/voice" => "select api.twilio_voice($1)",
        "/twilio/voice/gather" => "select api.twilio_gather($1, $2)",
        "/healthz" => return reply(StatusCode::OK, "ok\n".into()),
        _ => return reply(StatusCode::NOT_FOUND, String::new()),
    };
    let Ok(body) = req.into_body().collect().await.map(|b| b.to_bytes()) else {
        return reply(StatusCode::BAD_REQUEST, String::new());
    };
    let params: Map<String, Value> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let params = Value::Object(params);
    match call(pool, sql, &params, turn).await {
        Ok(twiml) => reply(StatusCode::OK, twiml),
        Err(e) => reply(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn call(pool: &Pool, sql: &str, params: &Value, turn: Option<i32>) -> Result<String, String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let stmt = client
        .prepare_cached(sql)
        .await
        .map_err(|e| e.to_string())?;
    let row = if sql.contains("$2") {
        client.query_one(&stmt, &[params, &turn]).await
    } else {
        client.query_one(&stmt, &[params]).await
    };
    row.and_then(|r| r.try_get::<_, String>(0))
        .map_err(|e| e.to_string())
}
