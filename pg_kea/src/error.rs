//! Raising SQL errors with chosen SQLSTATEs (pgrx would map a plain `Err` to 22000).

use pgrx::prelude::*;
use pgrx::PgSqlErrorCode;

/// Raises an ERROR with `code`, `message` and a hint saying what to do; never returns.
// `ereport!(ERROR, ..)` never returns but is typed `()`, hence the unreachable tail.
#[allow(unreachable_code)]
pub fn raise(code: PgSqlErrorCode, message: String, hint: &str) -> ! {
    ereport!(ERROR, code, message, hint);
    unreachable!("ereport(ERROR) does not return")
}
