//! Tests of the provers pallet on its mock runtime: the shared helpers,
//! registration, staking, unbonding, collateral and periods. Decay, slashing,
//! the slot index and capabilities are in the `tests_*` modules.
use crate::{mock::*, Error, Event, HoldReason, ProverCount, ProverStatus, Provers as ProversMap};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::{DispatchError, Perbill};
use zkmarket_primitives::traits::ProverRegistry;

pub(crate) type P = crate::Pallet<Test>;

pub(crate) fn register(who: AccountId, stake: Balance) {
	assert_ok!(Provers::register(RuntimeOrigin::signed(who), stake));
}

pub(crate) fn stake_of(who: AccountId) -> Balance {
	ProversMap::<Test>::get(who).unwrap().stake
}

pub(crate) fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Stake.into(), &who)
}

pub(crate) fn has_event(e: Event<Test>) -> bool {
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
fn try_state_detects_tampering() {
	new_test_ext().execute_with(|| {
		register(1, 40 * ZK);
		ProversMap::<Test>::mutate(1, |i| i.as_mut().unwrap().stake = 41 * ZK);
		assert!(Provers::do_try_state().is_err());
	});
}
