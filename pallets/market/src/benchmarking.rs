//! Benchmarks of the market pallet (frame-benchmarking v2).
use super::*;
use crate::Pallet as Market;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get, UnixTime},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::Saturating, SaturatedConversion};
use zkmarket_primitives::traits::ProgramId;

const ZK: u128 = 1_000_000_000_000_000_000;

fn requester<T: Config>(i: u32) -> T::AccountId {
	let who: T::AccountId = account("requester", i, 0);
	T::Currency::set_balance(&who, (1_000_000 * ZK).saturated_into());
	who
}

fn inputs<T: Config>() -> BoundedVec<[u8; 32], T::MaxPublicInputs> {
	BoundedVec::truncate_from(alloc::vec![[1u8; 32]])
}

fn auction<T: Config>(bid: u128) -> Pricing<BalanceOf<T>> {
	Pricing::Auction { bid: bid.saturated_into(), max_base_fee: (1_000 * ZK).saturated_into() }
}

fn offer<T: Config>() -> Pricing<BalanceOf<T>> {
	let now = T::UnixTime::now().as_secs();
	Pricing::Offer {
		min_price: ZK.saturated_into(),
		max_price: (2 * ZK).saturated_into(),
		ramp_up_start: now,
		ramp_up_period: 10,
		lock_timeout: 100,
		timeout: 200,
		lock_collateral: T::MinLockCollateral::get(),
	}
}

fn expiry<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number().saturating_add(10u32.into())
}

/// Queues `b` auction bids from `b` requesters (distinct expiry slots).
fn queue_bids<T: Config>(b: u32, program: ProgramId) {
	queue_bids_from::<T>(0, b, program)
}

/// Queues `b` auction bids from requesters `first..first + b`.
fn queue_bids_from<T: Config>(first: u32, b: u32, program: ProgramId) {
	for i in first..first + b {
		let who = requester::<T>(i);
		let exp = frame_system::Pallet::<T>::block_number()
			.saturating_add((2 + i / T::MaxDeadlinesPerSlot::get()).into());
		Market::<T>::submit_request(
			RawOrigin::Signed(who).into(),
			program,
			inputs::<T>(),
			auction::<T>(ZK + i as u128),
			exp,
		)
		.expect("bid");
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A bid into a full queue that ranks above the worst queued bid: the rank
	/// search and the eviction (refund and close) of the worst.
	#[benchmark]
	fn submit_request() {
		let program = T::BenchmarkHelper::setup_program();
		let full = T::MaxQueueLength::get();
		queue_bids::<T>(full, program);
		let who = requester::<T>(full);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), program, inputs::<T>(), auction::<T>(2 * ZK), expiry::<T>());
		assert_eq!(NextRequestId::<T>::get(), full as u64 + 1);
		assert_eq!(AuctionQueue::<T>::get().len() as u32, full);
	}

	#[benchmark]
	fn cancel_request() {
		let program = T::BenchmarkHelper::setup_program();
		let who = requester::<T>(0);
		Market::<T>::submit_request(
			RawOrigin::Signed(who.clone()).into(),
			program,
			inputs::<T>(),
			auction::<T>(ZK),
			expiry::<T>(),
		)
		.unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), 0);
		assert_eq!(Requests::<T>::get(0).unwrap().state, RequestState::Cancelled);
	}

	#[benchmark]
	fn lock_request() {
		let program = T::BenchmarkHelper::setup_program();
		let who = requester::<T>(0);
		Market::<T>::submit_request(
			RawOrigin::Signed(who).into(),
			program,
			inputs::<T>(),
			offer::<T>(),
			0u32.into(),
		)
		.unwrap();
		let prover: T::AccountId = account("prover", 0, 0);
		T::BenchmarkHelper::setup_prover(&prover);
		#[extrinsic_call]
		_(RawOrigin::Signed(prover), 0);
		assert!(matches!(Requests::<T>::get(0).unwrap().state, RequestState::Locked { .. }));
	}

	/// GSP clearing of `b` queued bids for `g` programs with `p` registered
	/// provers (the runtime's `MaxProvers` is 10,000), each serving 16 of the
	/// programs (`MaxCapabilityPrograms`), so the dealing walks the capability
	/// indexes of every program past provers busy with the others. The cost
	/// should not grow with `p`.
	#[benchmark]
	fn clear_auction(
		b: Linear<1, { T::MaxBidsPerBlock::get().min(T::MaxQueueLength::get()) }>,
		p: Linear<1, 10_000>,
		g: Linear<1, 64>,
	) {
		let programs = T::BenchmarkHelper::setup_programs(g);
		for i in 0..p {
			let who: T::AccountId = account("prover", i, 0);
			T::BenchmarkHelper::setup_prover(&who);
			let serves = (0..16u32.min(g)).map(|k| programs[((i + k) % g) as usize]).collect();
			T::BenchmarkHelper::serve(&who, serves);
		}
		for i in 0..b {
			queue_bids_from::<T>(i, 1, programs[(i % g) as usize]);
		}
		let n = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Market::<T>::clear_auction(n);
		}
		assert!(LastClearing::<T>::get().is_some());
	}

	/// The clearing of a block without eligible bids: only the BaseFee step.
	#[benchmark]
	fn clear_idle() {
		let n = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Market::<T>::clear_auction(n);
		}
		assert!(AuctionQueue::<T>::get().is_empty());
	}

	/// Pruning `n` closed (cancelled) requests whose retention ended.
	#[benchmark]
	fn prune_closed(n: Linear<1, { T::MaxPrunePerBlock::get() }>) {
		let program = T::BenchmarkHelper::setup_program();
		for i in 0..n {
			let who = requester::<T>(i);
			Market::<T>::submit_request(
				RawOrigin::Signed(who.clone()).into(),
				program,
				inputs::<T>(),
				auction::<T>(ZK),
				frame_system::Pallet::<T>::block_number()
					.saturating_add((2 + i / T::MaxDeadlinesPerSlot::get()).into()),
			)
			.unwrap();
			Market::<T>::cancel_request(RawOrigin::Signed(who).into(), i as u64).unwrap();
		}
		let at = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::ClosedRetention::get())
			.saturating_add(1u32.into());
		let pruned;
		#[block]
		{
			pruned = Market::<T>::prune_closed(at);
		}
		assert_eq!(pruned, n);
		assert!(Requests::<T>::get(0).is_none());
	}

	/// `n` assignment deadlines missed in one block (slash + re-queue each),
	/// on the costliest path: the queue is full of lower bids, so each re-queue
	/// evicts (and refunds, and closes) the worst. `decline_assignment` and the
	/// verifier's conclusions are charged from this.
	#[benchmark]
	fn block_deadlines(n: Linear<1, { T::MaxAssignmentsPerBlock::get() }>) {
		let program = T::BenchmarkHelper::setup_program();
		for i in 0..n {
			T::BenchmarkHelper::setup_prover(&account("prover", i, 0));
		}
		let now = frame_system::Pallet::<T>::block_number();
		let due = now.saturating_add(T::ProofDeadline::get());
		for i in 0..n {
			let who = requester::<T>(i);
			Market::<T>::submit_request(
				RawOrigin::Signed(who).into(),
				program,
				inputs::<T>(),
				auction::<T>(ZK),
				due.saturating_add(2u32.into()),
			)
			.unwrap();
		}
		Market::<T>::clear_auction(now);
		// Deadlines are inclusive: missed ones are found the block after.
		let check = due.saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(check);
		let queued = AuctionQueue::<T>::decode_len().unwrap_or(0) as u32;
		for i in 0..T::MaxQueueLength::get().saturating_sub(queued) {
			let who = requester::<T>(n + i);
			let exp = check.saturating_add((2 + i / T::MaxDeadlinesPerSlot::get()).into());
			Market::<T>::submit_request(
				RawOrigin::Signed(who).into(),
				program,
				inputs::<T>(),
				auction::<T>(ZK / 2 + i as u128),
				exp,
			)
			.expect("a lower bid");
		}
		#[block]
		{
			Market::<T>::process_block_deadlines(check);
		}
		assert_eq!(AuctionQueue::<T>::get().len() as u32, T::MaxQueueLength::get());
	}

	/// Offer deadlines scanning `s` seconds (at least the `ceil(n / cap)` last
	/// ones hold entries, `MaxOfferDeadlinesPerSecond` each) with `n` locked
	/// offers that missed their lock (collateral forfeited, bounty reserved,
	/// requester refunded).
	#[benchmark]
	fn offer_deadlines(
		s: Linear<1, { T::MaxOfferSecondsPerBlock::get() }>,
		n: Linear<0, { T::MaxOfferDeadlinesPerBlock::get() }>,
	) {
		let program = T::BenchmarkHelper::setup_program();
		// Room before the lock second for `s` seconds of clock.
		T::BenchmarkHelper::advance_time(T::MaxOfferSecondsPerBlock::get() as u64);
		let now = T::UnixTime::now().as_secs();
		let cap = T::MaxOfferDeadlinesPerSecond::get();
		let seconds = n.div_ceil(cap).max(1);
		let s = s.max(seconds);
		let lock_second = offer::<T>().curve().expect("an offer").lock_deadline() + 1;
		for i in 0..n {
			let who = requester::<T>(i);
			let mut pricing = offer::<T>();
			if let Pricing::Offer { ramp_up_start, .. } = &mut pricing {
				*ramp_up_start += (i / cap) as u64;
			}
			Market::<T>::submit_request(
				RawOrigin::Signed(who).into(),
				program,
				inputs::<T>(),
				pricing,
				0u32.into(),
			)
			.unwrap();
			let prover: T::AccountId = account("prover", i, 0);
			T::BenchmarkHelper::setup_prover(&prover);
			Market::<T>::lock_request(RawOrigin::Signed(prover).into(), i as u64).unwrap();
		}
		let last = lock_second + seconds as u64 - 1;
		OfferClock::<T>::put(last - s as u64);
		T::BenchmarkHelper::advance_time(last - now);
		let processed;
		#[block]
		{
			processed = Market::<T>::process_offer_deadlines();
		}
		assert_eq!(processed, (s, n));
		if n > 0 {
			assert!(matches!(
				Requests::<T>::get(0).unwrap().state,
				RequestState::BountyOpen { .. }
			));
		}
	}

	impl_benchmark_test_suite!(Market, crate::mock::new_test_ext(), crate::mock::Test);
}
