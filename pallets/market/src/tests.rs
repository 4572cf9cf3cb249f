//! Tests of the market pallet on its mock runtime.
use crate::{
	mock::*, AuctionQueue, Error, Event, HoldReason, OpenRequests, Pricing, RequestState, Requests,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use zkmarket_primitives::traits::{ProofMarket, RequestId, Verdict};

type M = crate::Pallet<Test>;

pub(crate) fn inputs(n: usize) -> BoundedVec<[u8; 32], frame_support::traits::ConstU32<8>> {
	BoundedVec::truncate_from(vec![[7u8; 32]; n])
}

fn bid(who: AccountId, bid: Balance, max_base_fee: Balance) -> RequestId {
	let id = crate::NextRequestId::<Test>::get();
	assert_ok!(Market::submit_request(
		RuntimeOrigin::signed(who),
		PROGRAM,
		inputs(1),
		Pricing::Auction { bid, max_base_fee },
		System::block_number() + 50,
	));
	id
}

pub(crate) fn register(who: AccountId, stake: Balance) {
	assert_ok!(Provers::register(RuntimeOrigin::signed(who), stake));
	serve_everything(who);
}

pub(crate) fn escrow_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Escrow.into(), &who)
}

fn stake(who: AccountId) -> Balance {
	pallet_provers::Provers::<Test>::get(who).unwrap().stake
}

pub(crate) fn state(id: RequestId) -> RequestState<AccountId, Balance, u64> {
	Requests::<Test>::get(id).unwrap().state
}

pub(crate) fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Market(e) = r.event { Some(e) } else { None })
		.collect()
}

/// Provers 11 (more stake) and 12, one job slot each.
fn two_provers() {
	register(11, 50 * ZK);
	register(12, 40 * ZK);
}

#[test]
fn gsp_worked_example() {
	test(|| {
		two_provers();
		// Bids [10, 7, 7, 3] with 2 slots and BaseFee 5.
		let a = bid(1, 10, 5);
		let b = bid(2, 7, 5);
		let c = bid(3, 7, 5);
		let d = bid(4, 3, 5);
		assert_eq!(escrow_held(1), 15);
		next_block();
		// The 10 pays 7 + 5 and gets the best prover (11: same reputation, more stake).
		assert_eq!(
			state(a),
			RequestState::Assigned { prover: 11, price: 12, deadline: 1 + DEADLINE }
		);
		// The first 7 (earlier) pays 7 + 5 and gets the second slot.
		assert_eq!(
			state(b),
			RequestState::Assigned { prover: 12, price: 12, deadline: 1 + DEADLINE }
		);
		assert_eq!(state(c), RequestState::Queued);
		assert_eq!(state(d), RequestState::Queued);
		assert_eq!(AuctionQueue::<Test>::get().to_vec(), vec![c, d]);
		// Escrow: the price stays held, the rest is released at once.
		assert_eq!(escrow_held(1), 12);
		assert_eq!(escrow_held(2), 12);
		assert_eq!(escrow_held(3), 12);
		assert!(events().contains(&Event::AuctionCleared {
			base_fee: 5,
			demand: 4,
			capacity: 2,
			winners: 2
		}));
		// Demand 4 > target 1 (capped at 2): BaseFee 5 -> 6 (minimum step).
		assert_eq!(pallet_base_fee::BaseFee::<Test>::get(), 6);
	});
}

#[test]
fn last_winner_pays_best_losing_bid_or_base_fee() {
	test(|| {
		JobsPerProver::set(3);
		register(11, 40 * ZK);
		let a = bid(1, 9, 5);
		let b = bid(2, 4, 5);
		next_block();
		assert_eq!(
			state(a),
			RequestState::Assigned { prover: 11, price: 9, deadline: 1 + DEADLINE }
		);
		assert_eq!(
			state(b),
			RequestState::Assigned { prover: 11, price: 5, deadline: 1 + DEADLINE }
		);
	});
}

#[test]
fn bids_below_base_fee_wait() {
	test(|| {
		two_provers();
		let a = bid(1, 100, 4);
		next_block();
		assert_eq!(state(a), RequestState::Queued);
		// No eligible demand: the BaseFee falls 12.5% (min step floor -> 5 - 0 = 5).
		assert_ok!(pallet_base_fee::Pallet::<Test>::set_base_fee(RuntimeOrigin::root(), 4));
		next_block();
		assert!(matches!(state(a), RequestState::Assigned { price: 4, .. }));
	});
}

#[test]
fn no_provers_no_winners_and_no_demand() {
	test(|| {
		bid(1, 10, 100);
		bid(2, 10, 100);
		next_block();
		assert_eq!(AuctionQueue::<Test>::get().len(), 2);
		// Nobody serves the bids: they are no demand, the BaseFee does not rise
		// (it falls by 12.5%, which at 5 rounds to nothing).
		assert_eq!(pallet_base_fee::BaseFee::<Test>::get(), 5);
		assert!(events().iter().all(|e| !matches!(e, Event::AuctionCleared { .. })));
	});
}

#[test]
fn valid_proof_pays_the_prover_stake() {
	test(|| {
		two_provers();
		let a = bid(1, 10 * ZK, 5);
		bid(2, 3 * ZK, 5);
		next_block();
		let price = 3 * ZK + 5;
		let (program, ins, kind) = M::begin_verification(a, &11).unwrap();
		assert_eq!(kind, zkmarket_primitives::traits::ProofKind::Obligated);
		assert_eq!(program, PROGRAM);
		assert_eq!(ins.len(), 1);
		assert!(matches!(state(a), RequestState::ProofSubmitted { prover: 11, .. }));
		let issuance = Balances::total_issuance();
		M::conclude(a, &11, Verdict::Valid, &[]);
		assert_eq!(state(a), RequestState::Settled { prover: 11, paid: price });
		assert_eq!(stake(11), 50 * ZK + price);
		assert_eq!(escrow_held(1), 0);
		assert_eq!(Balances::balance(&1), 1000 * ZK - price);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(OpenRequests::<Test>::get(1), 0);
		let p = pallet_provers::Provers::<Test>::get(11).unwrap();
		assert_eq!(p.active_jobs, 0);
		assert_eq!(p.proofs_verified, 1);
	});
}

#[test]
fn only_the_assigned_prover_may_submit() {
	test(|| {
		two_provers();
		let a = bid(1, 10, 5);
		assert_noop!(M::begin_verification(a, &11), Error::<Test>::NotAssignedProver);
		next_block();
		assert_noop!(M::begin_verification(a, &12), Error::<Test>::NotAssignedProver);
		assert_noop!(M::begin_verification(77, &12), Error::<Test>::UnknownRequest);
		assert_ok!(M::begin_verification(a, &11));
		assert_noop!(M::begin_verification(a, &11), Error::<Test>::InvalidState);
	});
}

#[test]
fn invalid_proof_slashes_and_requeues() {
	test(|| {
		two_provers();
		let a = bid(1, 10 * ZK, ZK);
		next_block();
		assert_eq!(escrow_held(1), 5);
		M::begin_verification(a, &11).unwrap();
		M::conclude(a, &11, Verdict::Invalid, &[]);
		// 10% of 50 ZK slashed to the treasury, reputation 50% -> 40%.
		assert_eq!(stake(11), 45 * ZK);
		assert_eq!(Balances::balance(&TREASURY), 6 * ZK);
		assert_eq!(
			pallet_provers::Provers::<Test>::get(11).unwrap().reputation,
			sp_runtime::Perbill::from_percent(40)
		);
		// Back in the queue with its full hold again.
		assert_eq!(state(a), RequestState::Queued);
		assert_eq!(escrow_held(1), 11 * ZK);
		// Re-cleared next block: 11's reputation dropped, so 12 gets it.
		next_block();
		assert!(matches!(state(a), RequestState::Assigned { prover: 12, .. }));
	});
}

#[test]
fn undecided_verification_requeues_without_slash() {
	test(|| {
		two_provers();
		let a = bid(1, 10, 5);
		next_block();
		M::begin_verification(a, &11).unwrap();
		M::conclude(a, &11, Verdict::Undecided, &[]);
		assert_eq!(stake(11), 50 * ZK);
		assert_eq!(state(a), RequestState::Queued);
		assert!(events().contains(&Event::VerificationUndecided { id: a, prover: 11 }));
	});
}

#[test]
fn missed_deadline_slashes_and_requeues() {
	test(|| {
		register(11, 40 * ZK);
		let a = bid(1, 10, 5);
		next_block();
		assert!(matches!(state(a), RequestState::Assigned { prover: 11, .. }));
		// Inclusive: still assigned during the deadline block itself.
		run_to(1 + DEADLINE);
		assert!(matches!(state(a), RequestState::Assigned { .. }));
		run_to(2 + DEADLINE);
		// 5% of 40 ZK.
		assert_eq!(stake(11), 38 * ZK);
		assert!(events().contains(&Event::DeadlineMissed { id: a, prover: 11, slashed: 2 * ZK }));
		assert_eq!(state(a), RequestState::Queued);
		assert_eq!(pallet_provers::Provers::<Test>::get(11).unwrap().active_jobs, 0);
	});
}

#[test]
fn losing_bids_expire_and_are_refunded() {
	test(|| {
		let id = crate::NextRequestId::<Test>::get();
		assert_ok!(Market::submit_request(
			RuntimeOrigin::signed(1),
			PROGRAM,
			inputs(1),
			Pricing::Auction { bid: ZK, max_base_fee: ZK },
			4,
		));
		assert_eq!(escrow_held(1), 2 * ZK);
		run_to(4);
		assert_eq!(state(id), RequestState::Queued);
		// The clearing of block 4 (its expiry) refunds it.
		run_to(5);
		assert_eq!(state(id), RequestState::Expired);
		assert_eq!(escrow_held(1), 0);
		assert_eq!(Balances::balance(&1), 1000 * ZK);
		assert!(AuctionQueue::<Test>::get().is_empty());
		assert!(events().contains(&Event::RequestExpired { id, refund: 2 * ZK }));
	});
}

#[test]
fn cancel_refunds_in_full() {
	test(|| {
		let a = bid(1, ZK, ZK);
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(2), a),
			Error::<Test>::NotRequester
		);
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), 9),
			Error::<Test>::UnknownRequest
		);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), a));
		assert_eq!(state(a), RequestState::Cancelled);
		assert_eq!(Balances::balance(&1), 1000 * ZK);
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), a),
			Error::<Test>::InvalidState
		);
		// An assigned request cannot be cancelled.
		register(11, 40 * ZK);
		let b = bid(1, 10, 5);
		next_block();
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), b),
			Error::<Test>::InvalidState
		);
	});
}

#[test]
fn submit_errors() {
	test(|| {
		let o = RuntimeOrigin::signed(1);
		let auction = Pricing::Auction { bid: 1, max_base_fee: 5 };
		assert_noop!(
			Market::submit_request(o.clone(), [0xff; 32], inputs(1), auction.clone(), 10),
			Error::<Test>::UnknownProgram
		);
		assert_noop!(
			Market::submit_request(o.clone(), PROGRAM, inputs(2), auction.clone(), 10),
			Error::<Test>::WrongInputCount
		);
		assert_noop!(
			Market::submit_request(o.clone(), PROGRAM, inputs(1), auction.clone(), 1),
			Error::<Test>::InvalidExpiry
		);
		assert_noop!(
			Market::submit_request(o.clone(), PROGRAM, inputs(1), auction.clone(), 102),
			Error::<Test>::InvalidExpiry
		);
		assert_noop!(
			Market::submit_request(
				o.clone(),
				PROGRAM,
				inputs(1),
				Pricing::Auction { bid: u128::MAX, max_base_fee: 1 },
				10
			),
			Error::<Test>::Overflow
		);
		assert_noop!(
			Market::submit_request(
				o.clone(),
				PROGRAM,
				inputs(1),
				Pricing::Auction { bid: 2000 * ZK, max_base_fee: 1 },
				10
			),
			Error::<Test>::InsufficientBalance
		);
		for _ in 0..6 {
			assert_ok!(Market::submit_request(o.clone(), PROGRAM, inputs(1), auction.clone(), 10));
		}
		assert_noop!(
			Market::submit_request(o.clone(), PROGRAM, inputs(1), auction.clone(), 11),
			Error::<Test>::TooManyOpenRequests
		);
		// Bids have no per-block expiry limit (the clearing expires them).
		for a in 2..=4 {
			assert_ok!(Market::submit_request(
				RuntimeOrigin::signed(a),
				PROGRAM,
				inputs(1),
				auction.clone(),
				10
			));
		}
	});
}

#[test]
fn queue_is_bounded() {
	test(|| {
		for i in 0..20u64 {
			assert_ok!(Market::submit_request(
				RuntimeOrigin::signed(1 + i / 5),
				PROGRAM,
				inputs(1),
				Pricing::Auction { bid: 1, max_base_fee: 5 },
				10 + i / 5,
			));
		}
		assert_noop!(
			Market::submit_request(
				RuntimeOrigin::signed(9),
				PROGRAM,
				inputs(1),
				Pricing::Auction { bid: 1, max_base_fee: 5 },
				30,
			),
			Error::<Test>::QueueFull
		);
	});
}

// ---- Reverse Dutch offers ----

pub(crate) const MILLI: Balance = ZK / 1000;

pub(crate) fn offer_at(start: u64, collateral: Balance) -> Pricing<Balance> {
	Pricing::Offer {
		min_price: MILLI,
		max_price: 2 * MILLI,
		ramp_up_start: start,
		ramp_up_period: 50,
		lock_timeout: 100,
		timeout: 200,
		lock_collateral: collateral,
	}
}

pub(crate) fn submit_offer(who: AccountId, pricing: Pricing<Balance>) -> RequestId {
	let id = crate::NextRequestId::<Test>::get();
	assert_ok!(Market::submit_request(RuntimeOrigin::signed(who), PROGRAM, inputs(1), pricing, 0));
	id
}

pub(crate) fn set_time(secs: u64) {
	pallet_timestamp::Now::<Test>::put(secs * 1000);
}

#[test]
fn offer_price_follows_the_seed_example() {
	test(|| {
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		assert_eq!(escrow_held(1), 2 * MILLI);
		let curve = Requests::<Test>::get(id).unwrap().pricing.curve().unwrap();
		assert_eq!(curve.price_at(1000), MILLI);
		assert_eq!(curve.price_at(1010), 1_200_000_000_000_000);
		assert_eq!(curve.price_at(1020), 1_400_000_000_000_000);
		assert_eq!(curve.price_at(1050), 2 * MILLI);
		assert_eq!(curve.price_at(1101), 0);
	});
}

#[test]
fn lock_and_fulfil_pays_agreed_price() {
	test(|| {
		register(11, 40 * ZK);
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		set_time(1010);
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		let price = 1_200_000_000_000_000;
		assert_eq!(state(id), RequestState::Locked { prover: 11, price, collateral: 2 * ZK });
		assert_eq!(stake(11), 38 * ZK);
		assert_noop!(
			Market::lock_request(RuntimeOrigin::signed(12), id),
			Error::<Test>::AlreadyLocked
		);
		assert_noop!(M::begin_verification(id, &12), Error::<Test>::NotAssignedProver);
		assert_noop!(
			Market::cancel_request(RuntimeOrigin::signed(1), id),
			Error::<Test>::InvalidState
		);
		set_time(1090);
		M::begin_verification(id, &11).unwrap();
		// Verified later than the lock deadline: submission time counts.
		set_time(1150);
		M::conclude(id, &11, Verdict::Valid, &[]);
		assert_eq!(state(id), RequestState::Settled { prover: 11, paid: price });
		assert_eq!(stake(11), 40 * ZK + price);
		// Requester gets max_price - price back.
		assert_eq!(Balances::balance(&1), 1000 * ZK - price);
		assert_eq!(escrow_held(1), 0);
	});
}

#[test]
fn missed_lock_forfeits_collateral_and_bounty_goes_to_next_prover() {
	test(|| {
		register(11, 40 * ZK);
		register(12, 40 * ZK);
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		set_time(1020);
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		// Lock deadline 1100 passes; the block hook applies it.
		set_time(1101);
		let treasury = Balances::balance(&TREASURY);
		next_block_keep_time();
		assert_eq!(state(id), RequestState::BountyOpen { slashed: 11, bounty: ZK / 2 });
		// 2 ZK lost: 1.5 ZK to the treasury, 0.5 ZK reserved as the bounty.
		assert_eq!(stake(11), 38 * ZK);
		assert_eq!(Balances::balance(&TREASURY), treasury + 3 * ZK / 2);
		// The requester is refunded in full.
		assert_eq!(Balances::balance(&1), 1000 * ZK);
		assert!(events().contains(&Event::LockMissed {
			id,
			prover: 11,
			collateral: 2 * ZK,
			bounty: ZK / 2
		}));
		// Another prover proves before the timeout (1200) and earns the bounty.
		set_time(1150);
		M::begin_verification(id, &12).unwrap();
		M::conclude(id, &12, Verdict::Valid, &[]);
		assert_eq!(state(id), RequestState::Settled { prover: 12, paid: ZK / 2 });
		assert_eq!(stake(12), 40 * ZK + ZK / 2);
	});
}

/// Finalizes the block without moving the timestamp (for precise offer times).
pub(crate) fn next_block_keep_time() {
	use frame_support::traits::Hooks;
	let n = System::block_number();
	let t = Timestamp::get();
	Market::on_finalize(n);
	check_invariants();
	System::set_block_number(n + 1);
	pallet_timestamp::Now::<Test>::put(t);
	Market::on_initialize(n + 1);
}

#[test]
fn offer_deadlines_beyond_the_block_budget_wait_for_the_next_block() {
	test(|| {
		OfferDeadlinesPerBlock::set(2);
		set_time(990);
		let ids: Vec<RequestId> =
			(1..=3).map(|who| submit_offer(who, offer_at(1000, ZK))).collect();
		set_time(1020);
		for (i, id) in ids.iter().enumerate() {
			register(11 + i as AccountId, 40 * ZK);
			assert_ok!(Market::lock_request(RuntimeOrigin::signed(11 + i as AccountId), *id));
		}
		// All three lock deadlines (1100) are due in second 1101.
		set_time(1101);
		next_block_keep_time();
		let open = |id| matches!(state(id), RequestState::BountyOpen { .. });
		assert!(open(ids[0]) && open(ids[1]));
		assert!(matches!(state(ids[2]), RequestState::Locked { .. }));
		// The clock stays before the unfinished second.
		assert_eq!(crate::OfferClock::<Test>::get(), Some(1100));
		next_block_keep_time();
		assert!(open(ids[2]));
		assert_eq!(crate::OfferClock::<Test>::get(), Some(1101));
		OfferDeadlinesPerBlock::set(8);
	});
}

#[test]
fn unearned_bounty_goes_to_treasury_at_expiry() {
	test(|| {
		register(11, 40 * ZK);
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		set_time(1000);
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		set_time(1201);
		let treasury = Balances::balance(&TREASURY);
		next_block_keep_time();
		assert_eq!(state(id), RequestState::Expired);
		assert_eq!(Balances::balance(&TREASURY), treasury + 2 * ZK);
		assert_eq!(Balances::balance(&1), 1000 * ZK);
	});
}

#[test]
fn unlocked_offer_is_fulfilled_at_price_of_submission() {
	test(|| {
		register(12, 40 * ZK);
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		set_time(1020);
		M::begin_verification(id, &12).unwrap();
		M::conclude(id, &12, Verdict::Valid, &[]);
		assert_eq!(state(id), RequestState::Settled { prover: 12, paid: 1_400_000_000_000_000 });
	});
}

#[test]
fn unlocked_offer_expires_with_refund() {
	test(|| {
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		set_time(1201);
		next_block_keep_time();
		assert_eq!(state(id), RequestState::Expired);
		assert_eq!(Balances::balance(&1), 1000 * ZK);
	});
}

#[test]
fn invalid_proof_on_locked_offer_keeps_lock_until_deadline() {
	test(|| {
		register(11, 40 * ZK);
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(11), id));
		set_time(1010);
		M::begin_verification(id, &11).unwrap();
		M::conclude(id, &11, Verdict::Invalid, &[]);
		assert!(matches!(state(id), RequestState::Locked { prover: 11, .. }));
		// 10% of the remaining 38 ZK stake.
		assert_eq!(stake(11), 38 * ZK - 38 * ZK / 10);
	});
}

#[test]
fn lock_errors() {
	test(|| {
		register(11, 40 * ZK);
		register(13, 33 * ZK);
		set_time(990);
		let id = submit_offer(1, offer_at(1000, 2 * ZK));
		let a = bid(2, 10, 5);
		assert_noop!(Market::lock_request(RuntimeOrigin::signed(11), a), Error::<Test>::NotAnOffer);
		assert_noop!(
			Market::lock_request(RuntimeOrigin::signed(11), 99),
			Error::<Test>::UnknownRequest
		);
		// Not a prover.
		assert_noop!(
			Market::lock_request(RuntimeOrigin::signed(5), id),
			Error::<Test>::NotEligible
		);
		// 33 ZK - 2 ZK < 32 ZK minimum.
		assert_noop!(
			Market::lock_request(RuntimeOrigin::signed(13), id),
			pallet_provers::Error::<Test>::InsufficientFreeStake
		);
		set_time(1101);
		assert_noop!(
			Market::lock_request(RuntimeOrigin::signed(11), id),
			Error::<Test>::LockDeadlinePassed
		);
	});
}

#[test]
fn offer_validation_errors() {
	test(|| {
		set_time(990);
		let o = || RuntimeOrigin::signed(1);
		let mk = |min: Balance,
		          max: Balance,
		          ramp: u64,
		          lock: u64,
		          timeout: u64,
		          coll: Balance,
		          start: u64| {
			Pricing::Offer {
				min_price: min,
				max_price: max,
				ramp_up_start: start,
				ramp_up_period: ramp,
				lock_timeout: lock,
				timeout,
				lock_collateral: coll,
			}
		};
		let sub = |p| Market::submit_request(o(), PROGRAM, inputs(1), p, 0);
		assert_noop!(sub(mk(3, 2, 1, 2, 3, ZK, 1000)), Error::<Test>::MinPriceAboveMax);
		assert_noop!(sub(mk(1, 2, 5, 2, 3, ZK, 1000)), Error::<Test>::RampLongerThanLock);
		assert_noop!(sub(mk(1, 2, 1, 4, 3, ZK, 1000)), Error::<Test>::LockTimeoutAfterTimeout);
		assert_noop!(sub(mk(1, 2, 1, 2, 3, ZK, 100)), Error::<Test>::OfferExpired);
		assert_noop!(sub(mk(1, 2, 1, 2, 100_000, ZK, 1000)), Error::<Test>::OfferTooLong);
		assert_noop!(sub(mk(1, 2, 1, 2, 3, 1, 1000)), Error::<Test>::CollateralOutOfBounds);
		assert_noop!(sub(mk(1, 2, 1, 2, 3, 101 * ZK, 1000)), Error::<Test>::CollateralOutOfBounds);
		assert_noop!(sub(mk(1, 2000 * ZK, 1, 2, 3, ZK, 1000)), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn try_state_catches_escrow_mismatch() {
	new_test_ext().execute_with(|| {
		let a = bid(1, 10, 5);
		Requests::<Test>::mutate(a, |r| r.as_mut().unwrap().escrow = 1);
		assert!(Market::do_try_state().is_err());
	});
}

/// Cost of one block's clearing, natively, for the scale curve in
/// docs/performance.md (a measurement, not a test: run with
/// `cargo test --release -p pallet-market -- --ignored --nocapture clearing_cost`).
#[test]
#[ignore]
fn clearing_cost() {
	use frame_support::traits::fungible::Mutate;
	use std::time::Instant;
	QueueLength::set(2_048);
	BidsPerBlock::set(1_000);
	AssignmentsPerBlock::set(64);
	DeadlinesPerSlot::set(1_024);
	JobsPerProver::set(4);
	println!("bids,provers,clearing_us,winners");
	for provers in [10u64, 100, 1_000, 10_000] {
		for bids in [10u64, 100, 1_000] {
			new_test_ext().execute_with(|| {
				for p in 0..provers {
					let who = 10_000 + p;
					Balances::set_balance(&who, 100 * ZK);
					register(who, 40 * ZK);
				}
				for b in 0..bids {
					let who = 100_000 + b;
					Balances::set_balance(&who, 10 * ZK);
					assert_ok!(Market::submit_request(
						RuntimeOrigin::signed(who),
						PROGRAM,
						inputs(1),
						Pricing::Auction {
							bid: 1_000 + (b * 7919 % 1000) as u128,
							max_base_fee: ZK
						},
						50,
					));
				}
				let start = Instant::now();
				M::clear_auction(1);
				let us = start.elapsed().as_micros();
				let winners = crate::LastClearing::<Test>::get().map(|c| c.winners).unwrap_or(0);
				println!("{bids},{provers},{us},{winners}");
			});
		}
	}
}

// ---- Pruning of closed requests ----

#[test]
fn closed_requests_are_pruned_after_the_retention() {
	test(|| {
		let id = bid(1, ZK, ZK);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), id));
		let closed_at = System::block_number();
		// Readable for `ClosedRetention` (20) blocks.
		run_to(closed_at + 20);
		assert_eq!(state(id), RequestState::Cancelled);
		next_block();
		assert!(Requests::<Test>::get(id).is_none());
		assert!(crate::PruneAt::<Test>::iter().next().is_none());
	});
}

#[test]
fn closed_requests_record_their_closing_block() {
	test(|| {
		let id = bid(1, ZK, ZK);
		assert_eq!(Requests::<Test>::get(id).unwrap().closed_at, None);
		run_to(5);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), id));
		assert_eq!(Requests::<Test>::get(id).unwrap().closed_at, Some(5));
		assert!(crate::PruneAt::<Test>::get(5 + 20 + 1).contains(&id));
	});
}

// ---- Storage migrations ----

#[test]
fn requests_of_storage_version_0_are_migrated_with_their_closing_blocks() {
	use crate::migrations::v1::{MigrateV0ToV1, OldRequestOf};
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	test(|| {
		two_provers();
		run_to(3);
		let cancelled = bid(2, ZK, ZK);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(2), cancelled));
		let open = bid(1, 2 * ZK, 5);
		run_to(7);
		let settled = bid(1, 3 * ZK, 5);
		next_block();
		let RequestState::Assigned { prover, .. } = state(settled) else {
			panic!("the second bid is assigned to the second prover")
		};
		M::begin_verification(settled, &prover).unwrap();
		M::conclude(settled, &prover, Verdict::Valid, &[7u8; 128]);
		assert!(matches!(state(settled), RequestState::Settled { .. }));
		assert!(matches!(state(open), RequestState::Assigned { .. }));
		let now = System::block_number();
		let expected: Vec<_> = Requests::<Test>::iter().collect();
		assert_eq!(Requests::<Test>::get(cancelled).unwrap().closed_at, Some(3));
		assert_eq!(Requests::<Test>::get(settled).unwrap().closed_at, Some(now));
		// Store every request as version 0 did (without `closed_at`).
		for (id, r) in expected.iter() {
			let old: OldRequestOf<Test> = crate::migrations::v1::OldRequest {
				requester: r.requester,
				program: r.program,
				inputs: r.inputs.clone(),
				pricing: r.pricing.clone(),
				escrow: r.escrow,
				submitted_at: r.submitted_at,
				expires_at: r.expires_at,
				state: r.state.clone(),
			};
			frame_support::storage::unhashed::put(&Requests::<Test>::hashed_key_for(id), &old);
		}
		StorageVersion::new(0).put::<Market>();
		assert!(Requests::<Test>::get(open).is_none(), "version-0 values do not decode as 1's");

		#[cfg(feature = "try-runtime")]
		let state = <MigrateV0ToV1<Test> as OnRuntimeUpgrade>::pre_upgrade().unwrap();
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		<MigrateV0ToV1<Test> as OnRuntimeUpgrade>::post_upgrade(state).unwrap();

		assert_eq!(Market::on_chain_storage_version(), 1);
		let mut after: Vec<_> = Requests::<Test>::iter().collect();
		assert!(after.iter().any(|(id, r)| *id == open && r.closed_at.is_none()));
		let mut expected = expected;
		after.sort_by_key(|(id, _)| *id);
		expected.sort_by_key(|(id, _)| *id);
		// (`Request` compares by encoding: its bound type has no `PartialEq`.)
		assert_eq!(after.encode(), expected.encode(), "closing blocks derived from the schedule");
		assert_ok!(Market::do_try_state());
		// Runs once: a second run changes nothing.
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		let mut again: Vec<_> = Requests::<Test>::iter().collect();
		again.sort_by_key(|(id, _)| *id);
		assert_eq!(after.encode(), again.encode());
	});
}

#[test]
fn the_verified_proof_is_kept_with_the_settled_request_and_pruned_with_it() {
	test(|| {
		two_provers();
		let a = bid(1, 10 * ZK, 5);
		let b = bid(2, 9 * ZK, 5);
		next_block();
		M::begin_verification(a, &11).unwrap();
		M::begin_verification(b, &12).unwrap();
		// A rejected proof is not kept; a valid one is, byte for byte.
		M::conclude(b, &12, Verdict::Invalid, &[9u8; 128]);
		assert!(crate::Proofs::<Test>::get(b).is_none());
		M::conclude(a, &11, Verdict::Valid, &[7u8; 128]);
		assert_eq!(crate::Proofs::<Test>::get(a).unwrap().into_inner(), vec![7u8; 128]);
		// A verdict for a request that is no longer awaiting one changes nothing.
		M::conclude(a, &11, Verdict::Valid, &[8u8; 128]);
		assert_eq!(crate::Proofs::<Test>::get(a).unwrap().into_inner(), vec![7u8; 128]);
		let settled_at = System::block_number();
		run_to(settled_at + 20);
		assert!(crate::Proofs::<Test>::get(a).is_some());
		next_block();
		assert!(Requests::<Test>::get(a).is_none());
		assert!(crate::Proofs::<Test>::get(a).is_none());
	});
}

/// Attack (issue 28, item 7): cancellations filling the pruning block of a
/// settled request must not delete its kept proof early. The settled proof
/// stays readable for the full `ClosedRetention`; the overflow is pruned later.
#[test]
fn a_full_pruning_block_never_prunes_a_kept_proof_early() {
	test(|| {
		two_provers();
		PrunePerBlock::set(2);
		let a = bid(1, 10 * ZK, 5);
		let b = bid(2, 9 * ZK, 5);
		next_block();
		// Two cheap bids cancelled, filling the pruning block of this block...
		let x = bid(3, ZK, ZK);
		let y = bid(4, ZK, ZK);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(3), x));
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(4), y));
		// ...then two requests settle in the same block.
		M::begin_verification(a, &11).unwrap();
		M::begin_verification(b, &12).unwrap();
		M::conclude(a, &11, Verdict::Valid, &[7u8; 128]);
		M::conclude(b, &12, Verdict::Valid, &[6u8; 128]);
		assert!(!events().iter().any(|e| matches!(e, Event::RequestPruned { .. })));
		let closed = System::block_number();
		// Readable for the whole retention (20 blocks in the mock)...
		run_to(closed + 20);
		for id in [a, b] {
			assert!(crate::Proofs::<Test>::get(id).is_some());
			assert!(Requests::<Test>::get(id).is_some());
		}
		// ...the cancelled ones go first, the settled ones a block later.
		next_block();
		assert!(Requests::<Test>::get(x).is_none() && Requests::<Test>::get(y).is_none());
		assert!(crate::Proofs::<Test>::get(a).is_some() && crate::Proofs::<Test>::get(b).is_some());
		next_block();
		for id in [a, b] {
			assert!(crate::Proofs::<Test>::get(id).is_none());
			assert!(Requests::<Test>::get(id).is_none());
		}
		assert_ok!(Market::do_try_state());
		PrunePerBlock::set(64);
	});
}

#[test]
fn a_full_pruning_block_passes_closings_to_the_next() {
	test(|| {
		PrunePerBlock::set(1);
		let a = bid(1, ZK, ZK);
		let b = bid(2, ZK, ZK);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(1), a));
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(2), b));
		assert_eq!(state(a), RequestState::Cancelled);
		assert_eq!(state(b), RequestState::Cancelled);
		let at = System::block_number() + 21;
		assert_eq!(crate::PruneAt::<Test>::get(at).into_inner(), vec![a]);
		assert_eq!(crate::PruneAt::<Test>::get(at + 1).into_inner(), vec![b]);
		// Later closings keep the order: never before what is already scheduled.
		let c = bid(3, ZK, ZK);
		assert_ok!(Market::cancel_request(RuntimeOrigin::signed(3), c));
		assert_eq!(crate::PruneAt::<Test>::get(at + 2).into_inner(), vec![c]);
		// Both requesters were refunded in full either way.
		assert_eq!(escrow_held(1) + escrow_held(2), 0);
		PrunePerBlock::set(64);
	});
}

/// The obligations the runtime's priority bands rank above any tip: an
/// assignment until its deadline (inclusive) and a lock until its lock
/// deadline, each only for the prover holding it.
#[test]
fn live_obligations_are_the_holders_until_their_deadlines() {
	test(|| {
		two_provers();
		let a = bid(1, 10 * ZK, 5);
		assert!(!Market::holds_obligation(a, &11), "a queued bid is nobody's obligation");
		next_block();
		let RequestState::Assigned { prover, deadline, .. } = state(a) else { panic!() };
		let other = if prover == 11 { 12 } else { 11 };
		assert!(Market::holds_obligation(a, &prover) && Market::holds_assignment(a, &prover));
		assert!(!Market::holds_obligation(a, &other) && !Market::holds_assignment(a, &other));
		System::set_block_number(deadline);
		assert!(Market::holds_obligation(a, &prover), "the deadline block counts");
		System::set_block_number(deadline + 1);
		assert!(!Market::holds_obligation(a, &prover) && !Market::holds_assignment(a, &prover));
		assert!(!Market::holds_obligation(99, &prover), "unknown request");

		register(13, 40 * ZK);
		set_time(990);
		let o = submit_offer(1, offer_at(1000, 2 * ZK));
		set_time(1010);
		assert_ok!(Market::lock_request(RuntimeOrigin::signed(13), o));
		assert!(Market::holds_obligation(o, &13) && !Market::holds_obligation(o, &12));
		assert!(!Market::holds_assignment(o, &13), "a lock is not an assignment to decline");
		set_time(1100);
		assert!(Market::holds_obligation(o, &13), "the lock deadline counts");
		set_time(1101);
		assert!(!Market::holds_obligation(o, &13));
	});
}
