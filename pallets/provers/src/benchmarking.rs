//! Benchmarks of the provers pallet (frame-benchmarking v2).
use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Contains, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::Saturating;
use zkmarket_primitives::traits::ProgramId;

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	let amount = T::MinProverStake::get().saturating_mul(1_000u32.into());
	T::Currency::set_balance(&who, amount);
	who
}

/// A registered prover that declared the most capabilities it may (every
/// rank change rewrites all their index entries: the worst case).
fn registered<T: Config>(i: u32) -> T::AccountId {
	let who = funded::<T>("prover", i);
	Pallet::<T>::register(
		RawOrigin::Signed(who.clone()).into(),
		T::MinProverStake::get().saturating_mul(2u32.into()),
	)
	.expect("register");
	let programs: Vec<ProgramId> = (0..T::MaxCapabilityPrograms::get())
		.map(|k| {
			let mut id = [9u8; 32];
			id[..4].copy_from_slice(&k.to_le_bytes());
			id
		})
		.collect();
	let kinds: Vec<u8> = (0..=u8::MAX)
		.filter(T::ServableKinds::contains)
		.take(T::MaxCapabilityKinds::get() as usize)
		.collect();
	Pallet::<T>::set_capabilities(
		RawOrigin::Signed(who.clone()).into(),
		programs.try_into().expect("at most the bound"),
		kinds.try_into().expect("at most the bound"),
		T::MaxJobsPerProver::get(),
	)
	.expect("declare");
	who
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let who = funded::<T>("prover", 0);
		let stake = T::MinProverStake::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), stake);
		assert!(Provers::<T>::contains_key(&who));
	}

	/// A declaration of `n` programs replacing one of `n` other programs: every
	/// old entry removed from the capability index, every new one added.
	#[benchmark]
	fn set_capabilities(n: Linear<1, { T::MaxCapabilityPrograms::get() }>) {
		let who = registered::<T>(0);
		let programs = |salt: u8| -> BoundedVec<ProgramId, T::MaxCapabilityPrograms> {
			let v: Vec<ProgramId> = (0..n)
				.map(|i| {
					let mut id = [salt; 32];
					id[..4].copy_from_slice(&i.to_le_bytes());
					id
				})
				.collect();
			v.try_into().expect("at most the bound")
		};
		let jobs = T::MaxJobsPerProver::get();
		Pallet::<T>::set_capabilities(
			RawOrigin::Signed(who.clone()).into(),
			programs(1),
			Default::default(),
			jobs,
		)
		.expect("first declaration");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), programs(2), Default::default(), jobs);
		assert_eq!(Capabilities::<T>::get(&who).unwrap().programs.len() as u32, n);
	}

	#[benchmark]
	fn bond_extra() {
		let who = registered::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinProverStake::get());
		assert_eq!(
			Provers::<T>::get(&who).unwrap().stake,
			T::MinProverStake::get().saturating_mul(3u32.into())
		);
	}

	#[benchmark]
	fn unbond() {
		let who = registered::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::MinProverStake::get());
		assert_eq!(Provers::<T>::get(&who).unwrap().unbonding.len(), 1);
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let who = registered::<T>(0);
		let all = Provers::<T>::get(&who).unwrap().stake;
		Pallet::<T>::unbond(RawOrigin::Signed(who.clone()).into(), all).unwrap();
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number()
				.saturating_add(Pallet::<T>::unbonding_period()),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Provers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn pause() {
		let who = registered::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert_eq!(Provers::<T>::get(&who).unwrap().status, ProverStatus::Paused);
	}

	#[benchmark]
	fn resume() {
		let who = registered::<T>(0);
		Pallet::<T>::pause(RawOrigin::Signed(who.clone()).into()).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert_eq!(Provers::<T>::get(&who).unwrap().status, ProverStatus::Active);
	}

	#[benchmark]
	fn set_periods() {
		#[extrinsic_call]
		_(RawOrigin::Root, 100u32.into(), 10u32.into());
		assert_eq!(Pallet::<T>::idle_period(), 100u32.into());
	}

	/// The decay sweep over `n` provers that each owe one idle period.
	#[benchmark]
	fn sweep(n: Linear<1, { T::MaxProvers::get().min(T::DecaySweepLimit::get().max(1) * 4) }>) {
		for i in 0..n {
			registered::<T>(i);
		}
		let now =
			frame_system::Pallet::<T>::block_number().saturating_add(Pallet::<T>::idle_period());
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::sweep(n);
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
