//! Program kinds of the zkmarket chain: Groth16 over BN254 as the tools people
//! use write it, converted to the one encoding the chain's verifier takes
//! (arkworks compressed key and proof, 32-byte little-endian scalar inputs).
//!
//! | kind | key | proof | public inputs | binding |
//! | --- | --- | --- | --- | --- |
//! | [`ProgramKind::Arkworks`] | arkworks compressed | arkworks compressed, 128 B | request inputs ++ binding | last input |
//! | [`ProgramKind::Snarkjs`] | arkworks (clients convert `verification_key.json`, [`snarkjs`]) | arkworks (clients convert `proof.json`) | circom public signals: request inputs ++ binding | last declared public input |
//! | [`ProgramKind::Gnark`] | gnark `VerifyingKey.WriteTo` (compressed), [`gnark`] | EVM layout, 256 B ([`evm`]) | request inputs | none |
//! | [`ProgramKind::Sp1`] | SP1's gnark `groth16_vk.bin` | SP1 `proof.bytes()` (v6: 356 B) | `[vkey_hash, digest, exit_code, vk_root, nonce]`, request: `[digest]` ([`sp1`]) | none |
//! | [`ProgramKind::Risc0`] | arkworks (clients convert RISC Zero's snarkjs key) | the seal's 256 B after RISC Zero's 4-byte selector | `[root0, root1, claim0, claim1, control_id]`, request: the journal digest's two halves ([`risc0`]) | none |
//!
//! Programs without a binding are *unbound*: a proof of them is valid for any
//! prover, so the market lets only the prover that carries the obligation (an
//! auction assignment, a locked offer) submit one.
//!
//! Everything here is pure, `no_std`, and never panics on its input: the
//! runtime (WASM), the CLI and the prover agent run the same code.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod binding;
pub mod evm;
pub mod gnark;
pub mod kind;
pub mod points;
pub mod risc0;
#[cfg(feature = "json")]
pub mod snarkjs;
pub mod sp1;

pub use binding::{binding, binding_of_encoded};
pub use kind::{program_id, ProgramKind, Registration, Statement};

#[cfg(test)]
mod tests;

/// A 32-byte little-endian BN254 scalar (a public input as the chain stores it).
pub type Scalar = [u8; 32];

/// Why bytes are not a key, proof or input of a program kind. Each is a named
/// error of the chain's verifier pallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatError {
	/// The key is not exactly one key in the kind's encoding: wrong length, a
	/// bad point flag, a coordinate not below the field modulus, a point off
	/// the curve, or a second encoding of the point at infinity.
	KeyEncoding,
	/// A gnark key with Pedersen commitments (its proofs carry extra points).
	KeyCommitments,
	/// The key's number of public inputs does not fit the kind (SP1 and RISC
	/// Zero keys take 5; other keys at least 1).
	KeyInputCount,
	/// A key of a bound kind (arkworks, snarkjs) that cannot bind its last
	/// input: that input's point is the point at infinity, or gamma equals
	/// delta (a proof could be moved to another prover's binding).
	KeyUnbound,
	/// A kind parameter is not a canonical scalar (SP1's `vkey_hash` and
	/// `vk_root`, RISC Zero's `bn254_control_id`, read big-endian).
	KindParameter,
	/// The proof's length is not the kind's.
	ProofLength,
	/// The proof is not valid points in the kind's encoding (a coordinate not
	/// below the modulus, a point off the curve).
	ProofEncoding,
	/// An SP1 proof whose 4-byte selector is not the one of the program's key.
	WrongSelector,
	/// An SP1 proof of an execution that did not exit with code 0.
	NonZeroExitCode,
	/// An SP1 proof made with another SP1 version (`vk_root`) than the program's.
	WrongVkRoot,
	/// A public input is not a canonical scalar, or does not fit the kind (RISC
	/// Zero's digest halves are below 2^128), or the count is not the program's.
	Input,
	/// Malformed snarkjs JSON (a missing field, a non-decimal or non-canonical
	/// number, a point not in affine form).
	Json,
}
