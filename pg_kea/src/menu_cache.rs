//! Per-backend cache of compiled menus.
//!
//! Compiling a menu (building its matchers) costs far more than one extraction, so each backend
//! compiles a published menu once and keeps it. Staleness is checked against `kea.menus.version`
//! at most once per SQL command: a bulk `select kea.extract(1, t) from texts` pays for one
//! lookup, while a `kea.publish_menu()` earlier in the same transaction (a new command id) is
//! always seen.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use kea_core::extract::CompiledMenu;
use kea_core::menu::Menu;
use pgrx::prelude::*;
use pgrx::{JsonB, PgSqlErrorCode};

use crate::error::raise;

/// Identifies "this SQL command in this transaction".
#[derive(Clone, Copy, PartialEq, Eq)]
struct CommandStamp {
    xact_start: i64,
    statement_start: i64,
    command_id: u32,
}

fn current_stamp() -> CommandStamp {
    // SAFETY: plain reads of backend-local transaction state; we are inside a transaction
    // whenever a SQL function runs.
    unsafe {
        CommandStamp {
            xact_start: pg_sys::GetCurrentTransactionStartTimestamp(),
            statement_start: pg_sys::GetCurrentStatementStartTimestamp(),
            command_id: pg_sys::GetCurrentCommandId(false),
        }
    }
}

struct Entry {
    version: i64,
    checked: CommandStamp,
    compiled: Rc<CompiledMenu>,
}

thread_local! {
    static CACHE: RefCell<HashMap<i64, Entry>> = RefCell::new(HashMap::new());
}

/// The compiled menu `menu_id`, compiling it if this backend has no current copy.
/// Raises `no_data_found` (P0002) when the menu was never published.
pub fn compiled(menu_id: i64) -> Rc<CompiledMenu> {
    let stamp = current_stamp();
    if let Some(hit) = CACHE.with_borrow(|c| {
        c.get(&menu_id)
            .filter(|e| e.checked == stamp)
            .map(|e| e.compiled.clone())
    }) {
        return hit;
    }
    let version = published_version(menu_id);
    let fresh = CACHE.with_borrow_mut(|c| {
        c.get_mut(&menu_id)
            .filter(|e| e.version == version)
            .map(|e| {
                e.checked = stamp;
                e.compiled.clone()
            })
    });
    if let Some(compiled) = fresh {
        return compiled;
    }
    let compiled = Rc::new(CompiledMenu::new(load(menu_id)));
    CACHE.with_borrow_mut(|c| {
        c.insert(
            menu_id,
            Entry {
                version,
                checked: stamp,
                compiled: compiled.clone(),
            },
        )
    });
    compiled
}

fn published_version(menu_id: i64) -> i64 {
    let version: Option<i64> =
        select_one("select version from kea.menus where menu_id = $1", menu_id);
    version.unwrap_or_else(|| not_published(menu_id))
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

/// The compiled menu at `version`, as the caller read it from `kea.menus` (the hot path of a
/// dialog turn: no lookup at all when this backend already compiled that version).
pub fn compiled_at(menu_id: i64, version: i64) -> Rc<CompiledMenu> {
    let hit = CACHE.with_borrow(|c| {
        c.get(&menu_id)
            .filter(|e| e.version == version)
            .map(|e| e.compiled.clone())
    });
    match hit {
        Some(compiled) => compiled,
        None => compiled(menu_id),
    }
}

/// Drops this backend's copy (called by tests and after a local publish).
pub fn forget(menu_id: i64) {
    CACHE.with_borrow_mut(|c| c.remove(&menu_id));
}
