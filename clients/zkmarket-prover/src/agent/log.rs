//! The agent's log lines: `tracing` events, written to stderr by
//! `tracing-subscriber` with an [`EnvFilter`].
//!
//! - **text** (the default): one line per event,
//!   `2025-06-01T12:00:00.123Z INFO  message` (UTC, milliseconds; fields
//!   other than the message follow it as `key=value`);
//! - **json**: one JSON object per line, `{"timestamp": "..", "level":
//!   "INFO", "target": "zkmarket_prover::agent::plan", "message": "..", ..}`
//!   (every field of the event), for log collectors.
//!
//! The format comes from `--log-format`, else `ZKMARKET_LOG_FORMAT`, else the
//! configuration's `log_format`, else text. The filter comes from
//! `ZKMARKET_LOG` in `RUST_LOG` syntax: a bare level (`debug`) applies to the
//! agent's own lines, directives (`info,subxt=debug`) are taken as they are;
//! the default is the agent's own lines at `info` (the libraries' lines are
//! off).

use std::{
	fmt,
	time::{SystemTime, UNIX_EPOCH},
};
use tracing::{field::Field, Event, Subscriber};
use tracing_subscriber::{
	filter::LevelFilter,
	fmt::{format::Writer, FmtContext, FormatEvent, FormatFields},
	registry::LookupSpan,
	EnvFilter,
};

/// The environment variable of the filter (`RUST_LOG` syntax).
pub const FILTER_ENV: &str = "ZKMARKET_LOG";
/// The environment variable of the format (`text` or `json`).
pub const FORMAT_ENV: &str = "ZKMARKET_LOG_FORMAT";
/// The target of the agent's own lines (this crate).
const OWN_TARGET: &str = "zkmarket_prover";

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
	/// Human-readable lines: `timestamp LEVEL message`.
	#[default]
	Text,
	/// One JSON object per line.
	Json,
}

impl LogFormat {
	/// `text` or `json` (case-insensitive).
	pub fn parse(s: &str) -> Option<Self> {
		match s.to_ascii_lowercase().as_str() {
			"text" => Some(LogFormat::Text),
			"json" => Some(LogFormat::Json),
			_ => None,
		}
	}

	/// The format from `ZKMARKET_LOG_FORMAT`, if set to a known one.
	pub fn from_env() -> Option<Self> {
		std::env::var(FORMAT_ENV).ok().and_then(|v| Self::parse(v.trim()))
	}
}

/// The filter for a `ZKMARKET_LOG` value: a bare level applies to the
/// agent's own lines, anything else is taken as `RUST_LOG` directives (bad
/// directives are ignored); `None` or empty: the agent's lines at `info`.
pub fn filter(spec: Option<&str>) -> EnvFilter {
	let spec = spec.map(str::trim).filter(|s| !s.is_empty());
	let directives = match spec {
		None => format!("{OWN_TARGET}=info"),
		Some(s) if s.parse::<LevelFilter>().is_ok() => format!("{OWN_TARGET}={s}"),
		Some(s) => s.to_string(),
	};
	EnvFilter::builder().parse_lossy(directives)
}

/// Installs the subscriber (stderr, `format`, the filter of `ZKMARKET_LOG`).
/// Once per process; later calls do nothing.
pub fn init(format: LogFormat) {
	let filter = filter(std::env::var(FILTER_ENV).ok().as_deref());
	let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
	let _ = match format {
		LogFormat::Text => builder.event_format(Text).try_init(),
		LogFormat::Json => builder.event_format(Json).try_init(),
	};
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

fn now_millis() -> u128 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}

/// The text format: `2025-06-01T12:00:00.123Z INFO  message key=value`.
struct Text;

impl<S, N> FormatEvent<S, N> for Text
where
	S: Subscriber + for<'a> LookupSpan<'a>,
	N: for<'a> FormatFields<'a> + 'static,
{
	fn format_event(
		&self,
		ctx: &FmtContext<'_, S, N>,
		mut writer: Writer<'_>,
		event: &Event<'_>,
	) -> fmt::Result {
		let level = event.metadata().level().as_str();
		write!(writer, "{} {level:<5} ", timestamp(now_millis()))?;
		ctx.field_format().format_fields(writer.by_ref(), event)?;
		writeln!(writer)
	}
}

/// The JSON lines format: the event's fields with `timestamp`, `level` and `target`.
struct Json;

/// Collects an event's fields as JSON values.
struct Fields(serde_json::Map<String, serde_json::Value>);

impl tracing::field::Visit for Fields {
	fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
		self.0.insert(field.name().into(), format!("{value:?}").into());
	}
	fn record_str(&mut self, field: &Field, value: &str) {
		self.0.insert(field.name().into(), value.into());
	}
	fn record_i64(&mut self, field: &Field, value: i64) {
		self.0.insert(field.name().into(), value.into());
	}
	fn record_u64(&mut self, field: &Field, value: u64) {
		self.0.insert(field.name().into(), value.into());
	}
	fn record_bool(&mut self, field: &Field, value: bool) {
		self.0.insert(field.name().into(), value.into());
	}
	fn record_f64(&mut self, field: &Field, value: f64) {
		self.0.insert(field.name().into(), value.into());
	}
}

/// One event as a JSON object.
fn json_line(event: &Event<'_>, millis: u128) -> serde_json::Value {
	let mut fields = Fields(serde_json::Map::new());
	event.record(&mut fields);
	let meta = event.metadata();
	let mut line = fields.0;
	line.insert("timestamp".into(), timestamp(millis).into());
	line.insert("level".into(), meta.level().as_str().into());
	line.insert("target".into(), meta.target().into());
	serde_json::Value::Object(line)
}

impl<S, N> FormatEvent<S, N> for Json
where
	S: Subscriber + for<'a> LookupSpan<'a>,
	N: for<'a> FormatFields<'a> + 'static,
{
	fn format_event(
		&self,
		_ctx: &FmtContext<'_, S, N>,
		mut writer: Writer<'_>,
		event: &Event<'_>,
	) -> fmt::Result {
		writeln!(writer, "{}", json_line(event, now_millis()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{
		io,
		sync::{Arc, Mutex},
	};
	use tracing_subscriber::fmt::MakeWriter;

	#[test]
	fn timestamps() {
		assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
		assert_eq!(timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
		assert_eq!(timestamp(1_700_000_000_000), "2023-11-14T22:13:20.000Z");
	}

	#[test]
	fn formats() {
		assert_eq!(LogFormat::parse("JSON"), Some(LogFormat::Json));
		assert_eq!(LogFormat::parse("text"), Some(LogFormat::Text));
		assert_eq!(LogFormat::parse("yaml"), None);
	}

	/// A writer into a shared buffer.
	#[derive(Clone, Default)]
	struct Buf(Arc<Mutex<Vec<u8>>>);
	impl io::Write for Buf {
		fn write(&mut self, b: &[u8]) -> io::Result<usize> {
			self.0.lock().unwrap().extend_from_slice(b);
			Ok(b.len())
		}
		fn flush(&mut self) -> io::Result<()> {
			Ok(())
		}
	}
	impl<'a> MakeWriter<'a> for Buf {
		type Writer = Buf;
		fn make_writer(&'a self) -> Buf {
			self.clone()
		}
	}
	impl Buf {
		fn text(&self) -> String {
			String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
		}
	}

	/// Lines as the tests on a dev node match them (`lock #12: skipped: ..`),
	/// filtered by `ZKMARKET_LOG`.
	#[test]
	fn text_and_json_lines() {
		let buf = Buf::default();
		let sub = tracing_subscriber::fmt()
			.with_env_filter(filter(None))
			.with_writer(buf.clone())
			.event_format(Text)
			.finish();
		tracing::subscriber::with_default(sub, || {
			let id = 12;
			tracing::info!("lock #{id}: skipped: no capacity");
			tracing::warn!("#{id}: attempt 1 failed");
			tracing::debug!("not shown at info");
			tracing::info!(target: "subxt", "another crate's line");
		});
		let text = buf.text();
		let lines: Vec<&str> = text.lines().collect();
		assert_eq!(lines.len(), 2, "{text}");
		assert!(lines[0].ends_with("Z INFO  lock #12: skipped: no capacity"), "{text}");
		assert!(lines[1].ends_with("Z WARN  #12: attempt 1 failed"), "{text}");
		assert_eq!(lines[0].len(), "2025-06-01T12:00:00.123Z".len() + 7 + 30, "{text}");

		let buf = Buf::default();
		let sub = tracing_subscriber::fmt()
			.with_env_filter(filter(Some("debug")))
			.with_writer(buf.clone())
			.event_format(Json)
			.finish();
		tracing::subscriber::with_default(sub, || {
			tracing::debug!(request = 7u64, "#7: proof of {} bytes", 128);
		});
		let v: serde_json::Value = serde_json::from_str(buf.text().trim()).unwrap();
		assert_eq!(v["level"], "DEBUG");
		assert_eq!(v["message"], "#7: proof of 128 bytes");
		assert_eq!(v["request"], 7);
		assert!(v["target"].as_str().unwrap().starts_with("zkmarket_prover"), "{v}");
		assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
	}

	#[test]
	fn filters() {
		assert_eq!(filter(None).to_string(), "zkmarket_prover=info");
		assert_eq!(filter(Some("DEBUG")).to_string(), "zkmarket_prover=debug");
		assert!(filter(Some("info,subxt=debug")).to_string().contains("subxt=debug"));
	}
}
