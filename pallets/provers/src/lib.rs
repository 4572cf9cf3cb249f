//! # Provers pallet
//!
//! Staking of the provers of the zkmarket chain (SPEC section 2).
//!
//! - `register(stake)` holds at least `MinProverStake` (32 ZK by default) of the
//!   caller's free balance under [`HoldReason::Stake`]; one record per account.
//! - Fees earned for verified proofs are added to the stake; `bond_extra`,
//!   `unbond` (with the unbonding period) and `withdraw_unbonded` move stake.
//! - An active prover with no verified proof for a full idle period loses
//!   `IdleDecay` of its stake per period. Decay is lazy (applied whenever the
//!   prover is touched) plus a bounded sweep of `DecaySweepLimit` provers per
//!   block, so it is O(1) per prover and never an unbounded loop.
//! - Invalid proofs and missed deadlines slash stake; forfeited lock collateral
//!   funds bounties. Slashed and decayed funds go to `T::Slash`.
//! - Reputation starts at `InitialReputation` and moves by
//!   [`zkmarket_primitives::reputation`].
//!
//! - [`SlotIndex`] keeps the provers that can take auction work sorted in slot
//!   order (reputation, stake, account), updated on every write of a record,
//!   so the per-block clearing reads only the provers it deals slots to:
//!   idle, paused, busy or ineligible provers cost it nothing.
//!
//! - Capabilities: a prover declares the programs (and whole zkVM kinds) it
//!   serves and how many jobs it takes at once (`set_capabilities`);
//!   [`CapabilityIndex`] keeps, per capability, the provers that can take
//!   auction work in slot order, so the clearing deals each request only to
//!   provers that declared its program. A prover that declared nothing gets
//!   no auction work (offers and bounties it picks itself).
//!
//! Other pallets use it through [`zkmarket_primitives::traits::ProverRegistry`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod capabilities;
mod decay;
mod impls;
pub mod migrations;
#[cfg(test)]
mod mock;
mod registration;
pub mod runtime_api;
mod slashing;
mod slots;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_capabilities;
#[cfg(test)]
mod tests_decay;
#[cfg(test)]
mod tests_slashing;
#[cfg(test)]
mod tests_slots;
pub mod types;
mod unbonding;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect},
			Contains, OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::Zero, Perbill};
	use zkmarket_primitives::{
		gsp,
		traits::{Capability, ProgramId, ProgramKindId},
	};

	/// The balance type of the pallet's currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A negative imbalance (slashed funds) of the pallet's currency.
	pub type CreditOf<T> =
		fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
	/// The declared capabilities of a prover.
	pub type CapabilitiesOf<T> =
		ProverCapabilities<<T as Config>::MaxCapabilityPrograms, <T as Config>::MaxCapabilityKinds>;
	/// Where a prover is indexed, under its rank key (see `Pallet::listing`).
	#[derive(
		frame_support::CloneNoBound, frame_support::PartialEqNoBound, frame_support::DebugNoBound,
	)]
	pub enum Listing<T: Config> {
		/// In [`SlotIndex`] and [`CapabilityIndex`]: it can take a job.
		Free((gsp::SlotRank, T::AccountId)),
		/// In [`BusyCapabilityIndex`]: eligible, but its declared jobs are all taken.
		Busy((gsp::SlotRank, T::AccountId)),
	}
	/// The stored record of a prover.
	pub type ProverInfoOf<T> =
		ProverInfo<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnbondingChunks>;

	/// The in-code storage version (see [`crate::migrations`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Reasons for which this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A prover's stake, including stake being unbonded.
		#[codec(index = 0)]
		Stake,
		/// Lock collateral pledged to offers, and forfeited collateral kept as a bounty.
		#[codec(index = 1)]
		Collateral,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native currency, with holds.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ fungible::BalancedHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Where slashed and decayed stake goes (runtime: the treasury account).
		type Slash: OnUnbalanced<CreditOf<Self>>;

		/// Minimum stake of an eligible prover (32 ZK).
		#[pallet::constant]
		type MinProverStake: Get<BalanceOf<Self>>;

		/// Default blocks between `unbond` and `withdraw_unbonded` (genesis may override).
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Default length of an idle period in blocks (24 h; genesis may override).
		#[pallet::constant]
		type IdlePeriod: Get<BlockNumberFor<Self>>;

		/// Share of the stake lost per full idle period (1%).
		#[pallet::constant]
		type IdleDecay: Get<Perbill>;

		/// Share of the stake slashed for an invalid proof (10%).
		#[pallet::constant]
		type InvalidProofSlash: Get<Perbill>;

		/// Share of the stake slashed for a missed auction deadline.
		#[pallet::constant]
		type MissedDeadlineSlash: Get<Perbill>;

		/// Reputation of a new prover (50%).
		#[pallet::constant]
		type InitialReputation: Get<Perbill>;

		/// Reputation gain factor alpha of a verified proof (5%).
		#[pallet::constant]
		type ReputationGain: Get<Perbill>;

		/// Reputation loss factor beta of a failure (20%, greater than alpha).
		#[pallet::constant]
		type ReputationLoss: Get<Perbill>;

		/// Below this reputation a prover gets no work (10%).
		#[pallet::constant]
		type MinReputation: Get<Perbill>;

		/// Unfinished jobs a prover may hold at once.
		#[pallet::constant]
		type MaxJobsPerProver: Get<u32>;

		/// Maximum number of registered provers (bounds the per-block auction work).
		#[pallet::constant]
		type MaxProvers: Get<u32>;

		/// Maximum concurrent unbonding chunks per prover.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// Provers whose decay the per-block sweep brings up to date; also the most
		/// pending decays the slot dealing applies in a block.
		#[pallet::constant]
		type DecaySweepLimit: Get<u32>;

		/// Programs one prover may declare (each is an index entry rewritten
		/// when its rank changes, so this bounds that cost).
		#[pallet::constant]
		type MaxCapabilityPrograms: Get<u32>;

		/// Whole kinds one prover may declare.
		#[pallet::constant]
		type MaxCapabilityKinds: Get<u32>;

		/// Kinds a prover may declare whole (kinds of which one prover can prove
		/// every program: the zkVMs). Programs of other kinds are each their own
		/// circuit and are declared one by one.
		type ServableKinds: Contains<ProgramKindId>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Registered provers.
	#[pallet::storage]
	pub type Provers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ProverInfoOf<T>>;

	/// Number of registered provers.
	#[pallet::storage]
	pub type ProverCount<T> = StorageValue<_, u32, ValueQuery>;

	/// Idle period in blocks, overriding `Config::IdlePeriod` when set (genesis or root).
	#[pallet::storage]
	pub type IdlePeriodOverride<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Unbonding period in blocks, overriding `Config::UnbondingPeriod` when set.
	#[pallet::storage]
	pub type UnbondingPeriodOverride<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Track records of deregistered provers, restored when they register again
	/// (leaving does not reset reputation or failures).
	#[pallet::storage]
	pub type ProverHistory<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ProverRecord>;

	/// Provers that can take auction work now, in slot order: keyed by
	/// `(slot_rank(reputation, stake), account)` with the identity hasher, so
	/// iterating the keys reads the best provers first (reputation desc, stake
	/// desc, account). Holds exactly the active provers with at least the minimum
	/// (recorded) stake and reputation and a free job slot; the clearing reads
	/// only as many of them as it deals slots to, whatever the number of
	/// registered provers. Kept up to date by every write of a prover record.
	#[pallet::storage]
	pub type SlotIndex<T: Config> =
		StorageMap<_, Identity, (gsp::SlotRank, T::AccountId), (), OptionQuery>;

	/// What each prover declared it serves; a prover without an entry serves
	/// nothing in the auction and takes up to `MaxJobsPerProver` jobs.
	#[pallet::storage]
	pub type Capabilities<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, CapabilitiesOf<T>>;

	/// [`SlotIndex`] per capability: for each declared program or kind, the
	/// provers in `SlotIndex` that declared it, under the same key (identity
	/// hashers, so iterating one capability's keys reads its best provers
	/// first). Rewritten with the prover's `SlotIndex` entry.
	#[pallet::storage]
	pub type CapabilityIndex<T: Config> = StorageDoubleMap<
		_,
		Identity,
		Capability,
		Identity,
		(gsp::SlotRank, T::AccountId),
		(),
		OptionQuery,
	>;

	/// [`CapabilityIndex`] for the busy: per declared capability, the provers
	/// that can take work (recorded stake and reputation, active) but hold as
	/// many jobs as they declared, under the same keys. The clearing reads it
	/// only to know whether a bid that no free prover serves waits for busy
	/// ones (it is demand) or for nobody (it is not).
	#[pallet::storage]
	pub type BusyCapabilityIndex<T: Config> = StorageDoubleMap<
		_,
		Identity,
		Capability,
		Identity,
		(gsp::SlotRank, T::AccountId),
		(),
		OptionQuery,
	>;

	/// Where the decay sweep continues: the last prover it visited.
	#[pallet::storage]
	pub type SweepCursor<T: Config> = StorageValue<_, T::AccountId, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Idle period in blocks (0 = `Config::IdlePeriod`).
		pub idle_period: u32,
		/// Unbonding period in blocks (0 = `Config::UnbondingPeriod`).
		pub unbonding_period: u32,
		#[serde(skip)]
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.idle_period > 0 {
				IdlePeriodOverride::<T>::put(BlockNumberFor::<T>::from(self.idle_period));
			}
			if self.unbonding_period > 0 {
				UnbondingPeriodOverride::<T>::put(BlockNumberFor::<T>::from(self.unbonding_period));
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A prover registered with `stake` held.
		Registered { who: T::AccountId, stake: BalanceOf<T> },
		/// A prover added `amount` of its free balance to its stake.
		Bonded { who: T::AccountId, amount: BalanceOf<T> },
		/// A prover started unbonding `amount`, withdrawable from `unlock_at`.
		Unbonded { who: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// Unbonded stake returned to the free balance.
		Withdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// A prover with nothing left at stake was removed.
		Deregistered { who: T::AccountId },
		/// A prover left the market for now.
		Paused { who: T::AccountId },
		/// A paused prover takes work again.
		Resumed { who: T::AccountId },
		/// Idle decay took `amount` for `periods` full idle periods.
		Decayed { who: T::AccountId, amount: BalanceOf<T>, periods: u32 },
		/// A prover was slashed.
		Slashed { who: T::AccountId, amount: BalanceOf<T>, reason: SlashReason },
		/// A prover's reputation changed.
		ReputationChanged { who: T::AccountId, old: Perbill, new: Perbill },
		/// A prover's stake fell under the minimum: no new work until topped up.
		Deactivated { who: T::AccountId },
		/// An earned fee was added to a prover's stake.
		FeeCredited { who: T::AccountId, amount: BalanceOf<T> },
		/// Stake moved into the collateral hold for a locked offer.
		CollateralLocked { who: T::AccountId, amount: BalanceOf<T> },
		/// Collateral moved back into the stake.
		CollateralReleased { who: T::AccountId, amount: BalanceOf<T> },
		/// Collateral forfeited: `bounty` reserved for the fulfiller, the rest slashed.
		CollateralForfeited { who: T::AccountId, amount: BalanceOf<T>, bounty: BalanceOf<T> },
		/// A reserved bounty was paid into `to`'s stake.
		BountyPaid { from: T::AccountId, to: T::AccountId, amount: BalanceOf<T> },
		/// Root changed the idle and unbonding periods.
		PeriodsChanged { idle_period: BlockNumberFor<T>, unbonding_period: BlockNumberFor<T> },
		/// A prover declared what it serves: `programs` and whole `kinds`, at
		/// most `max_jobs` jobs at once.
		CapabilitiesSet {
			who: T::AccountId,
			programs: BoundedVec<ProgramId, T::MaxCapabilityPrograms>,
			kinds: BoundedVec<ProgramKindId, T::MaxCapabilityKinds>,
			max_jobs: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a registered prover.
		AlreadyRegistered,
		/// The account is not a registered prover.
		NotRegistered,
		/// The stake would be below `MinProverStake`.
		StakeBelowMinimum,
		/// Not enough free balance to hold the amount.
		InsufficientBalance,
		/// Amounts must be non-zero.
		ZeroAmount,
		/// Cannot unbond more than the active stake.
		InsufficientStake,
		/// Too many unbonding chunks; withdraw matured ones first.
		TooManyUnbondingChunks,
		/// No unbonded stake has matured yet.
		NothingToWithdraw,
		/// The prover is already paused.
		AlreadyPaused,
		/// The prover is not paused.
		NotPaused,
		/// Unfinished jobs need at least the minimum stake to stay bonded.
		StakeNeededForJobs,
		/// The matured stake was unbonded while jobs were unfinished: it backs
		/// them and can be withdrawn once they are over.
		ObligationsOutstanding,
		/// The registry is full (`MaxProvers`).
		TooManyProvers,
		/// The prover has no free job slot.
		NoFreeSlot,
		/// The prover is not eligible for new work.
		NotEligible,
		/// Not enough stake to pledge the collateral while keeping the minimum stake.
		InsufficientFreeStake,
		/// Not enough reserved bounty.
		InsufficientBounty,
		/// A period must be at least one block.
		InvalidPeriod,
		/// A program or kind is declared twice.
		DuplicateCapability,
		/// This kind cannot be declared whole: declare its programs one by one.
		KindNotServable,
		/// `max_jobs` must be between 1 and `MaxJobsPerProver` (pause to take none).
		InvalidMaxJobs,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::sweep_on_initialize()
		}

		fn integrity_test() {
			assert!(
				T::ReputationLoss::get() > T::ReputationGain::get(),
				"reputation loss (beta) must exceed reputation gain (alpha)"
			);
			assert!(!T::MinProverStake::get().is_zero(), "MinProverStake must be positive");
			assert!(T::MaxJobsPerProver::get() > 0, "MaxJobsPerProver must be positive");
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
			assert!(!T::IdlePeriod::get().is_zero(), "IdlePeriod must be positive");
			assert!(T::MaxCapabilityPrograms::get() > 0, "MaxCapabilityPrograms must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register as a prover, holding `stake` (at least `MinProverStake`) of the
		/// caller's free balance. An account that was a prover before gets its
		/// reputation and counts back.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			#[pallet::compact] stake: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, stake)
		}

		/// Add `amount` of the caller's free balance to its stake.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, amount)
		}

		/// Start unbonding `amount` of the active stake; it can be withdrawn after
		/// the unbonding period. While jobs are unfinished the stake must stay at
		/// or above the minimum, and the unbonded stake still backs them: it can be
		/// slashed for them and is not withdrawn before they are over.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(who, amount)
		}

		/// Return every matured unbonding chunk to the free balance, except chunks
		/// unbonded while jobs are unfinished (they back those jobs until they are
		/// over). A prover with no stake, collateral, jobs or unbonding left
		/// (after this withdrawal, or slashed to nothing) is deregistered; its
		/// reputation and counts are kept for a return.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(who)
		}

		/// Leave the market for now: no new work and no idle decay until `resume`.
		/// The idle clock stops (idle time so far still counts after `resume`).
		/// Unfinished jobs must still be completed.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::pause())]
		pub fn pause(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_pause(who)
		}

		/// Take work again; the idle clock continues where `pause` stopped it.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_resume(who)
		}

		/// Root: set the idle and unbonding periods (in blocks).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_periods())]
		pub fn set_periods(
			origin: OriginFor<T>,
			idle_period: BlockNumberFor<T>,
			unbonding_period: BlockNumberFor<T>,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_periods(idle_period, unbonding_period)
		}

		/// Declare what the caller serves in the auction: `programs` it has set
		/// up, whole `kinds` (only kinds of which one prover proves any program,
		/// the zkVMs), and how many jobs it takes at once (`max_jobs`, 1 to
		/// `MaxJobsPerProver`). Replaces the previous declaration; the auction
		/// deals it only requests for a declared program (or a program of a
		/// declared kind), and never more than `max_jobs` jobs at once. Work it
		/// already holds is not affected. Declaring nothing leaves it only the
		/// offers and bounties it picks itself.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_capabilities(
			T::MaxCapabilityPrograms::get().saturating_add(T::MaxCapabilityKinds::get()),
		))]
		pub fn set_capabilities(
			origin: OriginFor<T>,
			programs: BoundedVec<ProgramId, T::MaxCapabilityPrograms>,
			kinds: BoundedVec<ProgramKindId, T::MaxCapabilityKinds>,
			max_jobs: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_capabilities(who, programs, kinds, max_jobs)
		}
	}

	impl<T: Config> Pallet<T> {
		/// Invariants: held balances equal the recorded stake, unbonding, collateral
		/// and bounty of every prover; reputation within [0, 100%]; jobs within bounds;
		/// the prover count matches.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			use sp_runtime::traits::Saturating;
			let mut count = 0u32;
			for (who, info) in Provers::<T>::iter() {
				count += 1;
				let unbonding = info.unbonding_total();
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Stake.into(), &who)
						== info.stake.saturating_add(unbonding),
					"stake hold does not match stake + unbonding"
				);
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::Collateral.into(), &who)
						== info.collateral.saturating_add(info.reserved_bounty),
					"collateral hold does not match collateral + reserved bounty"
				);
				ensure!(info.reputation <= Perbill::one(), "reputation above 100%");
				ensure!(info.active_jobs <= T::MaxJobsPerProver::get(), "too many active jobs");
				ensure!(
					info.obligated_since.is_some() == (info.active_jobs > 0),
					"obligation start out of step with the jobs"
				);
				ensure!(
					info.paused_at.is_some() == (info.status == ProverStatus::Paused),
					"pause time out of step with the status"
				);
			}
			ensure!(count == ProverCount::<T>::get(), "prover count mismatch");
			// The slot index holds exactly the provers that can take work, under
			// their current rank.
			let mut indexed = 0u32;
			for (rank, who) in SlotIndex::<T>::iter_keys() {
				indexed += 1;
				let info = Provers::<T>::get(&who).ok_or("slot index names an unknown prover")?;
				ensure!(
					Self::slot_key(&who, &info) == Some((rank, who.clone())),
					"slot index entry out of date"
				);
			}
			let expected = Provers::<T>::iter()
				.filter(|(who, info)| Self::slot_key(who, info).is_some())
				.count() as u32;
			ensure!(indexed == expected, "slot index misses provers that can take work");
			// The capability index holds, per declared capability, exactly the
			// provers of the slot index that declared it.
			let mut entries = 0u32;
			for (cap, (rank, who)) in CapabilityIndex::<T>::iter_keys() {
				entries += 1;
				let info =
					Provers::<T>::get(&who).ok_or("capability index names an unknown prover")?;
				ensure!(
					Self::slot_key(&who, &info) == Some((rank, who.clone())),
					"capability index entry out of date"
				);
				let caps =
					Capabilities::<T>::get(&who).ok_or("capability index without a declaration")?;
				ensure!(caps.all().any(|c| c == cap), "capability index entry not declared");
			}
			let mut expected = 0u32;
			for (who, caps) in Capabilities::<T>::iter() {
				let info = Provers::<T>::get(&who).ok_or("declaration of an unknown prover")?;
				ensure!(
					caps.max_jobs >= 1 && caps.max_jobs <= T::MaxJobsPerProver::get(),
					"declared max_jobs out of bounds"
				);
				if Self::slot_key(&who, &info).is_some() {
					expected += caps.all().count() as u32;
				}
			}
			ensure!(entries == expected, "capability index misses declared provers");
			let mut busy = 0u32;
			for (cap, (rank, who)) in BusyCapabilityIndex::<T>::iter_keys() {
				busy += 1;
				let info = Provers::<T>::get(&who).ok_or("busy index names an unknown prover")?;
				ensure!(
					Self::busy_key(&who, &info) == Some((rank, who.clone())),
					"busy index entry out of date"
				);
				let caps =
					Capabilities::<T>::get(&who).ok_or("busy index without a declaration")?;
				ensure!(caps.all().any(|c| c == cap), "busy index entry not declared");
			}
			let expected_busy: u32 = Capabilities::<T>::iter()
				.filter_map(|(who, caps)| {
					let info = Provers::<T>::get(&who)?;
					Self::busy_key(&who, &info).map(|_| caps.all().count() as u32)
				})
				.sum();
			ensure!(busy == expected_busy, "busy index misses declared busy provers");
			ensure!(count <= T::MaxProvers::get(), "too many provers");
			Ok(())
		}
	}
}
