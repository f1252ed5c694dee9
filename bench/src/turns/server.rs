//! The server under measurement (kea-gateway or kea-passthrough), run for one measurement at a
//! time: only one pool of connections is open while it runs, and none while pgbench runs its
//! clients, so the bench fits in a PostgreSQL other engineers share (`max_connections` 100).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// A running server; killed if dropped, stopped (and waited for) by [`Server::stop`].
pub struct Server {
    pub url: String,
    child: Child,
}

impl Server {
    /// Starts `bin` on a free port with a pool of `pool_size` connections, logging to `log`, and
    /// waits until it answers `/healthz`.
    pub async fn start(
        name: &'static str,
        bin: &Path,
        pool_size: usize,
        log: &Path,
    ) -> Result<Server, String> {
        // A free port: bound here, released, then taken by the server.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let listen = format!("127.0.0.1:{port}");
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = Command::new(bin)
            .env("KEA_LISTEN", &listen)
            .env("KEA_LOG", "warn")
            // The gateway's own metrics listener would take a fixed port (and is not measured).
            .env("KEA_METRICS_LISTEN", "off")
            .env("KEA_POOL_SIZE", pool_size.to_string())
            .stdout(Stdio::null())
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {} ({e}): build it first", bin.display()))?;
        let url = format!("http://{listen}");
        let http = reqwest::Client::new();
        let t0 = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{url}/healthz")).send().await {
                if r.status().is_success() {
                    return Ok(Server { url, child });
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "{name} exited ({status}) at start: {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                ));
            }
            if t0.elapsed() > Duration::from_secs(15) {
                return Err(format!("{name} did not answer {url}/healthz in 15 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Its process id, for its CPU time in /proc.
    pub fn pid(&self) -> Option<String> {
        self.child.id().map(|p| p.to_string())
    }

    /// Kills it and waits for it to be gone (its database connections close with it).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
