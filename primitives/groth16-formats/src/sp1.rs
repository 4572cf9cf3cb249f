//! SP1 Groth16 proofs (gnark, wrapped by SP1's recursion), SP1 v6.
//!
//! `proof.bytes()` is `selector(4) ‖ exit_code(32) ‖ vk_root(32) ‖
//! proof_nonce(32) ‖ proof(256, EVM layout)`, words big-endian; the selector
//! is the first 4 bytes of sha256 of the SP1 version's `groth16_vk.bin`. The
//! verifier's public inputs are `[vkey_hash, committed_values_digest,
//! exit_code, vk_root, proof_nonce]`: the program pins `vkey_hash` (which
//! guest program) and `vk_root` (which SP1 version's recursion keys); the
//! request carries the committed values' digest; the exit code must be 0; the
//! nonce is whatever the prover chose.
use crate::{evm, points, FormatError, Scalar};
use alloc::vec::Vec;

/// Bytes of an SP1 v6 Groth16 proof.
pub const PROOF_LEN: usize = 4 + 3 * 32 + evm::PROOF_LEN;
/// Public inputs of SP1 v6's Groth16 wrapper circuit.
pub const KEY_INPUTS: u32 = 5;

/// The selector of SP1 proofs made for a gnark key: sha256 of the key's bytes,
/// first 4 bytes.
pub fn selector(raw_vk: &[u8]) -> [u8; 4] {
	let h = sp_crypto_hashing::sha2_256(raw_vk);
	[h[0], h[1], h[2], h[3]]
}

/// SP1's committed values digest of public values, as a request input: sha256
/// with the top 3 bits cleared (always below the scalar modulus), read
/// big-endian, as 32 bytes little-endian. (SP1 also accepts a blake3 digest;
/// a requester using it puts that digest in the request instead.)
pub fn public_values_digest(public_values: &[u8]) -> Scalar {
	let mut d = sp_crypto_hashing::sha2_256(public_values);
	d[0] &= 0x1f;
	d.reverse();
	d
}

/// The parts of an SP1 proof, checked without curve arithmetic: the length,
/// the selector, exit code 0, the program's `vk_root`, a nonce below the
/// scalar modulus. Returns the nonce word and the EVM-layout proof.
pub fn split<'a>(
	proof: &'a [u8],
	selector: &[u8; 4],
	vk_root: &[u8; 32],
) -> Result<(&'a [u8], &'a [u8]), FormatError> {
	if proof.len() != PROOF_LEN {
		return Err(FormatError::ProofLength);
	}
	if proof[..4] != selector[..] {
		return Err(FormatError::WrongSelector);
	}
	if proof[4..36].iter().any(|b| *b != 0) {
		return Err(FormatError::NonZeroExitCode);
	}
	if proof[36..68] != vk_root[..] {
		return Err(FormatError::WrongVkRoot);
	}
	let nonce: &[u8; 32] = proof[68..100].try_into().map_err(|_| FormatError::ProofLength)?;
	if points::be_to_input(nonce).is_none() {
		return Err(FormatError::ProofEncoding);
	}
	evm::check_words(&proof[100..])?;
	Ok((&proof[68..100], &proof[100..]))
}

/// The verifier's public inputs for an SP1 proof of the program `vkey_hash`
/// made with `vk_root`, committing values whose digest is `digest`.
pub fn public_inputs(
	vkey_hash: &[u8; 32],
	digest: &Scalar,
	vk_root: &[u8; 32],
	nonce: &[u8],
) -> Result<Vec<Scalar>, FormatError> {
	let be = |w: &[u8]| -> Result<Scalar, FormatError> {
		let w: [u8; 32] = w.try_into().map_err(|_| FormatError::ProofLength)?;
		points::be_to_input(&w).ok_or(FormatError::Input)
	};
	if !points::is_canonical_input(digest) {
		return Err(FormatError::Input);
	}
	Ok(alloc::vec![be(vkey_hash)?, *digest, [0u8; 32], be(vk_root)?, be(nonce)?])
}
