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
//! - one log line per decision, with its reason; Prometheus metrics;
//!   clean shutdown on SIGINT/SIGTERM (optionally pausing the prover).
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

pub mod backend;
pub mod chain;
pub mod config;
pub mod decide;
pub mod declare;
pub mod log;
pub mod metrics;
pub mod requesters;
mod screen;

use crate::{debug, error, info, warn};
use backend::{BackendError, Job};
use chain::{Chain, Consts};
use config::{Backend, Config};
use decide::{
	AfterFailure, AssignmentPlan, Capacity, DecisionLog, DeclinePlan, DeclineWindow, OfferTerms,
	Standing,
};
use declare::Declaration;
use metrics::Metrics;
use requesters::{PreflightState, Requesters, Screened};
use std::{
	collections::HashMap,
	path::Path,
	sync::{
		atomic::{AtomicBool, AtomicU32, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};
use zkmarket_client::{
	amount::format_zk,
	groth16,
	market::{self, Fulfilment, Pricing, RequestId, RequestState, RequestView},
	zk, AccountId, AtBlock, Error, Hash,
};

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

/// What a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
	/// An auction assignment, due by block `deadline`.
	Assignment { deadline: u32 },
	/// An offer this agent locks (or has locked).
	Lock,
	/// A bounty of a forfeited lock.
	Bounty,
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
	Locking,
	Proving,
	Submitting,
	/// The proof transaction is in best block `block`.
	Landed {
		block: u64,
	},
	/// The proof transaction with `nonce` was sent; its outcome is unknown.
	Unknown {
		nonce: u64,
	},
	/// Nothing more to do (declined, refused, gave up).
	Done,
}

#[derive(Debug)]
struct Entry {
	kind: Kind,
	phase: Phase,
	running: bool,
	handle: Option<tokio::task::AbortHandle>,
	/// The last proof sent for it (re-sent as is when its transaction's outcome is unknown).
	proof: Option<Vec<u8>>,
	/// The request's requester (its failures are held against it).
	requester: Option<[u8; 32]>,
}

impl Entry {
	fn busy(&self) -> bool {
		self.running && matches!(self.phase, Phase::Locking | Phase::Proving | Phase::Submitting)
	}
}

/// Proofs wait until the account's nonce in the best state reaches `target`
/// (transactions of an earlier run still in the pool), or until block `until`.
#[derive(Clone, Copy, Debug)]
struct Barrier {
	target: u64,
	until: u64,
	/// New jobs wait until this block too (one of the pending transactions
	/// may be the proof of a request we would otherwise prove again).
	defer_until: u64,
}

#[derive(Default)]
struct State {
	jobs: HashMap<RequestId, Entry>,
	/// Requests left alone until a block (failed locks, unprovable bounties).
	avoid: HashMap<RequestId, u64>,
	decisions: DecisionLog,
	best: u64,
	barrier: Option<Barrier>,
	/// Registered programs (kind, key) by id, fetched once: an id names one
	/// (kind, key) for ever.
	programs: HashMap<[u8; 32], market::ProgramInfo>,
	/// Whether the prover was eligible at the last block (to log changes).
	eligible: Option<bool>,
	/// Requests with a proof of ours awaiting a verdict, already logged.
	awaiting_logged: std::collections::HashSet<RequestId>,
	/// Requests the backend found unprovable (no witness): declined at once
	/// when the auction assigns them again.
	unprovable: HashMap<RequestId, String>,
	/// First block at which a missing prover record is registered again.
	register_after: u64,
	/// Lowest request id open at each of the last scans (ids below are closed for good).
	low_marks: std::collections::VecDeque<RequestId>,
	/// The declaration on chain at the last check (`None`: none, or not read yet).
	declared: Option<Declaration>,
	/// A `set_capabilities` transaction is on its way.
	declaring: bool,
	/// First block at which the declaration on chain is checked again.
	declare_after: u64,
	/// The chain's time at the last best block (UNIX seconds).
	now: u64,
	/// Requesters whose requests failed, and who is blocked.
	requesters: Requesters,
	/// Results of `command` backends' preflights, per request (its inputs
	/// never change).
	preflights: HashMap<RequestId, PreflightState>,
}

struct Agent {
	cfg: Config,
	/// What the configuration declares to the chain.
	want: Declaration,
	/// When declining an assignment is free (runtime constants).
	window: DeclineWindow,
	chain: Chain,
	consts: Consts,
	metrics: Metrics,
	state: Mutex<State>,
	proving: tokio::sync::Semaphore,
	stopping: AtomicBool,
	spec_version: AtomicU32,
	/// Set when the node's runtime no longer matches the client (exit code 6).
	fatal: Mutex<Option<Error>>,
}

/// Runs the agent with the configuration at `path`; returns the exit code.
pub async fn run(path: &Path) -> i32 {
	let cfg = match config::load(path) {
		Ok(c) => c,
		Err(e) => {
			error!("config: {e}");
			return 2;
		}
	};
	let signer = match zkmarket_client::keys::signer(&cfg.suri) {
		Ok(k) => k,
		Err(e) => {
			error!("config: `suri`: {e}");
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
	let metrics = Metrics::default();
	if cfg.metrics_port != 0 {
		let addr = format!("{}:{}", cfg.metrics_addr, cfg.metrics_port);
		match tokio::net::TcpListener::bind(&addr).await {
			Ok(l) => {
				info!("metrics on http://{addr}/metrics");
				tokio::spawn(metrics::serve(l, metrics.clone()));
			}
			Err(e) => {
				error!("config: `metrics_port`: cannot listen on {addr}: {e}");
				return 2;
			}
		}
	}
	// The demo proving key takes a moment: compute it before the first job.
	let backends: Vec<&Backend> = cfg.programs.iter().map(|p| &p.backend).collect();
	backend::warm_up(&backends);

	let conn = match zkmarket_client::connect_reconnecting(&cfg.url).await {
		Ok(c) => c,
		Err(e) => {
			error!("{e}");
			return e.exit_code();
		}
	};
	let chain = Chain::new(conn, signer);
	let best = match chain.conn.best().await {
		Ok(b) => b,
		Err(e) => {
			error!("reading the best block: {e}");
			return e.exit_code();
		}
	};
	let consts = match chain::consts_at(&best).await {
		Ok(c) => c,
		Err(e) => {
			error!("reading chain constants: {e}");
			return e.exit_code();
		}
	};
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
	if let Err(e) = fits_chain(&cfg, &consts) {
		error!("config: {e}");
		return 2;
	}
	let want = Declaration::from_config(&cfg);
	let window = DeclineWindow {
		proof_deadline: consts.proof_deadline,
		free_period: consts.free_decline_period,
	};
	let requesters = Requesters::new(cfg.requesters);
	let agent = Arc::new(Agent {
		proving: tokio::sync::Semaphore::new(cfg.max_jobs as usize),
		want,
		window,
		cfg,
		chain,
		consts,
		metrics,
		state: Mutex::new(State { requesters, ..State::default() }),
		stopping: AtomicBool::new(false),
		spec_version: AtomicU32::new(best.spec_version()),
		fatal: Mutex::new(None),
	});
	if let Err(e) = agent.setup().await {
		error!("{e}");
		return e.exit_code();
	}

	let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
	tokio::spawn(async move {
		wait_for_signal().await;
		let _ = stop_tx.send(true);
		// A second signal: exit at once.
		wait_for_signal().await;
		error!("second signal: exiting now");
		std::process::exit(130);
	});
	let finalized = tokio::spawn(agent.clone().follow_finalized());
	let stopped = agent.clone().follow_best(stop_rx.clone());
	tokio::select! {
		_ = stopped => {},
		_ = stop_rx.changed() => {},
	}
	finalized.abort();
	let fatal = agent.fatal.lock().unwrap().take();
	if let Some(e) = fatal {
		error!("{e}");
		agent.abort_jobs();
		// Let the aborted jobs drop (their backends' process groups are killed).
		tokio::time::sleep(Duration::from_millis(200)).await;
		return e.exit_code();
	}
	agent.shutdown().await;
	0
}

/// SIGINT or SIGTERM.
async fn wait_for_signal() {
	#[cfg(unix)]
	{
		use tokio::signal::unix::{signal, SignalKind};
		let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
		let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
		tokio::select! {
			_ = term.recv() => info!("SIGTERM received"),
			_ = int.recv() => info!("SIGINT received"),
		}
	}
	#[cfg(not(unix))]
	{
		let _ = tokio::signal::ctrl_c().await;
		info!("interrupt received");
	}
}

/// Whether the configuration's declaration fits the chain's bounds.
fn fits_chain(cfg: &Config, consts: &Consts) -> Result<(), String> {
	if cfg.max_jobs > consts.max_jobs {
		return Err(format!(
			"`max_jobs` = {} is above the chain's MaxJobsPerProver ({})",
			cfg.max_jobs, consts.max_jobs
		));
	}
	if cfg.programs.len() > consts.max_capability_programs as usize {
		return Err(format!(
			"`programs`: {} programs configured, the chain takes at most {} (MaxCapabilityPrograms)",
			cfg.programs.len(),
			consts.max_capability_programs
		));
	}
	if cfg.kinds.len() > consts.max_capability_kinds as usize {
		return Err(format!(
			"`kinds`: {} kinds configured, the chain takes at most {} (MaxCapabilityKinds)",
			cfg.kinds.len(),
			consts.max_capability_kinds
		));
	}
	Ok(())
}

/// The request's offer terms, if it is an offer.
fn offer_terms(r: &RequestView) -> Option<OfferTerms> {
	match &r.pricing {
		Pricing::Offer(o) => Some(*o),
		Pricing::Auction { .. } => None,
	}
}

/// Whether `state` asks `me` for a proof now (given the job's kind).
fn ours_to_prove(kind: Kind, state: &RequestState, me: &AccountId) -> bool {
	match (kind, state) {
		(Kind::Assignment { deadline }, RequestState::Assigned { prover, deadline: d, .. }) => {
			prover == me && *d == deadline
		}
		(Kind::Lock, RequestState::Locked { prover, .. }) => prover == me,
		(Kind::Bounty, RequestState::BountyOpen { .. }) => true,
		_ => false,
	}
}

impl Agent {
	fn me(&self) -> &AccountId {
		&self.chain.me
	}

	fn stopping(&self) -> bool {
		self.stopping.load(Ordering::SeqCst)
	}

	/// Block time in whole seconds (rounded up).
	fn block_secs(&self) -> u64 {
		self.consts.block_millis.div_ceil(1000)
	}

	fn block_time(&self) -> Duration {
		Duration::from_millis(self.consts.block_millis.max(1000))
	}

	/// Registers, tops up and resumes as configured; sets the start-up barrier.
	async fn setup(&self) -> Result<(), Error> {
		let limit = self.block_time() * 20;
		let at = self.chain.conn.best().await?;
		let info = market::prover_info_at(&at, self.me()).await?;
		let stake = self.cfg.stake;
		match info {
			None if stake == 0 => return Err(Error::bad_input(
				"the account is not a registered prover and `stake` is 0: set `stake` to register",
			)),
			None => self.register(&at).await?,
			Some(p) => {
				info!(
					"registered prover: stake {}, collateral {}, reputation {}, {} active jobs{}{}",
					format_zk(p.effective_stake),
					format_zk(p.collateral),
					reputation(p.reputation),
					p.active_jobs,
					if p.paused { ", paused" } else { "" },
					if p.eligible { "" } else { ", not eligible for new work" }
				);
				// Collateral pledged for locks is part of what was bonded.
				let bonded = p.effective_stake.saturating_add(p.collateral);
				if bonded < stake {
					let extra = stake - bonded;
					info!(
						"topping the stake up to {} (bond_extra {})",
						format_zk(stake),
						format_zk(extra)
					);
					match self.chain.submit(&chain::bond_extra_call(extra), limit).await {
						Ok(l) => info!("bonded {} in block #{}", format_zk(extra), l.block),
						// Not fatal: the prover may still work with what it has.
						Err(e) => warn!("bond_extra failed: {e}"),
					}
				}
				if p.paused {
					info!("resuming the paused prover");
					let l = self.chain.submit(&chain::resume_call(), limit).await?;
					info!("resumed in block #{}", l.block);
				}
			}
		}
		// Transactions of an earlier run still in the pool: wait for them before
		// submitting proofs (one of them may be a proof of a request we would redo).
		let at = self.chain.conn.best().await?;
		{
			let mut st = self.state.lock().unwrap();
			st.best = at.block_number();
			st.register_after = at.block_number() + RETRY_AFTER_BLOCKS;
		}
		let state_nonce = self.chain.state_nonce(&at).await?;
		let next = self.chain.next_nonce().await?;
		if next > state_nonce {
			warn!(
				"{} transaction(s) of this account are in the node's pool: proofs wait until they are in a block (at most {STARTUP_BARRIER_BLOCKS} blocks)",
				next - state_nonce
			);
			self.state.lock().unwrap().barrier = Some(Barrier {
				target: next,
				until: at.block_number() + STARTUP_BARRIER_BLOCKS,
				defer_until: at.block_number() + STARTUP_DEFER_BLOCKS,
			});
			// One of them may be a declaration of an earlier run: checked once
			// they are resolved (the first blocks' ticks), not sent twice.
			info!("capabilities are checked once those transactions are resolved");
			return Ok(());
		}
		// Declare what the configuration serves (a prover that never declared
		// is dealt no auction work), unless the chain already holds exactly that.
		let have = market::capabilities_at(&at, self.me()).await?.map(declaration_of);
		let number = at.block_number();
		match declare::diff(&self.want, have.as_ref()) {
			None => {
				info!("capabilities on chain match the configuration: {}", self.want);
				let mut st = self.state.lock().unwrap();
				st.declared = have;
				st.declare_after = number + DECLARE_CHECK_BLOCKS;
			}
			Some(change) => {
				info!("declaring capabilities ({change}): {}", self.want);
				let l = self.chain.submit(&chain::set_capabilities_call(&self.want), limit).await?;
				info!("capabilities declared in block #{}", l.block);
				let mut st = self.state.lock().unwrap();
				st.declared = Some(self.want.clone());
				st.declare_after = l.block + DECLARE_CHECK_BLOCKS;
			}
		}
		Ok(())
	}

	/// Checks the declaration on chain at `at` (every [`DECLARE_CHECK_BLOCKS`]
	/// blocks, at a runtime upgrade, after registering) and sends
	/// `provers.set_capabilities` in the background when it differs from the
	/// configuration: never when it matches, and never a second one while one
	/// is on its way.
	async fn check_declaration(self: &Arc<Self>, at: &AtBlock, force: bool) -> Result<(), Error> {
		let number = at.block_number();
		{
			let st = self.state.lock().unwrap();
			if st.declaring
				|| st.barrier.is_some()
				|| self.stopping()
				|| (!force && number < st.declare_after)
			{
				return Ok(());
			}
		}
		let have = market::capabilities_at(at, self.me()).await?.map(declaration_of);
		let Some(change) = declare::diff(&self.want, have.as_ref()) else {
			let mut st = self.state.lock().unwrap();
			st.declared = have;
			st.declare_after = number + DECLARE_CHECK_BLOCKS;
			return Ok(());
		};
		{
			let mut st = self.state.lock().unwrap();
			if st.declaring {
				return Ok(());
			}
			st.declaring = true;
			st.declared = have;
		}
		info!("declaring capabilities ({change}): {}", self.want);
		let agent = self.clone();
		tokio::spawn(async move {
			let limit = agent.block_time() * 20;
			let sent = agent.chain.submit(&chain::set_capabilities_call(&agent.want), limit).await;
			let mut st = agent.state.lock().unwrap();
			st.declaring = false;
			match sent {
				Ok(l) => {
					info!("capabilities declared in block #{}", l.block);
					st.declared = Some(agent.want.clone());
					// Read back at the next check (a reorg may drop it).
					st.declare_after = l.block + DECLARE_CHECK_BLOCKS;
				}
				Err(e) => {
					warn!(
						"declaring capabilities failed: {e}; trying again in {DECLARE_RETRY_BLOCKS} blocks"
					);
					st.declare_after = st.best + DECLARE_RETRY_BLOCKS;
				}
			}
		});
		Ok(())
	}

	/// Jobs the chain lets this prover hold at once: its declared `max_jobs`
	/// (`MaxJobsPerProver` while it declared nothing).
	fn chain_max_jobs(&self, st: &State) -> u32 {
		st.declared.as_ref().map_or(self.consts.max_jobs, |d| d.max_jobs.min(self.consts.max_jobs))
	}

	/// `provers.register(stake)` after checking the configured stake and the free balance.
	async fn register(&self, at: &AtBlock) -> Result<(), Error> {
		let stake = self.cfg.stake;
		if stake < self.consts.min_stake {
			return Err(Error::bad_input(format!(
				"`stake` {} is below the chain's minimum {}",
				format_zk(stake),
				format_zk(self.consts.min_stake)
			)));
		}
		let free = market::free_balance_at(at, self.me()).await?;
		if free < stake {
			return Err(Error::bad_input(format!(
				"registering needs {} of free balance, the account has {}",
				format_zk(stake),
				format_zk(free)
			)));
		}
		info!("registering as a prover with a stake of {}", format_zk(stake));
		let l = self.chain.submit(&chain::register_call(stake), self.block_time() * 20).await?;
		info!("registered in block #{}", l.block);
		// A new record has no declaration: check it at the next block.
		let mut st = self.state.lock().unwrap();
		st.declared = None;
		st.declare_after = 0;
		Ok(())
	}

	/// Follows best blocks until stopped (or a fatal error).
	async fn follow_best(self: Arc<Self>, stop: tokio::sync::watch::Receiver<bool>) {
		let mut delay = Duration::from_millis(500);
		loop {
			if *stop.borrow() {
				return;
			}
			let mut blocks = match self.chain.conn.api.stream_best_blocks().await {
				Ok(b) => b,
				Err(e) => {
					warn!("subscribing to best blocks: {e}; retrying in {} ms", delay.as_millis());
					self.metrics.reconnect();
					tokio::time::sleep(delay).await;
					delay = (delay * 2).min(Duration::from_secs(10));
					continue;
				}
			};
			delay = Duration::from_millis(500);
			// No best block for this long: say so (the transport reconnects by itself).
			let quiet = self.block_time() * 5;
			let mut silent_since: Option<Instant> = None;
			loop {
				let item = match tokio::time::timeout(quiet, blocks.next()).await {
					Err(_) => {
						if silent_since.is_none() {
							warn!(
								"no new best block for {} s: node down or stalled? (reconnecting by itself)",
								quiet.as_secs()
							);
							self.metrics.reconnect();
							silent_since = Some(Instant::now() - quiet);
						}
						continue;
					}
					Ok(None) => break,
					Ok(Some(item)) => item,
				};
				if *stop.borrow() {
					return;
				}
				let mut latest = item;
				// Blocks that queued up while the last one was processed: take the newest.
				while let Some(Some(next)) = futures::FutureExt::now_or_never(blocks.next()) {
					latest = next;
				}
				match latest {
					Err(e) => {
						warn!("best-block stream: {e}; re-reading state at the next block");
						self.metrics.reconnect();
					}
					Ok(b) => {
						let (number, hash) = (b.number(), b.hash());
						if let Some(since) = silent_since.take() {
							info!(
								"best blocks again at #{number} after {} s; re-reading the chain",
								since.elapsed().as_secs()
							);
						}
						let last = self.state.lock().unwrap().best;
						if number < last {
							// An older block reported late (a replay after re-subscribing):
							// skip it, unless the chain itself went back (a node restarted
							// on a fresh chain, a reorg to a shorter fork).
							let node_best =
								match self.chain.conn.legacy().chain_get_header(None).await {
									Ok(Some(h)) => h.number,
									_ => last,
								};
							if node_best >= last {
								debug!("skipping best block #{number}: already at #{last}");
								continue;
							}
							warn!("the node's best block went back from #{last} to #{node_best}; following it");
							{
								let mut st = self.state.lock().unwrap();
								st.best = number;
								st.register_after = 0;
								st.avoid.clear();
								st.low_marks.clear();
								// Another chain: its declaration is read afresh.
								st.declared = None;
								st.declare_after = 0;
							}
							self.chain.forget_nonces();
						}
						if let Err(e) = self.tick(number, hash).await {
							warn!("block #{number}: {e}");
						}
						if self.fatal.lock().unwrap().is_some() {
							return;
						}
					}
				}
			}
			warn!("best-block stream ended; subscribing again");
			self.metrics.reconnect();
			tokio::time::sleep(delay).await;
		}
	}

	/// One best block: read the chain, decide, start jobs.
	async fn tick(self: &Arc<Self>, number: u64, hash: Hash) -> Result<(), Error> {
		let at = self.chain.conn.at(hash).await?;
		// A runtime upgrade: the generated code must still match.
		let spec = at.spec_version();
		let upgraded = spec != self.spec_version.swap(spec, Ordering::SeqCst);
		if upgraded {
			info!("runtime upgraded to spec version {spec} at block #{number}");
			if let Err(e) = zkmarket_client::check_metadata_at(&at) {
				*self.fatal.lock().unwrap() = Some(e);
				return Ok(());
			}
		}
		let info = market::prover_info_at(&at, self.me()).await?;
		// The declaration: a migration may have dropped it, or the file changed
		// since it was sent (it is read every few blocks, sent only if it differs).
		if info.is_some() {
			if let Err(e) = self.check_declaration(&at, upgraded).await {
				warn!("checking the declared capabilities: {e}");
			}
		}
		let now = market::now_secs_at(&at).await?;
		let start = self.state.lock().unwrap().low_marks.iter().copied().min().unwrap_or(0);
		let (requests, low, truncated) = chain::open_requests_from(&at, start).await?;
		if truncated {
			warn!(
				"more than {} request ids above the oldest open one (#{low}): newer requests are not seen this block",
				chain::MAX_CALLS as u64 * chain::SCAN_WINDOW
			);
		}
		// The kind of every configured program seen (whether its proofs carry
		// the binding decides which requests may be taken), and of every
		// program when whole kinds are served (the kind decides whether we serve it).
		for r in &requests {
			let wanted = self.cfg.program(&r.program).is_some() || !self.cfg.kinds.is_empty();
			if wanted && !self.state.lock().unwrap().programs.contains_key(&r.program) {
				let _ = self.program(&at, r.program).await;
			}
		}
		let state_nonce = self.chain.state_nonce(&at).await?;
		self.metrics.best_block(number);
		debug!("block #{number}: {} open requests, chain time {now}", requests.len());

		let mut spawn: Vec<(RequestId, Kind, Option<u64>, [u8; 32])> = Vec::new();
		let mut declines: Vec<(RequestId, Kind, String)> = Vec::new();
		// Preflights of command backends to start: (request, "lock" or
		// "bounty", its requester, the job, the preflight).
		let mut preflights: Vec<(RequestId, &'static str, [u8; 32], Job, config::Preflight)> =
			Vec::new();
		let mut register = false;
		{
			let mut st = self.state.lock().unwrap();
			// Scan from the lowest open id of the last `LOW_MARKS` scans: a
			// request closed in a best block that a short reorg replaces is
			// still seen.
			st.low_marks.push_back(low);
			while st.low_marks.len() > LOW_MARKS {
				st.low_marks.pop_front();
			}
			st.best = st.best.max(number);
			if let Some(b) = st.barrier {
				if state_nonce >= b.target || number >= b.until {
					info!("the earlier transactions are resolved; proofs may be submitted");
					st.barrier = None;
				}
			}
			if let Some(p) = &info {
				self.metrics.standing(p.effective_stake, p.collateral, p.reputation, p.active_jobs);
				let busy = !p.eligible && p.active_jobs >= self.chain_max_jobs(&st);
				if busy {
					debug!("all {} job slots busy", p.active_jobs);
				} else if st.eligible != Some(p.eligible) {
					if p.eligible {
						info!(
							"eligible for new work (stake {}, reputation {})",
							format_zk(p.effective_stake),
							reputation(p.reputation)
						);
					} else {
						warn!(
							"not eligible for new work (stake {}, reputation {}{})",
							format_zk(p.effective_stake),
							reputation(p.reputation),
							if p.paused { ", paused" } else { "" }
						);
					}
					st.eligible = Some(p.eligible);
				}
			} else {
				if st.eligible != Some(false) {
					warn!("the account is not a registered prover: no new work");
					st.eligible = Some(false);
				}
				// Registered again (a fresh chain, or deregistered) as configured,
				// at most every RETRY_AFTER_BLOCKS * 4 blocks.
				if self.cfg.stake > 0 && !self.stopping() && number >= st.register_after {
					st.register_after = number + RETRY_AFTER_BLOCKS * 4;
					register = true;
				}
			}
			let chain_max_jobs = self.chain_max_jobs(&st);
			let standing = match &info {
				// The chain's `eligible` also requires a free job slot; a busy
				// prover is short of capacity (NoCapacity), not ineligible.
				Some(p) => Standing {
					eligible: p.eligible || p.active_jobs >= chain_max_jobs,
					stake: p.effective_stake,
					min_stake: self.consts.min_stake,
				},
				None => Standing { eligible: false, stake: 0, min_stake: self.consts.min_stake },
			};
			// The requester record: failures older than `requester_block_secs`
			// forgotten, blocks that are over ended.
			st.now = now;
			for who in st.requesters.expire(now) {
				info!(
					"requester {}: no longer blocked; its offers and bounties are taken again",
					zkmarket_client::keys::ss58(&AccountId::from(who))
				);
			}
			self.metrics.blocked_requesters(st.requesters.blocked_count(now) as u64);
			let running_preflights =
				st.preflights.values().filter(|p| **p == PreflightState::Running).count() as u32;
			let mut locks_held = self.locks_held(&st, &requests);
			let mut capacity = Capacity {
				// Running preflights take a slot too (they compute).
				local_jobs: st.jobs.values().filter(|e| e.busy()).count() as u32
					+ running_preflights,
				max_jobs: self.cfg.max_jobs,
				chain_jobs: info.as_ref().map(|p| p.active_jobs).unwrap_or(0),
				chain_max_jobs,
			};
			st.avoid.retain(|_, until| *until > number);
			let open: std::collections::HashSet<RequestId> =
				requests.iter().map(|r| r.id).collect();
			// Right after a restart with our transactions still pending, start
			// nothing for a few blocks: they may settle what we would redo.
			let stopping = self.stopping() || st.barrier.is_some_and(|b| number < b.defer_until);

			for r in &requests {
				let me = self.me();
				// Offers and bounties: `[[programs]]` only. Assignments (and our
				// locks): also programs of a kind of `[[kinds]]`.
				let program = self.cfg.program(&r.program);
				let kind = st.programs.get(&r.program).map(|p| p.kind.index());
				let served = self.cfg.program_for(&r.program, kind);
				let auction_only = |e: decide::Skip| match e {
					decide::Skip::UnknownProgram if served.is_some() => decide::Skip::AuctionOnly,
					e => e,
				};
				match &r.state {
					RequestState::Assigned { prover, deadline, .. } if prover == me => {
						let kind = Kind::Assignment { deadline: *deadline };
						if let Some(nonce) = self.redo(&st, r.id, kind, number, state_nonce) {
							if stopping {
								continue;
							}
							if let Some(why) = st.unprovable.get(&r.id).cloned() {
								if st.decisions.changed(r.id, "assignment", "unprovable") {
									info!("assignment #{}: declining again: {why}", r.id);
								}
								self.metrics.decision("assignment", "unprovable");
								declines.push((r.id, kind, why));
								continue;
							}
							// Served by a whole kind, perhaps, but the program's kind
							// could not be read yet: decide at the next block (while a
							// decline would still be free), rather than decline work we serve.
							let free_until = self.window.free_until(*deadline as u64);
							if served.is_none()
								&& !self.cfg.kinds.is_empty()
								&& !st.programs.contains_key(&r.program)
								&& number + 2 < free_until
							{
								debug!("assignment #{}: the program's kind is not known yet", r.id);
								continue;
							}
							match decide::plan_assignment(
								served.as_deref(),
								number,
								*deadline as u64,
								self.consts.block_millis,
							) {
								AssignmentPlan::Prove => {
									info!("assignment #{}: proving (deadline #{deadline})", r.id);
									// It takes a local slot from offers and bounties of this
									// block (its chain slot is already counted).
									capacity.local_jobs += 1;
									self.metrics.job_taken("assignment");
									self.metrics.decision("assignment", "prove");
									spawn.push((r.id, kind, nonce, r.requester.0));
								}
								AssignmentPlan::Decline(why) => {
									info!("assignment #{}: declining: {why}", r.id);
									self.metrics.decision("assignment", why.label());
									declines.push((r.id, kind, why.to_string()));
								}
							}
						}
					}
					RequestState::Locked { prover, .. } if prover == me => {
						if let Some(nonce) = self.redo(&st, r.id, Kind::Lock, number, state_nonce) {
							if stopping {
								continue;
							}
							let deadline = offer_terms(r).map(|t| t.lock_deadline()).unwrap_or(0);
							info!(
								"lock #{}: locked by us, proving (lock deadline in {} s)",
								r.id,
								deadline.saturating_sub(now)
							);
							spawn.push((r.id, Kind::Lock, nonce, r.requester.0));
						}
					}
					RequestState::ProofSubmitted { prover, fulfilment, .. }
						if prover == me
							&& !st.jobs.contains_key(&r.id)
							&& st.awaiting_logged.insert(r.id) =>
					{
						info!(
							"#{}: our proof ({}) awaits its verdict",
							r.id,
							fulfilment_label(fulfilment)
						);
					}
					RequestState::Open => {
						let Some(terms) = offer_terms(r) else { continue };
						if stopping || st.jobs.contains_key(&r.id) || st.avoid.contains_key(&r.id) {
							continue;
						}
						let price = terms.price_at(now);
						match decide::evaluate_lock(
							&terms,
							price,
							program,
							self.cfg.lock_offers,
							now,
							// Proving starts once the lock is in a block.
							self.cfg.margin_secs.saturating_add(self.block_secs()),
							&standing,
							&capacity,
						)
						.map_err(auction_only)
						.and_then(|p| {
							let held = locks_held.get(&r.requester.0).copied().unwrap_or(0);
							self.screen(&mut st, r, program, now, Some(held)).map(|s| (p, s))
						}) {
							Ok((_, Screened::Preflight)) => {
								if let Some(start) =
									self.start_preflight(&mut st, r, program, "lock")
								{
									*locks_held.entry(r.requester.0).or_default() += 1;
									capacity.take();
									preflights.push(start);
								}
							}
							Ok((price, Screened::Take)) => {
								info!(
									"lock #{}: locking (price {}, cost {}, collateral {}, lock deadline in {} s)",
									r.id,
									format_zk(price),
									format_zk(program.map(|p| p.min_price).unwrap_or(0)),
									format_zk(terms.lock_collateral),
									terms.lock_deadline().saturating_sub(now)
								);
								self.metrics.decision("lock", "take");
								st.decisions.changed(r.id, "lock", "take");
								capacity.take();
								*locks_held.entry(r.requester.0).or_default() += 1;
								spawn.push((r.id, Kind::Lock, None, r.requester.0));
								st.jobs.insert(
									r.id,
									Entry {
										kind: Kind::Lock,
										phase: Phase::Locking,
										running: true,
										handle: None,
										proof: None,
										requester: Some(r.requester.0),
									},
								);
							}
							Err(why) => {
								if st.decisions.changed(r.id, "lock", why.label()) {
									info!("lock #{}: skipped: {why}", r.id);
									self.metrics.decision("lock", why.label());
								}
							}
						}
					}
					RequestState::BountyOpen { bounty, .. } => {
						let Some(terms) = offer_terms(r) else { continue };
						if stopping || st.jobs.contains_key(&r.id) || st.avoid.contains_key(&r.id) {
							continue;
						}
						// A proof of an unbound program is refused unless we hold
						// the obligation (a kind not fetched yet: a later block).
						let bound = st.programs.get(&r.program).is_some_and(|p| p.kind.is_bound());
						let unbound = program.is_some() && !bound;
						match decide::evaluate_bounty(
							&terms,
							*bounty,
							program,
							self.cfg.take_bounties,
							now,
							self.cfg.margin_secs,
							&standing,
							&capacity,
						)
						.map_err(auction_only)
						.and_then(|b| if unbound { Err(decide::Skip::Unbound) } else { Ok(b) })
						.and_then(|b| self.screen(&mut st, r, program, now, None).map(|s| (b, s)))
						{
							Ok((_, Screened::Preflight)) => {
								if let Some(start) =
									self.start_preflight(&mut st, r, program, "bounty")
								{
									capacity.take();
									preflights.push(start);
								}
							}
							Ok((b, Screened::Take)) => {
								info!(
									"bounty #{}: proving for a bounty of {} (deadline in {} s)",
									r.id,
									format_zk(b),
									terms.deadline().saturating_sub(now)
								);
								self.metrics.decision("bounty", "take");
								self.metrics.job_taken("bounty");
								st.decisions.changed(r.id, "bounty", "take");
								capacity.take();
								spawn.push((r.id, Kind::Bounty, None, r.requester.0));
							}
							Err(why) => {
								if st.decisions.changed(r.id, "bounty", why.label()) {
									info!("bounty #{}: skipped: {why}", r.id);
									self.metrics.decision("bounty", why.label());
								}
							}
						}
					}
					_ => {}
				}
			}
			// Forget finished jobs whose request no longer needs us.
			let by_id: HashMap<RequestId, &RequestView> =
				requests.iter().map(|r| (r.id, r)).collect();
			let me = *self.me();
			st.jobs.retain(|id, e| {
				if e.running {
					return true;
				}
				match by_id.get(id) {
					None => false,
					Some(r) => match &r.state {
						RequestState::ProofSubmitted { prover, .. } => prover == &me,
						s => ours_to_prove(e.kind, s, &me),
					},
				}
			});
			st.decisions.retain(|id| open.contains(&id));
			st.unprovable.retain(|id, _| open.contains(id));
			st.preflights.retain(|id, p| open.contains(id) || *p == PreflightState::Running);
			st.awaiting_logged.retain(|id| open.contains(id));
			for (id, kind, _, requester) in &spawn {
				st.jobs
					.entry(*id)
					.and_modify(|e| {
						e.kind = *kind;
						e.running = true;
						e.requester = Some(*requester);
						e.phase = if *kind == Kind::Lock && e.phase == Phase::Locking {
							Phase::Locking
						} else {
							Phase::Proving
						};
					})
					.or_insert(Entry {
						kind: *kind,
						phase: Phase::Proving,
						running: true,
						handle: None,
						proof: None,
						requester: Some(*requester),
					});
			}
			for (id, kind, _) in &declines {
				st.jobs.insert(
					*id,
					Entry {
						kind: *kind,
						phase: Phase::Done,
						running: true,
						handle: None,
						proof: None,
						requester: None,
					},
				);
			}
			self.metrics.in_flight(st.jobs.values().filter(|e| e.busy()).count() as u32);
		}
		for (id, what, who, job, preflight) in preflights {
			tokio::spawn(self.clone().run_preflight(id, what, who, job, preflight));
		}
		for (id, kind, nonce, _) in spawn {
			let locking = self
				.state
				.lock()
				.unwrap()
				.jobs
				.get(&id)
				.map(|e| e.phase == Phase::Locking)
				.unwrap_or(false);
			let agent = self.clone();
			let h = tokio::spawn(async move {
				agent.clone().job(id, kind, locking, nonce).await;
				if let Some(e) = agent.state.lock().unwrap().jobs.get_mut(&id) {
					e.running = false;
					e.handle = None;
				}
			});
			if let Some(e) = self.state.lock().unwrap().jobs.get_mut(&id) {
				if e.running {
					e.handle = Some(h.abort_handle());
				}
			}
		}
		if register {
			let agent = self.clone();
			tokio::spawn(async move {
				let at = match agent.chain.conn.best().await {
					Ok(at) => at,
					Err(e) => return warn!("registering: {e}"),
				};
				if let Err(e) = agent.register(&at).await {
					warn!("registering failed: {e}");
				}
			});
		}
		for (id, kind, why) in declines {
			let Kind::Assignment { deadline } = kind else { continue };
			let agent = self.clone();
			let quiet = self.state.lock().unwrap().unprovable.contains_key(&id);
			tokio::spawn(async move {
				agent.decline(id, deadline, &why, quiet).await;
				if let Some(e) = agent.state.lock().unwrap().jobs.get_mut(&id) {
					e.running = false;
				}
			});
		}
		Ok(())
	}

	/// Whether a request asking us for a proof (assignment or our lock) needs
	/// a new job now: `Some(reuse_nonce)` if so (the nonce of an earlier proof
	/// transaction with an unknown outcome, to be reused so that at most one of
	/// them is ever included), `None` if a job already covers it.
	fn redo(
		&self,
		st: &State,
		id: RequestId,
		kind: Kind,
		number: u64,
		state_nonce: u64,
	) -> Option<Option<u64>> {
		let Some(e) = st.jobs.get(&id) else { return Some(None) };
		if e.running {
			return None;
		}
		if e.kind != kind {
			// Re-assigned (new deadline) or a lock after a bounty: a new job.
			return Some(None);
		}
		match e.phase {
			// Our proof was in an earlier block and the request asks again: its
			// verdict was invalid or late. Prove again.
			Phase::Landed { block } if number > block => Some(None),
			Phase::Landed { .. } => None,
			Phase::Unknown { nonce } if state_nonce > nonce => Some(None),
			Phase::Unknown { nonce } => Some(Some(nonce)),
			Phase::Done => None,
			Phase::Locking | Phase::Proving | Phase::Submitting => Some(None),
		}
	}

	fn set_phase(&self, id: RequestId, phase: Phase) {
		if let Some(e) = self.state.lock().unwrap().jobs.get_mut(&id) {
			e.phase = phase;
		}
		let n = self.state.lock().unwrap().jobs.values().filter(|e| e.busy()).count();
		self.metrics.in_flight(n as u32);
	}

	fn avoid(&self, id: RequestId, blocks: u64) {
		let mut st = self.state.lock().unwrap();
		let until = st.best.saturating_add(blocks);
		st.avoid.insert(id, until);
	}

	/// Gives the assignment due at block `deadline` back
	/// (`market.decline_assignment`; the chain never deals it to us again).
	/// Free in the first `FreeDeclinePeriod` blocks of the assignment; later it
	/// is slashed like a missed deadline, so it is sent only if it frees the
	/// request (and our slot) sooner than the miss would ([`decide::plan_decline`]).
	async fn decline(&self, id: RequestId, deadline: u32, why: &str, quiet: bool) {
		let best = self.state.lock().unwrap().best;
		let plan = decide::plan_decline(best, deadline as u64, &self.window);
		let cost = match plan {
			DeclinePlan::Free { until } => {
				self.metrics.decision("decline", "free");
				format!("free until #{until}")
			}
			DeclinePlan::Late { sooner } => {
				self.metrics.decision("decline", "late");
				warn!(
					"assignment #{id}: declining after the free window (slashed like a missed deadline, \
					 which it would be anyway; frees the request {sooner} blocks sooner): {why}"
				);
				"late".to_string()
			}
			DeclinePlan::Lapse => {
				self.metrics.decision("decline", "lapse");
				warn!(
					"assignment #{id}: not declining ({why}): the deadline #{deadline} is too close for a \
					 decline to free it sooner; the chain handles the miss (the same slash, no fee)"
				);
				return;
			}
		};
		match self.chain.submit(&chain::decline_call(id), self.block_time() * 10).await {
			Ok(l) => {
				let charged = l
					.events
					.find_first::<zk::market::events::DeclineCharged>()
					.and_then(|r| r.ok());
				let closed = l
					.events
					.find_first::<zk::market::events::ClosedUnprovable>()
					.and_then(|r| r.ok())
					.map(|c| format!("; closed as unprovable after {} declines", c.declines))
					.unwrap_or_default();
				let fee = charged
					.as_ref()
					.filter(|c| c.retry_fee > 0)
					.map(|c| {
						format!(", the requester paid a retry fee of {}", format_zk(c.retry_fee))
					})
					.unwrap_or_default();
				match charged {
					Some(c) if c.slashed > 0 => warn!(
						"assignment #{id}: declined in block #{}, slashed {} ({why}){closed}",
						l.block,
						format_zk(c.slashed)
					),
					_ if quiet => debug!(
						"assignment #{id}: declined in block #{} ({cost}{fee}; {why}){closed}",
						l.block
					),
					_ => info!(
						"assignment #{id}: declined in block #{} ({cost}{fee}; {why}){closed}",
						l.block
					),
				}
			}
			Err(e) => {
				warn!("assignment #{id}: decline failed: {e}; deciding again at the next block");
				// Forget the job: the next block's scan plans the assignment afresh.
				self.state.lock().unwrap().jobs.remove(&id);
			}
		}
	}

	/// [`Self::still_ours`], retrying chain errors (a node restarting) every
	/// block until it gets an answer.
	async fn read_ours(&self, id: RequestId, kind: Kind) -> Option<(RequestView, AtBlock)> {
		let mut failures = 0u32;
		loop {
			match self.still_ours(id, kind).await {
				Ok(x) => return x,
				Err(e) => {
					if failures.is_multiple_of(5) {
						warn!("#{id}: reading the request: {e}; retrying");
					}
					failures += 1;
					tokio::time::sleep(self.block_time()).await;
				}
			}
		}
	}

	/// One job: lock (if needed), prove, check, submit.
	async fn job(
		self: Arc<Self>,
		id: RequestId,
		kind: Kind,
		locking: bool,
		reuse_nonce: Option<u64>,
	) {
		if locking {
			match self.chain.submit(&chain::lock_call(id), self.block_time() * 10).await {
				Ok(l) => {
					let ev = l
						.events
						.find_first::<zk::market::events::RequestLocked>()
						.and_then(|r| r.ok());
					let (price, collateral) = ev.map(|e| (e.price, e.collateral)).unwrap_or((0, 0));
					info!(
						"lock #{id}: locked in block #{} at {} (collateral {})",
						l.block,
						format_zk(price),
						format_zk(collateral)
					);
					self.metrics.job_taken("lock");
				}
				Err(e) => {
					warn!("lock #{id}: lock failed: {e}");
					// Forget the job: if the lock landed after all (a lost
					// connection), the next scans see the offer locked by us
					// and prove it; otherwise it is left alone for a few blocks.
					self.state.lock().unwrap().jobs.remove(&id);
					self.avoid(id, RETRY_AFTER_BLOCKS);
					return;
				}
			}
		}
		let mut reuse_nonce = reuse_nonce;
		// Whether the backend failed to prove it (not a chain or pool problem).
		let mut backend_failed = false;
		for attempt in 1..=MAX_PROVE_ATTEMPTS {
			match self.prove_once(id, kind, reuse_nonce).await {
				Outcome::Done => return,
				// Out of time (handled): after a backend failure, that failure
				// cost the job.
				Outcome::GaveUp => {
					if backend_failed {
						self.job_failed(id, kind, "the backend could not prove it in time");
					}
					return;
				}
				Outcome::Retry(why, attempt_secs, backend) => {
					backend_failed = backend;
					reuse_nonce = None;
					if attempt == MAX_PROVE_ATTEMPTS {
						warn!("#{id}: giving up after {attempt} attempts: {why}");
						break;
					}
					// An assignment is retried inside its free decline window only
					// if a failed retry could still be declined for free.
					if let Kind::Assignment { deadline } = kind {
						let best = self.state.lock().unwrap().best;
						if let AfterFailure::DeclineNow { until } = decide::after_failure(
							best,
							deadline as u64,
							attempt_secs,
							self.consts.block_millis,
							&self.window,
						) {
							warn!(
								"#{id}: attempt {attempt} failed: {why}; another attempt (~{attempt_secs} s) \
								 could end after the free decline window (#{until}): declining now"
							);
							break;
						}
					}
					warn!("#{id}: attempt {attempt} failed: {why}; retrying");
					tokio::time::sleep(self.block_time()).await;
				}
			}
		}
		// Gave up: an assignment is declined (free early in its window). A
		// backend that could not prove it counts against the requester (a
		// lock's failure blocks it at once).
		if backend_failed {
			self.job_failed(id, kind, "the backend could not prove it");
		}
		self.set_phase(id, Phase::Done);
		match kind {
			Kind::Assignment { deadline } => {
				self.decline(id, deadline, "could not prove it", false).await
			}
			Kind::Lock => {
				warn!("lock #{id}: no proof; the collateral is forfeited at the lock deadline")
			}
			Kind::Bounty => self.avoid(id, u64::MAX / 2),
		}
	}

	/// Re-reads the request at the best block: the request if it still asks us for this job.
	async fn still_ours(
		&self,
		id: RequestId,
		kind: Kind,
	) -> Result<Option<(RequestView, AtBlock)>, Error> {
		let at = self.chain.conn.best().await?;
		let Some(r) = market::request_at(&at, id).await? else {
			info!("#{id}: gone (pruned); nothing to do");
			return Ok(None);
		};
		if ours_to_prove(kind, &r.state, self.me()) {
			return Ok(Some((r, at)));
		}
		match &r.state {
			RequestState::ProofSubmitted { prover, .. } if prover == self.me() => {
				info!("#{id}: our proof is already submitted; not submitting again")
			}
			s => info!("#{id}: no longer ours to prove (state {}); dropped", s.name()),
		}
		Ok(None)
	}

	/// Seconds left until the job's deadline, from the best block.
	async fn seconds_left(&self, r: &RequestView, kind: Kind, at: &AtBlock) -> u64 {
		match kind {
			Kind::Assignment { deadline } => {
				(deadline as u64).saturating_sub(at.block_number()) * self.consts.block_millis
					/ 1000
			}
			Kind::Lock | Kind::Bounty => {
				// No chain time: no time left (never an unbounded budget).
				let Ok(now) = market::now_secs_at(at).await else { return 0 };
				let terms = offer_terms(r);
				let deadline = match kind {
					Kind::Lock => terms.map(|t| t.lock_deadline()),
					_ => terms.map(|t| t.deadline()),
				}
				.unwrap_or(0);
				deadline.saturating_sub(now)
			}
		}
	}

	async fn program(&self, at: &AtBlock, program: [u8; 32]) -> Result<market::ProgramInfo, Error> {
		if let Some(p) = self.state.lock().unwrap().programs.get(&program) {
			return Ok(p.clone());
		}
		let p = market::program_at(at, program).await?.ok_or_else(|| {
			Error::NotFound(format!("program 0x{} is not registered", hex::encode(program)))
		})?;
		self.state.lock().unwrap().programs.insert(program, p.clone());
		Ok(p)
	}

	async fn prove_once(&self, id: RequestId, kind: Kind, reuse_nonce: Option<u64>) -> Outcome {
		// The proof of a transaction whose outcome is unknown: send it again as is.
		if reuse_nonce.is_some() {
			let kept = self.state.lock().unwrap().jobs.get(&id).and_then(|e| e.proof.clone());
			if let Some(proof) = kept {
				return self.submit(id, kind, proof, reuse_nonce).await;
			}
		}
		let permit = match self.proving.acquire().await {
			Ok(p) => p,
			Err(_) => return Outcome::Done,
		};
		if self.stopping() && !matches!(kind, Kind::Assignment { .. } | Kind::Lock) {
			return Outcome::Done;
		}
		self.set_phase(id, Phase::Proving);
		let Some((r, at)) = self.read_ours(id, kind).await else {
			self.set_phase(id, Phase::Done);
			return Outcome::Done;
		};
		if let Some(e) = self.state.lock().unwrap().jobs.get_mut(&id) {
			e.requester = Some(r.requester.0);
		}
		// The program's kind (the backend's job names it; the proof is checked
		// with it before it is submitted).
		let info = loop {
			match self.program(&at, r.program).await {
				Ok(p) => break p,
				Err(e @ Error::NotFound(_)) => return Outcome::Retry(e.to_string(), 0, false),
				Err(e) => {
					warn!("#{id}: fetching the program: {e}; retrying");
					tokio::time::sleep(self.block_time()).await;
				}
			}
		};
		// Its `[[programs]]` entry, or (assignments and our locks) its kind's.
		let served = match kind {
			Kind::Assignment { .. } | Kind::Lock => {
				self.cfg.program_for(&r.program, Some(info.kind.index()))
			}
			Kind::Bounty => self.cfg.program(&r.program).map(std::borrow::Cow::Borrowed),
		};
		let Some(program) = served else {
			warn!("#{id}: program 0x{} is not configured", hex::encode(r.program));
			self.set_phase(id, Phase::Done);
			// Defensive (the chain deals only what we declared): an assignment
			// we have no backend for is given back at once, while that is free.
			if let Kind::Assignment { deadline } = kind {
				self.decline(id, deadline, "program not configured", false).await;
			}
			return Outcome::Done;
		};
		let attempt_secs = program.prove_secs.saturating_add(self.cfg.margin_secs);
		let retry = |e: String| Outcome::Retry(e, attempt_secs, true);
		let left = self.seconds_left(&r, kind, &at).await;
		// The proof must be in a block before the deadline: the backend gets the
		// time left minus the margin. An assignment with no time left for another
		// attempt is given back (declined: free early in its window) instead of
		// being left to miss its deadline.
		let budget = left.saturating_sub(self.cfg.margin_secs);
		// Not enough time for the estimated proving time: an assignment is given
		// back while the decline can still land; a lock is tried while any time
		// is left (its collateral is lost either way); a bounty is left alone.
		let short = left < program.prove_secs.saturating_add(self.cfg.margin_secs);
		let give_up = match kind {
			Kind::Assignment { .. } | Kind::Bounty => short,
			Kind::Lock => budget == 0,
		};
		if give_up {
			self.set_phase(id, Phase::Done);
			match kind {
				Kind::Assignment { deadline } => {
					self.decline(
						id,
						deadline,
						&format!("not enough time left to prove ({left} s)"),
						false,
					)
					.await
				}
				Kind::Lock => {
					warn!("lock #{id}: no time left to prove; the collateral is forfeited at the lock deadline")
				}
				Kind::Bounty => self.avoid(id, u64::MAX / 2),
			}
			return Outcome::GaveUp;
		}
		let job = self.job_for(&r, &info.kind);
		// An assignment's preflight (offers and bounties had theirs before they
		// were taken): one that fails is declined at once, free early in its window.
		if let (Kind::Assignment { deadline }, Some(pf)) = (kind, &program.preflight) {
			if !self.preflight_assignment(id, deadline, &r.requester.0, &job, pf, budget).await {
				return Outcome::Done;
			}
		}
		debug!("#{id}: proving with {:?}, {left} s left", program.backend);
		let started = Instant::now();
		let proof = match backend::prove(
			&program.backend,
			&job,
			Duration::from_secs(budget),
			self.consts.max_proof_len,
		)
		.await
		{
			Ok(p) => p,
			Err(BackendError::Unprovable(e)) => {
				warn!("#{id}: cannot be proven: {e}");
				self.state.lock().unwrap().unprovable.insert(id, format!("cannot be proven: {e}"));
				self.job_failed(id, kind, &e);
				self.metrics.backend_failed();
				self.set_phase(id, Phase::Done);
				match kind {
					Kind::Assignment { deadline } => {
						self.decline(id, deadline, "cannot be proven", false).await
					}
					Kind::Lock => {
						warn!("lock #{id}: the collateral is forfeited at the lock deadline")
					}
					Kind::Bounty => self.avoid(id, u64::MAX / 2),
				}
				return Outcome::Done;
			}
			Err(e @ BackendError::Failed(_)) => {
				self.metrics.backend_failed();
				return retry(e.to_string());
			}
		};
		let secs = started.elapsed().as_secs_f64();
		self.metrics.proof_time(secs);
		// Never submit a proof that does not verify: it would be slashed.
		match groth16::verify_program(
			&info.kind,
			info.selector,
			&info.vk,
			&proof,
			&r.inputs,
			&job.binding,
		) {
			Ok(true) => {}
			Ok(false) => {
				self.metrics.backend_failed();
				return retry("the backend's proof does not verify; not submitted".into());
			}
			Err(e) => {
				self.metrics.backend_failed();
				return retry(format!("the backend's proof is malformed ({e}); not submitted"));
			}
		}
		debug!("#{id}: proof of {} bytes in {secs:.2} s, verified locally", proof.len());
		drop(permit);
		match self.submit(id, kind, proof, reuse_nonce).await {
			Outcome::Retry(why, _, _) => Outcome::Retry(why, attempt_secs, false),
			done => done,
		}
	}

	/// Submits a proof once: waits for the start-up barrier, re-reads the
	/// request, sends the transaction and follows it into a block.
	async fn submit(
		&self,
		id: RequestId,
		kind: Kind,
		proof: Vec<u8>,
		mut reuse_nonce: Option<u64>,
	) -> Outcome {
		loop {
			let barrier = self.state.lock().unwrap().barrier;
			match barrier {
				Some(_) => tokio::time::sleep(self.block_time()).await,
				None => break,
			}
		}
		for attempt in 1..=MAX_SUBMIT_ATTEMPTS {
			self.set_phase(id, Phase::Submitting);
			if self.read_ours(id, kind).await.is_none() {
				self.set_phase(id, Phase::Done);
				return Outcome::Done;
			}
			let sent = match self
				.chain
				.send(&chain::submit_proof_call(id, proof.clone()), reuse_nonce)
				.await
			{
				Ok(s) => s,
				Err(e) => {
					if reuse_nonce.is_some() {
						// The earlier transaction with this nonce is still pending
						// (the pool refuses a second one): it may still land.
						info!(
							"#{id}: the earlier proof transaction is still pending ({e}); waiting"
						);
						self.set_phase(id, Phase::Unknown { nonce: reuse_nonce.unwrap_or(0) });
						return Outcome::Done;
					}
					warn!("#{id}: proof transaction refused by the pool (attempt {attempt}): {e}");
					tokio::time::sleep(self.block_time()).await;
					continue;
				}
			};
			let nonce = sent.nonce;
			reuse_nonce = None;
			if let Some(e) = self.state.lock().unwrap().jobs.get_mut(&id) {
				e.proof = Some(proof.clone());
			}
			debug!("#{id}: proof transaction {:?} sent with nonce {nonce}", sent.hash);
			let limit = self.block_time() * 20;
			match tokio::time::timeout(limit, self.chain.landed(sent)).await {
				Ok(Ok(l)) => {
					info!("#{id}: proof submitted in block #{}", l.block);
					debug!("#{id}: block {:?}", l.block_hash);
					self.metrics.proof_submitted();
					self.set_phase(id, Phase::Landed { block: l.block });
					return Outcome::Done;
				}
				Ok(Err(e @ Error::Dispatch { .. })) => {
					warn!("#{id}: proof refused: {e}");
					self.set_phase(id, Phase::Done);
					return Outcome::Done;
				}
				Ok(Err(Error::Invalid(m))) => {
					warn!("#{id}: proof transaction invalid or dropped (attempt {attempt}): {m}");
					continue;
				}
				Ok(Err(e)) => {
					warn!("#{id}: lost track of the proof transaction (nonce {nonce}): {e}; will check the chain");
					self.set_phase(id, Phase::Unknown { nonce });
					return Outcome::Done;
				}
				Err(_) => {
					self.chain.forget_nonces();
					warn!("#{id}: proof transaction not in a block after {} s (nonce {nonce}); will check the chain", limit.as_secs());
					self.set_phase(id, Phase::Unknown { nonce });
					return Outcome::Done;
				}
			}
		}
		Outcome::Retry("the proof transaction was not accepted".into(), 0, false)
	}

	/// Follows finalized blocks: verdicts, payments and slashes of this prover.
	async fn follow_finalized(self: Arc<Self>) {
		let mut last: Option<u64> = None;
		let mut delay = Duration::from_millis(500);
		loop {
			let mut blocks = match self.chain.conn.api.stream_blocks().await {
				Ok(b) => b,
				Err(e) => {
					warn!("subscribing to finalized blocks: {e}");
					tokio::time::sleep(delay).await;
					delay = (delay * 2).min(Duration::from_secs(10));
					continue;
				}
			};
			delay = Duration::from_millis(500);
			while let Some(item) = blocks.next().await {
				let b = match item {
					Ok(b) => b,
					Err(e) => {
						warn!("finalized-block stream: {e}");
						continue;
					}
				};
				let n = b.number();
				let from = match last {
					Some(l) if l >= n => continue,
					Some(l) => (l + 1).max(n.saturating_sub(MAX_FINALIZED_CATCH_UP)),
					None => n,
				};
				for k in from..=n {
					let at = if k == n {
						self.chain.conn.at(b.hash()).await
					} else {
						self.chain.conn.api.at_block(k).await.map_err(Error::from)
					};
					match at {
						Ok(at) => {
							if let Err(e) = self.account(&at).await {
								warn!("finalized block #{k}: {e}");
							}
						}
						Err(e) => warn!("finalized block #{k}: {e}"),
					}
				}
				last = Some(n);
				self.metrics.finalized_block(n);
			}
			warn!("finalized-block stream ended; subscribing again");
			tokio::time::sleep(delay).await;
		}
	}

	/// Verdicts and slashes of this prover in one finalized block.
	async fn account(&self, at: &AtBlock) -> Result<(), Error> {
		use zk::market::Event as M;
		use zk::provers::Event as P;
		let me = self.me();
		let events = at.events().fetch().await?;
		for ev in events.iter() {
			let ev = ev?;
			if ev.pallet_name() != "Market" && ev.pallet_name() != "Provers" {
				continue;
			}
			let Ok(decoded) = ev.decode_as::<zk::Event>() else { continue };
			match decoded {
				zk::Event::Market(M::RequestSettled { id, prover, paid, .. }) if &prover == me => {
					info!("#{id}: verified, paid {}", format_zk(paid));
					self.metrics.proof_verified(paid);
				}
				zk::Event::Market(M::ProofRejected { id, prover, slashed }) if &prover == me => {
					warn!("#{id}: proof rejected as invalid, slashed {}", format_zk(slashed));
					self.metrics.proof_rejected(slashed);
				}
				zk::Event::Market(M::VerificationUndecided { id, prover }) if &prover == me => {
					warn!("#{id}: no verdict in time; the request went back to the market");
					self.metrics.proof_undecided();
				}
				zk::Event::Market(M::DeadlineMissed { id, prover, slashed }) if &prover == me => {
					warn!("assignment #{id}: deadline missed, slashed {}", format_zk(slashed));
					self.metrics.slashed(slashed);
				}
				// A decline after the free window is slashed like a miss.
				zk::Event::Market(M::DeclineCharged { id, prover, slashed, .. })
					if &prover == me && slashed > 0 =>
				{
					warn!(
						"assignment #{id}: declined after the free window, slashed {}",
						format_zk(slashed)
					);
					self.metrics.slashed(slashed);
				}
				zk::Event::Market(M::DeclineDisproved { id, prover }) if &prover == me => {
					warn!(
						"assignment #{id}: declined by us, then proven by another prover: reputation lowered"
					);
				}
				zk::Event::Provers(P::CapabilitiesSet { who, programs, kinds, max_jobs })
					if &who == me =>
				{
					let d = Declaration::new(programs.0, kinds.0, max_jobs);
					info!("declaration finalized: {d}");
				}
				zk::Event::Market(M::LockMissed { id, prover, collateral, bounty })
					if &prover == me =>
				{
					warn!(
						"lock #{id}: lock deadline missed, collateral {} forfeited ({} of it is now a bounty)",
						format_zk(collateral),
						format_zk(bounty)
					);
					self.metrics.slashed(collateral);
				}
				zk::Event::Provers(P::Decayed { who, amount, periods }) if &who == me => {
					info!("idle decay: -{} ({periods} idle period(s))", format_zk(amount));
				}
				_ => {}
			}
		}
		Ok(())
	}

	fn abort_jobs(&self) {
		let st = self.state.lock().unwrap();
		for e in st.jobs.values() {
			if let Some(h) = &e.handle {
				h.abort();
			}
		}
	}

	/// SIGINT/SIGTERM: no new jobs, optionally pause, wait a little for running jobs.
	async fn shutdown(&self) {
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
			let running = self.state.lock().unwrap().jobs.values().filter(|e| e.busy()).count();
			if running == 0 {
				break;
			}
			if start.elapsed() >= SHUTDOWN_GRACE {
				for (id, e) in self.state.lock().unwrap().jobs.iter().filter(|(_, e)| e.busy()) {
					match e.kind {
						Kind::Assignment { deadline } => warn!(
							"assignment #{id} left unfinished (deadline #{deadline}): it resumes when the agent restarts"
						),
						Kind::Lock => {
							warn!("lock #{id} left unfinished: it resumes when the agent restarts")
						}
						Kind::Bounty => info!("bounty #{id} abandoned"),
					}
				}
				self.abort_jobs();
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

/// The result of one proving attempt.
enum Outcome {
	/// Finished (submitted, or nothing to do).
	Done,
	/// Given up for lack of time (an assignment declined, a lock left to
	/// forfeit, a bounty dropped).
	GaveUp,
	/// Failed; may be retried. With the seconds another attempt takes (the
	/// program's `prove_secs` + `margin_secs`; 0 if not known), and whether
	/// the backend failed to prove it (not the chain or the pool).
	Retry(String, u64, bool),
}

/// A declaration as the chain holds it.
fn declaration_of(c: market::Capabilities) -> Declaration {
	Declaration::new(c.programs, c.kinds, c.max_jobs)
}

fn reputation(ppb: u32) -> String {
	format!("{:.1}%", ppb as f64 / 1e7)
}

fn fulfilment_label(f: &Fulfilment) -> String {
	match f {
		Fulfilment::Assignment { price, .. } => format!("assignment, {}", format_zk(*price)),
		Fulfilment::Locked { price, .. } => format!("locked offer, {}", format_zk(*price)),
		Fulfilment::Open { price } => format!("open offer, {}", format_zk(*price)),
		Fulfilment::Bounty { amount, .. } => format!("bounty, {}", format_zk(*amount)),
	}
}
