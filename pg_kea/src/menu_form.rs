//! `kea.compile_menu`: a menu document compiled into the form `kea.menus.compiled` stores
//! (`kea_core::compiled_form`). A trigger on `kea.menus` fills that column whenever a document
//! is written (sql/pg_kea/menus.sql), so a menu is compiled once when it is published and
//! loaded, at a twentieth to a thirtieth of the CPU, by every backend that meets it
//! ([`crate::menu_cache`]; docs/benchmarks.md, "Scale").

use kea_core::extract::CompiledMenu;
use kea_core::menu::Menu;
use pgrx::prelude::*;
use pgrx::JsonB;

#[pg_schema]
mod kea {
    use super::*;

    /// The compiled form of a menu document, for this build of pg_kea; NULL when the document
    /// is not a valid menu (a backend then reports why when it compiles it, as before).
    #[pg_extern(immutable, parallel_safe, strict)]
    fn compile_menu(document: JsonB) -> Option<Vec<u8>> {
        crate::functions::check_interrupts();
        let menu: Menu = serde_json::from_value(document.0).ok()?;
        Some(kea_core::compiled_form::to_bytes(&CompiledMenu::new(menu)))
    }
}
