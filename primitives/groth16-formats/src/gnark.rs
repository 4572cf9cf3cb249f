//! gnark Groth16 verifying keys (BN254, `VerifyingKey.WriteTo`, compressed), as
//! SP1 ships them (`groth16_vk.bin`):
//!
//! | offset | bytes | field |
//! | --- | --- | --- |
//! | 0 | 32 | alpha (G1) |
//! | 32 | 32 | beta (G1, unused) |
//! | 64 | 64 | beta (G2) |
//! | 128 | 64 | gamma (G2) |
//! | 192 | 32 | delta (G1, unused) |
//! | 224 | 64 | delta (G2) |
//! | 288 | 4 | `nK`, u32 big-endian: public inputs + 1 |
//! | 292 | 32 nK | K\[i\] (G1) = arkworks `gamma_abc_g1` |
//! | 292 + 32 nK | 4 + 4 | counts of committed public inputs and of commitment keys: both 0 |
use crate::{points, FormatError};
use alloc::vec::Vec;

/// Bytes of a gnark key before its K points.
pub const VK_FIXED: usize = 292;

/// Length of a gnark key without commitments whose K has `nk` points.
pub fn vk_len(nk: u32) -> Option<usize> {
	VK_FIXED.checked_add((nk as usize).checked_mul(32)?)?.checked_add(8)
}

/// The number of public inputs a gnark key declares (`nK - 1`), from its count
/// alone; `None` when the bytes are too short.
pub fn declared_inputs(b: &[u8]) -> Option<u32> {
	let nk: [u8; 4] = b.get(288..292)?.try_into().ok()?;
	u32::from_be_bytes(nk).checked_sub(1)
}

/// A gnark key as arkworks compressed key bytes (a byte permutation; the points
/// are validated when the result is parsed). Keys with Pedersen commitments
/// are refused: their proofs carry extra points and inputs.
pub fn vk_to_arkworks(b: &[u8]) -> Result<Vec<u8>, FormatError> {
	let n = declared_inputs(b).ok_or(FormatError::KeyEncoding)?;
	let nk = n.checked_add(1).ok_or(FormatError::KeyEncoding)? as usize;
	let len = vk_len(nk as u32).ok_or(FormatError::KeyEncoding)?;
	if b.len() < len {
		return Err(FormatError::KeyEncoding);
	}
	if b.len() > len || b[len - 8..len] != [0u8; 8] {
		return Err(FormatError::KeyCommitments);
	}
	let mut out = Vec::with_capacity(points::VK_FIXED + 32 * nk);
	for range in [0..32, 64..128, 128..192, 224..288] {
		out.extend(points::gnark_point_to_arkworks(&b[range])?);
	}
	out.extend((nk as u64).to_le_bytes());
	for i in 0..nk {
		out.extend(points::gnark_point_to_arkworks(&b[VK_FIXED + 32 * i..VK_FIXED + 32 * i + 32])?);
	}
	Ok(out)
}

/// A gnark key with the points of an arkworks compressed key (of valid
/// length), for tests and benchmarks: gnark's unused G1 `beta` and `delta`
/// (verification never reads them) are set to `alpha`.
pub fn vk_from_arkworks(vk: &[u8]) -> Option<Vec<u8>> {
	let k = vk.get(points::VK_FIXED..)?;
	if !k.len().is_multiple_of(32) {
		return None;
	}
	let alpha = points::arkworks_point_to_gnark(&vk[0..32]);
	let mut out = Vec::with_capacity(VK_FIXED + k.len() + 8);
	out.extend(&alpha);
	out.extend(&alpha);
	out.extend(points::arkworks_point_to_gnark(&vk[32..96]));
	out.extend(points::arkworks_point_to_gnark(&vk[96..160]));
	out.extend(&alpha);
	out.extend(points::arkworks_point_to_gnark(&vk[160..224]));
	out.extend(((k.len() / 32) as u32).to_be_bytes());
	for p in k.chunks_exact(32) {
		out.extend(points::arkworks_point_to_gnark(p));
	}
	out.extend([0u8; 8]);
	Some(out)
}
