//! Groth16 over BN254 with arkworks: parsing keys and verifying proofs, in the
//! runtime's WASM (the off-chain worker) as natively.
//!
//! Encoding: keys and proofs use arkworks' compressed canonical serialization;
//! public inputs are 32-byte little-endian canonical scalar field elements.

use alloc::vec::Vec;
use ark_bn254::{Bn254, Fr};
use ark_ff::PrimeField;
use ark_groth16::{Groth16, Proof, VerifyingKey};
use ark_serialize::CanonicalDeserialize;
use zkmarket_primitives::traits::PublicInput;

/// Bytes of a compressed key before its `gamma_abc_g1` points: alpha (G1), beta,
/// gamma, delta (G2), then the points' `u64` little-endian count.
const VK_FIXED: usize = 32 + 3 * 64 + 8;
/// Bytes of one compressed G1 point.
const G1_LEN: usize = 32;

/// Length in bytes of a compressed key with `n` public inputs (`n + 1` points).
pub const fn vk_len(n: u32) -> usize {
	VK_FIXED + G1_LEN * (n as usize + 1)
}

/// The number of public inputs a key declares, read from its point count alone
/// (cheap: lets callers bound the work before parsing).
pub fn declared_inputs(bytes: &[u8]) -> Option<u32> {
	let count: [u8; 8] = bytes.get(VK_FIXED - 8..VK_FIXED)?.try_into().ok()?;
	u64::from_le_bytes(count).checked_sub(1)?.try_into().ok()
}

/// Parses a verifying key; returns its number of public inputs (at least 1: the
/// binding), or `None` when the bytes are not exactly one valid key.
pub fn parse_vk(bytes: &[u8]) -> Option<u32> {
	let declared = declared_inputs(bytes)?;
	if declared < 1 || bytes.len() != vk_len(declared) {
		return None;
	}
	let vk = VerifyingKey::<Bn254>::deserialize_compressed(bytes).ok()?;
	let n = vk.gamma_abc_g1.len().checked_sub(1)?;
	(n >= 1).then_some(n as u32)
}

/// The binding public input of a request and prover: blake2-256 of their SCALE
/// encodings, reduced into the scalar field, as 32 little-endian bytes.
pub fn binding(encoded_request_and_prover: &[u8]) -> PublicInput {
	let h = sp_io::hashing::blake2_256(encoded_request_and_prover);
	let f = Fr::from_le_bytes_mod_order(&h);
	let mut out = [0u8; 32];
	let bytes = ark_ff::BigInteger::to_bytes_le(&f.into_bigint());
	out.copy_from_slice(&bytes);
	out
}

/// Verifies `proof` for `vk` with the request's public `inputs` followed by the
/// `binding`. Any malformed key, proof or non-canonical input is invalid.
pub fn verify(vk: &[u8], proof: &[u8], inputs: &[PublicInput], binding: &PublicInput) -> bool {
	let Ok(vk) = VerifyingKey::<Bn254>::deserialize_compressed(vk) else { return false };
	if vk.gamma_abc_g1.len() != inputs.len() + 2 {
		return false;
	}
	let Ok(proof) = Proof::<Bn254>::deserialize_compressed(proof) else { return false };
	let mut public: Vec<Fr> = Vec::with_capacity(inputs.len() + 1);
	for i in inputs.iter().chain(core::iter::once(binding)) {
		match Fr::deserialize_compressed(&i[..]) {
			Ok(f) => public.push(f),
			Err(_) => return false,
		}
	}
	let pvk = ark_groth16::prepare_verifying_key(&vk);
	Groth16::<Bn254>::verify_proof(&pvk, &proof, &public).unwrap_or(false)
}
