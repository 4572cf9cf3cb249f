//! The slot index and the dealing of auction slots over it (docs/security.md).
use crate::{mock::*, tests::*, Error, Event, SlotIndex};
use frame_support::assert_ok;
use zkmarket_primitives::traits::{Failure, ProverRegistry};

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
