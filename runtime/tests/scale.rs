//! Runtime integration tests at the registry's scale: 10,000 provers, paused
//! provers that hold the minimum stake, and the clearing's slot dealing.
mod common;
use common::preset_ext;
use frame_support::{assert_ok, traits::Hooks, BoundedVec};
use sp_keyring::Sr25519Keyring;
use zkmarket_demo_circuit as demo;
use zkmarket_primitives::traits::ProverRegistry;
use zkmarket_runtime::{
	configs::MAX_PROVERS, AccountId, Balances, Market, Provers, Runtime, RuntimeOrigin, System,
	Verifier, ZK,
};

fn numbered(i: u32) -> AccountId {
	let mut raw = [0u8; 32];
	raw[..4].copy_from_slice(&i.to_be_bytes());
	raw[31] = 0xaa;
	AccountId::new(raw)
}

fn fund(who: &AccountId, amount: u128) {
	use frame_support::traits::fungible::Mutate;
	Balances::set_balance(who, amount);
}

fn next_block() {
	let n = System::block_number();
	Market::on_finalize(n);
	System::set_block_number(n + 1);
	pallet_timestamp::Now::<Runtime>::mutate(|t| *t += 6_000);
	Provers::on_initialize(n + 1);
	Market::on_initialize(n + 1);
	Verifier::on_initialize(n + 1);
}

#[test]
fn paused_provers_at_the_minimum_do_not_keep_an_eligible_prover_from_work() {
	preset_ext("development").execute_with(|| {
		for i in 0..1_000 {
			let who = numbered(i);
			fund(&who, 40 * ZK);
			assert_ok!(Provers::register(RuntimeOrigin::signed(who.clone()), 32 * ZK));
			assert_ok!(Provers::pause(RuntimeOrigin::signed(who)));
		}
		// None of them is in the slot index: the clearing never reads them.
		assert_eq!(pallet_provers::SlotIndex::<Runtime>::iter_keys().count(), 0);
		// An eligible prover registers and gets the next auction's work.
		let prover = Sr25519Keyring::Bob.to_account_id();
		assert_ok!(Provers::register(RuntimeOrigin::signed(prover.clone()), 32 * ZK));
		assert_ok!(Provers::set_capabilities(
			RuntimeOrigin::signed(prover.clone()),
			vec![demo::program_id()].try_into().unwrap(),
			Default::default(),
			1,
		));
		let dave = Sr25519Keyring::Dave.to_account_id();
		let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
		assert_ok!(Verifier::register_program(RuntimeOrigin::signed(dave.clone()), vk));
		let y: BoundedVec<[u8; 32], _> = vec![demo::fr_bytes(demo::output(3))].try_into().unwrap();
		assert_ok!(Market::submit_request(
			RuntimeOrigin::signed(dave),
			demo::program_id(),
			y,
			pallet_market::Pricing::Auction { bid: ZK, max_base_fee: ZK },
			100,
		));
		next_block();
		assert!(matches!(
			pallet_market::Requests::<Runtime>::get(0).unwrap().state,
			pallet_market::RequestState::Assigned { prover: p, .. } if p == prover
		));
		pallet_provers::Pallet::<Runtime>::do_try_state().unwrap();
	});
}

#[test]
fn ten_thousand_provers_register_and_the_best_get_the_slots() {
	preset_ext("development").execute_with(|| {
		const { assert!(MAX_PROVERS >= 10_000) };
		for i in 0..MAX_PROVERS {
			let who = numbered(i);
			fund(&who, 100 * ZK);
			// Stakes 32..=63 ZK: every 32nd prover has the most.
			assert_ok!(Provers::register(RuntimeOrigin::signed(who), (32 + (i % 32) as u128) * ZK));
		}
		let late = numbered(MAX_PROVERS);
		fund(&late, 100 * ZK);
		assert_eq!(
			Provers::register(RuntimeOrigin::signed(late), 32 * ZK),
			Err(pallet_provers::Error::<Runtime>::TooManyProvers.into())
		);
		// The 64 slots go to 64 of the provers with 63 ZK, in account order.
		let slots = <Provers as ProverRegistry<_, _>>::auction_slots(64);
		let best: Vec<AccountId> =
			(0..MAX_PROVERS).filter(|i| i % 32 == 31).map(numbered).collect();
		assert_eq!(slots, best[..64].to_vec());
		pallet_provers::Pallet::<Runtime>::do_try_state().unwrap();
	});
}

/// The capability clearing at the bounds of issue 27: 10,000 provers, each
/// declaring 16 of 64 programs, 2,048 queued bids over the 64 programs. Every
/// assignment goes to a prover that declared the bid's program, 64 are dealt,
/// and the best bids win. Prints the clearing's native time (a measurement for
/// docs/performance.md, not an assertion).
#[test]
fn capability_clearing_at_the_bounds() {
	use std::time::Instant;
	preset_ext("development").execute_with(|| {
		let dave = Sr25519Keyring::Dave.to_account_id();
		let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
		assert_ok!(Verifier::register_program(RuntimeOrigin::signed(dave.clone()), vk));
		// The demo key under 64 ids (the clearing reads a program's kind and
		// input count only).
		let info = pallet_verifier::Programs::<Runtime>::get(demo::program_id()).unwrap();
		let programs: Vec<[u8; 32]> = (0..64u32)
			.map(|i| {
				let mut id = demo::program_id();
				if i > 0 {
					id[..4].copy_from_slice(&i.to_le_bytes());
					pallet_verifier::Programs::<Runtime>::insert(id, info.clone());
				}
				id
			})
			.collect();
		for i in 0..MAX_PROVERS {
			let who = numbered(i);
			fund(&who, 100 * ZK);
			assert_ok!(Provers::register(
				RuntimeOrigin::signed(who.clone()),
				(32 + (i % 32) as u128) * ZK
			));
			let serves: Vec<[u8; 32]> =
				(0..16).map(|k| programs[((i + k) % 64) as usize]).collect();
			assert_ok!(Provers::set_capabilities(
				RuntimeOrigin::signed(who),
				serves.try_into().unwrap(),
				Default::default(),
				4,
			));
		}
		let y: BoundedVec<[u8; 32], _> = vec![demo::fr_bytes(demo::output(3))].try_into().unwrap();
		for b in 0..2_048u32 {
			let who = numbered(100_000 + b);
			fund(&who, 10 * ZK);
			assert_ok!(Market::submit_request(
				RuntimeOrigin::signed(who),
				programs[(b % 64) as usize],
				y.clone(),
				pallet_market::Pricing::Auction {
					bid: ZK + (b as u128 * 7919 % 2_048),
					max_base_fee: ZK
				},
				100,
			));
		}
		let started = Instant::now();
		Market::on_finalize(System::block_number());
		let took = started.elapsed();
		let mut assigned = 0;
		for (id, r) in pallet_market::Requests::<Runtime>::iter() {
			if let pallet_market::RequestState::Assigned { prover, .. } = r.state {
				assigned += 1;
				let caps = pallet_provers::Capabilities::<Runtime>::get(&prover).unwrap();
				assert!(
					caps.programs.contains(&r.program),
					"request {id} dealt to a prover not serving it"
				);
			}
		}
		assert_eq!(assigned, 64);
		let summary = pallet_market::LastClearing::<Runtime>::get().unwrap();
		assert_eq!((summary.demand, summary.capacity, summary.winners), (2_048, 64, 64));
		println!("capability clearing: 2,048 bids, 64 programs, 10,000 provers: {took:?} natively");
		pallet_provers::Pallet::<Runtime>::do_try_state().unwrap();
		pallet_market::Pallet::<Runtime>::do_try_state().unwrap();
	});
}
