//! pg_kea: kea's logic as SQL functions. Thin wrappers only: the logic is in `kea_core`.
//!
//! - `sql/menus.sql`: `kea.menus`, the published menu documents, and `kea.publish_menu()`.
//! - [`menu_cache`]: compiles each published menu once per backend, revalidated per statement.
//! - [`functions`]: `kea.extract`, `kea.dialog_step`, `kea.price_order`, `kea.twiml_apology`.

use pgrx::prelude::*;

mod error;
mod functions;
mod menu_cache;

::pgrx::pg_module_magic!(name, version);

extension_sql_file!("../../sql/menus.sql", name = "menus", bootstrap);
