//! Groth16 over BN254 for the zkmarket runtime, three ways:
//!
//! - [`pure`]: arkworks verification in whatever environment the code runs in
//!   (in the runtime: WASM).
//! - Design A, [`groth16_bn254`]: one host function per verification. The node
//!   runs ark-groth16 natively and keeps a small cache of prepared verifying
//!   keys, so repeated proofs for one program skip parsing and preparing the key.
//! - Design B, [`hooks`]: ark-groth16 runs in the runtime over
//!   `ark_bn254_ext::Bn254<HostHooks>`, whose expensive curve operations (Miller
//!   loop, final exponentiation, scalar multiplications) are host functions
//!   ([`bn254_hooks`]), the way `sp-crypto-ec-utils` does it for BLS12-381.
//!
//! Encoding everywhere: keys and proofs use arkworks' compressed canonical
//! serialization, validated (points on the curve and in the prime-order
//! subgroup); public inputs are 32-byte little-endian canonical scalars. The
//! caller appends the binding as the last input.
//!
//! A node whose runtime imports these host functions must provide them:
//! register [`HostFunctions`] in its executor next to `sp_io::SubstrateHostFunctions`.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod batch;
pub mod bench;
pub mod hooks;
mod host;
pub mod pure;

pub use hooks::bn254_hooks;
#[cfg(not(substrate_runtime))]
pub use host::native;
pub use host::{groth16_bn254, verify_host, ParsedVk, VerifyCode};

#[cfg(test)]
mod tests;

/// The host functions of this crate (designs A and B), for the node's executor.
#[cfg(feature = "std")]
pub type HostFunctions = (groth16_bn254::HostFunctions, bn254_hooks::HostFunctions);

/// Why a verification could not even be attempted. A well-formed proof that
/// does not verify is `Ok(false)`, not an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, codec::Encode, codec::Decode)]
pub enum Error {
	/// The key is not exactly one valid compressed key: wrong length, a bad
	/// encoding, a point off the curve or outside the prime-order subgroup.
	InvalidKey,
	/// The proof is not exactly one valid compressed proof (same reasons).
	InvalidProof,
	/// A public input is not a canonical scalar (at least the field modulus),
	/// or the inputs are not a whole number of 32-byte scalars.
	InvalidInput,
	/// The number of public inputs differs from the key's.
	InputCount,
	/// The native verifier failed unexpectedly (a panic caught on the host).
	Internal,
}

/// Public inputs as 32-byte scalars, from their concatenation (what the host
/// function takes). `None` unless the length is a multiple of 32.
pub fn split_inputs(bytes: &[u8]) -> Option<alloc::vec::Vec<[u8; 32]>> {
	if !bytes.len().is_multiple_of(32) {
		return None;
	}
	Some(bytes.chunks_exact(32).map(|c| c.try_into().expect("chunks of 32; qed")).collect())
}

/// The concatenation of 32-byte public inputs (what the host function takes).
pub fn join_inputs(inputs: &[[u8; 32]]) -> alloc::vec::Vec<u8> {
	inputs.iter().flatten().copied().collect()
}
