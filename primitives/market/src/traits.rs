//! The seams between the market pallets. Each pallet depends only on these
//! traits; the runtime wires the implementations together, and every pallet
//! tests alone on its mock runtime.

use alloc::vec::Vec;
use sp_runtime::{DispatchError, DispatchResult, Weight};

/// Identifier of a proof request.
pub type RequestId = u64;

/// Identifier of a registered program: the blake2-256 hash of its verifying key.
pub type ProgramId = [u8; 32];

/// A public input of a program: a BN254 scalar field element, 32 bytes little-endian.
pub type PublicInput = [u8; 32];

/// A program kind as its codec index in the verifier's `ProgramKind`
/// (0 arkworks, 1 snarkjs, 2 gnark, 3 SP1, 4 RISC Zero).
pub type ProgramKindId = u8;

/// Something a prover declares it can prove.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
)]
pub enum Capability {
	/// One program (its circuit or guest is set up).
	#[codec(index = 0)]
	Program(ProgramId),
	/// Every program of a kind (zkVM kinds: any SP1 or RISC Zero guest).
	#[codec(index = 1)]
	Kind(ProgramKindId),
}

/// Where a walk over the provers of a capability continues: the last key read.
pub type CapabilityCursor<AccountId> = (crate::gsp::SlotRank, AccountId);

/// Why a prover failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Failure {
	/// A proof was verified invalid: stake is slashed by `InvalidProofSlash`.
	InvalidProof,
	/// An auction assignment's deadline passed: stake is slashed by `MissedDeadlineSlash`.
	MissedDeadline,
	/// An offer's lock deadline passed: the lock collateral is the penalty (taken
	/// separately), only reputation drops here.
	MissedLock,
	/// The prover declined an assignment (for free, early in its window) that
	/// another prover then proved: only reputation drops.
	DeclinedProvable,
}

/// What a submitted proof fulfils, for the verifier's per-block bounds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProofKind {
	/// A promise the prover made (an auction assignment or a locked offer),
	/// penalised when late: never refused for lack of room.
	Obligated,
	/// An open offer or a bounty: anyone eligible may prove it, taking a job slot.
	Open,
}

/// The prover registry (pallet-provers) as the market and the verifier see it.
pub trait ProverRegistry<AccountId, Balance> {
	/// Whether `who` may take new work now (active, enough stake and reputation).
	fn is_eligible(who: &AccountId) -> bool;
	/// Free job slots of eligible provers in auction order (reputation desc, stake
	/// desc, account asc), dealt round-robin, at most `max`. Reads at most `max`
	/// provers (plus a bounded number whose pending idle decay it applies), not
	/// every registered one.
	fn auction_slots(max: u32) -> Vec<AccountId>;
	/// The next prover after `after` (from the start when `None`) that
	/// declared `capability` and can take auction work now (eligible, a free
	/// job slot under its declared limit), in slot order. Returns the walk's
	/// new cursor and the prover's offer, `None` as the offer for an entry that
	/// cannot take work after all (pending idle decay took it under the
	/// minimum): each call reads one index entry. A prover met with decay
	/// pending gets it applied while `decays` (decremented) lasts, which moves
	/// it down or out of the indexes, so stale entries do not stay. `None` when
	/// the walk is over.
	#[allow(clippy::type_complexity)]
	fn next_capable(
		capability: &Capability,
		after: Option<&CapabilityCursor<AccountId>>,
		decays: &mut u32,
	) -> Option<(CapabilityCursor<AccountId>, Option<crate::gsp::SlotOffer<AccountId>>)>;
	/// Whether a prover that declared `capability`, can take work and holds
	/// as many jobs as it declared (busy) is not in `excluded`. Reads at most
	/// `excluded.len() + 1` index entries, each counted against `budget` (none
	/// left: `false`).
	fn serves_busy(capability: &Capability, excluded: &[AccountId], budget: &mut u32) -> bool;
	/// Pending decays one clearing may apply through [`Self::next_capable`]
	/// (their weight is the registry's to reserve).
	fn clearing_decays() -> u32;
	/// Number of registered provers.
	fn prover_count() -> u32;
	/// Takes one job slot of `who`.
	fn occupy_slot(who: &AccountId) -> DispatchResult;
	/// Frees one job slot of `who`.
	fn release_slot(who: &AccountId);
	/// Moves `amount` of `who`'s stake into its collateral hold.
	fn hold_collateral(who: &AccountId, amount: Balance) -> DispatchResult;
	/// Moves `amount` of collateral back into `who`'s stake.
	fn release_collateral(who: &AccountId, amount: Balance);
	/// Forfeits `amount` of `who`'s collateral: `bounty` of it stays reserved on
	/// `who` (for [`Self::pay_bounty`] or [`Self::slash_bounty`]), the rest goes
	/// to the slash handler. Returns the amount actually forfeited.
	fn forfeit_collateral(who: &AccountId, amount: Balance, bounty: Balance) -> Balance;
	/// Pays a reserved bounty of `from` into the stake of `to`.
	fn pay_bounty(from: &AccountId, to: &AccountId, amount: Balance) -> DispatchResult;
	/// Sends a reserved bounty nobody earned to the slash handler.
	fn slash_bounty(from: &AccountId, amount: Balance);
	/// Adds `amount` of `who`'s free balance to its stake (an earned fee).
	fn credit_stake(who: &AccountId, amount: Balance) -> DispatchResult;
	/// A verified proof: reputation up, idle clock reset.
	fn record_success(who: &AccountId);
	/// A failure: slash as [`Failure`] says, reputation down. Returns the slashed amount.
	fn record_failure(who: &AccountId, failure: Failure) -> Balance;
}

/// The BaseFee (pallet-base-fee) as the market sees it.
pub trait BaseFeeOracle<Balance> {
	/// The current BaseFee.
	fn base_fee() -> Balance;
	/// The lowest the BaseFee can go: a bid accepting less can never win.
	fn min_base_fee() -> Balance;
	/// Reports this block's demand (eligible bids) and capacity (free slots);
	/// updates the BaseFee for the next block.
	fn on_demand(demand: u32, capacity: u32);
}

/// Registered programs (pallet-verifier) as the market sees them.
pub trait ProgramRegistry {
	/// Number of public inputs a request for `program` must carry, `None` if
	/// the program is not registered.
	fn public_inputs(program: &ProgramId) -> Option<u32>;
	/// Whether `inputs` (already the right number of canonical scalars) can be
	/// the public inputs of a request for `program`: some kinds restrict them
	/// further (RISC Zero's digest halves are below 2^128).
	fn accepts_inputs(program: &ProgramId, inputs: &[PublicInput]) -> bool;
	/// Whether proofs of `program` carry the request/prover binding. Proofs of
	/// an unbound program are valid for any prover, so only the prover that
	/// carries the obligation (an auction assignment, a locked offer) may submit
	/// one; `false` for an unknown program.
	fn is_bound(program: &ProgramId) -> bool;
	/// The kind of `program` (`None` if it is not registered).
	fn kind(program: &ProgramId) -> Option<ProgramKindId>;
}

/// Outcome of verifying a proof.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// The verifiers agreed the proof is valid.
	Valid,
	/// The verifiers agreed the proof is invalid.
	Invalid,
	/// No verdict was reached within the verification timeout.
	Undecided,
}

/// The market (pallet-market) as the verifier sees it.
pub trait ProofMarket<AccountId> {
	/// Checks that `prover` may submit a proof for `request` now and marks the
	/// request as proof-submitted. Returns the program, the public inputs and
	/// what the proof fulfils.
	fn begin_verification(
		request: RequestId,
		prover: &AccountId,
	) -> Result<(ProgramId, Vec<PublicInput>, ProofKind), DispatchError>;
	/// Settles a request once its proof has a final verdict. `proof` is the
	/// proof's bytes; a market may keep a valid one for requesters to read.
	fn conclude(request: RequestId, prover: &AccountId, verdict: Verdict, proof: &[u8]);
	/// Open (not closed) requests that name `program`.
	fn open_requests_for(program: &ProgramId) -> u32;
	/// Worst-case weight of [`Self::begin_verification`] beyond the proof
	/// submission itself (deadlines it applies before it can fail).
	fn begin_verification_weight() -> Weight;
	/// Worst-case weight of one [`Self::conclude`]: the costliest of settling a
	/// request (with the reputation of its free decliners) and returning it to
	/// the market (a slash, and a re-queue into a full queue with an eviction).
	fn conclude_weight() -> Weight;
}
