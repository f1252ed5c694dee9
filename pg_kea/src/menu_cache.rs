//! Per-backend cache of compiled menus.
//!
//! Compiling a menu (building its matchers) costs far more than one extraction, so each backend
//! gets a published menu once and keeps it. It loads the form compiled when the menu was published
//! (`kea.menus.compiled`, `kea_core::compiled_form`: a fifteenth to a thirtieth of a compile's
//! CPU), and compiles the document itself only when that form is missing or from another build of
//! pg_kea, or `kea.load_compiled_menus` is off. Staleness is learnt the way PostgreSQL's own caches
//! learn it: every write to `kea.menus` sends a relcache invalidation for that table
//! (`kea.invalidate_menu_caches()`, called by a statement trigger), every backend processes it at
//! its next transaction start or lock, and our callback bumps a generation counter. A cached menu
//! is re-checked against `kea.menus.version` only when the generation moved, so a turn on an
//! unchanged menu costs no lookup at all. (The same pattern as Citus's metadata cache.) A publish
//! earlier in the same transaction is seen too: PostgreSQL applies a transaction's own
//! invalidations at each command boundary, and on abort.
//!
//! A compiled menu weighs 0.1-0.2 MB (`compile_time`'s heap columns: 80-200 KB loaded from its
//! form, 2026-12-07) and a backend of a pool may meet every merchant's menu, so the cache holds at
//! most `kea.menu_cache_size` menus (default 64), dropping the least recently used
//! ([`kea_core::lru`]); a menu dropped is loaded again when next needed. With `client_min_messages
//! = debug1` each load or compilation reports what this backend holds and how many loads,
//! compilations and evictions it made ([`stats`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kea_core::extract::CompiledMenu;
use kea_core::lru::{Lru, LruStats};
use kea_core::menu::Menu;
use pgrx::prelude::*;
use pgrx::{GucContext, GucFlags, GucRegistry, GucSetting, JsonB, PgSqlErrorCode};

use crate::error::raise;

struct Entry {
    version: i64,
    /// The generation at which `version` was last read from `kea.menus`.
    verified: u64,
    compiled: Rc<CompiledMenu>,
}

/// `kea.menu_cache_size`: how many compiled menus a backend keeps.
static CACHE_SIZE: GucSetting<i32> = GucSetting::<i32>::new(64);

/// `kea.load_compiled_menus`: load the form compiled at publish (on), or compile every menu
/// in the backend as before it existed (off: to compare the two, or to rule the form out).
static LOAD_COMPILED: GucSetting<bool> = GucSetting::<bool>::new(true);

/// Registers `kea.menu_cache_size` (from `_PG_init`).
pub fn define_settings() {
    GucRegistry::define_int_guc(
        c"kea.menu_cache_size",
        c"How many compiled menus each backend keeps (least recently used dropped first).",
        c"A compiled menu takes 0.1-0.2 MB of the backend's memory; a menu dropped is loaded \
again (its form compiled at publish) when a turn next needs it. 0 loads the menu at every call.",
        &CACHE_SIZE,
        0,
        100_000,
        GucContext::Userset,
        GucFlags::default(),
    );
    GucRegistry::define_bool_guc(
        c"kea.load_compiled_menus",
        c"Load the menu compiled when it was published instead of compiling it in this backend.",
        c"Off compiles every menu a backend meets from its document (several times the CPU).",
        &LOAD_COMPILED,
        GucContext::Userset,
        GucFlags::default(),
    );
}

fn bound() -> usize {
    usize::try_from(CACHE_SIZE.get()).unwrap_or(0)
}

thread_local! {
    static CACHE: RefCell<Lru<i64, Entry>> = RefCell::new(Lru::new());
    /// Bumped by every invalidation of `kea.menus` (or of all relations).
    static GENERATION: Cell<u64> = const { Cell::new(1) };
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
    /// Menus taken from their stored compiled form (the rest of the cache's inserts compiled).
    static LOADS: Cell<u64> = const { Cell::new(0) };
    /// `kea.menus`'s oid as last looked up (it changes when the extension is recreated, and
    /// dropping the old table bumps the generation, which makes the next check look again).
    static MENUS_OID: Cell<Option<pg_sys::Oid>> = const { Cell::new(None) };
}

/// The compiled menu `menu_id`, loading or compiling it if this backend has no current copy.
/// Raises `no_data_found` (P0002) when the menu was never published.
pub fn compiled(menu_id: i64) -> Rc<CompiledMenu> {
    register_callback();
    // Read before any lookup: an invalidation arriving during the lookup bumps it again, so
    // the entry is re-checked next time rather than trusted.
    let generation = GENERATION.get();
    // The bound may have been lowered since the last call.
    CACHE.with_borrow_mut(|c| c.trim(bound()));
    if let Some(hit) = CACHE.with_borrow_mut(|c| {
        c.get_mut(&menu_id)
            .filter(|e| e.verified == generation)
            .map(|e| e.compiled.clone())
    }) {
        return hit;
    }
    MENUS_OID.set(menus_oid());
    let held = CACHE.with_borrow_mut(|c| c.get_mut(&menu_id).map(|e| e.version));
    let (version, form) = published(menu_id, held);
    let fresh = CACHE.with_borrow_mut(|c| {
        c.get_mut(&menu_id)
            .filter(|e| e.version == version)
            .map(|e| {
                e.verified = generation;
                e.compiled.clone()
            })
    });
    if let Some(compiled) = fresh {
        return compiled;
    }
    let (compiled, how) = match form.and_then(|f| kea_core::compiled_form::from_bytes(&f)) {
        Some(menu) => {
            LOADS.set(LOADS.get() + 1);
            (menu, "loaded")
        }
        None => (CompiledMenu::new(load(menu_id)), "compiled"),
    };
    let compiled = Rc::new(compiled);
    let entry = Entry {
        version,
        verified: generation,
        compiled: compiled.clone(),
    };
    CACHE.with_borrow_mut(|c| c.insert(menu_id, entry, bound()));
    let Stats {
        held,
        loads,
        compilations,
        evictions,
    } = stats();
    debug1!(
        "kea: {how} menu {menu_id}; this backend holds {held} of kea.menu_cache_size = {} \
         menus, after {loads} loads, {compilations} compilations and {evictions} evictions",
        bound()
    );
    compiled
}

/// What this backend's cache holds and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub held: usize,
    /// Menus loaded from the form compiled at publish.
    pub loads: u64,
    /// Menus compiled from their document in this backend.
    pub compilations: u64,
    pub evictions: u64,
}

pub fn stats() -> Stats {
    CACHE.with_borrow(|c| {
        let LruStats { inserts, evictions } = c.stats();
        let loads = LOADS.get();
        Stats {
            held: c.len(),
            loads,
            compilations: inserts - loads,
            evictions,
        }
    })
}

/// Tells every backend (this one at its next command) that `kea.menus` changed.
pub fn invalidate_all() {
    if let Some(oid) = menus_oid() {
        // SAFETY: queues a relcache invalidation for an existing relation in this transaction.
        unsafe { pg_sys::CacheInvalidateRelcacheByRelid(oid) };
    }
}

/// Drops this backend's copy (called by tests and after a local publish).
pub fn forget(menu_id: i64) {
    CACHE.with_borrow_mut(|c| c.remove(&menu_id));
}

fn register_callback() {
    if REGISTERED.get() {
        return;
    }
    // SAFETY: registers a plain function for the life of the backend; PostgreSQL calls it
    // while processing invalidations, where it only touches a thread-local counter.
    unsafe { pg_sys::CacheRegisterRelcacheCallback(Some(on_relcache_invalidation), 0.into()) };
    REGISTERED.set(true);
}

#[pg_guard]
unsafe extern "C-unwind" fn on_relcache_invalidation(_arg: pg_sys::Datum, relid: pg_sys::Oid) {
    // InvalidOid means "everything" (e.g. after the invalidation queue overflowed). No catalog
    // access in here: invalidation callbacks must not read catalogs.
    if relid == pg_sys::InvalidOid || Some(relid) == MENUS_OID.get() {
        GENERATION.set(GENERATION.get() + 1);
    }
}

/// `kea.menus`'s oid, from the system caches (no SQL).
fn menus_oid() -> Option<pg_sys::Oid> {
    // SAFETY: catalog cache lookups by name; both return InvalidOid when missing.
    let oid = unsafe {
        let nsp = pg_sys::get_namespace_oid(c"kea".as_ptr(), true);
        if nsp == pg_sys::InvalidOid {
            return None;
        }
        pg_sys::get_relname_relid(c"menus".as_ptr(), nsp)
    };
    (oid != pg_sys::InvalidOid).then_some(oid)
}

/// The menu's published version and, when this backend holds another version (`held`) and
/// loading is on, the form compiled at publish (if stored): one read of `kea.menus` per miss.
/// A form of another build is passed over by the caller (its layout may differ).
fn published(menu_id: i64, held: Option<i64>) -> (i64, Option<Vec<u8>>) {
    // Versions start at 1, so 0 holds nothing.
    let args = [
        menu_id.into(),
        held.unwrap_or(0).into(),
        LOAD_COMPILED.get().into(),
    ];
    let row: Option<(Option<i64>, Option<Vec<u8>>)> = Spi::connect(|client| {
        let table = client.select(
            "select version, case when $3 and version <> $2 then compiled end \
             from kea.menus where menu_id = $1",
            Some(1),
            &args,
        )?;
        if table.is_empty() {
            return Ok(None);
        }
        table.first().get_two().map(Some)
    })
    .unwrap_or_else(|e: pgrx::spi::Error| error!("kea: reading kea.menus failed: {e}"));
    match row {
        Some((Some(version), form)) => (version, form),
        _ => not_published(menu_id),
    }
}

fn load(menu_id: i64) -> Menu {
    let doc: Option<JsonB> =
        select_one("select document from kea.menus where menu_id = $1", menu_id);
    let doc = doc.unwrap_or_else(|| not_published(menu_id));
    serde_json::from_value(doc.0).unwrap_or_else(|e| {
        raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("kea: menu {menu_id} is not a valid menu document: {e}"),
            "Republish it with kea.publish_menu(); see pg_kea/core/src/menu.rs for the format.",
        )
    })
}

/// The first column of the first row of a read-only query by menu id; `None` for no row.
fn select_one<T: pgrx::FromDatum + pgrx::IntoDatum>(query: &str, menu_id: i64) -> Option<T> {
    Spi::connect(|client| {
        let table = client.select(query, Some(1), &[menu_id.into()])?;
        if table.is_empty() {
            return Ok(None);
        }
        table.first().get_one()
    })
    .unwrap_or_else(|e: pgrx::spi::Error| error!("kea: reading kea.menus failed: {e}"))
}

fn not_published(menu_id: i64) -> ! {
    raise(
        PgSqlErrorCode::ERRCODE_NO_DATA_FOUND,
        format!("kea: menu {menu_id} is not published"),
        "Publish it with kea.publish_menu(menu_id, document).",
    )
}
