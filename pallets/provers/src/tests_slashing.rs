//! Slashing and reputation, and the attacks that try to dodge them
//! (docs/security.md).
use crate::{mock::*, tests::*, Error, Event, Provers as ProversMap};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_runtime::Perbill;
use zkmarket_primitives::traits::{Failure, ProverRegistry};

#[test]
fn invalid_proof_slashes_ten_percent_and_lowers_reputation() {
	test(|| {
		register(1, 40 * ZK);
		let issuance = Balances::total_issuance();
		let slashed = P::record_failure(&1, Failure::InvalidProof);
		assert_eq!(slashed, 4 * ZK);
		assert_eq!(stake_of(1), 36 * ZK);
		assert_eq!(held(1), 36 * ZK);
		assert_eq!(Balances::balance(&TREASURY), 5 * ZK);
		assert_eq!(Balances::total_issuance(), issuance);
		let info = ProversMap::<Test>::get(1).unwrap();
		assert_eq!(info.reputation, Perbill::from_percent(40));
		assert!(has_event(Event::ReputationChanged {
			who: 1,
			old: Perbill::from_percent(50),
			new: Perbill::from_percent(40)
		}));
		// 36 ZK, then 32.4 ZK stay eligible; a third failure drops under 32 ZK.
		assert!(P::is_eligible(&1));
		P::record_failure(&1, Failure::InvalidProof);
		assert_eq!(stake_of(1), 32_400_000_000_000_000_000);
		assert!(P::is_eligible(&1));
		P::record_failure(&1, Failure::InvalidProof);
		assert!(!P::is_eligible(&1));
		assert!(has_event(Event::Deactivated { who: 1 }));
	});
}

#[test]
fn low_reputation_is_ineligible() {
	test(|| {
		register(1, 1000 * ZK - ZK);
		// 50% * 0.8^n < 10% after 8 failures.
		for _ in 0..8 {
			P::record_failure(&1, Failure::MissedLock);
		}
		assert!(ProversMap::<Test>::get(1).unwrap().reputation < Perbill::from_percent(10));
		assert!(!P::is_eligible(&1));
		// MissedLock slashes no stake.
		assert_eq!(stake_of(1), 999 * ZK);
	});
}

#[test]
fn reputation_and_failures_survive_deregistration() {
	test(|| {
		register(1, 40 * ZK);
		P::record_failure(&1, Failure::MissedLock);
		P::record_failure(&1, Failure::MissedLock);
		let info = ProversMap::<Test>::get(1).unwrap();
		assert_eq!(info.reputation, Perbill::from_percent(32));
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 40 * ZK));
		run_to(1 + UNBONDING);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert!(ProversMap::<Test>::get(1).is_none());
		register(1, 40 * ZK);
		let back = ProversMap::<Test>::get(1).unwrap();
		assert_eq!(back.reputation, Perbill::from_percent(32));
		assert_eq!(back.failures, 2);
		assert!(crate::ProverHistory::<Test>::get(1).is_none());
	});
}

#[test]
fn a_slash_reaches_stake_unbonded_after_the_obligation_began() {
	test(|| {
		register(1, 100 * ZK);
		// Unbonded before any obligation: not backing it, not slashable.
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 20 * ZK));
		run_to(3);
		assert_ok!(P::occupy_slot(&1));
		// Unbonded after the obligation began: still backs it.
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 48 * ZK));
		// 10% of (32 active + 48 unbonding) = 8 ZK: 8 from the active stake.
		assert_eq!(P::record_failure(&1, Failure::InvalidProof), 8 * ZK);
		let info = ProversMap::<Test>::get(1).unwrap();
		assert_eq!(info.stake, 24 * ZK);
		assert_eq!(info.unbonding_total(), 68 * ZK);
		assert_eq!(held(1), 92 * ZK);
		// Unbonding period over, obligation still open: only the old chunk leaves.
		run_to(3 + UNBONDING);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(ProversMap::<Test>::get(1).unwrap().unbonding_total(), 48 * ZK);
		assert_noop!(
			Provers::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::ObligationsOutstanding
		);
		// A missed deadline: 5% of (24 active + 48 backing) = 3.6 ZK.
		assert_eq!(P::record_failure(&1, Failure::MissedDeadline), 36 * ZK / 10);
		P::release_slot(&1);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(ProversMap::<Test>::get(1).unwrap().unbonding_total(), 0);
	});
}

#[test]
fn a_heavily_slashed_prover_leaves_and_returns_with_its_record() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(P::occupy_slot(&1));
		for _ in 0..40 {
			P::record_failure(&1, Failure::InvalidProof);
		}
		P::release_slot(&1);
		let left = stake_of(1);
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), left));
		run_to(1 + UNBONDING);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert!(ProversMap::<Test>::get(1).is_none());
		assert_eq!(held(1), 0);
		assert_eq!(crate::ProverHistory::<Test>::get(1).unwrap().failures, 40);
		// Registering again brings the record back.
		register(1, 40 * ZK);
		assert_eq!(ProversMap::<Test>::get(1).unwrap().failures, 40);
	});
}
