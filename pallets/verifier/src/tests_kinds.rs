//! Program kinds: real SP1 and RISC Zero proofs, key checks of every kind,
//! the version-0 migration and proof encodings.
use crate::{mock::*, tests::*, Error, Event, Pending, ProgramKind, Programs};
use codec::Encode;
use frame_support::{assert_noop, assert_ok};
use zkmarket_demo_circuit as demo;

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
