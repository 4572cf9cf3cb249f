//! Plain log lines on stderr: `2025-06-01T12:00:00.123Z LEVEL message`.
//!
//! One line per decision or event; no logging framework. `ZKMARKET_LOG=debug`
//! also prints debug lines (state scans, transaction progress).

use std::io::Write;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Whether debug lines are printed (`ZKMARKET_LOG=debug`).
pub fn debug_enabled() -> bool {
	static DEBUG: OnceLock<bool> = OnceLock::new();
	*DEBUG.get_or_init(|| {
		std::env::var("ZKMARKET_LOG").map(|v| v.eq_ignore_ascii_case("debug")).unwrap_or(false)
	})
}

/// UTC civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
	let z = z + 719_468;
	let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
	let doe = z - era * 146_097;
	let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
	let y = yoe + era * 400;
	let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	let mp = (5 * doy + 2) / 153;
	let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
	let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
	(if m <= 2 { y + 1 } else { y }, m, d)
}

/// `millis` since the UNIX epoch as an ISO 8601 UTC timestamp with milliseconds.
pub fn timestamp(millis: u128) -> String {
	let secs = (millis / 1000) as i64;
	let ms = (millis % 1000) as u32;
	let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
	let s = secs.rem_euclid(86_400);
	format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z", s / 3600, (s / 60) % 60, s % 60)
}

/// Writes one line to stderr.
pub fn line(level: &str, msg: std::fmt::Arguments) {
	let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
	let mut err = std::io::stderr().lock();
	let _ = writeln!(err, "{} {level:<5} {msg}", timestamp(now));
}

/// An informational line.
#[macro_export]
macro_rules! info {
	($($t:tt)*) => { $crate::agent::log::line("INFO", format_args!($($t)*)) };
}

/// A warning line.
#[macro_export]
macro_rules! warn {
	($($t:tt)*) => { $crate::agent::log::line("WARN", format_args!($($t)*)) };
}

/// An error line.
#[macro_export]
macro_rules! error {
	($($t:tt)*) => { $crate::agent::log::line("ERROR", format_args!($($t)*)) };
}

/// A debug line (only with `ZKMARKET_LOG=debug`).
#[macro_export]
macro_rules! debug {
	($($t:tt)*) => {
		if $crate::agent::log::debug_enabled() {
			$crate::agent::log::line("DEBUG", format_args!($($t)*))
		}
	};
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn timestamps() {
		assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
		assert_eq!(timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
		assert_eq!(timestamp(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
	}
}
