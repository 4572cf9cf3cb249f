//! Field elements and curve points in the encodings of the toolchains.
//!
//! - arkworks compressed: `x` little-endian (a G2 `x` as `c0 ‖ c1`), flags in
//!   the two top bits of the LAST byte: bit 7 "y is the larger root" (`y > -y`,
//!   comparing `c1` first for Fq2), bit 6 the point at infinity;
//! - gnark compressed: `x` big-endian (a G2 `x` as `c1 ‖ c0`), flags in the two
//!   top bits of the FIRST byte: `0b10` smaller root, `0b11` larger root, `0b01`
//!   infinity (`0b00` marks an uncompressed point);
//! - EVM (EIP-197, gnark's `MarshalSolidity`): uncompressed big-endian words,
//!   G2 coordinates as `c1, c0`.
//!
//! Every conversion checks what it can without a subgroup check (cheap in
//! WASM): coordinates below the modulus, points on the curve, one encoding of
//! the point at infinity. The verifier decompresses the result with full
//! validation (G2 subgroup included) on the host.
use crate::FormatError;
use alloc::vec::Vec;
use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

/// Bytes of a compressed G1 point.
pub const G1_LEN: usize = 32;
/// Bytes of a compressed G2 point.
pub const G2_LEN: usize = 64;
/// Bytes of an arkworks compressed proof (`a` G1, `b` G2, `c` G1).
pub const PROOF_LEN: usize = 2 * G1_LEN + G2_LEN;
/// Bytes of an arkworks compressed key before its `gamma_abc_g1` points.
pub const VK_FIXED: usize = G1_LEN + 3 * G2_LEN + 8;

const ARK_NEGATIVE: u8 = 1 << 7;
const ARK_INFINITY: u8 = 1 << 6;
const GNARK_MASK: u8 = 0b11 << 6;
const GNARK_SMALLEST: u8 = 0b10 << 6;
const GNARK_LARGEST: u8 = 0b11 << 6;
const GNARK_INFINITY: u8 = 0b01 << 6;

/// A 32-byte big-endian word as a base field element; `None` unless below the modulus.
pub fn fq_be(word: &[u8]) -> Option<Fq> {
	let mut le: [u8; 32] = word.try_into().ok()?;
	le.reverse();
	Fq::deserialize_compressed(&le[..]).ok()
}

/// A 32-byte big-endian word as a scalar; `None` unless below the modulus.
pub fn fr_be(word: &[u8]) -> Option<Fr> {
	let mut le: [u8; 32] = word.try_into().ok()?;
	le.reverse();
	Fr::deserialize_compressed(&le[..]).ok()
}

/// A scalar as 32 little-endian bytes (a public input).
pub fn fr_le(f: Fr) -> [u8; 32] {
	let mut out = [0u8; 32];
	out.copy_from_slice(&f.into_bigint().to_bytes_le());
	out
}

/// A 32-byte big-endian word as a public input (32 bytes little-endian);
/// `None` unless below the scalar modulus.
pub fn be_to_input(word: &[u8; 32]) -> Option<[u8; 32]> {
	fr_be(word).map(fr_le)
}

/// Whether 32 little-endian bytes are a canonical scalar.
pub fn is_canonical_input(input: &[u8; 32]) -> bool {
	Fr::deserialize_compressed(&input[..]).is_ok()
}

/// The G1 point `(x, y)`, checked on the curve.
pub fn g1(x: Fq, y: Fq) -> Result<G1Affine, FormatError> {
	let p = G1Affine::new_unchecked(x, y);
	p.is_on_curve().then_some(p).ok_or(FormatError::ProofEncoding)
}

/// The G2 point `(x, y)`, checked on the curve (not in the subgroup: the
/// verifier's decompression does that).
pub fn g2(x: Fq2, y: Fq2) -> Result<G2Affine, FormatError> {
	let p = G2Affine::new_unchecked(x, y);
	p.is_on_curve().then_some(p).ok_or(FormatError::ProofEncoding)
}

/// arkworks compressed bytes of a point or proof.
pub fn compressed<T: CanonicalSerialize>(t: &T) -> Vec<u8> {
	let mut out = Vec::with_capacity(t.compressed_size());
	// Writing into a Vec cannot fail.
	let _ = t.serialize_compressed(&mut out);
	out
}

/// One gnark compressed point (32 bytes G1, 64 bytes G2) as arkworks
/// compressed bytes: a byte permutation (both flag the larger `y` the same
/// way). Refuses the uncompressed marker and any second encoding of the point
/// at infinity. The result's coordinates are checked when it is parsed.
pub fn gnark_point_to_arkworks(b: &[u8]) -> Result<Vec<u8>, FormatError> {
	let first = *b.first().ok_or(FormatError::KeyEncoding)?;
	let flag = match first & GNARK_MASK {
		GNARK_SMALLEST => 0,
		GNARK_LARGEST => ARK_NEGATIVE,
		GNARK_INFINITY => ARK_INFINITY,
		_ => return Err(FormatError::KeyEncoding),
	};
	if flag == ARK_INFINITY && (first & !GNARK_MASK != 0 || b[1..].iter().any(|x| *x != 0)) {
		return Err(FormatError::KeyEncoding);
	}
	let mut out = b.to_vec();
	out[0] &= !GNARK_MASK;
	// Big-endian to little-endian; a G2 `c1 ‖ c0` (each big-endian) reversed is
	// `c0 ‖ c1` (each little-endian).
	out.reverse();
	if let Some(last) = out.last_mut() {
		*last |= flag;
	}
	Ok(out)
}

/// One arkworks compressed point as gnark compressed bytes (the inverse of
/// [`gnark_point_to_arkworks`] on canonical points).
pub fn arkworks_point_to_gnark(b: &[u8]) -> Vec<u8> {
	let mut out = b.to_vec();
	let flag = out.last().map(|l| l & (ARK_NEGATIVE | ARK_INFINITY)).unwrap_or_default();
	if let Some(last) = out.last_mut() {
		*last &= !(ARK_NEGATIVE | ARK_INFINITY);
	}
	out.reverse();
	if let Some(first) = out.first_mut() {
		*first |= match flag {
			0 => GNARK_SMALLEST,
			ARK_NEGATIVE => GNARK_LARGEST,
			_ => GNARK_INFINITY,
		};
	}
	out
}

/// Whether arkworks compressed point bytes are the one encoding of their point:
/// arkworks ignores `x` under its infinity flag, so the point at infinity has
/// many encodings; only all-zero bytes with the flag are accepted.
pub fn is_canonical_arkworks_point(b: &[u8]) -> bool {
	let Some((last, rest)) = b.split_last() else { return false };
	match last & (ARK_NEGATIVE | ARK_INFINITY) {
		ARK_INFINITY => *last == ARK_INFINITY && rest.iter().all(|x| *x == 0),
		f => f != ARK_NEGATIVE | ARK_INFINITY,
	}
}

/// Whether every point of an arkworks compressed key (laid out as
/// `alpha ‖ beta ‖ gamma ‖ delta ‖ u64 count ‖ gamma_abc...`) is in its one
/// encoding. The length must already match the count.
pub fn is_canonical_arkworks_key(vk: &[u8]) -> bool {
	if vk.len() < VK_FIXED || !(vk.len() - VK_FIXED).is_multiple_of(G1_LEN) {
		return false;
	}
	let fixed = [(0, G1_LEN), (32, G2_LEN), (96, G2_LEN), (160, G2_LEN)];
	fixed.iter().all(|(at, len)| is_canonical_arkworks_point(&vk[*at..at + len]))
		&& vk[VK_FIXED..].chunks_exact(G1_LEN).all(is_canonical_arkworks_point)
}

/// Whether arkworks compressed proof bytes are exactly [`PROOF_LEN`] bytes of
/// points in their one encoding.
pub fn is_canonical_arkworks_proof(proof: &[u8]) -> bool {
	proof.len() == PROOF_LEN
		&& is_canonical_arkworks_point(&proof[..32])
		&& is_canonical_arkworks_point(&proof[32..96])
		&& is_canonical_arkworks_point(&proof[96..])
}
