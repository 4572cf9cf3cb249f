//! Groth16 over BN254: parsing keys and verifying proofs through the
//! `zkmarket-groth16-host` host functions (design A): the node verifies with
//! native arkworks and caches prepared keys. Natively (tests, the prover tool)
//! the host interface simply runs that native code.
//!
//! Encoding: keys and proofs use arkworks' compressed canonical serialization;
//! public inputs are 32-byte little-endian canonical scalar field elements.

use alloc::vec::Vec;
use zkmarket_groth16_host::groth16_bn254;
use zkmarket_primitives::traits::PublicInput;

/// Length in bytes of a compressed key with `n` public inputs (`n + 1` points),
/// and the number of public inputs a key declares, read from its point count
/// alone (cheap: lets callers bound the work before parsing).
pub use zkmarket_groth16_host::pure::{declared_inputs, vk_len};

/// Parses a verifying key; returns its number of public inputs (at least 1: the
/// binding), or `None` when the bytes are not exactly one valid key (points off
/// the curve or outside the prime-order subgroup included). A host call.
pub fn parse_vk(bytes: &[u8]) -> Option<u32> {
	let declared = declared_inputs(bytes)?;
	if declared < 1 || bytes.len() != vk_len(declared) {
		return None;
	}
	groth16_bn254::parse_vk(bytes)
}

/// Verifies an arkworks compressed `proof` for `vk` with ALL its public inputs
/// (a program kind's statement), with one host call.
pub fn verify(vk: &[u8], proof: &[u8], inputs: &[PublicInput]) -> bool {
	let public: Vec<u8> = inputs.iter().flatten().copied().collect();
	groth16_bn254::verify(vk, proof, &public) == Ok(true)
}
