//! Tests of the verifier pallet with REAL Groth16 proofs of the demo circuit.
use crate::{
	mock::*, Error, Event, Pending, ProgramKind, Programs, ProofsByBlock, VerdictBatch,
	VerdictThreshold, VerifierSignature,
};
use codec::{Decode, Encode};
use frame_support::{assert_noop, assert_ok, traits::Hooks, BoundedVec};
use sp_core::{sr25519, Pair};
use sp_runtime::{
	traits::ValidateUnsigned,
	transaction_validity::{InvalidTransaction, TransactionSource},
	DispatchError,
};
use zkmarket_primitives::traits::Verdict;
use zkmarket_demo_circuit as demo;

type V = crate::Pallet<Test>;

fn program() -> [u8; 32] {
	let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
	assert_ok!(Verifier::register_program(RuntimeOrigin::signed(1), vk));
	demo::program_id()
}

/// A proof of `x` made for `request` and account `made_for`, submitted by `submitter`.
fn submit(request: u64, x: u64, made_for: u64, submitter: u64) -> u64 {
	let id = crate::NextProofId::<Test>::get();
	open_request(request, submitter, demo::program_id(), vec![demo::fr_bytes(demo::output(x))]);
	let proof = demo::prove(x, request, &made_for.encode(), 7);
	assert_ok!(Verifier::submit_proof(
		RuntimeOrigin::signed(submitter),
		request,
		proof.try_into().unwrap()
	));
	id
}

fn batch(seed: &str, verdicts: Vec<(u64, bool)>) -> (crate::BatchOf<Test>, VerifierSignature) {
	let (pair, id) = verifier(seed);
	let b = VerdictBatch {
		verifier: id,
		block: System::block_number(),
		verdicts: verdicts
			.into_iter()
			.map(|(id, valid)| {
				let hash = crate::Pending::<Test>::get(id)
					.map(|p| Verifier::content_hash(&p))
					.unwrap_or_default();
				(id, hash, valid)
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	};
	let sig: sr25519::Signature = pair.sign(&Verifier::signed_payload(&b));
	(b, sig.into())
}

fn vote(seed: &str, verdicts: Vec<(u64, bool)>) -> sp_runtime::DispatchResult {
	let (b, s) = batch(seed, verdicts);
	Verifier::submit_verdicts(RuntimeOrigin::none(), b, s).map(|_| ()).map_err(|e| e.error)
}

#[test]
fn registers_a_real_key_with_deposit() {
	new_test_ext(1).execute_with(|| {
		let id = program();
		let info = Programs::<Test>::get(id).unwrap();
		assert_eq!(info.inputs, 1);
		assert_eq!(info.deposit, 1_000 + 10 * demo::vk_bytes().len() as u128);
		let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
		assert_noop!(
			Verifier::register_program(RuntimeOrigin::signed(2), vk),
			Error::<Test>::ProgramExists
		);
		let mut bad = demo::vk_bytes();
		bad[10] ^= 0xff;
		assert_noop!(
			Verifier::register_program(RuntimeOrigin::signed(2), bad.try_into().unwrap()),
			Error::<Test>::InvalidVerifyingKey
		);
		assert_noop!(
			Verifier::register_program(RuntimeOrigin::signed(2), vec![1, 2, 3].try_into().unwrap()),
			Error::<Test>::InvalidVerifyingKey
		);
		V::do_try_state().unwrap();
	});
}

#[test]
fn key_size_is_checked_before_parsing() {
	new_test_ext(1).execute_with(|| {
		let vk = demo::vk_bytes();
		assert_eq!(vk.len(), crate::groth16::vk_len(2));
		assert_eq!(crate::groth16::declared_inputs(&vk), Some(2));
		// Trailing bytes after a valid key: not exactly one key.
		let mut long = vk.clone();
		long.push(0);
		assert_noop!(
			Verifier::register_program(RuntimeOrigin::signed(2), long.try_into().unwrap()),
			Error::<Test>::InvalidVerifyingKey
		);
		// A key declaring more inputs than allowed fails before its points are read.
		let mut many = vk[..crate::groth16::vk_len(0) - 40].to_vec();
		many.extend_from_slice(&1_000u64.to_le_bytes());
		assert_noop!(
			Verifier::register_program(RuntimeOrigin::signed(2), many.try_into().unwrap()),
			Error::<Test>::TooManyInputs
		);
		// A truncated key that declares more points than it carries.
		let short = vk[..vk.len() - 32].to_vec();
		assert_noop!(
			Verifier::register_program(RuntimeOrigin::signed(2), short.try_into().unwrap()),
			Error::<Test>::InvalidVerifyingKey
		);
	});
}

#[test]
fn real_proof_verifies_and_tampered_ones_do_not() {
	new_test_ext(1).execute_with(|| {
		program();
		let good = submit(0, 3, 11, 11);
		let p = Pending::<Test>::get(good).unwrap();
		assert!(V::verify_pending(&p));
		// Wrong public input: the request says y(4) but the proof is for y(3).
		open_request(1, 11, demo::program_id(), vec![demo::fr_bytes(demo::output(4))]);
		let proof = demo::prove(3, 1, &11u64.encode(), 7);
		assert_ok!(Verifier::submit_proof(
			RuntimeOrigin::signed(11),
			1,
			proof.clone().try_into().unwrap()
		));
		assert!(!V::verify_pending(&Pending::<Test>::get(1).unwrap()));
		// Flipped bytes.
		let mut bad = demo::prove(3, 2, &11u64.encode(), 7);
		bad[40] ^= 1;
		open_request(2, 11, demo::program_id(), vec![demo::fr_bytes(demo::output(3))]);
		assert_ok!(Verifier::submit_proof(RuntimeOrigin::signed(11), 2, bad.try_into().unwrap()));
		assert!(!V::verify_pending(&Pending::<Test>::get(2).unwrap()));
		// Non-canonical public input.
		open_request(3, 11, demo::program_id(), vec![[0xff; 32]]);
		assert_ok!(Verifier::submit_proof(
			RuntimeOrigin::signed(11),
			3,
			demo::prove(3, 3, &11u64.encode(), 7).try_into().unwrap()
		));
		assert!(!V::verify_pending(&Pending::<Test>::get(3).unwrap()));
	});
}

#[test]
fn proof_for_another_program_is_invalid() {
	new_test_ext(1).execute_with(|| {
		program();
		// A pending proof pointing at a program that is not the key it was made for.
		let id = submit(0, 3, 11, 11);
		let mut p = Pending::<Test>::get(id).unwrap();
		p.program = [9u8; 32];
		assert!(!V::verify_pending(&p));
	});
}

#[test]
fn copied_or_rerandomized_proof_is_worthless() {
	new_test_ext(1).execute_with(|| {
		program();
		// Prover 12 submits a proof that was made for prover 11.
		let copied = submit(0, 3, 11, 12);
		assert!(!V::verify_pending(&Pending::<Test>::get(copied).unwrap()));
		// And a re-randomized version of it.
		let original = demo::prove(3, 1, &11u64.encode(), 7);
		let rerandomized = demo::rerandomize(&original, 99);
		open_request(1, 12, demo::program_id(), vec![demo::fr_bytes(demo::output(3))]);
		assert_ok!(Verifier::submit_proof(
			RuntimeOrigin::signed(12),
			1,
			rerandomized.try_into().unwrap()
		));
		assert!(!V::verify_pending(&Pending::<Test>::get(1).unwrap()));
	});
}

#[test]
fn submit_errors() {
	new_test_ext(1).execute_with(|| {
		assert_noop!(
			Verifier::submit_proof(RuntimeOrigin::signed(11), 0, vec![].try_into().unwrap()),
			Error::<Test>::EmptyProof
		);
		assert_noop!(
			Verifier::submit_proof(RuntimeOrigin::signed(11), 0, vec![1].try_into().unwrap()),
			DispatchError::Other("unknown request")
		);
		open_request(0, 11, [5u8; 32], vec![]);
		assert_noop!(
			Verifier::submit_proof(RuntimeOrigin::signed(11), 0, vec![1].try_into().unwrap()),
			Error::<Test>::UnknownProgram
		);
	});
}

#[test]
fn threshold_one_settles_on_first_vote() {
	new_test_ext(1).execute_with(|| {
		program();
		let a = submit(0, 3, 11, 11);
		let b = submit(1, 3, 11, 12);
		assert_ok!(vote("Alice", vec![(a, true), (b, false)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid), (1, 12, Verdict::Invalid)]);
		assert!(Pending::<Test>::iter().next().is_none());
		V::do_try_state().unwrap();
	});
}

#[test]
fn majority_threshold_and_conflicting_votes() {
	new_test_ext(2).execute_with(|| {
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
		program();
		let a = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(a, true)]));
		assert!(concluded().is_empty());
		assert_ok!(vote("Bob", vec![(a, false)]));
		System::assert_has_event(Event::ConflictingVotes { proof: a, valid: 1, invalid: 1 }.into());
		assert!(concluded().is_empty());
		assert_ok!(vote("Charlie", vec![(a, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
	});
}

#[test]
fn only_verifiers_with_valid_signatures_may_vote_once() {
	new_test_ext(2).execute_with(|| {
		program();
		let a = submit(0, 3, 11, 11);
		assert_noop!(vote("Dave", vec![(a, true)]), Error::<Test>::NotVerifier);
		let (b, _) = batch("Alice", vec![(a, true)]);
		let (_, wrong) = batch("Bob", vec![(a, true)]);
		assert_noop!(
			Verifier::submit_verdicts(RuntimeOrigin::none(), b.clone(), wrong),
			Error::<Test>::BadSignature
		);
		assert_noop!(
			Verifier::submit_verdicts(RuntimeOrigin::signed(1), b, batch("Alice", vec![]).1),
			DispatchError::BadOrigin
		);
		let (b, s) = batch("Alice", vec![(a, true)]);
		assert_ok!(Verifier::submit_verdicts(RuntimeOrigin::none(), b.clone(), s.clone()));
		// Replay: nothing new.
		assert_noop!(
			Verifier::submit_verdicts(RuntimeOrigin::none(), b.clone(), s.clone()),
			Error::<Test>::NothingNew
		);
		let call = crate::Call::submit_verdicts { batch: b, signature: s };
		assert_eq!(
			V::validate_unsigned(TransactionSource::External, &call),
			Err(InvalidTransaction::Stale.into())
		);
	});
}

#[test]
fn validate_unsigned_accepts_fresh_verifier_batches() {
	new_test_ext(2).execute_with(|| {
		program();
		let a = submit(0, 3, 11, 11);
		let (b, s) = batch("Alice", vec![(a, true)]);
		let call = crate::Call::submit_verdicts { batch: b.clone(), signature: s.clone() };
		assert!(V::validate_unsigned(TransactionSource::External, &call).is_ok());
		let (d, ds) = batch("Dave", vec![(a, true)]);
		let call = crate::Call::submit_verdicts { batch: d, signature: ds };
		assert_eq!(
			V::validate_unsigned(TransactionSource::External, &call),
			Err(InvalidTransaction::BadSigner.into())
		);
		System::set_block_number(10);
		let call = crate::Call::submit_verdicts { batch: b, signature: s };
		assert_eq!(
			V::validate_unsigned(TransactionSource::External, &call),
			Err(InvalidTransaction::Stale.into())
		);
	});
}

#[test]
fn undecided_after_timeout() {
	new_test_ext(2).execute_with(|| {
		program();
		let a = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(a, true)]));
		V::on_initialize(10);
		assert!(concluded().is_empty());
		// Three rounds of 10 blocks (listed at 1, again at 11 and 21): the request
		// stays with its prover until the last one ends.
		for (n, round) in [(11, 2), (21, 3)] {
			V::on_initialize(n);
			assert!(concluded().is_empty());
			System::assert_has_event(
				Event::VerificationExtended { proof: a, request: 0, round, listed_at: n }.into(),
			);
			assert_eq!(Pending::<Test>::get(a).unwrap().listed_at, n);
			assert!(ProofsByBlock::<Test>::get(n).contains(&a));
			assert_ok!(Verifier::do_try_state());
		}
		V::on_initialize(31);
		assert_eq!(concluded(), vec![(0, 11, Verdict::Undecided)]);
		System::assert_has_event(Event::VerificationTimedOut { proof: a, request: 0 }.into());
		assert!(Pending::<Test>::get(a).is_none());
		assert!(crate::ExtraRounds::<Test>::get(a).is_none());
		assert_ok!(Verifier::do_try_state());
	});
}

/// Verdicts that could not land in a proof's first round (a flood, verifiers
/// offline) still decide it in the next: the votes of the first round count,
/// the request never went back to the market.
#[test]
fn late_verdicts_decide_in_a_later_round() {
	new_test_ext(2).execute_with(|| {
		program();
		let a = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(a, true)]));
		V::on_initialize(11);
		assert!(concluded().is_empty());
		System::set_block_number(15);
		assert_ok!(vote("Bob", vec![(a, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
		assert!(crate::ExtraRounds::<Test>::get(a).is_none());
		V::on_initialize(21);
		assert_eq!(concluded().len(), 1);
		assert_ok!(Verifier::do_try_state());
	});
}

#[test]
fn set_verifiers_root_only_and_checked() {
	new_test_ext(1).execute_with(|| {
		let ids: Vec<_> = ["Alice", "Bob"].iter().map(|s| verifier(s).1).collect();
		assert_noop!(
			Verifier::set_verifiers(RuntimeOrigin::signed(1), ids.clone(), 1),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Verifier::set_verifiers(RuntimeOrigin::root(), ids.clone(), 3),
			Error::<Test>::InvalidThreshold
		);
		assert_noop!(
			Verifier::set_verifiers(RuntimeOrigin::root(), vec![ids[0].clone(), ids[0].clone()], 1),
			Error::<Test>::InvalidVerifierSet
		);
		assert_ok!(Verifier::set_verifiers(RuntimeOrigin::root(), ids, 2));
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
	});
}

#[test]
fn offchain_worker_verifies_and_submits_signed_verdicts() {
	use sp_core::offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt};
	use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
	use std::sync::Arc;

	let mut ext = new_test_ext(1);
	let (offchain, _state) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	let keystore = MemoryKeystore::new();
	keystore.sr25519_generate_new(crate::KEY_TYPE, Some("//Alice")).unwrap();
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(OffchainDbExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.register_extension(KeystoreExt(Arc::new(keystore)));
	ext.execute_with(|| {
		program();
		let good = submit(0, 3, 11, 11);
		let copied = submit(1, 3, 11, 12);
		V::offchain_worker(1);
		let tx = pool_state.write().transactions.pop().expect("a verdict transaction");
		let xt = Extrinsic::decode(&mut &tx[..]).unwrap();
		let RuntimeCall::Verifier(crate::Call::submit_verdicts { batch, signature }) = xt.function
		else {
			panic!("unexpected call")
		};
		assert_eq!(batch.verifier, verifier("Alice").1);
		let hash = |id| V::content_hash(&Pending::<Test>::get(id).unwrap());
		assert_eq!(
			batch.verdicts.to_vec(),
			vec![(good, hash(good), true), (copied, hash(copied), false)]
		);
		// The signature names this chain's genesis hash.
		let other_chain =
			(b"zkmarket/verdicts/v2".as_slice(), sp_core::H256::repeat_byte(9), &batch).encode();
		assert!(!sp_runtime::RuntimeAppPublic::verify(&batch.verifier, &other_chain, &signature));
		// The runtime accepts it and the market gets both verdicts.
		assert_ok!(Verifier::submit_verdicts(RuntimeOrigin::none(), batch, signature));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid), (1, 12, Verdict::Invalid)]);
		// Nothing pending: the worker submits nothing more.
		V::offchain_worker(2);
		assert!(pool_state.read().transactions.is_empty());
	});
}

#[test]
fn a_vote_counts_only_for_the_proof_bytes_it_names() {
	new_test_ext(1).execute_with(|| {
		program();
		let id = submit(0, 3, 11, 11);
		// Alice votes "valid" on other bytes under the same proof id: ignored.
		let (pair, key) = verifier("Alice");
		let b = VerdictBatch {
			verifier: key,
			block: System::block_number(),
			verdicts: vec![(id, [7u8; 32], true)].try_into().unwrap(),
		};
		let sig: sr25519::Signature = pair.sign(&Verifier::signed_payload(&b));
		assert_noop!(
			Verifier::submit_verdicts(RuntimeOrigin::none(), b, sig.into()),
			Error::<Test>::NothingNew
		);
		assert!(Pending::<Test>::get(id).unwrap().valid.is_empty());
		// The vote naming the right content counts.
		assert_ok!(vote("Alice", vec![(id, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
	});
}

#[test]
fn a_vote_signed_for_another_chain_is_refused() {
	new_test_ext(1).execute_with(|| {
		program();
		let id = submit(0, 3, 11, 11);
		let (pair, key) = verifier("Alice");
		let p = Pending::<Test>::get(id).unwrap();
		let b = VerdictBatch {
			verifier: key,
			block: System::block_number(),
			verdicts: vec![(id, V::content_hash(&p), true)].try_into().unwrap(),
		};
		// Signed over another genesis hash (another chain or a fork of it).
		let msg = (b"zkmarket/verdicts/v2".as_slice(), sp_core::H256::repeat_byte(1), &b).encode();
		let sig: sr25519::Signature = pair.sign(&msg);
		assert_noop!(
			Verifier::submit_verdicts(RuntimeOrigin::none(), b, sig.into()),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn owner_unregisters_an_unused_program_and_gets_the_deposit_back() {
	use frame_support::traits::fungible::InspectHold;
	new_test_ext(1).execute_with(|| {
		let id = program();
		let owner = Programs::<Test>::get(id).unwrap().owner;
		let deposit = Programs::<Test>::get(id).unwrap().deposit;
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::ProgramDeposit.into(), &owner),
			deposit
		);
		// Not the owner.
		assert_noop!(
			Verifier::unregister_program(RuntimeOrigin::signed(owner + 1), id),
			Error::<Test>::NotProgramOwner
		);
		// An open request names it.
		OPEN.with(|o| o.borrow_mut().insert(42, (11, id, vec![])));
		assert_noop!(
			Verifier::unregister_program(RuntimeOrigin::signed(owner), id),
			Error::<Test>::ProgramInUse
		);
		OPEN.with(|o| o.borrow_mut().remove(&42));
		assert_ok!(Verifier::unregister_program(RuntimeOrigin::signed(owner), id));
		assert!(Programs::<Test>::get(id).is_none());
		assert_eq!(Balances::balance_on_hold(&crate::HoldReason::ProgramDeposit.into(), &owner), 0);
		System::assert_last_event(RuntimeEvent::Verifier(Event::ProgramUnregistered {
			id,
			owner,
			deposit,
		}));
		assert_noop!(
			Verifier::unregister_program(RuntimeOrigin::signed(owner), id),
			Error::<Test>::UnknownProgram
		);
		// It can be registered again.
		program();
	});
}

#[test]
fn votes_of_removed_verifiers_no_longer_count() {
	new_test_ext(2).execute_with(|| {
		program();
		let id = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(id, true)]));
		// Alice leaves the set (Bob, Charlie, threshold 2): her vote stays recorded
		// but no longer counts, so Bob's alone is not final.
		assert_ok!(Verifier::set_verifiers(
			RuntimeOrigin::root(),
			vec![verifier("Bob").1, verifier("Charlie").1],
			2
		));
		assert_ok!(vote("Bob", vec![(id, true)]));
		assert!(Pending::<Test>::get(id).is_some());
		assert!(concluded().is_empty());
		assert_ok!(vote("Charlie", vec![(id, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
	});
}

/// Tries to submit a proof of `x` for `request` by `who` (made for `who`).
/// A new session of validators 1.. with the verifier keys of `seeds`.
fn new_session(seeds: &[&str]) {
	use frame_support::traits::OneSessionHandler;
	let accounts: Vec<u64> = (1..=seeds.len() as u64).collect();
	let keys: Vec<(&u64, crate::VerifierId)> =
		accounts.iter().zip(seeds.iter().map(|s| verifier(s).1)).collect();
	<V as OneSessionHandler<u64>>::on_new_session(true, keys.clone().into_iter(), keys.into_iter());
}

fn set_of(seeds: &[&str]) -> Vec<crate::VerifierId> {
	let mut ids: Vec<_> = seeds.iter().map(|s| verifier(s).1).collect();
	ids.sort();
	ids
}

#[test]
fn the_verifier_set_follows_the_session_unless_root_pins_it() {
	use crate::{SessionVerifiers, VerifierSetPinned, Verifiers};
	new_test_ext(2).execute_with(|| {
		// The mock's genesis pins Alice, Bob, Charlie.
		assert!(VerifierSetPinned::<Test>::get());
		new_session(&["Alice", "Bob", "Charlie", "Dave"]);
		assert_eq!(Verifiers::<Test>::get().len(), 3);
		assert_eq!(
			SessionVerifiers::<Test>::get().into_inner(),
			set_of(&["Alice", "Bob", "Charlie", "Dave"])
		);
		assert_noop!(Verifier::follow_session(RuntimeOrigin::signed(1)), DispatchError::BadOrigin);
		// Following: the session's set at once, with a majority threshold.
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		assert!(!VerifierSetPinned::<Test>::get());
		assert_eq!(
			Verifiers::<Test>::get().into_inner(),
			set_of(&["Alice", "Bob", "Charlie", "Dave"])
		);
		assert_eq!(VerdictThreshold::<Test>::get(), 3);
		System::assert_has_event(Event::VerifiersChanged { count: 4, threshold: 3 }.into());
		// Each new session updates it; a session without verifier keys does not empty it.
		new_session(&["Bob", "Dave"]);
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Bob", "Dave"]));
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
		new_session(&[]);
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Bob", "Dave"]));
		// Root pins a set: sessions no longer change it.
		assert_ok!(Verifier::set_verifiers(RuntimeOrigin::root(), set_of(&["Charlie"]), 1));
		System::assert_has_event(Event::VerifierSetPinned { pinned: true }.into());
		new_session(&["Alice", "Eve"]);
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Charlie"]));
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		assert_eq!(Verifiers::<Test>::get().into_inner(), set_of(&["Alice", "Eve"]));
		assert_ok!(V::do_try_state());
	});
}

#[test]
fn a_new_session_validator_votes_and_a_departed_one_no_longer_counts() {
	new_test_ext(2).execute_with(|| {
		program();
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		new_session(&["Alice", "Bob", "Dave"]);
		let id = submit(0, 3, 11, 11);
		// Dave, new this session, is a verifier: his vote is recorded and counts.
		assert_ok!(vote("Dave", vec![(id, true)]));
		assert_ok!(vote("Alice", vec![(id, true)]));
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
		// Charlie left with the session: his batches are refused.
		let id = submit(1, 4, 11, 11);
		assert_noop!(vote("Charlie", vec![(id, true)]), Error::<Test>::NotVerifier);
	});
}

#[test]
fn votes_that_agree_after_the_set_shrank_decide_at_the_timeout() {
	new_test_ext(3).execute_with(|| {
		program();
		assert_ok!(Verifier::follow_session(RuntimeOrigin::root()));
		new_session(&["Alice", "Bob", "Charlie", "Dave"]);
		assert_eq!(VerdictThreshold::<Test>::get(), 3);
		let id = submit(0, 3, 11, 11);
		assert_ok!(vote("Alice", vec![(id, true)]));
		assert_ok!(vote("Bob", vec![(id, true)]));
		assert_ok!(vote("Charlie", vec![(id, false)]));
		// Dave leaves with the session: 2 of 3 now agree, but nobody is left to vote.
		new_session(&["Alice", "Bob", "Charlie"]);
		assert_eq!(VerdictThreshold::<Test>::get(), 2);
		assert!(concluded().is_empty());
		// At the timeout the recorded votes decide instead of dropping the proof.
		// (Listed at block 1; the mock's timeout is 10 blocks.)
		V::on_initialize(11);
		assert_eq!(concluded(), vec![(0, 11, Verdict::Valid)]);
		assert!(Pending::<Test>::get(id).is_none());
	});
}

fn try_submit(request: u64, x: u64, who: u64) -> sp_runtime::DispatchResult {
	open_request(request, who, demo::program_id(), vec![demo::fr_bytes(demo::output(x))]);
	let proof = demo::prove(x, request, &who.encode(), 7);
	Verifier::submit_proof(RuntimeOrigin::signed(who), request, proof.try_into().unwrap())
}

#[test]
fn obligations_are_never_refused_and_open_proofs_are_bounded_per_block() {
	new_test_ext(1).execute_with(|| {
		program();
		// Mock: lists of 4 proofs, at most 3 open-offer proofs (odd ids) a block.
		for r in [1, 3, 5] {
			assert_ok!(try_submit(r, 3, 11));
		}
		assert_noop!(try_submit(7, 3, 11), Error::<Test>::BlockOpenProofsFull);
		// Obligations (even ids: assignments, locked offers) always get in; once
		// block 1's list is full they go to block 2's.
		for r in [0, 2, 4] {
			assert_ok!(try_submit(r, 3, 11));
		}
		assert_eq!(ProofsByBlock::<Test>::get(1).len(), 4);
		assert_eq!(ProofsByBlock::<Test>::get(2).len(), 2);
		let spilled = Pending::<Test>::get(5).unwrap();
		assert_eq!((spilled.submitted_at, spilled.listed_at), (1, 2));
		V::do_try_state().unwrap();
		// Block 2: open proofs again (counted per block), into the list in use.
		System::set_block_number(2);
		assert_ok!(try_submit(7, 3, 11));
		assert_eq!(ProofsByBlock::<Test>::get(2).len(), 3);
		// One batch (MaxVerdictsPerTx = MaxProofsPerBlock) covers a whole list.
		let ids: Vec<u64> = ProofsByBlock::<Test>::get(1).into_iter().collect();
		assert_ok!(vote("Alice", ids.iter().map(|i| (*i, true)).collect()));
		assert_eq!(concluded().len(), 4);
		V::do_try_state().unwrap();
		// The spilled proofs end their rounds from their list's block (2 + 10),
		// are listed again twice, and time out after the third round.
		Verifier::on_initialize(11);
		assert!(Pending::<Test>::get(5).is_some());
		for n in [12, 22] {
			System::set_block_number(n);
			Verifier::on_initialize(n);
			assert_eq!(Pending::<Test>::iter().count(), 3);
			assert_eq!(ProofsByBlock::<Test>::get(n).len(), 3);
			V::do_try_state().unwrap();
		}
		System::set_block_number(32);
		Verifier::on_initialize(32);
		assert!(Pending::<Test>::iter().next().is_none());
		V::do_try_state().unwrap();
	});
}

// ---- program kinds: real SP1 and RISC Zero proofs (primitives/groth16-formats/fixtures)

const SP1_VK: &[u8] =
	include_bytes!("../../../primitives/groth16-formats/fixtures/sp1-v6.0.1-groth16_vk.bin");
const SP1_FIXTURE: &str =
	include_str!("../../../primitives/groth16-formats/fixtures/sp1-fibonacci-groth16-fixture.json");
const RISC0_VK: &str =
	include_str!("../../../primitives/groth16-formats/fixtures/risc0-groth16-vk.json");
const RISC0_V3: &str =
	include_str!("../../../primitives/groth16-formats/fixtures/risc0-v3.0.1-receipt.json");

fn unhex(v: &serde_json::Value) -> Vec<u8> {
	hex::decode(v.as_str().unwrap().trim_start_matches("0x")).unwrap()
}

fn register_kind(kind: ProgramKind, vk: &[u8]) -> [u8; 32] {
	assert_ok!(Verifier::register_program_of_kind(
		RuntimeOrigin::signed(1),
		kind.clone(),
		vk.to_vec().try_into().unwrap()
	));
	let id = Programs::<Test>::iter()
		.find(|(_, p)| p.kind == kind)
		.map(|(id, _)| id)
		.expect("registered");
	System::assert_has_event(
		Event::ProgramRegistered {
			id,
			owner: 1,
			kind: kind.clone(),
			inputs: Programs::<Test>::get(id).unwrap().inputs,
			deposit: Programs::<Test>::get(id).unwrap().deposit,
		}
		.into(),
	);
	id
}

fn sp1() -> (ProgramKind, Vec<u8>, [u8; 32]) {
	let f: serde_json::Value = serde_json::from_str(SP1_FIXTURE).unwrap();
	let proof = unhex(&f["proof"]);
	let kind = ProgramKind::Sp1 {
		vkey_hash: unhex(&f["vkey"]).try_into().unwrap(),
		vk_root: proof[36..68].try_into().unwrap(),
	};
	let digest = zkmarket_groth16_formats::sp1::public_values_digest(&unhex(&f["publicValues"]));
	(kind, proof, digest)
}

fn submit_raw(
	request: u64,
	program: [u8; 32],
	inputs: Vec<[u8; 32]>,
	proof: &[u8],
) -> sp_runtime::DispatchResult {
	open_request(request, 11, program, inputs);
	Verifier::submit_proof(RuntimeOrigin::signed(11), request, proof.to_vec().try_into().unwrap())
}

#[test]
fn a_real_sp1_proof_verifies_and_malformed_ones_get_named_errors() {
	new_test_ext(1).execute_with(|| {
		let (kind, proof, digest) = sp1();
		let id = register_kind(kind.clone(), SP1_VK);
		let p = Programs::<Test>::get(id).unwrap();
		// The gnark key is stored converted (424 bytes), with its selector; one input.
		assert_eq!((p.vk.len(), p.inputs, p.selector), (424, 1, Some([0x0e, 0x78, 0xf4, 0xdb])));
		assert_eq!(id, zkmarket_groth16_formats::program_id(&kind, &p.vk, p.selector));
		assert!(<V as zkmarket_primitives::traits::ProgramRegistry>::is_bound(&demo_id()));
		assert!(!<V as zkmarket_primitives::traits::ProgramRegistry>::is_bound(&id));

		assert_ok!(submit_raw(0, id, vec![digest], &proof));
		assert!(V::verify_pending(&Pending::<Test>::get(0).unwrap()));
		// Other public values: submitted (well formed), found invalid.
		let other = zkmarket_groth16_formats::sp1::public_values_digest(b"other");
		assert_ok!(submit_raw(1, id, vec![other], &proof));
		assert!(!V::verify_pending(&Pending::<Test>::get(1).unwrap()));
		// A flipped bit in the proof points: invalid.
		let mut flipped = proof.clone();
		flipped[200] ^= 4;
		assert_ok!(submit_raw(2, id, vec![digest], &flipped));
		assert!(!V::verify_pending(&Pending::<Test>::get(2).unwrap()));
		// Named errors, nothing stored.
		let with = |at: usize| {
			let mut p = proof.clone();
			p[at] ^= 1;
			p
		};
		assert_noop!(
			submit_raw(3, id, vec![digest], &proof[..355]),
			Error::<Test>::WrongProofLength
		);
		assert_noop!(submit_raw(3, id, vec![digest], &with(1)), Error::<Test>::WrongSelector);
		assert_noop!(submit_raw(3, id, vec![digest], &with(35)), Error::<Test>::NonZeroExitCode);
		assert_noop!(submit_raw(3, id, vec![digest], &with(40)), Error::<Test>::WrongVkRoot);
	});
}

fn demo_id() -> [u8; 32] {
	program()
}

#[test]
fn a_real_risc_zero_receipt_verifies_and_another_journal_does_not() {
	new_test_ext(1).execute_with(|| {
		let vk = zkmarket_groth16_formats::snarkjs::vk_from_json(
			&serde_json::from_str(RISC0_VK).unwrap(),
		)
		.unwrap();
		let r: serde_json::Value = serde_json::from_str(RISC0_V3).unwrap();
		let kind = ProgramKind::Risc0 {
			image_id: unhex(&r["image_id"]).try_into().unwrap(),
			control_root: unhex(&r["control_root"]).try_into().unwrap(),
			bn254_control_id: unhex(&r["bn254_control_id"]).try_into().unwrap(),
		};
		let id = register_kind(kind, &vk);
		let seal = unhex(&r["seal"]);
		let inputs = zkmarket_groth16_formats::risc0::request_inputs(&unhex(&r["journal"]));
		assert_ok!(submit_raw(0, id, inputs.to_vec(), &seal[4..]));
		assert!(V::verify_pending(&Pending::<Test>::get(0).unwrap()));
		let other = zkmarket_groth16_formats::risc0::request_inputs(b"another journal");
		assert_ok!(submit_raw(1, id, other.to_vec(), &seal[4..]));
		assert!(!V::verify_pending(&Pending::<Test>::get(1).unwrap()));
		// The whole seal, selector included, is not a proof of this kind.
		assert_noop!(submit_raw(2, id, inputs.to_vec(), &seal), Error::<Test>::WrongProofLength);
		// Inputs that are not 128-bit halves are refused for requests.
		let mut bad = inputs;
		bad[0][31] = 1;
		assert!(!<V as zkmarket_primitives::traits::ProgramRegistry>::accepts_inputs(&id, &bad));
		assert!(<V as zkmarket_primitives::traits::ProgramRegistry>::accepts_inputs(&id, &inputs));
	});
}

#[test]
fn keys_of_every_kind_are_checked_with_named_errors() {
	new_test_ext(1).execute_with(|| {
		let (kind, ..) = sp1();
		let reg = |kind: ProgramKind, vk: Vec<u8>| {
			Verifier::register_program_of_kind(
				RuntimeOrigin::signed(1),
				kind,
				vk.try_into().unwrap(),
			)
		};
		assert_noop!(reg(kind.clone(), SP1_VK[..400].to_vec()), Error::<Test>::InvalidVerifyingKey);
		let mut commitments = SP1_VK.to_vec();
		commitments[489] = 1;
		assert_noop!(reg(kind.clone(), commitments), Error::<Test>::KeyCommitments);
		assert_noop!(
			reg(ProgramKind::Sp1 { vkey_hash: [0xff; 32], vk_root: [0; 32] }, SP1_VK.to_vec()),
			Error::<Test>::InvalidKindParameter
		);
		// An SP1 key with the demo key's 2 inputs instead of 5.
		let demo_gnark =
			zkmarket_groth16_formats::gnark::vk_from_arkworks(&demo::vk_bytes()).unwrap();
		assert_noop!(reg(kind.clone(), demo_gnark.clone()), Error::<Test>::KeyInputCount);
		// A point off the curve (a flipped x bit of alpha), in both encodings.
		let off = (0..31)
			.map(|i| {
				let mut k = demo::vk_bytes();
				k[i] ^= 1;
				k
			})
			.find(|k| crate::groth16::parse_vk(k).is_none())
			.unwrap();
		assert_noop!(reg(ProgramKind::Snarkjs, off), Error::<Test>::InvalidVerifyingKey);
		// The point at infinity written two ways would give one key two ids.
		let mut inf = demo::vk_bytes();
		inf[..32].copy_from_slice(&[0x11; 32]);
		inf[31] = 0x40;
		assert_noop!(reg(ProgramKind::Arkworks, inf), Error::<Test>::InvalidVerifyingKey);
		// One key, two kinds: two programs; the same kind twice: refused.
		let a = register_kind(ProgramKind::Gnark, &demo_gnark);
		assert_eq!(
			Programs::<Test>::get(a).unwrap().inputs,
			2,
			"gnark: every key input is a request input"
		);
		let b = register_kind(ProgramKind::Snarkjs, &demo::vk_bytes());
		assert_ne!(a, b);
		assert_noop!(reg(ProgramKind::Gnark, demo_gnark), Error::<Test>::ProgramExists);
		// The arkworks kind keeps the id of `register_program`.
		assert_ok!(reg(ProgramKind::Arkworks, demo::vk_bytes()));
		assert!(Programs::<Test>::contains_key(demo::program_id()));
	});
}

/// A chain from before program kinds: its programs (stored without kind and
/// selector) are migrated to arkworks programs under the same ids, once.
#[test]
fn programs_of_storage_version_0_are_migrated_to_arkworks_programs() {
	use crate::migrations::v1::{MigrateV0ToV1, OldProgramInfo};
	use frame_support::traits::{ConstU32, GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext(1).execute_with(|| {
		// (A runtime's genesis starts at the current version; this mock's storage
		// is built pallet by pallet, so set what a chain from before has.)
		StorageVersion::new(0).put::<V>();
		let vk = demo::vk_bytes();
		let id = demo::program_id();
		let old = OldProgramInfo::<u64, u128, ConstU32<4096>> {
			owner: 3,
			vk: vk.clone().try_into().unwrap(),
			inputs: 1,
			deposit: 12_345,
		};
		frame_support::storage::unhashed::put(&Programs::<Test>::hashed_key_for(id), &old);
		assert!(
			Programs::<Test>::get(id).is_none(),
			"version-0 values do not decode as version 1's"
		);

		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		let p = Programs::<Test>::get(id).expect("migrated");
		assert_eq!(
			(p.owner, p.kind.clone(), p.selector, p.inputs, p.deposit),
			(3, ProgramKind::Arkworks, None, 1, 12_345)
		);
		assert_eq!(p.vk.to_vec(), vk);
		assert_eq!(V::on_chain_storage_version(), 1);
		// Proofs of the migrated program verify as before.
		let good = submit(0, 3, 11, 11);
		assert!(V::verify_pending(&Pending::<Test>::get(good).unwrap()));
		// A second run is a noop.
		let before = Programs::<Test>::get(id).encode();
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Programs::<Test>::get(id).encode(), before);
	});
}

/// An arkworks proof with the point at infinity written a second way (arkworks
/// would read it) is refused at submission with a named error: nothing
/// stored, nobody slashed.
#[test]
fn a_second_encoding_of_infinity_in_a_proof_is_refused() {
	new_test_ext(1).execute_with(|| {
		program();
		let mut proof = demo::prove(3, 0, &11u64.encode(), 7);
		proof[..32].copy_from_slice(&[0x11; 32]);
		proof[31] = 0x40;
		open_request(0, 11, demo::program_id(), vec![demo::fr_bytes(demo::output(3))]);
		assert_noop!(
			Verifier::submit_proof(RuntimeOrigin::signed(11), 0, proof.try_into().unwrap()),
			Error::<Test>::InvalidProofEncoding
		);
	});
}
