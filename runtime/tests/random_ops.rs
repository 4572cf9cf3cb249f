//! Random-operation test of the runtime (issue 15).
//!
//! A driver applies a long random sequence of every call of the market to the
//! REAL runtime built from the `development` genesis preset: auction bids and
//! offers (valid and invalid: amounts, curves, expiries, programs, inputs),
//! cancel, lock, proofs (real Groth16 proofs of the demo program made with
//! `zkmarket-prover`, and garbage, tampered or copied bytes), verdict batches
//! signed with the verifier keys (honest, lying, wrong content hash, wrong
//! context or genesis hash, non-verifier signer), register, bond, unbond,
//! withdraw, pause, resume, register and unregister programs (the demo key and
//! other valid keys made of its points, and junk), root calls (periods,
//! verifier set, BaseFee) and transfers. Calls come from the dev accounts and
//! derived accounts funded from the treasury (one more joins every 700 calls).
//! Half of the accounts are honest provers: they submit only proofs they made,
//! and prove their assignments and locked offers a few blocks after getting
//! them. Time jumps by one block, a few blocks, tens of blocks (idle and
//! unbonding periods, proof deadlines, verification timeouts) and hundreds of
//! blocks (offer deadlines, many idle periods). Once per run the auction queue
//! is flooded with cheap bids (a jamming attempt: later bids evict the worst),
//! and now and then many offers share their deadline seconds.
//!
//! Every call goes through `RuntimeCall` + `Dispatchable::dispatch` (the real,
//! transactional dispatch path). A failed call must change nothing: no event,
//! and (sampled) the same storage root as before. Calls that the design says
//! must succeed (a queued bid cancelled by its requester, a proof by the
//! assigned prover by its deadline, a lock by an eligible prover, a valid
//! verdict batch, a withdrawal of stake no job needs, ...) are checked to
//! succeed. After EVERY block:
//! - `do_try_state` of the provers, market, base-fee and verifier pallets;
//! - total issuance is exactly `TOTAL_ISSUANCE` less the retry fees of free
//!   declines, which are burned (calls are dispatched directly, so no fees are
//!   charged, and slashes go to the treasury) and equals the sum
//!   of every account's free and reserved balance; the treasury never shrinks;
//! - cross-pallet accounting: each prover's job slots, collateral and reserved
//!   bounty match the open requests that use them; each request's escrow matches
//!   its state; pending proofs and `ProofSubmitted` requests correspond one to one.
//!
//! At the end it prints Ok/Err counts per call (with the errors) and event
//! counts, and (for runs of at least the default length) asserts that every
//! call succeeded at least once and that the main paths (settlement, rejection,
//! missed deadline and lock, late verdict, eviction, deregistration, ...)
//! were reached.
//!
//! `RANDOM_OPS` sets the number of calls (default 20,000), `RANDOM_SEED` the seed
//! (decimal or 0x-hex; default fixed, so a run is reproducible). The seed is
//! printed; a failure prints the seed, the operation, the block and the last
//! calls. `RANDOM_DAY_JUMP=<op>` adds a jump of a whole `ClosedRetention`
//! (14,400 blocks: closed requests are pruned) after that operation; it costs
//! about a millisecond a block, so it is not part of the default run. Run with
//! `cargo test --locked --release -p zkmarket-runtime --test random_ops -- --nocapture`.
mod common;
use codec::Encode;
use common::preset_ext;
use frame_support::{
	traits::{Hooks, OriginTrait, PalletInfoAccess},
	BoundedVec,
};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, DispatchError, StateVersion};
use std::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	time::Instant,
};
use zkmarket_demo_circuit as demo;
use zkmarket_runtime::{
	configs::TreasuryAccount, AccountId, Balance, Balances, BaseFee, Market, Provers, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, System, Verifier, MILLI_ZK, TOTAL_ISSUANCE, ZK,
};

// ---------------------------------------------------------------------------
// Blocks.
// ---------------------------------------------------------------------------

/// Block time of the `development` preset.
const BLOCK_MS: u64 = 2_000;

// ---------------------------------------------------------------------------
// Constants of the runtime the driver aims its amounts at.
// ---------------------------------------------------------------------------

const MIN_STAKE: Balance = 32 * ZK;
const MIN_BASE_FEE: Balance = 1_000_000_000;
const MAX_BASE_FEE: Balance = 1_000 * ZK;
const MAX_REQUEST_LIFETIME: u32 = zkmarket_runtime::DAYS;
const MAX_OFFER_DURATION: u64 = 604_800;
const MAX_OFFER_START_SKEW: u64 = 60;
const MAX_VERDICTS: usize = zkmarket_runtime::configs::MAX_VERDICTS_PER_TX as usize;
const MAX_PROOF_LEN: usize = 512;
const QUEUE_LEN: usize = 2_048;
const MAX_OPEN_PER_ACCOUNT: u32 = 512;
const MAX_JOBS: u32 = zkmarket_runtime::configs::MAX_JOBS_PER_PROVER;
const MAX_OFFER_DEADLINES_PER_SECOND: u32 = 32;
/// Verdict batch context (v2: with the genesis hash and per-proof content hashes).
const VERDICT_CONTEXT_V2: &[u8] = b"zkmarket/verdicts/v2";

const DEFAULT_OPS: u64 = 20_000;
/// Derived accounts funded at the start.
const INITIAL_DERIVED: usize = 20;
/// A new funded account joins every this many operations.
const NEWCOMER_EVERY: u64 = 700;
const DEFAULT_SEED: u64 = 0x15_2a77_ac4e_d00d;

type ReqOf = pallet_market::RequestOf<Runtime>;
type State = pallet_market::StateOf<Runtime>;
/// A pallet's `do_try_state`.
type TryState = fn() -> Result<(), sp_runtime::TryRuntimeError>;
type Pricing = pallet_market::Pricing<Balance>;
type ProgramId = [u8; 32];
type Inputs = BoundedVec<[u8; 32], frame_support::traits::ConstU32<16>>;

// ---------------------------------------------------------------------------
// A small deterministic PRNG (xoshiro256**, seeded by splitmix64).
// ---------------------------------------------------------------------------

struct Rng([u64; 4]);

impl Rng {
	fn new(seed: u64) -> Self {
		let mut z = seed;
		let mut s = [0u64; 4];
		for x in s.iter_mut() {
			z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
			let mut r = z;
			r = (r ^ (r >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
			r = (r ^ (r >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
			*x = r ^ (r >> 31);
		}
		Rng(s)
	}

	fn next(&mut self) -> u64 {
		let s = &mut self.0;
		let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
		let t = s[1] << 17;
		s[2] ^= s[0];
		s[3] ^= s[1];
		s[1] ^= s[2];
		s[0] ^= s[3];
		s[2] ^= t;
		s[3] = s[3].rotate_left(45);
		result
	}

	/// Uniform in `[0, n)` (0 when `n == 0`).
	fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next() % n
		}
	}

	/// Uniform in `[lo, hi]`.
	fn range(&mut self, lo: u64, hi: u64) -> u64 {
		if hi <= lo {
			lo
		} else {
			lo + self.below(hi - lo + 1)
		}
	}

	/// Uniform in `[lo, hi]` (u128).
	fn range128(&mut self, lo: u128, hi: u128) -> u128 {
		if hi <= lo {
			return lo;
		}
		let r = ((self.next() as u128) << 64) | self.next() as u128;
		match (hi - lo).checked_add(1) {
			Some(span) => lo + r % span,
			None => r,
		}
	}

	/// True with probability `percent` / 100.
	fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}

	fn index(&mut self, len: usize) -> usize {
		self.below(len as u64) as usize
	}

	fn bytes32(&mut self) -> [u8; 32] {
		let mut out = [0u8; 32];
		for chunk in out.chunks_mut(8) {
			chunk.copy_from_slice(&self.next().to_le_bytes());
		}
		out
	}

	fn bytes(&mut self, len: usize) -> Vec<u8> {
		(0..len).map(|_| self.next() as u8).collect()
	}
}

// ---------------------------------------------------------------------------
// Statistics.
// ---------------------------------------------------------------------------

#[derive(Default)]
struct CallStats {
	ok: u64,
	err: u64,
	errors: BTreeMap<String, u64>,
}

/// Every call kind the driver makes; each must succeed at least once.
const KINDS: &[&str] = &[
	"market.submit_request/auction",
	"market.submit_request/offer",
	"market.cancel_request",
	"market.decline_assignment",
	"market.lock_request",
	"verifier.submit_proof",
	"verifier.submit_verdicts",
	"verifier.register_program",
	"verifier.unregister_program",
	"verifier.set_verifiers (root)",
	"provers.register",
	"provers.bond_extra",
	"provers.unbond",
	"provers.withdraw_unbonded",
	"provers.pause",
	"provers.resume",
	"provers.set_periods (root)",
	"provers.set_capabilities",
	"base_fee.set_base_fee (root)",
	"balances.transfer_keep_alive",
];

/// Events that must have happened at least once in a full run (the paths the
/// random sequence is meant to reach).
const REQUIRED_EVENTS: &[&str] = &[
	"Market::RequestSubmitted",
	"Market::Assigned",
	"Market::RequestLocked",
	"Market::ProofSubmitted",
	"Market::RequestSettled",
	"Market::ProofRejected",
	"Market::RequestCancelled",
	"Market::RequestExpired",
	"Market::DeadlineMissed",
	"Market::LockMissed",
	"Market::Requeued",
	"Market::VerificationUndecided",
	"Market::BidEvicted",
	"Verifier::VerdictReached",
	"Verifier::VerificationTimedOut",
	"Verifier::VerificationExtended",
	"Verifier::ProgramUnregistered",
	"Provers::Slashed",
	"Provers::Decayed",
	"Provers::Withdrawn",
	"Provers::Deregistered",
	"Provers::CapabilitiesSet",
	"Market::AssignmentDeclined",
	"BaseFee::BaseFeeChanged",
];

fn event_name(e: &RuntimeEvent) -> String {
	// `Pallet(Event::Name { .. })`
	let s = format!("{e:?}");
	let mut parts = s.split(['(', ' ', '{', ')']);
	let pallet = parts.next().unwrap_or("?").to_string();
	let name = parts.find(|p| !p.is_empty()).unwrap_or("?");
	format!("{pallet}::{}", name.trim_start_matches("Event::"))
}

fn pallet_name(index: u8) -> &'static str {
	let i = index as usize;
	if i == <Market as PalletInfoAccess>::index() {
		"Market"
	} else if i == <Provers as PalletInfoAccess>::index() {
		"Provers"
	} else if i == <Verifier as PalletInfoAccess>::index() {
		"Verifier"
	} else if i == <BaseFee as PalletInfoAccess>::index() {
		"BaseFee"
	} else if i == <Balances as PalletInfoAccess>::index() {
		"Balances"
	} else if i == <System as PalletInfoAccess>::index() {
		"System"
	} else {
		"?"
	}
}

fn error_name(e: &DispatchError) -> String {
	match e {
		DispatchError::Module(m) => {
			format!("{}::{}", pallet_name(m.index), m.message.unwrap_or("?"))
		}
		other => format!("{other:?}"),
	}
}

// ---------------------------------------------------------------------------
// Verifying keys: the demo key, valid variants of it (other programs), junk.
// ---------------------------------------------------------------------------

/// Byte layout of a compressed Groth16 BN254 key: alpha (G1, 32), beta, gamma,
/// delta (G2, 64 each), the point count (u64 LE), then the G1 points.
const VK_FIXED: usize = 32 + 3 * 64 + 8;

fn vk_with(g2_order: [usize; 3], points: &[Vec<u8>], base: &[u8]) -> Vec<u8> {
	let mut out = base[..32].to_vec();
	for i in g2_order {
		out.extend_from_slice(&base[32 + 64 * i..32 + 64 * (i + 1)]);
	}
	out.extend_from_slice(&(points.len() as u64).to_le_bytes());
	for p in points {
		out.extend_from_slice(p);
	}
	out
}

/// Valid keys (distinct programs) built from the points of the demo key, and
/// invalid ones. Index 0 is the demo key itself.
fn vk_variants() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
	let base = demo::vk_bytes();
	let n = u64::from_le_bytes(base[VK_FIXED - 8..VK_FIXED].try_into().unwrap()) as usize;
	assert_eq!(base.len(), VK_FIXED + 32 * n, "demo key layout");
	let pts: Vec<Vec<u8>> =
		(0..n).map(|i| base[VK_FIXED + 32 * i..VK_FIXED + 32 * (i + 1)].to_vec()).collect();
	let mut valid = vec![base.clone()];
	let orders = [[0, 1, 2], [1, 0, 2], [2, 1, 0], [0, 2, 1]];
	let point_sets: Vec<Vec<Vec<u8>>> = vec![
		pts.clone(),
		pts[..2].to_vec(),                   // no public input besides the binding
		pts.iter().rev().cloned().collect(), // same count, other points
		[pts.clone(), vec![pts[0].clone()]].concat(), // two public inputs
		std::iter::repeat_n(pts[1].clone(), 18).collect(), // 16 public inputs (the maximum)
	];
	for order in orders {
		for set in point_sets.iter() {
			let vk = vk_with(order, set, &base);
			if !valid.contains(&vk) {
				valid.push(vk);
			}
		}
	}
	let mut invalid = vec![
		base[..base.len() - 1].to_vec(),                      // truncated
		[base.clone(), vec![0]].concat(),                     // trailing byte
		vk_with([0, 1, 2], &vec![pts[1].clone(); 19], &base), // 17 inputs: too many
		vk_with([0, 1, 2], &pts[..1], &base),                 // no binding input
		vec![0xff; base.len()],                               // junk
		Vec::new(),                                           // empty
	];
	let mut wrong_count = base.clone();
	wrong_count[VK_FIXED - 8] = 9;
	invalid.push(wrong_count);
	(valid, invalid)
}

// ---------------------------------------------------------------------------
// The driver.
// ---------------------------------------------------------------------------

struct Driver {
	rng: Rng,
	seed: u64,
	target_ops: u64,
	ops: u64,
	blocks: u64,
	accounts: Vec<AccountId>,
	/// The six well-known dev accounts (rich).
	dev: Vec<AccountId>,
	/// Accounts that only submit proofs they made (odd account indexes).
	honest: BTreeSet<AccountId>,
	/// Verifier keys the driver holds (Alice's is the genesis verifier).
	verifier_keys: Vec<sr25519::Pair>,
	vks: Vec<Vec<u8>>,
	bad_vks: Vec<Vec<u8>>,
	demo_program: ProgramId,
	/// Public input `y` -> secret `x` of the demo statement.
	known_x: BTreeMap<[u8; 32], u64>,
	/// Requests that may be open (refreshed every block).
	open: Vec<u64>,
	/// Of those, assigned or locked ones (work for their provers) and open
	/// offers or bounties (work for anyone), as of the last block.
	work: Vec<u64>,
	offers: Vec<u64>,
	next_request_seen: u64,
	/// Real proofs made recently (for copies and tampering).
	proof_cache: VecDeque<Vec<u8>>,
	real_proofs: u64,
	real_proof_budget: u64,
	real_proof_time: std::time::Duration,
	/// Native verification results by proof id.
	verified: BTreeMap<u64, bool>,
	stats: BTreeMap<&'static str, CallStats>,
	events: BTreeMap<String, u64>,
	log: VecDeque<String>,
	treasury_floor: Balance,
	/// Retry fees burned in earlier blocks (free declines: SPEC 8).
	burned: Balance,
	root_checks: u64,
	max_queue: usize,
	max_pending: usize,
	max_requests_open: usize,
	flood_at: u64,
	flooded: bool,
	next_newcomer: u64,
	/// Operation after which a whole `ClosedRetention` passes (opt-in).
	day_jump_at: u64,
	/// Eligible (with a free slot) and registered provers, summed over blocks.
	eligible_sum: u64,
	eligible_min: u64,
	queue_sum: u64,
	ineligible: BTreeMap<&'static str, u64>,
	registered_sum: u64,
	/// What the next call must do: (the origin kind it holds for, or "any";
	/// why; succeed or fail).
	expect: Option<(&'static str, String, bool)>,
	expects: u64,
	/// Provers that registered again (with their record).
	returns: u64,
	/// Where the time goes.
	timers: BTreeMap<&'static str, std::time::Duration>,
}

fn signed(who: &AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

impl Driver {
	fn new(seed: u64, target_ops: u64) -> Self {
		let dev: Vec<AccountId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
			Sr25519Keyring::Eve,
			Sr25519Keyring::Ferdie,
		]
		.iter()
		.map(|k| k.to_account_id())
		.collect();
		let accounts = dev.clone();
		let honest_dev: Vec<AccountId> = dev.iter().skip(1).step_by(2).cloned().collect();
		let verifier_keys = ["Alice", "Bob", "Charlie", "Verifier1", "Verifier2"]
			.iter()
			.map(|s| sr25519::Pair::from_string(&format!("//{s}"), None).unwrap())
			.collect();
		let (vks, bad_vks) = vk_variants();
		let mut rng = Rng::new(seed);
		// The queue flood (about 2,100 calls, see `flood`) happens once, late in
		// a run long enough for it, with a tenth of the run after it.
		let flood_at = if target_ops >= 8_000 {
			target_ops - (QUEUE_LEN as u64 + 64) - target_ops / 10 - rng.below(500)
		} else {
			u64::MAX
		};
		Driver {
			rng,
			seed,
			target_ops,
			ops: 0,
			blocks: 0,
			accounts,
			dev,
			verifier_keys,
			honest: honest_dev.into_iter().collect(),
			vks,
			bad_vks,
			demo_program: demo::program_id(),
			known_x: BTreeMap::new(),
			open: Vec::new(),
			work: Vec::new(),
			offers: Vec::new(),
			next_request_seen: 0,
			proof_cache: VecDeque::new(),
			real_proofs: 0,
			real_proof_budget: (target_ops / 18).max(20),
			real_proof_time: Default::default(),
			verified: BTreeMap::new(),
			stats: BTreeMap::new(),
			events: BTreeMap::new(),
			log: VecDeque::new(),
			treasury_floor: 0,
			burned: 0,
			root_checks: 0,
			max_queue: 0,
			max_pending: 0,
			max_requests_open: 0,
			flood_at,
			flooded: false,
			next_newcomer: NEWCOMER_EVERY,
			day_jump_at: u64::MAX,
			timers: BTreeMap::new(),
			expect: None,
			expects: 0,
			returns: 0,
			eligible_sum: 0,
			eligible_min: u64::MAX,
			queue_sum: 0,
			ineligible: BTreeMap::new(),
			registered_sum: 0,
		}
	}

	// -- Failure reporting ---------------------------------------------------

	fn fail(&self, what: String) -> ! {
		let mut msg = format!(
			"random_ops FAILED (seed {:#x}, RANDOM_OPS={}) at operation {} in block {}: {what}\nlast calls:\n",
			self.seed,
			self.target_ops,
			self.ops,
			System::block_number()
		);
		for l in self.log.iter() {
			msg.push_str("  ");
			msg.push_str(l);
			msg.push('\n');
		}
		panic!("{msg}");
	}

	fn time(&mut self, what: &'static str, since: Instant) {
		*self.timers.entry(what).or_default() += since.elapsed();
	}

	/// The next call, if made with a `origin` origin, must succeed.
	fn must_succeed(&mut self, origin: &'static str, why: impl Into<String>) {
		self.expect = Some((origin, why.into(), true));
		self.expects += 1;
	}

	/// The next call must fail, whatever its origin.
	fn must_fail(&mut self, why: impl Into<String>) {
		self.expect = Some(("any", why.into(), false));
		self.expects += 1;
	}

	fn note(&mut self, line: String) {
		if self.log.len() >= 60 {
			self.log.pop_front();
		}
		self.log.push_back(line);
	}

	// -- Dispatch ------------------------------------------------------------

	/// Dispatches `call` through the runtime's dispatch path and records the
	/// outcome. A failed call must leave no event and (sampled) no storage change.
	fn dispatch(&mut self, kind: &'static str, origin: RuntimeOrigin, call: RuntimeCall) -> bool {
		self.ops += 1;
		let mut desc = format!("{call:?}");
		desc.truncate(240);
		let (origin_kind, origin_desc) = match origin.caller() {
			zkmarket_runtime::OriginCaller::system(frame_system::RawOrigin::Signed(a)) => {
				let i = self.accounts.iter().position(|x| x == a);
				(
					"signed",
					format!("signed(acct {})", i.map(|i| i.to_string()).unwrap_or("?".into())),
				)
			}
			zkmarket_runtime::OriginCaller::system(frame_system::RawOrigin::Root) => {
				("root", "root".into())
			}
			zkmarket_runtime::OriginCaller::system(frame_system::RawOrigin::None) => {
				("none", "none".into())
			}
			_ => ("other", "other".into()),
		};
		// An expectation holds for the origin it was made for.
		let expect = self.expect.take().filter(|(o, _, _)| *o == origin_kind || *o == "any");
		let sample_root = self.ops.is_multiple_of(97);
		let root_before = sample_root.then(|| sp_io::storage::root(StateVersion::V1));
		let events_before = System::event_count();
		let t = Instant::now();
		let res = call.dispatch(origin);
		self.time("dispatch", t);
		let outcome = match &res {
			Ok(_) => "Ok".to_string(),
			Err(e) => format!("Err({})", error_name(&e.error)),
		};
		self.note(format!(
			"#{} block {} {kind} by {origin_desc}: {desc} -> {outcome}",
			self.ops,
			System::block_number()
		));
		let stat = self.stats.entry(kind).or_default();
		match res {
			Ok(_) => {
				stat.ok += 1;
				if let Some((_, why, false)) = expect {
					self.fail(format!("{kind} must fail ({why}) but succeeded"));
				}
				true
			}
			Err(e) => {
				stat.err += 1;
				*stat.errors.entry(error_name(&e.error)).or_default() += 1;
				if let Some((_, why, true)) = expect {
					self.fail(format!(
						"{kind} must succeed ({why}) but failed with {}",
						error_name(&e.error)
					));
				}
				if System::event_count() != events_before {
					self.fail(format!("failed call left events: {kind}"));
				}
				if let Some(before) = root_before {
					self.root_checks += 1;
					if sp_io::storage::root(StateVersion::V1) != before {
						self.fail(format!("failed call changed storage: {kind}"));
					}
				}
				false
			}
		}
	}

	/// A signed origin, or now and then a wrong one (root or none).
	fn origin_for(&mut self, who: &AccountId) -> RuntimeOrigin {
		if self.rng.chance(1) {
			if self.rng.chance(50) {
				RuntimeOrigin::root()
			} else {
				RuntimeOrigin::none()
			}
		} else {
			signed(who)
		}
	}

	/// Root, or now and then a signed account (which must be refused).
	fn root_origin(&mut self) -> RuntimeOrigin {
		if self.rng.chance(8) {
			let who = self.any_account();
			signed(&who)
		} else {
			RuntimeOrigin::root()
		}
	}

	// -- Picking -------------------------------------------------------------

	fn any_account(&mut self) -> AccountId {
		let i = self.rng.index(self.accounts.len());
		self.accounts[i].clone()
	}

	fn registered(&self) -> Vec<AccountId> {
		pallet_provers::Provers::<Runtime>::iter_keys().collect()
	}

	/// A registered prover most of the time, else any account.
	fn prover_account(&mut self) -> AccountId {
		let reg = self.registered();
		if !reg.is_empty() && self.rng.chance(85) {
			reg[self.rng.index(reg.len())].clone()
		} else {
			self.any_account()
		}
	}

	/// An open request satisfying `f`, scanning from a random place.
	fn pick_open(&mut self, scan: usize, f: impl Fn(&ReqOf) -> bool) -> Option<(u64, ReqOf)> {
		let len = self.open.len();
		if len == 0 {
			return None;
		}
		let start = self.rng.index(len);
		for k in 0..len.min(scan) {
			let id = self.open[(start + k) % len];
			if let Some(r) = pallet_market::Requests::<Runtime>::get(id) {
				if !r.state.is_closed() && f(&r) {
					return Some((id, r));
				}
			}
		}
		None
	}

	/// A request from `list` (as of the last block) still satisfying `f`.
	fn pick_from(
		&mut self,
		list: fn(&Self) -> &Vec<u64>,
		f: impl Fn(&ReqOf) -> bool,
	) -> Option<(u64, ReqOf)> {
		let len = list(self).len();
		if len == 0 {
			return None;
		}
		let start = self.rng.index(len);
		for k in 0..len.min(32) {
			let id = list(self)[(start + k) % len];
			if let Some(r) = pallet_market::Requests::<Runtime>::get(id) {
				if f(&r) {
					return Some((id, r));
				}
			}
		}
		None
	}

	/// A dishonest account, registered as a prover most of the time.
	fn dishonest_account(&mut self) -> AccountId {
		let reg: Vec<AccountId> = pallet_provers::Provers::<Runtime>::iter_keys()
			.filter(|w| !self.honest.contains(w))
			.collect();
		if !reg.is_empty() && self.rng.chance(85) {
			return reg[self.rng.index(reg.len())].clone();
		}
		let all: Vec<AccountId> =
			self.accounts.iter().filter(|w| !self.honest.contains(*w)).cloned().collect();
		all[self.rng.index(all.len())].clone()
	}

	/// Honest provers prove the jobs they hold (assignments, locked offers) a few
	/// blocks after getting them, with real proofs (while the proving budget
	/// lasts). Jobs nobody can prove (unknown statement, other programs) are
	/// missed.
	fn honest_provers_work(&mut self) {
		for id in self.work.clone() {
			if !self.rng.chance(35) {
				continue;
			}
			let Some(r) = pallet_market::Requests::<Runtime>::get(id) else { continue };
			let prover = match &r.state {
				State::Assigned { prover, .. } | State::Locked { prover, .. } => prover.clone(),
				_ => continue,
			};
			if !self.honest.contains(&prover)
				|| r.program != self.demo_program
				|| r.inputs.len() != 1
			{
				continue;
			}
			let Some(x) = self.known_x.get(&r.inputs[0]).copied() else { continue };
			if self.real_proofs >= self.real_proof_budget {
				return;
			}
			let proof: BoundedVec<u8, _> =
				self.real_proof(x, id, &prover).try_into().expect("a proof fits");
			self.dispatch(
				"verifier.submit_proof",
				signed(&prover),
				RuntimeCall::Verifier(pallet_verifier::Call::submit_proof { request: id, proof }),
			);
		}
	}

	/// A prover that can take work now most of the time, else any prover-ish account.
	fn eligible_prover(&mut self) -> AccountId {
		let eligible: Vec<AccountId> = pallet_provers::Provers::<Runtime>::iter_keys()
			.filter(|w| Provers::prover_view(w).map(|v| v.eligible).unwrap_or(false))
			.collect();
		if !eligible.is_empty() && self.rng.chance(75) {
			eligible[self.rng.index(eligible.len())].clone()
		} else {
			self.prover_account()
		}
	}

	/// Some request id: usually a recent or open one, sometimes unknown.
	fn some_request_id(&mut self) -> u64 {
		let next = pallet_market::NextRequestId::<Runtime>::get();
		match self.rng.below(10) {
			0 => next + self.rng.below(5),
			1..=4 if !self.open.is_empty() => self.open[self.rng.index(self.open.len())],
			_ => self.rng.below(next.max(1)),
		}
	}

	fn programs(&self) -> Vec<(ProgramId, u32, AccountId)> {
		pallet_verifier::Programs::<Runtime>::iter()
			.map(|(id, p)| (id, p.inputs, p.owner))
			.collect()
	}

	fn demo_input(&mut self) -> [u8; 32] {
		let x = self.rng.range(0, 1_000_000);
		let y = demo::fr_bytes(demo::output(x));
		self.known_x.insert(y, x);
		y
	}

	/// Program and public inputs of a new request.
	fn request_target(&mut self) -> (ProgramId, Inputs) {
		let programs = self.programs();
		let demo_registered = programs.iter().any(|p| p.0 == self.demo_program);
		let r = self.rng.below(100);
		let (program, n, right) = if r < 78 && demo_registered {
			(self.demo_program, 1, true)
		} else if r < 90 && !programs.is_empty() {
			let p = &programs[self.rng.index(programs.len())];
			(p.0, p.1, p.0 == self.demo_program)
		} else if r < 95 {
			(self.rng.bytes32(), 1, false)
		} else {
			(self.demo_program, self.rng.range(0, 3) as u32, false)
		};
		let inputs: Vec<[u8; 32]> = (0..n)
			.map(|_| {
				if right && self.rng.chance(92) {
					self.demo_input()
				} else if self.rng.chance(50) {
					self.rng.bytes32()
				} else {
					demo::fr_bytes(demo::output(self.rng.below(1000)))
				}
			})
			.collect();
		(program, inputs.try_into().expect("at most 16 inputs"))
	}

	// -- Amounts -------------------------------------------------------------

	fn bid_amount(&mut self) -> Balance {
		match self.rng.below(20) {
			0..=3 => 0,
			4 => self.rng.range128(1, MILLI_ZK),
			5..=12 => self.rng.range128(MILLI_ZK, 100 * MILLI_ZK),
			13..=18 => self.rng.range128(100 * MILLI_ZK, 5 * ZK),
			_ => self.rng.range128(u128::MAX / 4, u128::MAX),
		}
	}

	fn max_base_fee_amount(&mut self) -> Balance {
		let fee = pallet_base_fee::BaseFee::<Runtime>::get();
		match self.rng.below(20) {
			0 => 0,
			1 => self.rng.range128(1, MIN_BASE_FEE - 1),
			2..=3 => self.rng.range128(MIN_BASE_FEE, MILLI_ZK),
			4..=12 => self.rng.range128(fee / 2, fee.saturating_mul(4)),
			13..=18 => self.rng.range128(MILLI_ZK, ZK),
			_ => self.rng.range128(u128::MAX / 2, u128::MAX),
		}
	}

	fn stake_amount(&mut self) -> Balance {
		match self.rng.below(20) {
			0 => 0,
			1..=2 => self.rng.range128(1, MIN_STAKE - 1),
			3..=4 => self.rng.range128(MIN_STAKE, 45 * ZK),
			5..=14 => self.rng.range128(45 * ZK, 800 * ZK),
			15..=18 => self.rng.range128(800 * ZK, 10_000 * ZK),
			_ => self.rng.range128(2_000_000 * ZK, u128::MAX),
		}
	}

	fn free_of(who: &AccountId) -> Balance {
		Balances::free_balance(who)
	}

	// -- Operations ----------------------------------------------------------

	/// Whether `program` is registered and takes `inputs.len()` public inputs.
	fn program_fits(&self, program: &ProgramId, inputs: &Inputs) -> bool {
		pallet_verifier::Programs::<Runtime>::get(program)
			.is_some_and(|p| p.inputs as usize == inputs.len())
	}

	/// Whether a request by `who` for `program` with `inputs`, holding `escrow`,
	/// passes the checks common to bids and offers.
	fn request_ok(
		&self,
		who: &AccountId,
		program: &ProgramId,
		inputs: &Inputs,
		escrow: u128,
	) -> bool {
		pallet_verifier::Programs::<Runtime>::get(program)
			.is_some_and(|p| p.inputs as usize == inputs.len())
			&& inputs.iter().all(zkmarket_primitives::field::is_canonical_scalar)
			&& pallet_market::OpenRequests::<Runtime>::get(who) < MAX_OPEN_PER_ACCOUNT
			&& Self::free_of(who) >= escrow.saturating_add(ZK)
	}

	fn op_submit_auction(&mut self) {
		let who = self.any_account();
		let (program, inputs) = self.request_target();
		let bid = self.bid_amount();
		let max_base_fee = self.max_base_fee_amount();
		let now = System::block_number();
		let expires_at = match self.rng.below(100) {
			0..=2 => now.saturating_sub(self.rng.below(3) as u32),
			3..=37 => now + self.rng.range(1, 20) as u32,
			38..=86 => now + self.rng.range(20, 300) as u32,
			87..=95 => now + self.rng.range(300, 3_000) as u32,
			96 => now + MAX_REQUEST_LIFETIME,
			_ => now + MAX_REQUEST_LIFETIME + 1,
		};
		let escrow = bid.checked_add(max_base_fee);
		if self.request_ok(&who, &program, &inputs, escrow.unwrap_or(u128::MAX))
			&& max_base_fee >= MIN_BASE_FEE
			&& escrow.is_some_and(|e| e >= MILLI_ZK)
			&& expires_at > now
			&& expires_at <= now + MAX_REQUEST_LIFETIME
			&& pallet_market::AuctionQueue::<Runtime>::decode_len().unwrap_or(0) < QUEUE_LEN
		{
			self.must_succeed("signed", "a valid funded bid while the queue has room");
		} else if !self.program_fits(&program, &inputs)
			|| max_base_fee < MIN_BASE_FEE
			|| escrow.is_none_or(|e| e < MILLI_ZK)
			|| expires_at <= now
			|| expires_at > now + MAX_REQUEST_LIFETIME
		{
			self.must_fail("an invalid bid");
		}
		let origin = self.origin_for(&who);
		let call = RuntimeCall::Market(pallet_market::Call::submit_request {
			program,
			inputs,
			pricing: Pricing::Auction { bid, max_base_fee },
			expires_at,
		});
		self.dispatch("market.submit_request/auction", origin, call);
	}

	fn op_submit_offer(&mut self) {
		let who = self.any_account();
		let (program, inputs) = self.request_target();
		let now_s = Market::now_secs();
		let ramp_up_start = match self.rng.below(100) {
			0..=3 => now_s - self.rng.range(MAX_OFFER_START_SKEW + 1, 600),
			4..=23 => now_s - self.rng.range(0, MAX_OFFER_START_SKEW),
			24..=78 => now_s + self.rng.range(0, 120),
			79..=94 => now_s + self.rng.range(120, 1_200),
			95..=96 => now_s + MAX_OFFER_DURATION,
			_ => now_s + MAX_OFFER_DURATION + self.rng.range(1, 1_000),
		};
		let ramp_up_period = self.rng.range(0, 300);
		let lock_timeout = if self.rng.chance(94) {
			ramp_up_period + self.rng.range(0, 600)
		} else {
			ramp_up_period.saturating_sub(self.rng.range(1, 50))
		};
		let timeout = match self.rng.below(100) {
			0..=3 => lock_timeout.saturating_sub(self.rng.range(1, 50)),
			4..=5 => MAX_OFFER_DURATION + self.rng.range(0, 10),
			6 => u64::MAX - self.rng.below(1_000),
			_ => lock_timeout + self.rng.range(0, 1_200),
		};
		let max_price = match self.rng.below(20) {
			0..=1 => self.rng.range128(0, MILLI_ZK - 1),
			2..=13 => self.rng.range128(MILLI_ZK, ZK),
			14..=18 => self.rng.range128(ZK, 50 * ZK),
			_ => self.rng.range128(u128::MAX / 2, u128::MAX),
		};
		let min_price = match self.rng.below(20) {
			0..=4 => 0,
			5..=18 => self.rng.range128(0, max_price),
			_ => max_price.saturating_add(self.rng.range128(1, ZK)),
		};
		let lock_collateral = match self.rng.below(20) {
			0 => self.rng.range128(0, 10 * MILLI_ZK - 1),
			1..=14 => self.rng.range128(10 * MILLI_ZK, 5 * ZK),
			15..=18 => self.rng.range128(5 * ZK, 100 * ZK),
			_ => self.rng.range128(10_000 * ZK + 1, u128::MAX),
		};
		let expires_at = self.rng.below(u32::MAX as u64) as u32;
		let curve_ok = min_price <= max_price
			&& ramp_up_period <= lock_timeout
			&& lock_timeout <= timeout
			&& ramp_up_start.checked_add(timeout).is_some();
		let slot_room = |t: u64| {
			(pallet_market::OfferDeadlines::<Runtime>::decode_len(t.saturating_add(1)).unwrap_or(0)
				as u32) < MAX_OFFER_DEADLINES_PER_SECOND
		};
		if curve_ok
			&& self.request_ok(&who, &program, &inputs, max_price)
			&& max_price >= MILLI_ZK
			&& timeout <= MAX_OFFER_DURATION
			&& ramp_up_start + MAX_OFFER_START_SKEW >= now_s
			&& ramp_up_start <= now_s + MAX_OFFER_DURATION
			&& ramp_up_start + timeout >= now_s
			&& (10 * MILLI_ZK..=10_000 * ZK).contains(&lock_collateral)
			&& slot_room(ramp_up_start + lock_timeout)
			&& slot_room(ramp_up_start + timeout)
		{
			self.must_succeed("signed", "a valid funded offer with room in its deadline seconds");
		} else if !curve_ok
			|| !self.program_fits(&program, &inputs)
			|| max_price < MILLI_ZK
			|| timeout > MAX_OFFER_DURATION
			|| ramp_up_start + MAX_OFFER_START_SKEW < now_s
			|| ramp_up_start > now_s + MAX_OFFER_DURATION
			|| !(10 * MILLI_ZK..=10_000 * ZK).contains(&lock_collateral)
		{
			self.must_fail("an invalid offer");
		}
		let origin = self.origin_for(&who);
		let call = RuntimeCall::Market(pallet_market::Call::submit_request {
			program,
			inputs,
			pricing: Pricing::Offer {
				min_price,
				max_price,
				ramp_up_start,
				ramp_up_period,
				lock_timeout,
				timeout,
				lock_collateral,
			},
			expires_at,
		});
		self.dispatch("market.submit_request/offer", origin, call);
	}

	fn op_cancel(&mut self) {
		let (id, who) = if self.rng.chance(80) {
			// Cancellable ones (queued bids, offers before their ramp-up) more often.
			let now_s = Market::now_secs();
			let found = if self.rng.chance(60) {
				self.pick_open(64, |r| match (&r.state, &r.pricing) {
					(State::Queued, _) => true,
					(State::Open, Pricing::Offer { ramp_up_start, .. }) => now_s < *ramp_up_start,
					_ => false,
				})
			} else {
				self.pick_open(8, |_| true)
			};
			match found {
				Some((id, r)) if self.rng.chance(90) => (id, r.requester),
				Some((id, _)) => (id, self.any_account()),
				None => (self.some_request_id(), self.any_account()),
			}
		} else {
			(self.some_request_id(), self.any_account())
		};
		if let Some(r) = pallet_market::Requests::<Runtime>::get(id) {
			let now_s = Market::now_secs();
			match (&r.state, &r.pricing) {
				_ if r.requester != who => self.must_fail("only the requester cancels"),
				(State::Queued, _) => self.must_succeed("signed", "requester cancels a queued bid"),
				(State::Open, Pricing::Offer { ramp_up_start, .. }) if now_s < *ramp_up_start => {
					self.must_succeed("signed", "requester cancels an offer before its ramp-up")
				}
				_ => self.must_fail(
					"no cancel once the ramp-up started, nor of an assigned, locked, proven or \
					 closed request",
				),
			}
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"market.cancel_request",
			origin,
			RuntimeCall::Market(pallet_market::Call::cancel_request { id }),
		);
	}

	fn op_decline(&mut self) {
		let found = self.pick_open(64, |r| matches!(r.state, State::Assigned { .. }));
		let (id, who) = match found {
			Some((id, r)) => match r.state {
				State::Assigned { prover, .. } if self.rng.chance(85) => (id, prover),
				_ => (id, self.any_account()),
			},
			None => (self.some_request_id(), self.any_account()),
		};
		if let Some(r) = pallet_market::Requests::<Runtime>::get(id) {
			match r.state {
				State::Assigned { prover, deadline, .. }
					if prover == who && System::block_number() <= deadline =>
				{
					self.must_succeed("signed", "the assigned prover declines before its deadline")
				}
				_ => self.must_fail("only the assigned prover declines, before its deadline"),
			}
		}
		let origin = self.origin_for(&who);
		let ok = self.dispatch(
			"market.decline_assignment",
			origin,
			RuntimeCall::Market(pallet_market::Call::decline_assignment { id }),
		);
		if ok {
			// The decliner is never dealt it again: excluded, or the request closed.
			let r = pallet_market::Requests::<Runtime>::get(id).expect("declined request");
			let excluded = pallet_market::RequestExclusions::<Runtime>::get(id)
				.is_some_and(|ex| ex.contains(&who));
			if !(excluded || r.state.is_closed()) {
				self.fail(format!("{who} declined {id} and is not excluded from it: {r:?}"));
			}
		}
	}

	fn op_lock(&mut self) {
		let now_s = Market::now_secs();
		let id = if self.rng.chance(85) {
			// Mostly offers still lockable.
			let lockable = self.rng.chance(80);
			match self.pick_from(
				|d| &d.offers,
				|r| {
					matches!(r.state, State::Open)
						&& (!lockable
							|| r.pricing.curve().is_some_and(|c| now_s <= c.lock_deadline()))
				},
			) {
				Some((id, _)) => id,
				None => self.some_request_id(),
			}
		} else {
			self.some_request_id()
		};
		let who = self.eligible_prover();
		let req = pallet_market::Requests::<Runtime>::get(id);
		let view = Provers::prover_view(&who);
		let eligible = view.as_ref().is_some_and(|v| v.eligible);
		match (&req, &view) {
			(Some(r), Some(v)) => {
				if let (State::Open, Pricing::Offer { lock_collateral, .. }, Some(c)) =
					(&r.state, &r.pricing, r.pricing.curve())
				{
					if now_s <= c.lock_deadline()
						&& v.eligible && v.effective_stake
						>= lock_collateral.saturating_add(MIN_STAKE)
					{
						self.must_succeed(
							"signed",
							"an eligible prover with a free slot and the stake for the \
							 collateral locks an open offer before its lock deadline",
						);
					} else if now_s > c.lock_deadline() || !eligible {
						self.must_fail(
							"no lock after the lock deadline or by an ineligible prover",
						);
					}
				} else {
					self.must_fail("only an open offer can be locked");
				}
			}
			_ => self.must_fail("no lock of an unknown request or by a non-prover"),
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"market.lock_request",
			origin,
			RuntimeCall::Market(pallet_market::Call::lock_request { id }),
		);
	}

	/// Makes a real proof of the demo statement for `id` and `who`.
	fn real_proof(&mut self, x: u64, id: u64, who: &AccountId) -> Vec<u8> {
		let t = Instant::now();
		let p = demo::prove(x, id, &who.encode(), self.rng.next());
		self.real_proof_time += t.elapsed();
		self.real_proofs += 1;
		if self.proof_cache.len() >= 8 {
			self.proof_cache.pop_front();
		}
		self.proof_cache.push_back(p.clone());
		p
	}

	fn garbage_proof(&mut self) -> Vec<u8> {
		let cached = !self.proof_cache.is_empty();
		match self.rng.below(100) {
			0..=29 => {
				let len = self.rng.range(1, MAX_PROOF_LEN as u64) as usize;
				self.rng.bytes(len)
			}
			30..=54 if cached => {
				// Tampered: one byte of a real proof flipped.
				let i = self.rng.index(self.proof_cache.len());
				let mut p = self.proof_cache[i].clone();
				let j = self.rng.index(p.len());
				p[j] ^= 1u8 << self.rng.below(8);
				p
			}
			55..=79 if cached => {
				// A real proof made for another request or prover.
				let i = self.rng.index(self.proof_cache.len());
				self.proof_cache[i].clone()
			}
			80..=89 => vec![0u8; 128],
			90..=94 => Vec::new(),
			_ => self.rng.bytes(128),
		}
	}

	fn op_submit_proof(&mut self) {
		// The target: an assignment or locked offer by its prover (the honest
		// path), an open offer or bounty by any prover, or anything.
		let r = self.rng.below(100);
		let found = if r < 50 {
			self.pick_from(
				|d| &d.work,
				|r| matches!(r.state, State::Assigned { .. } | State::Locked { .. }),
			)
		} else if r < 78 {
			self.pick_from(
				|d| &d.offers,
				|r| matches!(r.state, State::Open | State::BountyOpen { .. }),
			)
		} else {
			None
		};
		let (id, who): (u64, AccountId) = match found {
			Some((id, r)) => {
				let who = match &r.state {
					State::Assigned { prover, .. } | State::Locked { prover, .. }
						if self.rng.chance(95) =>
					{
						prover.clone()
					}
					_ => self.eligible_prover(),
				};
				(id, who)
			}
			None => (self.some_request_id(), self.prover_account()),
		};
		// A real proof when it can be accepted and the statement is known: mostly
		// for the assigned or locking prover, less for open offers and bounties.
		let req = pallet_market::Requests::<Runtime>::get(id);
		let provable = req.as_ref().and_then(|r| {
			if r.program != self.demo_program || r.inputs.len() != 1 {
				return None;
			}
			let x = *self.known_x.get(&r.inputs[0])?;
			match &r.state {
				State::Assigned { prover, .. } | State::Locked { prover, .. } if *prover == who => {
					Some((x, 88))
				}
				State::Open | State::BountyOpen { .. }
					if pallet_provers::Provers::<Runtime>::contains_key(&who) =>
				{
					Some((x, 75))
				}
				_ => None,
			}
		});
		let honest = self.honest.contains(&who);
		let mut who = who;
		let bytes = match provable {
			Some((x, pct))
				if self.real_proofs < self.real_proof_budget
					&& (honest || self.rng.chance(pct)) =>
			{
				self.real_proof(x, id, &who)
			}
			_ => {
				// An honest prover submits only proofs it made: the garbage comes
				// from a dishonest account.
				if honest {
					who = self.dishonest_account();
				}
				self.garbage_proof()
			}
		};
		if let (false, Some(r)) = (bytes.is_empty(), pallet_market::Requests::<Runtime>::get(id)) {
			let now = System::block_number();
			let now_s = Market::now_secs();
			let curve = r.pricing.curve();
			let eligible = Provers::prover_view(&who).is_some_and(|v| v.eligible);
			let why = match &r.state {
				State::Assigned { prover, deadline, .. } if *prover == who && now <= *deadline => {
					Some("the assigned prover proves by its deadline (inclusive)")
				}
				State::Locked { prover, .. }
					if *prover == who && curve.is_some_and(|c| now_s <= c.lock_deadline()) =>
				{
					Some("the locking prover proves by the lock deadline")
				}
				State::Open | State::BountyOpen { .. }
					if eligible && curve.is_some_and(|c| now_s <= c.deadline()) =>
				{
					Some("an eligible prover with a free slot proves an open offer or bounty")
				}
				_ => None,
			};
			let foreign = match &r.state {
				State::Assigned { prover, .. } => *prover != who,
				State::Locked { prover, .. } => {
					*prover != who && curve.is_some_and(|c| now_s <= c.lock_deadline())
				}
				State::Queued | State::ProofSubmitted { .. } => true,
				s => s.is_closed(),
			};
			// A proof its program's kind cannot read (the length, a second encoding
			// of the point at infinity, ...) is refused with a named error.
			let readable = pallet_verifier::Programs::<Runtime>::get(r.program)
				.is_some_and(|p| p.kind.check_proof(p.selector, &bytes).is_ok());
			if let Some(why) = why {
				if readable {
					self.must_succeed("signed", why);
				} else {
					self.must_fail(
						"a proof its program's kind cannot read is refused (named error)",
					);
				}
			} else if foreign {
				self.must_fail(
					"only the assigned or locking prover proves, and only once at a time; \
					 nobody proves a queued or closed request",
				);
			}
		}
		let proof: BoundedVec<u8, _> = bytes.try_into().expect("at most 512 bytes");
		let origin = self.origin_for(&who);
		self.dispatch(
			"verifier.submit_proof",
			origin,
			RuntimeCall::Verifier(pallet_verifier::Call::submit_proof { request: id, proof }),
		);
	}

	/// The verifiers' content hash of a pending proof, as the design defines it.
	fn content_hash(p: &pallet_verifier::PendingOf<Runtime>) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(p.request, &p.prover, p.program, &p.inputs, &p.proof).encode())
	}

	fn verify_cached(&mut self, id: u64, p: &pallet_verifier::PendingOf<Runtime>) -> bool {
		if let Some(v) = self.verified.get(&id) {
			return *v;
		}
		let t = Instant::now();
		let v = Verifier::verify_pending(p);
		self.time("native verification", t);
		self.verified.insert(id, v);
		v
	}

	fn op_submit_verdicts(&mut self) {
		let set = pallet_verifier::Verifiers::<Runtime>::get();
		let members: Vec<usize> = (0..self.verifier_keys.len())
			.filter(|i| set.contains(&self.verifier_keys[*i].public().into()))
			.collect();
		let k = if !members.is_empty() && self.rng.chance(90) {
			members[self.rng.index(members.len())]
		} else {
			self.rng.index(self.verifier_keys.len())
		};
		let honest = self.rng.chance(92);
		let queue: Vec<u64> = pallet_verifier::Pending::<Runtime>::iter_keys().collect();
		let mut verdicts: Vec<(u64, [u8; 32], bool)> = Vec::new();
		let signer: pallet_verifier::VerifierId = self.verifier_keys[k].public().into();
		let mut any_new = false;
		if !queue.is_empty() {
			let want = self.rng.range(1, MAX_VERDICTS as u64) as usize;
			let start = if self.rng.chance(60) { 0 } else { self.rng.index(queue.len()) };
			for id in queue.iter().cycle().skip(start).take(want.min(queue.len())) {
				let Some(p) = pallet_verifier::Pending::<Runtime>::get(id) else { continue };
				let hash =
					if self.rng.chance(4) { self.rng.bytes32() } else { Self::content_hash(&p) };
				let valid = if honest { self.verify_cached(*id, &p) } else { self.rng.chance(50) };
				any_new |= hash == Self::content_hash(&p)
					&& !p.valid.contains(&signer)
					&& !p.invalid.contains(&signer);
				verdicts.push((*id, hash, valid));
			}
		}
		if verdicts.is_empty() || self.rng.chance(3) {
			let unknown = pallet_verifier::NextProofId::<Runtime>::get() + self.rng.below(3);
			let hash = self.rng.bytes32();
			let valid = self.rng.chance(50);
			verdicts.push((unknown, hash, valid));
		}
		verdicts.truncate(MAX_VERDICTS);
		let key = self.verifier_keys[k].clone();
		let now = System::block_number();
		let batch = pallet_verifier::VerdictBatch {
			verifier: key.public().into(),
			block: now.saturating_sub(self.rng.below(3) as u32),
			verdicts: verdicts.try_into().unwrap(),
		};
		let genesis = System::block_hash(0u32);
		let msg = match self.rng.below(100) {
			0 => (b"zkmarket/verdicts/v1".as_slice(), &batch).encode(),
			1 => (VERDICT_CONTEXT_V2, sp_core::H256::repeat_byte(7), &batch).encode(),
			_ => {
				if any_new && set.contains(&signer) {
					self.must_succeed(
						"none",
						"a verifier's correctly signed batch with a new vote on a pending proof",
					);
				} else {
					self.must_fail("a batch by a non-verifier or without a new vote");
				}
				(VERDICT_CONTEXT_V2, genesis, &batch).encode()
			}
		};
		if self.expect.is_none() {
			self.must_fail("a batch signed over another context or chain");
		}
		let signature: pallet_verifier::VerifierSignature = key.sign(&msg).into();
		let origin = if self.rng.chance(2) {
			let who = self.any_account();
			signed(&who)
		} else {
			RuntimeOrigin::none()
		};
		self.dispatch(
			"verifier.submit_verdicts",
			origin,
			RuntimeCall::Verifier(pallet_verifier::Call::submit_verdicts { batch, signature }),
		);
	}

	fn op_register(&mut self) {
		let who = if self.rng.chance(80) {
			let reg: BTreeSet<AccountId> = self.registered().into_iter().collect();
			let free: Vec<AccountId> =
				self.accounts.iter().filter(|a| !reg.contains(*a)).cloned().collect();
			if free.is_empty() {
				self.any_account()
			} else {
				free[self.rng.index(free.len())].clone()
			}
		} else {
			self.any_account()
		};
		let stake = self.stake_amount();
		if !pallet_provers::Provers::<Runtime>::contains_key(&who)
			&& stake >= MIN_STAKE
			&& Self::free_of(&who) >= stake.saturating_add(ZK)
		{
			self.must_succeed("signed", "a new prover registers with enough stake and balance");
		} else if pallet_provers::Provers::<Runtime>::contains_key(&who) || stake < MIN_STAKE {
			self.must_fail("no second registration, no stake below the minimum");
		}
		let history = pallet_provers::ProverHistory::<Runtime>::get(&who);
		let origin = self.origin_for(&who);
		let ok = self.dispatch(
			"provers.register",
			origin,
			RuntimeCall::Provers(pallet_provers::Call::register { stake }),
		);
		// Most new provers declare what they serve at once, as agents do.
		if ok && self.rng.chance(85) {
			self.op_set_capabilities_of(who.clone());
		}
		// A returning prover keeps its track record.
		if let (true, Some(h)) = (ok, history) {
			let info = pallet_provers::Provers::<Runtime>::get(&who).expect("registered");
			if (info.reputation, info.failures, info.proofs_verified)
				!= (h.reputation, h.failures, h.proofs_verified)
			{
				self.fail(format!("{who} registered again without its record {h:?}: {info:?}"));
			}
			self.returns += 1;
		}
	}

	fn op_set_capabilities(&mut self) {
		let who = self.prover_account();
		self.op_set_capabilities_of(who);
	}

	/// `who` declares programs (usually the demo program, sometimes other
	/// registered programs, unknown ids or duplicates), kinds (the zkVM kinds,
	/// sometimes kinds that cannot be declared whole) and a job limit.
	fn op_set_capabilities_of(&mut self, who: AccountId) {
		let registered: Vec<ProgramId> = self.programs().into_iter().map(|p| p.0).collect();
		let mut programs = Vec::new();
		if self.rng.chance(85) {
			programs.push(self.demo_program);
		}
		for _ in 0..self.rng.below(3) {
			if !registered.is_empty() && self.rng.chance(60) {
				programs.push(registered[self.rng.index(registered.len())]);
			} else {
				programs.push(self.rng.bytes32());
			}
		}
		let mut kinds = Vec::new();
		for _ in 0..self.rng.below(3) {
			kinds.push(if self.rng.chance(80) {
				3 + self.rng.below(2) as u8
			} else {
				self.rng.below(5) as u8
			});
		}
		let max_jobs = if self.rng.chance(85) {
			self.rng.range(1, MAX_JOBS as u64 + 1) as u32
		} else {
			self.rng.below(6) as u32
		};
		let dup = |v: &mut Vec<[u8; 32]>| {
			let n = v.len();
			v.sort();
			v.dedup();
			v.len() != n
		};
		let (mut p, mut k) = (programs.clone(), kinds.clone());
		k.sort();
		let dup_kinds = k.windows(2).any(|w| w[0] == w[1]);
		let registered_prover = pallet_provers::Provers::<Runtime>::contains_key(&who);
		if registered_prover
			&& !dup(&mut p)
			&& !dup_kinds
			&& kinds.iter().all(|k| matches!(k, 3 | 4))
			&& (1..=MAX_JOBS).contains(&max_jobs)
		{
			self.must_succeed("signed", "a valid declaration by a registered prover");
		} else {
			self.must_fail("no unregistered prover, duplicate, kind that cannot be whole, or job limit out of range");
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"provers.set_capabilities",
			origin,
			RuntimeCall::Provers(pallet_provers::Call::set_capabilities {
				programs: programs.try_into().expect("at most 3 programs"),
				kinds: kinds
					.try_into()
					.unwrap_or_else(|v: Vec<u8>| v[..2].to_vec().try_into().unwrap()),
				max_jobs,
			}),
		);
	}

	fn op_bond_extra(&mut self) {
		// Often a prover topping up a stake that fell under (or near) the minimum.
		let low: Vec<AccountId> = pallet_provers::Provers::<Runtime>::iter_keys()
			.filter(|w| Provers::prover_view(w).is_some_and(|v| v.effective_stake < 2 * MIN_STAKE))
			.collect();
		let who = if !low.is_empty() && self.rng.chance(50) {
			low[self.rng.index(low.len())].clone()
		} else {
			self.prover_account()
		};
		let free = Self::free_of(&who);
		let amount = match self.rng.below(10) {
			0 => 0,
			1..=6 => self.rng.range128(1, 200 * ZK),
			7..=8 => self.rng.range128(0, free),
			_ => free.saturating_add(self.rng.range128(0, ZK)),
		};
		if pallet_provers::Provers::<Runtime>::contains_key(&who)
			&& amount > 0
			&& Self::free_of(&who) >= amount.saturating_add(ZK)
		{
			self.must_succeed("signed", "a prover bonds free balance");
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"provers.bond_extra",
			origin,
			RuntimeCall::Provers(pallet_provers::Call::bond_extra { amount }),
		);
	}

	fn op_unbond(&mut self) {
		let who = self.prover_account();
		let stake = pallet_provers::Provers::<Runtime>::get(&who).map(|i| i.stake).unwrap_or(0);
		let amount = match self.rng.below(10) {
			0 => 0,
			1..=3 => self.rng.range128(1, stake / 4 + 1),
			4..=5 => stake.saturating_sub(MIN_STAKE),
			6..=7 => stake,
			8 => self.rng.range128(1, stake.max(1)),
			_ => stake.saturating_add(self.rng.range128(1, ZK)),
		};
		if let (Some(info), Some(v)) =
			(pallet_provers::Provers::<Runtime>::get(&who), Provers::prover_view(&who))
		{
			let stake = v.effective_stake;
			let free_of_jobs = info.active_jobs == 0 && info.collateral == 0;
			if amount > 0
				&& amount <= stake
				&& (free_of_jobs || stake - amount >= MIN_STAKE)
				&& info.unbonding.len() < 16
			{
				self.must_succeed("signed", "a prover unbonds stake its jobs do not need");
			} else if amount == 0 || amount > stake || (!free_of_jobs && stake - amount < MIN_STAKE)
			{
				self.must_fail(
					"no unbonding of nothing, of more than the stake, or of stake jobs need",
				);
			}
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"provers.unbond",
			origin,
			RuntimeCall::Provers(pallet_provers::Call::unbond { amount }),
		);
	}

	fn op_withdraw(&mut self) {
		let who = if self.rng.chance(75) {
			let with_chunks: Vec<AccountId> = pallet_provers::Provers::<Runtime>::iter()
				.filter(|(_, i)| !i.unbonding.is_empty())
				.map(|(a, _)| a)
				.collect();
			if with_chunks.is_empty() {
				self.prover_account()
			} else {
				with_chunks[self.rng.index(with_chunks.len())].clone()
			}
		} else {
			self.prover_account()
		};
		if let Some(info) = pallet_provers::Provers::<Runtime>::get(&who) {
			let now = System::block_number();
			let empty = info.stake == 0
				&& info.collateral == 0
				&& info.reserved_bounty == 0
				&& info.unbonding.is_empty()
				&& info.active_jobs == 0;
			if info.unbonding.iter().any(|c| c.unlock_at <= now && !info.backs_obligations(c)) {
				self.must_succeed("signed", "a prover withdraws a matured chunk no job needs");
			} else if !empty {
				self.must_fail("nothing matured that no job needs");
			}
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"provers.withdraw_unbonded",
			origin,
			RuntimeCall::Provers(pallet_provers::Call::withdraw_unbonded {}),
		);
	}

	fn op_pause(&mut self, pause: bool) {
		let want = if pause {
			pallet_provers::ProverStatus::Active
		} else {
			pallet_provers::ProverStatus::Paused
		};
		let matching: Vec<AccountId> = pallet_provers::Provers::<Runtime>::iter()
			.filter(|(_, i)| i.status == want)
			.map(|(a, _)| a)
			.collect();
		let who = if !matching.is_empty() && self.rng.chance(80) {
			matching[self.rng.index(matching.len())].clone()
		} else {
			self.prover_account()
		};
		if pallet_provers::Provers::<Runtime>::get(&who).is_some_and(|i| i.status == want) {
			self.must_succeed("signed", "pause an active prover / resume a paused one");
		}
		let origin = self.origin_for(&who);
		if pause {
			self.dispatch(
				"provers.pause",
				origin,
				RuntimeCall::Provers(pallet_provers::Call::pause {}),
			);
		} else {
			self.dispatch(
				"provers.resume",
				origin,
				RuntimeCall::Provers(pallet_provers::Call::resume {}),
			);
		}
	}

	fn op_register_program(&mut self) {
		let who = self.any_account();
		let demo_registered = pallet_verifier::Programs::<Runtime>::contains_key(self.demo_program);
		let vk = match self.rng.below(100) {
			0..=29 if !demo_registered => self.vks[0].clone(),
			0..=74 => self.vks[self.rng.index(self.vks.len())].clone(),
			_ => {
				let mut vk = self.bad_vks[self.rng.index(self.bad_vks.len())].clone();
				if self.rng.chance(30) && !vk.is_empty() {
					// A flipped bit somewhere: usually not a valid key any more.
					let j = self.rng.index(vk.len());
					vk[j] ^= 1u8 << self.rng.below(8);
				}
				vk
			}
		};
		if self.vks.contains(&vk)
			&& !pallet_verifier::Programs::<Runtime>::contains_key(sp_io::hashing::blake2_256(&vk))
			&& Self::free_of(&who) >= 10 * ZK
		{
			self.must_succeed("signed", "a valid new key is registered by a funded account");
		} else if self.bad_vks.contains(&vk)
			|| pallet_verifier::Programs::<Runtime>::contains_key(sp_io::hashing::blake2_256(&vk))
		{
			self.must_fail("an invalid or already registered key");
		}
		let vk: BoundedVec<u8, _> = vk.try_into().expect("keys fit MaxVkLen");
		let origin = self.origin_for(&who);
		self.dispatch(
			"verifier.register_program",
			origin,
			RuntimeCall::Verifier(pallet_verifier::Call::register_program { vk }),
		);
	}

	fn op_unregister_program(&mut self) {
		let programs = self.programs();
		let (id, who) = if !programs.is_empty() && self.rng.chance(90) {
			let (id, _, owner) = programs[self.rng.index(programs.len())].clone();
			let who = if self.rng.chance(80) { owner } else { self.any_account() };
			(id, who)
		} else {
			(self.rng.bytes32(), self.any_account())
		};
		if pallet_verifier::Programs::<Runtime>::get(id).is_some_and(|p| p.owner == who)
			&& pallet_market::ProgramRequests::<Runtime>::get(id) == 0
		{
			self.must_succeed("signed", "the owner unregisters a program no open request names");
		} else {
			self.must_fail(
				"only the owner unregisters a program, and only when no open request names it",
			);
		}
		let origin = self.origin_for(&who);
		self.dispatch(
			"verifier.unregister_program",
			origin,
			RuntimeCall::Verifier(pallet_verifier::Call::unregister_program { id }),
		);
	}

	fn op_set_periods(&mut self) {
		let idle_period = match self.rng.below(20) {
			0 => 0,
			1 => self.rng.range(1, 9) as u32,
			2..=9 => 30,
			_ => self.rng.range(10, 300) as u32,
		};
		let unbonding_period = match self.rng.below(10) {
			0 => 0,
			1..=4 => 10,
			_ => self.rng.range(1, 200) as u32,
		};
		if idle_period > 0 {
			self.must_succeed("root", "valid periods");
		} else {
			self.must_fail("an idle period of zero");
		}
		let origin = self.root_origin();
		self.dispatch(
			"provers.set_periods (root)",
			origin,
			RuntimeCall::Provers(pallet_provers::Call::set_periods {
				idle_period,
				unbonding_period,
			}),
		);
	}

	fn op_set_verifiers(&mut self) {
		let pool: Vec<pallet_verifier::VerifierId> =
			self.verifier_keys.iter().map(|k| k.public().into()).collect();
		let mut chosen: Vec<pallet_verifier::VerifierId> = Vec::new();
		// Alice stays in most sets.
		if self.rng.chance(70) {
			chosen.push(pool[0].clone());
		}
		let extra = self.rng.range(0, 3);
		for _ in 0..extra {
			let v = pool[self.rng.index(pool.len())].clone();
			if !chosen.contains(&v) {
				chosen.push(v);
			}
		}
		if chosen.is_empty() {
			chosen.push(pool[self.rng.index(pool.len())].clone());
		}
		let mut threshold =
			if self.rng.chance(60) { 1 } else { self.rng.range(1, chosen.len() as u64) as u32 };
		match self.rng.below(100) {
			0..=3 => threshold = 0,
			4..=7 => threshold = chosen.len() as u32 + 1,
			8..=10 => chosen.push(chosen[0].clone()),
			11..=12 => chosen.clear(),
			_ => {}
		}
		let unique: BTreeSet<_> = chosen.iter().collect();
		if unique.len() == chosen.len() && threshold >= 1 && threshold as usize <= chosen.len() {
			self.must_succeed("root", "a valid verifier set");
		} else {
			self.must_fail("duplicates or a threshold out of range");
		}
		let origin = self.root_origin();
		self.dispatch(
			"verifier.set_verifiers (root)",
			origin,
			RuntimeCall::Verifier(pallet_verifier::Call::set_verifiers {
				verifiers: chosen,
				threshold,
			}),
		);
	}

	fn op_set_base_fee(&mut self) {
		let fee = match self.rng.below(20) {
			0..=1 => self.rng.range128(0, MIN_BASE_FEE - 1),
			2..=8 => self.rng.range128(MIN_BASE_FEE, MILLI_ZK),
			9..=16 => self.rng.range128(MILLI_ZK, ZK),
			17 => self.rng.range128(ZK, MAX_BASE_FEE),
			_ => self.rng.range128(MAX_BASE_FEE + 1, u128::MAX),
		};
		if (MIN_BASE_FEE..=MAX_BASE_FEE).contains(&fee) {
			self.must_succeed("root", "a BaseFee within bounds");
		} else {
			self.must_fail("a BaseFee out of bounds");
		}
		let origin = self.root_origin();
		self.dispatch(
			"base_fee.set_base_fee (root)",
			origin,
			RuntimeCall::BaseFee(pallet_base_fee::Call::set_base_fee { fee }),
		);
	}

	fn op_transfer(&mut self) {
		let from = self.any_account();
		let to = self.any_account();
		let free = Self::free_of(&from);
		let value = match self.rng.below(10) {
			0..=6 => self.rng.range128(MILLI_ZK, 500 * ZK),
			7..=8 => self.rng.range128(0, free),
			_ => free,
		};
		let origin = self.origin_for(&from);
		self.dispatch(
			"balances.transfer_keep_alive",
			origin,
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: to.into(),
				value,
			}),
		);
	}

	/// Fills the auction queue with cheap valid bids from the dev accounts (a
	/// jamming attempt); later bids then evict the worst or are refused.
	fn flood(&mut self) {
		self.flooded = true;
		if !pallet_verifier::Programs::<Runtime>::contains_key(self.demo_program) {
			let vk: BoundedVec<u8, _> = self.vks[0].clone().try_into().unwrap();
			let who = self.dev[3].clone();
			self.dispatch(
				"verifier.register_program",
				signed(&who),
				RuntimeCall::Verifier(pallet_verifier::Call::register_program { vk }),
			);
		}
		let queued = pallet_market::AuctionQueue::<Runtime>::decode_len().unwrap_or(0);
		let want = QUEUE_LEN.saturating_sub(queued) + 64;
		let now = System::block_number();
		// Half of the bids expire in the same block: more than the clearing
		// refunds in one block.
		let common_expiry = now + self.rng.range(30, 120) as u32;
		for i in 0..want {
			let who = self.dev[i % self.dev.len()].clone();
			if pallet_market::OpenRequests::<Runtime>::get(&who) >= MAX_OPEN_PER_ACCOUNT {
				continue;
			}
			let y = self.demo_input();
			let inputs: Inputs = vec![y].try_into().unwrap();
			let bid = self.rng.range128(0, 3 * MILLI_ZK);
			let expires_at =
				if i % 2 == 0 { common_expiry } else { now + self.rng.range(20, 300) as u32 };
			self.dispatch(
				"market.submit_request/auction",
				signed(&who),
				RuntimeCall::Market(pallet_market::Call::submit_request {
					program: self.demo_program,
					inputs,
					pricing: Pricing::Auction { bid, max_base_fee: MILLI_ZK },
					expires_at,
				}),
			);
		}
		let len = pallet_market::AuctionQueue::<Runtime>::decode_len().unwrap_or(0);
		println!("random_ops: flood at op {} block {}: queue {len}", self.ops, now);
	}

	/// Offers from many accounts with the same deadlines: the per-second index
	/// fills (`DeadlineSlotFull`) and many deadlines fall due in one second.
	fn offer_burst(&mut self) {
		let now_s = Market::now_secs();
		let ramp_up_start = now_s + self.rng.range(0, 60);
		let ramp_up_period = self.rng.range(0, 30);
		let lock_timeout = ramp_up_period + self.rng.range(20, 200);
		let timeout = lock_timeout + self.rng.range(0, 300);
		let n = self.rng.range(20, 40);
		for _ in 0..n {
			let who = self.any_account();
			let (program, inputs) = self.request_target();
			let max_price = self.rng.range128(MILLI_ZK, ZK);
			let lock_collateral = self.rng.range128(10 * MILLI_ZK, 2 * ZK);
			self.dispatch(
				"market.submit_request/offer",
				signed(&who),
				RuntimeCall::Market(pallet_market::Call::submit_request {
					program,
					inputs,
					pricing: Pricing::Offer {
						min_price: max_price / 2,
						max_price,
						ramp_up_start,
						ramp_up_period,
						lock_timeout,
						timeout,
						lock_collateral,
					},
					expires_at: 0,
				}),
			);
		}
	}

	fn random_op(&mut self) {
		if self.rng.below(2_000) == 0 {
			return self.offer_burst();
		}
		// Weights per mille-ish.
		const W: &[(u64, u8)] = &[
			(100, 0), // submit auction
			(80, 1),  // submit offer
			(55, 2),  // cancel
			(80, 3),  // lock
			(160, 4), // submit proof
			(90, 5),  // verdicts
			(40, 6),  // register
			(30, 7),  // bond_extra
			(35, 8),  // unbond
			(30, 9),  // withdraw
			(12, 10), // pause
			(20, 11), // resume
			(18, 12), // register program
			(18, 13), // unregister program
			(4, 14),  // set_periods
			(5, 15),  // set_verifiers
			(6, 16),  // set_base_fee
			(25, 17), // transfer
			(12, 18), // decline an assignment
			(15, 19), // set capabilities
		];
		let total: u64 = W.iter().map(|w| w.0).sum();
		let mut r = self.rng.below(total);
		let mut op = 0u8;
		for (w, o) in W {
			if r < *w {
				op = *o;
				break;
			}
			r -= w;
		}
		match op {
			0 => self.op_submit_auction(),
			1 => self.op_submit_offer(),
			2 => self.op_cancel(),
			3 => self.op_lock(),
			4 => self.op_submit_proof(),
			5 => self.op_submit_verdicts(),
			6 => self.op_register(),
			7 => self.op_bond_extra(),
			8 => self.op_unbond(),
			9 => self.op_withdraw(),
			10 => self.op_pause(true),
			11 => self.op_pause(false),
			12 => self.op_register_program(),
			13 => self.op_unregister_program(),
			14 => self.op_set_periods(),
			15 => self.op_set_verifiers(),
			16 => self.op_set_base_fee(),
			18 => self.op_decline(),
			19 => self.op_set_capabilities(),
			_ => self.op_transfer(),
		}
	}

	// -- Blocks --------------------------------------------------------------

	/// Ends the current block (with every check) and starts the next one.
	fn next_block(&mut self) {
		self.honest_provers_work();
		let n = System::block_number();
		let t = Instant::now();
		Market::on_finalize(n);
		self.time("hooks", t);
		self.check_block(n);
		let t = Instant::now();
		let events = System::events();
		self.burned += Self::retry_fees_burned();
		for e in events.iter() {
			*self.events.entry(event_name(&e.event)).or_default() += 1;
			if let RuntimeEvent::Market(pallet_market::Event::Assigned { id, prover, .. }) =
				&e.event
			{
				if let Err(why) = Self::assignment_fits(*id, prover) {
					self.fail(format!("in block {n}: request {id} dealt to {prover}: {why}"));
				}
			}
		}
		System::reset_events();
		self.time("events", t);
		System::set_block_number(n + 1);
		pallet_timestamp::Now::<Runtime>::mutate(|t| *t += BLOCK_MS);
		let t = Instant::now();
		Provers::on_initialize(n + 1);
		Market::on_initialize(n + 1);
		let before = System::event_count() as usize;
		Verifier::on_initialize(n + 1);
		// The verification timeouts of this block and what they caused.
		let events = System::events();
		if let Err(e) = Self::late_verdicts_never_slash(events[before..].iter().map(|r| &r.event)) {
			self.fail(format!("in block {}: {e}", n + 1));
		}
		self.time("hooks", t);
		self.blocks += 1;
	}

	/// Time passes after an operation: usually not at all (several calls share a
	/// block), often one block, sometimes tens, rarely hundreds.
	fn advance(&mut self) {
		let r = self.rng.below(10_000);
		let blocks = if r < 550 {
			1
		} else if r < 575 {
			self.rng.range(2, 10)
		} else if r < 577 {
			// Past idle and unbonding periods, proof deadlines, a verification round.
			self.rng.range(30, 100)
		} else if r < 579 {
			// Past all the verification rounds of a proof (3 x 50 blocks).
			self.rng.range(150, 200)
		} else if r < 580 {
			// Past offer deadlines and many idle periods.
			self.rng.range(150, 400)
		} else {
			0
		};
		for _ in 0..blocks {
			self.next_block();
		}
	}

	// -- Checks --------------------------------------------------------------

	/// An assignment goes only to a prover that declared the request's program
	/// (or its kind), is not excluded from it, and holds no more jobs than it
	/// declared.
	fn assignment_fits(id: u64, prover: &AccountId) -> Result<(), String> {
		let r = pallet_market::Requests::<Runtime>::get(id).ok_or("no request")?;
		let caps =
			pallet_provers::Capabilities::<Runtime>::get(prover).ok_or("declared nothing")?;
		let kind = pallet_verifier::Programs::<Runtime>::get(r.program).map(|p| p.kind.index());
		if !caps.serves(&r.program, kind) {
			return Err(format!("it does not serve program {:?}", r.program));
		}
		if pallet_market::RequestExclusions::<Runtime>::get(id)
			.is_some_and(|ex| ex.contains(prover))
		{
			return Err("it declined or missed it before".into());
		}
		let jobs =
			pallet_provers::Provers::<Runtime>::get(prover).ok_or("not a prover")?.active_jobs;
		if jobs > caps.max_jobs {
			return Err(format!("{jobs} jobs over its declared {}", caps.max_jobs));
		}
		Ok(())
	}

	/// No verdict in time must not cost the prover: the events of each
	/// verification timeout (`VerificationTimedOut`, `VerificationUndecided` and
	/// what re-opening the request does) include no slash (but of an unclaimed
	/// bounty), no forfeited collateral, no missed lock and no reputation change
	/// of that prover.
	fn late_verdicts_never_slash<'a>(
		events: impl Iterator<Item = &'a RuntimeEvent>,
	) -> Result<(), String> {
		use pallet_market::Event as M;
		use pallet_provers::Event as P;
		let mut current: Option<(u64, AccountId)> = None;
		for e in events {
			match e {
				RuntimeEvent::Verifier(pallet_verifier::Event::VerificationTimedOut { .. }) => {
					current = None
				}
				RuntimeEvent::Market(M::VerificationUndecided { id, prover }) => {
					current = Some((*id, prover.clone()))
				}
				_ => {}
			}
			let Some((id, prover)) = current.clone() else { continue };
			let bad = match e {
				RuntimeEvent::Provers(P::Slashed { who, reason, .. }) => {
					*who == prover && *reason != pallet_provers::SlashReason::UnclaimedBounty
				}
				RuntimeEvent::Provers(P::ReputationChanged { who, .. }) => *who == prover,
				RuntimeEvent::Provers(P::CollateralForfeited { who, .. }) => *who == prover,
				RuntimeEvent::Market(M::LockMissed { .. } | M::DeadlineMissed { .. }) => true,
				_ => false,
			};
			if bad {
				return Err(format!(
					"no verdict in time on {prover}'s proof for request {id}, yet: {e:?}"
				));
			}
		}
		Ok(())
	}

	/// Retry fees burned by the declines of the events not yet counted (this
	/// block's).
	fn retry_fees_burned() -> Balance {
		System::events()
			.iter()
			.map(|e| match &e.event {
				RuntimeEvent::Market(pallet_market::Event::DeclineCharged {
					retry_fee, ..
				}) => *retry_fee,
				_ => 0,
			})
			.sum()
	}

	fn check_block(&mut self, n: u32) {
		let checks: [(&str, TryState); 4] = [
			("try_state provers", pallet_provers::Pallet::<Runtime>::do_try_state),
			("try_state market", pallet_market::Pallet::<Runtime>::do_try_state),
			("try_state base-fee", pallet_base_fee::Pallet::<Runtime>::do_try_state),
			("try_state verifier", pallet_verifier::Pallet::<Runtime>::do_try_state),
		];
		for (name, check) in checks {
			let t = Instant::now();
			let r = check();
			self.time(name, t);
			if let Err(e) = r {
				self.fail(format!("{name} failed after block {n}: {e:?}"));
			}
		}
		let t = Instant::now();
		let issuance = Balances::total_issuance();
		let expected = TOTAL_ISSUANCE - self.burned - Self::retry_fees_burned();
		if issuance != expected {
			self.fail(format!(
				"total issuance {issuance} != {expected} (genesis less burned retry fees; diff {})",
				issuance as i128 - expected as i128
			));
		}
		let mut sum: Balance = 0;
		for (_, info) in frame_system::Account::<Runtime>::iter() {
			sum += info.data.free + info.data.reserved;
		}
		if sum != issuance {
			self.fail(format!("sum of balances {sum} != total issuance {issuance}"));
		}
		let treasury = Balances::free_balance(TreasuryAccount::get());
		if treasury < self.treasury_floor {
			self.fail(format!("treasury shrank: {} -> {treasury}", self.treasury_floor));
		}
		self.treasury_floor = treasury;
		self.time("issuance", t);
		let t = Instant::now();
		let r = self.cross_check();
		self.time("cross-check", t);
		if let Err(e) = r {
			self.fail(format!("cross-pallet check failed after block {n}: {e}"));
		}
	}

	/// Accounting across the pallets, from the open requests (tracked by id) and
	/// the pending proofs.
	fn cross_check(&mut self) -> Result<(), String> {
		use pallet_market::Fulfilment as F;
		let next = pallet_market::NextRequestId::<Runtime>::get();
		let mut ids: BTreeSet<u64> = self.open.iter().copied().collect();
		ids.extend(self.next_request_seen..next);
		self.next_request_seen = next;
		let mut jobs: BTreeMap<AccountId, u32> = BTreeMap::new();
		let mut collateral: BTreeMap<AccountId, Balance> = BTreeMap::new();
		let mut bounty: BTreeMap<AccountId, Balance> = BTreeMap::new();
		let mut submitted: BTreeMap<u64, AccountId> = BTreeMap::new();
		let mut open = Vec::new();
		let (mut work, mut offers) = (Vec::new(), Vec::new());
		let fee_cap = |p: &Pricing| match p {
			Pricing::Auction { bid, max_base_fee } => bid.saturating_add(*max_base_fee),
			Pricing::Offer { max_price, .. } => *max_price,
		};
		for id in ids {
			let Some(r) = pallet_market::Requests::<Runtime>::get(id) else { continue };
			if r.state.is_closed() {
				continue;
			}
			open.push(id);
			match r.state {
				State::Assigned { .. } | State::Locked { .. } => work.push(id),
				State::Open | State::BountyOpen { .. } => offers.push(id),
				_ => {}
			}
			let cap = fee_cap(&r.pricing);
			let is_offer = matches!(r.pricing, Pricing::Offer { .. });
			let expect_escrow = |want: Balance, what: &str| -> Result<(), String> {
				if r.escrow != want {
					return Err(format!(
						"request {id} in {what} holds escrow {} != {want}: {r:?}",
						r.escrow
					));
				}
				Ok(())
			};
			match &r.state {
				State::Queued => {
					if is_offer {
						return Err(format!("offer {id} is Queued"));
					}
					expect_escrow(cap, "Queued")?;
				}
				State::Assigned { prover, price, .. } => {
					if is_offer {
						return Err(format!("offer {id} is Assigned"));
					}
					*jobs.entry(prover.clone()).or_default() += 1;
					expect_escrow(*price, "Assigned")?;
				}
				State::Open => {
					if !is_offer {
						return Err(format!("auction request {id} is Open"));
					}
					expect_escrow(cap, "Open")?;
				}
				State::Locked { prover, collateral: c, price } => {
					if *price > cap {
						return Err(format!("offer {id} locked above max_price"));
					}
					*jobs.entry(prover.clone()).or_default() += 1;
					*collateral.entry(prover.clone()).or_default() += c;
					expect_escrow(cap, "Locked")?;
				}
				State::BountyOpen { slashed, bounty: b } => {
					if *b > 0 {
						*bounty.entry(slashed.clone()).or_default() += b;
					}
					expect_escrow(0, "BountyOpen")?;
				}
				State::ProofSubmitted { prover, fulfilment, .. } => {
					*jobs.entry(prover.clone()).or_default() += 1;
					submitted.insert(id, prover.clone());
					match fulfilment {
						F::Assignment { price, .. } => {
							expect_escrow(*price, "ProofSubmitted/Assignment")?
						}
						F::Locked { collateral: c, .. } => {
							*collateral.entry(prover.clone()).or_default() += c;
							expect_escrow(cap, "ProofSubmitted/Locked")?;
						}
						F::Open { .. } => expect_escrow(cap, "ProofSubmitted/Open")?,
						F::Bounty { from, amount } => {
							if *amount > 0 {
								*bounty.entry(from.clone()).or_default() += amount;
							}
							expect_escrow(0, "ProofSubmitted/Bounty")?;
						}
					}
				}
				_ => {}
			}
		}
		self.max_requests_open = self.max_requests_open.max(open.len());
		self.open = open;
		self.work = work;
		self.offers = offers;
		// Provers: slots, collateral and bounty as the requests say.
		let mut provers = BTreeSet::new();
		let mut eligible = 0u64;
		for (who, info) in pallet_provers::Provers::<Runtime>::iter() {
			match Provers::prover_view(&who) {
				Some(v) if v.eligible => eligible += 1,
				Some(v) => {
					let why = if v.paused {
						"paused"
					} else if v.effective_stake < MIN_STAKE {
						"stake below minimum"
					} else if v.reputation < sp_runtime::Perbill::from_percent(10) {
						"reputation below minimum"
					} else {
						"no free slot"
					};
					*self.ineligible.entry(why).or_default() += 1;
				}
				None => {}
			}
			let j = jobs.get(&who).copied().unwrap_or(0);
			let c = collateral.get(&who).copied().unwrap_or(0);
			let b = bounty.get(&who).copied().unwrap_or(0);
			if info.active_jobs != j || info.collateral != c || info.reserved_bounty != b {
				return Err(format!(
					"prover {who}: active_jobs {} / collateral {} / reserved_bounty {} but the \
					 requests say {j} / {c} / {b}",
					info.active_jobs, info.collateral, info.reserved_bounty
				));
			}
			provers.insert(who);
		}
		self.eligible_sum += eligible;
		self.eligible_min = self.eligible_min.min(eligible);
		self.registered_sum += provers.len() as u64;
		for who in jobs.keys().chain(collateral.keys()).chain(bounty.keys()) {
			if !provers.contains(who) {
				return Err(format!("requests refer to {who}, who is not a registered prover"));
			}
		}
		// Pending proofs <-> ProofSubmitted requests.
		let mut pending = 0usize;
		for (pid, p) in pallet_verifier::Pending::<Runtime>::iter() {
			pending += 1;
			match submitted.remove(&p.request) {
				Some(who) if who == p.prover => {}
				other => {
					return Err(format!(
						"pending proof {pid} for request {} by {}: the request's prover is {other:?}",
						p.request, p.prover
					))
				}
			}
		}
		if let Some((id, who)) = submitted.into_iter().next() {
			return Err(format!("request {id} awaits a verdict on {who}'s proof, none is pending"));
		}
		self.max_pending = self.max_pending.max(pending);
		let q = pallet_market::AuctionQueue::<Runtime>::decode_len().unwrap_or(0);
		self.max_queue = self.max_queue.max(q);
		self.queue_sum += q as u64;
		Ok(())
	}

	// -- Run -----------------------------------------------------------------

	fn setup(&mut self) {
		self.treasury_floor = Balances::free_balance(TreasuryAccount::get());
		// Fund the derived accounts from the treasury; a quarter of them poorly.
		for _ in 0..INITIAL_DERIVED {
			self.new_account();
		}
		// The demo program and three provers, so the market starts moving.
		let vk: BoundedVec<u8, _> = self.vks[0].clone().try_into().unwrap();
		RuntimeCall::Verifier(pallet_verifier::Call::register_program { vk })
			.dispatch(signed(&self.dev[3]))
			.expect("demo program");
		for (i, stake) in [(1usize, 500 * ZK), (2, 300 * ZK), (7, 100 * ZK)] {
			RuntimeCall::Provers(pallet_provers::Call::register { stake })
				.dispatch(signed(&self.accounts[i]))
				.expect("prover");
			RuntimeCall::Provers(pallet_provers::Call::set_capabilities {
				programs: vec![self.demo_program].try_into().unwrap(),
				kinds: Default::default(),
				max_jobs: MAX_JOBS,
			})
			.dispatch(signed(&self.accounts[i]))
			.expect("capabilities");
		}
		self.treasury_floor = Balances::free_balance(TreasuryAccount::get());
		self.check_block(System::block_number());
	}

	/// Funds a new account from the treasury (not counted as an operation).
	fn new_account(&mut self) {
		let i = self.accounts.len();
		let pair = sr25519::Pair::from_string(&format!("//RandomOps//{i}"), None).unwrap();
		let who = AccountId::from(pair.public());
		let value = if i.is_multiple_of(4) { 60 * ZK } else { 20_000 * ZK };
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: who.clone().into(),
			value,
		});
		call.dispatch(signed(&TreasuryAccount::get())).expect("funding");
		if i % 2 == 1 {
			self.honest.insert(who.clone());
		}
		self.treasury_floor = self.treasury_floor.checked_sub(value).expect("treasury floor");
		self.accounts.push(who);
	}

	fn run(&mut self) {
		while self.ops < self.target_ops {
			if !self.flooded && self.ops >= self.flood_at {
				self.flood();
			}
			// New accounts keep arriving: provers ruined by failures (reputation
			// survives deregistration) are replaced, so the market stays alive.
			if self.ops >= self.next_newcomer {
				self.next_newcomer += NEWCOMER_EVERY;
				self.new_account();
			}
			self.random_op();
			self.advance();
			if self.ops >= self.day_jump_at {
				self.day_jump_at = u64::MAX;
				// A day without blocks' worth of traffic: closed requests are
				// pruned, every bid and offer expires, stakes decay for hundreds of
				// idle periods.
				let n = zkmarket_runtime::DAYS + 2 + self.rng.below(20) as u32;
				println!("random_ops: jumping {n} blocks at op {}", self.ops);
				for _ in 0..n {
					self.next_block();
				}
			}
		}
		self.next_block();
	}

	fn report(&self, started: Instant, strict: bool) {
		println!(
			"random_ops: seed {:#x}: {} operations in {} blocks (to block {}), {:.1?}",
			self.seed,
			self.ops,
			self.blocks,
			System::block_number(),
			started.elapsed()
		);
		println!(
			"random_ops: {} real proofs ({:.1?} proving); {} sampled storage-root checks of \
			 failed calls; {} calls checked to succeed or fail; {} provers back with their record",
			self.real_proofs, self.real_proof_time, self.root_checks, self.expects, self.returns
		);
		println!(
			"random_ops: auction queue avg {:.0} max {}, max pending proofs {}, max open requests {}, requests {}",
			self.queue_sum as f64 / (self.blocks + 1) as f64,
			self.max_queue,
			self.max_pending,
			self.max_requests_open,
			pallet_market::NextRequestId::<Runtime>::get()
		);
		let checks = (self.blocks + 1) as f64;
		println!(
			"random_ops: provers per block: {:.1} registered, {:.1} eligible with a free slot (min {})",
			self.registered_sum as f64 / checks,
			self.eligible_sum as f64 / checks,
			self.eligible_min
		);
		let why: Vec<String> =
			self.ineligible.iter().map(|(k, v)| format!("{k} {:.1}", *v as f64 / checks)).collect();
		println!("random_ops: ineligible provers per block: {}", why.join(", "));
		let timers: Vec<String> =
			self.timers.iter().map(|(k, v)| format!("{k} {:.1?}", v)).collect();
		println!("random_ops: time in {}", timers.join(", "));
		println!("{:<34} {:>7} {:>7}  errors", "call", "ok", "err");
		let mut missing = Vec::new();
		for kind in KINDS {
			let s = self.stats.get(kind);
			let (ok, err) = s.map(|s| (s.ok, s.err)).unwrap_or((0, 0));
			let errors = s
				.map(|s| {
					s.errors.iter().map(|(e, n)| format!("{e} {n}")).collect::<Vec<_>>().join(", ")
				})
				.unwrap_or_default();
			println!("{kind:<34} {ok:>7} {err:>7}  {errors}");
			if ok == 0 {
				missing.push(*kind);
			}
		}
		println!("events:");
		for (e, n) in self.events.iter() {
			println!("  {e:<40} {n:>8}");
		}
		let missing_events: Vec<&str> = REQUIRED_EVENTS
			.iter()
			.filter(|e| self.events.get(**e).copied().unwrap_or(0) == 0)
			.copied()
			.collect();
		if strict {
			assert!(missing.is_empty(), "call kinds that never succeeded: {missing:?}");
			assert!(missing_events.is_empty(), "paths never reached: {missing_events:?}");
		} else if !missing.is_empty() || !missing_events.is_empty() {
			println!(
				"random_ops: short run, not enforced: never succeeded {missing:?}; never reached {missing_events:?}"
			);
		}
	}
}

fn env_u64(name: &str) -> Option<u64> {
	let v = std::env::var(name).ok()?;
	let v = v.trim();
	let parsed = match v.strip_prefix("0x") {
		Some(hex) => u64::from_str_radix(hex, 16),
		None => v.parse(),
	};
	Some(parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number")))
}

#[test]
fn random_operations_keep_every_invariant() {
	let ops = env_u64("RANDOM_OPS").unwrap_or(DEFAULT_OPS);
	let seed = env_u64("RANDOM_SEED").unwrap_or(DEFAULT_SEED);
	println!(
		"random_ops: seed {seed:#x} ({seed}), {ops} operations (set RANDOM_SEED / RANDOM_OPS)"
	);
	let started = Instant::now();
	preset_ext("development").execute_with(|| {
		let mut d = Driver::new(seed, ops);
		if let Some(at) = env_u64("RANDOM_DAY_JUMP") {
			d.day_jump_at = at;
		}
		d.setup();
		d.run();
		// Coverage is enforced for runs as long as the default one.
		d.report(started, ops >= DEFAULT_OPS);
	});
}
