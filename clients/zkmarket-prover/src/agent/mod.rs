//! `zkmarket-prover run --config prover.toml`: the prover agent.
//!
//! A long-running daemon that earns on its own (docs/prover-agent.md):
//!
//! - at start it registers (`provers.register(stake)`), tops its stake up to
//!   `stake` (`bond_extra`), resumes a paused prover and declares what it
//!   serves (`provers.set_capabilities`: its programs, whole kinds and
//!   `max_jobs`), again whenever the declaration on chain differs (checked
//!   every few blocks and at runtime upgrades; never sent when it matches);
//! - at every new best block it rebuilds its view **from chain state** (no
//!   local database; the best-block stream may skip numbers, so it never
//!   relies on seeing every event): its auction assignments, its locked
//!   offers, open offers, open bounties, and requests with its proof pending;
//! - it proves its assignments before their deadlines (declining those it
//!   cannot do while that is free, in the first `FreeDeclinePeriod` blocks
//!   of the assignment), locks offers that are worth it, goes
//!   for bounties of forfeited locks, checks every proof against the
//!   program's verifying key before submitting it, and submits it once;
//! - at every finalized block it reads the verdicts and slashes of its proofs
//!   (earnings, metrics);
//! - one log line per decision, with its reason (`tracing`, log.rs);
//!   Prometheus metrics (metrics.rs); a clean shutdown when the caller's
//!   shutdown signal fires (`main` sends it on SIGINT/SIGTERM), optionally
//!   pausing the prover.
//!
//! Requests it cannot prove: the demo backend's witness search, or a
//! `command` backend's `preflight` command, runs before an offer is locked, a
//! bounty taken or an assignment proven; requesters whose requests fail it,
//! or whose locked offers cannot be proven, are skipped for a while, and at
//! most `requester_max_locks` offers of one requester are locked at once
//! (requesters.rs).
//!
//! Never twice: one task per request at a time (in memory), the request is
//! re-read at the best block right before each submission, a proof whose
//! transaction outcome is unknown (lost connection) is re-submitted with the
//! **same nonce** (the chain includes at most one of the two), and after a
//! restart proofs wait until the account's transactions still in the node's
//! pool are resolved.

//! Layout: [`book`] (the bookkeeping behind its one lock), [`plan`] (the
//! I/O-free planning step of one best block, unit-tested), [`best`]
//! (following best blocks: read, plan, carry out), [`job`] (proving and
//! submitting one job), [`finalized`] (verdicts in finalized blocks),
//! [`start`] (registering, the start-up barrier, the declaration),
//! [`screen`] (background preflights); the pure rules in [`decide`],
//! [`declare`] and [`requesters`]; the chain in [`chain`].

pub mod backend;
mod best;
mod book;
pub mod chain;
pub mod config;
pub mod decide;
pub mod declare;
mod error;
mod finalized;
mod job;
pub mod log;
pub mod metrics;
mod plan;
pub mod requesters;
mod screen;
mod start;

use book::{Book, Kind, Phase};
use chain::{Chain, Consts};
use config::{Backend, Config, ConfigError};
use decide::DeclineWindow;
use declare::Declaration;
use metrics::Metrics;
use requesters::Requesters;
use std::{
	sync::{
		atomic::{AtomicBool, AtomicU32, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};
use tokio::sync::watch;
use tracing::{error, info, warn};
use zkmarket_client::{amount::format_zk, AccountId, Error};

/// Attempts at proving one job (backend failures) before giving up.
const MAX_PROVE_ATTEMPTS: u32 = 3;
/// Attempts at getting one proof transaction into the pool.
const MAX_SUBMIT_ATTEMPTS: u32 = 3;
/// Blocks a failed lock or bounty is left alone before it is evaluated again.
const RETRY_AFTER_BLOCKS: u64 = 5;
/// Blocks proofs wait at start-up for the account's transactions still in the pool.
const STARTUP_BARRIER_BLOCKS: u64 = 20;
/// Blocks new jobs wait at start-up for those transactions (then they are
/// proven; only their submission still waits).
const STARTUP_DEFER_BLOCKS: u64 = 3;
/// Finalized blocks read back after a gap (reconnection) at most.
const MAX_FINALIZED_CATCH_UP: u64 = 200;
/// Scans whose lowest open request id bounds the next scan (reorg depth covered).
const LOW_MARKS: usize = 16;
/// Seconds the agent waits for running jobs at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Blocks between two reads of the declaration on chain (also read at every
/// runtime upgrade and after registering).
const DECLARE_CHECK_BLOCKS: u64 = 10;
/// Blocks before a failed declaration is tried again.
const DECLARE_RETRY_BLOCKS: u64 = 20;

/// The running agent: its configuration, the chain, the bookkeeping.
struct Agent {
	cfg: Config,
	/// What the configuration declares to the chain.
	want: Declaration,
	/// When declining an assignment is free (runtime constants).
	window: DeclineWindow,
	chain: Chain,
	consts: Consts,
	metrics: Metrics,
	/// The jobs and everything the agent remembers (its one lock).
	book: Book,
	proving: tokio::sync::Semaphore,
	stopping: AtomicBool,
	spec_version: AtomicU32,
	/// Set when the node's runtime no longer matches the client (exit code 6).
	fatal: Mutex<Option<Error>>,
}

/// Runs the agent with a loaded configuration until `shutdown` turns true
/// (or a fatal error); returns the exit code (docs/prover-agent.md).
pub async fn run(cfg: Config, shutdown: watch::Receiver<bool>) -> i32 {
	let signer = match zkmarket_client::keys::signer(&cfg.suri) {
		Ok(k) => k,
		Err(e) => {
			error!("config: {}", ConfigError::Suri(e));
			return 2;
		}
	};
	let me = zkmarket_client::keys::account(&signer);
	info!(
		"zkmarket-prover agent {}: account {}, node {}",
		env!("CARGO_PKG_VERSION"),
		zkmarket_client::keys::ss58(&me),
		cfg.url
	);
	for p in &cfg.programs {
		info!("{}", config::describe(p));
		if cfg.lock_offers && p.max_collateral > 0 && p.preflight.is_none() {
			if let Backend::Command(_) = p.backend {
				warn!(
					"program {}: a command backend without `preflight`: offers are locked without \
					 checking that they can be proven (an offer it cannot prove costs up to \
					 max_collateral; configure a preflight, docs/prover-agent.md)",
					p.id_hex()
				);
			}
		}
	}
	for k in &cfg.kinds {
		info!("{}", config::describe_kind(k));
	}
	let metrics = Metrics::new();
	if cfg.metrics_port != 0 {
		let addr = format!("{}:{}", cfg.metrics_addr, cfg.metrics_port);
		if let Err(reason) = serve_metrics(&metrics, &addr).await {
			error!("config: {}", ConfigError::MetricsListen { addr, reason });
			return 2;
		}
		info!("metrics on http://{addr}/metrics");
	}
	// The demo proving key takes a moment: compute it before the first job.
	let backends: Vec<&Backend> = cfg.programs.iter().map(|p| &p.backend).collect();
	backend::warm_up(&backends);

	// Until it follows blocks, a shutdown stops it where it is.
	let mut stop = shutdown.clone();
	let agent = tokio::select! {
		started = start(cfg, signer, metrics) => match started {
			Ok(agent) => agent,
			Err(code) => return code,
		},
		_ = stop.wait_for(|s| *s) => {
			info!("stopped during start-up");
			return 0;
		}
	};
	let finalized = tokio::spawn(agent.clone().follow_finalized());
	let stopped = agent.clone().follow_best(shutdown.clone());
	tokio::select! {
		_ = stopped => {},
		_ = stop.wait_for(|s| *s) => {},
	}
	finalized.abort();
	let fatal = agent.fatal.lock().unwrap_or_else(|e| e.into_inner()).take();
	if let Some(e) = fatal {
		error!("{e}");
		agent.book.abort_all();
		// Let the aborted jobs drop (their backends' process groups are killed).
		tokio::time::sleep(Duration::from_millis(200)).await;
		return error::exit_code(&e);
	}
	agent.shutdown().await;
	0
}

/// Serves `metrics` on `addr` (`host:port`, resolved).
async fn serve_metrics(metrics: &Metrics, addr: &str) -> Result<(), String> {
	let resolved = tokio::net::lookup_host(addr)
		.await
		.map_err(|e| e.to_string())?
		.next()
		.ok_or_else(|| "no address".to_string())?;
	metrics.serve(resolved).await.map_err(|e| match e {
		// Its own message names no reason.
		substrate_prometheus_endpoint::Error::PortInUse(_) => "address in use".to_string(),
		e => e.to_string(),
	})
}

/// Connects, reads the chain's constants, checks the configuration against
/// them, registers / tops up / resumes and declares: the agent, ready to
/// follow blocks, or the exit code.
async fn start(
	cfg: Config,
	signer: zkmarket_client::subxt_signer::sr25519::Keypair,
	metrics: Metrics,
) -> Result<Arc<Agent>, i32> {
	let conn = zkmarket_client::connect_reconnecting(&cfg.url).await.map_err(|e| {
		error!("{e}");
		error::exit_code(&e)
	})?;
	let chain = Chain::new(conn, signer);
	let best = chain.conn.best().await.map_err(|e| {
		error!("reading the best block: {e}");
		error::exit_code(&e)
	})?;
	let consts = chain::consts_at(&best).await.map_err(|e| {
		error!("reading chain constants: {e}");
		error::exit_code(&e)
	})?;
	info!(
		"chain: best block #{}, block time {} ms, {} job slots per prover, minimum stake {}, \
		 assignments due in {} blocks (declining free for {})",
		best.block_number(),
		consts.block_millis,
		consts.max_jobs,
		format_zk(consts.min_stake),
		consts.proof_deadline,
		consts.free_decline_period
	);
	// What the configuration declares must fit the chain's bounds (the file
	// is checked against the runtime's values; a runtime may change them).
	if let Err(e) = start::fits_chain(&cfg, &consts) {
		error!("config: {e}");
		return Err(2);
	}
	let want = Declaration::from_config(&cfg);
	let window = DeclineWindow {
		proof_deadline: consts.proof_deadline,
		free_period: consts.free_decline_period,
	};
	let agent = Arc::new(Agent {
		proving: tokio::sync::Semaphore::new(cfg.max_jobs as usize),
		book: Book::new(Requesters::new(cfg.requesters)),
		want,
		window,
		cfg,
		chain,
		consts,
		metrics,
		stopping: AtomicBool::new(false),
		spec_version: AtomicU32::new(best.spec_version()),
		fatal: Mutex::new(None),
	});
	if let Err(e) = agent.setup().await {
		error!("{e}");
		return Err(error::exit_code(&e));
	}
	Ok(agent)
}

impl Agent {
	fn me(&self) -> &AccountId {
		&self.chain.me
	}

	fn stopping(&self) -> bool {
		self.stopping.load(Ordering::SeqCst)
	}

	fn block_time(&self) -> Duration {
		Duration::from_millis(self.consts.block_millis.max(1000))
	}

	/// Moves job `id` to `phase` (and the in-flight metric with it).
	fn set_phase(&self, id: zkmarket_client::market::RequestId, phase: Phase) {
		self.metrics.in_flight(self.book.set_phase(id, phase));
	}

	/// The node's runtime no longer matches the client: stop (exit code 6).
	fn set_fatal(&self, e: Error) {
		*self.fatal.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
	}

	fn has_fatal(&self) -> bool {
		self.fatal.lock().unwrap_or_else(|e| e.into_inner()).is_some()
	}

	/// SIGINT/SIGTERM: no new jobs, optionally pause, wait a little for running jobs.
	pub(super) async fn shutdown(&self) {
		self.stopping.store(true, Ordering::SeqCst);
		info!("shutting down: taking no new jobs");
		if self.cfg.pause_on_exit {
			match self.chain.submit(&chain::pause_call(), self.block_time() * 10).await {
				Ok(l) => info!("paused the prover in block #{}", l.block),
				Err(e) if e.is_dispatch("Provers", "AlreadyPaused") => {
					info!("the prover is already paused")
				}
				Err(e) => warn!("pause failed: {e}"),
			}
		}
		let start = Instant::now();
		loop {
			let running = self.book.busy_count();
			if running == 0 {
				break;
			}
			if start.elapsed() >= SHUTDOWN_GRACE {
				for (id, kind) in self.book.busy_jobs() {
					match kind {
						Kind::Assignment { deadline } => warn!(
							"assignment #{id} left unfinished (deadline #{deadline}): it resumes when the agent restarts"
						),
						Kind::Lock => {
							warn!("lock #{id} left unfinished: it resumes when the agent restarts")
						}
						Kind::Bounty => info!("bounty #{id} abandoned"),
					}
				}
				self.book.abort_all();
				// Let the aborted jobs drop (their backends' process groups are killed).
				tokio::time::sleep(Duration::from_millis(200)).await;
				break;
			}
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
		let (submitted, verified, rejected, earned) = self.metrics.summary();
		info!(
			"stopped: {submitted} proof(s) submitted, {verified} verified, {rejected} rejected, earned {} in this run",
			format_zk(earned)
		);
	}
}
