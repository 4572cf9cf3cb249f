//! Groth16 proofs in the EVM layout (EIP-197 precompile order, gnark's
//! `MarshalSolidity`): 8 big-endian 32-byte words `A.x A.y | B.x.c1 B.x.c0
//! B.y.c1 B.y.c0 | C.x C.y`. SP1 proofs carry it after their 100-byte prefix,
//! RISC Zero seals after their 4-byte selector.
use crate::{points, FormatError};
use alloc::vec::Vec;
use ark_bn254::{Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_serialize::CanonicalDeserialize;

/// Bytes of an EVM-layout proof.
pub const PROOF_LEN: usize = 256;

/// An EVM-layout proof as arkworks compressed bytes (128 B). Every word must be
/// below the base field modulus and every point on the curve (a flipped bit
/// cannot be "repaired" by recompression); the G2 subgroup check is left to
/// the verifier's decompression.
pub fn proof_to_arkworks(b: &[u8]) -> Result<Vec<u8>, FormatError> {
	if b.len() != PROOF_LEN {
		return Err(FormatError::ProofLength);
	}
	let w = |i: usize| points::fq_be(&b[32 * i..32 * i + 32]).ok_or(FormatError::ProofEncoding);
	let a = points::g1(w(0)?, w(1)?)?;
	let bb = points::g2(Fq2::new(w(3)?, w(2)?), Fq2::new(w(5)?, w(4)?))?;
	let c = points::g1(w(6)?, w(7)?)?;
	Ok([points::compressed(&a), points::compressed(&bb), points::compressed(&c)].concat())
}

/// The checks of an EVM-layout proof that need no curve arithmetic: its
/// length and every word below the base field modulus.
pub fn check_words(b: &[u8]) -> Result<(), FormatError> {
	if b.len() != PROOF_LEN {
		return Err(FormatError::ProofLength);
	}
	match b.chunks_exact(32).all(|w| points::fq_be(w).is_some()) {
		true => Ok(()),
		false => Err(FormatError::ProofEncoding),
	}
}

fn word(f: &ark_bn254::Fq) -> [u8; 32] {
	let mut out = [0u8; 32];
	out.copy_from_slice(&f.into_bigint().to_bytes_be());
	out
}

/// arkworks compressed proof bytes in the EVM layout (what a buyer hands to an
/// Ethereum verifier); `None` unless the bytes are a valid proof.
pub fn proof_from_arkworks(proof: &[u8]) -> Option<[u8; PROOF_LEN]> {
	if proof.len() != points::PROOF_LEN {
		return None;
	}
	let a = G1Affine::deserialize_compressed(&proof[..32]).ok()?;
	let b = G2Affine::deserialize_compressed(&proof[32..96]).ok()?;
	let c = G1Affine::deserialize_compressed(&proof[96..]).ok()?;
	let g1 = |q: &G1Affine| q.xy().map(|(x, y)| [word(&x), word(&y)]);
	let g2 =
		|q: &G2Affine| q.xy().map(|(x, y)| [word(&x.c1), word(&x.c0), word(&y.c1), word(&y.c0)]);
	let words: Vec<[u8; 32]> = [g1(&a)?.to_vec(), g2(&b)?.to_vec(), g1(&c)?.to_vec()].concat();
	let mut out = [0u8; PROOF_LEN];
	for (i, w) in words.iter().enumerate() {
		out[32 * i..32 * i + 32].copy_from_slice(w);
	}
	Some(out)
}
