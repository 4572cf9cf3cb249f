//! Reputation updates: success `r += (1 - r) * alpha`, failure `r -= r * beta`.

use sp_arithmetic::Perbill;

/// Reputation after a verified proof.
pub fn on_success(r: Perbill, alpha: Perbill) -> Perbill {
	let gain = alpha.mul_floor((Perbill::one() - r).deconstruct());
	Perbill::from_parts(r.deconstruct().saturating_add(gain).min(1_000_000_000))
}

/// Reputation after an invalid proof or a missed deadline.
pub fn on_failure(r: Perbill, beta: Perbill) -> Perbill {
	let loss = beta.mul_ceil(r.deconstruct());
	Perbill::from_parts(r.deconstruct().saturating_sub(loss))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn defaults() {
		let a = Perbill::from_percent(5);
		let b = Perbill::from_percent(20);
		let r = Perbill::from_percent(50);
		assert_eq!(on_success(r, a), Perbill::from_parts(525_000_000));
		assert_eq!(on_failure(r, b), Perbill::from_percent(40));
		assert_eq!(on_success(Perbill::one(), a), Perbill::one());
		assert_eq!(on_failure(Perbill::zero(), b), Perbill::zero());
	}

	proptest! {
		#[test]
		fn stays_in_range(r in any::<u32>(), a in any::<u32>(), b in any::<u32>()) {
			let r = Perbill::from_parts(r);
			let s = on_success(r, Perbill::from_parts(a));
			let f = on_failure(r, Perbill::from_parts(b));
			prop_assert!(s >= r && s <= Perbill::one());
			prop_assert!(f <= r);
		}

		#[test]
		fn failure_outweighs_success(r in 250_000_000u32..=1_000_000_000) {
			// With beta > alpha (20% vs 5%), from 25% up a failure then a success never gains.
			let r = Perbill::from_parts(r);
			let x = on_success(on_failure(r, Perbill::from_percent(20)), Perbill::from_percent(5));
			prop_assert!(x <= r);
		}
	}
}
