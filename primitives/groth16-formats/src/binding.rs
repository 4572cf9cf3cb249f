//! The binding public input: what ties a proof to one request and one prover.
//!
//! `binding = blake2_256(SCALE(request_id: u64) ++ SCALE(prover))`, reduced
//! modulo the BN254 scalar field order, as 32 little-endian bytes. Programs of
//! the bound kinds (arkworks, snarkjs) take it as their last public input, so a
//! proof made for one request and prover does not verify for another.
//!
//! This is the one definition: the verifier pallet checks proofs with it, the
//! client and the prover agent compute the input they prove, and the demo
//! circuit's fixture proves it.

use crate::{points::fr_le, Scalar};
use ark_bn254::Fr;
use ark_ff::PrimeField;
use codec::Encode;

/// The binding of `request` and `prover` (any SCALE-encodable account id; for
/// a 32-byte account id its encoding is the 32 bytes themselves).
pub fn binding<A: Encode + ?Sized>(request: u64, prover: &A) -> Scalar {
	let mut data = request.encode();
	prover.encode_to(&mut data);
	binding_of_encoded(&data)
}

/// The binding of an already SCALE-encoded `(request, prover)` pair.
pub fn binding_of_encoded(encoded_request_and_prover: &[u8]) -> Scalar {
	let hash = sp_crypto_hashing::blake2_256(encoded_request_and_prover);
	fr_le(Fr::from_le_bytes_mod_order(&hash))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn binding_hashes_request_then_prover() {
		let prover = [7u8; 32];
		let mut data = 9u64.to_le_bytes().to_vec();
		data.extend_from_slice(&prover);
		assert_eq!(binding(9, &prover), binding_of_encoded(&data));
		assert_eq!(binding(9, &prover[..]), binding_of_encoded(&(9u64, &prover[..]).encode()));
		assert_ne!(binding(9, &prover), binding(10, &prover));
		assert_ne!(binding(9, &prover), binding(9, &[8u8; 32]));
	}

	#[test]
	fn binding_is_a_canonical_scalar() {
		for request in 0..64u64 {
			let b = binding(request, &[request as u8; 32]);
			let f = Fr::from_le_bytes_mod_order(&b);
			assert_eq!(fr_le(f), b);
		}
	}
}
