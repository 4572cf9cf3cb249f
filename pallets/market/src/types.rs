//! Types stored by the market pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, BoundedVec};
use scale_info::TypeInfo;

use zkmarket_primitives::{
	dutch::OfferCurve,
	traits::{ProgramId, PublicInput},
};

/// How a request is priced.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Pricing<Balance> {
	/// A bid in the per-block GSP auction: `bid` on top of the BaseFee, accepted
	/// while the BaseFee is at most `max_base_fee`. `bid + max_base_fee` is held.
	Auction {
		/// Calculating fee offered on top of the BaseFee.
		bid: Balance,
		/// Highest BaseFee accepted.
		max_base_fee: Balance,
	},
	/// A reverse Dutch auction offer. Times are UNIX seconds; the three
	/// durations count from `ramp_up_start`. `max_price` is held.
	Offer {
		/// Price until the ramp-up starts.
		min_price: Balance,
		/// Price at the end of the ramp-up, until the lock deadline.
		max_price: Balance,
		/// Start of the ramp-up.
		ramp_up_start: u64,
		/// Length of the ramp-up in seconds.
		ramp_up_period: u64,
		/// Lock deadline, seconds after `ramp_up_start`.
		lock_timeout: u64,
		/// Final deadline, seconds after `ramp_up_start`.
		timeout: u64,
		/// Collateral a prover pledges from its stake when locking.
		lock_collateral: Balance,
	},
}

impl<Balance: Copy + sp_runtime::traits::UniqueSaturatedInto<u128>> Pricing<Balance> {
	/// The price curve of an offer.
	pub fn curve(&self) -> Option<OfferCurve> {
		match *self {
			Pricing::Offer {
				min_price,
				max_price,
				ramp_up_start,
				ramp_up_period,
				lock_timeout,
				timeout,
				..
			} => Some(OfferCurve {
				min_price: min_price.unique_saturated_into(),
				max_price: max_price.unique_saturated_into(),
				ramp_up_start,
				ramp_up_period,
				lock_timeout,
				timeout,
			}),
			Pricing::Auction { .. } => None,
		}
	}
}

/// How a submitted proof would be paid.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum Fulfilment<AccountId, Balance, BlockNumber> {
	/// An auction assignment at GSP `price`, due by `deadline`.
	Assignment {
		/// GSP price held in escrow.
		price: Balance,
		/// Proof deadline (block).
		deadline: BlockNumber,
	},
	/// A locked offer at the agreed `price`, with `collateral` pledged.
	Locked {
		/// Price agreed at lock time.
		price: Balance,
		/// Collateral pledged by the locking prover.
		collateral: Balance,
	},
	/// An unlocked offer at the price of the submission time.
	Open {
		/// `price(t)` at submission.
		price: Balance,
	},
	/// A bounty funded by the forfeited collateral of `from`.
	Bounty {
		/// The prover whose collateral funds the bounty.
		from: AccountId,
		/// The bounty.
		amount: Balance,
	},
}

/// The state of a request. A request is in exactly one state.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum RequestState<AccountId, Balance, BlockNumber> {
	/// An auction bid waiting in the queue.
	Queued,
	/// Won the auction: `prover` must prove by `deadline` (block); `price` is in escrow.
	Assigned {
		/// Assigned prover.
		prover: AccountId,
		/// GSP price.
		price: Balance,
		/// Proof deadline (block).
		deadline: BlockNumber,
	},
	/// An offer nobody has locked.
	Open,
	/// An offer locked by `prover` at `price`, with `collateral` pledged.
	Locked {
		/// Locking prover.
		prover: AccountId,
		/// Agreed price.
		price: Balance,
		/// Pledged collateral.
		collateral: Balance,
	},
	/// A locked offer whose lock deadline passed: any eligible prover proving
	/// before the final deadline earns `bounty` from `slashed`'s collateral.
	BountyOpen {
		/// The prover whose collateral was forfeited.
		slashed: AccountId,
		/// The bounty.
		bounty: Balance,
	},
	/// A proof by `prover` awaits the verifiers' verdict.
	ProofSubmitted {
		/// The submitting prover.
		prover: AccountId,
		/// What it earns if valid, and where the request returns if not.
		fulfilment: Fulfilment<AccountId, Balance, BlockNumber>,
		/// Submission time, UNIX seconds.
		at: u64,
	},
	/// Proven and paid.
	Settled {
		/// The prover paid.
		prover: AccountId,
		/// What it earned.
		paid: Balance,
	},
	/// Closed without a proof; the requester was refunded.
	Expired,
	/// Cancelled by the requester; refunded.
	Cancelled,
}

impl<A, B, N> RequestState<A, B, N> {
	/// Whether the request is closed for good.
	pub fn is_closed(&self) -> bool {
		matches!(self, Self::Settled { .. } | Self::Expired | Self::Cancelled)
	}
}

/// A proof request.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxInputs))]
pub struct Request<AccountId, Balance, BlockNumber, MaxInputs: Get<u32>> {
	/// Who pays.
	pub requester: AccountId,
	/// The program to prove.
	pub program: ProgramId,
	/// Its public inputs.
	pub inputs: BoundedVec<PublicInput, MaxInputs>,
	/// Auction bid or offer.
	pub pricing: Pricing<Balance>,
	/// Funds of the requester held for this request right now.
	pub escrow: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Last block an auction bid may be cleared (ignored for offers).
	pub expires_at: BlockNumber,
	/// Current state.
	pub state: RequestState<AccountId, Balance, BlockNumber>,
	/// Block in which it closed (settled, expired or cancelled); `None` while
	/// open. It and its proof are pruned `ClosedRetention + 1` blocks later.
	pub closed_at: Option<BlockNumber>,
}

/// Why a prover is excluded from a request.
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
pub enum ExclusionReason {
	/// Declined in the free part of its window (`FreeDeclinePeriod`); loses
	/// reputation if another prover then proves the request.
	#[codec(index = 0)]
	Declined,
	/// Declined after the free part of its window: slashed as a missed deadline.
	#[codec(index = 1)]
	DeclinedLate,
	/// Missed its deadline: slashed.
	#[codec(index = 2)]
	Missed,
}

/// Provers an auction request is never dealt again, and its declines.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(Max))]
pub struct Exclusions<AccountId, Max: Get<u32>> {
	/// The provers, in the order they were excluded.
	pub provers: BoundedVec<(AccountId, ExclusionReason), Max>,
	/// Declines so far (at `MaxDeclines` the request closes as unprovable).
	pub declines: u32,
}

impl<AccountId: PartialEq, Max: Get<u32>> Exclusions<AccountId, Max> {
	/// Whether `who` is excluded.
	pub fn contains(&self, who: &AccountId) -> bool {
		self.provers.iter().any(|(a, _)| a == who)
	}
}
