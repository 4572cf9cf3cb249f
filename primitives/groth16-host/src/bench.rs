//! Side-by-side benchmark of the three ways to verify, run inside the runtime
//! through the [`Groth16Bench`] runtime API (`zkmarket-node verify-bench`).
//!
//! Every engine verifies each proof the way the off-chain worker verifies a
//! pending proof: from the key's bytes (engines 0 and 2 parse and prepare the
//! key for each proof; engine 1's host keeps prepared keys in its cache).

use crate::{hooks, pure, verify_host, Error};
use alloc::vec::Vec;

/// Engine 0: arkworks in the runtime (WASM).
pub const ENGINE_PURE: u8 = 0;
/// Engine 1: one host call per proof (design A).
pub const ENGINE_HOST: u8 = 1;
/// Engine 2: arkworks in the runtime with host-backed curve hooks (design B).
pub const ENGINE_HOOKS: u8 = 2;
/// The engines, in order.
pub const ENGINES: [u8; 3] = [ENGINE_PURE, ENGINE_HOST, ENGINE_HOOKS];

/// Proofs one call verifies at most (bounds the work of a call through RPC's
/// `state_call`: a few seconds of WASM).
pub const MAX_BENCH_PROOFS: usize = 1024;

/// A proof and its public inputs (the binding last).
pub type BenchProof = (Vec<u8>, Vec<[u8; 32]>);

sp_api::decl_runtime_apis! {
	/// Groth16 verification benchmark: the engines side by side in the runtime.
	pub trait Groth16Bench {
		/// Verifies each of `proofs` against `vk` with `engine` (0 arkworks in
		/// WASM, 1 host function, 2 curve hooks) and returns how many verified.
		/// Calls with more than [`MAX_BENCH_PROOFS`] proofs or an unknown engine
		/// verify nothing.
		fn verify_batch(engine: u8, vk: Vec<u8>, proofs: Vec<BenchProof>) -> u32;
	}
}

/// One verification with `engine`.
pub fn verify_with(
	engine: u8,
	vk: &[u8],
	proof: &[u8],
	inputs: &[[u8; 32]],
) -> Result<bool, Error> {
	match engine {
		ENGINE_PURE => pure::verify(vk, proof, inputs),
		ENGINE_HOST => verify_host(vk, proof, inputs),
		ENGINE_HOOKS => hooks::verify(vk, proof, inputs),
		_ => Err(Error::Internal),
	}
}

/// The implementation of [`Groth16Bench::verify_batch`].
pub fn verify_batch(engine: u8, vk: &[u8], proofs: &[BenchProof]) -> u32 {
	if proofs.len() > MAX_BENCH_PROOFS || !ENGINES.contains(&engine) {
		return 0;
	}
	proofs.iter().filter(|(p, i)| verify_with(engine, vk, p, i) == Ok(true)).count() as u32
}
