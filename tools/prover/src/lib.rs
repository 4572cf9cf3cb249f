//! The demo program of the zkmarket chain and a real Groth16 (BN254) prover for it.
//!
//! Statement: "I know `x` with `x^3 + x + 5 = y`", public input `y`. Every
//! program on the chain takes one more public input last: the *binding*
//! `blake2_256(SCALE(request_id) ++ SCALE(prover))` reduced into the scalar field.
//! The circuit constrains it (`b * b = b²`), so a proof made for one request and
//! prover does not verify for another: copying or re-randomizing it earns nothing.
//!
//! The keys come from a fixed seed, so the verifying key (and the program id) is
//! the same on every machine. A real deployment runs a trusted-setup ceremony
//! instead; this seed is public and only fit for a demo.

use ark_bn254::{Bn254, Fr};
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::{
	ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use codec::Encode;

/// Seed of the demo setup.
pub const SETUP_SEED: u64 = 0x7a6b_6d61_726b_6574; // "zkmarket"

/// The demo circuit: `x^3 + x + 5 = y` plus the binding input.
#[derive(Clone)]
pub struct DemoCircuit {
	/// Secret `x`.
	pub x: Option<Fr>,
	/// Public `y`.
	pub y: Option<Fr>,
	/// Public binding of request and prover.
	pub binding: Option<Fr>,
}

impl ConstraintSynthesizer<Fr> for DemoCircuit {
	fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
		let y = cs.new_input_variable(|| self.y.ok_or(SynthesisError::AssignmentMissing))?;
		let b = cs.new_input_variable(|| self.binding.ok_or(SynthesisError::AssignmentMissing))?;
		let x_val = self.x;
		let x = cs.new_witness_variable(|| x_val.ok_or(SynthesisError::AssignmentMissing))?;
		let x2_val = x_val.map(|x| x * x);
		let x2 = cs.new_witness_variable(|| x2_val.ok_or(SynthesisError::AssignmentMissing))?;
		let x3_val = x2_val.zip(x_val).map(|(a, b)| a * b);
		let x3 = cs.new_witness_variable(|| x3_val.ok_or(SynthesisError::AssignmentMissing))?;
		let b2_val = self.binding.map(|b| b * b);
		let b2 = cs.new_witness_variable(|| b2_val.ok_or(SynthesisError::AssignmentMissing))?;
		let lc = |v: Variable| LinearCombination::from(v);
		cs.enforce_r1cs_constraint(|| lc(x), || lc(x), || lc(x2))?;
		cs.enforce_r1cs_constraint(|| lc(x2), || lc(x), || lc(x3))?;
		cs.enforce_r1cs_constraint(
			|| {
				LinearCombination::from(x3)
					+ LinearCombination::from(x)
					+ (Fr::from(5u64), Variable::One)
			},
			|| lc(Variable::One),
			|| lc(y),
		)?;
		cs.enforce_r1cs_constraint(|| lc(b), || lc(b), || lc(b2))?;
		Ok(())
	}
}

/// The demo keys (deterministic).
pub fn keys() -> (ProvingKey<Bn254>, VerifyingKey<Bn254>) {
	let mut rng = StdRng::seed_from_u64(SETUP_SEED);
	let circuit = DemoCircuit { x: None, y: None, binding: None };
	Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng).expect("demo circuit setup")
}

/// The demo verifying key, compressed arkworks serialization (what `register_program` takes).
pub fn vk_bytes() -> Vec<u8> {
	let (_, vk) = keys();
	let mut out = Vec::new();
	vk.serialize_compressed(&mut out).expect("serialize vk");
	out
}

/// Program id of the demo program: blake2-256 of its verifying key bytes.
pub fn program_id() -> [u8; 32] {
	sp_crypto_hashing::blake2_256(&vk_bytes())
}

/// `y = x^3 + x + 5`.
pub fn output(x: u64) -> Fr {
	let x = Fr::from(x);
	x * x * x + x + Fr::from(5u64)
}

/// A field element as a 32-byte little-endian public input.
pub fn fr_bytes(f: Fr) -> [u8; 32] {
	let mut out = [0u8; 32];
	out.copy_from_slice(&f.into_bigint().to_bytes_le());
	out
}

/// The binding input of `request` and the SCALE-encoded prover account.
pub fn binding(request: u64, prover_encoded: &[u8]) -> Fr {
	let mut data = request.encode();
	data.extend_from_slice(prover_encoded);
	Fr::from_le_bytes_mod_order(&sp_crypto_hashing::blake2_256(&data))
}

/// A real proof that `y = x^3 + x + 5` for `request` and `prover`, compressed.
pub fn prove(x: u64, request: u64, prover_encoded: &[u8], seed: u64) -> Vec<u8> {
	let (pk, _) = keys();
	prove_with(&pk, x, request, prover_encoded, seed)
}

/// [`prove`] with the proving key given (computed once by a long-running prover).
pub fn prove_with(
	pk: &ProvingKey<Bn254>,
	x: u64,
	request: u64,
	prover_encoded: &[u8],
	seed: u64,
) -> Vec<u8> {
	let circuit = DemoCircuit {
		x: Some(Fr::from(x)),
		y: Some(output(x)),
		binding: Some(binding(request, prover_encoded)),
	};
	let mut rng = StdRng::seed_from_u64(seed);
	let proof = Groth16::<Bn254>::prove(pk, circuit, &mut rng).expect("prove");
	let mut out = Vec::new();
	proof.serialize_compressed(&mut out).expect("serialize proof");
	out
}

/// Re-randomizes a proof (same statement, different bytes): what a copier would try.
pub fn rerandomize(proof: &[u8], seed: u64) -> Vec<u8> {
	let (_, vk) = keys();
	let p = Proof::<Bn254>::deserialize_compressed(proof).expect("proof");
	let mut rng = StdRng::seed_from_u64(seed);
	let q = Groth16::<Bn254>::rerandomize_proof(&vk, &p, &mut rng);
	let mut out = Vec::new();
	q.serialize_compressed(&mut out).expect("serialize proof");
	out
}

/// Checks a proof natively (for the CLI and benchmarks).
pub fn verify(proof: &[u8], y: Fr, binding: Fr) -> bool {
	let (_, vk) = keys();
	let Ok(p) = Proof::<Bn254>::deserialize_compressed(proof) else { return false };
	let pvk = ark_groth16::prepare_verifying_key(&vk);
	Groth16::<Bn254>::verify_proof(&pvk, &p, &[y, binding]).unwrap_or(false)
}

/// Little-endian bytes of a field element, as a `0x` hex string.
pub fn fr_hex(f: Fr) -> String {
	format!("0x{}", hex::encode(fr_bytes(f)))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn proof_verifies_only_for_its_binding() {
		let prover = [7u8; 32];
		let proof = prove(3, 9, &prover, 1);
		assert!(verify(&proof, output(3), binding(9, &prover)));
		assert!(!verify(&proof, output(4), binding(9, &prover)));
		assert!(!verify(&proof, output(3), binding(10, &prover)));
		assert!(!verify(&proof, output(3), binding(9, &[8u8; 32])));
		let r = rerandomize(&proof, 5);
		assert_ne!(r, proof);
		assert!(verify(&r, output(3), binding(9, &prover)));
		assert!(!verify(&r, output(3), binding(9, &[8u8; 32])));
	}

	#[test]
	fn keys_are_deterministic() {
		assert_eq!(vk_bytes(), vk_bytes());
		assert_eq!(output(3), Fr::from(35u64));
	}
}
