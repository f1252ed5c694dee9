//! PostgreSQL notices logged at their own level.
//!
//! tokio-postgres logs every notice a connection receives at INFO, so "WARNING: kea: call CA...
//! order kept for an agent" (sql/api/twilio.sql) sat among the routine lines, and an operator who
//! alerts on warnings never saw what kea's SQL raises on purpose. The pool connects through
//! [`Connector`] instead of deadpool's own connector: the same connect, but the connection is
//! driven here and each notice is logged at the level of its severity, with its SQLSTATE.

use std::future::Future;
use std::pin::Pin;

use tokio::task::JoinHandle;
use tokio_postgres::error::DbError;
use tokio_postgres::{AsyncMessage, Client, Config, Error, NoTls};

/// A [`deadpool_postgres::Connect`] that logs notices by severity.
pub struct Connector;

impl deadpool_postgres::Connect for Connector {
    fn connect(
        &self,
        pg_config: &Config,
    ) -> Pin<Box<dyn Future<Output = Result<(Client, JoinHandle<()>), Error>> + Send + '_>> {
        let pg_config = pg_config.clone();
        Box::pin(async move {
            let (client, mut connection) = pg_config.connect(NoTls).await?;
            let task = tokio::spawn(async move {
                loop {
                    match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                        Some(Ok(AsyncMessage::Notice(notice))) => log(&notice),
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "postgres: the connection failed");
                            return;
                        }
                        None => return,
                    }
                }
            });
            Ok((client, task))
        })
    }
}

fn log(notice: &DbError) {
    let code = notice.code().code();
    let message = notice.message();
    // Severities as PostgreSQL sends them to a client (client_min_messages and above).
    match notice.severity() {
        "WARNING" => tracing::warn!(code, "postgres: {message}"),
        "NOTICE" | "INFO" | "LOG" => tracing::info!(code, "postgres: {message}"),
        _ => tracing::debug!(code, "postgres: {message}"),
    }
}
