//! Groth16 verification with arkworks, in whatever environment the code runs in:
//! natively on the host, in WASM inside the runtime.
//!
//! `deserialize_compressed` validates every point: decompression fails for an
//! `x` that is not on the curve, and the subgroup check rejects G2 points
//! outside the prime-order subgroup (G2 has a cofactor; G1 has none, so every
//! point of G1 on the curve is in the subgroup).

use crate::Error;
use alloc::vec::Vec;
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, VerifyingKey};
use ark_serialize::CanonicalDeserialize;

/// Bytes of a compressed key before its `gamma_abc_g1` points: alpha (G1), beta,
/// gamma, delta (G2), then the points' `u64` little-endian count.
pub const VK_FIXED: usize = G1_LEN + 3 * G2_LEN + 8;
/// Bytes of one compressed G1 point.
pub const G1_LEN: usize = 32;
/// Bytes of one compressed G2 point.
pub const G2_LEN: usize = 64;
/// Bytes of a compressed proof: `a` (G1), `b` (G2), `c` (G1).
pub const PROOF_LEN: usize = 2 * G1_LEN + G2_LEN;

/// Length in bytes of a compressed key with `n` public inputs (`n + 1` points);
/// saturates instead of overflowing (32-bit WASM).
pub const fn vk_len(n: u32) -> usize {
	VK_FIXED.saturating_add(G1_LEN.saturating_mul((n as usize).saturating_add(1)))
}

/// The number of public inputs a key declares, read from its point count alone
/// (cheap: lets callers bound the work before parsing).
pub fn declared_inputs(bytes: &[u8]) -> Option<u32> {
	let count: [u8; 8] = bytes.get(VK_FIXED - 8..VK_FIXED)?.try_into().ok()?;
	u64::from_le_bytes(count).checked_sub(1)?.try_into().ok()
}

/// Parses a key, checking first that its length is the one its declared point
/// count implies (bounds the work), then every point.
pub fn parse_key(bytes: &[u8]) -> Result<VerifyingKey<Bn254>, Error> {
	let declared = declared_inputs(bytes).ok_or(Error::InvalidKey)?;
	if bytes.len() != vk_len(declared) {
		return Err(Error::InvalidKey);
	}
	VerifyingKey::<Bn254>::deserialize_compressed(bytes).map_err(|_| Error::InvalidKey)
}

/// Parses a verifying key; returns its number of public inputs (at least 1: the
/// binding), or `None` when the bytes are not exactly one valid key.
pub fn parse_vk(bytes: &[u8]) -> Option<u32> {
	let vk = parse_key(bytes).ok()?;
	let n = vk.gamma_abc_g1.len().checked_sub(1)?;
	(n >= 1).then_some(n as u32)
}

/// Parses and prepares a key (one pairing): what a cache keeps.
pub fn prepare_vk(bytes: &[u8]) -> Result<PreparedVerifyingKey<Bn254>, Error> {
	parse_key(bytes).map(|vk| ark_groth16::prepare_verifying_key(&vk))
}

/// Parses a proof: exactly [`PROOF_LEN`] bytes, every point valid.
pub fn parse_proof(bytes: &[u8]) -> Result<Proof<Bn254>, Error> {
	if bytes.len() != PROOF_LEN {
		return Err(Error::InvalidProof);
	}
	Proof::<Bn254>::deserialize_compressed(bytes).map_err(|_| Error::InvalidProof)
}

/// Parses public inputs: canonical little-endian scalars.
pub fn parse_inputs(inputs: &[[u8; 32]]) -> Result<Vec<Fr>, Error> {
	inputs
		.iter()
		.map(|i| Fr::deserialize_compressed(&i[..]).map_err(|_| Error::InvalidInput))
		.collect()
}

/// Verifies `proof` against a prepared key with the public `inputs` (the
/// binding last).
pub fn verify_prepared(
	pvk: &PreparedVerifyingKey<Bn254>,
	proof: &[u8],
	inputs: &[[u8; 32]],
) -> Result<bool, Error> {
	if pvk.vk.gamma_abc_g1.len() != inputs.len() + 1 {
		return Err(Error::InputCount);
	}
	let proof = parse_proof(proof)?;
	let public = parse_inputs(inputs)?;
	Ok(Groth16::<Bn254>::verify_proof(pvk, &proof, &public).unwrap_or(false))
}

/// Verifies `proof` for the key `vk` with the public `inputs` (the binding last).
/// `Ok(false)`: well-formed but not a valid proof of these inputs.
/// Everything is parsed before the key is prepared, so a malformed proof costs
/// no pairing.
pub fn verify(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]]) -> Result<bool, Error> {
	let vk = parse_key(vk)?;
	if vk.gamma_abc_g1.len() != inputs.len() + 1 {
		return Err(Error::InputCount);
	}
	let proof = parse_proof(proof)?;
	let public = parse_inputs(inputs)?;
	let pvk = ark_groth16::prepare_verifying_key(&vk);
	Ok(Groth16::<Bn254>::verify_proof(&pvk, &proof, &public).unwrap_or(false))
}
