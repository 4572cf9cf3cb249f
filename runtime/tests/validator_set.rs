//! Runtime integration tests of the validator set: pallet-session with the
//! validator set pallet as its manager and Aura, GRANDPA and the verifier as
//! its key handlers, from the `local_testnet` preset (sessions of 10 blocks).
mod common;
use codec::Encode;
use common::preset_ext;
use frame_support::{
	assert_noop, assert_ok,
	traits::{Hooks, OnFinalize},
};
use sp_keyring::Sr25519Keyring;
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::DispatchError;
use std::sync::Arc;
use zkmarket_runtime::{
	AccountId, Grandpa, Runtime, RuntimeOrigin, Session, SessionKeys, System, ValidatorSet,
};

fn account(k: Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// New session keys of `who` in the test keystore (as `author_rotateKeysWithOwner`
/// makes them on a node) and the proof that `who` holds them.
fn rotate_keys(who: &AccountId) -> (SessionKeys, Vec<u8>) {
	let generated = SessionKeys::generate(&who.encode(), None);
	(generated.keys, generated.proof.encode())
}

/// Runs the session and GRANDPA hooks up to block `n` (the hooks that move
/// validator sets), checking the pallets' invariants each block.
fn run_to(n: u32) {
	while System::block_number() < n {
		let b = System::block_number() + 1;
		System::set_block_number(b);
		Session::on_initialize(b);
		<Grandpa as OnFinalize<u32>>::on_finalize(b);
		ValidatorSet::do_try_state().unwrap();
		pallet_verifier::Pallet::<Runtime>::do_try_state().unwrap();
	}
}

fn ext() -> sp_io::TestExternalities {
	let mut ext = preset_ext("local_testnet");
	ext.register_extension(KeystoreExt(Arc::new(MemoryKeystore::new())));
	ext
}

fn aura_keys() -> Vec<sp_consensus_aura::sr25519::AuthorityId> {
	pallet_aura::Authorities::<Runtime>::get().into_inner()
}

fn grandpa_keys() -> Vec<sp_consensus_grandpa::AuthorityId> {
	Grandpa::grandpa_authorities().into_iter().map(|(k, _)| k).collect()
}

fn verifiers() -> Vec<pallet_verifier::VerifierId> {
	pallet_verifier::Verifiers::<Runtime>::get().into_inner()
}

#[test]
fn genesis_validators_hold_every_role() {
	ext().execute_with(|| {
		let mut genesis = vec![
			account(Sr25519Keyring::Alice),
			account(Sr25519Keyring::Bob),
			account(Sr25519Keyring::Charlie),
		];
		genesis.sort();
		assert_eq!(Session::validators(), genesis);
		assert_eq!(aura_keys().len(), 3);
		assert_eq!(grandpa_keys().len(), 3);
		assert_eq!(verifiers().len(), 3);
		assert_eq!(pallet_verifier::VerdictThreshold::<Runtime>::get(), 2);
		assert!(!pallet_verifier::VerifierSetPinned::<Runtime>::get());
	});
}

#[test]
fn a_validator_with_new_keys_joins_two_sessions_later_and_a_removed_one_leaves() {
	ext().execute_with(|| {
		let dave = account(Sr25519Keyring::Dave);
		let charlie = account(Sr25519Keyring::Charlie);
		// No keys yet: cannot be added.
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), dave.clone()),
			pallet_validator_set::Error::<Runtime>::NoSessionKeys
		);
		let (keys, proof) = rotate_keys(&dave);
		// A proof made for another account is refused.
		let (_, eve_proof) = rotate_keys(&account(Sr25519Keyring::Eve));
		assert_noop!(
			Session::set_keys(RuntimeOrigin::signed(dave.clone()), keys.clone(), eve_proof),
			pallet_session::Error::<Runtime>::InvalidProof
		);
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(dave.clone()), keys.clone(), proof));
		// Only root adds validators.
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(dave.clone()), dave.clone()),
			DispatchError::BadOrigin
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), dave.clone()));
		// Session 1 (block 10) queues Dave; session 2 (block 20) makes him a validator.
		run_to(19);
		assert!(!Session::validators().contains(&dave));
		assert!(!aura_keys().contains(&keys.aura));
		run_to(20);
		assert!(Session::validators().contains(&dave));
		assert_eq!(aura_keys().len(), 4);
		assert!(aura_keys().contains(&keys.aura));
		assert!(grandpa_keys().contains(&keys.grandpa));
		assert!(verifiers().contains(&keys.verifier));
		assert_eq!(pallet_verifier::VerdictThreshold::<Runtime>::get(), 3);

		// Charlie is removed: still validating through session 3, gone in session 4.
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), charlie.clone()));
		run_to(39);
		assert!(Session::validators().contains(&charlie));
		run_to(40);
		assert!(!Session::validators().contains(&charlie));
		assert_eq!(aura_keys().len(), 3);
		assert_eq!(grandpa_keys().len(), 3);
		let charlie_verifier: pallet_verifier::VerifierId = Sr25519Keyring::Charlie.public().into();
		assert!(!verifiers().contains(&charlie_verifier));
		assert_eq!(verifiers().len(), 3);
		assert_eq!(pallet_verifier::VerdictThreshold::<Runtime>::get(), 2);
	});
}

#[test]
fn a_validator_that_purges_its_keys_leaves_every_role() {
	ext().execute_with(|| {
		// The last of the sorted set: pallet-session alone would drop it from
		// `Validators` without telling Aura, GRANDPA and the verifier.
		let last = Session::validators().last().cloned().unwrap();
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(last.clone())));
		run_to(20);
		assert!(!Session::validators().contains(&last));
		assert_eq!(aura_keys().len(), 2);
		assert_eq!(grandpa_keys().len(), 2);
		assert_eq!(verifiers().len(), 2);
		assert_eq!(pallet_verifier::VerdictThreshold::<Runtime>::get(), 2);
		// Still a member of the wanted set: back once it has keys again.
		let (keys, proof) = rotate_keys(&last);
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(last.clone()), keys.clone(), proof));
		run_to(40);
		assert!(Session::validators().contains(&last));
		assert!(aura_keys().contains(&keys.aura));
		assert_eq!(verifiers().len(), 3);
	});
}

#[test]
fn a_pinned_verifier_set_ignores_sessions_until_root_unpins_it() {
	ext().execute_with(|| {
		let alice: pallet_verifier::VerifierId = Sr25519Keyring::Alice.public().into();
		assert_ok!(pallet_verifier::Pallet::<Runtime>::set_verifiers(
			RuntimeOrigin::root(),
			vec![alice.clone()],
			1
		));
		let dave = account(Sr25519Keyring::Dave);
		let (keys, proof) = rotate_keys(&dave);
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(dave.clone()), keys.clone(), proof));
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), dave));
		run_to(20);
		assert_eq!(verifiers(), vec![alice]);
		assert_ok!(pallet_verifier::Pallet::<Runtime>::follow_session(RuntimeOrigin::root()));
		assert_eq!(verifiers().len(), 4);
		assert!(verifiers().contains(&keys.verifier));
	});
}

#[test]
fn the_last_validator_cannot_be_removed() {
	preset_ext("development").execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), account(Sr25519Keyring::Alice)),
			pallet_validator_set::Error::<Runtime>::TooFewValidators
		);
	});
}
