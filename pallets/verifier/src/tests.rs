//! Tests of the verifier pallet with REAL Groth16 proofs of the demo circuit:
//! the shared helpers, programs and proof submission. Verdicts and rounds are in
//! `tests_verdicts`, the verifier set in `tests_session`, program kinds in
//! `tests_kinds`.
use crate::{
	mock::*, Error, Event, Pending, Programs, ProofsByBlock, VerdictBatch, VerifierSignature,
};
use codec::Encode;
use frame_support::{assert_noop, assert_ok, traits::Hooks, BoundedVec};
use sp_core::{sr25519, Pair};
use sp_runtime::DispatchError;
use zkmarket_demo_circuit as demo;

pub(crate) type V = crate::Pallet<Test>;

pub(crate) fn program() -> [u8; 32] {
	let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
	assert_ok!(Verifier::register_program(RuntimeOrigin::signed(1), vk));
	demo::program_id()
}

/// A proof of `x` made for `request` and account `made_for`, submitted by `submitter`.
pub(crate) fn submit(request: u64, x: u64, made_for: u64, submitter: u64) -> u64 {
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

pub(crate) fn batch(
	seed: &str,
	verdicts: Vec<(u64, bool)>,
) -> (crate::BatchOf<Test>, VerifierSignature) {
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

pub(crate) fn vote(seed: &str, verdicts: Vec<(u64, bool)>) -> sp_runtime::DispatchResult {
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

/// Tries to submit a proof of `x` for `request` by `who` (made for `who`).
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
