//! The BN254 scalar field as public inputs are encoded: 32 bytes, little-endian,
//! canonical (below the modulus r). A request whose input is not canonical can
//! never be proven, so the market refuses it at submission.

/// r = 21888242871839275222246405745257275088548364400416034343698204186575808495617,
/// little-endian.
pub const MODULUS_LE: [u8; 32] = [
	0x01, 0x00, 0x00, 0xf0, 0x93, 0xf5, 0xe1, 0x43, 0x91, 0x70, 0xb9, 0x79, 0x48, 0xe8, 0x33, 0x28,
	0x5d, 0x58, 0x81, 0x81, 0xb6, 0x45, 0x50, 0xb8, 0x29, 0xa0, 0x31, 0xe1, 0x72, 0x4e, 0x64, 0x30,
];

/// Whether `bytes` (little-endian) is a canonical scalar: strictly below r.
pub fn is_canonical_scalar(bytes: &[u8; 32]) -> bool {
	for i in (0..32).rev() {
		if bytes[i] != MODULUS_LE[i] {
			return bytes[i] < MODULUS_LE[i];
		}
	}
	false
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn minus_one() -> [u8; 32] {
		let mut m = MODULUS_LE;
		m[0] -= 1;
		m
	}

	#[test]
	fn bounds() {
		assert!(is_canonical_scalar(&[0u8; 32]));
		assert!(is_canonical_scalar(&minus_one()));
		assert!(!is_canonical_scalar(&MODULUS_LE));
		assert!(!is_canonical_scalar(&[0xff; 32]));
	}

	proptest! {
		/// Agrees with a big-integer comparison (u128 halves, big-endian order).
		#[test]
		fn matches_integer_order(b in any::<[u8; 32]>()) {
			let hi = |x: &[u8; 32]| u128::from_le_bytes(x[16..].try_into().unwrap());
			let lo = |x: &[u8; 32]| u128::from_le_bytes(x[..16].try_into().unwrap());
			let below = (hi(&b), lo(&b)) < (hi(&MODULUS_LE), lo(&MODULUS_LE));
			prop_assert_eq!(is_canonical_scalar(&b), below);
		}
	}
}
