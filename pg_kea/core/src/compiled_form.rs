//! A compiled menu as bytes, to be compiled once when the menu is published and loaded by every
//! backend that needs it, instead of compiled by each (docs/benchmarks.md, "Scale").
//!
//! The bytes start with this build's fingerprint (`KEA_CORE_BUILD`, from build.rs: a hash of
//! kea_core's source), then the menu and its tables in postcard. A form written by any other
//! build is refused ([`from_bytes`] returns `None`) and the caller compiles the document
//! instead: the layout of the tables, and what compilation puts in them, may differ between
//! builds, so an upgraded pg_kea never trusts an old form.

use crate::extract::CompiledMenu;

/// This build's fingerprint, the first bytes of every form it writes.
pub const BUILD: &str = env!("KEA_CORE_BUILD");

/// The stored form of `menu`.
pub fn to_bytes(menu: &CompiledMenu) -> Vec<u8> {
    let out = BUILD.as_bytes().to_vec();
    postcard::to_extend(menu, out).expect("a compiled menu serialises")
}

/// The compiled menu stored in `bytes`, or `None` when another build wrote it (or it is not
/// a form at all).
pub fn from_bytes(bytes: &[u8]) -> Option<CompiledMenu> {
    let body = bytes.strip_prefix(BUILD.as_bytes())?;
    postcard::from_bytes(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_venues::venue;

    const UTTERANCES: [(&str, &str); 5] = [
        (
            "taqueria",
            include_str!("../../../tests/venues/taqueria/utterances.txt"),
        ),
        (
            "indian",
            include_str!("../../../tests/venues/indian/utterances.txt"),
        ),
        (
            "boba",
            include_str!("../../../tests/venues/boba/utterances.txt"),
        ),
        (
            "diner",
            include_str!("../../../tests/venues/diner/utterances.txt"),
        ),
        (
            "coffee",
            include_str!("../../../tests/venues/coffee/utterances.txt"),
        ),
    ];

    /// A loaded menu is the compiled one: the same menu, and the same extraction of every
    /// utterance of the venues (and of words it must repair or cannot place).
    #[test]
    fn a_loaded_menu_extracts_what_the_compiled_one_does() {
        for (name, text) in UTTERANCES {
            let compiled = venue(name);
            let loaded = from_bytes(&to_bytes(&compiled)).expect("this build's form loads");
            assert_eq!(loaded.menu, compiled.menu, "{name}");
            let said: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("> ")).collect();
            assert!(said.len() > 10, "{name}: {} utterances", said.len());
            for u in said
                .iter()
                .copied()
                .chain(["a lasagna", "qwertyuiop please", ""])
            {
                assert_eq!(loaded.extract(u), compiled.extract(u), "{name}: {u:?}");
                assert_eq!(loaded.explain(u), compiled.explain(u), "{name}: {u:?}");
            }
        }
    }

    /// A form written by another build, cut short, or not a form at all is refused, so the
    /// caller compiles the document instead.
    #[test]
    fn another_builds_form_is_refused() {
        let form = to_bytes(&venue("coffee"));
        assert!(from_bytes(&form).is_some());
        let mut other = form.clone();
        other[0] = if other[0] == b'0' { b'1' } else { b'0' };
        assert!(from_bytes(&other).is_none(), "another build's fingerprint");
        assert!(from_bytes(&form[..form.len() / 2]).is_none(), "cut short");
        assert!(
            from_bytes(BUILD.as_bytes()).is_none(),
            "the fingerprint alone"
        );
        assert!(from_bytes(b"").is_none());
    }
}
