//! Runtime integration tests: the real pallets wired as in the runtime, from the
//! `development` genesis preset, through a whole market flow with real proofs.
mod common;
use codec::Encode;
use common::preset_ext;
use frame_support::{
	assert_ok,
	traits::{fungible::Inspect, Hooks},
	BoundedVec,
};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use zkmarket_demo_circuit as demo;
use zkmarket_primitives::traits::BaseFeeOracle;
use zkmarket_runtime::{
	configs::TreasuryAccount, AccountId, Balances, BaseFee, Market, Provers, Runtime,
	RuntimeOrigin, System, Verifier, TOTAL_ISSUANCE, ZK,
};

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

fn check_invariants() {
	pallet_provers::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_market::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_base_fee::Pallet::<Runtime>::do_try_state().unwrap();
	pallet_verifier::Pallet::<Runtime>::do_try_state().unwrap();
}

fn next_block() {
	let n = System::block_number();
	Market::on_finalize(n);
	check_invariants();
	System::set_block_number(n + 1);
	pallet_timestamp::Now::<Runtime>::mutate(|t| *t += 2_000);
	Provers::on_initialize(n + 1);
	Market::on_initialize(n + 1);
	Verifier::on_initialize(n + 1);
}

#[test]
fn every_preset_mints_exactly_21_billion_zk() {
	for name in ["development", "local_testnet"] {
		preset_ext(name).execute_with(|| {
			assert_eq!(Balances::total_issuance(), 21_000_000_000 * ZK);
			assert_eq!(TOTAL_ISSUANCE, 21_000_000_000 * ZK);
			assert!(Balances::balance(&TreasuryAccount::get()) > 20_000_000_000 * ZK);
		});
	}
}

#[test]
fn presets_set_block_time_and_verifiers() {
	preset_ext("development").execute_with(|| {
		assert_eq!(zkmarket_runtime::block_time::BlockTimeMillis::<Runtime>::get(), 2_000);
		assert_eq!(pallet_verifier::Verifiers::<Runtime>::get().len(), 1);
		assert_eq!(pallet_verifier::VerdictThreshold::<Runtime>::get(), 1);
		assert_eq!(pallet_provers::Pallet::<Runtime>::idle_period(), 30);
	});
	preset_ext("local_testnet").execute_with(|| {
		assert_eq!(zkmarket_runtime::block_time::BlockTimeMillis::<Runtime>::get(), 6_000);
		assert_eq!(pallet_verifier::Verifiers::<Runtime>::get().len(), 3);
		assert_eq!(pallet_verifier::VerdictThreshold::<Runtime>::get(), 2);
		assert_eq!(pallet_provers::Pallet::<Runtime>::idle_period(), 14_400);
	});
}

/// Signs a verdict batch with a dev verifier key.
fn verdicts(
	seed: &str,
	v: Vec<(u64, bool)>,
) -> (pallet_verifier::BatchOf<Runtime>, pallet_verifier::VerifierSignature) {
	let pair = sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap();
	let batch = pallet_verifier::VerdictBatch {
		verifier: pair.public().into(),
		block: System::block_number(),
		verdicts: v
			.into_iter()
			.map(|(id, valid)| {
				let hash = pallet_verifier::Pending::<Runtime>::get(id)
					.map(|p| Verifier::content_hash(&p))
					.unwrap_or_default();
				(id, hash, valid)
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	};
	let sig = pair.sign(&Verifier::signed_payload(&batch));
	(batch, sig.into())
}

#[test]
fn auction_flow_with_real_proofs_settles_and_slashes() {
	preset_ext("development").execute_with(|| {
		let issuance = Balances::total_issuance();
		let (bob, charlie, dave, eve) = (
			account(Sr25519Keyring::Bob),
			account(Sr25519Keyring::Charlie),
			account(Sr25519Keyring::Dave),
			account(Sr25519Keyring::Eve),
		);
		// Provers.
		assert_ok!(Provers::register(RuntimeOrigin::signed(bob.clone()), 100 * ZK));
		assert_ok!(Provers::register(RuntimeOrigin::signed(charlie.clone()), 50 * ZK));
		assert_eq!(
			Provers::register(RuntimeOrigin::signed(eve.clone()), 31 * ZK),
			Err(pallet_provers::Error::<Runtime>::StakeBelowMinimum.into())
		);
		// The demo program.
		let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
		assert_ok!(Verifier::register_program(RuntimeOrigin::signed(dave.clone()), vk));
		let program = demo::program_id();
		// Bob and Charlie serve the demo program (issue 27: undeclared provers
		// get no auction work).
		for who in [&bob, &charlie] {
			assert_ok!(Provers::set_capabilities(
				RuntimeOrigin::signed(who.clone()),
				vec![program].try_into().unwrap(),
				Default::default(),
				zkmarket_runtime::configs::MAX_JOBS_PER_PROVER,
			));
		}
		// Two bids.
		let y: BoundedVec<[u8; 32], _> = vec![demo::fr_bytes(demo::output(3))].try_into().unwrap();
		let fee = BaseFee::base_fee();
		for (bid, who) in [(5 * ZK, &dave), (2 * ZK, &eve)] {
			assert_ok!(Market::submit_request(
				RuntimeOrigin::signed(who.clone()),
				program,
				y.clone(),
				pallet_market::Pricing::Auction { bid, max_base_fee: ZK },
				100,
			));
		}
		next_block();
		// GSP: the 5 ZK bid pays 2 ZK + BaseFee and gets Bob (more stake); the
		// 2 ZK bid pays the BaseFee and gets Charlie.
		let state = |id| pallet_market::Requests::<Runtime>::get(id).unwrap().state;
		assert_eq!(
			state(0),
			pallet_market::RequestState::Assigned {
				prover: bob.clone(),
				price: 2 * ZK + fee,
				deadline: 51
			}
		);
		assert_eq!(
			state(1),
			pallet_market::RequestState::Assigned {
				prover: charlie.clone(),
				price: fee,
				deadline: 51
			}
		);
		// Bob proves for real; Charlie submits a proof made for Bob's request (a copy).
		let good = demo::prove(3, 0, &bob.encode(), 1);
		assert_ok!(Verifier::submit_proof(
			RuntimeOrigin::signed(bob.clone()),
			0,
			good.try_into().unwrap()
		));
		let copied = demo::prove(3, 0, &bob.encode(), 2);
		assert_ok!(Verifier::submit_proof(
			RuntimeOrigin::signed(charlie.clone()),
			1,
			copied.try_into().unwrap()
		));
		// What the off-chain worker computes, natively.
		let p0 = pallet_verifier::Pending::<Runtime>::get(0).unwrap();
		let p1 = pallet_verifier::Pending::<Runtime>::get(1).unwrap();
		let v0 = Verifier::verify_pending(&p0);
		let v1 = Verifier::verify_pending(&p1);
		assert!(v0 && !v1);
		// Only a verifier's signed verdict counts.
		let (b, s) = verdicts("Bob", vec![(0, true)]);
		assert!(Verifier::submit_verdicts(RuntimeOrigin::none(), b, s).is_err());
		let (b, s) = verdicts("Alice", vec![(0, v0), (1, v1)]);
		assert_ok!(Verifier::submit_verdicts(RuntimeOrigin::none(), b, s));
		// Bob's stake grew by the price; Charlie was slashed 10% and the request re-queued.
		let stake = |who: &AccountId| pallet_provers::Provers::<Runtime>::get(who).unwrap().stake;
		assert_eq!(stake(&bob), 100 * ZK + 2 * ZK + fee);
		assert_eq!(stake(&charlie), 45 * ZK);
		assert_eq!(
			state(0),
			pallet_market::RequestState::Settled { prover: bob.clone(), paid: 2 * ZK + fee }
		);
		assert_eq!(state(1), pallet_market::RequestState::Queued);
		// Nothing created or lost: fees are not charged in this direct-call test.
		assert_eq!(Balances::total_issuance(), issuance);
		next_block();
		check_invariants();
	});
}
