//! # Market pallet
//!
//! Proof requests of the zkmarket chain (SPEC sections 3 and 5):
//!
//! - **GSP auction.** `submit_request` with [`Pricing::Auction`] holds
//!   `bid + max_base_fee`. In `on_finalize` of every block the queue (at most
//!   `MaxBidsPerBlock` bids) is cleared against the free job slots of eligible
//!   provers with [`zkmarket_primitives::gsp`]: winner `i` pays the next bid plus
//!   the BaseFee, best bids get the most reputable provers; the price stays in
//!   escrow until the proof is verified and the rest is released at once. The
//!   demand and capacity are reported to the BaseFee. Bids are dealt only to
//!   provers that declared their program (pallet-provers' capabilities) and
//!   never to one that declined or missed them
//!   ([`zkmarket_primitives::matching`]); a bid nobody serves is not demand.
//!   Assigned provers must prove within `ProofDeadline` blocks or are slashed
//!   and the request is re-queued.
//! - **Declines.** An assigned prover may give a request back: free in the
//!   first `FreeDeclinePeriod` blocks (the requester pays the BaseFee as a
//!   retry fee from its escrow), later slashed like a missed deadline. After
//!   `MaxDeclines` declines by distinct provers the request closes as
//!   unprovable with the rest of its escrow refunded.
//! - **Reverse Dutch offers.** [`Pricing::Offer`] holds `max_price`; a prover
//!   locks with collateral at `price(now)`; a missed lock deadline forfeits the
//!   collateral, `BountyFraction` of which rewards any prover who proves before
//!   the final deadline.
//! - **Settlement.** The verifier pallet reports final verdicts through
//!   [`zkmarket_primitives::traits::ProofMarket`]; payments go into the prover's
//!   stake through [`zkmarket_primitives::traits::ProverRegistry`].
//!
//! Deadlines are kept in per-block and per-second indexes, so each block's
//! work is bounded; offers also apply their deadlines lazily when touched.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod clearing;
pub mod migrations;
#[cfg(test)]
mod mock;
mod obligations;
mod queue;
pub mod runtime_api;
mod settlement;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_attacks;
#[cfg(test)]
mod tests_capabilities;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

/// Benchmark setup the market cannot do through its traits alone.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Funds `who` and registers it as an eligible prover with a large stake.
	fn setup_prover(who: &AccountId);
	/// A registered program with one public input.
	fn setup_program() -> zkmarket_primitives::traits::ProgramId;
	/// Moves the chain's clock forward by `secs` seconds.
	fn advance_time(secs: u64);
	/// `n` registered programs with one public input each, the first being
	/// [`Self::setup_program`]'s (a registry with fewer such programs may
	/// repeat them).
	fn setup_programs(n: u32) -> alloc::vec::Vec<zkmarket_primitives::traits::ProgramId>;
	/// Makes the prover `who` declare that it serves exactly `programs`.
	fn serve(who: &AccountId, programs: alloc::vec::Vec<zkmarket_primitives::traits::ProgramId>);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect, MutateHold},
			tokens::Precision,
			OnUnbalanced, UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{One, Saturating, Zero},
		Perbill, SaturatedConversion,
	};
	use zkmarket_primitives::{
		dutch::CurveError,
		traits::{
			BaseFeeOracle, Failure, ProgramId, ProgramRegistry, ProverRegistry, PublicInput,
			RequestId,
		},
	};

	/// Balance type of the market's currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A stored request.
	pub type RequestOf<T> = Request<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxPublicInputs,
	>;
	/// The provers excluded from a request.
	pub type ExclusionsOf<T> =
		Exclusions<<T as frame_system::Config>::AccountId, <T as Config>::MaxExcludedProvers>;
	/// Funds taken from an account, to be put somewhere.
	pub type CreditOf<T> =
		fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
	/// A request's state.
	pub type StateOf<T> =
		RequestState<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// The in-code storage version: 1 since requests record when they closed
	/// (`migrations::v1`).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Reasons for which this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A requester's payment held for an open request.
		#[codec(index = 0)]
		Escrow,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native currency, with holds.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The prover registry.
		type Provers: ProverRegistry<Self::AccountId, BalanceOf<Self>>;
		/// The BaseFee of the auction.
		type BaseFee: BaseFeeOracle<BalanceOf<Self>>;
		/// Registered programs.
		type Programs: ProgramRegistry;
		/// Wall-clock time of the chain (pallet-timestamp).
		type UnixTime: UnixTime;

		/// Maximum public inputs of a request.
		#[pallet::constant]
		type MaxPublicInputs: Get<u32>;
		/// Maximum bids waiting in the auction queue. A full queue admits a better
		/// bid by evicting (and refunding) the worst one.
		#[pallet::constant]
		type MaxQueueLength: Get<u32>;
		/// Queued bids considered by one block's clearing (in rank order; at least
		/// `MaxQueueLength`, so the clearing considers every queued bid).
		#[pallet::constant]
		type MaxBidsPerBlock: Get<u32>;
		/// Smallest escrow of a request (`bid + max_base_fee` of a bid, `max_price`
		/// of an offer): junk holds real funds while it occupies a place.
		#[pallet::constant]
		type MinEscrow: Get<BalanceOf<Self>>;
		/// Maximum winners of one block's clearing.
		#[pallet::constant]
		type MaxAssignmentsPerBlock: Get<u32>;
		/// Blocks an assigned prover has to submit its proof.
		#[pallet::constant]
		type ProofDeadline: Get<BlockNumberFor<Self>>;
		/// Longest lifetime of an auction bid in blocks.
		#[pallet::constant]
		type MaxRequestLifetime: Get<BlockNumberFor<Self>>;
		/// Open (not closed) requests one account may have.
		#[pallet::constant]
		type MaxOpenRequestsPerAccount: Get<u32>;
		/// Assignment deadlines one block may carry (at least `MaxAssignmentsPerBlock`).
		#[pallet::constant]
		type MaxDeadlinesPerSlot: Get<u32>;
		/// Offer deadlines one second may carry. One block's budget
		/// (`MaxOfferDeadlinesPerBlock`) covers several full seconds, so the offer
		/// clock keeps up even when every second is full.
		#[pallet::constant]
		type MaxOfferDeadlinesPerSecond: Get<u32>;
		/// Share of a forfeited lock collateral paid as a bounty (25%).
		#[pallet::constant]
		type BountyFraction: Get<Perbill>;
		/// Smallest lock collateral of an offer.
		#[pallet::constant]
		type MinLockCollateral: Get<BalanceOf<Self>>;
		/// Largest lock collateral of an offer.
		#[pallet::constant]
		type MaxLockCollateral: Get<BalanceOf<Self>>;
		/// Longest `timeout` of an offer, seconds; also how far in the future its
		/// `ramp_up_start` may be.
		#[pallet::constant]
		type MaxOfferDuration: Get<u64>;
		/// How far in the past (seconds) an offer's `ramp_up_start` may be, for
		/// clock skew between the requester and the chain.
		#[pallet::constant]
		type MaxOfferStartSkew: Get<u64>;
		/// Seconds of offer deadlines one block processes at most (catch-up bound).
		#[pallet::constant]
		type MaxOfferSecondsPerBlock: Get<u32>;
		/// Offer deadline entries one block applies at most; the rest of a second's
		/// entries wait for the next block (deadlines also apply lazily on access).
		#[pallet::constant]
		type MaxOfferDeadlinesPerBlock: Get<u32>;
		/// Blocks a closed request stays readable in `Requests` before it is pruned.
		#[pallet::constant]
		type ClosedRetention: Get<BlockNumberFor<Self>>;
		/// Longest proof kept for a settled request (the verifier's bound).
		#[pallet::constant]
		type MaxProofLen: Get<u32>;
		/// Closed requests pruned in one block at most; a request closing when its
		/// pruning block is full is pruned in the next block with room (later,
		/// never earlier than `ClosedRetention` after it closed).
		#[pallet::constant]
		type MaxPrunePerBlock: Get<u32>;
		/// Declines by distinct provers after which an auction request closes as
		/// unprovable (escrow refunded).
		#[pallet::constant]
		type MaxDeclines: Get<u32>;
		/// Provers a request remembers as excluded (they declined it or missed
		/// its deadline, and are never dealt it again); at least `MaxDeclines`.
		/// Past it, further missers are not remembered (they are slashed again
		/// if dealt it again and miss again).
		#[pallet::constant]
		type MaxExcludedProvers: Get<u32>;
		/// Blocks after an assignment in which its prover may decline it
		/// without penalty; a later decline is slashed like a missed deadline.
		#[pallet::constant]
		type FreeDeclinePeriod: Get<BlockNumberFor<Self>>;
		/// Candidate reads one clearing makes at most while dealing (index
		/// entries of the provers of the bids' programs); past it, bids not yet
		/// dealt wait for the next block.
		#[pallet::constant]
		type MaxCandidateReads: Get<u32>;
		/// Where retry fees of declined requests go (runtime: the treasury).
		type RetryFees: OnUnbalanced<CreditOf<Self>>;
		/// Weights of this pallet.
		type WeightInfo: WeightInfo;
		/// Sets up provers and programs for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Id of the next request.
	#[pallet::storage]
	pub type NextRequestId<T> = StorageValue<_, RequestId, ValueQuery>;

	/// Requests by id (closed ones are kept for `ClosedRetention` blocks for
	/// clients to read, then pruned).
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, RequestOf<T>>;

	/// The verified proof of each settled request, kept as long as the request
	/// itself (`ClosedRetention` blocks after settling) for requesters to read.
	#[pallet::storage]
	pub type Proofs<T: Config> =
		StorageMap<_, Twox64Concat, RequestId, BoundedVec<u8, T::MaxProofLen>>;

	/// Closed requests to prune at a block.
	#[pallet::storage]
	pub type PruneAt<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<RequestId, T::MaxPrunePerBlock>,
		ValueQuery,
	>;

	/// The latest block with closed requests scheduled for pruning (`PruneAt`):
	/// a request closing now is scheduled `ClosedRetention` blocks later, or at
	/// this block if later, or the one after when this one is full.
	#[pallet::storage]
	pub type LastPruneBlock<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Queued auction bids in rank order: `bid` descending, then id (submission
	/// order) ascending. The last one is the first to be evicted.
	#[pallet::storage]
	pub type AuctionQueue<T: Config> =
		StorageValue<_, BoundedVec<RequestId, T::MaxQueueLength>, ValueQuery>;

	/// Open requests per requester.
	#[pallet::storage]
	pub type OpenRequests<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Open requests per program (a program in use cannot be unregistered).
	#[pallet::storage]
	pub type ProgramRequests<T: Config> = StorageMap<_, Identity, ProgramId, u32, ValueQuery>;

	/// Auction assignments to check at a block: those due the block before
	/// (deadlines are inclusive, so a proof in the deadline block counts).
	#[pallet::storage]
	pub type AssignmentDeadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<RequestId, T::MaxDeadlinesPerSlot>,
		ValueQuery,
	>;

	/// Offer deadlines (lock deadline and final deadline, plus one) by UNIX second.
	/// Entries are removed when their request closes.
	#[pallet::storage]
	pub type OfferDeadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		u64,
		BoundedVec<RequestId, T::MaxOfferDeadlinesPerSecond>,
		ValueQuery,
	>;

	/// Last UNIX second whose offer deadlines were processed.
	#[pallet::storage]
	pub type OfferClock<T> = StorageValue<_, u64, OptionQuery>;

	/// Provers each open auction request is never dealt again (they declined
	/// it or missed its deadline) and its declines; removed when it closes.
	#[pallet::storage]
	pub type RequestExclusions<T: Config> = StorageMap<_, Twox64Concat, RequestId, ExclusionsOf<T>>;

	/// Outcome of the last auction clearing.
	#[pallet::storage]
	pub type LastClearing<T: Config> = StorageValue<_, ClearingSummary<BalanceOf<T>>, OptionQuery>;

	/// Summary of one block's auction clearing.
	#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
	pub struct ClearingSummary<Balance> {
		/// BaseFee used for the clearing.
		pub base_fee: Balance,
		/// Eligible bids.
		pub demand: u32,
		/// Free job slots.
		pub capacity: u32,
		/// Winners.
		pub winners: u32,
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A request was submitted; `escrow` is held from the requester.
		RequestSubmitted {
			id: RequestId,
			requester: T::AccountId,
			program: ProgramId,
			escrow: BalanceOf<T>,
		},
		/// The requester cancelled; `refund` was released.
		RequestCancelled { id: RequestId, refund: BalanceOf<T> },
		/// The request closed without a proof; `refund` was released.
		RequestExpired { id: RequestId, refund: BalanceOf<T> },
		/// The queue was full and the better bid `by` took the place of bid `id`,
		/// which was closed (as expired) with `refund` released.
		BidEvicted { id: RequestId, by: RequestId, refund: BalanceOf<T> },
		/// A closed request was removed from storage at once because no pruning
		/// block had room (defensive: a full block passes it to the next one;
		/// closed requests are otherwise pruned silently after `ClosedRetention`
		/// blocks).
		RequestPruned { id: RequestId },
		/// An auction bid won: `prover` proves it for `price` by block `deadline`.
		Assigned {
			id: RequestId,
			prover: T::AccountId,
			price: BalanceOf<T>,
			rank: u32,
			deadline: BlockNumberFor<T>,
		},
		/// A block's auction was cleared.
		AuctionCleared { base_fee: BalanceOf<T>, demand: u32, capacity: u32, winners: u32 },
		/// A prover locked an offer at `price`, pledging `collateral`.
		RequestLocked {
			id: RequestId,
			prover: T::AccountId,
			price: BalanceOf<T>,
			collateral: BalanceOf<T>,
		},
		/// A proof was submitted and awaits verification.
		ProofSubmitted { id: RequestId, prover: T::AccountId },
		/// The request was proven: `paid` went into the prover's stake, `refund` back
		/// to the requester.
		RequestSettled {
			id: RequestId,
			prover: T::AccountId,
			paid: BalanceOf<T>,
			refund: BalanceOf<T>,
		},
		/// The proof was invalid; the prover was slashed `slashed`.
		ProofRejected { id: RequestId, prover: T::AccountId, slashed: BalanceOf<T> },
		/// No verdict was reached in time; the request returned to the market.
		VerificationUndecided { id: RequestId, prover: T::AccountId },
		/// An auction assignment missed its deadline; the prover was slashed.
		DeadlineMissed { id: RequestId, prover: T::AccountId, slashed: BalanceOf<T> },
		/// A locked offer missed its lock deadline: `collateral` forfeited, `bounty`
		/// of it now rewards any prover until the final deadline.
		LockMissed {
			id: RequestId,
			prover: T::AccountId,
			collateral: BalanceOf<T>,
			bounty: BalanceOf<T>,
		},
		/// An auction request went back to the queue.
		Requeued { id: RequestId },
		/// The assigned prover gave the assignment back before its deadline; it
		/// is never dealt this request again. What it cost follows in
		/// `DeclineCharged`; the request went back to the queue unless it closed
		/// (`ClosedUnprovable`).
		AssignmentDeclined { id: RequestId, prover: T::AccountId },
		/// What a decline cost: `retry_fee` taken from the requester's escrow
		/// (a decline in the free part of the window), `slashed` from the
		/// prover's stake (a late decline, as a missed deadline).
		DeclineCharged {
			id: RequestId,
			prover: T::AccountId,
			retry_fee: BalanceOf<T>,
			slashed: BalanceOf<T>,
		},
		/// `declines` distinct provers declined the request: it closed as
		/// unprovable (state `Expired`) with `refund` released.
		ClosedUnprovable { id: RequestId, declines: u32, refund: BalanceOf<T> },
		/// `prover` had declined (for free) a request that another prover then
		/// proved: its reputation drops.
		DeclineDisproved { id: RequestId, prover: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No request with this id.
		UnknownRequest,
		/// The program is not registered.
		UnknownProgram,
		/// The number of public inputs does not match the program.
		WrongInputCount,
		/// Too many public inputs.
		TooManyInputs,
		/// A public input is not a canonical BN254 scalar (32 bytes little-endian,
		/// below the field modulus): no proof could ever match it.
		InvalidPublicInput,
		/// The auction queue is full and the bid does not rank above the worst one.
		QueueFull,
		/// `max_base_fee` is below the lowest BaseFee: the bid could never win.
		MaxBaseFeeBelowMinimum,
		/// The escrow (`bid + max_base_fee`, or `max_price`) is below `MinEscrow`.
		EscrowBelowMinimum,
		/// `ramp_up_start` is more than `MaxOfferStartSkew` in the past or more than
		/// `MaxOfferDuration` in the future.
		RampStartOutOfRange,
		/// The offer's ramp-up has started: provers may be working on it.
		RampUpStarted,
		/// The account has too many open requests.
		TooManyOpenRequests,
		/// The expiry block must be in the future and within `MaxRequestLifetime`.
		InvalidExpiry,
		/// Too many offer deadlines fall in the same second; pick another.
		DeadlineSlotFull,
		/// Not enough free balance for the escrow.
		InsufficientBalance,
		/// `bid + max_base_fee` overflows.
		Overflow,
		/// `min_price > max_price`.
		MinPriceAboveMax,
		/// `ramp_up_period > lock_timeout`.
		RampLongerThanLock,
		/// `lock_timeout > timeout`.
		LockTimeoutAfterTimeout,
		/// The offer's final deadline has already passed.
		OfferExpired,
		/// The offer lasts longer than `MaxOfferDuration`.
		OfferTooLong,
		/// The lock collateral is outside `[MinLockCollateral, MaxLockCollateral]`.
		CollateralOutOfBounds,
		/// Only the requester may do this.
		NotRequester,
		/// The request is not in a state that allows this.
		InvalidState,
		/// The request is not an offer.
		NotAnOffer,
		/// The offer is already locked.
		AlreadyLocked,
		/// The lock deadline has passed.
		LockDeadlinePassed,
		/// The prover is not eligible for new work.
		NotEligible,
		/// Proofs of this program do not carry the request/prover binding (SP1,
		/// RISC Zero, gnark programs): a copy would be as valid as the original,
		/// so only the prover that locked the offer may prove it. Lock it first
		/// (`lock_request`); bounties of such offers cannot be taken.
		ProgramNeedsLock,
		/// Only the assigned or locking prover may submit a proof now.
		NotAssignedProver,
		/// The deadline for a proof has passed.
		DeadlinePassed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let pruned = Self::prune_closed(n);
			let missed = Self::process_block_deadlines(n);
			// Each pruned request may also have a kept proof to remove.
			T::WeightInfo::prune_closed(pruned)
				.saturating_add(T::DbWeight::get().writes(pruned.into()))
				.saturating_add(T::WeightInfo::block_deadlines(missed))
				.saturating_add(Self::on_finalize_weight())
		}

		fn on_finalize(n: BlockNumberFor<T>) {
			Self::process_offer_deadlines();
			Self::clear_auction(n);
		}

		fn integrity_test() {
			assert!(T::MaxBidsPerBlock::get() > 0, "MaxBidsPerBlock must be positive");
			assert!(
				T::MaxBidsPerBlock::get() >= T::MaxQueueLength::get(),
				"the clearing must consider every queued bid"
			);
			assert!(!T::MinEscrow::get().is_zero(), "MinEscrow must be positive");
			assert!(
				T::MaxOfferDeadlinesPerBlock::get() >= T::MaxOfferDeadlinesPerSecond::get(),
				"one block must apply at least one full second of offer deadlines"
			);
			assert!(
				T::MaxOfferDeadlinesPerBlock::get() > 0 && T::MaxOfferSecondsPerBlock::get() > 0,
				"offer deadline bounds must be positive"
			);
			assert!(
				T::MaxAssignmentsPerBlock::get() > 0,
				"MaxAssignmentsPerBlock must be positive"
			);
			assert!(
				T::MaxAssignmentsPerBlock::get() <= T::MaxDeadlinesPerSlot::get(),
				"one block's assignments must fit one deadline slot"
			);
			assert!(!T::ProofDeadline::get().is_zero(), "ProofDeadline must be positive");
			assert!(T::MaxDeclines::get() > 0, "MaxDeclines must be positive");
			assert!(
				T::MaxExcludedProvers::get() >= T::MaxDeclines::get(),
				"every decliner must be remembered"
			);
			assert!(
				T::MaxCandidateReads::get() >= T::MaxAssignmentsPerBlock::get(),
				"the clearing must be able to read a candidate per assignment"
			);
			assert!(
				T::MinLockCollateral::get() <= T::MaxLockCollateral::get(),
				"MinLockCollateral > MaxLockCollateral"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submit a proof request for `program` with its public `inputs`.
		///
		/// An auction bid holds `bid + max_base_fee` (at least `MinEscrow`; a
		/// `max_base_fee` below the lowest BaseFee is refused) and may be cleared in
		/// blocks before `expires_at` (then it is refunded). When the queue is full
		/// it takes the place of the worst queued bid if it ranks above it.
		/// An offer holds `max_price` and lives until its timeout (`expires_at` is
		/// ignored); its `ramp_up_start` must be within `MaxOfferStartSkew` before
		/// and `MaxOfferDuration` after now.
		#[pallet::call_index(0)]
		// The benchmark submits into a full queue (rank search and eviction); the
		// bid's share of this block's clearing is added.
		#[pallet::weight(T::WeightInfo::submit_request()
			.saturating_add(Pallet::<T>::clearing_weight_per_bid()))]
		pub fn submit_request(
			origin: OriginFor<T>,
			program: ProgramId,
			inputs: BoundedVec<PublicInput, T::MaxPublicInputs>,
			pricing: Pricing<BalanceOf<T>>,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let expected =
				T::Programs::public_inputs(&program).ok_or(Error::<T>::UnknownProgram)?;
			ensure!(inputs.len() as u32 == expected, Error::<T>::WrongInputCount);
			// An input outside the scalar field can never be proven.
			ensure!(
				inputs.iter().all(zkmarket_primitives::field::is_canonical_scalar),
				Error::<T>::InvalidPublicInput
			);
			ensure!(T::Programs::accepts_inputs(&program, &inputs), Error::<T>::InvalidPublicInput);
			let open = OpenRequests::<T>::get(&who);
			ensure!(open < T::MaxOpenRequestsPerAccount::get(), Error::<T>::TooManyOpenRequests);
			let now = frame_system::Pallet::<T>::block_number();
			let id = NextRequestId::<T>::get();

			let (escrow, state) = match &pricing {
				Pricing::Auction { bid, max_base_fee } => {
					ensure!(
						*max_base_fee >= T::BaseFee::min_base_fee(),
						Error::<T>::MaxBaseFeeBelowMinimum
					);
					let escrow = bid.checked_add(max_base_fee).ok_or(Error::<T>::Overflow)?;
					ensure!(escrow >= T::MinEscrow::get(), Error::<T>::EscrowBelowMinimum);
					ensure!(
						expires_at > now
							&& expires_at <= now.saturating_add(T::MaxRequestLifetime::get()),
						Error::<T>::InvalidExpiry
					);
					(escrow, RequestState::Queued)
				}
				Pricing::Offer { max_price, lock_collateral, timeout, ramp_up_start, .. } => {
					let curve = pricing.curve().ok_or(Error::<T>::NotAnOffer)?;
					curve.validate().map_err(|e| match e {
						CurveError::MinAboveMax => Error::<T>::MinPriceAboveMax,
						CurveError::RampLongerThanLock => Error::<T>::RampLongerThanLock,
						CurveError::LockAfterTimeout => Error::<T>::LockTimeoutAfterTimeout,
						CurveError::Overflow => Error::<T>::OfferTooLong,
					})?;
					ensure!(*max_price >= T::MinEscrow::get(), Error::<T>::EscrowBelowMinimum);
					ensure!(*timeout <= T::MaxOfferDuration::get(), Error::<T>::OfferTooLong);
					let now_secs = Self::now_secs();
					ensure!(curve.deadline() >= now_secs, Error::<T>::OfferExpired);
					ensure!(
						ramp_up_start.saturating_add(T::MaxOfferStartSkew::get()) >= now_secs
							&& *ramp_up_start
								<= now_secs.saturating_add(T::MaxOfferDuration::get()),
						Error::<T>::RampStartOutOfRange
					);
					ensure!(
						*lock_collateral >= T::MinLockCollateral::get()
							&& *lock_collateral <= T::MaxLockCollateral::get(),
						Error::<T>::CollateralOutOfBounds
					);
					Self::index_offer_deadlines(id, &curve)?;
					(*max_price, RequestState::Open)
				}
			};
			T::Currency::hold(&HoldReason::Escrow.into(), &who, escrow)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Requests::<T>::insert(
				id,
				Request {
					requester: who.clone(),
					program,
					inputs,
					pricing: pricing.clone(),
					escrow,
					submitted_at: now,
					closed_at: None,
					expires_at,
					state,
				},
			);
			NextRequestId::<T>::put(id.saturating_add(1));
			OpenRequests::<T>::insert(&who, open + 1);
			ProgramRequests::<T>::mutate(program, |c| *c = c.saturating_add(1));
			Self::deposit_event(Event::RequestSubmitted { id, requester: who, program, escrow });
			if let Pricing::Auction { bid, .. } = pricing {
				ensure!(Self::enqueue(id, bid), Error::<T>::QueueFull);
			}
			Ok(())
		}

		/// Cancel a queued auction bid, or an unlocked offer before its ramp-up
		/// starts (afterwards provers may be working on it); the escrow is refunded.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel_request())]
		pub fn cancel_request(origin: OriginFor<T>, id: RequestId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut req = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
			ensure!(req.requester == who, Error::<T>::NotRequester);
			match (&req.state, &req.pricing) {
				(RequestState::Queued, _) => Self::remove_from_queue(id),
				(RequestState::Open, Pricing::Offer { ramp_up_start, .. }) => {
					ensure!(Self::now_secs() < *ramp_up_start, Error::<T>::RampUpStarted)
				}
				_ => return Err(Error::<T>::InvalidState.into()),
			}
			let refund = Self::refund_all(&mut req);
			req.state = RequestState::Cancelled;
			Self::close(id, req);
			Self::deposit_event(Event::RequestCancelled { id, refund });
			Ok(())
		}

		/// Lock an unlocked offer as an eligible prover, pledging its
		/// `lock_collateral` from the stake and taking one job slot. The price now
		/// is the agreed reward. Any passed deadline of the offer is applied first
		/// (and paid for by this call's weight).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::lock_request()
			.saturating_add(Pallet::<T>::offer_deadline_weight()))]
		pub fn lock_request(origin: OriginFor<T>, id: RequestId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::apply_offer_deadlines(id);
			let mut req = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
			let (curve, collateral) = match req.pricing {
				Pricing::Offer { lock_collateral, .. } => {
					(req.pricing.curve().ok_or(Error::<T>::NotAnOffer)?, lock_collateral)
				}
				Pricing::Auction { .. } => return Err(Error::<T>::NotAnOffer.into()),
			};
			match req.state {
				RequestState::Open => {}
				RequestState::Locked { .. } | RequestState::ProofSubmitted { .. } => {
					return Err(Error::<T>::AlreadyLocked.into())
				}
				_ => return Err(Error::<T>::InvalidState.into()),
			}
			let now = Self::now_secs();
			ensure!(now <= curve.lock_deadline(), Error::<T>::LockDeadlinePassed);
			ensure!(T::Provers::is_eligible(&who), Error::<T>::NotEligible);
			T::Provers::occupy_slot(&who)?;
			T::Provers::hold_collateral(&who, collateral)?;
			let price: BalanceOf<T> = curve.price_at(now).saturated_into();
			req.state = RequestState::Locked { prover: who.clone(), price, collateral };
			Requests::<T>::insert(id, req);
			Self::deposit_event(Event::RequestLocked { id, prover: who, price, collateral });
			Ok(())
		}

		/// Give an auction assignment back before its deadline, for example
		/// because its statement cannot be proven (no witness exists for the
		/// inputs). The prover's slot is freed and it is never dealt this request
		/// again. In the first `FreeDeclinePeriod` blocks of the assignment this
		/// costs the prover nothing now (it loses reputation if another prover
		/// then proves the request, and pays no transaction fee) and the
		/// requester pays the BaseFee as a retry fee from its escrow; later it is
		/// slashed like a missed deadline.
		/// The request returns to the queue, or closes as unprovable (refunded)
		/// once `MaxDeclines` distinct provers declined it.
		#[pallet::call_index(3)]
		// A missed deadline (slash, slot release and re-queue) plus the retry fee.
		#[pallet::weight(T::WeightInfo::block_deadlines(1)
			.saturating_add(T::DbWeight::get().reads_writes(3, 4)))]
		pub fn decline_assignment(
			origin: OriginFor<T>,
			id: RequestId,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut req = Requests::<T>::get(id).ok_or(Error::<T>::UnknownRequest)?;
			let RequestState::Assigned { prover, deadline, .. } = req.state.clone() else {
				return Err(Error::<T>::InvalidState.into());
			};
			ensure!(prover == who, Error::<T>::NotAssignedProver);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now <= deadline, Error::<T>::DeadlinePassed);
			let assigned_at = deadline.saturating_sub(T::ProofDeadline::get());
			let late = now > assigned_at.saturating_add(T::FreeDeclinePeriod::get());
			// The slash first, while the assignment still backs it.
			let slashed = if late {
				T::Provers::record_failure(&who, Failure::MissedDeadline)
			} else {
				Zero::zero()
			};
			T::Provers::release_slot(&who);
			let retry_fee = if late { Zero::zero() } else { Self::charge_retry_fee(&mut req) };
			let mut ex = Self::exclusions(id);
			let reason =
				if late { ExclusionReason::DeclinedLate } else { ExclusionReason::Declined };
			// An assigned prover is never an excluded one: always room for a decliner.
			let _ = ex.provers.try_push((who.clone(), reason));
			ex.declines = ex.declines.saturating_add(1);
			let declines = ex.declines;
			RequestExclusions::<T>::insert(id, ex);
			Self::deposit_event(Event::AssignmentDeclined { id, prover: who.clone() });
			Self::deposit_event(Event::DeclineCharged { id, prover: who, retry_fee, slashed });
			if declines >= T::MaxDeclines::get() {
				let refund = Self::refund_all(&mut req);
				req.state = RequestState::Expired;
				Self::close(id, req);
				Self::deposit_event(Event::ClosedUnprovable { id, declines, refund });
			} else {
				Self::requeue(id, req);
			}
			// A free decline costs its prover no transaction fee either: the
			// requester's retry fee pays for the slot (each one needs an
			// assignment, so this cannot be spammed).
			Ok(if late { Pays::Yes } else { Pays::No }.into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The exclusions of request `id` (empty if none).
		pub fn exclusions(id: RequestId) -> ExclusionsOf<T> {
			RequestExclusions::<T>::get(id)
				.unwrap_or(Exclusions { provers: BoundedVec::new(), declines: 0 })
		}

		/// Takes the retry fee of a declined request (the BaseFee, at most the
		/// escrow) from the requester's escrow to `RetryFees`; returns it.
		pub(crate) fn charge_retry_fee(req: &mut RequestOf<T>) -> BalanceOf<T> {
			let fee = T::BaseFee::base_fee().min(req.escrow);
			if fee.is_zero() {
				return fee;
			}
			let (credit, missing) = <T::Currency as fungible::BalancedHold<T::AccountId>>::slash(
				&HoldReason::Escrow.into(),
				&req.requester,
				fee,
			);
			T::RetryFees::on_unbalanced(credit);
			let taken = fee.saturating_sub(missing);
			req.escrow = req.escrow.saturating_sub(taken);
			taken
		}

		/// The chain's time in UNIX seconds.
		pub fn now_secs() -> u64 {
			T::UnixTime::now().as_secs()
		}

		/// Releases the whole escrow of `req` to its requester; returns the amount.
		pub(crate) fn refund_all(req: &mut RequestOf<T>) -> BalanceOf<T> {
			let refund = T::Currency::release(
				&HoldReason::Escrow.into(),
				&req.requester,
				req.escrow,
				Precision::BestEffort,
			)
			.unwrap_or_default();
			req.escrow = req.escrow.saturating_sub(refund);
			refund
		}

		/// Stores a closed request, schedules its pruning after `ClosedRetention`
		/// blocks, removes its offer deadline entries and decrements its
		/// requester's and its program's open counts.
		pub(crate) fn close(id: RequestId, mut req: RequestOf<T>) {
			OpenRequests::<T>::mutate_exists(&req.requester, |c| {
				let n = c.unwrap_or(0).saturating_sub(1);
				*c = if n == 0 { None } else { Some(n) };
			});
			ProgramRequests::<T>::mutate_exists(req.program, |c| {
				let n = c.unwrap_or(0).saturating_sub(1);
				*c = if n == 0 { None } else { Some(n) };
			});
			if let Some(curve) = req.pricing.curve() {
				Self::unindex_offer_deadlines(id, &curve);
			}
			RequestExclusions::<T>::remove(id);
			let now = frame_system::Pallet::<T>::block_number();
			req.closed_at = Some(now);
			// Never earlier than the retention: a block of many closings (cheap
			// cancellations) delays the pruning of the requests closing with them,
			// it does not hasten it.
			let mut at = now
				.saturating_add(T::ClosedRetention::get())
				.saturating_add(One::one())
				.max(LastPruneBlock::<T>::get());
			if PruneAt::<T>::decode_len(at).unwrap_or(0) >= T::MaxPrunePerBlock::get() as usize {
				at = at.saturating_add(One::one());
			}
			if PruneAt::<T>::try_mutate(at, |v| v.try_push(id)).is_ok() {
				LastPruneBlock::<T>::put(at);
				Requests::<T>::insert(id, req);
			} else {
				Requests::<T>::remove(id);
				Proofs::<T>::remove(id);
				Self::deposit_event(Event::RequestPruned { id });
			}
		}

		/// `on_initialize`: removes the closed requests due for pruning at `n`.
		pub(crate) fn prune_closed(n: BlockNumberFor<T>) -> u32 {
			let due = PruneAt::<T>::take(n);
			for id in due.iter() {
				Requests::<T>::remove(id);
				Proofs::<T>::remove(id);
			}
			due.len() as u32
		}

		/// Invariants: each requester's escrow hold equals the escrow of its open
		/// requests; queued ids are `Queued`; open counts match; closed requests
		/// hold nothing.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			let mut by_program: BTreeMap<ProgramId, u32> = BTreeMap::new();
			for (_, req) in Requests::<T>::iter() {
				let e = escrow.entry(req.requester.clone()).or_insert_with(Zero::zero);
				*e = e.saturating_add(req.escrow);
				ensure!(
					req.state.is_closed() == req.closed_at.is_some(),
					"closed_at set on an open request or missing on a closed one"
				);
				if req.state.is_closed() {
					ensure!(req.escrow.is_zero(), "closed request still holds escrow");
				} else {
					*open.entry(req.requester.clone()).or_default() += 1;
					*by_program.entry(req.program).or_default() += 1;
				}
			}
			for (program, n) in ProgramRequests::<T>::iter() {
				ensure!(
					by_program.get(&program).copied().unwrap_or(0) == n,
					"open requests per program mismatch"
				);
			}
			ensure!(
				by_program.values().sum::<u32>()
					== ProgramRequests::<T>::iter_values().sum::<u32>(),
				"open requests per program mismatch"
			);
			for id in Proofs::<T>::iter_keys() {
				let req = Requests::<T>::get(id).ok_or("kept proof of a missing request")?;
				ensure!(
					matches!(req.state, RequestState::Settled { .. }),
					"kept proof of a request that is not settled"
				);
			}
			for (_, ids) in OfferDeadlines::<T>::iter() {
				for id in ids {
					let req =
						Requests::<T>::get(id).ok_or("offer deadline of a missing request")?;
					ensure!(!req.state.is_closed(), "offer deadline of a closed request");
				}
			}
			for (who, amount) in escrow.iter() {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Escrow.into(), who) == *amount,
					"escrow hold does not match the requests' escrow"
				);
			}
			for (who, n) in OpenRequests::<T>::iter() {
				ensure!(open.get(&who).copied().unwrap_or(0) == n, "open request count mismatch");
			}
			ensure!(
				open.values().sum::<u32>() == OpenRequests::<T>::iter_values().sum::<u32>(),
				"open request count mismatch"
			);
			for (id, ex) in RequestExclusions::<T>::iter() {
				let req = Requests::<T>::get(id).ok_or("exclusions of a missing request")?;
				ensure!(!req.state.is_closed(), "exclusions of a closed request");
				ensure!(ex.declines < T::MaxDeclines::get(), "a request past MaxDeclines is open");
				let declined =
					ex.provers.iter().filter(|(_, r)| *r != ExclusionReason::Missed).count() as u32;
				ensure!(declined == ex.declines, "declines out of step with the decliners");
			}
			for id in AuctionQueue::<T>::get() {
				let req = Requests::<T>::get(id).ok_or("queued request missing")?;
				ensure!(req.state == RequestState::Queued, "queued request not in Queued state");
			}
			for (_, ids) in PruneAt::<T>::iter() {
				for id in ids {
					if let Some(req) = Requests::<T>::get(id) {
						ensure!(req.state.is_closed(), "open request scheduled for pruning");
					}
				}
			}
			let queue = AuctionQueue::<T>::get();
			let bid_of = |id: &RequestId| match Requests::<T>::get(id).map(|r| r.pricing) {
				Some(Pricing::Auction { bid, .. }) => Some(bid),
				_ => None,
			};
			for pair in queue.windows(2) {
				let (a, b) = (bid_of(&pair[0]), bid_of(&pair[1]));
				ensure!(a > b || (a == b && pair[0] < pair[1]), "auction queue out of rank order");
			}
			for (id, req) in Requests::<T>::iter() {
				if req.state == RequestState::Queued {
					ensure!(queue.contains(&id), "Queued request missing from queue");
				}
			}
			Ok(())
		}
	}
}
