//! `prover.toml`: the agent's configuration (see `tools/prover/prover.example.toml`).
//!
//! Parsed with serde from TOML, then validated into [`Config`]; every problem
//! is reported with the field it concerns (the caller exits with code 2).

use serde::Deserialize;
use std::{collections::BTreeSet, fmt, path::Path};
use zkmarket_client::amount::{format_zk, parse_zk};

/// Default safety margin added to a program's proving-time estimate.
pub const DEFAULT_MARGIN_SECS: u64 = 6;

/// How a program's proofs are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
	/// The built-in demo circuit (`x^3 + x + 5 = y`).
	Demo,
	/// An external program: argv; the job as JSON on stdin, `{"proof": "0x.."}` on stdout.
	Command(Vec<String>),
}

/// What the prover accepts for one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
	/// Program id (blake2-256 of the verifying key).
	pub id: [u8; 32],
	/// How to prove it.
	pub backend: Backend,
	/// The cost of one proof (planck): offers paying less and bounties
	/// smaller than this are not taken.
	pub min_price: u128,
	/// The highest lock collateral pledged for one offer (planck).
	pub max_collateral: u128,
	/// Estimated proving time in seconds (plus `margin_secs` must fit before a deadline).
	pub prove_secs: u64,
}

impl Program {
	/// `0x..` id.
	pub fn id_hex(&self) -> String {
		format!("0x{}", hex::encode(self.id))
	}
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
	/// Node WebSocket URL.
	pub url: String,
	/// Secret key spec (URI, phrase, 0x seed, @keyfile); never logged.
	pub suri: String,
	/// Stake to register with, or to top the stake up to (planck); 0: never bond.
	pub stake: u128,
	/// Proofs worked on at once; offers and bounties are only taken below it.
	pub max_jobs: u32,
	/// Port of the Prometheus metrics endpoint (0: off).
	pub metrics_port: u16,
	/// Address the metrics endpoint binds (default 127.0.0.1).
	pub metrics_addr: String,
	/// Pause the prover (`provers.pause`) on SIGINT/SIGTERM.
	pub pause_on_exit: bool,
	/// Lock open offers that are worth it.
	pub lock_offers: bool,
	/// Prove bounties of forfeited locks that are worth it.
	pub take_bounties: bool,
	/// Safety margin (seconds) added to `prove_secs` before a deadline.
	pub margin_secs: u64,
	/// Programs it proves; anything else is never taken (auction assignments
	/// for other programs are declined).
	pub programs: Vec<Program>,
}

impl Config {
	/// The program entry of `id`, if configured.
	pub fn program(&self, id: &[u8; 32]) -> Option<&Program> {
		self.programs.iter().find(|p| &p.id == id)
	}
}

/// A configuration error (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(&self.0)
	}
}

/// An amount in the file: a string of ZK with decimals (`"0.5"`) or an integer of ZK.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
enum Amount {
	Text(String),
	Int(u64),
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RawProgram {
	id: String,
	backend: String,
	#[serde(default)]
	command: Option<Vec<String>>,
	min_price: Amount,
	max_collateral: Amount,
	prove_secs: u64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RawConfig {
	url: String,
	suri: String,
	stake: Amount,
	#[serde(default = "one")]
	max_jobs: u32,
	#[serde(default)]
	metrics_port: u16,
	#[serde(default)]
	metrics_addr: Option<String>,
	#[serde(default)]
	pause_on_exit: bool,
	#[serde(default = "yes")]
	lock_offers: bool,
	#[serde(default = "yes")]
	take_bounties: bool,
	#[serde(default)]
	margin_secs: Option<u64>,
	#[serde(default)]
	programs: Vec<RawProgram>,
}

fn one() -> u32 {
	1
}
fn yes() -> bool {
	true
}

fn amount(a: &Amount, field: &str) -> Result<u128, ConfigError> {
	match a {
		Amount::Int(n) => Ok(*n as u128 * zkmarket_client::amount::ZK),
		Amount::Text(s) => parse_zk(s).map_err(|e| ConfigError(format!("`{field}`: {e}"))),
	}
}

/// Reads and validates `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
	parse(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))
}

/// Parses and validates the text of a `prover.toml`.
pub fn parse(text: &str) -> Result<Config, ConfigError> {
	// toml's own message quotes the offending line, which may hold the secret
	// key (`suri`): report the position and the message only.
	let raw: RawConfig = toml::from_str(text).map_err(|e| {
		let at = e
			.span()
			.map(|s| {
				let upto = &text.as_bytes()[..s.start.min(text.len())];
				let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
				// The key of that line (never its value).
				let key = text
					.lines()
					.nth(line - 1)
					.and_then(|l| l.split_once('='))
					.map(|(k, _)| format!("`{}` ", k.trim()))
					.unwrap_or_default();
				format!("line {line}: {key}")
			})
			.unwrap_or_default();
		ConfigError(format!("{at}{}", e.message()))
	})?;
	let url = raw.url.trim().to_string();
	if !(url.starts_with("ws://") || url.starts_with("wss://")) {
		return Err(ConfigError(format!("`url`: `{url}` must start with ws:// or wss://")));
	}
	if raw.suri.trim().is_empty() {
		return Err(ConfigError("`suri`: empty secret key spec".into()));
	}
	let stake = amount(&raw.stake, "stake")?;
	if raw.max_jobs == 0 {
		return Err(ConfigError("`max_jobs` must be at least 1".into()));
	}
	let mut programs = Vec::new();
	let mut seen = BTreeSet::new();
	for (i, p) in raw.programs.iter().enumerate() {
		let at = |f: &str| format!("programs[{i}].{f}");
		let id = if p.id.trim() == "demo" {
			zkmarket_prover::program_id()
		} else {
			parse_id(p.id.trim())
				.map_err(|e| ConfigError(format!("`{}`: {e} (or \"demo\")", at("id"))))?
		};
		if !seen.insert(id) {
			return Err(ConfigError(format!(
				"`{}`: program 0x{} is configured twice",
				at("id"),
				hex::encode(id)
			)));
		}
		let backend = match (p.backend.as_str(), &p.command) {
			("demo", None) => {
				if id != zkmarket_prover::program_id() {
					return Err(ConfigError(format!(
						"`{}`: the demo backend only proves the demo program (id \"demo\" = 0x{})",
						at("backend"),
						hex::encode(zkmarket_prover::program_id())
					)));
				}
				Backend::Demo
			}
			("demo", Some(_)) => {
				return Err(ConfigError(format!(
					"`{}`: only the \"command\" backend takes a command",
					at("command")
				)))
			}
			("command", Some(argv)) if !argv.is_empty() && !argv[0].trim().is_empty() => {
				Backend::Command(argv.clone())
			}
			("command", _) => {
				return Err(ConfigError(format!(
					"`{}`: the \"command\" backend needs a non-empty argv list, e.g. [\"/usr/local/bin/my-prover\", \"--fast\"]",
					at("command")
				)))
			}
			(other, _) => {
				return Err(ConfigError(format!(
					"`{}`: unknown backend `{other}` (\"demo\" or \"command\")",
					at("backend")
				)))
			}
		};
		if p.prove_secs == 0 {
			return Err(ConfigError(format!("`{}` must be at least 1", at("prove_secs"))));
		}
		programs.push(Program {
			id,
			backend,
			min_price: amount(&p.min_price, &at("min_price"))?,
			max_collateral: amount(&p.max_collateral, &at("max_collateral"))?,
			prove_secs: p.prove_secs,
		});
	}
	if programs.is_empty() {
		return Err(ConfigError(
			"no [[programs]]: configure at least one program to prove (e.g. id = \"demo\", backend = \"demo\")"
				.into(),
		));
	}
	Ok(Config {
		url,
		suri: raw.suri,
		stake,
		max_jobs: raw.max_jobs,
		metrics_port: raw.metrics_port,
		metrics_addr: raw.metrics_addr.unwrap_or_else(|| "127.0.0.1".into()),
		pause_on_exit: raw.pause_on_exit,
		lock_offers: raw.lock_offers,
		take_bounties: raw.take_bounties,
		margin_secs: raw.margin_secs.unwrap_or(DEFAULT_MARGIN_SECS),
		programs,
	})
}

/// A `0x` + 64 hex digits program id.
pub fn parse_id(s: &str) -> Result<[u8; 32], String> {
	let h = s.strip_prefix("0x").ok_or_else(|| format!("`{s}` is not 0x-prefixed hex"))?;
	let bytes = hex::decode(h).map_err(|_| format!("`{s}` is not hex"))?;
	bytes.try_into().map_err(|_| format!("`{s}` is not 32 bytes"))
}

/// One line per program for the start-up log.
pub fn describe(p: &Program) -> String {
	let backend = match &p.backend {
		Backend::Demo => "demo".to_string(),
		Backend::Command(argv) => format!("command {:?}", argv),
	};
	format!(
		"program {}: {backend}, min price {}, max collateral {}, ~{} s per proof",
		p.id_hex(),
		format_zk(p.min_price),
		format_zk(p.max_collateral),
		p.prove_secs
	)
}

#[cfg(test)]
mod tests {
	use super::*;
	use zkmarket_client::amount::ZK;

	const GOOD: &str = r#"
url = "ws://127.0.0.1:9944"
suri = "//Bob"
stake = "100"
max_jobs = 2
metrics_port = 9616
pause_on_exit = true
lock_offers = true
take_bounties = false

[[programs]]
id = "demo"
backend = "demo"
min_price = "0.001"
max_collateral = 5
prove_secs = 3

[[programs]]
id = "0x1111111111111111111111111111111111111111111111111111111111111111"
backend = "command"
command = ["/bin/my-prover", "--fast"]
min_price = "1.5"
max_collateral = "10"
prove_secs = 60
"#;

	#[test]
	fn parses_the_example_and_a_full_file() {
		let c = parse(GOOD).unwrap();
		assert_eq!(c.stake, 100 * ZK);
		assert_eq!(c.max_jobs, 2);
		assert_eq!(c.metrics_port, 9616);
		assert!(c.pause_on_exit && c.lock_offers && !c.take_bounties);
		assert_eq!(c.margin_secs, DEFAULT_MARGIN_SECS);
		assert_eq!(c.programs.len(), 2);
		let demo = c.program(&zkmarket_prover::program_id()).unwrap();
		assert_eq!(demo.backend, Backend::Demo);
		assert_eq!(demo.min_price, ZK / 1000);
		assert_eq!(demo.max_collateral, 5 * ZK);
		let other = c.program(&[0x11; 32]).unwrap();
		assert_eq!(other.backend, Backend::Command(vec!["/bin/my-prover".into(), "--fast".into()]));
		assert_eq!(other.min_price, 3 * ZK / 2);
		let example = include_str!("../../prover.example.toml");
		let e = parse(example).unwrap();
		assert!(!e.programs.is_empty());
	}

	#[test]
	fn defaults() {
		let c = parse(
			"url = \"ws://x:1\"\nsuri = \"//Bob\"\nstake = \"0\"\n[[programs]]\nid = \"demo\"\nbackend = \"demo\"\nmin_price = \"0\"\nmax_collateral = \"0\"\nprove_secs = 1\n",
		)
		.unwrap();
		assert_eq!(c.max_jobs, 1);
		assert_eq!(c.metrics_port, 0);
		assert!(!c.pause_on_exit && c.lock_offers && c.take_bounties);
		assert_eq!(c.metrics_addr, "127.0.0.1");
	}

	#[test]
	fn clear_errors() {
		let cases: &[(&str, &str, &str)] = &[
			("url = \"ws://127.0.0.1:9944\"", "url = \"http://x\"", "must start with ws://"),
			("stake = \"100\"", "stake = \"-1\"", "`stake`: bad amount"),
			("stake = \"100\"", "stake = 1.5", "stake"),
			("max_jobs = 2", "max_jobs = 0", "max_jobs"),
			("suri = \"//Bob\"", "suri = \" \"", "suri"),
			("backend = \"demo\"", "backend = \"gpu\"", "unknown backend `gpu`"),
			("command = [\"/bin/my-prover\", \"--fast\"]", "command = []", "non-empty argv"),
			("min_price = \"1.5\"", "min_price = \"1.2.3\"", "programs[1].min_price"),
			("prove_secs = 3", "prove_secs = 0", "programs[0].prove_secs"),
			(
				"id = \"0x1111111111111111111111111111111111111111111111111111111111111111\"",
				"id = \"0x11\"",
				"not 32 bytes",
			),
			(
				"id = \"0x1111111111111111111111111111111111111111111111111111111111111111\"",
				"id = \"demo\"",
				"configured twice",
			),
			("take_bounties = false", "take_bountys = false", "unknown field"),
			// A malformed secret is reported by key and line, never echoed.
			("suri = \"//Bob\"", "suri = bottom drive obey", "line 3: `suri`"),
		];
		for (from, to, expect) in cases {
			assert!(GOOD.contains(from), "{from}");
			let text = GOOD.replacen(from, to, 1);
			let e = parse(&text).unwrap_err().0;
			assert!(e.contains(expect), "{to}: {e}");
			assert!(!e.contains("bottom"), "the secret is not echoed: {e}");
		}
		// The demo backend for another program, and no programs at all.
		let e = parse(&GOOD.replace(
			"backend = \"command\"\ncommand = [\"/bin/my-prover\", \"--fast\"]",
			"backend = \"demo\"",
		))
		.unwrap_err();
		assert!(e.0.contains("only proves the demo program"), "{e}");
		let head = GOOD.split("[[programs]]").next().unwrap();
		assert!(parse(head).unwrap_err().0.contains("no [[programs]]"));
	}
}
