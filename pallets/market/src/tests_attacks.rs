//! Attacks on the market, performed on the mock runtime with the real provers
//! and BaseFee pallets, with the exact accounting of each defence
//! (docs/security.md lists them).
use crate::{
	mock::*, AuctionQueue, Error, Event, OfferClock, OfferDeadlines, Pricing, ProgramRequests,
	RequestState,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
	BoundedVec,
};
use zkmarket_primitives::traits::{ProofMarket, RequestId, Verdict};

use crate::tests::{
	escrow_held, events, inputs, next_block_keep_time, offer_at, register, set_time, state,
	submit_offer, MILLI,
};

type M = crate::Pallet<Test>;

fn try_bid(
	who: AccountId,
	bid: Balance,
	max_base_fee: Balance,
) -> Result<RequestId, sp_runtime::DispatchError> {
	let id = crate::NextRequestId::<Test>::get();
	Market::submit_request(
		RuntimeOrigin::signed(who),
		PROGRAM,
		inputs(1),
		Pricing::Auction { bid, max_base_fee },
		System::block_number() + 50,
	)
	.map(|_| id)
}

fn prover(who: AccountId) -> pallet_provers::ProverInfoOf<Test> {
	pallet_provers::Provers::<Test>::get(who).unwrap()
}

/// Finalizes the block and starts the next one `secs` seconds later.
fn next_block_after(secs: u64) {
	use frame_support::traits::Hooks;
	let n = System::block_number();
	let t = Timestamp::get();
	Market::on_finalize(n);
	check_invariants();
	System::set_block_number(n + 1);
	pallet_timestamp::Now::<Test>::put(t + secs * 1000);
	Provers::on_initialize(n + 1);
	Market::on_initialize(n + 1);
}

// ---- 1. queue jamming ---------------------------------------------------------

#[test]
fn bids_that_can_never_win_are_refused() {
	test(|| {
		// MinBaseFee is 1 in the mock, MinEscrow 2.
		assert_eq!(try_bid(1, 0, 0), Err(Error::<Test>::MaxBaseFeeBelowMinimum.into()));
		assert_eq!(try_bid(1, 100, 0), Err(Error::<Test>::MaxBaseFeeBelowMinimum.into()));
		assert_eq!(try_bid(1, 0, 1), Err(Error::<Test>::EscrowBelowMinimum.into()));
		assert!(try_bid(1, 1, 1).is_ok());
		assert_noop!(
			Market::submit_request(
				RuntimeOrigin::signed(1),
				PROGRAM,
				inputs(1),
				Pricing::Offer {
					min_price: 0,
					max_price: 1,
					ramp_up_start: 6,
					ramp_up_period: 0,
					lock_timeout: 10,
					timeout: 10,
					lock_collateral: ZK,
				},
				0
			),
			Error::<Test>::EscrowBelowMinimum
		);
	});
}

#[test]
fn a_queue_full_of_junk_admits_an_honest_bid_which_wins_next_block() {
	test(|| {
		register(11, 40 * ZK);
		// 4 spammers x 5 cheapest bids fill the 20-place queue; BaseFee is 5, so
		// none of them is eligible.
		let mut junk = Vec::new();
		for who in 1..=4 {
			for _ in 0..5 {
				junk.push(try_bid(who, 0, 2).unwrap());
			}
		}
		assert_eq!(AuctionQueue::<Test>::get().len(), 20);
		// No better than the worst: refused, nothing changes.
		assert_eq!(try_bid(5, 0, 2), Err(Error::<Test>::QueueFull.into()));
		let balance = Balances::balance(&4);
		// The honest competitive bid takes the worst bid's place (the latest junk).
		let honest = try_bid(5, 10, 5).unwrap();
		let worst = *junk.last().unwrap();
		assert_eq!(AuctionQueue::<Test>::get()[0], honest);
		assert_eq!(AuctionQueue::<Test>::get().len(), 20);
		assert_eq!(state(worst), RequestState::Expired);
		assert!(events().contains(&Event::BidEvicted { id: worst, by: honest, refund: 2 }));
		assert_eq!(Balances::balance(&4), balance + 2);
		assert_eq!(escrow_held(4), 4 * 2);
		// Assigned in the block it was submitted.
		next_block();
		assert!(matches!(state(honest), RequestState::Assigned { prover: 11, .. }));
	});
}

#[test]
fn the_clearing_considers_the_best_bids_not_the_oldest() {
	test(|| {
		register(11, 40 * ZK);
		register(12, 40 * ZK);
		// Older junk that could win (eligible, bid 0) fills most of the queue.
		for who in 1..=3 {
			for _ in 0..6 {
				try_bid(who, 0, 5).unwrap();
			}
		}
		let late_a = try_bid(4, 7, 5).unwrap();
		let late_b = try_bid(4, 9, 5).unwrap();
		next_block();
		// The two best bids win the two slots, the best one pays the other's bid.
		assert!(matches!(state(late_b), RequestState::Assigned { price: 12, .. }));
		assert!(matches!(state(late_a), RequestState::Assigned { price: 5, .. }));
		// The queue is in rank order: bid descending, then submission order.
		let q = AuctionQueue::<Test>::get();
		assert_eq!(q.len(), 18);
		assert!(q.windows(2).all(|w| w[0] < w[1]));
	});
}

#[test]
fn expired_bids_leave_the_queue_and_are_refunded() {
	test(|| {
		let id = crate::NextRequestId::<Test>::get();
		assert_ok!(Market::submit_request(
			RuntimeOrigin::signed(1),
			PROGRAM,
			inputs(1),
			Pricing::Auction { bid: 0, max_base_fee: 2 },
			3,
		));
		run_to(3);
		next_block();
		assert_eq!(state(id), RequestState::Expired);
		assert!(AuctionQueue::<Test>::get().is_empty());
		assert_eq!(escrow_held(1), 0);
	});
}

// ---- 2. proof flood -----------------------------------------------------------

#[test]
fn open_offer_proofs_take_job_slots_and_cannot_crowd_out_assigned_provers() {
	test(|| {
		// One job slot per prover in the mock.
		register(11, 40 * ZK);
		register(12, 40 * ZK);
		set_time(100);
		let offers: Vec<_> = (0..3).map(|_| submit_offer(1, offer_at(100, ZK))).collect();
		// The flooder proves an open offer: the proof takes its only slot...
		assert_ok!(M::begin_verification(offers[0], &12));
		assert_eq!(prover(12).active_jobs, 1);
		// ...so it cannot hold a second pending proof.
		assert_noop!(
			M::begin_verification(offers[1], &12),
			pallet_provers::Error::<Test>::NoFreeSlot
		);
		// It gets no auction slot either; the honest prover does and proves.
		let a = try_bid(2, 10, 5).unwrap();
		next_block();
		assert!(matches!(state(a), RequestState::Assigned { prover: 11, .. }));
		assert_ok!(M::begin_verification(a, &11));
		M::conclude(a, &11, Verdict::Valid, &[]);
		assert!(matches!(state(a), RequestState::Settled { prover: 11, .. }));
		// The flooder's verdict frees its slot.
		M::conclude(offers[0], &12, Verdict::Invalid, &[]);
		assert_eq!(prover(12).active_jobs, 0);
		assert_eq!(state(offers[0]), RequestState::Open);
	});
}

// ---- 3. slash evasion by unbonding -------------------------------------------

#[test]
fn unbonding_after_winning_a_job_does_not_dodge_the_slash() {
	test(|| {
		Balances::set_balance(&11, 2_000 * ZK);
		register(11, 1_000 * ZK);
		let a = try_bid(1, 10, 5).unwrap();
		next_block();
		assert!(matches!(state(a), RequestState::Assigned { prover: 11, .. }));
		// Unbonds all but the minimum right after winning.
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(11), 968 * ZK));
		assert_noop!(
			Provers::unbond(RuntimeOrigin::signed(11), ZK),
			pallet_provers::Error::<Test>::StakeNeededForJobs
		);
		let treasury = Balances::balance(&TREASURY);
		// Never proves: slashed 5% of the 1,000 ZK that backed the job.
		run_to(2 + DEADLINE);
		assert!(events().contains(&Event::DeadlineMissed { id: a, prover: 11, slashed: 50 * ZK }));
		assert_eq!(Balances::balance(&TREASURY), treasury + 50 * ZK);
		let p = prover(11);
		assert_eq!(p.stake, 0);
		assert_eq!(p.unbonding_total(), 950 * ZK);
		assert_eq!(
			Balances::balance_on_hold(&pallet_provers::HoldReason::Stake.into(), &11),
			950 * ZK
		);
	});
}

#[test]
fn stake_unbonded_during_a_lock_cannot_be_withdrawn_before_the_lock_ends() {
	test(|| {
		Balances::set_balance(&11, 2_000 * ZK);
		register(11, 1_000 * ZK);
		set_time(100);
		let id = submit_offer(1, offer_at(100, ZK));
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		assert_ok!(Provers::unbond(RuntimeOrigin::signed(11), 900 * ZK));
		// The unbonding period (10 blocks) passes while the lock is open (100 s).
		for _ in 0..11 {
			next_block_after(1);
		}
		assert!(pallet_timestamp::Now::<Test>::get() / 1000 < 200);
		assert_noop!(
			Provers::withdraw_unbonded(RuntimeOrigin::signed(11)),
			pallet_provers::Error::<Test>::ObligationsOutstanding
		);
		// Once the proof is verified, the stake is free to go.
		assert_ok!(M::begin_verification(id, &11));
		M::conclude(id, &11, Verdict::Valid, &[]);
		assert_ok!(Provers::withdraw_unbonded(RuntimeOrigin::signed(11)));
		assert_eq!(prover(11).unbonding_total(), 0);
	});
}

// ---- 5. cancel after the proof is public --------------------------------------

#[test]
fn an_offer_cannot_be_cancelled_once_its_ramp_up_started() {
	test(|| {
		set_time(100);
		let early = submit_offer(1, offer_at(150, ZK));
		let started = submit_offer(1, offer_at(100, ZK));
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), started),
			Error::<Test>::RampUpStarted
		);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), early));
		set_time(150);
		let later = submit_offer(1, offer_at(160, ZK));
		set_time(160);
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), later),
			Error::<Test>::RampUpStarted
		);
		// An assigned auction bid cannot be cancelled either.
		register(11, 40 * ZK);
		let a = try_bid(1, 10, 5).unwrap();
		next_block();
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), a),
			Error::<Test>::InvalidState
		);
	});
}

// ---- 7. late verdicts ---------------------------------------------------------

#[test]
fn a_lock_proven_in_time_is_not_forfeited_when_the_verdict_is_late() {
	test(|| {
		register(11, 40 * ZK);
		set_time(100);
		let id = submit_offer(1, offer_at(100, 2 * ZK));
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		// Proof submitted before the lock deadline (200)...
		set_time(190);
		assert_ok!(M::begin_verification(id, &11));
		// ...but no verdict until after it.
		set_time(250);
		let reputation = prover(11).reputation;
		M::conclude(id, &11, Verdict::Undecided, &[]);
		let p = prover(11);
		assert_eq!(p.stake, 40 * ZK);
		assert_eq!(p.collateral, 0);
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.failures, 0);
		assert_eq!(p.reputation, reputation);
		assert_eq!(state(id), RequestState::Open);
		// Before the lock deadline it stays locked for another try.
		let again = submit_offer(2, offer_at(250, 2 * ZK));
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), again));
		assert_ok!(M::begin_verification(again, &11));
		M::conclude(again, &11, Verdict::Undecided, &[]);
		assert!(matches!(state(again), RequestState::Locked { prover: 11, .. }));
	});
}

// ---- 8. offer deadline index --------------------------------------------------

#[test]
fn ramp_up_start_is_bounded() {
	test(|| {
		set_time(10_000);
		let far_past = offer_at(10_000 - 61, ZK);
		let far_future = offer_at(10_000 + 86_401, ZK);
		for p in [far_past, far_future] {
			assert_noop!(
				Market::submit_request(RuntimeOrigin::signed(1), PROGRAM, inputs(1), p, 0),
				Error::<Test>::RampStartOutOfRange
			);
		}
		submit_offer(1, offer_at(10_000 - 60, ZK));
		submit_offer(1, offer_at(10_000 + 86_400, ZK));
	});
}

#[test]
fn closed_offers_leave_no_deadline_entries() {
	test(|| {
		register(11, 40 * ZK);
		set_time(100);
		let cancelled = submit_offer(1, offer_at(150, ZK));
		let settled = submit_offer(1, offer_at(100, ZK));
		assert_eq!(OfferDeadlines::<Test>::get(251).to_vec(), vec![cancelled]);
		assert_eq!(OfferDeadlines::<Test>::get(201).to_vec(), vec![settled]);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), cancelled));
		assert_ok!(M::begin_verification(settled, &11));
		M::conclude(settled, &11, Verdict::Valid, &[]);
		assert_eq!(OfferDeadlines::<Test>::iter().count(), 0);
		assert_eq!(ProgramRequests::<Test>::get(PROGRAM), 0);
	});
}

#[test]
fn spam_at_the_per_second_cap_does_not_make_the_offer_clock_lag() {
	test(|| {
		// 8 deadlines a second (the cap); a block applies 48 (6 s blocks).
		OpenPerAccount::set(10_000);
		OfferDeadlinesPerBlock::set(48);
		set_time(6);
		next_block();
		assert_eq!(OfferClock::<Test>::get(), Some(6));
		// Fill every second of the next 2 minutes to the cap (lock == timeout, so
		// one entry per offer).
		let start = 12;
		let spam = |t: u64| Pricing::Offer {
			min_price: 2,
			max_price: 2,
			ramp_up_start: start,
			ramp_up_period: 0,
			lock_timeout: t - start,
			timeout: t - start,
			lock_collateral: ZK,
		};
		for t in 13..133u64 {
			for _ in 0..8 {
				submit_offer(1, spam(t));
			}
			assert_noop!(
				Market::submit_request(RuntimeOrigin::signed(2), PROGRAM, inputs(1), spam(t), 0),
				Error::<Test>::DeadlineSlotFull
			);
		}
		// The clock keeps up block after block, expiring the spam as it goes.
		for _ in 0..22 {
			let now = pallet_timestamp::Now::<Test>::get() / 1000;
			next_block();
			assert_eq!(OfferClock::<Test>::get(), Some(now));
		}
		assert_eq!(OfferDeadlines::<Test>::iter().count(), 0);
		assert_eq!(escrow_held(1), 0);
	});
}

#[test]
fn a_deadline_the_clock_has_passed_is_not_indexed() {
	test(|| {
		set_time(100);
		next_block_after(0);
		let clock = OfferClock::<Test>::get().unwrap();
		assert_eq!(clock, 100);
		// Lock deadline already past (start - 60 + 10), final deadline ahead.
		let id = submit_offer(
			1,
			Pricing::Offer {
				min_price: MILLI,
				max_price: MILLI,
				ramp_up_start: clock - 50,
				ramp_up_period: 0,
				lock_timeout: 10,
				timeout: 200,
				lock_collateral: ZK,
			},
		);
		assert!(OfferDeadlines::<Test>::iter().all(|(k, v)| k > clock && v.contains(&id)));
		assert_eq!(OfferDeadlines::<Test>::iter().count(), 1);
	});
}

// ---- 11. inclusive deadlines ---------------------------------------------------

#[test]
fn a_proof_in_the_deadline_block_counts() {
	test(|| {
		register(11, 40 * ZK);
		let a = try_bid(1, 10, 5).unwrap();
		next_block();
		let RequestState::Assigned { deadline, .. } = state(a) else { panic!("assigned") };
		run_to(deadline);
		assert_ok!(M::begin_verification(a, &11));
		M::conclude(a, &11, Verdict::Valid, &[]);
		next_block();
		assert!(matches!(state(a), RequestState::Settled { prover: 11, .. }));
		assert_eq!(prover(11).failures, 0);
	});
}

// ---- 9. program usage ------------------------------------------------------------

#[test]
fn open_requests_per_program_are_counted() {
	test(|| {
		let a = try_bid(1, 10, 5).unwrap();
		set_time(100);
		submit_offer(2, offer_at(150, ZK));
		assert_eq!(M::open_requests_for(&PROGRAM), 2);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), a));
		assert_eq!(M::open_requests_for(&PROGRAM), 1);
	});
}

// ---- unprovable requests --------------------------------------------------------

#[test]
fn an_input_outside_the_field_is_refused() {
	test(|| {
		let bad: BoundedVec<[u8; 32], _> = BoundedVec::truncate_from(vec![[0xff; 32]]);
		assert_noop!(
			Market::submit_request(
				RuntimeOrigin::signed(1),
				PROGRAM,
				bad,
				Pricing::Auction { bid: 10, max_base_fee: 5 },
				10,
			),
			Error::<Test>::InvalidPublicInput
		);
	});
}

#[test]
fn an_assigned_prover_declines_an_unprovable_request_without_a_slash() {
	test(|| {
		register(11, 40 * ZK);
		let a = try_bid(1, 10, 5).unwrap();
		next_block();
		assert!(matches!(state(a), RequestState::Assigned { prover: 11, .. }));
		assert_noop!(
			Market::decline_assignment(RuntimeOrigin::signed(12), a),
			Error::<Test>::NotAssignedProver
		);
		let before = prover(11);
		let treasury = Balances::free_balance(TREASURY);
		assert_ok!(Market::decline_assignment(RuntimeOrigin::signed(11), a));
		let after = prover(11);
		assert_eq!(after.stake, before.stake);
		assert_eq!(after.reputation, before.reputation);
		assert_eq!(after.failures, 0);
		assert_eq!(after.active_jobs, 0);
		assert_eq!(state(a), RequestState::Queued);
		// The requester paid the BaseFee (5) as the retry fee, to the treasury;
		// its escrow is topped up to bid + max_base_fee again.
		assert_eq!(Balances::free_balance(TREASURY), treasury + 5);
		assert_eq!(escrow_held(1), 15);
		assert!(events().contains(&Event::AssignmentDeclined { id: a, prover: 11 }));
		assert!(events().contains(&Event::DeclineCharged {
			id: a,
			prover: 11,
			retry_fee: 5,
			slashed: 0
		}));
		assert_noop!(
			Market::decline_assignment(RuntimeOrigin::signed(11), a),
			Error::<Test>::InvalidState
		);
		// Never dealt to 11 again: with no other prover it waits.
		next_block();
		assert_eq!(state(a), RequestState::Queued);
		register(12, 40 * ZK);
		next_block();
		let RequestState::Assigned { prover: p, deadline, .. } = state(a) else {
			panic!("assigned")
		};
		assert_eq!(p, 12);
		// Past its deadline it can no longer be declined (it is slashed instead).
		run_to(deadline + 1);
		assert_eq!(prover(12).failures, 1);
	});
}

/// Attack: Carol copies a proof of an unbound program (SP1, RISC Zero,
/// gnark: valid for any prover) from the pool and sends it for an open offer
/// first. Refused: such offers must be locked, and only the locker submits.
#[test]
fn proofs_of_unbound_programs_need_the_obligation() {
	test(|| {
		register(11, 40 * ZK);
		register(12, 40 * ZK);
		set_time(990);
		let program = unbound_program(1);
		let id = crate::NextRequestId::<Test>::get();
		assert_ok!(Market::submit_request(
			RuntimeOrigin::signed(1),
			program,
			inputs(1),
			offer_at(1000, 2 * ZK),
			0
		));
		set_time(1020);
		// The open path (anyone eligible proves, first proof wins) is closed.
		assert_noop!(M::begin_verification(id, &12), Error::<Test>::ProgramNeedsLock);
		// The locker proves; anyone else copying its proof is refused.
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		assert_noop!(M::begin_verification(id, &12), Error::<Test>::NotAssignedProver);
		assert_ok!(M::begin_verification(id, &11));
		M::conclude(id, &11, Verdict::Valid, &[]);
		assert!(matches!(state(id), RequestState::Settled { prover: 11, .. }));

		// A forfeited lock's bounty cannot be taken either: it expires, the
		// bounty going where unearned bounties go.
		let id = crate::NextRequestId::<Test>::get();
		assert_ok!(Market::submit_request(
			RuntimeOrigin::signed(1),
			program,
			inputs(1),
			offer_at(1020, 2 * ZK),
			0
		));
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		set_time(1121);
		next_block_keep_time();
		assert!(matches!(state(id), RequestState::BountyOpen { .. }));
		assert_noop!(M::begin_verification(id, &12), Error::<Test>::ProgramNeedsLock);
	});
}

/// Inputs a program's kind cannot take (RISC Zero's digest halves are below
/// 2^128) are refused when the request is made, not found out by a prover.
#[test]
fn requests_with_inputs_the_kind_refuses_are_refused() {
	test(|| {
		let mut bad = inputs(1);
		bad[0][0] = 0;
		assert_noop!(
			Market::submit_request(
				RuntimeOrigin::signed(1),
				unbound_program(1),
				bad,
				offer_at(1000, 2 * ZK),
				0
			),
			Error::<Test>::InvalidPublicInput
		);
	});
}
