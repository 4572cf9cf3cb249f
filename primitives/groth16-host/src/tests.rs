//! Native tests: the demo program's real proofs through the three ways, and
//! malformed, off-curve and out-of-subgroup keys and proofs.

use crate::{bench, hooks, join_inputs, native, pure, verify_host, Error, ParsedVk, VerifyCode};
use ark_bn254::{Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, One, PrimeField, UniformRand};
use ark_groth16::VerifyingKey;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::test_rng;
use zkmarket_demo_circuit as demo;

const PROVER: [u8; 32] = [7u8; 32];

type Verifier = fn(&[u8], &[u8], &[[u8; 32]]) -> Result<bool, Error>;

fn host_native(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]]) -> Result<bool, Error> {
	native::verify(vk, proof, &join_inputs(inputs))
}

/// The three ways (and the host function's native code called directly).
const WAYS: [(&str, Verifier); 4] = [
	("pure", pure::verify),
	("host", verify_host),
	("hooks", hooks::verify),
	("native", host_native),
];

/// Every way gives `expected`.
fn check(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]], expected: Result<bool, Error>) {
	for (name, verify) in WAYS {
		assert_eq!(verify(vk, proof, inputs), expected, "{name}");
	}
}

/// Every way gives the same answer; returns it.
fn agree(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]]) -> Result<bool, Error> {
	let first = pure::verify(vk, proof, inputs);
	for (name, verify) in WAYS {
		assert_eq!(verify(vk, proof, inputs), first, "{name} disagrees with pure");
	}
	first
}

fn demo_case(request: u64, x: u64) -> (Vec<u8>, Vec<u8>, Vec<[u8; 32]>) {
	let proof = demo::prove(x, request, &PROVER, request + 1);
	let inputs =
		vec![demo::fr_bytes(demo::output(x)), demo::fr_bytes(demo::binding(request, &PROVER))];
	(demo::vk_bytes(), proof, inputs)
}

fn compressed<T: CanonicalSerialize>(t: &T) -> Vec<u8> {
	let mut out = Vec::new();
	t.serialize_with_mode(&mut out, Compress::Yes).unwrap();
	out
}

fn with(bytes: &[u8], at: usize, part: &[u8]) -> Vec<u8> {
	let mut out = bytes.to_vec();
	out[at..at + part.len()].copy_from_slice(part);
	out
}

/// A compressed G1 "point" whose `x` is not on the curve (`x³ + 3` is no square).
fn g1_off_curve() -> Vec<u8> {
	let mut x = Fq::from(2u64);
	loop {
		if G1Affine::get_point_from_x_unchecked(x, true).is_none() {
			let bytes = compressed(&G1Affine::new_unchecked(x, Fq::one()));
			assert!(G1Affine::deserialize_compressed(&bytes[..]).is_err());
			return bytes;
		}
		x += Fq::one();
	}
}

/// A compressed G2 "point" whose `x` is not on the twist.
fn g2_off_curve() -> Vec<u8> {
	let mut x = Fq2::new(Fq::from(2u64), Fq::one());
	loop {
		if G2Affine::get_point_from_x_unchecked(x, true).is_none() {
			let bytes = compressed(&G2Affine::new_unchecked(x, Fq2::one()));
			assert!(G2Affine::deserialize_compressed(&bytes[..]).is_err());
			return bytes;
		}
		x += Fq2::one();
	}
}

/// A point on the twist outside the prime-order subgroup (no cofactor clearing).
fn g2_outside_subgroup(rng: &mut impl ark_std::rand::RngCore) -> G2Affine {
	loop {
		let x = Fq2::rand(rng);
		if let Some(p) = G2Affine::get_point_from_x_unchecked(x, true) {
			assert!(p.is_on_curve());
			if !p.is_in_correct_subgroup_assuming_on_curve() {
				return p;
			}
		}
	}
}

/// An ark-bn254 G2 point as a point of the hooked curve.
fn to_hooked(p: &G2Affine) -> hooks::G2Affine {
	let mut bytes = Vec::new();
	p.serialize_uncompressed(&mut bytes).unwrap();
	hooks::G2Affine::deserialize_with_mode(&bytes[..], Compress::No, Validate::No).unwrap()
}

#[test]
fn demo_proof_verifies_in_all_three_ways() {
	let (vk, proof, inputs) = demo_case(9, 3);
	check(&vk, &proof, &inputs, Ok(true));
	assert_eq!(pure::parse_vk(&vk), Some(2));
	assert_eq!(crate::groth16_bn254::parse_vk(&vk), Some(2));
	assert_eq!(native::parse_vk(&vk), Some(2));
	assert_eq!(hooks::parse_key(&vk).unwrap().gamma_abc_g1.len(), 3);
	// Re-randomized: other bytes, same statement.
	let r = demo::rerandomize(&proof, 5);
	assert_ne!(r, proof);
	check(&vk, &r, &inputs, Ok(true));
}

#[test]
fn wrong_inputs_and_tampered_proofs_fail() {
	let (vk, proof, inputs) = demo_case(9, 3);
	// Another output.
	let y4 = vec![demo::fr_bytes(demo::output(4)), inputs[1]];
	check(&vk, &proof, &y4, Ok(false));
	// Another request, another prover: another binding.
	let other_request = vec![inputs[0], demo::fr_bytes(demo::binding(10, &PROVER))];
	check(&vk, &proof, &other_request, Ok(false));
	let other_prover = vec![inputs[0], demo::fr_bytes(demo::binding(9, &[8u8; 32]))];
	check(&vk, &proof, &other_prover, Ok(false));
	// A proof of another statement claiming this output.
	let tampered = demo::prove(4, 9, &PROVER, 1);
	check(&vk, &tampered, &inputs, Ok(false));
	// Every single bit flip of the proof: rejected, the same way by every engine.
	for i in 0..proof.len() {
		for bit in [0u8, 3, 7] {
			let mut p = proof.clone();
			p[i] ^= 1 << bit;
			let r = agree(&vk, &p, &inputs);
			assert!(matches!(r, Ok(false) | Err(Error::InvalidProof)), "byte {i} bit {bit}: {r:?}");
		}
	}
}

#[test]
fn inputs_must_match_the_key_and_be_canonical() {
	let (vk, proof, inputs) = demo_case(9, 3);
	check(&vk, &proof, &inputs[..1], Err(Error::InputCount));
	check(&vk, &proof, &[inputs[0], inputs[1], inputs[1]], Err(Error::InputCount));
	check(&vk, &proof, &[], Err(Error::InputCount));
	// The modulus itself and all-ones: not canonical scalars.
	let mut modulus = [0u8; 32];
	modulus.copy_from_slice(&ark_ff::BigInteger::to_bytes_le(&Fr::MODULUS));
	check(&vk, &proof, &[modulus, inputs[1]], Err(Error::InvalidInput));
	check(&vk, &proof, &[inputs[0], [0xff; 32]], Err(Error::InvalidInput));
	// The host function's inputs: whole 32-byte scalars only.
	let mut bytes = join_inputs(&inputs);
	bytes.push(0);
	assert_eq!(crate::groth16_bn254::verify(&vk, &proof, &bytes), Err(Error::InvalidInput));
	assert_eq!(crate::groth16_bn254::verify(&vk, &proof, &bytes[..63]), Err(Error::InvalidInput));
}

#[test]
fn malformed_keys_and_proofs_are_rejected() {
	let (vk, proof, inputs) = demo_case(9, 3);
	let n = vk.len();
	let mut longer = vk.clone();
	longer.push(0);
	// Declares 3 inputs (4 points) but carries 3 points.
	let mut miscounted = vk.clone();
	miscounted[pure::VK_FIXED - 8] = 4;
	let mut zero_points = vk[..pure::VK_FIXED].to_vec();
	zero_points[pure::VK_FIXED - 8..].copy_from_slice(&0u64.to_le_bytes());
	let mut huge = vk.clone();
	huge[pure::VK_FIXED - 8..pure::VK_FIXED].copy_from_slice(&u64::MAX.to_le_bytes());
	for bad in [
		&[][..],
		&vk[..10],
		&vk[..n - 1],
		&longer[..],
		&miscounted[..],
		&zero_points[..],
		&huge[..],
		&[0xffu8; 328][..],
	] {
		check(bad, &proof, &inputs, Err(Error::InvalidKey));
		assert_eq!(pure::parse_vk(bad), None);
		assert_eq!(crate::groth16_bn254::parse_vk(bad), None);
	}
	let mut longer = proof.clone();
	longer.push(0);
	for bad in [&[][..], &proof[..127], &longer[..], &[0xffu8; 128][..]] {
		check(&vk, bad, &inputs, Err(Error::InvalidProof));
	}
	// A key with only the binding is valid; none at all (no inputs) is not a program.
	assert_eq!(pure::vk_len(2), n);
	assert_eq!(pure::declared_inputs(&vk), Some(2));
	assert_eq!(pure::vk_len(u32::MAX), pure::VK_FIXED + 32 * (u32::MAX as usize + 1));
}

#[test]
fn off_curve_points_are_rejected() {
	let (vk, proof, inputs) = demo_case(9, 3);
	let g1 = g1_off_curve();
	let g2 = g2_off_curve();
	// Key: alpha (G1), beta, gamma, delta (G2), the first and last gamma_abc point (G1).
	for (at, part) in
		[(0, &g1), (32, &g2), (96, &g2), (160, &g2), (pure::VK_FIXED, &g1), (vk.len() - 32, &g1)]
	{
		let bad = with(&vk, at, part);
		check(&bad, &proof, &inputs, Err(Error::InvalidKey));
		assert_eq!(pure::parse_vk(&bad), None);
		assert_eq!(crate::groth16_bn254::parse_vk(&bad), None);
	}
	// Proof: a (G1), b (G2), c (G1).
	for (at, part) in [(0, &g1), (32, &g2), (96, &g1)] {
		check(&vk, &with(&proof, at, part), &inputs, Err(Error::InvalidProof));
	}
	// Flipping bytes of x until it leaves the curve: rejected too.
	let mut flipped = None;
	for i in 0..31 {
		let p = with(&proof, i, &[proof[i] ^ 0x55]);
		if G1Affine::deserialize_compressed_unchecked(&p[..32]).is_err() {
			flipped = Some(p);
			break;
		}
	}
	check(&vk, &flipped.expect("some flip leaves the curve"), &inputs, Err(Error::InvalidProof));
}

#[test]
fn g2_points_outside_the_subgroup_are_rejected() {
	let mut rng = test_rng();
	let (vk, proof, inputs) = demo_case(9, 3);
	for _ in 0..3 {
		let p = g2_outside_subgroup(&mut rng);
		let bytes = compressed(&p);
		assert_eq!(bytes.len(), 64);
		// On the curve (decompresses unchecked), but refused by validation.
		assert_eq!(G2Affine::deserialize_compressed_unchecked(&bytes[..]).unwrap(), p);
		assert!(G2Affine::deserialize_compressed(&bytes[..]).is_err());
		assert!(!hooks::g2_in_subgroup(&to_hooked(&p)));
		for at in [32, 96, 160] {
			let bad = with(&vk, at, &bytes);
			check(&bad, &proof, &inputs, Err(Error::InvalidKey));
			assert_eq!(pure::parse_vk(&bad), None);
			assert_eq!(crate::groth16_bn254::parse_vk(&bad), None);
			assert!(hooks::parse_key(&bad).is_err());
		}
		check(&vk, &with(&proof, 32, &bytes), &inputs, Err(Error::InvalidProof));
	}
}

#[test]
fn hooked_subgroup_check_agrees_with_arkworks() {
	let mut rng = test_rng();
	for _ in 0..8 {
		let inside = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
		assert!(hooks::g2_in_subgroup(&to_hooked(&inside)));
		let outside = g2_outside_subgroup(&mut rng);
		assert!(!hooks::g2_in_subgroup(&to_hooked(&outside)));
		// Cofactor clearing brings it into the subgroup.
		let cleared = outside.clear_cofactor();
		assert!(cleared.is_in_correct_subgroup_assuming_on_curve());
		assert!(hooks::g2_in_subgroup(&to_hooked(&cleared)));
	}
	assert!(hooks::g2_in_subgroup(&to_hooked(&G2Affine::zero())));
}

/// A valid key with `n` public inputs made of random group elements.
fn random_key(rng: &mut impl ark_std::rand::RngCore, n: usize) -> Vec<u8> {
	let g1 = |rng: &mut _| (G1Projective::generator() * Fr::rand(rng)).into_affine();
	let g2 = |rng: &mut _| (G2Projective::generator() * Fr::rand(rng)).into_affine();
	let vk = VerifyingKey::<ark_bn254::Bn254> {
		alpha_g1: g1(rng),
		beta_g2: g2(rng),
		gamma_g2: g2(rng),
		delta_g2: g2(rng),
		gamma_abc_g1: (0..=n).map(|_| g1(rng)).collect(),
	};
	compressed(&vk)
}

#[test]
fn the_cache_of_prepared_keys_is_bounded_and_transparent() {
	let (vk, proof, inputs) = demo_case(9, 3);
	let first = native::prepared(&vk).unwrap();
	let again = native::prepared(&vk).unwrap();
	assert!(std::sync::Arc::ptr_eq(&first, &again), "second lookup hits the cache");
	assert_eq!(native::verify(&vk, &proof, &join_inputs(&inputs)), Ok(true));
	assert_eq!(native::verify(&vk, &proof, &join_inputs(&inputs)), Ok(true));
	// Invalid keys are not cached.
	let before = native::cache_len();
	assert!(native::prepared(&vk[..vk.len() - 1]).is_err());
	assert!(native::cache_len() <= before);
	// More keys than it holds: bounded, and evicted keys are prepared again.
	let mut rng = test_rng();
	for _ in 0..native::CACHE_SIZE + 6 {
		let key = random_key(&mut rng, 2);
		assert_eq!(pure::parse_vk(&key), Some(2));
		native::prepared(&key).unwrap();
		assert!(native::cache_len() <= native::CACHE_SIZE);
		assert!(native::cache_bytes() <= native::CACHE_BYTES);
	}
	// Large keys: bounded in bytes too, and one too large is not cached at all.
	for _ in 0..40 {
		let key = random_key(&mut rng, 1_000);
		native::prepared(&key).unwrap();
		assert!(native::cache_bytes() <= native::CACHE_BYTES);
	}
	let before = native::cache_bytes();
	let huge = random_key(&mut rng, 3_000);
	assert!(huge.len() > native::MAX_CACHED_KEY);
	native::prepared(&huge).unwrap();
	assert_eq!(native::cache_bytes(), before, "a key past MAX_CACHED_KEY is not cached");
	assert_eq!(native::verify(&vk, &proof, &join_inputs(&inputs)), Ok(true));
	// Same answers with the cache emptied.
	native::clear_cache();
	assert_eq!(native::verify(&vk, &proof, &join_inputs(&inputs)), Ok(true));
	let y4 = [demo::fr_bytes(demo::output(4)), inputs[1]];
	assert_eq!(native::verify(&vk, &proof, &join_inputs(&y4)), Ok(false));
	assert_eq!(native::verify(&vk, &proof, &join_inputs(&y4)), Ok(false));
}

#[test]
fn random_valid_keys_are_accepted_the_same_way() {
	let mut rng = test_rng();
	let (_, proof, inputs) = demo_case(9, 3);
	for n in 1..4 {
		let key = random_key(&mut rng, n);
		assert_eq!(pure::parse_vk(&key), Some(n as u32));
		assert_eq!(crate::groth16_bn254::parse_vk(&key), Some(n as u32));
		assert!(hooks::parse_key(&key).is_ok());
		let mut ins = inputs.clone();
		ins.resize(n, inputs[1]);
		// A real proof of another key: well-formed, does not verify.
		check(&key, &proof, &ins, Ok(false));
	}
}

#[test]
fn codes_cross_the_boundary_unchanged() {
	let all = [
		Ok(false),
		Ok(true),
		Err(Error::InvalidKey),
		Err(Error::InvalidProof),
		Err(Error::InvalidInput),
		Err(Error::InputCount),
		Err(Error::Internal),
	];
	for (i, r) in all.into_iter().enumerate() {
		let code = u32::from(VerifyCode::from(r));
		assert_eq!(code, i as u32);
		assert_eq!(Result::<bool, Error>::from(VerifyCode::try_from(code).unwrap()), r);
	}
	assert!(VerifyCode::try_from(7).is_err());
	for n in [None, Some(0), Some(1), Some(u32::MAX)] {
		let wire = u64::from(ParsedVk::from(n));
		assert_eq!(Option::<u32>::from(ParsedVk::try_from(wire).unwrap()), n);
	}
	assert!(ParsedVk::try_from(u32::MAX as u64 + 2).is_err());
}

#[test]
fn hook_buffers_fit_their_values() {
	use hooks::{FQ12_UNCOMPRESSED, G1_UNCOMPRESSED, G2_UNCOMPRESSED};
	assert_eq!(G1Affine::generator().uncompressed_size(), G1_UNCOMPRESSED);
	assert_eq!(G2Affine::generator().uncompressed_size(), G2_UNCOMPRESSED);
	assert_eq!(<ark_bn254::Fq12 as Field>::ONE.uncompressed_size(), FQ12_UNCOMPRESSED);
}

#[test]
fn hooked_pairing_and_msm_match_arkworks() {
	use ark_ec::{pairing::Pairing, VariableBaseMSM};
	let mut rng = test_rng();
	let a = (G1Projective::generator() * Fr::rand(&mut rng)).into_affine();
	let b = (G2Projective::generator() * Fr::rand(&mut rng)).into_affine();
	let plain = ark_bn254::Bn254::pairing(a, b).0;
	let mut bytes = Vec::new();
	a.serialize_uncompressed(&mut bytes).unwrap();
	let ha = hooks::G1Affine::deserialize_uncompressed(&bytes[..]).unwrap();
	let hooked = hooks::Bn254::pairing(ha, to_hooked(&b)).0;
	assert_eq!(plain, hooked);
	let scalars: Vec<Fr> = (0..5).map(|_| Fr::rand(&mut rng)).collect();
	let bases: Vec<G2Affine> =
		(0..5).map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
	let plain = G2Projective::msm(&bases, &scalars).unwrap().into_affine();
	let hooked_bases: Vec<hooks::G2Affine> = bases.iter().map(to_hooked).collect();
	let hooked = hooks::G2Projective::msm(&hooked_bases, &scalars).unwrap().into_affine();
	assert_eq!(to_hooked(&plain), hooked);
}

#[test]
fn the_batch_counts_what_verifies() {
	let (vk, proof, inputs) = demo_case(9, 3);
	let (_, proof2, inputs2) = demo_case(11, 5);
	let bad = (proof.clone(), inputs2.clone());
	let batch = vec![(proof, inputs), (proof2, inputs2), bad];
	for engine in bench::ENGINES {
		assert_eq!(bench::verify_batch(engine, &vk, &batch, LIMITS), 2, "engine {engine}");
		assert_eq!(bench::verify_batch(engine, &vk, &[], LIMITS), 0);
	}
	assert_eq!(bench::verify_batch(3, &vk, &batch, LIMITS), 0);
	let many = vec![batch[0].clone(); bench::MAX_BENCH_PROOFS + 1];
	assert_eq!(bench::verify_batch(bench::ENGINE_HOST, &vk, &many, LIMITS), 0);
}

/// The runtime's bounds (MaxVkLen 4,096, MaxPublicInputs 16 + the binding,
/// MaxProofLen 512).
const LIMITS: bench::Limits =
	bench::Limits { max_vk_len: 4096, max_inputs: 17, max_proof_len: 512 };

/// Attack (issue 28, item 4): a call with a huge key (here over 640 KiB, 21,000
/// inputs) or too many inputs is refused before any parsing: it verifies
/// nothing (the time it took is printed).
#[test]
fn bench_calls_beyond_the_chains_limits_are_refused_before_parsing() {
	let (vk, proof, inputs) = demo_case(9, 3);
	let batch = vec![(proof.clone(), inputs.clone())];
	let mut rng = test_rng();
	let huge = random_key(&mut rng, 21_000);
	assert!(huge.len() > 640 * 1024);
	let started = std::time::Instant::now();
	for engine in bench::ENGINES {
		assert_eq!(bench::verify_batch(engine, &huge, &batch, LIMITS), 0);
	}
	let kind = zkmarket_groth16_formats::ProgramKind::Arkworks;
	let program = vec![(proof.clone(), inputs[..1].to_vec(), inputs[1])];
	assert_eq!(bench::verify_program_batch(&kind, None, &huge, &program, LIMITS), 0);
	// Diagnostic only (no timing assert): nothing was parsed.
	println!("4 refused calls with a {} KiB key: {:?}", huge.len() / 1024, started.elapsed());
	// A key within the length bound that declares more inputs than allowed.
	let tight = bench::Limits { max_inputs: 1, ..LIMITS };
	assert_eq!(bench::verify_batch(bench::ENGINE_HOST, &vk, &batch, tight), 0);
	// Too many inputs or too long a proof in the batch.
	let extra = vec![(proof.clone(), vec![inputs[0]; 18])];
	assert_eq!(bench::verify_batch(bench::ENGINE_HOST, &vk, &extra, LIMITS), 0);
	let long = vec![(vec![0u8; 513], inputs.clone())];
	assert_eq!(bench::verify_batch(bench::ENGINE_HOST, &vk, &long, LIMITS), 0);
	// Within the limits it verifies.
	assert_eq!(bench::verify_batch(bench::ENGINE_HOST, &vk, &batch, LIMITS), 1);
	assert_eq!(bench::verify_program_batch(&kind, None, &vk, &program, LIMITS), 1);
}
