//! Line confidence: how likely an order-taker would leave the line as extracted.
//!
//! The base is the weakest word reading of the line (1.0 for full names, 0.85/0.8 for pieces of
//! names, clips and initials, fuzzy repairs below that; see docs/extraction.md). On top, what
//! the line building saw around the words lowers it: these signals were chosen from the
//! failures on the FoodOrdering dev sets and the hand-written venues, and their effect is
//! measured by `fo_eval --calibration` and `venue_eval` (accuracy by confidence bucket).

/// What the line builder noticed about one line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals {
    /// A word nobody could place sits inside the line or right after it ("a hamburger pizza",
    /// "a chocolate milk shake"): part of what was said about this line was not understood.
    pub unknown_nearby: bool,
    /// Two options of a group that names a kind of thing (no qualifiers, no negation, not
    /// single-choice by the menu) on one line ("fries and curly fries"): often two lines.
    pub repeated_kind: bool,
    /// No item chosen: the dialog has to ask.
    pub undecided: bool,
    /// A size or option was said that the item does not take: the dialog has to say what
    /// there is.
    pub dropped: bool,
}

const UNKNOWN_NEARBY: f32 = 0.7;
const REPEATED_KIND: f32 = 0.9;
const UNDECIDED_CAP: f32 = 0.5;
const DROPPED_CAP: f32 = 0.7;

pub fn line_confidence(base: f32, s: Signals) -> f32 {
    let mut c = base;
    if s.unknown_nearby {
        c *= UNKNOWN_NEARBY;
    }
    if s.repeated_kind {
        c *= REPEATED_KIND;
    }
    if s.undecided {
        c = c.min(UNDECIDED_CAP);
    }
    if s.dropped {
        c = c.min(DROPPED_CAP);
    }
    c
}
