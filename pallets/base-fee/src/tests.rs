//! Tests of the BaseFee pallet.
use crate::{mock::*, BaseFee as Fee, Error, Event, LastChange};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::DispatchError;
use zkmarket_primitives::traits::BaseFeeOracle;

type P = crate::Pallet<Test>;

#[test]
fn worked_example_demand_twice_target() {
	new_test_ext().execute_with(|| {
		// Demand 20 with capacity 20 (target 10) raises 1000 to 1125.
		P::on_demand(20, 20);
		assert_eq!(Fee::<Test>::get(), 1125);
		System::assert_last_event(
			Event::BaseFeeChanged { old: 1000, new: 1125, demand: 20, capacity: 20 }.into(),
		);
		assert_eq!(LastChange::<Test>::get().unwrap().new, 1125);
		P::do_try_state().unwrap();
	});
}

#[test]
fn sustained_demand_and_idle_capacity() {
	new_test_ext().execute_with(|| {
		for _ in 0..3 {
			P::on_demand(40, 40);
		}
		assert_eq!(Fee::<Test>::get(), 1423); // 1000 * 1.125^3, floor per step
		Fee::<Test>::put(1000);
		P::on_demand(0, 40);
		assert_eq!(Fee::<Test>::get(), 875);
	});
}

#[test]
fn at_target_no_change_and_no_event() {
	new_test_ext().execute_with(|| {
		P::on_demand(10, 20);
		assert_eq!(Fee::<Test>::get(), 1000);
		assert!(System::events().is_empty());
	});
}

#[test]
fn clamped_to_bounds() {
	new_test_ext().execute_with(|| {
		for _ in 0..100 {
			P::on_demand(0, 10);
		}
		assert_eq!(Fee::<Test>::get(), 100);
		for _ in 0..200 {
			P::on_demand(u32::MAX, u32::MAX);
		}
		assert_eq!(Fee::<Test>::get(), 1_000_000);
		P::do_try_state().unwrap();
	});
}

#[test]
fn root_sets_fee_within_bounds() {
	new_test_ext().execute_with(|| {
		assert_noop!(P::set_base_fee(RuntimeOrigin::signed(1), 500), DispatchError::BadOrigin);
		assert_noop!(P::set_base_fee(RuntimeOrigin::root(), 99), Error::<Test>::OutOfBounds);
		assert_noop!(P::set_base_fee(RuntimeOrigin::root(), 1_000_001), Error::<Test>::OutOfBounds);
		assert_ok!(P::set_base_fee(RuntimeOrigin::root(), 500));
		assert_eq!(P::base_fee(), 500);
		System::assert_last_event(Event::BaseFeeSet { old: 1000, new: 500 }.into());
	});
}

#[test]
fn genesis_sets_fee() {
	use sp_runtime::BuildStorage;
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> { base_fee: Some(4242), _phantom: Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	sp_io::TestExternalities::new(t).execute_with(|| assert_eq!(P::base_fee(), 4242));
}

#[test]
fn integrity() {
	use frame_support::traits::Hooks;
	new_test_ext().execute_with(<P as Hooks<u64>>::integrity_test);
}
