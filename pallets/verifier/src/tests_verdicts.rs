//! Verdicts: votes, thresholds, the off-chain worker, and verification rounds.
use crate::{
	mock::*, tests::*, Error, Event, Pending, ProofsByBlock, VerdictBatch, VerdictThreshold,
};
use codec::{Decode, Encode};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use sp_core::{sr25519, Pair};
use sp_runtime::{
	traits::ValidateUnsigned,
	transaction_validity::{InvalidTransaction, TransactionSource},
	DispatchError,
};
use zkmarket_primitives::traits::Verdict;

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
