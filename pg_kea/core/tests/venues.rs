//! Regression test on the hand-written POS-style venues (`tests/venues/`): exact match per venue
//! must stay at or above the figure reached (see docs/extraction.md).

mod common;

use common::venues;

/// Least exact match (percent) per venue; raise it when the engine gets better.
const FLOOR: &[(&str, f64)] = &[("boba", 100.0), ("diner", 100.0), ("indian", 100.0), ("taqueria", 100.0)];

#[test]
fn hand_written_venues_exact_match() {
    for dir in venues::dirs() {
        let v = venues::load(&dir);
        let ok = v
            .cases
            .iter()
            .filter(|c| venues::run(&v.menu, c).ok)
            .count();
        let pct = 100.0 * ok as f64 / v.cases.len() as f64;
        eprintln!("{}: exact match {ok}/{} = {pct:.2}%", v.name, v.cases.len());
        let floor = FLOOR
            .iter()
            .find(|(n, _)| *n == v.name)
            .map_or(95.0, |f| f.1);
        assert!(pct >= floor, "{}: {pct:.2}% < {floor}%", v.name);
    }
}
