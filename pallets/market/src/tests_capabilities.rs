//! Capabilities and declines (issue 27): provers are dealt only what they
//! declared, never a request they declined or missed, and declines cost the
//! side that causes them. Each test performs the attack it defends against.
use crate::{
	mock::*, tests::*, AuctionQueue, Event, ExclusionReason, Pricing, RequestExclusions,
	RequestState,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, Mutate},
};
use zkmarket_primitives::traits::{ProofMarket, RequestId, Verdict};

type M = crate::Pallet<Test>;

const A: [u8; 32] = [1u8; 32];
const B: [u8; 32] = [2u8; 32];
const C: [u8; 32] = [3u8; 32];

/// Registers `who` serving exactly `programs` with `jobs` jobs at once.
fn prover_serving(who: AccountId, programs: &[[u8; 32]], jobs: u32) {
	assert_ok!(Provers::register(RuntimeOrigin::signed(who), 40 * ZK));
	assert_ok!(Provers::set_capabilities(
		RuntimeOrigin::signed(who),
		programs.to_vec().try_into().unwrap(),
		Default::default(),
		jobs,
	));
}

/// A bid of `who` for `program` (taking `program[0] % 100` inputs) accepting a
/// BaseFee up to 100, expiring in 50 blocks.
fn bid_for(who: AccountId, program: [u8; 32], bid: Balance) -> RequestId {
	let id = crate::NextRequestId::<Test>::get();
	assert_ok!(Market::submit_request(
		RuntimeOrigin::signed(who),
		program,
		inputs((program[0] % 100) as usize),
		Pricing::Auction { bid, max_base_fee: 100 },
		System::block_number() + 50,
	));
	id
}

fn assigned_to(id: RequestId) -> Option<AccountId> {
	match state(id) {
		RequestState::Assigned { prover, .. } => Some(prover),
		_ => None,
	}
}

fn info(who: AccountId) -> pallet_provers::ProverInfoOf<Test> {
	pallet_provers::Provers::<Test>::get(who).unwrap()
}

fn base_fee() -> Balance {
	pallet_base_fee::BaseFee::<Test>::get()
}

#[test]
fn bids_are_dealt_only_to_provers_that_declared_their_program() {
	test(|| {
		JobsPerProver::set(4);
		// 11 (best: more stake) serves A only; 12 serves B only.
		assert_ok!(Provers::register(RuntimeOrigin::signed(11), 50 * ZK));
		assert_ok!(Provers::set_capabilities(
			RuntimeOrigin::signed(11),
			vec![A].try_into().unwrap(),
			Default::default(),
			4
		));
		prover_serving(12, &[B], 4);
		// A prover that declared nothing gets no auction work at all.
		assert_ok!(Provers::register(RuntimeOrigin::signed(13), 90 * ZK));
		let b1 = bid_for(1, B, 30);
		let a1 = bid_for(2, A, 20);
		let b2 = bid_for(3, B, 10);
		next_block();
		assert_eq!(assigned_to(b1), Some(12));
		assert_eq!(assigned_to(a1), Some(11));
		assert_eq!(assigned_to(b2), Some(12));
		// GSP over the served bids: 30 pays 20 + 5, 20 pays 10 + 5, 10 pays 5.
		let price = |id| match state(id) {
			RequestState::Assigned { price, .. } => price,
			_ => 0,
		};
		assert_eq!((price(b1), price(a1), price(b2)), (25, 15, 5));
		assert_eq!(info(13).active_jobs, 0);
		assert!(events().contains(&Event::AuctionCleared {
			base_fee: 5,
			demand: 3,
			capacity: 4,
			winners: 3
		}));
	});
}

/// Attack (c): a request for a program nobody serves, with the top bid.
#[test]
fn a_bid_nobody_serves_is_never_assigned_moves_no_fee_and_is_refunded_at_expiry() {
	test(|| {
		prover_serving(11, &[A], 1);
		let junk = bid_for(1, C, 1_000);
		let honest = bid_for(2, A, 1);
		next_block();
		assert_eq!(assigned_to(honest), Some(11));
		// The honest winner's price is not set by the unserved bid above it.
		assert!(matches!(state(honest), RequestState::Assigned { price: 5, .. }));
		// Demand is the one served bid: one of one slot, below nothing.
		assert!(events().contains(&Event::AuctionCleared {
			base_fee: 5,
			demand: 1,
			capacity: 1,
			winners: 1
		}));
		// Alone in the queue, block after block: never assigned, the BaseFee only falls.
		let fee = base_fee();
		for _ in 0..10 {
			next_block();
			assert_eq!(state(junk), RequestState::Queued);
		}
		assert!(base_fee() <= fee);
		let free = Balances::free_balance(1);
		run_to(52);
		assert_eq!(state(junk), RequestState::Expired);
		assert_eq!(Balances::free_balance(1), free + 1_100);
	});
}

#[test]
fn declared_max_jobs_bounds_the_dealing() {
	test(|| {
		JobsPerProver::set(2);
		prover_serving(11, &[A], 1);
		let a = bid_for(1, A, 10);
		let b = bid_for(2, A, 9);
		next_block();
		assert_eq!(assigned_to(a), Some(11));
		assert_eq!(state(b), RequestState::Queued);
		// A larger limit than the runtime's, or none, is refused.
		assert_noop!(
			Provers::set_capabilities(
				RuntimeOrigin::signed(11),
				vec![A].try_into().unwrap(),
				Default::default(),
				3
			),
			pallet_provers::Error::<Test>::InvalidMaxJobs
		);
		assert_ok!(Provers::set_capabilities(
			RuntimeOrigin::signed(11),
			vec![A].try_into().unwrap(),
			Default::default(),
			2
		));
		next_block();
		assert_eq!(assigned_to(b), Some(11));
	});
}

/// Attack: requests nobody can prove, with the top bids, are declined and
/// dealt again every block. Now each decliner is never dealt them again,
/// each decline costs the requester the BaseFee, and the third closes them.
#[test]
fn declined_requests_are_never_dealt_again_and_close_after_three_declines() {
	test(|| {
		for who in [11, 12, 13, 14] {
			prover_serving(who, &[A], 1);
		}
		let junk = bid_for(1, A, 100);
		let treasury = Balances::free_balance(TREASURY);
		let mut decliners = Vec::new();
		let mut fees = 0;
		for round in 0..3 {
			next_block();
			let who = assigned_to(junk).expect("dealt");
			assert!(!decliners.contains(&who), "dealt again to {who}");
			fees += base_fee();
			assert_ok!(Market::decline_assignment(RuntimeOrigin::signed(who), junk));
			decliners.push(who);
			if round < 2 {
				assert_eq!(state(junk), RequestState::Queued);
				assert_eq!(M::exclusions(junk).declines, round + 1);
			}
		}
		// Closed as unprovable, the rest refunded; the fees went to the treasury.
		assert_eq!(state(junk), RequestState::Expired);
		assert!(RequestExclusions::<Test>::get(junk).is_none());
		assert!(AuctionQueue::<Test>::get().is_empty());
		assert!(events().iter().any(|e| matches!(
			e,
			Event::ClosedUnprovable { id, declines: 3, .. } if *id == junk
		)));
		assert_eq!(Balances::free_balance(TREASURY), treasury + fees);
		assert_eq!(escrow_held(1), 0);
		assert_eq!(Balances::free_balance(1), 1000 * ZK - fees);
		// No decliner lost anything.
		for who in decliners {
			assert_eq!(info(who).stake, 40 * ZK);
			assert_eq!(info(who).failures, 0);
		}
	});
}

/// Attack (b): the top-ranked prover declines in its deadline block to get
/// the request dealt back to itself with a fresh deadline. It is not dealt it
/// again, and ends exactly as a prover that missed the deadline.
#[test]
fn a_decline_in_the_deadline_block_is_not_better_than_a_miss() {
	test(|| {
		prover_serving(11, &[A], 1);
		prover_serving(12, &[A], 1);
		let a = bid_for(1, A, 10);
		let b = bid_for(2, A, 9);
		next_block();
		let RequestState::Assigned { deadline, .. } = state(a) else { panic!("assigned") };
		assert_eq!((assigned_to(a), assigned_to(b)), (Some(11), Some(12)));
		run_to(deadline);
		// 11 declines in its deadline block; 12 just misses.
		assert_ok!(Market::decline_assignment(RuntimeOrigin::signed(11), a));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::DeclineCharged { prover: 11, retry_fee: 0, slashed, .. } if *slashed > 0
		)));
		next_block();
		// 12's miss is applied at deadline + 1.
		let (p11, p12) = (info(11), info(12));
		assert_eq!(p11.stake, p12.stake);
		assert_eq!(p11.reputation, p12.reputation);
		assert_eq!(p11.failures, 1);
		assert_eq!(p12.failures, 1);
		// Neither is dealt its own request again: they swap.
		next_block();
		assert_eq!((assigned_to(a), assigned_to(b)), (Some(12), Some(11)));
		assert_eq!(M::exclusions(a).provers.to_vec(), vec![(11, ExclusionReason::DeclinedLate)]);
		assert_eq!(M::exclusions(b).provers.to_vec(), vec![(12, ExclusionReason::Missed)]);
	});
}

#[test]
fn a_decline_is_free_only_in_the_first_part_of_the_window() {
	test(|| {
		prover_serving(11, &[A], 1);
		let a = bid_for(1, A, 10);
		next_block();
		let RequestState::Assigned { deadline, .. } = state(a) else { panic!("assigned") };
		let assigned_at = deadline - DEADLINE;
		// The last free block.
		run_to(assigned_at + FREE_DECLINE);
		let stake = info(11).stake;
		let free = Market::decline_assignment(RuntimeOrigin::signed(11), a).unwrap();
		// No transaction fee either.
		assert_eq!(free.pays_fee, frame_support::dispatch::Pays::No);
		assert_eq!(info(11).stake, stake);
		// A second prover, declining one block later in its own window, is slashed.
		prover_serving(12, &[A], 1);
		next_block();
		assert_eq!(assigned_to(a), Some(12));
		let RequestState::Assigned { deadline, .. } = state(a) else { panic!("assigned") };
		run_to(deadline - DEADLINE + FREE_DECLINE + 1);
		let stake = info(12).stake;
		let late = Market::decline_assignment(RuntimeOrigin::signed(12), a).unwrap();
		assert_eq!(late.pays_fee, frame_support::dispatch::Pays::Yes);
		assert_eq!(info(12).stake, stake - stake / 20);
		assert_eq!(info(12).failures, 1);
	});
}

#[test]
fn a_prover_that_missed_is_not_dealt_the_request_again() {
	test(|| {
		prover_serving(11, &[A], 1);
		let a = bid_for(1, A, 10);
		next_block();
		let RequestState::Assigned { deadline, .. } = state(a) else { panic!("assigned") };
		run_to(deadline + 1);
		assert_eq!(info(11).failures, 1);
		for _ in 0..3 {
			next_block();
			assert_eq!(state(a), RequestState::Queued);
		}
		// A miss does not count as a decline.
		assert_eq!(M::exclusions(a).declines, 0);
		prover_serving(12, &[A], 1);
		next_block();
		assert_eq!(assigned_to(a), Some(12));
	});
}

/// A prover declining work it could do, to hurt a requester, loses
/// reputation once another prover proves the request.
#[test]
fn declining_a_provable_request_costs_reputation_when_another_proves_it() {
	test(|| {
		prover_serving(11, &[A], 1);
		prover_serving(12, &[A], 1);
		let a = bid_for(1, A, 10);
		next_block();
		assert_eq!(assigned_to(a), Some(11));
		assert_ok!(Market::decline_assignment(RuntimeOrigin::signed(11), a));
		let before = info(11).reputation;
		next_block();
		assert_eq!(assigned_to(a), Some(12));
		assert_ok!(M::begin_verification(a, &12));
		M::conclude(a, &12, Verdict::Valid, &[]);
		assert!(matches!(state(a), RequestState::Settled { prover: 12, .. }));
		assert!(info(11).reputation < before);
		assert!(events().contains(&Event::DeclineDisproved { id: a, prover: 11 }));
		assert!(RequestExclusions::<Test>::get(a).is_none());
	});
}

/// Attack (a), on the mock: the attacker's unprovable top bids against two
/// provers with four slots in all. Honest lower bids are dealt within a few
/// blocks, and every slot the attacker held cost it the BaseFee.
#[test]
fn unprovable_top_bids_cannot_hold_the_auction() {
	test(|| {
		JobsPerProver::set(2);
		prover_serving(11, &[A], 2);
		prover_serving(12, &[A], 2);
		Balances::set_balance(&1, 1000 * ZK);
		let junk: Vec<RequestId> = (0..6).map(|_| bid_for(1, A, 1_000)).collect();
		let paid_before = Balances::total_balance(&1);
		next_block();
		next_block();
		let honest: Vec<RequestId> = (0..2).map(|i| bid_for(2 + i, A, 1)).collect();
		let mut slots_taken = 0u32;
		let mut blocks = 0;
		while honest.iter().any(|h| assigned_to(*h).is_none()) {
			// The provers decline every junk request dealt to them.
			for id in junk.iter() {
				if let Some(who) = assigned_to(*id) {
					slots_taken += 1;
					assert_ok!(Market::decline_assignment(RuntimeOrigin::signed(who), *id));
				}
			}
			next_block();
			blocks += 1;
			assert!(blocks <= 4, "honest bids still waiting after {blocks} blocks");
		}
		let paid = paid_before - Balances::total_balance(&1);
		assert!(slots_taken > 0);
		// Each slot held cost at least the (lowest) BaseFee.
		assert!(paid >= slots_taken as u128 * 5, "paid {paid} for {slots_taken} slots");
	});
}

#[test]
fn capability_declarations_are_checked() {
	test(|| {
		let no = |programs: Vec<[u8; 32]>, kinds: Vec<u8>, jobs: u32| {
			Provers::set_capabilities(
				RuntimeOrigin::signed(11),
				programs.try_into().unwrap(),
				kinds.try_into().unwrap(),
				jobs,
			)
		};
		assert_noop!(no(vec![A], vec![], 1), pallet_provers::Error::<Test>::NotRegistered);
		assert_ok!(Provers::register(RuntimeOrigin::signed(11), 40 * ZK));
		assert_noop!(no(vec![A, A], vec![], 1), pallet_provers::Error::<Test>::DuplicateCapability);
		assert_noop!(
			no(vec![A], vec![3, 3], 1),
			pallet_provers::Error::<Test>::DuplicateCapability
		);
		assert_noop!(no(vec![A], vec![], 0), pallet_provers::Error::<Test>::InvalidMaxJobs);
		assert_ok!(no(vec![B, A], vec![UNBOUND_KIND], 1));
		let caps = pallet_provers::Capabilities::<Test>::get(11).unwrap();
		assert_eq!(caps.programs.to_vec(), vec![A, B]);
		// A kind declared whole serves every program of it.
		let u = bid_for(1, unbound_program(1), 10);
		next_block();
		assert_eq!(assigned_to(u), Some(11));
	});
}

/// Bids that wait only because every prover serving them is busy are demand:
/// the BaseFee rises while the capable provers are full (and not while bids
/// wait for nobody).
#[test]
fn bids_waiting_for_busy_provers_raise_the_base_fee() {
	test(|| {
		prover_serving(11, &[A], 1);
		let a = bid_for(1, A, 10);
		let b = bid_for(2, A, 9);
		let c = bid_for(3, A, 8);
		next_block();
		assert_eq!(assigned_to(a), Some(11));
		let fee = base_fee();
		next_block();
		// 11 holds its one job: b and c wait for it, with no free slot.
		assert_eq!((state(b), state(c)), (RequestState::Queued, RequestState::Queued));
		assert!(events().contains(&Event::AuctionCleared {
			base_fee: fee,
			demand: 2,
			capacity: 0,
			winners: 0
		}));
		assert!(base_fee() > fee);
		// Excluded from the only (busy) prover: no longer demand.
		crate::RequestExclusions::<Test>::insert(
			b,
			crate::Exclusions {
				provers: vec![(11, ExclusionReason::Missed)].try_into().unwrap(),
				declines: 0,
			},
		);
		let fee = base_fee();
		next_block();
		assert!(events().contains(&Event::AuctionCleared {
			base_fee: fee,
			demand: 1,
			capacity: 0,
			winners: 0
		}));
	});
}
