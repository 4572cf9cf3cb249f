//! `prover.toml`: the agent's configuration (see `clients/zkmarket-prover/prover.example.toml`).
//!
//! Parsed with serde from TOML, then validated into [`Config`]; every problem
//! is reported with the field it concerns (the caller exits with code 2).

use super::{log::LogFormat, requesters::Policy};
use serde::Deserialize;
use std::{
	borrow::Cow,
	collections::BTreeSet,
	path::{Path, PathBuf},
};
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
	pub fn parse(name: &str) -> Result<Self, KindError> {
		match name {
			"sp1" => Ok(ServedKind::Sp1),
			"risc0" => Ok(ServedKind::Risc0),
			"arkworks" | "snarkjs" | "gnark" => Err(KindError::Circuit(name.to_string())),
			other => Err(KindError::Unknown(other.to_string())),
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
	/// How log lines are written (`log_format`; `None`: text, unless the
	/// command line or `ZKMARKET_LOG_FORMAT` says otherwise).
	pub log_format: Option<LogFormat>,
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

/// Why a `[[kinds]]` entry's `kind` cannot be served whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KindError {
	/// A circuit kind: each program has its own setup.
	#[error(
		"`{0}` programs are circuits, each set up on its own: list them under \
		 [[programs]] (only \"sp1\" and \"risc0\" can be served whole)"
	)]
	Circuit(String),
	/// Not a kind at all.
	#[error("unknown kind `{0}` (\"sp1\" or \"risc0\")")]
	Unknown(String),
}

/// Why a program id is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
	/// No `0x`.
	#[error("`{0}` is not 0x-prefixed hex")]
	Unprefixed(String),
	/// Not hex digits.
	#[error("`{0}` is not hex")]
	BadHex(String),
	/// Not 32 bytes.
	#[error("`{0}` is not 32 bytes")]
	WrongLength(String),
}

/// A configuration error (exit code 2). Every message names the key it
/// concerns (`programs[1].prove_secs`), never the secret key's value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	/// The file cannot be read.
	#[error("cannot read {}: {source}", path.display())]
	Read {
		/// The file.
		path: PathBuf,
		/// Why.
		source: std::io::Error,
	},
	/// An error in the file at `path`.
	#[error("{}: {source}", path.display())]
	InFile {
		/// The file.
		path: PathBuf,
		/// The error.
		source: Box<ConfigError>,
	},
	/// Not TOML, or not the expected keys and types: `at` is the line and key
	/// (`line 3: `suri` `), never the value.
	#[error("{at}{message}")]
	Syntax {
		/// `line N: `key` ` (may be empty).
		at: String,
		/// toml's message (without the offending line).
		message: String,
	},
	/// `url` is not a WebSocket URL.
	#[error("`url`: `{0}` must start with ws:// or wss://")]
	Url(String),
	/// `suri` is empty.
	#[error("`suri`: empty secret key spec")]
	EmptySuri,
	/// `suri` is no key (checked at start; the value is never echoed).
	#[error("`suri`: {0}")]
	Suri(#[source] zkmarket_client::Error),
	/// An amount that is not one.
	#[error("`{field}`: {source}")]
	Amount {
		/// The key.
		field: String,
		/// Why.
		source: zkmarket_client::Error,
	},
	/// `max_jobs` outside 1..=[`MAX_JOBS`].
	#[error(
		"`max_jobs` = {0}: must be between 1 and {MAX_JOBS} (the chain's MaxJobsPerProver; \
		 it is declared to the chain)"
	)]
	MaxJobs(u32),
	/// More than [`MAX_PROGRAMS`] programs.
	#[error(
		"`programs`: {0} programs configured, at most {MAX_PROGRAMS} can be declared to the \
		 chain (MaxCapabilityPrograms)"
	)]
	TooManyPrograms(usize),
	/// A program id that is not one.
	#[error("`{field}`: {source} (or \"demo\")")]
	ProgramId {
		/// The key.
		field: String,
		/// Why.
		source: IdError,
	},
	/// A program listed twice.
	#[error("`{field}`: program 0x{id} is configured twice")]
	DuplicateProgram {
		/// The key.
		field: String,
		/// The id (hex).
		id: String,
	},
	/// The demo backend for another program.
	#[error("`{field}`: the demo backend only proves the demo program (id \"demo\" = 0x{demo})")]
	DemoBackendForOther {
		/// The key.
		field: String,
		/// The demo program's id (hex).
		demo: String,
	},
	/// A count or duration that must be at least 1.
	#[error("`{0}` must be at least 1")]
	Zero(String),
	/// A `[[kinds]]` kind that cannot be served whole.
	#[error("`{field}`: {source}")]
	Kind {
		/// The key.
		field: String,
		/// Why.
		source: KindError,
	},
	/// A kind listed twice.
	#[error("`{field}`: kind `{kind}` is configured twice")]
	DuplicateKind {
		/// The key.
		field: String,
		/// The kind's name.
		kind: &'static str,
	},
	/// A whole kind with the demo backend.
	#[error(
		"`{0}`: a whole kind needs a \"command\" backend (the demo backend proves only the demo program)"
	)]
	KindNeedsCommand(String),
	/// `requester_failure_limit = 0`.
	#[error(
		"`requester_failure_limit` must be at least 1 (`requester_block_secs = 0` turns the \
		 requester record off)"
	)]
	RequesterFailureLimit,
	/// `requester_max_locks` outside 1..=[`MAX_JOBS`].
	#[error("`requester_max_locks` = {0}: must be between 1 and {MAX_JOBS}")]
	RequesterMaxLocks(u32),
	/// Nothing to prove.
	#[error(
		"no [[programs]] (or [[kinds]]): configure at least one program to prove (e.g. id = \"demo\", backend = \"demo\")"
	)]
	NoPrograms,
	/// `preflight_timeout_secs` without a `preflight`.
	#[error("`{timeout}` without `{preflight}`")]
	TimeoutWithoutPreflight {
		/// The timeout's key.
		timeout: String,
		/// The preflight's key.
		preflight: String,
	},
	/// A `preflight` for the demo backend.
	#[error(
		"`{0}`: only the \"command\" backend takes a preflight (the demo backend checks its \
		 witness itself)"
	)]
	DemoPreflight(String),
	/// An empty `preflight` argv.
	#[error("`{0}`: a non-empty argv list, e.g. [\"/usr/local/bin/my-witness\"]")]
	EmptyPreflight(String),
	/// A `command` for the demo backend.
	#[error("`{0}`: only the \"command\" backend takes a command")]
	DemoCommand(String),
	/// An empty `command` argv.
	#[error(
		"`{0}`: the \"command\" backend needs a non-empty argv list, e.g. [\"/usr/local/bin/my-prover\", \"--fast\"]"
	)]
	EmptyCommand(String),
	/// An unknown `backend`.
	#[error("`{field}`: unknown backend `{name}` (\"demo\" or \"command\")")]
	UnknownBackend {
		/// The key.
		field: String,
		/// The name given.
		name: String,
	},
	/// An unknown `log_format`.
	#[error("`log_format`: unknown format `{0}` (\"text\" or \"json\")")]
	LogFormat(String),
	/// `max_jobs` above the chain's `MaxJobsPerProver` (checked at start).
	#[error("`max_jobs` = {max_jobs} is above the chain's MaxJobsPerProver ({chain})")]
	MaxJobsAboveChain {
		/// Configured.
		max_jobs: u32,
		/// The chain's.
		chain: u32,
	},
	/// More programs than the chain's `MaxCapabilityPrograms` (checked at start).
	#[error(
		"`programs`: {count} programs configured, the chain takes at most {chain} (MaxCapabilityPrograms)"
	)]
	ProgramsAboveChain {
		/// Configured.
		count: usize,
		/// The chain's.
		chain: u32,
	},
	/// More kinds than the chain's `MaxCapabilityKinds` (checked at start).
	#[error(
		"`kinds`: {count} kinds configured, the chain takes at most {chain} (MaxCapabilityKinds)"
	)]
	KindsAboveChain {
		/// Configured.
		count: usize,
		/// The chain's.
		chain: u32,
	},
	/// The metrics endpoint cannot listen.
	#[error("`metrics_port`: cannot listen on {addr}: {reason}")]
	MetricsListen {
		/// `addr:port`.
		addr: String,
		/// Why.
		reason: String,
	},
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
	#[serde(default)]
	log_format: Option<String>,
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
		Amount::Text(s) => {
			parse_zk(s).map_err(|source| ConfigError::Amount { field: field.to_string(), source })
		}
	}
}

/// Reads and validates `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
	let text = std::fs::read_to_string(path)
		.map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
	parse(&text).map_err(|e| ConfigError::InFile { path: path.to_path_buf(), source: Box::new(e) })
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
		ConfigError::Syntax { at, message: e.message().to_string() }
	})?;
	let url = raw.url.trim().to_string();
	if !(url.starts_with("ws://") || url.starts_with("wss://")) {
		return Err(ConfigError::Url(url));
	}
	if raw.suri.trim().is_empty() {
		return Err(ConfigError::EmptySuri);
	}
	let stake = amount(&raw.stake, "stake")?;
	if raw.max_jobs == 0 || raw.max_jobs > MAX_JOBS {
		return Err(ConfigError::MaxJobs(raw.max_jobs));
	}
	if raw.programs.len() > MAX_PROGRAMS {
		return Err(ConfigError::TooManyPrograms(raw.programs.len()));
	}
	let mut programs = Vec::new();
	let mut seen = BTreeSet::new();
	for (i, p) in raw.programs.iter().enumerate() {
		let at = |f: &str| format!("programs[{i}].{f}");
		let id = if p.id.trim() == "demo" {
			zkmarket_demo_circuit::program_id()
		} else {
			parse_id(p.id.trim())
				.map_err(|source| ConfigError::ProgramId { field: at("id"), source })?
		};
		if !seen.insert(id) {
			return Err(ConfigError::DuplicateProgram { field: at("id"), id: hex::encode(id) });
		}
		let backend = parse_backend(&p.backend, &p.command, &at)?;
		let preflight = parse_preflight(&backend, &p.preflight, p.preflight_timeout_secs, &at)?;
		if backend == Backend::Demo && id != zkmarket_demo_circuit::program_id() {
			return Err(ConfigError::DemoBackendForOther {
				field: at("backend"),
				demo: hex::encode(zkmarket_demo_circuit::program_id()),
			});
		}
		if p.prove_secs == 0 {
			return Err(ConfigError::Zero(at("prove_secs")));
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
			.map_err(|source| ConfigError::Kind { field: at("kind"), source })?;
		if kinds.iter().any(|e| e.kind == kind) {
			return Err(ConfigError::DuplicateKind { field: at("kind"), kind: kind.name() });
		}
		let backend = parse_backend(&k.backend, &k.command, &at)?;
		let preflight = parse_preflight(&backend, &k.preflight, k.preflight_timeout_secs, &at)?;
		if backend == Backend::Demo {
			return Err(ConfigError::KindNeedsCommand(at("backend")));
		}
		if k.prove_secs == 0 {
			return Err(ConfigError::Zero(at("prove_secs")));
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
		return Err(ConfigError::RequesterFailureLimit);
	}
	let max_locks = raw.requester_max_locks.unwrap_or(DEFAULT_REQUESTER_MAX_LOCKS);
	if max_locks == 0 || max_locks > MAX_JOBS {
		return Err(ConfigError::RequesterMaxLocks(max_locks));
	}
	let requesters = Policy {
		failure_limit,
		block_secs: raw.requester_block_secs.unwrap_or(DEFAULT_REQUESTER_BLOCK_SECS),
		max_locks,
	};
	if programs.is_empty() && kinds.is_empty() {
		return Err(ConfigError::NoPrograms);
	}
	let log_format = match raw.log_format.as_deref().map(str::trim) {
		None => None,
		Some(f) => Some(LogFormat::parse(f).ok_or_else(|| ConfigError::LogFormat(f.to_string()))?),
	};
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
		log_format,
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
			return Err(ConfigError::TimeoutWithoutPreflight {
				timeout: at("preflight_timeout_secs"),
				preflight: at("preflight"),
			});
		}
		return Ok(None);
	};
	if *backend == Backend::Demo {
		return Err(ConfigError::DemoPreflight(at("preflight")));
	}
	if argv.is_empty() || argv[0].trim().is_empty() {
		return Err(ConfigError::EmptyPreflight(at("preflight")));
	}
	let timeout_secs = timeout.unwrap_or(DEFAULT_PREFLIGHT_TIMEOUT_SECS);
	if timeout_secs == 0 {
		return Err(ConfigError::Zero(at("preflight_timeout_secs")));
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
		("demo", Some(_)) => Err(ConfigError::DemoCommand(at("command"))),
		("command", Some(argv)) if !argv.is_empty() && !argv[0].trim().is_empty() => {
			Ok(Backend::Command(argv.clone()))
		}
		("command", _) => Err(ConfigError::EmptyCommand(at("command"))),
		(other, _) => {
			Err(ConfigError::UnknownBackend { field: at("backend"), name: other.to_string() })
		}
	}
}

/// A `0x` + 64 hex digits program id.
pub fn parse_id(s: &str) -> Result<[u8; 32], IdError> {
	let h = s.strip_prefix("0x").ok_or_else(|| IdError::Unprefixed(s.to_string()))?;
	let bytes = hex::decode(h).map_err(|_| IdError::BadHex(s.to_string()))?;
	bytes.try_into().map_err(|_| IdError::WrongLength(s.to_string()))
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
mod tests;
