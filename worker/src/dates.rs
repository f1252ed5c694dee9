//! The date formats the worker and the stand-ins write, by the `time` crate: `YYYY-MM-DD`
//! (Twilio's `DateSent` filter), RFC 3339 (ready times) and RFC 2822 (Twilio's JSON dates),
//! all in UTC and to the second.

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::OffsetDateTime;

/// Seconds since the epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// `unix` seconds as a UTC instant. The clock gives nothing outside time's range (years
/// -9999..=9999); such a value would be a bug, written as the epoch rather than a panic.
fn utc(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2024-03-09`
pub fn date(unix: i64) -> String {
    utc(unix).date().to_string()
}

/// `2024-03-09T17:05:00Z`
pub fn rfc3339(unix: i64) -> String {
    // Fails only for years outside 0..=9999.
    utc(unix).format(&Rfc3339).unwrap_or_default()
}

/// `Sat, 09 Mar 2024 17:05:00 +0000`, as Twilio writes `date_created`.
pub fn rfc2822(unix: i64) -> String {
    // Fails only for years before 1900.
    utc(unix).format(&Rfc2822).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        // 2024-02-29 12:34:56 UTC, a leap day, a Thursday.
        assert_eq!(rfc3339(1_709_210_096), "2024-02-29T12:34:56Z");
        assert_eq!(rfc2822(1_709_210_096), "Thu, 29 Feb 2024 12:34:56 +0000");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(-86_400), "1969-12-31");
    }
}
