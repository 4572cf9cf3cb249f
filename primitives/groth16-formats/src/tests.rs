//! Tests: real SP1 and RISC Zero fixtures (fixtures/README.md) through the
//! conversions and arkworks verification exactly as the chain runs it, and
//! the conversions' properties on random keys and proofs.
use crate::{evm, gnark, points, risc0, sp1, FormatError, ProgramKind, Scalar};
use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{PrimeField, UniformRand};
use ark_groth16::{Groth16, Proof, VerifyingKey};
use ark_serialize::CanonicalDeserialize;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use proptest::prelude::*;

const SP1_VK: &[u8] = include_bytes!("../fixtures/sp1-v6.0.1-groth16_vk.bin");
const SP1_FIXTURE: &str = include_str!("../fixtures/sp1-fibonacci-groth16-fixture.json");
const RISC0_VK: &str = include_str!("../fixtures/risc0-groth16-vk.json");
const RISC0_V3: &str = include_str!("../fixtures/risc0-v3.0.1-receipt.json");
const RISC0_V5: &str = include_str!("../fixtures/risc0-v5.0.0-rc.1-receipt.json");

fn hex32(s: &str) -> [u8; 32] {
	hex::decode(s.trim_start_matches("0x")).unwrap().try_into().unwrap()
}
fn hexv(v: &serde_json::Value) -> Vec<u8> {
	hex::decode(v.as_str().unwrap().trim_start_matches("0x")).unwrap()
}

/// What the chain's verifier does with a statement (primitives/groth16-host
/// `pure::verify`): parse the key and proof with validation, verify.
fn verify(vk: &[u8], s: &crate::Statement) -> Result<bool, &'static str> {
	let vk = VerifyingKey::<Bn254>::deserialize_compressed(vk).map_err(|_| "key")?;
	if vk.gamma_abc_g1.len() != s.inputs.len() + 1 {
		return Err("count");
	}
	let proof = Proof::<Bn254>::deserialize_compressed(&s.proof[..]).map_err(|_| "proof")?;
	let public: Vec<Fr> = s
		.inputs
		.iter()
		.map(|i| Fr::deserialize_compressed(&i[..]).map_err(|_| "input"))
		.collect::<Result<_, _>>()?;
	let pvk = ark_groth16::prepare_verifying_key(&vk);
	Ok(Groth16::<Bn254>::verify_proof(&pvk, &proof, &public).unwrap_or(false))
}

/// Registers, builds the statement, verifies: Ok(true) only for a valid proof.
fn check(
	kind: &ProgramKind,
	raw_vk: &[u8],
	proof: &[u8],
	inputs: &[Scalar],
) -> Result<bool, String> {
	let reg = kind.register(raw_vk).map_err(|e| format!("{e:?}"))?;
	let s =
		kind.statement(reg.selector, proof, inputs, &[7u8; 32]).map_err(|e| format!("{e:?}"))?;
	verify(&reg.vk, &s).map_err(|e| e.to_string())
}

fn sp1_fixture() -> (ProgramKind, Vec<u8>, Scalar) {
	let f: serde_json::Value = serde_json::from_str(SP1_FIXTURE).unwrap();
	let proof = hexv(&f["proof"]);
	let kind = ProgramKind::Sp1 {
		vkey_hash: hex32(f["vkey"].as_str().unwrap()),
		vk_root: proof[36..68].try_into().unwrap(),
	};
	(kind, proof, sp1::public_values_digest(&hexv(&f["publicValues"])))
}

#[test]
fn the_sp1_fixture_verifies_and_every_change_is_rejected() {
	let (kind, proof, digest) = sp1_fixture();
	let reg = kind.register(SP1_VK).unwrap();
	assert_eq!(reg.selector, Some(proof[..4].try_into().unwrap()), "selector = sha256(key)[..4]");
	assert_eq!((reg.key_inputs, reg.inputs, reg.vk.len()), (5, 1, 424));
	assert_eq!(check(&kind, SP1_VK, &proof, &[digest]), Ok(true));
	// Other public values.
	let other = sp1::public_values_digest(b"other public values");
	assert_eq!(check(&kind, SP1_VK, &proof, &[other]), Ok(false));
	// Another guest program.
	let ProgramKind::Sp1 { vkey_hash, vk_root } = kind.clone() else { unreachable!() };
	let mut h = vkey_hash;
	h[31] ^= 1;
	assert_eq!(
		check(&ProgramKind::Sp1 { vkey_hash: h, vk_root }, SP1_VK, &proof, &[digest]),
		Ok(false)
	);
	// Every single-bit flip of the proof is refused or does not verify.
	for byte in 0..proof.len() {
		for bit in [0u8, 3, 7] {
			let mut p = proof.clone();
			p[byte] ^= 1 << bit;
			let r = check(&kind, SP1_VK, &p, &[digest]);
			assert!(r != Ok(true), "flip of bit {bit} in byte {byte} still verifies");
			let expected_err = match byte {
				0..4 => Some("WrongSelector"),
				4..36 => Some("NonZeroExitCode"),
				36..68 => Some("WrongVkRoot"),
				_ => None,
			};
			if let Some(e) = expected_err {
				assert_eq!(r, Err(e.into()), "byte {byte}");
			}
		}
	}
	// A non-zero nonce changes the statement.
	let mut p = proof.clone();
	p[99] = 1;
	assert_eq!(check(&kind, SP1_VK, &p, &[digest]), Ok(false));
	// A nonce above the scalar modulus is refused before any curve arithmetic.
	let mut p = proof.clone();
	p[68..100].copy_from_slice(&[0xff; 32]);
	assert_eq!(
		kind.check_proof(Some(proof[..4].try_into().unwrap()), &p),
		Err(FormatError::ProofEncoding)
	);
	// Truncated, extended.
	assert_eq!(check(&kind, SP1_VK, &proof[..355], &[digest]), Err("ProofLength".into()));
	assert_eq!(
		check(&kind, SP1_VK, &[&proof[..], &[0]].concat(), &[digest]),
		Err("ProofLength".into())
	);
	// The request must carry exactly the digest.
	assert_eq!(check(&kind, SP1_VK, &proof, &[digest, digest]), Err("Input".into()));
}

#[test]
fn sp1_keys_are_checked_at_registration() {
	let (kind, ..) = sp1_fixture();
	assert_eq!(kind.register(&SP1_VK[..491]).unwrap_err(), FormatError::KeyEncoding);
	let mut with_commitments = SP1_VK.to_vec();
	with_commitments[491] = 1;
	assert_eq!(kind.register(&with_commitments).unwrap_err(), FormatError::KeyCommitments);
	let mut flag = SP1_VK.to_vec();
	flag[0] &= 0x3f; // the uncompressed marker
	assert_eq!(kind.register(&flag).unwrap_err(), FormatError::KeyEncoding);
	// vkey_hash above the scalar modulus.
	let bad = ProgramKind::Sp1 { vkey_hash: [0xff; 32], vk_root: [0; 32] };
	assert_eq!(bad.register(SP1_VK).unwrap_err(), FormatError::KindParameter);
	// The same key as a plain gnark program: 5 request inputs.
	assert_eq!(ProgramKind::Gnark.register(SP1_VK).unwrap().inputs, 5);
	// An SP1 key must take SP1's 5 inputs.
	let (vk, ..) = random_key(2, 1);
	let g = arkworks_key_to_gnark(&vk);
	assert_eq!(kind.register(&g).unwrap_err(), FormatError::KeyInputCount);
}

#[test]
fn the_sp1_fixture_verifies_as_a_plain_gnark_program() {
	let (kind, proof, digest) = sp1_fixture();
	let ProgramKind::Sp1 { vkey_hash, vk_root } = kind else { unreachable!() };
	let be = |w: &[u8]| points::be_to_input(&w.try_into().unwrap()).unwrap();
	let inputs = [be(&vkey_hash), digest, [0; 32], be(&vk_root), be(&proof[68..100])];
	assert_eq!(check(&ProgramKind::Gnark, SP1_VK, &proof[100..], &inputs), Ok(true));
	// SP1's prefix is not part of a gnark proof.
	assert_eq!(check(&ProgramKind::Gnark, SP1_VK, &proof, &inputs), Err("ProofLength".into()));
}

fn risc0_kind(receipt: &str) -> (ProgramKind, Vec<u8>, Vec<u8>) {
	let r: serde_json::Value = serde_json::from_str(receipt).unwrap();
	let kind = ProgramKind::Risc0 {
		image_id: hex32(r["image_id"].as_str().unwrap()),
		control_root: hex32(r["control_root"].as_str().unwrap()),
		bn254_control_id: hex32(r["bn254_control_id"].as_str().unwrap()),
	};
	(kind, hexv(&r["seal"]), hexv(&r["journal"]))
}

#[test]
fn risc_zero_receipts_verify_and_every_change_is_rejected() {
	let vk = crate::snarkjs::vk_from_json(&serde_json::from_str(RISC0_VK).unwrap()).unwrap();
	for receipt in [RISC0_V3, RISC0_V5] {
		let (kind, seal, journal) = risc0_kind(receipt);
		let inputs = risc0::request_inputs(&journal);
		let reg = kind.register(&vk).unwrap();
		assert_eq!((reg.inputs, reg.vk.len()), (2, 424));
		assert_eq!(check(&kind, &vk, &seal[4..], &inputs), Ok(true));
		// Another journal, image or zkVM version.
		assert_eq!(
			check(&kind, &vk, &seal[4..], &risc0::request_inputs(b"another journal")),
			Ok(false)
		);
		let ProgramKind::Risc0 { image_id, control_root, bn254_control_id } = kind.clone() else {
			unreachable!()
		};
		let mut other = image_id;
		other[0] ^= 1;
		let k = ProgramKind::Risc0 { image_id: other, control_root, bn254_control_id };
		assert_eq!(check(&k, &vk, &seal[4..], &inputs), Ok(false));
		let mut other = control_root;
		other[5] ^= 1;
		let k = ProgramKind::Risc0 { image_id, control_root: other, bn254_control_id };
		assert_eq!(check(&k, &vk, &seal[4..], &inputs), Ok(false));
		// The whole seal (with its selector) is not a proof of this kind.
		assert_eq!(check(&kind, &vk, &seal, &inputs), Err("ProofLength".into()));
		// Flips.
		for byte in (4..seal.len()).step_by(7) {
			let mut s = seal.clone();
			s[byte] ^= 1 << (byte % 8);
			assert!(check(&kind, &vk, &s[4..], &inputs) != Ok(true), "flip in byte {byte}");
		}
		// Inputs that are not 128-bit halves.
		let mut bad = inputs;
		bad[0][16] = 1;
		assert_eq!(check(&kind, &vk, &seal[4..], &bad), Err("Input".into()));
	}
}

/// A random Groth16 key with `n` public inputs (the points need not come from
/// a circuit) and a random proof, for the encoding properties.
fn random_key(n: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
	let mut rng = StdRng::seed_from_u64(seed);
	let vk = VerifyingKey::<Bn254> {
		alpha_g1: G1Affine::rand(&mut rng),
		beta_g2: G2Affine::rand(&mut rng),
		gamma_g2: G2Affine::rand(&mut rng),
		delta_g2: G2Affine::rand(&mut rng),
		gamma_abc_g1: (0..=n).map(|_| G1Affine::rand(&mut rng)).collect(),
	};
	let proof = Proof::<Bn254> {
		a: G1Affine::rand(&mut rng),
		b: G2Affine::rand(&mut rng),
		c: G1Affine::rand(&mut rng),
	};
	(points::compressed(&vk), points::compressed(&proof))
}

fn arkworks_key_to_gnark(vk: &[u8]) -> Vec<u8> {
	gnark::vk_from_arkworks(vk).unwrap()
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(24))]

	#[test]
	fn gnark_keys_convert_to_the_same_arkworks_key(n in 1usize..6, seed in any::<u64>()) {
		let (vk, _) = random_key(n, seed);
		let g = arkworks_key_to_gnark(&vk);
		prop_assert_eq!(g.len(), gnark::vk_len(n as u32 + 1).unwrap());
		prop_assert_eq!(gnark::vk_to_arkworks(&g).unwrap(), vk.clone());
		let reg = ProgramKind::Gnark.register(&g).unwrap();
		prop_assert_eq!((reg.vk, reg.inputs), (vk, n as u32));
	}

	#[test]
	fn evm_proofs_convert_to_the_same_arkworks_proof(seed in any::<u64>()) {
		let (_, proof) = random_key(1, seed);
		let evm = evm::proof_from_arkworks(&proof).unwrap();
		prop_assert_eq!(evm::proof_to_arkworks(&evm).unwrap(), proof);
	}

	#[test]
	fn flipped_evm_words_are_refused_or_change_the_proof(seed in any::<u64>(), byte in 0usize..256, bit in 0u8..8) {
		let (_, proof) = random_key(1, seed);
		let mut evm = evm::proof_from_arkworks(&proof).unwrap();
		evm[byte] ^= 1 << bit;
		match evm::proof_to_arkworks(&evm) {
			Ok(p) => prop_assert_ne!(p, proof),
			Err(e) => prop_assert_eq!(e, FormatError::ProofEncoding),
		}
	}

	#[test]
	fn snarkjs_json_round_trips(seed in any::<u64>()) {
		let (_, proof) = random_key(1, seed);
		let j = crate::snarkjs::proof_to_json(&proof).unwrap();
		prop_assert_eq!(crate::snarkjs::proof_from_json(&j).unwrap(), proof);
		let inputs = [points::fr_le(Fr::rand(&mut StdRng::seed_from_u64(seed)))];
		let p = crate::snarkjs::public_to_json(&inputs);
		prop_assert_eq!(crate::snarkjs::public_from_json(&p).unwrap(), inputs.to_vec());
	}
}

#[test]
fn the_point_at_infinity_has_one_encoding() {
	let mut inf = [0u8; 32];
	inf[31] = 0x40;
	assert!(points::is_canonical_arkworks_point(&inf));
	let mut other = inf;
	other[0] = 0x11;
	assert!(!points::is_canonical_arkworks_point(&other));
	other = inf;
	other[31] = 0xc0;
	assert!(!points::is_canonical_arkworks_point(&other));
	// arkworks itself decodes both to the identity: the reason for the check.
	let mut x = inf;
	x[0] = 0x11;
	assert_eq!(G1Affine::deserialize_compressed(&x[..]).unwrap(), G1Affine::zero());
	// A key with such a point is refused, so program ids are unique per key.
	let (mut vk, _) = random_key(1, 9);
	vk[..32].copy_from_slice(&x);
	assert_eq!(ProgramKind::Arkworks.register(&vk).unwrap_err(), FormatError::KeyEncoding);
	// gnark: infinity with x != 0 is refused.
	let mut g = [0u8; 32];
	g[0] = 0x40;
	assert!(points::gnark_point_to_arkworks(&g).is_ok());
	g[5] = 1;
	assert_eq!(points::gnark_point_to_arkworks(&g).unwrap_err(), FormatError::KeyEncoding);
}

#[test]
fn snarkjs_json_errors_are_named() {
	use crate::snarkjs::{proof_from_json, vk_from_json};
	let good: serde_json::Value = serde_json::from_str(RISC0_VK).unwrap();
	assert!(vk_from_json(&good).is_ok());
	let with = |f: &dyn Fn(&mut serde_json::Value)| {
		let mut v = good.clone();
		f(&mut v);
		vk_from_json(&v)
	};
	assert_eq!(with(&|v| v["vk_alpha_1"][2] = "2".into()), Err(FormatError::Json), "not affine");
	assert_eq!(with(&|v| v["vk_alpha_1"][0] = "01".into()), Err(FormatError::Json), "leading zero");
	let p = ark_bn254::Fq::MODULUS.to_string();
	assert_eq!(with(&|v| v["vk_alpha_1"][0] = p.clone().into()), Err(FormatError::Json), "x = p");
	assert_eq!(
		with(&|v| v["vk_alpha_1"][1] = "1".into()),
		Err(FormatError::KeyEncoding),
		"off the curve"
	);
	assert_eq!(with(&|v| v["nPublic"] = 4.into()), Err(FormatError::KeyInputCount));
	assert_eq!(with(&|v| v["protocol"] = "plonk".into()), Err(FormatError::Json));
	// c0/c1 swapped: off the curve.
	let swapped = with(&|v| {
		let b = v["vk_beta_2"].clone();
		v["vk_beta_2"] = serde_json::json!([[b[0][1], b[0][0]], [b[1][1], b[1][0]], ["1", "0"]]);
	});
	assert_eq!(swapped, Err(FormatError::KeyEncoding));
	assert_eq!(proof_from_json(&serde_json::json!({"pi_a": []})), Err(FormatError::Json));
	assert_eq!(
		crate::snarkjs::public_from_json(&serde_json::json!([Fr::MODULUS.to_string()])),
		Err(FormatError::Input)
	);
}

/// Keys that cannot bind their last input are refused for bound kinds: a
/// last point at infinity (the input is free), gamma = delta (a proof moves
/// to another binding with C' = C - (b' - b) IC_last). Unbound kinds take them.
#[test]
fn bound_kinds_refuse_keys_that_cannot_bind() {
	let (vk, _) = random_key(2, 5);
	assert!(ProgramKind::Snarkjs.register(&vk).is_ok());
	let mut free = vk.clone();
	let n = free.len();
	free[n - 32..].copy_from_slice(&[0; 32]);
	free[n - 1] = 0x40;
	assert_eq!(ProgramKind::Snarkjs.register(&free).unwrap_err(), FormatError::KeyUnbound);
	let mut same = vk.clone();
	same.copy_within(96..160, 160);
	assert_eq!(ProgramKind::Arkworks.register(&same).unwrap_err(), FormatError::KeyUnbound);
	assert!(ProgramKind::Gnark.register(&gnark::vk_from_arkworks(&same).unwrap()).is_ok());
	// gamma = -delta, gamma = 3 delta, gamma = -16 delta: refused too.
	for k in [-1i64, 3, -16] {
		let (related, _) = forgeable_key(k, 5);
		assert_eq!(ProgramKind::Snarkjs.register(&related).unwrap_err(), FormatError::KeyUnbound);
		assert_eq!(ProgramKind::Arkworks.register(&related).unwrap_err(), FormatError::KeyUnbound);
	}
	// A key with independent gamma and delta is fine.
	assert!(ProgramKind::Arkworks.register(&forgeable_key(0, 5).0).is_ok());
}

/// A key with known setup scalars (the point is the relation between gamma and
/// delta, not the setup): gamma = k * delta (k = 0: gamma independent), and a
/// valid proof for `inputs` made with the scalars.
fn forgeable_key(k: i64, seed: u64) -> (Vec<u8>, ForgeSetup) {
	let mut rng = StdRng::seed_from_u64(seed);
	let (alpha, beta, delta) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
	let kf = if k < 0 { -Fr::from(k.unsigned_abs()) } else { Fr::from(k as u64) };
	let gamma = if k == 0 { Fr::rand(&mut rng) } else { kf * delta };
	let ic: Vec<Fr> = (0..3).map(|_| Fr::rand(&mut rng)).collect();
	let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
	let vk = VerifyingKey::<Bn254> {
		alpha_g1: (g1 * alpha).into(),
		beta_g2: (g2 * beta).into(),
		gamma_g2: (g2 * gamma).into(),
		delta_g2: (g2 * delta).into(),
		gamma_abc_g1: ic.iter().map(|s| (g1 * s).into()).collect(),
	};
	(points::compressed(&vk), ForgeSetup { alpha, beta, gamma, delta, ic, vk })
}

struct ForgeSetup {
	alpha: Fr,
	beta: Fr,
	gamma: Fr,
	delta: Fr,
	ic: Vec<Fr>,
	vk: VerifyingKey<Bn254>,
}

impl ForgeSetup {
	/// A valid proof for public inputs `x` (two: a statement input, the
	/// binding), made with the setup's scalars: a * b = alpha beta +
	/// gamma (ic_0 + sum x_i ic_i) + delta c.
	fn prove(&self, x: [Fr; 2], seed: u64) -> Proof<Bn254> {
		use ark_ff::Field;
		let mut rng = StdRng::seed_from_u64(seed);
		let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
		let acc = self.ic[0] + x[0] * self.ic[1] + x[1] * self.ic[2];
		let c = (a * b - self.alpha * self.beta - self.gamma * acc) * self.delta.inverse().unwrap();
		Proof {
			a: (G1Affine::generator() * a).into(),
			b: (G2Affine::generator() * b).into(),
			c: (G1Affine::generator() * c).into(),
		}
	}

	fn verifies(&self, proof: &Proof<Bn254>, x: [Fr; 2]) -> bool {
		let pvk = ark_groth16::prepare_verifying_key(&self.vk);
		Groth16::<Bn254>::verify_proof(&pvk, proof, &x).unwrap_or(false)
	}
}

/// The attack `binds` refuses (issue 28, item 5): under a key with gamma = k
/// delta, anyone moves a proof made for binding b to binding b' without the
/// witness, `C' = C - k (b' - b) IC_last`. It works for k = -1 and k = 2 and
/// fails for an independent gamma; the chain refuses the first two keys.
#[test]
fn a_proof_moves_to_another_binding_under_a_related_key() {
	let (input, b, b2) = (Fr::from(7u64), Fr::from(1111u64), Fr::from(2222u64));
	for (k, moves) in [(-1i64, true), (2, true), (0, false)] {
		let (raw, setup) = forgeable_key(k, 9);
		let proof = setup.prove([input, b], 1);
		assert!(setup.verifies(&proof, [input, b]), "the original proof verifies");
		let kf = if k < 0 { -Fr::from(k.unsigned_abs()) } else { Fr::from(k as u64) };
		let ic_last = setup.vk.gamma_abc_g1[2];
		let moved = Proof {
			a: proof.a,
			b: proof.b,
			c: (proof.c.into_group() - ic_last * (kf * (b2 - b))).into(),
		};
		assert_eq!(setup.verifies(&moved, [input, b2]), moves, "k = {k}");
		assert_eq!(ProgramKind::Arkworks.register(&raw).is_ok(), !moves, "k = {k}");
	}
}

/// Requests an SP1 program can never prove (a digest with its top bits set)
/// and proofs with a coordinate above the modulus are refused up front.
#[test]
fn impossible_inputs_and_non_canonical_words_are_refused_early() {
	let (kind, proof, digest) = sp1_fixture();
	assert!(kind.accepts_inputs(&[digest]));
	let mut high = digest;
	high[31] = 0x20;
	assert!(!kind.accepts_inputs(&[high]));
	let selector = Some(proof[..4].try_into().unwrap());
	let mut p = proof.clone();
	p[100..132].copy_from_slice(&[0xff; 32]);
	assert_eq!(kind.check_proof(selector, &p), Err(FormatError::ProofEncoding));
	assert_eq!(ProgramKind::Gnark.check_proof(None, &p[100..]), Err(FormatError::ProofEncoding));
	assert_eq!(ProgramKind::Gnark.check_proof(None, &proof[100..]), Ok(()));
}

#[test]
fn program_ids_depend_on_the_kind() {
	let (vk, _) = random_key(2, 3);
	let a = crate::program_id(&ProgramKind::Arkworks, &vk, None);
	assert_eq!(a, sp_crypto_hashing::blake2_256(&vk), "arkworks ids as before kinds");
	assert_ne!(crate::program_id(&ProgramKind::Snarkjs, &vk, None), a);
	// An SP1 key file whose unused G1 points differ: the same arkworks key,
	// another selector (no real proof would pass), another id.
	let (kind, ..) = sp1_fixture();
	let mut other = SP1_VK.to_vec();
	other[32..64].copy_from_slice(&SP1_VK[0..32]); // beta G1 := alpha G1 (unused)
	let (r1, r2) = (kind.register(SP1_VK).unwrap(), kind.register(&other).unwrap());
	assert_eq!(r1.vk, r2.vk);
	assert_ne!(r1.selector, r2.selector);
	assert_ne!(r1.program_id(&kind), r2.program_id(&kind));
	assert!(ProgramKind::Snarkjs.is_bound() && !ProgramKind::Gnark.is_bound());
}
