//! `prover.toml`: the agent's configuration (see `clients/zkmarket-prover/prover.example.toml`).
//!
//! Parsed with serde from TOML, then validated into [`Config`]; every problem
//! is reported with the field it concerns (the caller exits with code 2).

use super::requesters::Policy;
use serde::Deserialize;
use std::{borrow::Cow, collections::BTreeSet, fmt, path::Path};
use zkmarket_client::amount::{format_zk, parse_zk};

/// Default safety margin added to a program's proving-time estimate.
pub const DEFAULT_MARGIN_SECS: u64 = 6;

/// Default time budget of a `preflight` command (`preflight_timeout_secs`).
pub const DEFAULT_PREFLIGHT_TIMEOUT_SECS: u64 = 30;

/// Default `requester_failure_limit`: failed preflights (or proofs of taken
/// bounties and assignments) of one requester before its offers and bounties
/// are skipped.
pub const DEFAULT_REQUESTER_FAILURE_LIMIT: u32 = 3;

/// Default `requester_block_secs`: how long failures are counted, and a
/// requester is skipped (24 h).
pub const DEFAULT_REQUESTER_BLOCK_SECS: u64 = 24 * 3600;

/// Default `requester_max_locks`: locks of one requester's offers held at once.
pub const DEFAULT_REQUESTER_MAX_LOCKS: u32 = 1;

/// Largest `max_jobs`: the runtime's `MaxJobsPerProver` (the agent declares
/// `max_jobs` to the chain, which refuses more; checked again against the
/// chain's constant at start).
pub const MAX_JOBS: u32 = 4;

/// Most `[[programs]]`: the runtime's `MaxCapabilityPrograms` (every program
/// is declared to the chain; checked again against the chain's constant at start).
pub const MAX_PROGRAMS: usize = 16;

/// A kind of which the agent proves every program (`[[kinds]]`): only the
/// zkVM kinds, whose provers run any guest; the chain refuses others whole
/// (`provers.KindNotServable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServedKind {
	/// SP1 guests (kind index 3).
	Sp1,
	/// RISC Zero guests (kind index 4).
	Risc0,
}

impl ServedKind {
	/// The kind's index on chain (`ProgramKind`'s codec index), as capabilities name it.
	pub fn index(self) -> u8 {
		match self {
			ServedKind::Sp1 => 3,
			ServedKind::Risc0 => 4,
		}
	}

	/// Its name in `prover.toml` and in the backend's job (`kind`).
	pub fn name(self) -> &'static str {
		match self {
			ServedKind::Sp1 => "sp1",
			ServedKind::Risc0 => "risc0",
		}
	}

	/// The kind of a configuration name.
	pub fn parse(name: &str) -> Result<Self, String> {
		match name {
			"sp1" => Ok(ServedKind::Sp1),
			"risc0" => Ok(ServedKind::Risc0),
			"arkworks" | "snarkjs" | "gnark" => Err(format!(
				"`{name}` programs are circuits, each set up on its own: list them under \
				 [[programs]] (only \"sp1\" and \"risc0\" can be served whole)"
			)),
			other => Err(format!("unknown kind `{other}` (\"sp1\" or \"risc0\")")),
		}
	}
}

/// A kind's name from its chain index (for logs).
pub fn kind_name(index: u8) -> String {
	match index {
		0 => "arkworks".into(),
		1 => "snarkjs".into(),
		2 => "gnark".into(),
		3 => "sp1".into(),
		4 => "risc0".into(),
		n => format!("kind {n}"),
	}
}

/// How a program's proofs are made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
	/// The built-in demo circuit (`x^3 + x + 5 = y`).
	Demo,
	/// An external program: argv; the job as JSON on stdin, `{"proof": "0x.."}` on stdout.
	Command(Vec<String>),
}

/// A `command` backend's preflight: a command run with the same job on
/// stdin before an offer is locked, a bounty taken or an assignment proven,
/// that checks (witness generation, guest execution) whether the request can
/// be proven. Exit 0: it can; anything else (a non-zero exit, a crash,
/// running past `timeout_secs`, `{"unprovable": ..}` on stdout): it cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preflight {
	/// argv.
	pub argv: Vec<String>,
	/// Its time budget (seconds); it is killed after it.
	pub timeout_secs: u64,
}

/// What the prover accepts for one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
	/// Program id (blake2-256 of the verifying key).
	pub id: [u8; 32],
	/// How to prove it.
	pub backend: Backend,
	/// The `command` backend's preflight, if configured (the demo backend
	/// has its own: the witness search).
	pub preflight: Option<Preflight>,
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

/// A kind of which the prover proves every program (`[[kinds]]`): its
/// backend gets the job of any program of the kind (with the guest's id).
/// Such programs are served in the auction only: an offer is locked, and a
/// bounty taken, only for a program listed under `[[programs]]` (locking
/// pledges collateral on a guest the backend may not have).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindEntry {
	/// The kind.
	pub kind: ServedKind,
	/// How to prove its programs (a `command`).
	pub backend: Backend,
	/// Its preflight, run before an assignment is proven (declined at once,
	/// while that is free, when it fails).
	pub preflight: Option<Preflight>,
	/// The cost of one proof (planck).
	pub min_price: u128,
	/// Estimated proving time in seconds.
	pub prove_secs: u64,
}

impl KindEntry {
	/// The terms for one program of the kind (no collateral: never locked).
	pub fn for_program(&self, id: [u8; 32]) -> Program {
		Program {
			id,
			backend: self.backend.clone(),
			preflight: self.preflight.clone(),
			min_price: self.min_price,
			max_collateral: 0,
			prove_secs: self.prove_secs,
		}
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
	/// Proofs worked on at once (1..=[`MAX_JOBS`]), declared to the chain
	/// (which deals no more assignments and locks); offers and bounties are
	/// only taken below it.
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
	/// Kinds of which it proves every program (auction assignments only).
	pub kinds: Vec<KindEntry>,
	/// When requesters' offers and bounties are no longer taken
	/// (`requester_failure_limit`, `requester_block_secs`, `requester_max_locks`).
	pub requesters: Policy,
}

impl Config {
	/// The program entry of `id`, if configured (`[[programs]]` only).
	pub fn program(&self, id: &[u8; 32]) -> Option<&Program> {
		self.programs.iter().find(|p| &p.id == id)
	}

	/// The `[[kinds]]` entry of the kind with chain index `kind`, if any.
	pub fn kind(&self, kind: u8) -> Option<&KindEntry> {
		self.kinds.iter().find(|k| k.kind.index() == kind)
	}

	/// How an auction assignment of program `id` (of kind index `kind`, when
	/// known) is proven: its `[[programs]]` entry, else its kind's entry.
	pub fn program_for(&self, id: &[u8; 32], kind: Option<u8>) -> Option<Cow<'_, Program>> {
		if let Some(p) = self.program(id) {
			return Some(Cow::Borrowed(p));
		}
		kind.and_then(|k| self.kind(k)).map(|k| Cow::Owned(k.for_program(*id)))
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
	#[serde(default)]
	preflight: Option<Vec<String>>,
	#[serde(default)]
	preflight_timeout_secs: Option<u64>,
	min_price: Amount,
	max_collateral: Amount,
	prove_secs: u64,
}

#[derive(Deserialize, Debug)]
#[serde(
	deny_unknown_fields,
	expecting = "a [[kinds]] table: kind = \"sp1\" or \"risc0\", backend = \"command\", command, min_price, prove_secs"
)]
struct RawKind {
	kind: String,
	backend: String,
	#[serde(default)]
	command: Option<Vec<String>>,
	#[serde(default)]
	preflight: Option<Vec<String>>,
	#[serde(default)]
	preflight_timeout_secs: Option<u64>,
	min_price: Amount,
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
	requester_failure_limit: Option<u32>,
	#[serde(default)]
	requester_block_secs: Option<u64>,
	#[serde(default)]
	requester_max_locks: Option<u32>,
	#[serde(default)]
	programs: Vec<RawProgram>,
	#[serde(default)]
	kinds: Vec<RawKind>,
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
	if raw.max_jobs == 0 || raw.max_jobs > MAX_JOBS {
		return Err(ConfigError(format!(
			"`max_jobs` = {}: must be between 1 and {MAX_JOBS} (the chain's MaxJobsPerProver; \
			 it is declared to the chain)",
			raw.max_jobs
		)));
	}
	if raw.programs.len() > MAX_PROGRAMS {
		return Err(ConfigError(format!(
			"`programs`: {} programs configured, at most {MAX_PROGRAMS} can be declared to the \
			 chain (MaxCapabilityPrograms)",
			raw.programs.len()
		)));
	}
	let mut programs = Vec::new();
	let mut seen = BTreeSet::new();
	for (i, p) in raw.programs.iter().enumerate() {
		let at = |f: &str| format!("programs[{i}].{f}");
		let id = if p.id.trim() == "demo" {
			zkmarket_demo_circuit::program_id()
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
		let backend = parse_backend(&p.backend, &p.command, &at)?;
		let preflight = parse_preflight(&backend, &p.preflight, p.preflight_timeout_secs, &at)?;
		if backend == Backend::Demo && id != zkmarket_demo_circuit::program_id() {
			return Err(ConfigError(format!(
				"`{}`: the demo backend only proves the demo program (id \"demo\" = 0x{})",
				at("backend"),
				hex::encode(zkmarket_demo_circuit::program_id())
			)));
		}
		if p.prove_secs == 0 {
			return Err(ConfigError(format!("`{}` must be at least 1", at("prove_secs"))));
		}
		programs.push(Program {
			id,
			backend,
			preflight,
			min_price: amount(&p.min_price, &at("min_price"))?,
			max_collateral: amount(&p.max_collateral, &at("max_collateral"))?,
			prove_secs: p.prove_secs,
		});
	}
	let mut kinds: Vec<KindEntry> = Vec::new();
	for (i, k) in raw.kinds.iter().enumerate() {
		let at = |f: &str| format!("kinds[{i}].{f}");
		let kind = ServedKind::parse(k.kind.trim())
			.map_err(|e| ConfigError(format!("`{}`: {e}", at("kind"))))?;
		if kinds.iter().any(|e| e.kind == kind) {
			return Err(ConfigError(format!(
				"`{}`: kind `{}` is configured twice",
				at("kind"),
				kind.name()
			)));
		}
		let backend = parse_backend(&k.backend, &k.command, &at)?;
		let preflight = parse_preflight(&backend, &k.preflight, k.preflight_timeout_secs, &at)?;
		if backend == Backend::Demo {
			return Err(ConfigError(format!(
				"`{}`: a whole kind needs a \"command\" backend (the demo backend proves only the demo program)",
				at("backend")
			)));
		}
		if k.prove_secs == 0 {
			return Err(ConfigError(format!("`{}` must be at least 1", at("prove_secs"))));
		}
		kinds.push(KindEntry {
			kind,
			backend,
			preflight,
			min_price: amount(&k.min_price, &at("min_price"))?,
			prove_secs: k.prove_secs,
		});
	}
	let failure_limit = raw.requester_failure_limit.unwrap_or(DEFAULT_REQUESTER_FAILURE_LIMIT);
	if failure_limit == 0 {
		return Err(ConfigError(
			"`requester_failure_limit` must be at least 1 (`requester_block_secs = 0` turns the \
			 requester record off)"
				.into(),
		));
	}
	let max_locks = raw.requester_max_locks.unwrap_or(DEFAULT_REQUESTER_MAX_LOCKS);
	if max_locks == 0 || max_locks > MAX_JOBS {
		return Err(ConfigError(format!(
			"`requester_max_locks` = {max_locks}: must be between 1 and {MAX_JOBS}"
		)));
	}
	let requesters = Policy {
		failure_limit,
		block_secs: raw.requester_block_secs.unwrap_or(DEFAULT_REQUESTER_BLOCK_SECS),
		max_locks,
	};
	if programs.is_empty() && kinds.is_empty() {
		return Err(ConfigError(
			"no [[programs]] (or [[kinds]]): configure at least one program to prove (e.g. id = \"demo\", backend = \"demo\")"
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
		kinds,
		requesters,
	})
}

/// The `preflight` (and `preflight_timeout_secs`) of a `[[programs]]` or
/// `[[kinds]]` entry: a `command` backend's only.
fn parse_preflight(
	backend: &Backend,
	argv: &Option<Vec<String>>,
	timeout: Option<u64>,
	at: &dyn Fn(&str) -> String,
) -> Result<Option<Preflight>, ConfigError> {
	let Some(argv) = argv else {
		if timeout.is_some() {
			return Err(ConfigError(format!(
				"`{}` without `{}`",
				at("preflight_timeout_secs"),
				at("preflight")
			)));
		}
		return Ok(None);
	};
	if *backend == Backend::Demo {
		return Err(ConfigError(format!(
			"`{}`: only the \"command\" backend takes a preflight (the demo backend checks its \
			 witness itself)",
			at("preflight")
		)));
	}
	if argv.is_empty() || argv[0].trim().is_empty() {
		return Err(ConfigError(format!(
			"`{}`: a non-empty argv list, e.g. [\"/usr/local/bin/my-witness\"]",
			at("preflight")
		)));
	}
	let timeout_secs = timeout.unwrap_or(DEFAULT_PREFLIGHT_TIMEOUT_SECS);
	if timeout_secs == 0 {
		return Err(ConfigError(format!("`{}` must be at least 1", at("preflight_timeout_secs"))));
	}
	Ok(Some(Preflight { argv: argv.clone(), timeout_secs }))
}

/// The backend of a `[[programs]]` or `[[kinds]]` entry (`at` names its fields).
fn parse_backend(
	backend: &str,
	command: &Option<Vec<String>>,
	at: &dyn Fn(&str) -> String,
) -> Result<Backend, ConfigError> {
	match (backend, command) {
		("demo", None) => Ok(Backend::Demo),
		("demo", Some(_)) => Err(ConfigError(format!(
			"`{}`: only the \"command\" backend takes a command",
			at("command")
		))),
		("command", Some(argv)) if !argv.is_empty() && !argv[0].trim().is_empty() => {
			Ok(Backend::Command(argv.clone()))
		}
		("command", _) => Err(ConfigError(format!(
			"`{}`: the \"command\" backend needs a non-empty argv list, e.g. [\"/usr/local/bin/my-prover\", \"--fast\"]",
			at("command")
		))),
		(other, _) => Err(ConfigError(format!(
			"`{}`: unknown backend `{other}` (\"demo\" or \"command\")",
			at("backend")
		))),
	}
}

/// A `0x` + 64 hex digits program id.
pub fn parse_id(s: &str) -> Result<[u8; 32], String> {
	let h = s.strip_prefix("0x").ok_or_else(|| format!("`{s}` is not 0x-prefixed hex"))?;
	let bytes = hex::decode(h).map_err(|_| format!("`{s}` is not hex"))?;
	bytes.try_into().map_err(|_| format!("`{s}` is not 32 bytes"))
}

/// One line per `[[kinds]]` entry for the start-up log.
pub fn describe_kind(k: &KindEntry) -> String {
	let backend = match &k.backend {
		Backend::Demo => "demo".to_string(),
		Backend::Command(argv) => format!("command {:?}", argv),
	};
	format!(
		"every {} program (auction only): {backend}{}, min price {}, ~{} s per proof",
		k.kind.name(),
		describe_preflight(&k.preflight),
		format_zk(k.min_price),
		k.prove_secs
	)
}

fn describe_preflight(p: &Option<Preflight>) -> String {
	p.as_ref()
		.map(|p| format!(", preflight {:?} (at most {} s)", p.argv, p.timeout_secs))
		.unwrap_or_default()
}

/// One line per program for the start-up log.
pub fn describe(p: &Program) -> String {
	let backend = match &p.backend {
		Backend::Demo => "demo".to_string(),
		Backend::Command(argv) => format!("command {:?}", argv),
	};
	format!(
		"program {}: {backend}{}, min price {}, max collateral {}, ~{} s per proof",
		p.id_hex(),
		describe_preflight(&p.preflight),
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
		let demo = c.program(&zkmarket_demo_circuit::program_id()).unwrap();
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
		assert_eq!(
			c.requesters,
			Policy { failure_limit: 3, block_secs: 86_400, max_locks: 1 },
			"issue 28's defaults"
		);
		assert_eq!(c.requesters, Policy::default());
		assert_eq!(c.programs[0].preflight, None);
	}

	/// Issue 28: a command backend's preflight, and the requester record.
	#[test]
	fn preflights_and_requesters() {
		let text = GOOD.replace(
			"command = [\"/bin/my-prover\", \"--fast\"]",
			"command = [\"/bin/my-prover\", \"--fast\"]\npreflight = [\"/bin/my-witness\"]",
		);
		let c = parse(&text).unwrap();
		let p = c.program(&[0x11; 32]).unwrap();
		assert_eq!(
			p.preflight,
			Some(Preflight {
				argv: vec!["/bin/my-witness".into()],
				timeout_secs: DEFAULT_PREFLIGHT_TIMEOUT_SECS
			})
		);
		assert!(describe(p).contains("preflight [\"/bin/my-witness\"] (at most 30 s)"));
		let timed = text.replace(
			"preflight = [\"/bin/my-witness\"]",
			"preflight = [\"/bin/my-witness\"]\npreflight_timeout_secs = 5",
		);
		assert_eq!(parse(&timed).unwrap().programs[1].preflight.as_ref().unwrap().timeout_secs, 5);
		let keys = GOOD.replace(
			"take_bounties = false",
			"take_bounties = false\nrequester_failure_limit = 2\nrequester_block_secs = 3600\n\
			 requester_max_locks = 2",
		);
		assert_eq!(
			parse(&keys).unwrap().requesters,
			Policy { failure_limit: 2, block_secs: 3600, max_locks: 2 }
		);
		// 0 seconds turns the record off.
		let off = GOOD.replace("take_bounties = false", "requester_block_secs = 0");
		assert_eq!(parse(&off).unwrap().requesters.block_secs, 0);
		// A whole kind may have one (run before its assignments).
		let sp1 =
			SP1.replace("prove_secs = 40", "prove_secs = 40\npreflight = [\"/bin/sp1-execute\"]");
		let k = parse(&format!("{GOOD}{sp1}")).unwrap();
		assert!(k.kinds[0].preflight.is_some());
		assert!(k.program_for(&[0x22; 32], Some(3)).unwrap().preflight.is_some());

		let errors: &[(&str, &str)] = &[
			("preflight = [\"/bin/my-witness\"]", "preflight = []"),
			("preflight = [\"/bin/my-witness\"]", "preflight = [\"\"]"),
			("preflight = [\"/bin/my-witness\"]", "preflight_timeout_secs = 5"),
			(
				"preflight = [\"/bin/my-witness\"]",
				"preflight = [\"/bin/my-witness\"]\npreflight_timeout_secs = 0",
			),
			("take_bounties = false", "requester_failure_limit = 0"),
			("take_bounties = false", "requester_max_locks = 0"),
			("take_bounties = false", "requester_max_locks = 5"),
		];
		let expect = [
			"`programs[1].preflight`: a non-empty argv",
			"`programs[1].preflight`: a non-empty argv",
			"`programs[1].preflight_timeout_secs` without `programs[1].preflight`",
			"`programs[1].preflight_timeout_secs` must be at least 1",
			"`requester_failure_limit` must be at least 1",
			"`requester_max_locks` = 0: must be between 1 and 4",
			"`requester_max_locks` = 5: must be between 1 and 4",
		];
		for ((from, to), expect) in errors.iter().zip(expect) {
			let base = if from.starts_with("preflight") { &text } else { GOOD };
			assert!(base.contains(from), "{from}");
			let e = parse(&base.replacen(from, to, 1)).unwrap_err().0;
			assert!(e.contains(expect), "{to}: {e}");
		}
		// The demo backend has its own (the witness search).
		let demo = GOOD.replace("prove_secs = 3", "prove_secs = 3\npreflight = [\"/bin/w\"]");
		assert!(parse(&demo)
			.unwrap_err()
			.0
			.contains("only the \"command\" backend takes a preflight"));
		// The example's commented keys parse as documented.
		let example = include_str!("../../prover.example.toml");
		let uncommented: String = example
			.lines()
			.map(|l| l.strip_prefix("# requester_").map(|r| format!("requester_{r}")))
			.map(|l| l.unwrap_or_default() + "\n")
			.collect();
		let head = GOOD.split("[[programs]]").next().unwrap();
		let c = parse(&format!("{head}{uncommented}{}", &GOOD[head.len()..])).unwrap();
		assert_eq!(c.requesters, Policy::default(), "the example shows the defaults");
	}

	#[test]
	fn clear_errors() {
		let cases: &[(&str, &str, &str)] = &[
			("url = \"ws://127.0.0.1:9944\"", "url = \"http://x\"", "must start with ws://"),
			("stake = \"100\"", "stake = \"-1\"", "`stake`: bad amount"),
			("stake = \"100\"", "stake = 1.5", "stake"),
			("max_jobs = 2", "max_jobs = 0", "`max_jobs` = 0: must be between 1 and 4"),
			("max_jobs = 2", "max_jobs = 5", "`max_jobs` = 5: must be between 1 and 4"),
			("max_jobs = 2", "max_jobs = -1", "max_jobs"),
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

	const SP1: &str = "\n[[kinds]]\nkind = \"sp1\"\nbackend = \"command\"\ncommand = [\"/bin/sp1-any\"]\nmin_price = \"0.5\"\nprove_secs = 40\n";

	#[test]
	fn kinds() {
		// None by default.
		assert!(parse(GOOD).unwrap().kinds.is_empty());
		let c = parse(&format!("{GOOD}{SP1}")).unwrap();
		assert_eq!(
			c.kinds,
			vec![KindEntry {
				kind: ServedKind::Sp1,
				backend: Backend::Command(vec!["/bin/sp1-any".into()]),
				preflight: None,
				min_price: ZK / 2,
				prove_secs: 40,
			}]
		);
		assert_eq!(c.kind(3).unwrap().kind, ServedKind::Sp1);
		assert!(c.kind(4).is_none());
		// A configured program keeps its own entry; another SP1 program gets the
		// kind's terms (never collateral); another kind gets nothing.
		assert_eq!(c.program_for(&[0x11; 32], Some(3)).unwrap().prove_secs, 60);
		let any = c.program_for(&[0x22; 32], Some(3)).unwrap();
		assert_eq!((any.id, any.prove_secs, any.max_collateral), ([0x22; 32], 40, 0));
		assert!(c.program_for(&[0x22; 32], Some(4)).is_none());
		assert!(c.program_for(&[0x22; 32], None).is_none());
		// Kinds alone are a configuration.
		let head = GOOD.split("[[programs]]").next().unwrap();
		let only = parse(&format!("{head}{SP1}")).unwrap();
		assert!(only.programs.is_empty() && only.kinds.len() == 1);
		assert_eq!(ServedKind::Risc0.index(), 4);
		assert_eq!(ServedKind::parse("risc0"), Ok(ServedKind::Risc0));
	}

	#[test]
	fn kind_errors() {
		let text = format!("{GOOD}{SP1}");
		let cases: &[(&str, &str, &str)] = &[
			(
				"kind = \"sp1\"",
				"kind = \"gnark\"",
				"`kinds[0].kind`: `gnark` programs are circuits",
			),
			("kind = \"sp1\"", "kind = \"snarkjs\"", "list them under [[programs]]"),
			("kind = \"sp1\"", "kind = \"cairo\"", "`kinds[0].kind`: unknown kind `cairo`"),
			(
				"backend = \"command\"\ncommand = [\"/bin/sp1-any\"]",
				"backend = \"demo\"",
				"`kinds[0].backend`: a whole kind needs a \"command\" backend",
			),
			("command = [\"/bin/sp1-any\"]", "command = []", "`kinds[0].command`"),
			("prove_secs = 40", "prove_secs = 0", "`kinds[0].prove_secs` must be at least 1"),
			("min_price = \"0.5\"", "min_price = \"x\"", "kinds[0].min_price"),
			// Offers are never locked for a whole kind: no collateral.
			(
				"prove_secs = 40",
				"prove_secs = 40\nmax_collateral = 1",
				"unknown field `max_collateral`",
			),
		];
		for (from, to, expect) in cases {
			assert!(text.contains(from), "{from}");
			// Replace in the [[kinds]] table (after the programs).
			let at = text.find("[[kinds]]").unwrap();
			let (head, tail) = text.split_at(at);
			let changed = format!("{head}{}", tail.replacen(from, to, 1));
			let e = parse(&changed).unwrap_err().0;
			assert!(e.contains(expect), "{to}: {e}");
		}
		let twice = format!("{text}{}", SP1);
		assert!(parse(&twice)
			.unwrap_err()
			.0
			.contains("`kinds[1].kind`: kind `sp1` is configured twice"));
		// The list form names what is expected.
		let e =
			parse(&format!("{}\nkinds = [\"sp1\"]\n", GOOD.split("[[programs]]").next().unwrap()))
				.unwrap_err()
				.0;
		assert!(e.contains("[[kinds]] table"), "{e}");
	}

	#[test]
	fn at_most_16_programs() {
		let head = GOOD.split("[[programs]]").next().unwrap();
		let program = |i: usize| {
			format!(
				"[[programs]]\nid = \"0x{:064x}\"\nbackend = \"command\"\ncommand = [\"/bin/p\"]\nmin_price = \"0\"\nmax_collateral = \"0\"\nprove_secs = 1\n",
				i + 1
			)
		};
		let text = |n: usize| format!("{head}{}", (0..n).map(program).collect::<String>());
		assert_eq!(parse(&text(MAX_PROGRAMS)).unwrap().programs.len(), MAX_PROGRAMS);
		let e = parse(&text(MAX_PROGRAMS + 1)).unwrap_err().0;
		assert!(e.contains("`programs`: 17 programs configured, at most 16"), "{e}");
	}
}
