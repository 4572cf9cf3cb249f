//! The EIP-1559-style BaseFee rule.
//!
//! With `T = max(1, K * target_utilization)` and `D = min(demand, 2T)`:
//! `BaseFee' = BaseFee + BaseFee * (D - T) / T / max_change_denominator`,
//! at least one unit up when `D > T`, clamped to `[min, max]`.

use sp_arithmetic::Perbill;

/// Parameters of the BaseFee rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BaseFeeParams {
	/// Share of the capacity the market aims to use (default 50%).
	pub target_utilization: Perbill,
	/// Bounds the change per block to `1 / max_change_denominator` (default 8).
	pub max_change_denominator: u32,
	/// Lowest BaseFee.
	pub min: u128,
	/// Highest BaseFee.
	pub max: u128,
}

/// The target demand `T = max(1, capacity * target_utilization)`.
pub fn target(capacity: u32, target_utilization: Perbill) -> u128 {
	(target_utilization.mul_floor(capacity as u128)).max(1)
}

/// The BaseFee of the next block given this block's `demand` (eligible bids)
/// and `capacity` (free job slots). Total: never panics or overflows.
pub fn next_base_fee(base_fee: u128, demand: u32, capacity: u32, p: &BaseFeeParams) -> u128 {
	let t = target(capacity, p.target_utilization);
	let d = (demand as u128).min(t.saturating_mul(2));
	let denom = t.saturating_mul(p.max_change_denominator.max(1) as u128);
	let next = if d > t {
		let delta = crate::mul_div_floor(base_fee, d - t, denom).max(1);
		base_fee.saturating_add(delta)
	} else if d < t {
		let delta = crate::mul_div_floor(base_fee, t - d, denom);
		base_fee.saturating_sub(delta)
	} else {
		base_fee
	};
	let (lo, hi) = if p.min <= p.max { (p.min, p.max) } else { (p.max, p.min) };
	next.clamp(lo, hi)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn params() -> BaseFeeParams {
		BaseFeeParams {
			target_utilization: Perbill::from_percent(50),
			max_change_denominator: 8,
			min: 1,
			max: u128::MAX,
		}
	}

	#[test]
	fn worked_example() {
		// Demand 20 with capacity 20 (target 10) raises 1000 to 1125.
		assert_eq!(next_base_fee(1000, 20, 20, &params()), 1125);
		// Demand is capped at twice the target.
		assert_eq!(next_base_fee(1000, 1000, 20, &params()), 1125);
		// At target: unchanged.
		assert_eq!(next_base_fee(1000, 10, 20, &params()), 1000);
		// No demand: -12.5%.
		assert_eq!(next_base_fee(1000, 0, 20, &params()), 875);
		// Half-way above target: +6.25% (floor).
		assert_eq!(next_base_fee(1000, 15, 20, &params()), 1062);
	}

	#[test]
	fn minimum_step_of_one_above_target() {
		assert_eq!(next_base_fee(1, 20, 20, &params()), 2);
		assert_eq!(next_base_fee(7, 11, 20, &params()), 8);
	}

	#[test]
	fn zero_capacity_has_target_one() {
		assert_eq!(target(0, Perbill::from_percent(50)), 1);
		assert_eq!(next_base_fee(800, 5, 0, &params()), 900);
		assert_eq!(next_base_fee(800, 0, 0, &params()), 700);
	}

	#[test]
	fn clamped() {
		let p = BaseFeeParams { min: 900, max: 1100, ..params() };
		assert_eq!(next_base_fee(1000, 20, 20, &p), 1100);
		assert_eq!(next_base_fee(1000, 0, 20, &p), 900);
	}

	#[test]
	fn sustained_demand_compounds() {
		let mut f = 1_000_000u128;
		for _ in 0..3 {
			f = next_base_fee(f, 40, 40, &params());
		}
		assert_eq!(f, 1_423_828); // 1e6 * 1.125^3, floor at each step
		let mut f = 1_000_000u128;
		for _ in 0..2 {
			f = next_base_fee(f, 0, 40, &params());
		}
		assert_eq!(f, 765_625); // 1e6 * 0.875^2
	}

	proptest! {
		#[test]
		fn stays_in_bounds(fee in any::<u128>(), d in any::<u32>(), k in any::<u32>(),
			util in 0u32..=1_000_000_000, denom in any::<u32>(), a in any::<u128>(), b in any::<u128>()) {
			let p = BaseFeeParams { target_utilization: Perbill::from_parts(util), max_change_denominator: denom,
				min: a.min(b), max: a.max(b) };
			let n = next_base_fee(fee, d, k, &p);
			prop_assert!(n >= p.min && n <= p.max);
		}

		#[test]
		fn moves_at_most_one_eighth(fee in 8u128..u128::MAX / 2, d in any::<u32>(), k in any::<u32>()) {
			let n = next_base_fee(fee, d, k, &params());
			prop_assert!(n <= fee + fee / 8 && n >= fee - fee / 8);
		}

		#[test]
		fn full_demand_raises_by_an_eighth(fee in 8u128..1u128 << 100, k in 2u32..1_000_000) {
			let t = target(k, Perbill::from_percent(50)) as u32;
			let n = next_base_fee(fee, 2 * t, k, &params());
			prop_assert_eq!(n, fee + fee / 8);
			let n = next_base_fee(fee, 0, k, &params());
			prop_assert_eq!(n, fee - fee / 8);
		}

		#[test]
		fn direction_follows_demand(fee in 1u128..1u128 << 100, d in any::<u32>(), k in any::<u32>()) {
			let t = target(k, Perbill::from_percent(50));
			let n = next_base_fee(fee, d, k, &params());
			if (d as u128) > t { prop_assert!(n > fee); }
			if (d as u128) < t { prop_assert!(n <= fee); }
			if (d as u128) == t { prop_assert_eq!(n, fee); }
		}
	}
}
