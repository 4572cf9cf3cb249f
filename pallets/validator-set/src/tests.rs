//! Tests of the validator set pallet on its mock runtime.
use crate::{mock::*, Error, Event, Planned, SessionLength, Sessions, Validators};
use frame_support::{
	assert_noop, assert_ok,
	traits::{EstimateNextSessionRotation, Hooks},
};
use sp_runtime::{DispatchError, Permill};

fn set() -> Vec<u64> {
	Validators::<Test>::get().into_inner()
}

#[test]
fn genesis_sorts_the_set_and_sets_the_session_length() {
	new_test_ext().execute_with(|| {
		assert_eq!(set(), vec![1, 2, 3]);
		assert_eq!(SessionLength::<Test>::get(), 10);
		assert_eq!(ValidatorSet::new_session_genesis(0), Some(vec![1, 2, 3]));
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn only_the_admin_changes_the_set() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(4), 4),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			DispatchError::BadOrigin
		);
		assert_eq!(set(), vec![1, 2, 3]);
	});
}

#[test]
fn an_added_validator_is_planned_at_the_next_session_boundary_only() {
	new_test_ext().execute_with(|| {
		// Nothing changed: sessions keep their set.
		assert_eq!(ValidatorSet::new_session(2), None);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		System::assert_last_event(Event::ValidatorAdded { who: 4 }.into());
		assert_eq!(set(), vec![1, 2, 3, 4]);
		assert_eq!(ValidatorSet::new_session(3), Some(vec![1, 2, 3, 4]));
		System::assert_last_event(
			Event::NewSetPlanned { session: 3, validators: vec![1, 2, 3, 4] }.into(),
		);
		// Planned once.
		assert_eq!(ValidatorSet::new_session(4), None);
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn accounts_without_session_keys_cannot_be_added() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NoSessionKeys
		);
		assert_eq!(ValidatorSet::new_session(2), None);
	});
}

#[test]
fn duplicates_and_overflow_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
		for who in 4..=8 {
			set_registered(who, true);
			assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), who));
		}
		set_registered(9, true);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::TooManyValidators
		);
		assert_eq!(set(), (1..=8).collect::<Vec<_>>());
	});
}

#[test]
fn removals_stop_at_the_minimum() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 7),
			Error::<Test>::NotValidator
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { who: 2 }.into());
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 3),
			Error::<Test>::TooFewValidators
		);
		assert_eq!(set(), vec![3]);
		assert_eq!(ValidatorSet::new_session(5), Some(vec![3]));
	});
}

#[test]
fn members_without_keys_are_left_out_and_an_empty_plan_keeps_the_current_set() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		// 4 purges its keys before the boundary: the plan leaves it out, which
		// is the set planned already.
		set_registered(4, false);
		assert_eq!(ValidatorSet::new_session(3), None);
		// Everyone left but 3, and 3 purges its keys: nothing to plan.
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 4));
		set_registered(3, false);
		assert_eq!(ValidatorSet::new_session(4), None);
		System::assert_last_event(Event::NewSetRefused { session: 4, with_keys: 0 }.into());
		// Tried again once 3 has keys.
		set_registered(3, true);
		assert_eq!(ValidatorSet::new_session(5), Some(vec![3]));
	});
}

#[test]
fn the_last_member_with_keys_cannot_be_removed() {
	new_test_ext().execute_with(|| {
		set_registered(1, false);
		set_registered(2, false);
		// 1 and 2 remain but have no keys: removing 3 would leave nobody to validate.
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 3),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
	});
}

#[test]
fn a_refused_plan_is_planned_again_once_members_have_keys() {
	new_test_ext().execute_with(|| {
		for who in [1, 2, 3] {
			set_registered(who, false);
		}
		assert_eq!(ValidatorSet::new_session(2), None);
		System::assert_last_event(Event::NewSetRefused { session: 2, with_keys: 0 }.into());
		set_registered(2, true);
		assert_eq!(ValidatorSet::new_session(3), Some(vec![2]));
	});
}

#[test]
fn a_member_whose_keys_are_purged_is_planned_out_once_and_back_when_it_sets_them() {
	new_test_ext().execute_with(|| {
		// Nothing changed by the admin: 3 (last in the list) purges its keys.
		set_registered(3, false);
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2]));
		assert_eq!(Planned::<Test>::get().into_inner(), vec![1, 2]);
		// Planned once, not every session.
		assert_eq!(ValidatorSet::new_session(3), None);
		// Its keys are back: planned in again (it is still a member).
		set_registered(3, true);
		assert_eq!(ValidatorSet::new_session(4), Some(vec![1, 2, 3]));
		assert_ok!(ValidatorSet::do_try_state());
	});
}

#[test]
fn migration_v1_drops_the_flag_and_keeps_the_planned_set() {
	use crate::migrations::v1::{MigrateV0ToV1, SetChanged};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	for pending in [false, true] {
		new_test_ext().execute_with(|| {
			StorageVersion::new(0).put::<ValidatorSet>();
			Planned::<Test>::kill();
			SetChanged::<Test>::put(pending);
			#[cfg(feature = "try-runtime")]
			let state = <MigrateV0ToV1<Test> as OnRuntimeUpgrade>::pre_upgrade().unwrap();
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			#[cfg(feature = "try-runtime")]
			<MigrateV0ToV1<Test> as OnRuntimeUpgrade>::post_upgrade(state).unwrap();
			assert_eq!(ValidatorSet::on_chain_storage_version(), 1);
			assert!(!SetChanged::<Test>::exists());
			if pending {
				assert!(Planned::<Test>::get().is_empty());
				assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2, 3]));
			} else {
				assert_eq!(Planned::<Test>::get().into_inner(), vec![1, 2, 3]);
				assert_eq!(ValidatorSet::new_session(2), None);
			}
		});
	}
}

#[test]
fn sessions_end_every_session_length_blocks() {
	new_test_ext().execute_with(|| {
		let ends: Vec<u64> = (1..=30).filter(|n| Sessions::<Test>::should_end(*n)).collect();
		assert_eq!(ends, vec![10, 20, 30]);
		assert_eq!(Sessions::<Test>::average_session_length(), 10);
		assert_eq!(Sessions::<Test>::estimate_next_session_rotation(13).0, Some(20));
		assert_eq!(Sessions::<Test>::estimate_next_session_rotation(20).0, Some(30));
		assert_eq!(
			Sessions::<Test>::estimate_current_session_progress(14).0,
			Some(Permill::from_percent(50))
		);
		ValidatorSet::integrity_test();
	});
}
