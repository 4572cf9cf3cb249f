//! Side-by-side benchmark of the three ways to verify, run inside the runtime
//! through the [`Groth16Bench`] runtime API (`zkmarket-node verify-bench`).
//!
//! Every engine verifies each proof the way the off-chain worker verifies a
//! pending proof: from the key's bytes (engines 0 and 2 parse and prepare the
//! key for each proof; engine 1's host keeps prepared keys in its cache).

use crate::{hooks, pure, verify_host, Error};
use alloc::vec::Vec;
use zkmarket_groth16_formats::ProgramKind;

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

/// The chain's own bounds on what it verifies, applied to every call before
/// any parsing: a call outside them verifies nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
	/// Longest key in bytes (the verifier's `MaxVkLen`).
	pub max_vk_len: usize,
	/// Most public inputs of a proof, the binding included (the verifier's
	/// `MaxPublicInputs` + 1).
	pub max_inputs: usize,
	/// Longest proof in bytes (the verifier's `MaxProofLen`).
	pub max_proof_len: usize,
}

impl Limits {
	/// Whether a call with key `vk` and `proofs` (their lengths and input
	/// counts) is within the limits and [`MAX_BENCH_PROOFS`].
	fn admit<'a>(
		&self,
		vk: &[u8],
		proofs: impl ExactSizeIterator<Item = (&'a [u8], usize)>,
	) -> bool {
		if vk.len() > self.max_vk_len || proofs.len() > MAX_BENCH_PROOFS {
			return false;
		}
		// The key's declared input count (its length says it) within the bound.
		if pure::declared_inputs(vk).is_none_or(|n| n as usize > self.max_inputs) {
			return false;
		}
		let (max_proof, max_inputs) = (self.max_proof_len, self.max_inputs);
		proofs.into_iter().all(|(p, n)| p.len() <= max_proof && n <= max_inputs)
	}
}

/// A proof and its public inputs (the binding last).
pub type BenchProof = (Vec<u8>, Vec<[u8; 32]>);

/// A proof of a program kind as the chain stores it: the proof bytes, the
/// request's inputs and the binding of request and prover.
pub type ProgramBenchProof = (Vec<u8>, Vec<[u8; 32]>, [u8; 32]);

sp_api::decl_runtime_apis! {
	/// Groth16 verification benchmark: the engines side by side in the runtime.
	pub trait Groth16Bench {
		/// Verifies each of `proofs` against `vk` with `engine` (0 arkworks in
		/// WASM, 1 host function, 2 curve hooks) and returns how many verified.
		/// Calls with more than [`MAX_BENCH_PROOFS`] proofs, an unknown engine, or
		/// a key, proof or input count beyond the chain's [`Limits`] verify
		/// nothing (refused before any parsing).
		fn verify_batch(engine: u8, vk: Vec<u8>, proofs: Vec<BenchProof>) -> u32;
	}

	/// Verification per program kind, as the off-chain worker does it: the
	/// kind's statement (conversion, public inputs) in the runtime, then one
	/// host call.
	pub trait Groth16ProgramBench {
		/// Verifies each of `proofs` for a program of `kind` (its `selector`
		/// for SP1) with the arkworks key `vk`; returns how many verified. At
		/// most [`MAX_BENCH_PROOFS`] proofs, within the chain's [`Limits`].
		fn verify_program_batch(
			kind: ProgramKind,
			selector: Option<[u8; 4]>,
			vk: Vec<u8>,
			proofs: Vec<ProgramBenchProof>,
		) -> u32;
	}
}

/// One verification of a proof of a program of `kind`, exactly as the verifier
/// pallet's `verify_pending`: the kind's statement, then the host function.
pub fn verify_program(
	kind: &ProgramKind,
	selector: Option<[u8; 4]>,
	vk: &[u8],
	(proof, inputs, binding): &ProgramBenchProof,
) -> bool {
	kind.statement(selector, proof, inputs, binding)
		.is_ok_and(|s| verify_host(vk, &s.proof, &s.inputs) == Ok(true))
}

/// The implementation of [`Groth16ProgramBench::verify_program_batch`].
pub fn verify_program_batch(
	kind: &ProgramKind,
	selector: Option<[u8; 4]>,
	vk: &[u8],
	proofs: &[ProgramBenchProof],
	limits: Limits,
) -> u32 {
	if !limits.admit(vk, proofs.iter().map(|(p, i, _)| (&p[..], i.len() + 1))) {
		return 0;
	}
	proofs.iter().filter(|p| verify_program(kind, selector, vk, p)).count() as u32
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
pub fn verify_batch(engine: u8, vk: &[u8], proofs: &[BenchProof], limits: Limits) -> u32 {
	if !ENGINES.contains(&engine)
		|| !limits.admit(vk, proofs.iter().map(|(p, i)| (&p[..], i.len())))
	{
		return 0;
	}
	proofs.iter().filter(|(p, i)| verify_with(engine, vk, p, i) == Ok(true)).count() as u32
}
