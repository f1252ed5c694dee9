//! The `api` schema's functions as the catalog describes them: what `/rpc` resolves calls
//! against (from a cache, PostgREST's schema cache) and what `GET /openapi.json` documents.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, GenericClient};

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

/// The NOTIFY channel that tells gateways the `api` functions changed (scripts/migrate sends
/// it when it applies the SQL, as PostgREST's `NOTIFY pgrst, 'reload schema'`).
pub const CHANNEL: &str = "kea_catalog";

/// The overloads of each `api` function, by name.
type ByName = HashMap<String, Vec<Function>>;

/// The `api` functions by name, read once and kept until told they changed (PostgREST's schema
/// cache): `/rpc` resolves a call without a catalog query. Dropped on a NOTIFY on [`CHANNEL`],
/// on SIGUSR1 and whenever the LISTEN connection is (re)made (a notification may have been
/// missed); the next call reads it again.
#[derive(Default)]
pub struct Catalog {
    functions: RwLock<Option<Arc<ByName>>>,
    /// Counts reloads, so a read that started before one does not store what it read.
    generation: AtomicU64,
}

impl Catalog {
    /// The overloads of `api.{name}` (empty when there is none), read through `db` when the
    /// cache is empty.
    pub async fn overloads(
        &self,
        db: &impl GenericClient,
        name: &str,
    ) -> Result<Vec<Function>, tokio_postgres::Error> {
        let cached = self.functions.read().expect("catalog lock").clone();
        let by_name = match cached {
            Some(by_name) => by_name,
            None => {
                let generation = self.generation.load(Ordering::Acquire);
                let mut by_name = ByName::new();
                for f in functions(db, None, None).await? {
                    by_name.entry(f.name.clone()).or_default().push(f);
                }
                let by_name = Arc::new(by_name);
                let mut slot = self.functions.write().expect("catalog lock");
                if self.generation.load(Ordering::Acquire) == generation {
                    *slot = Some(by_name.clone());
                }
                by_name
            }
        };
        Ok(by_name.get(name).cloned().unwrap_or_default())
    }

    /// Forgets the functions: the next call reads them again.
    pub fn reload(&self) {
        let mut slot = self.functions.write().expect("catalog lock");
        self.generation.fetch_add(1, Ordering::AcqRel);
        *slot = None;
    }

    /// Listens on [`CHANNEL`] on a session of its own, reconnecting with backoff (100 ms
    /// doubling to 10 s), and reloads on every notification.
    pub fn spawn_listener(self: &Arc<Self>, database_url: &str) {
        let catalog = Arc::downgrade(self);
        let url = database_url.to_string();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                let Some(c) = catalog.upgrade() else { return };
                match c.listen_once(&url).await {
                    Ok(()) => tracing::warn!("catalog: the LISTEN connection closed"),
                    Err(e) => tracing::warn!(error = %e, "catalog: the LISTEN connection failed"),
                }
                drop(c);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        });
    }

    /// Reloads on every SIGUSR1 (PostgREST's signal for the same), for as long as it lives.
    pub fn reload_on_sigusr1(self: &Arc<Self>) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut usr1 = signal(SignalKind::user_defined1())?;
        let catalog = Arc::downgrade(self);
        tokio::spawn(async move {
            while usr1.recv().await.is_some() {
                let Some(c) = catalog.upgrade() else { return };
                tracing::info!("catalog: SIGUSR1, reloading");
                c.reload();
            }
        });
        Ok(())
    }

    async fn listen_once(&self, url: &str) -> Result<(), tokio_postgres::Error> {
        let mut config: tokio_postgres::Config = url.parse()?;
        // Named apart from the pool's sessions, which are counted by their name (and by tests).
        config.application_name("kea-gateway catalog listener");
        let (client, mut connection) = config.connect(tokio_postgres::NoTls).await?;
        // The connection must be polled by hand to see notifications (as in `event_hub`).
        let (tx, mut rx) = mpsc::unbounded_channel::<()>();
        let driver = tokio::spawn(async move {
            loop {
                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(AsyncMessage::Notification(_))) => {
                        let _ = tx.send(());
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                }
            }
        });
        client.batch_execute(&format!("listen {CHANNEL}")).await?;
        // What changed while nobody listened is unknown.
        self.reload();
        while rx.recv().await.is_some() {
            tracing::info!("catalog: the api functions changed, reloading");
            self.reload();
        }
        drop(client);
        driver.await.unwrap_or(Ok(()))
    }
}
