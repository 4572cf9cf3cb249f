//! RISC Zero Groth16 receipts (risc0-ethereum's `RiscZeroGroth16Verifier`).
//!
//! The seal is `selector(4) ‖ proof(256, EVM layout)`; the selector routes the
//! seal to a verifier on Ethereum and is not part of the proof: the chain
//! takes the 256 bytes after it. The key is RISC Zero's (made with snarkjs).
//! Public inputs: `[root0, root1, claim0, claim1, bn254_control_id]` where
//! `(x0, x1)` are the two little-endian 128-bit halves of a digest
//! (`splitDigest`), `root` the zkVM version's control root and `claim` the
//! digest of the receipt claim "image `image_id` halted with exit code 0 and
//! wrote a journal with digest `journal_digest`". The request carries the
//! journal digest as its two halves.
use crate::{points, FormatError, Scalar};
use alloc::vec::Vec;

/// Public inputs of RISC Zero's Groth16 circuit.
pub const KEY_INPUTS: u32 = 5;
/// Inputs of a request: the journal digest's two halves.
pub const REQUEST_INPUTS: u32 = 2;

/// The digest of the zero `SystemState` (a halted execution's post state).
const SYSTEM_STATE_ZERO: [u8; 32] = [
	0xa3, 0xac, 0xc2, 0x71, 0x17, 0x41, 0x89, 0x96, 0x34, 0x0b, 0x84, 0xe5, 0xa9, 0x0f, 0x3e, 0xf4,
	0xc4, 0x9d, 0x22, 0xc7, 0x9e, 0x44, 0xaa, 0xd8, 0x22, 0xec, 0x9c, 0x31, 0x3e, 0x1e, 0xb8, 0xe2,
];

/// RISC Zero's tagged struct hash: `sha256(sha256(tag) ‖ down... ‖ data ‖
/// u16_le(down.len()))`.
fn tagged(tag: &[u8], down: &[[u8; 32]], data: &[u8]) -> [u8; 32] {
	let mut buf = Vec::with_capacity(32 * (down.len() + 1) + data.len() + 2);
	buf.extend_from_slice(&sp_crypto_hashing::sha2_256(tag));
	for d in down {
		buf.extend_from_slice(d);
	}
	buf.extend_from_slice(data);
	buf.extend_from_slice(&(down.len() as u16).to_le_bytes());
	sp_crypto_hashing::sha2_256(&buf)
}

/// The digest of the claim that `image_id` halted with exit code 0 after
/// writing a journal with digest `journal_digest` (`ReceiptClaimLib.ok`).
pub fn claim_digest(image_id: &[u8; 32], journal_digest: &[u8; 32]) -> [u8; 32] {
	let output = tagged(b"risc0.Output", &[*journal_digest, [0u8; 32]], &[]);
	// Exit codes (system Halted = 0, user 0), each a u32 shifted into its top byte.
	tagged(b"risc0.ReceiptClaim", &[[0u8; 32], *image_id, SYSTEM_STATE_ZERO, output], &[0u8; 8])
}

/// A digest's two halves as public inputs (`splitDigest`): the little-endian
/// 128-bit numbers of bytes 0..16 and 16..32.
pub fn split_digest(d: &[u8; 32]) -> [Scalar; 2] {
	let mut lo = [0u8; 32];
	let mut hi = [0u8; 32];
	lo[..16].copy_from_slice(&d[..16]);
	hi[..16].copy_from_slice(&d[16..]);
	[lo, hi]
}

/// The request inputs of a journal: its sha256 digest, split.
pub fn request_inputs(journal: &[u8]) -> [Scalar; 2] {
	split_digest(&sp_crypto_hashing::sha2_256(journal))
}

/// The verifier's public inputs for a receipt of `image_id` under the zkVM
/// version (`control_root`, `bn254_control_id` as `ControlID.sol` writes it,
/// big-endian) whose journal digest the request carries as `inputs`.
pub fn public_inputs(
	image_id: &[u8; 32],
	control_root: &[u8; 32],
	bn254_control_id: &[u8; 32],
	inputs: &[Scalar],
) -> Result<Vec<Scalar>, FormatError> {
	let [lo, hi] = inputs else { return Err(FormatError::Input) };
	if lo[16..].iter().chain(hi[16..].iter()).any(|b| *b != 0) {
		// What `ProgramKind::accepts_inputs` refuses.
		return Err(FormatError::Input);
	}
	let mut journal_digest = [0u8; 32];
	journal_digest[..16].copy_from_slice(&lo[..16]);
	journal_digest[16..].copy_from_slice(&hi[..16]);
	let [root0, root1] = split_digest(control_root);
	let [claim0, claim1] = split_digest(&claim_digest(image_id, &journal_digest));
	let id = points::be_to_input(bn254_control_id).ok_or(FormatError::KindParameter)?;
	Ok(alloc::vec![root0, root1, claim0, claim1, id])
}
