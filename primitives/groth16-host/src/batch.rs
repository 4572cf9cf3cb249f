//! Batch verification of Groth16 BN254 proofs of one verifying key, by a
//! random linear combination (the first step of issue 31; not yet used by the
//! off-chain worker).
//!
//! Each proof `i` is valid when `e(A_i, B_i) = e(α, β) · e(L_i, γ) · e(C_i, δ)`
//! with `L_i = γ_abc[0] + Σ_j x_ij γ_abc[j+1]`. With a random 128-bit `r_i`
//! per proof, all of them are checked at once by
//!
//! `Π e(r_i A_i, B_i) · e(-Σ r_i L_i, γ) · e(-Σ r_i C_i, δ) · e(-(Σ r_i) α, β) = 1`
//!
//! one multi-Miller loop over `n + 3` pairs and one final exponentiation;
//! `Σ r_i L_i` and `Σ r_i C_i` are two multi-scalar multiplications.
//!
//! Soundness: if some proof is invalid, the combination holds for at most a
//! fraction `2^-128` of the `r` (the target group has prime order `r >
//! 2^253`, and the check is a non-zero linear form in the `r_i` over it), as
//! long as the `r_i` are drawn after the proofs are fixed and unknown to their
//! authors: each verifier draws its own from its local randomness.
//!
//! On failure, [`find_invalid`] names the invalid proofs by bisection: it
//! checks the left half of a failing set; if the left half passes, the fault
//! is in the right half without checking it. One bad proof in `n` costs about
//! `n` more Miller loops after the failed batch (`n/2 + n/4 + ...`), so about
//! twice the batch in all.

use crate::{pure, Error};
use alloc::vec::Vec;
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{pairing::Pairing, CurveGroup, VariableBaseMSM};
use ark_ff::Zero;
use ark_groth16::{Proof, VerifyingKey};

/// One proof and all its public inputs, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
	/// The proof.
	pub proof: Proof<Bn254>,
	/// Every public input, in the key's order.
	pub inputs: Vec<Fr>,
}

/// Whether every proof of `items` verifies for `vk`, in one combined check;
/// `rand` draws the 128-bit coefficients. An empty list verifies; an item
/// whose input count is not the key's fails the batch.
pub fn verify_all(
	vk: &VerifyingKey<Bn254>,
	items: &[&Item],
	rand: &mut dyn FnMut() -> u128,
) -> bool {
	if items.is_empty() {
		return true;
	}
	let inputs = vk.gamma_abc_g1.len() - 1;
	if items.iter().any(|i| i.inputs.len() != inputs) {
		return false;
	}
	let r: Vec<Fr> = items.iter().map(|_| Fr::from(rand())).collect();
	let sum_r: Fr = r.iter().sum();
	// Σ r_i L_i = (Σ r_i) γ_abc[0] + Σ_j (Σ_i r_i x_ij) γ_abc[j+1].
	let mut input_scalars = Vec::with_capacity(inputs + 1);
	input_scalars.push(sum_r);
	for j in 0..inputs {
		input_scalars.push(items.iter().zip(&r).map(|(i, r)| i.inputs[j] * r).sum());
	}
	let Ok(sum_l) = G1Projective::msm(&vk.gamma_abc_g1, &input_scalars) else { return false };
	let cs: Vec<G1Affine> = items.iter().map(|i| i.proof.c).collect();
	let Ok(sum_c) = G1Projective::msm(&cs, &r) else { return false };
	let mut g1: Vec<G1Affine> =
		items.iter().zip(&r).map(|(i, r)| (i.proof.a * r).into_affine()).collect();
	let mut g2: Vec<_> = items.iter().map(|i| i.proof.b).collect();
	g1.extend([
		(-sum_l).into_affine(),
		(-sum_c).into_affine(),
		(-(vk.alpha_g1 * sum_r)).into_affine(),
	]);
	g2.extend([vk.gamma_g2, vk.delta_g2, vk.beta_g2]);
	Bn254::multi_pairing(g1, g2).is_zero()
}

/// The indexes of the invalid proofs of `items` (empty when all verify): one
/// combined check, then bisection of a failing set (module docs).
pub fn find_invalid(
	vk: &VerifyingKey<Bn254>,
	items: &[Item],
	rand: &mut dyn FnMut() -> u128,
) -> Vec<usize> {
	let all: Vec<usize> = (0..items.len()).collect();
	let mut bad = Vec::new();
	if !check(vk, items, &all, rand) {
		bisect(vk, items, &all, rand, &mut bad);
	}
	bad
}

fn check(
	vk: &VerifyingKey<Bn254>,
	items: &[Item],
	set: &[usize],
	rand: &mut dyn FnMut() -> u128,
) -> bool {
	let refs: Vec<&Item> = set.iter().map(|&i| &items[i]).collect();
	verify_all(vk, &refs, rand)
}

/// `set` is known to hold at least one invalid proof.
fn bisect(
	vk: &VerifyingKey<Bn254>,
	items: &[Item],
	set: &[usize],
	rand: &mut dyn FnMut() -> u128,
	bad: &mut Vec<usize>,
) {
	if let [only] = set {
		bad.push(*only);
		return;
	}
	let (left, right) = set.split_at(set.len() / 2);
	if check(vk, items, left, rand) {
		// The fault is in the right half.
		bisect(vk, items, right, rand, bad);
	} else {
		bisect(vk, items, left, rand, bad);
		if !check(vk, items, right, rand) {
			bisect(vk, items, right, rand, bad);
		}
	}
}

/// Verdicts for proofs given as bytes (arkworks compressed proofs, 32-byte
/// little-endian inputs, the binding last), the same as one-by-one
/// [`pure::verify`] gives: `true` only for a proof that verifies. A proof or
/// input that does not parse (wrong length, a point off the curve or outside
/// the subgroup, a non-canonical scalar, a wrong input count) is `false`
/// without a pairing; the rest are checked together and the invalid ones named
/// by [`find_invalid`]. `Err` only for a key that does not parse.
pub fn verdicts(
	vk: &[u8],
	proofs: &[(&[u8], &[[u8; 32]])],
	rand: &mut dyn FnMut() -> u128,
) -> Result<Vec<bool>, Error> {
	let vk = pure::parse_key(vk)?;
	let mut out = alloc::vec![false; proofs.len()];
	let mut items = Vec::new();
	let mut positions = Vec::new();
	for (at, (proof, inputs)) in proofs.iter().enumerate() {
		if inputs.len() + 1 != vk.gamma_abc_g1.len() {
			continue;
		}
		let (Ok(proof), Ok(inputs)) = (pure::parse_proof(proof), pure::parse_inputs(inputs)) else {
			continue;
		};
		items.push(Item { proof, inputs });
		positions.push(at);
	}
	for &at in &positions {
		out[at] = true;
	}
	for bad in find_invalid(&vk, &items, rand) {
		out[positions[bad]] = false;
	}
	Ok(out)
}

#[cfg(test)]
mod tests {
	use super::*;
	use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
	use std::sync::OnceLock;
	use zkmarket_demo_circuit as demo;

	const PROVER: [u8; 32] = [7u8; 32];

	/// A proof's bytes and its public inputs.
	type Bytes = (Vec<u8>, Vec<[u8; 32]>);
	/// The demo key, its proofs, and a proof of another key.
	type Pool = (Vec<u8>, Vec<Bytes>, Vec<u8>);

	/// Proofs of the demo key: (proof bytes, inputs) for x = 1..=6, request = x.
	fn pool() -> &'static Pool {
		static POOL: OnceLock<Pool> = OnceLock::new();
		POOL.get_or_init(|| {
			let (pk, _) = demo::keys();
			let proofs = (1..=6u64)
				.map(|x| {
					let proof = demo::prove_with(&pk, x, x, &PROVER, x);
					let inputs = vec![
						demo::fr_bytes(demo::output(x)),
						demo::fr_bytes(demo::binding(x, &PROVER)),
					];
					(proof, inputs)
				})
				.collect();
			// A proof of the same statement under another setup (another key).
			let mut rng = StdRng::seed_from_u64(99);
			let circuit = demo::DemoCircuit { x: None, y: None, binding: None };
			let (other_pk, _) =
				<ark_groth16::Groth16<Bn254> as ark_snark::SNARK<Fr>>::circuit_specific_setup(
					circuit, &mut rng,
				)
				.unwrap();
			let other = demo::prove_with(&other_pk, 1, 1, &PROVER, 1);
			(demo::vk_bytes(), proofs, other)
		})
	}

	fn single(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]]) -> bool {
		pure::verify(vk, proof, inputs) == Ok(true)
	}

	/// A random batch of the pool's proofs, each changed in one of the ways a
	/// bad proof can differ, or not at all.
	fn batch(rng: &mut StdRng, n: usize) -> Vec<Bytes> {
		let (_, proofs, other) = pool();
		(0..n)
			.map(|_| {
				let (mut proof, mut inputs) = proofs[rng.gen_range(0..proofs.len())].clone();
				match rng.gen_range(0..8) {
					// Another binding: another prover's or request's.
					0 => inputs[1] = demo::fr_bytes(demo::binding(rng.gen(), &PROVER)),
					1 => inputs[1] = demo::fr_bytes(demo::binding(1, &[rng.gen(); 32])),
					// Another statement.
					2 => inputs[0] = demo::fr_bytes(demo::output(rng.gen_range(7..100))),
					// A proof of another key.
					3 => proof = other.clone(),
					// A bit flip anywhere in the proof (a point off the curve,
					// outside the subgroup, or another valid point).
					4 => {
						let bit = rng.gen_range(0..proof.len() * 8);
						proof[bit / 8] ^= 1 << (bit % 8);
					}
					// Another proof's bytes.
					5 => proof = proofs[rng.gen_range(0..proofs.len())].0.clone(),
					_ => {}
				}
				(proof, inputs)
			})
			.collect()
	}

	#[test]
	fn batch_verdicts_are_single_verdicts() {
		let (vk, _, _) = pool();
		let mut rng = StdRng::seed_from_u64(1);
		for round in 0..40 {
			let n = [1, 2, 3, 5, 8, 16][round % 6];
			let proofs = batch(&mut rng, n);
			let want: Vec<bool> = proofs.iter().map(|(p, i)| single(vk, p, i)).collect();
			let refs: Vec<(&[u8], &[[u8; 32]])> =
				proofs.iter().map(|(p, i)| (&p[..], &i[..])).collect();
			let mut coins = StdRng::seed_from_u64(1000 + round as u64);
			let got = verdicts(vk, &refs, &mut || coins.gen()).unwrap();
			assert_eq!(got, want, "round {round}");
		}
	}

	#[test]
	fn one_bad_proof_among_many_is_named_and_only_it() {
		let (vk_bytes, proofs, other) = pool();
		let vk = pure::parse_key(vk_bytes).unwrap();
		let item = |(p, i): &Bytes| Item {
			proof: pure::parse_proof(p).unwrap(),
			inputs: pure::parse_inputs(i).unwrap(),
		};
		let mut items: Vec<Item> = (0..48).map(|k| item(&proofs[k % proofs.len()])).collect();
		let mut coins = StdRng::seed_from_u64(5);
		let mut rand = || coins.gen::<u128>();
		assert!(find_invalid(&vk, &items, &mut rand).is_empty());
		let refs: Vec<&Item> = items.iter().collect();
		assert!(verify_all(&vk, &refs, &mut rand));
		// A proof of another key at 31, a moved binding at 7.
		items[31].proof = pure::parse_proof(other).unwrap();
		items[7].inputs[1] = items[8].inputs[1];
		assert_eq!(find_invalid(&vk, &items, &mut rand), vec![7, 31]);
		let refs: Vec<&Item> = items.iter().collect();
		assert!(!verify_all(&vk, &refs, &mut rand));
		// A wrong input count fails the batch, and is named.
		items[7].inputs[1] = items[7].inputs[0];
		items[40].inputs.pop();
		assert_eq!(find_invalid(&vk, &items, &mut rand), vec![7, 31, 40]);
	}

	#[test]
	fn a_key_that_does_not_parse_is_an_error() {
		let mut vk = pool().0.clone();
		vk.truncate(vk.len() - 1);
		assert_eq!(verdicts(&vk, &[], &mut || 1), Err(Error::InvalidKey));
	}
}
