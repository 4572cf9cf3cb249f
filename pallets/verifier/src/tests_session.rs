//! The verifier set: root-pinned sets and sets that follow the session.
use crate::{mock::*, tests::*, Error, Event, Pending, VerdictThreshold};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use sp_runtime::DispatchError;
use zkmarket_primitives::traits::Verdict;

#[test]
fn set_verifiers_root_only_and_checked() {
	new_test_ext(1).execute_with(|| {
		let ids: Vec<_> = ["Alice", "Bob"].iter().map(|s| verifier(s).1).collect();
		assert_noop!(
			Verifier::set_verifiers(RuntimeOrigin::signed(1), ids.clone(), 1),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Verifier::set_verifiers(RuntimeOrigin::root(), ids.clone(), 3),
			Error::<Test>::InvalidThreshold
		);
		assert_noop!(
			Verifier::set_verifiers(RuntimeOrigin::root(), vec![ids[0].clone(), ids[0].clone()], 1),
			Error::<Test>::InvalidVerifierSet
		);
		assert_ok!(Verifier::set_verifiers(RuntimeOrigin::root(), ids, 2));
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
	});
}

#[test]
fn votes_of_removed_verifiers_no_longer_count() {
	new_test_ext(2).execute_with(|| {
		program();
		let id = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(id, true)]));
		// Alice leaves the set (Bob, Charlie, threshold 2): her vote stays recorded
		// but no longer counts, so Bob's alone is not final.
		assert_ok!(Verifier::set_verifiers(
			RuntimeOrigin::root(),
			vec![verifier("Bob").1, verifier("Charlie").1],
			2
		));
		assert_ok!(vote("Bob", vec![(id, true)]));
		assert!(Pending::<Test>::get(id).is_some());
		assert!(concluded().is_empty());
		assert_ok!(vote("Charlie", vec![(id, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
	});
}

/// A new session of validators 1.. with the verifier keys of `seeds`.
fn new_session(seeds: &[&str]) {
	use frame_support::traits::OneSessionHandler;
	let accounts: Vec<u64> = (1..=seeds.len() as u64).collect();
	let keys: Vec<(&u64, crate::VerifierId)> =
		accounts.iter().zip(seeds.iter().map(|s| verifier(s).1)).collect();
	<V as OneSessionHandler<u64>>::on_new_session(true, keys.clone().into_iter(), keys.into_iter());
}

fn set_of(seeds: &[&str]) -> Vec<crate::VerifierId> {
	let mut ids: Vec<_> = seeds.iter().map(|s| verifier(s).1).collect();
	ids.sort();
	ids
}

#[test]
fn the_verifier_set_follows_the_session_unless_root_pins_it() {
	use crate::{SessionVerifiers, VerifierSetPinned, Verifiers};
	new_test_ext(2).execute_with(|| {
		// The mock's genesis pins Alice, Bob, Charlie.
		assert!(VerifierSetPinned::<Test>::get());
		new_session(&["Alice", "Bob", "Charlie", "Dave"]);
		assert_eq!(Verifiers::<Test>::get().len(), 3);
		assert_eq!(
			SessionVerifiers::<Test>::get().into_inner(),
			set_of(&["Alice", "Bob", "Charlie", "Dave"])
		);
		assert_noop!(Verifier::follow_session(RuntimeOrigin::signed(1)), DispatchError::BadOrigin);
		// Following: the session's set at once, with a majority threshold.
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		assert!(!VerifierSetPinned::<Test>::get());
		assert_eq!(
			Verifiers::<Test>::get().into_inner(),
			set_of(&["Alice", "Bob", "Charlie", "Dave"])
		);
		assert_eq!(VerdictThreshold::<Test>::get(), 3);
		System::assert_has_event(Event::VerifiersChanged { count: 4, threshold: 3 }.into());
		// Each new session updates it; a session without verifier keys does not empty it.
		new_session(&["Bob", "Dave"]);
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Bob", "Dave"]));
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
		new_session(&[]);
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Bob", "Dave"]));
		// Root pins a set: sessions no longer change it.
		assert_ok!(Verifier::set_verifiers(RuntimeOrigin::root(), set_of(&["Charlie"]), 1));
		System::assert_has_event(Event::VerifierSetPinned { pinned: true }.into());
		new_session(&["Alice", "Eve"]);
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Charlie"]));
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Alice", "Eve"]));
		assert_ok!(V::do_try_state());
	});
}

#[test]
fn a_new_session_validator_votes_and_a_departed_one_no_longer_counts() {
	new_test_ext(2).execute_with(|| {
		program();
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		new_session(&["Alice", "Bob", "Dave"]);
		let id = submit(0, 3, 11, 11);
		// Dave, new this session, is a verifier: his vote is recorded and counts.
		assert_ok!(vote("Dave", vec![(id, true)]));
		assert_ok!(vote("Alice", vec![(id, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
		// Charlie left with the session: his batches are refused.
		let id = submit(1, 4, 11, 11);
		assert_noop!(vote("Charlie", vec![(id, true)]), Error::<Test>::NotVerifier);
	});
}

#[test]
fn votes_that_agree_after_the_set_shrank_decide_at_the_timeout() {
	new_test_ext(3).execute_with(|| {
		program();
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		new_session(&["Alice", "Bob", "Charlie", "Dave"]);
		assert_eq!(VerdictThreshold::<Test>::get(), 3);
		let id = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(id, true)]));
		assert_ok!(vote("Bob", vec![(id, true)]));
		assert_ok!(vote("Charlie", vec![(id, false)]));
		// Dave leaves with the session: 2 of 3 now agree, but nobody is left to vote.
		new_session(&["Alice", "Bob", "Charlie"]);
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
		assert!(concluded().is_empty());
		// At the timeout the recorded votes decide instead of dropping the proof.
		// (Listed at block 1; the mock's timeout is 10 blocks.)
		V::on_initialize(11);
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
		assert!(Pending::<Test>::get(id).is_none());
	});
}
