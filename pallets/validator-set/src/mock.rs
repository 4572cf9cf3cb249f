//! Mock runtime for the validator set pallet: accounts are `u64`; which of
//! them have session keys is kept in [`REGISTERED`] (the runtime asks
//! pallet-session; its integration is tested in the runtime's tests).
use crate as pallet_validator_set;
use core::cell::RefCell;
use frame_support::{derive_impl, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ValidatorSet: pallet_validator_set,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	/// Accounts with session keys.
	pub static REGISTERED: RefCell<Vec<u64>> = RefCell::new(vec![1, 2, 3, 4, 5]);
}

/// Session keys as the mock's [`REGISTERED`] list says.
pub struct Registration;
impl frame_support::traits::ValidatorRegistration<u64> for Registration {
	fn is_registered(id: &u64) -> bool {
		REGISTERED.with(|r| r.borrow().contains(id))
	}
}

/// Sets or clears `who`'s keys.
pub fn set_registered(who: u64, registered: bool) {
	REGISTERED.with(|r| {
		let mut r = r.borrow_mut();
		r.retain(|x| *x != who);
		if registered {
			r.push(who);
		}
	});
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for Registration {
	fn register(who: &u64) {
		set_registered(*who, true);
	}
}

impl pallet_validator_set::Config for Test {
	type AdminOrigin = EnsureRoot<u64>;
	type ValidatorRegistration = Registration;
	type MaxValidators = ConstU32<8>;
	type MinValidators = ConstU32<1>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = Registration;
}

/// Validators 1, 2 and 3; sessions of 10 blocks; block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_validator_set::GenesisConfig::<Test> { validators: vec![3, 1, 2], session_length: 10 }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
