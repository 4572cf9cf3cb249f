//! Types stored by the provers pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::Perbill;
use zkmarket_primitives::traits::{Capability, ProgramId, ProgramKindId};

/// Whether a prover takes work.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum ProverStatus {
	/// Accepting work; its stake decays while idle.
	Active,
	/// Left the market for now: gets no work and does not decay.
	Paused,
}

/// Stake on its way out: released by `withdraw_unbonded` from block `unlock_at`.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct UnbondingChunk<Balance, BlockNumber> {
	/// Amount unbonding.
	pub amount: Balance,
	/// First block at which it can be withdrawn.
	pub unlock_at: BlockNumber,
	/// Block at which it was unbonded. A chunk unbonded while the prover had
	/// obligations stays slashable (and held) until they are over.
	pub unbonded_at: BlockNumber,
}

/// The record of a registered prover.
///
/// Held balances: `stake + sum(unbonding)` under `HoldReason::Stake`,
/// `collateral + reserved_bounty` under `HoldReason::Collateral`.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct ProverInfo<Balance, BlockNumber, MaxChunks: Get<u32>> {
	/// Active stake (grows with earned fees, shrinks by decay and slashes).
	pub stake: Balance,
	/// Lock collateral currently pledged to offers.
	pub collateral: Balance,
	/// Forfeited collateral kept as a bounty for whoever fulfils the offer.
	pub reserved_bounty: Balance,
	/// Stake being unbonded.
	pub unbonding: BoundedVec<UnbondingChunk<Balance, BlockNumber>, MaxChunks>,
	/// Reputation in [0, 100%].
	pub reputation: Perbill,
	/// Active or paused.
	pub status: ProverStatus,
	/// Unfinished jobs (auction assignments and locked offers).
	pub active_jobs: u32,
	/// Start of the current idle clock (last verified proof or registration),
	/// moved forward by the time spent paused.
	pub idle_since: BlockNumber,
	/// When the prover paused (`None` while active): the idle clock is frozen
	/// at `paused_at - idle_since` until it resumes.
	pub paused_at: Option<BlockNumber>,
	/// Start of the current run of obligations (unfinished jobs or pending
	/// proofs); `None` when it has none. Stake unbonded since then still backs
	/// them.
	pub obligated_since: Option<BlockNumber>,
	/// Verified proofs so far.
	pub proofs_verified: u32,
	/// Failures (invalid proofs, missed deadlines) so far.
	pub failures: u32,
}

impl<Balance, BlockNumber, MaxChunks> ProverInfo<Balance, BlockNumber, MaxChunks>
where
	Balance: Copy + sp_runtime::Saturating + Default,
	BlockNumber: Copy + PartialOrd,
	MaxChunks: Get<u32>,
{
	/// Stake in unbonding chunks.
	pub fn unbonding_total(&self) -> Balance {
		self.unbonding.iter().fold(Balance::default(), |a, c| a.saturating_add(c.amount))
	}

	/// Whether `chunk` still backs the outstanding obligations (it was unbonded
	/// after they began), so it can be slashed and not yet withdrawn.
	pub fn backs_obligations(&self, chunk: &UnbondingChunk<Balance, BlockNumber>) -> bool {
		self.obligated_since.map(|since| chunk.unbonded_at >= since).unwrap_or(false)
	}

	/// Stake in unbonding chunks that still backs the outstanding obligations.
	pub fn slashable_unbonding(&self) -> Balance {
		self.unbonding
			.iter()
			.filter(|c| self.backs_obligations(c))
			.fold(Balance::default(), |a, c| a.saturating_add(c.amount))
	}
}

/// What survives a prover's deregistration: its track record, restored when
/// the account registers again (reputation cannot be reset by leaving).
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct ProverRecord {
	/// Reputation when it left.
	pub reputation: Perbill,
	/// Verified proofs so far.
	pub proofs_verified: u32,
	/// Failures so far.
	pub failures: u32,
}

/// A prover as clients see it (runtime API).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ProverView<Balance> {
	/// Stake after any decay not yet applied.
	pub effective_stake: Balance,
	/// Lock collateral pledged.
	pub collateral: Balance,
	/// Stake being unbonded.
	pub unbonding: Balance,
	/// Reputation in parts per billion.
	pub reputation: Perbill,
	/// Whether it is paused.
	pub paused: bool,
	/// Unfinished jobs.
	pub active_jobs: u32,
	/// Whether it can take new work now.
	pub eligible: bool,
}

/// Why a prover was slashed.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum SlashReason {
	/// A proof was verified invalid.
	InvalidProof,
	/// An auction assignment was not proven in time.
	MissedDeadline,
	/// An offer's lock collateral was forfeited.
	MissedLock,
	/// A reserved bounty nobody earned.
	UnclaimedBounty,
}

/// What a prover declared it serves (`set_capabilities`): the auction deals
/// it only requests for these programs, and at most `max_jobs` at once.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
#[scale_info(skip_type_params(MaxPrograms, MaxKinds))]
pub struct ProverCapabilities<MaxPrograms: Get<u32>, MaxKinds: Get<u32>> {
	/// Programs it has set up (sorted, no duplicates).
	pub programs: BoundedVec<ProgramId, MaxPrograms>,
	/// Kinds of which it proves every program (sorted, no duplicates; only
	/// kinds the runtime allows whole, the zkVMs).
	pub kinds: BoundedVec<ProgramKindId, MaxKinds>,
	/// Jobs it takes at once (1..=`MaxJobsPerProver`).
	pub max_jobs: u32,
}

impl<MaxPrograms: Get<u32>, MaxKinds: Get<u32>> ProverCapabilities<MaxPrograms, MaxKinds> {
	/// Every capability, programs first.
	pub fn all(&self) -> impl Iterator<Item = Capability> + '_ {
		self.programs
			.iter()
			.map(|p| Capability::Program(*p))
			.chain(self.kinds.iter().map(|k| Capability::Kind(*k)))
	}

	/// Whether it serves `program` of kind `kind`.
	pub fn serves(&self, program: &ProgramId, kind: Option<ProgramKindId>) -> bool {
		self.programs.binary_search(program).is_ok()
			|| kind.is_some_and(|k| self.kinds.binary_search(&k).is_ok())
	}
}

/// A prover's declared capabilities as clients see them (runtime API).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct CapabilitiesView {
	/// Programs it serves.
	pub programs: alloc::vec::Vec<ProgramId>,
	/// Kinds of which it serves every program.
	pub kinds: alloc::vec::Vec<ProgramKindId>,
	/// Jobs it takes at once.
	pub max_jobs: u32,
}
