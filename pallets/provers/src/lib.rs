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
mod impls;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{self, Inspect, MutateHold},
			tokens::Precision,
			Contains, OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill, SaturatedConversion,
	};
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
			let swept = Self::sweep(T::DecaySweepLimit::get());
			// Plus what the slot dealing in `on_finalize` may do beyond reading the
			// provers it deals to: apply `DecaySweepLimit` pending decays (the
			// sweep's work) and value as many more (reads).
			T::WeightInfo::sweep(swept)
				.saturating_add(T::WeightInfo::sweep(T::DecaySweepLimit::get().saturating_mul(2)))
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
			ensure!(!Provers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			ensure!(stake >= T::MinProverStake::get(), Error::<T>::StakeBelowMinimum);
			let count = ProverCount::<T>::get();
			ensure!(count < T::MaxProvers::get(), Error::<T>::TooManyProvers);
			T::Currency::hold(&HoldReason::Stake.into(), &who, stake)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			// A returning prover keeps its track record.
			let record = ProverHistory::<T>::take(&who).unwrap_or(ProverRecord {
				reputation: T::InitialReputation::get(),
				proofs_verified: 0,
				failures: 0,
			});
			let info = ProverInfo {
				stake,
				collateral: Zero::zero(),
				reserved_bounty: Zero::zero(),
				unbonding: BoundedVec::new(),
				reputation: record.reputation,
				status: ProverStatus::Active,
				active_jobs: 0,
				idle_since: frame_system::Pallet::<T>::block_number(),
				paused_at: None,
				obligated_since: None,
				proofs_verified: record.proofs_verified,
				failures: record.failures,
			};
			Self::put_prover(&who, &info);
			ProverCount::<T>::put(count + 1);
			Self::deposit_event(Event::Registered { who, stake });
			Ok(())
		}

		/// Add `amount` of the caller's free balance to its stake.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut info = Self::touched(&who)?;
			T::Currency::hold(&HoldReason::Stake.into(), &who, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			info.stake = info.stake.saturating_add(amount);
			Self::put_prover(&who, &info);
			Self::deposit_event(Event::Bonded { who, amount });
			Ok(())
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
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut info = Self::touched(&who)?;
			ensure!(amount <= info.stake, Error::<T>::InsufficientStake);
			let remaining = info.stake.saturating_sub(amount);
			if info.active_jobs > 0 || !info.collateral.is_zero() {
				ensure!(remaining >= T::MinProverStake::get(), Error::<T>::StakeNeededForJobs);
			}
			let now = frame_system::Pallet::<T>::block_number();
			let unlock_at = now.saturating_add(Self::unbonding_period());
			info.unbonding
				.try_push(UnbondingChunk { amount, unlock_at, unbonded_at: now })
				.map_err(|_| Error::<T>::TooManyUnbondingChunks)?;
			let before = info.stake;
			info.stake = remaining;
			Self::put_prover(&who, &info);
			Self::deposit_event(Event::Unbonded { who: who.clone(), amount, unlock_at });
			Self::note_stake_drop(&who, before, remaining);
			Ok(())
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
			let mut info = Self::touched(&who)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (mut amount, mut held_back): (BalanceOf<T>, bool) = (Zero::zero(), false);
			let chunks = core::mem::take(&mut info.unbonding);
			for c in chunks {
				let matured = c.unlock_at <= now;
				if matured && !info.backs_obligations(&c) {
					amount = amount.saturating_add(c.amount);
				} else {
					held_back |= matured;
					// Cannot overflow: at most as many chunks as were taken out.
					let _ = info.unbonding.try_push(c);
				}
			}
			// Nothing left at stake at all (e.g. slashed to zero): deregisters.
			let empty = info.stake.is_zero()
				&& info.collateral.is_zero()
				&& info.reserved_bounty.is_zero()
				&& info.unbonding.is_empty()
				&& info.active_jobs == 0;
			if amount.is_zero() && !empty {
				return Err(if held_back {
					Error::<T>::ObligationsOutstanding
				} else {
					Error::<T>::NothingToWithdraw
				}
				.into());
			}
			if !amount.is_zero() {
				T::Currency::release(
					&HoldReason::Stake.into(),
					&who,
					amount,
					Precision::BestEffort,
				)?;
				Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
			}
			if empty {
				Self::remove_prover(&who);
				ProverHistory::<T>::insert(
					&who,
					ProverRecord {
						reputation: info.reputation,
						proofs_verified: info.proofs_verified,
						failures: info.failures,
					},
				);
				ProverCount::<T>::mutate(|c| *c = c.saturating_sub(1));
				Self::deposit_event(Event::Deregistered { who });
			} else {
				Self::put_prover(&who, &info);
			}
			Ok(())
		}

		/// Leave the market for now: no new work and no idle decay until `resume`.
		/// The idle clock stops (idle time so far still counts after `resume`).
		/// Unfinished jobs must still be completed.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::pause())]
		pub fn pause(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::touched(&who)?;
			ensure!(info.status == ProverStatus::Active, Error::<T>::AlreadyPaused);
			info.status = ProverStatus::Paused;
			info.paused_at = Some(frame_system::Pallet::<T>::block_number());
			Self::put_prover(&who, &info);
			Self::deposit_event(Event::Paused { who });
			Ok(())
		}

		/// Take work again; the idle clock continues where `pause` stopped it.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Provers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(info.status == ProverStatus::Paused, Error::<T>::NotPaused);
			let now = frame_system::Pallet::<T>::block_number();
			let paused_for = info.paused_at.take().map(|at| now.saturating_sub(at));
			info.idle_since =
				info.idle_since.saturating_add(paused_for.unwrap_or_default()).min(now);
			info.status = ProverStatus::Active;
			Self::put_prover(&who, &info);
			Self::deposit_event(Event::Resumed { who });
			Ok(())
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
			ensure!(!idle_period.is_zero(), Error::<T>::InvalidPeriod);
			IdlePeriodOverride::<T>::put(idle_period);
			UnbondingPeriodOverride::<T>::put(unbonding_period);
			Self::deposit_event(Event::PeriodsChanged { idle_period, unbonding_period });
			Ok(())
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
			let info = Self::touched(&who)?;
			ensure!(
				max_jobs >= 1 && max_jobs <= T::MaxJobsPerProver::get(),
				Error::<T>::InvalidMaxJobs
			);
			ensure!(kinds.iter().all(T::ServableKinds::contains), Error::<T>::KindNotServable);
			let (mut programs, mut kinds) = (programs, kinds);
			programs.sort();
			kinds.sort();
			ensure!(
				programs.windows(2).all(|w| w[0] != w[1]) && kinds.windows(2).all(|w| w[0] != w[1]),
				Error::<T>::DuplicateCapability
			);
			let caps = ProverCapabilities { programs, kinds, max_jobs };
			// Out of every index under the old declaration, in under the new one
			// (a new `max_jobs` may also move it between free and busy).
			let old = Self::listing(&who, &info);
			if let Some(l) = old.as_ref() {
				Self::unlist(l, Capabilities::<T>::get(&who).as_ref());
			}
			Capabilities::<T>::insert(&who, &caps);
			if let Some(l) = Self::listing(&who, &info) {
				Self::list(&l, Some(&caps));
			}
			Self::deposit_event(Event::CapabilitiesSet {
				who,
				programs: caps.programs,
				kinds: caps.kinds,
				max_jobs,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The jobs `who` takes at once: its declared `max_jobs`, else `MaxJobsPerProver`.
		pub fn max_jobs(who: &T::AccountId) -> u32 {
			Capabilities::<T>::get(who)
				.map(|c| c.max_jobs.min(T::MaxJobsPerProver::get()))
				.unwrap_or_else(T::MaxJobsPerProver::get)
		}

		/// The idle period in force.
		pub fn idle_period() -> BlockNumberFor<T> {
			IdlePeriodOverride::<T>::get().unwrap_or_else(T::IdlePeriod::get)
		}

		/// The unbonding period in force.
		pub fn unbonding_period() -> BlockNumberFor<T> {
			UnbondingPeriodOverride::<T>::get().unwrap_or_else(T::UnbondingPeriod::get)
		}

		/// Full idle periods of `info` at block `now` (0 when paused).
		pub(crate) fn pending_periods(info: &ProverInfoOf<T>, now: BlockNumberFor<T>) -> u64 {
			if info.status != ProverStatus::Active {
				return 0;
			}
			let to_u64 = |b: BlockNumberFor<T>| -> u64 { b.try_into().unwrap_or(u64::MAX) };
			zkmarket_primitives::decay::idle_periods(
				to_u64(info.idle_since),
				to_u64(now),
				to_u64(Self::idle_period()),
			)
		}

		/// The stake of `info` after decay not yet applied.
		pub fn effective_stake(info: &ProverInfoOf<T>) -> BalanceOf<T> {
			let periods = Self::pending_periods(info, frame_system::Pallet::<T>::block_number());
			let stake: u128 = info.stake.saturated_into();
			let left =
				zkmarket_primitives::decay::decayed_stake(stake, T::IdleDecay::get(), periods);
			left.saturated_into()
		}

		/// Brings the decay of `who` up to date (writing the record) and returns it.
		pub(crate) fn touched(who: &T::AccountId) -> Result<ProverInfoOf<T>, DispatchError> {
			let mut info = Provers::<T>::get(who).ok_or(Error::<T>::NotRegistered)?;
			if Self::apply_decay(who, &mut info) {
				Self::put_prover(who, &info);
			}
			Ok(info)
		}

		/// Applies pending idle decay to `info`; returns whether it changed.
		pub(crate) fn apply_decay(who: &T::AccountId, info: &mut ProverInfoOf<T>) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			let periods = Self::pending_periods(info, now);
			if periods == 0 {
				return false;
			}
			let new_stake = Self::effective_stake(info);
			let cut = info.stake.saturating_sub(new_stake);
			let period = Self::idle_period();
			let advance = period.saturating_mul(
				BlockNumberFor::<T>::try_from(periods)
					.unwrap_or_else(|_| now.saturating_sub(info.idle_since)),
			);
			info.idle_since = info.idle_since.saturating_add(advance).min(now);
			if cut.is_zero() {
				return true;
			}
			let before = info.stake;
			let taken = Self::slash_hold(HoldReason::Stake, who, cut);
			info.stake = info.stake.saturating_sub(taken);
			Self::deposit_event(Event::Decayed {
				who: who.clone(),
				amount: taken,
				periods: periods.min(u32::MAX as u64) as u32,
			});
			Self::note_stake_drop(who, before, info.stake);
			true
		}

		/// Emits `Deactivated` when the stake fell from at least the minimum to below it.
		pub(crate) fn note_stake_drop(
			who: &T::AccountId,
			before: BalanceOf<T>,
			after: BalanceOf<T>,
		) {
			let min = T::MinProverStake::get();
			if before >= min && after < min {
				Self::deposit_event(Event::Deactivated { who: who.clone() });
			}
		}

		/// Slashes up to `amount` held for `reason` on `who` into `T::Slash`.
		pub(crate) fn slash_hold(
			reason: HoldReason,
			who: &T::AccountId,
			amount: BalanceOf<T>,
		) -> BalanceOf<T> {
			if amount.is_zero() {
				return amount;
			}
			let (credit, missing) = <T::Currency as fungible::BalancedHold<T::AccountId>>::slash(
				&reason.into(),
				who,
				amount,
			);
			T::Slash::on_unbalanced(credit);
			amount.saturating_sub(missing)
		}

		/// Slashes `rate` of the stake that backs `who`'s obligations: the active
		/// stake plus the chunks unbonded since they began. Takes the active stake
		/// first, then those chunks (newest first). Returns the amount slashed.
		pub(crate) fn slash_backing(
			who: &T::AccountId,
			info: &mut ProverInfoOf<T>,
			rate: Perbill,
		) -> BalanceOf<T> {
			let base: u128 = info.stake.saturating_add(info.slashable_unbonding()).saturated_into();
			let want: BalanceOf<T> =
				zkmarket_primitives::decay::slash_amount(base, rate).saturated_into();
			let taken = Self::slash_hold(HoldReason::Stake, who, want);
			let from_stake = taken.min(info.stake);
			info.stake = info.stake.saturating_sub(from_stake);
			let mut rest = taken.saturating_sub(from_stake);
			let since = info.obligated_since;
			for c in info.unbonding.iter_mut().rev() {
				if rest.is_zero() {
					break;
				}
				if since.map(|s| c.unbonded_at >= s).unwrap_or(false) {
					let cut = rest.min(c.amount);
					c.amount = c.amount.saturating_sub(cut);
					rest = rest.saturating_sub(cut);
				}
			}
			info.unbonding.retain(|c| !c.amount.is_zero());
			taken
		}

		/// Brings up to `limit` provers' decay up to date, continuing where the last
		/// sweep stopped. Returns how many were visited.
		pub fn sweep(limit: u32) -> u32 {
			if limit == 0 || ProverCount::<T>::get() == 0 {
				return 0;
			}
			let mut iter = match SweepCursor::<T>::get() {
				Some(last) => Provers::<T>::iter_from(Provers::<T>::hashed_key_for(last)),
				None => Provers::<T>::iter(),
			};
			let mut visited = 0u32;
			let mut last = None;
			while visited < limit {
				match iter.next() {
					Some((who, mut info)) => {
						visited += 1;
						if Self::apply_decay(&who, &mut info) {
							Self::put_prover(&who, &info);
						}
						last = Some(who);
					}
					None => {
						last = None;
						break;
					}
				}
			}
			match last {
				Some(who) => SweepCursor::<T>::put(who),
				None => SweepCursor::<T>::kill(),
			}
			visited
		}

		/// The key of `who` in [`SlotIndex`] when `info` can take auction work
		/// (active, recorded stake and reputation at least the minimum, a free
		/// job slot), `None` otherwise.
		pub(crate) fn slot_key(
			who: &T::AccountId,
			info: &ProverInfoOf<T>,
		) -> Option<(gsp::SlotRank, T::AccountId)> {
			match Self::listing(who, info) {
				Some(Listing::Free(key)) => Some(key),
				_ => None,
			}
		}

		/// The key of `who` in [`BusyCapabilityIndex`] when `info` can take
		/// work but holds as many jobs as it declared, `None` otherwise.
		pub(crate) fn busy_key(
			who: &T::AccountId,
			info: &ProverInfoOf<T>,
		) -> Option<(gsp::SlotRank, T::AccountId)> {
			match Self::listing(who, info) {
				Some(Listing::Busy(key)) => Some(key),
				_ => None,
			}
		}

		/// Where `info` belongs in the indexes: free (a job slot left under its
		/// declared limit), busy, or nowhere (paused or not eligible by its
		/// recorded stake and reputation).
		pub(crate) fn listing(who: &T::AccountId, info: &ProverInfoOf<T>) -> Option<Listing<T>> {
			if !Self::eligible_with_stake(info, info.stake) {
				return None;
			}
			let key = (
				gsp::slot_rank(info.reputation.deconstruct(), info.stake.saturated_into()),
				who.clone(),
			);
			Some(if info.active_jobs < Self::max_jobs(who) {
				Listing::Free(key)
			} else {
				Listing::Busy(key)
			})
		}

		/// Removes `who`'s entries under `listing`: its [`SlotIndex`] entry when
		/// free, and one entry per capability of `caps` (its declaration).
		fn unlist(listing: &Listing<T>, caps: Option<&CapabilitiesOf<T>>) {
			match listing {
				Listing::Free(key) => {
					SlotIndex::<T>::remove(key);
					for cap in caps.into_iter().flat_map(|c| c.all()) {
						CapabilityIndex::<T>::remove(cap, key);
					}
				}
				Listing::Busy(key) => {
					for cap in caps.into_iter().flat_map(|c| c.all()) {
						BusyCapabilityIndex::<T>::remove(cap, key);
					}
				}
			}
		}

		/// Adds the entries of `listing` (see [`Self::unlist`]).
		fn list(listing: &Listing<T>, caps: Option<&CapabilitiesOf<T>>) {
			match listing {
				Listing::Free(key) => {
					SlotIndex::<T>::insert(key, ());
					for cap in caps.into_iter().flat_map(|c| c.all()) {
						CapabilityIndex::<T>::insert(cap, key, ());
					}
				}
				Listing::Busy(key) => {
					for cap in caps.into_iter().flat_map(|c| c.all()) {
						BusyCapabilityIndex::<T>::insert(cap, key, ());
					}
				}
			}
		}

		/// Writes the record of `who`, moving it in [`SlotIndex`] and the
		/// capability indexes when its rank or its ability to take work changed
		/// (its declaration is read only then). Every write of a record goes here.
		pub(crate) fn put_prover(who: &T::AccountId, info: &ProverInfoOf<T>) {
			let old = Provers::<T>::get(who).and_then(|old| Self::listing(who, &old));
			let new = Self::listing(who, info);
			if old != new {
				let caps = Capabilities::<T>::get(who);
				if let Some(l) = old.as_ref() {
					Self::unlist(l, caps.as_ref());
				}
				if let Some(l) = new.as_ref() {
					Self::list(l, caps.as_ref());
				}
			}
			Provers::<T>::insert(who, info);
		}

		/// Removes the record of `who` (its index entries and its declaration).
		pub(crate) fn remove_prover(who: &T::AccountId) {
			if let Some(l) = Provers::<T>::take(who).and_then(|old| Self::listing(who, &old)) {
				Self::unlist(&l, Capabilities::<T>::get(who).as_ref());
			}
			Capabilities::<T>::remove(who);
		}

		/// Whether a busy prover (see [`BusyCapabilityIndex`]) that declared
		/// `capability` is not in `excluded`; reads at most `excluded.len() + 1`
		/// entries, counted against `budget`.
		pub(crate) fn serves_busy(
			capability: &Capability,
			excluded: &[T::AccountId],
			budget: &mut u32,
		) -> bool {
			for (_, who) in BusyCapabilityIndex::<T>::iter_key_prefix(capability) {
				if *budget == 0 {
					return false;
				}
				*budget -= 1;
				if !excluded.contains(&who) {
					return true;
				}
			}
			false
		}

		/// See [`zkmarket_primitives::traits::ProverRegistry::next_capable`].
		#[allow(clippy::type_complexity)]
		pub(crate) fn next_capable_prover(
			capability: &Capability,
			after: Option<&(gsp::SlotRank, T::AccountId)>,
			decays: &mut u32,
		) -> Option<((gsp::SlotRank, T::AccountId), Option<gsp::SlotOffer<T::AccountId>>)> {
			let mut keys = match after {
				Some(k) => CapabilityIndex::<T>::iter_key_prefix_from(
					capability,
					CapabilityIndex::<T>::hashed_key_for(capability, k),
				),
				None => CapabilityIndex::<T>::iter_key_prefix(capability),
			};
			let key = keys.next()?;
			let who = key.1.clone();
			let offer = Provers::<T>::get(&who).and_then(|mut info| {
				// Defensive: an entry that does not match its record is skipped.
				if Self::slot_key(&who, &info).as_ref() != Some(&key) {
					return None;
				}
				// Pending decay is applied while the budget lasts: the prover moves
				// down (a lower stake is a later key: the walk meets it again there,
				// in its true place) or out of the indexes. Past the budget it is
				// offered at its recorded rank if its effective stake qualifies.
				let now = frame_system::Pallet::<T>::block_number();
				if *decays > 0 && Self::pending_periods(&info, now) > 0 {
					*decays -= 1;
					Self::apply_decay(&who, &mut info);
					Self::put_prover(&who, &info);
					return None;
				}
				Self::eligible(&info).then(|| gsp::SlotOffer {
					reputation: info.reputation.deconstruct(),
					stake: info.stake.saturated_into(),
					free_slots: Self::max_jobs(&who).saturating_sub(info.active_jobs),
					who: who.clone(),
				})
			});
			Some((key, offer))
		}

		/// Free auction slots of up to `max` provers in slot order, read from
		/// [`SlotIndex`]: the cost depends on `max`, not on how many provers are
		/// registered. A prover read with idle decay pending gets it applied (at
		/// most `DecaySweepLimit` a call; past that, up to `DecaySweepLimit` more
		/// are only valued at their effective stake, without a write) and is offered
		/// at its effective stake; it moves down the index (or out of it) and
		/// counts towards `max` when the walk reaches its new key, so the offers
		/// hold exactly the best `max` provers by effective stake (the dealing
		/// sorts them). Past both limits the walk stops early: this block may
		/// favour a prover it met over one it did not reach; the sweep and later
		/// blocks catch up.
		pub(crate) fn slot_offers(max: u32) -> Vec<gsp::SlotOffer<T::AccountId>> {
			let (mut decays, mut passed) = (T::DecaySweepLimit::get(), T::DecaySweepLimit::get());
			let now = frame_system::Pallet::<T>::block_number();
			let offer =
				|who: T::AccountId, info: &ProverInfoOf<T>, stake: BalanceOf<T>| gsp::SlotOffer {
					stake: stake.saturated_into(),
					reputation: info.reputation.deconstruct(),
					free_slots: Self::max_jobs(&who).saturating_sub(info.active_jobs),
					who,
				};
			let mut offers = Vec::new();
			// Provers offered before the walk reaches their (new) key.
			let mut early = alloc::collections::BTreeSet::new();
			let mut exact = 0u32;
			let mut keys = SlotIndex::<T>::iter_keys();
			while exact < max {
				let Some(key) = keys.next() else { break };
				let who = key.1.clone();
				if early.contains(&who) {
					// Met again at its true rank: it now counts.
					exact += 1;
					continue;
				}
				let Some(mut info) = Provers::<T>::get(&who) else { continue };
				// Defensive: an entry that does not match its record is skipped.
				if Self::slot_key(&who, &info).as_ref() != Some(&key) {
					continue;
				}
				if Self::pending_periods(&info, now) > 0 {
					let stake = if decays > 0 {
						decays -= 1;
						Self::apply_decay(&who, &mut info);
						Self::put_prover(&who, &info);
						info.stake
					} else if passed > 0 {
						passed -= 1;
						Self::effective_stake(&info)
					} else {
						break;
					};
					// Offered at its effective stake now (the dealing sorts it into
					// place); it counts when the walk reaches its new key.
					if Self::eligible_with_stake(&info, stake) {
						early.insert(who.clone());
						offers.push(offer(who, &info, stake));
					}
					continue;
				}
				exact += 1;
				offers.push(offer(who, &info, info.stake));
			}
			offers
		}

		/// Whether `info` may take new work.
		pub(crate) fn eligible(info: &ProverInfoOf<T>) -> bool {
			Self::eligible_with_stake(info, Self::effective_stake(info))
		}

		/// Whether `info` may take new work, given its already computed effective stake.
		pub(crate) fn eligible_with_stake(info: &ProverInfoOf<T>, stake: BalanceOf<T>) -> bool {
			info.status == ProverStatus::Active
				&& stake >= T::MinProverStake::get()
				&& info.reputation >= T::MinReputation::get()
		}

		/// Moves reputation by `f` and emits `ReputationChanged`.
		pub(crate) fn set_reputation(who: &T::AccountId, info: &mut ProverInfoOf<T>, new: Perbill) {
			let old = info.reputation;
			if old != new {
				info.reputation = new;
				Self::deposit_event(Event::ReputationChanged { who: who.clone(), old, new });
			}
		}

		/// A client's view of `who`.
		pub fn prover_view(who: &T::AccountId) -> Option<ProverView<BalanceOf<T>>> {
			let info = Provers::<T>::get(who)?;
			Some(ProverView {
				effective_stake: Self::effective_stake(&info),
				collateral: info.collateral,
				unbonding: info.unbonding_total(),
				reputation: info.reputation,
				paused: info.status == ProverStatus::Paused,
				active_jobs: info.active_jobs,
				eligible: Self::eligible(&info) && info.active_jobs < Self::max_jobs(who),
			})
		}

		/// What `who` declared it serves, for clients.
		pub fn capabilities_view(who: &T::AccountId) -> Option<CapabilitiesView> {
			if !Provers::<T>::contains_key(who) {
				return None;
			}
			Some(match Capabilities::<T>::get(who) {
				Some(c) => CapabilitiesView {
					programs: c.programs.into_inner(),
					kinds: c.kinds.into_inner(),
					max_jobs: c.max_jobs,
				},
				None => CapabilitiesView {
					programs: Vec::new(),
					kinds: Vec::new(),
					max_jobs: T::MaxJobsPerProver::get(),
				},
			})
		}

		/// Invariants: held balances equal the recorded stake, unbonding, collateral
		/// and bounty of every prover; reputation within [0, 100%]; jobs within bounds;
		/// the prover count matches.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
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
