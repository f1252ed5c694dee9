//! A throwaway PostgreSQL cluster of a test's own, for faults that would disturb every other
//! test on the shared one (stopping the server): `initdb` as the `postgres` user (root may
//! not run it, as scripts/init makes the main cluster) in a temporary directory, on a free
//! loopback port, with the installed pg_kea. Its database `kea` is restored from a dump of a
//! fresh database `scripts/create-db` makes on the shared cluster (so the checkout's SQL is
//! what runs), with the shared cluster's roles. Stopped and removed when dropped.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, NoTls};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct Cluster {
    dir: PathBuf,
    pub port: u16,
}

fn as_postgres(program: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new("sudo")
        .args(["-u", "postgres", &format!("{PG_BIN}/{program}")])
        .args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("sudo -u postgres {program}: {e} (the fault tests run as root, as scripts/test does)"));
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    /// A new cluster, started, with database `kea`.
    pub async fn start() -> Cluster {
        let dir = std::env::temp_dir().join(format!(
            "kea-cluster-{}-{:x}",
            std::process::id(),
            fastrand_u64()
        ));
        std::fs::create_dir_all(&dir).expect("the cluster's directory");
        let status = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status()
            .expect("chown");
        assert!(status.success(), "chown postgres {}", dir.display());
        let data = dir.join("data");
        let out = as_postgres(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "--auth=trust",
                "--no-sync",
                "-U",
                "postgres",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let c = Cluster {
            dir,
            port: free_port(),
        };
        c.pg_ctl_start();
        c.copy_kea_test().await;
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 \
             -c shared_buffers=64MB",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        let out = as_postgres(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server (`fast`: sessions are disconnected, as in a restart).
    pub fn stop(&self) {
        let out = as_postgres(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts it again after `stop`.
    pub fn start_again(&self) {
        self.pg_ctl_start();
    }

    /// A URL for `user` (trust: any password) to database `kea`.
    pub fn url(&self, user: &str) -> String {
        format!("postgres://{user}:kea@127.0.0.1:{}/kea", self.port)
    }

    /// A superuser connection to `kea`.
    pub async fn admin(&self) -> Client {
        let (client, conn) = tokio_postgres::connect(&self.url("postgres"), NoTls)
            .await
            .expect("connecting to the test's own cluster");
        tokio::spawn(conn);
        client
    }

    async fn copy_kea_test(&self) {
        let (user, password, port) = source();
        let dump = source_dump().await;
        let target_port = self.port.to_string();
        let sh = |script: &str| {
            let out = Command::new("bash")
                .args(["-o", "pipefail", "-c", script])
                .env("PGPASSWORD", &password)
                .env("SRC_USER", &user)
                .env("SRC_PORT", &port)
                .env("DST_PORT", &target_port)
                .env("PG_BIN", PG_BIN)
                .env("DUMP", dump)
                .output()
                .expect("bash");
            assert!(
                out.status.success(),
                "{script}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        // Roles are the cluster's: every kea role (and the test admin) comes along.
        sh(
            "$PG_BIN/pg_dumpall -h 127.0.0.1 -p $SRC_PORT -U $SRC_USER -l postgres --roles-only \
            | grep -v '^CREATE ROLE postgres;\\|^ALTER ROLE postgres ' \
            | $PG_BIN/psql -X -q -h 127.0.0.1 -p $DST_PORT -U postgres -d postgres >/dev/null",
        );
        sh("$PG_BIN/psql -X -q -h 127.0.0.1 -p $DST_PORT -U postgres -d postgres -c 'create database kea' >/dev/null");
        sh("$PG_BIN/pg_restore -h 127.0.0.1 -p $DST_PORT -U postgres -d kea --exit-on-error \"$DUMP\"");
    }

    /// Waits until the server takes connections (after `start_again`).
    pub async fn ready(&self, within: Duration) {
        let end = Instant::now() + within;
        while tokio_postgres::connect(&self.url("postgres"), NoTls)
            .await
            .is_err()
        {
            assert!(Instant::now() < end, "the cluster did not come back");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The test admin's user, password and port on the shared cluster (KEA_TEST_ADMIN_URL).
fn source() -> (String, String, String) {
    let admin_url = std::env::var("KEA_TEST_ADMIN_URL")
        .expect("KEA_TEST_ADMIN_URL is not set: run the tests through scripts/test");
    let parsed: tokio_postgres::Config = admin_url.parse().expect("KEA_TEST_ADMIN_URL");
    let password = parsed
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_default();
    let user = parsed.get_user().unwrap_or("postgres").to_string();
    let port = parsed
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    (user, password, port)
}

static DUMP: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// A dump of a fresh kea database made by `scripts/create-db` on the shared cluster (the
/// checkout's schema, roles and migrations' rows; nothing of other tests), once per process.
async fn source_dump() -> &'static str {
    DUMP.get_or_init(|| async {
        let name = format!("kea_cluster_src_{}", std::process::id());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let out = tokio::process::Command::new(root.join("scripts/create-db"))
            .args([name.as_str(), "--fresh"])
            .output()
            .await
            .expect("scripts/create-db");
        assert!(
            out.status.success(),
            "scripts/create-db {name}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let file = std::env::temp_dir().join(format!("{name}.dump"));
        let (user, password, port) = source();
        let dumped = Command::new(format!("{PG_BIN}/pg_dump"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", &user, "-Fc", "-f"])
            .arg(&file)
            .arg(&name)
            .env("PGPASSWORD", &password)
            .output()
            .expect("pg_dump");
        let dropped = Command::new(format!("{PG_BIN}/psql"))
            .args([
                "-X",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                &user,
                "-d",
                "postgres",
                "-c",
            ])
            .arg(format!("drop database if exists {name} with (force)"))
            .env("PGPASSWORD", &password)
            .output()
            .expect("psql");
        assert!(
            dumped.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&dumped.stderr)
        );
        assert!(
            dropped.status.success(),
            "{}",
            String::from_utf8_lossy(&dropped.stderr)
        );
        file.to_string_lossy().into_owned()
    })
    .await
}

fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish()
}
