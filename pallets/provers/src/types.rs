//! Types stored by the provers pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, BoundedVec};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

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
	/// Start of the current idle clock (last verified proof, registration or resume).
	pub idle_since: BlockNumber,
	/// Verified proofs so far.
	pub proofs_verified: u32,
	/// Failures (invalid proofs, missed deadlines) so far.
	pub failures: u32,
}

impl<Balance, BlockNumber, MaxChunks> ProverInfo<Balance, BlockNumber, MaxChunks>
where
	Balance: Copy + sp_runtime::Saturating + Default,
	MaxChunks: Get<u32>,
{
	/// Stake in unbonding chunks.
	pub fn unbonding_total(&self) -> Balance {
		self.unbonding.iter().fold(Balance::default(), |a, c| a.saturating_add(c.amount))
	}
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
