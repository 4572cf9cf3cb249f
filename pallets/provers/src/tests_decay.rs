//! Idle decay: periods, pauses, the sweep, and the attacks on the idle clock
//! (docs/security.md).
use crate::{mock::*, tests::*, Event, Provers as ProversMap};
use frame_support::{assert_ok, traits::fungible::Inspect};
use sp_runtime::Perbill;
use zkmarket_primitives::traits::ProverRegistry;

#[test]
fn one_idle_period_decays_one_percent() {
	test(|| {
		register(1, 100 * ZK);
		run_to(1 + IDLE - 1);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 100 * ZK);
		// Read without writing: the lazy view already shows the decay.
		System::set_block_number(1 + IDLE);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 99 * ZK);
		assert_eq!(stake_of(1), 100 * ZK);
		// Touching applies it: the treasury receives the decayed ZK.
		assert_ok!(Provers::bond_extra(RuntimeOrigin::signed(1), ZK));
		assert_eq!(stake_of(1), 100 * ZK);
		assert_eq!(Balances::balance(&TREASURY), 2 * ZK);
		assert!(has_event(Event::Decayed { who: 1, amount: ZK, periods: 1 }));
	});
}

#[test]
fn three_idle_periods_compound() {
	test(|| {
		register(1, 100 * ZK);
		let issuance = Balances::total_issuance();
		run_to(1 + 3 * IDLE + 5);
		let view = P::prover_view(&1).unwrap();
		assert_eq!(view.effective_stake, 97_029_900_000_000_000_000);
		// The sweep (2 provers per block) applied it already.
		assert_eq!(stake_of(1), 97_029_900_000_000_000_000);
		assert_eq!(held(1), 97_029_900_000_000_000_000);
		// Nothing vanished: the treasury got it all.
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(Balances::balance(&TREASURY), ZK + 2_970_100_000_000_000_000);
	});
}

#[test]
fn pause_stops_decay() {
	test(|| {
		register(1, 100 * ZK);
		assert_ok!(Provers::pause(RuntimeOrigin::signed(1)));
		run_to(1 + 5 * IDLE);
		assert_eq!(stake_of(1), 100 * ZK);
		assert_ok!(Provers::resume(RuntimeOrigin::signed(1)));
		run_to(1 + 6 * IDLE - 1);
		assert_eq!(stake_of(1), 100 * ZK);
		run_to(1 + 6 * IDLE);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 99 * ZK);
	});
}

#[test]
fn verified_proof_resets_idle_clock() {
	test(|| {
		register(1, 100 * ZK);
		run_to(IDLE - 10);
		P::record_success(&1);
		run_to(IDLE + 20);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 100 * ZK);
		let info = ProversMap::<Test>::get(1).unwrap();
		assert_eq!(info.reputation, Perbill::from_parts(525_000_000));
		assert_eq!(info.proofs_verified, 1);
	});
}

#[test]
fn decay_below_minimum_makes_ineligible_until_topped_up() {
	test(|| {
		register(1, 32 * ZK);
		run_to(1 + IDLE);
		assert!(!P::is_eligible(&1));
		assert!(P::auction_slots(5).is_empty());
		assert!(has_event(Event::Deactivated { who: 1 }));
		assert_ok!(Provers::bond_extra(RuntimeOrigin::signed(1), ZK));
		assert!(P::is_eligible(&1));
	});
}

#[test]
fn sweep_is_bounded_and_wraps() {
	test(|| {
		for a in 1..=5 {
			register(a, 100 * ZK);
		}
		System::set_block_number(1 + IDLE);
		assert_eq!(P::sweep(2), 2);
		assert_eq!(P::sweep(2), 2);
		assert_eq!(P::sweep(2), 1);
		for a in 1..=5 {
			assert_eq!(stake_of(a), 99 * ZK);
		}
	});
}

#[test]
fn pause_and_resume_do_not_reset_the_idle_clock() {
	test(|| {
		register(1, 100 * ZK);
		// Pause and resume in one block just before every idle period ends.
		for k in 1..=3 {
			run_to(1 + k * IDLE - 1);
			assert_ok!(Provers::pause(RuntimeOrigin::signed(1)));
			assert_ok!(Provers::resume(RuntimeOrigin::signed(1)));
		}
		// Idle since block 1 all along: three full periods by 1 + 3 * IDLE.
		run_to(1 + 3 * IDLE);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 97_029_900_000_000_000_000);
	});
}

#[test]
fn idle_time_before_a_pause_still_counts() {
	test(|| {
		register(1, 100 * ZK);
		run_to(1 + IDLE / 2);
		assert_ok!(Provers::pause(RuntimeOrigin::signed(1)));
		run_to(1 + 10 * IDLE);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 100 * ZK);
		assert_ok!(Provers::resume(RuntimeOrigin::signed(1)));
		// Half a period was used before the pause: the rest runs out now.
		run_to(1 + 10 * IDLE + IDLE / 2 - 1);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 100 * ZK);
		run_to(1 + 10 * IDLE + IDLE / 2);
		assert_eq!(P::prover_view(&1).unwrap().effective_stake, 99 * ZK);
	});
}
