//! Pure market math of the zkmarket chain and the small traits its pallets
//! use to talk to each other.
//!
//! Everything in [`dutch`], [`gsp`], [`matching`], [`base_fee`], [`decay`] and
//! [`reputation`] is a pure, total function: integer arithmetic only, no
//! panics and no overflow for any input (saturating where a bound is hit).
//! The pallets are thin wrappers that move funds and keep state.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod base_fee;
pub mod decay;
pub mod dutch;
pub mod field;
pub mod gsp;
pub mod matching;
pub mod reputation;
pub mod traits;

pub use sp_arithmetic::Perbill;

/// `a * b / c` with a 256-bit intermediate, rounded down; saturates at `u128::MAX`
/// and returns 0 when `c == 0`.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> u128 {
	if c == 0 {
		return 0;
	}
	sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
		a,
		b,
		c,
		sp_arithmetic::Rounding::Down,
	)
	.unwrap_or(u128::MAX)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mul_div_handles_extremes() {
		assert_eq!(mul_div_floor(u128::MAX, u128::MAX, u128::MAX), u128::MAX);
		assert_eq!(mul_div_floor(u128::MAX, 2, 1), u128::MAX);
		assert_eq!(mul_div_floor(7, 3, 2), 10);
		assert_eq!(mul_div_floor(7, 3, 0), 0);
	}
}
