//! Tests of the provers pallet on its mock runtime.
use crate::{
	mock::*, Error, Event, HoldReason, ProverCount, ProverStatus, Provers as ProversMap, SlotIndex,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::{DispatchError, DispatchResult, Perbill};
use zkmarket_primitives::traits::{Capability, Failure, ProverRegistry};

type P = crate::Pallet<Test>;

fn register(who: AccountId, stake: Balance) {
	assert_ok!(Provers::register(RuntimeOrigin::signed(who), stake));
}

fn stake_of(who: AccountId) -> Balance {
	ProversMap::<Test>::get(who).unwrap().stake
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Stake.into(), &who)
}

fn has_event(e: Event<Test>) -> bool {
	System::events().iter().any(|r| r.event == RuntimeEvent::Provers(e.clone()))
}

#[test]
fn register_holds_stake() {
	test(|| {
		register(1, 40 * ZK);
		assert_eq!(held(1), 40 * ZK);
		assert_eq!(Balances::balance(&1), 960 * ZK);
		let info = ProversMap::<Test>::get(1).unwrap();
		assert_eq!(info.reputation, Perbill::from_percent(50));
		assert_eq!(info.status, ProverStatus::Active);
		assert_eq!(ProverCount::<Test>::get(), 1);
		assert!(has_event(Event::Registered { who: 1, stake: 40 * ZK }));
		assert!(P::is_eligible(&1));
	});
}

#[test]
fn register_errors() {
	test(|| {
		assert_noop!(
			Provers::register(RuntimeOrigin::signed(1), 32 * ZK - 1),
			Error::<Test>::StakeBelowMinimum
		);
		assert_noop!(
			Provers::register(RuntimeOrigin::signed(1), 2000 * ZK),
			Error::<Test>::InsufficientBalance
		);
		register(1, 32 * ZK);
		assert_noop!(
			Provers::register(RuntimeOrigin::signed(1), 32 * ZK),
			Error::<Test>::AlreadyRegistered
		);
		assert_noop!(Provers::register(RuntimeOrigin::none(), 32 * ZK), DispatchError::BadOrigin);
	});
}

#[test]
fn registry_is_bounded() {
	test(|| {
		for a in 1..=8 {
			register(a, 32 * ZK);
		}
		// MaxProvers is 10 in the mock.
		for a in [20u64, 21] {
			assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), a, 100 * ZK));
			register(a, 32 * ZK);
		}
		assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), 22, 100 * ZK));
		assert_noop!(
			Provers::register(RuntimeOrigin::signed(22), 32 * ZK),
			Error::<Test>::TooManyProvers
		);
	});
}

#[test]
fn bond_extra_works_and_errors() {
	test(|| {
		assert_noop!(
			Provers::bond_extra(RuntimeOrigin::signed(1), ZK),
			Error::<Test>::NotRegistered
		);
		register(1, 32 * ZK);
		assert_ok!(Provers::bond_extra(RuntimeOrigin::signed(1), 8 * ZK));
		assert_eq!(stake_of(1), 40 * ZK);
		assert_eq!(held(1), 40 * ZK);
		assert_noop!(Provers::bond_extra(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Provers::bond_extra(RuntimeOrigin::signed(1), 5000 * ZK),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn unbond_and_withdraw() {
	test(|| {
		register(1, 40 * ZK);
		assert_noop!(Provers::unbond(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Provers::unbond(RuntimeOrigin::signed(1), 41 * ZK),
			Error::<Test>::InsufficientStake
		);
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 8 * ZK));
		assert!(has_event(Event::Unbonded { who: 1, amount: 8 * ZK, unlock_at: 1 + UNBONDING }));
		assert_eq!(stake_of(1), 32 * ZK);
		// Still held until withdrawn.
		assert_eq!(held(1), 40 * ZK);
		assert_noop!(
			Provers::withdraw_unbonded(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToWithdraw
		);
		run_to(1 + UNBONDING);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert_eq!(held(1), 32 * ZK);
		assert_eq!(Balances::balance(&1), 968 * ZK);
		assert!(has_event(Event::Withdrawn { who: 1, amount: 8 * ZK }));
	});
}

#[test]
fn unbonding_chunks_are_bounded() {
	test(|| {
		register(1, 100 * ZK);
		for _ in 0..3 {
			assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), ZK));
		}
		assert_noop!(
			Provers::unbond(RuntimeOrigin::signed(1), ZK),
			Error::<Test>::TooManyUnbondingChunks
		);
	});
}

#[test]
fn unbond_everything_deregisters() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 40 * ZK));
		assert!(has_event(Event::Deactivated { who: 1 }));
		assert!(!P::is_eligible(&1));
		run_to(1 + UNBONDING);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert!(ProversMap::<Test>::get(1).is_none());
		assert_eq!(ProverCount::<Test>::get(), 0);
		assert_eq!(Balances::balance(&1), 1000 * ZK);
		assert!(has_event(Event::Deregistered { who: 1 }));
	});
}

#[test]
fn unbond_keeps_minimum_while_working() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(P::occupy_slot(&1));
		assert_noop!(
			Provers::unbond(RuntimeOrigin::signed(1), 9 * ZK),
			Error::<Test>::StakeNeededForJobs
		);
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 8 * ZK));
	});
}

#[test]
fn pause_and_resume() {
	test(|| {
		register(1, 40 * ZK);
		assert_noop!(Provers::resume(RuntimeOrigin::signed(1)), Error::<Test>::NotPaused);
		assert_ok!(Provers::pause(RuntimeOrigin::signed(1)));
		assert!(!P::is_eligible(&1));
		assert!(P::auction_slots(10).is_empty());
		assert_noop!(Provers::pause(RuntimeOrigin::signed(1)), Error::<Test>::AlreadyPaused);
		assert_ok!(Provers::resume(RuntimeOrigin::signed(1)));
		assert!(P::is_eligible(&1));
		assert!(has_event(Event::Paused { who: 1 }));
		assert!(has_event(Event::Resumed { who: 1 }));
		assert_noop!(Provers::pause(RuntimeOrigin::signed(2)), Error::<Test>::NotRegistered);
	});
}

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
fn slots_follow_reputation_stake_account_round_robin() {
	test(|| {
		register(3, 50 * ZK);
		register(1, 40 * ZK);
		register(2, 40 * ZK);
		P::record_success(&2); // best reputation
		assert_eq!(P::auction_slots(10), vec![2, 3, 1, 2, 3, 1]);
		assert_eq!(P::auction_slots(4), vec![2, 3, 1, 2]);
		assert_ok!(P::occupy_slot(&2));
		assert_ok!(P::occupy_slot(&2));
		assert_eq!(P::occupy_slot(&2), Err(Error::<Test>::NoFreeSlot.into()));
		assert_eq!(P::auction_slots(10), vec![3, 1, 3, 1]);
		P::release_slot(&2);
		assert_eq!(P::auction_slots(10), vec![2, 3, 1, 3, 1]);
		assert_eq!(P::occupy_slot(&7), Err(Error::<Test>::NotRegistered.into()));
	});
}

#[test]
fn collateral_lock_release_and_forfeit_with_bounty() {
	test(|| {
		register(1, 40 * ZK);
		register(2, 40 * ZK);
		assert_eq!(
			P::hold_collateral(&1, 9 * ZK),
			Err(Error::<Test>::InsufficientFreeStake.into())
		);
		assert_ok!(P::hold_collateral(&1, 2 * ZK));
		assert_eq!(stake_of(1), 38 * ZK);
		assert_eq!(Balances::balance_on_hold(&HoldReason::Collateral.into(), &1), 2 * ZK);
		P::release_collateral(&1, ZK);
		assert_eq!(stake_of(1), 39 * ZK);
		// Forfeit the remaining 1 ZK with a 25% bounty.
		let treasury = Balances::balance(&TREASURY);
		assert_eq!(P::forfeit_collateral(&1, ZK, ZK / 4), ZK);
		assert_eq!(Balances::balance(&TREASURY), treasury + 3 * ZK / 4);
		assert_eq!(ProversMap::<Test>::get(1).unwrap().reserved_bounty, ZK / 4);
		assert_eq!(P::pay_bounty(&1, &2, ZK), Err(Error::<Test>::InsufficientBounty.into()));
		assert_ok!(P::pay_bounty(&1, &2, ZK / 4));
		assert_eq!(stake_of(2), 40 * ZK + ZK / 4);
		assert_eq!(held(2), 40 * ZK + ZK / 4);
		assert_eq!(Balances::balance_on_hold(&HoldReason::Collateral.into(), &1), 0);
	});
}

#[test]
fn unclaimed_bounty_goes_to_treasury() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(P::hold_collateral(&1, 2 * ZK));
		P::forfeit_collateral(&1, 2 * ZK, ZK / 2);
		let treasury = Balances::balance(&TREASURY);
		P::slash_bounty(&1, ZK / 2);
		assert_eq!(Balances::balance(&TREASURY), treasury + ZK / 2);
		assert_eq!(ProversMap::<Test>::get(1).unwrap().reserved_bounty, 0);
	});
}

#[test]
fn credit_stake_adds_fee() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(P::credit_stake(&1, 3 * ZK));
		assert_eq!(stake_of(1), 43 * ZK);
		assert_eq!(held(1), 43 * ZK);
		assert!(P::credit_stake(&9, ZK).is_err());
	});
}

#[test]
fn set_periods_root_only() {
	test(|| {
		assert_noop!(
			Provers::set_periods(RuntimeOrigin::signed(1), 5, 5),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Provers::set_periods(RuntimeOrigin::root(), 0, 5),
			Error::<Test>::InvalidPeriod
		);
		assert_ok!(Provers::set_periods(RuntimeOrigin::root(), 5, 3));
		assert_eq!(P::idle_period(), 5);
		assert_eq!(P::unbonding_period(), 3);
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
fn try_state_detects_tampering() {
	new_test_ext().execute_with(|| {
		register(1, 40 * ZK);
		ProversMap::<Test>::mutate(1, |i| i.as_mut().unwrap().stake = 41 * ZK);
		assert!(Provers::do_try_state().is_err());
	});
}

// ---- attacks (docs/security.md) ------------------------------------------------

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

#[test]
fn slot_index_follows_every_change_of_rank() {
	test(|| {
		register(1, 40 * ZK);
		register(2, 50 * ZK);
		register(3, 60 * ZK);
		assert_eq!(P::auction_slots(3), vec![3, 2, 1]);
		// Stake up and down.
		assert_ok!(Provers::bond_extra(RuntimeOrigin::signed(1), 30 * ZK));
		assert_eq!(P::auction_slots(3), vec![1, 3, 2]);
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 35 * ZK));
		assert_eq!(P::auction_slots(3), vec![3, 2, 1]);
		// Reputation down (no stake slashed for a missed lock).
		P::record_failure(&3, Failure::MissedLock);
		assert_eq!(P::auction_slots(3), vec![2, 1, 3]);
		// Paused: out of the index; resumed: back in.
		assert_ok!(Provers::pause(RuntimeOrigin::signed(2)));
		assert_eq!(P::auction_slots(3), vec![1, 3, 1]);
		assert_ok!(Provers::resume(RuntimeOrigin::signed(2)));
		assert_eq!(P::auction_slots(3), vec![2, 1, 3]);
		// Busy (no free slot): out; a slot freed: back.
		assert_ok!(P::occupy_slot(&2));
		assert_ok!(P::occupy_slot(&2));
		assert_eq!(P::auction_slots(3), vec![1, 3, 1]);
		P::release_slot(&2);
		assert_eq!(P::auction_slots(3), vec![2, 1, 3]);
		// Collateral moves stake out of the rank, fees into it.
		assert_ok!(P::hold_collateral(&2, 18 * ZK));
		assert_eq!(P::auction_slots(3), vec![1, 2, 3]);
		assert_ok!(P::credit_stake(&3, 100 * ZK));
		assert_eq!(P::auction_slots(3), vec![1, 2, 3]);
		for _ in 0..4 {
			P::record_success(&3);
		}
		assert_eq!(P::auction_slots(3), vec![3, 1, 2]);
		// Below the minimum stake: out.
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 34 * ZK));
		assert_eq!(P::auction_slots(3), vec![3, 2, 3]);
		assert_eq!(SlotIndex::<Test>::iter_keys().count(), 2);
	});
}

#[test]
fn dealing_applies_pending_decay_and_ranks_by_effective_stake() {
	test(|| {
		register(1, 100 * ZK);
		System::set_block_number(60);
		register(2, 99 * ZK + ZK / 2);
		assert_eq!(P::auction_slots(2), vec![1, 2]);
		// Block 101: prover 1 owes one idle period (100 -> 99 ZK, below prover
		// 2's 99.5 ZK); no sweep has run. The dealing applies the decay and
		// ranks by the effective stake.
		System::set_block_number(1 + IDLE);
		assert_eq!(P::auction_slots(2), vec![2, 1]);
		assert_eq!(stake_of(1), 99 * ZK);
		assert!(has_event(Event::Decayed { who: 1, amount: ZK, periods: 1 }));
	});
}

#[test]
fn dealing_applies_at_most_the_sweep_limit_of_decays() {
	test(|| {
		for a in 1..=3 {
			register(a, 100 * ZK);
		}
		System::set_block_number(60);
		register(4, 50 * ZK);
		System::set_block_number(1 + IDLE);
		// Provers 1-3 owe decay; the mock's limit is 2 a call: 1 and 2 get it
		// (and are dealt at their new rank), 3 is dealt at its effective stake
		// (99 ZK) without a write.
		assert_eq!(P::auction_slots(4), vec![1, 2, 3, 4]);
		assert_eq!((stake_of(1), stake_of(2), stake_of(3)), (99 * ZK, 99 * ZK, 100 * ZK));
		assert_eq!(P::auction_slots(4), vec![1, 2, 3, 4]);
		assert_eq!(stake_of(3), 99 * ZK);
	});
}

#[test]
fn dealing_past_both_decay_limits_stops_early_and_catches_up() {
	test(|| {
		// Six provers owe decay (limit 2 applied + 2 offered without a write),
		// a seventh does not.
		for a in 1..=6 {
			register(a, 100 * ZK);
		}
		System::set_block_number(60);
		register(7, 50 * ZK);
		System::set_block_number(1 + IDLE);
		// 1, 2 decayed (rank 99), 3, 4 valued at 99, then 5 stops the walk: 7 is
		// not reached this time.
		assert_eq!(P::auction_slots(8), vec![1, 2, 3, 4, 1, 2, 3, 4]);
		// Each call applies two more decays and values two: the walk gets past
		// them and deals to everyone.
		assert_eq!(P::auction_slots(8), vec![1, 2, 3, 4, 5, 6, 7, 1]);
		assert_eq!(P::auction_slots(8), vec![1, 2, 3, 4, 5, 6, 7, 1]);
		assert!((1..=6).all(|a| stake_of(a) == 99 * ZK));
	});
}

#[test]
fn a_thousand_paused_provers_do_not_keep_an_eligible_one_out() {
	test(|| {
		MaxProvers::set(&2_000);
		for a in 1_000u64..2_000 {
			assert_ok!(Balances::force_set_balance(RuntimeOrigin::root(), a, 40 * ZK));
			register(a, 32 * ZK);
			assert_ok!(Provers::pause(RuntimeOrigin::signed(a)));
		}
		// None of them is in the slot index: the clearing never reads them.
		assert_eq!(SlotIndex::<Test>::iter_keys().count(), 0);
		assert!(P::auction_slots(64).is_empty());
		register(5, 32 * ZK);
		assert_eq!(P::auction_slots(64), vec![5, 5]);
		assert_eq!(SlotIndex::<Test>::iter_keys().count(), 1);
	});
}

// ---- Capabilities ----

const PA: [u8; 32] = [1u8; 32];
const PB: [u8; 32] = [2u8; 32];

fn declare(who: AccountId, programs: Vec<[u8; 32]>, kinds: Vec<u8>, jobs: u32) -> DispatchResult {
	Provers::set_capabilities(
		RuntimeOrigin::signed(who),
		programs.try_into().unwrap(),
		kinds.try_into().unwrap(),
		jobs,
	)
}

/// The provers `next_capable` walks for `cap`, in order.
fn walk(cap: Capability) -> Vec<AccountId> {
	let mut out = Vec::new();
	let mut cursor = None;
	while let Some((key, offer)) = P::next_capable(&cap, cursor.as_ref(), &mut 0) {
		if let Some(o) = offer {
			out.push(o.who);
		}
		cursor = Some(key);
	}
	out
}

#[test]
fn capabilities_are_validated_and_change_nothing_when_refused() {
	test(|| {
		assert_noop!(declare(1, vec![PA], vec![], 1), Error::<Test>::NotRegistered);
		register(1, 40 * ZK);
		assert_noop!(declare(1, vec![PA], vec![0], 1), Error::<Test>::KindNotServable);
		assert_noop!(declare(1, vec![PA, PA], vec![], 1), Error::<Test>::DuplicateCapability);
		assert_noop!(declare(1, vec![], vec![4, 4], 1), Error::<Test>::DuplicateCapability);
		assert_noop!(declare(1, vec![PA], vec![], 0), Error::<Test>::InvalidMaxJobs);
		assert_noop!(declare(1, vec![PA], vec![], 3), Error::<Test>::InvalidMaxJobs);
		assert_ok!(declare(1, vec![PB, PA], vec![4, 3], 2));
		let caps = crate::Capabilities::<Test>::get(1).unwrap();
		assert_eq!((caps.programs.to_vec(), caps.kinds.to_vec()), (vec![PA, PB], vec![3, 4]));
		assert_eq!(P::capabilities_view(&1).map(|c| c.max_jobs), Some(2),);
		assert!(has_event(Event::CapabilitiesSet {
			who: 1,
			programs: vec![PA, PB].try_into().unwrap(),
			kinds: vec![3, 4].try_into().unwrap(),
			max_jobs: 2
		}));
	});
}

#[test]
fn the_capability_index_walks_declared_provers_in_slot_order() {
	test(|| {
		register(1, 40 * ZK);
		register(2, 60 * ZK);
		register(3, 50 * ZK);
		register(4, 70 * ZK);
		assert_ok!(declare(1, vec![PA], vec![], 2));
		assert_ok!(declare(2, vec![PA, PB], vec![], 2));
		assert_ok!(declare(3, vec![PB], vec![3], 2));
		// 4 declared nothing: in the slot index, in no capability.
		assert_eq!(walk(Capability::Program(PA)), vec![2, 1]);
		assert_eq!(walk(Capability::Program(PB)), vec![2, 3]);
		assert_eq!(walk(Capability::Kind(3)), vec![3]);
		assert!(walk(Capability::Kind(4)).is_empty());
		assert_eq!(SlotIndex::<Test>::iter_keys().count(), 4);
		// A full prover (max_jobs reached) leaves every index; freeing a slot
		// brings it back.
		assert_ok!(declare(2, vec![PA, PB], vec![], 1));
		assert_ok!(P::occupy_slot(&2));
		assert_eq!(walk(Capability::Program(PA)), vec![1]);
		assert_eq!(walk(Capability::Program(PB)), vec![3]);
		assert_noop!(P::occupy_slot(&2), Error::<Test>::NoFreeSlot);
		P::release_slot(&2);
		assert_eq!(walk(Capability::Program(PA)), vec![2, 1]);
		// The rank moves with the stake: 1 bonds past 2.
		assert_ok!(Provers::bond_extra(RuntimeOrigin::signed(1), 30 * ZK));
		assert_eq!(walk(Capability::Program(PA)), vec![1, 2]);
		// Re-declaring replaces the declaration.
		assert_ok!(declare(1, vec![PB], vec![], 2));
		assert_eq!(walk(Capability::Program(PA)), vec![2]);
		assert_eq!(walk(Capability::Program(PB)), vec![1, 2, 3]);
		// Paused: in no index.
		assert_ok!(Provers::pause(RuntimeOrigin::signed(1)));
		assert_eq!(walk(Capability::Program(PB)), vec![2, 3]);
	});
}

#[test]
fn deregistering_removes_the_declaration() {
	test(|| {
		register(1, 40 * ZK);
		assert_ok!(declare(1, vec![PA], vec![4], 1));
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(1), 40 * ZK));
		run_to(1 + UNBONDING + 1);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(1)));
		assert!(ProversMap::<Test>::get(1).is_none());
		assert!(crate::Capabilities::<Test>::get(1).is_none());
		assert!(walk(Capability::Program(PA)).is_empty());
		assert_eq!(crate::CapabilityIndex::<Test>::iter_keys().count(), 0);
	});
}
