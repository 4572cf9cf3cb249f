//! Idle decay of a prover's stake and slash amounts.

use sp_arithmetic::Perbill;

/// Upper bound on idle periods applied one by one; beyond it the stake is
/// treated as fully decayed. Keeps the work per prover constant-bounded.
pub const MAX_DECAY_PERIODS: u32 = 10_000;

/// Number of full idle periods between `since` and `now`.
pub fn idle_periods(since: u64, now: u64, period: u64) -> u64 {
	if period == 0 {
		return 0;
	}
	now.saturating_sub(since) / period
}

/// The stake after `periods` full idle periods, each taking `rate` of the
/// stake left (rounded down), compounding: `stake * (1 - rate)^periods`.
pub fn decayed_stake(stake: u128, rate: Perbill, periods: u64) -> u128 {
	if periods > MAX_DECAY_PERIODS as u64 {
		return if rate.is_zero() { stake } else { 0 };
	}
	let mut s = stake;
	for _ in 0..periods {
		let cut = rate.mul_floor(s);
		if cut == 0 {
			break;
		}
		s -= cut;
	}
	s
}

/// `rate` of `stake`, rounded down (the slash of an invalid proof).
pub fn slash_amount(stake: u128, rate: Perbill) -> u128 {
	rate.mul_floor(stake)
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const ZK: u128 = 1_000_000_000_000_000_000;

	#[test]
	fn one_percent_per_period() {
		let r = Perbill::from_percent(1);
		assert_eq!(decayed_stake(100 * ZK, r, 0), 100 * ZK);
		assert_eq!(decayed_stake(100 * ZK, r, 1), 99 * ZK);
		// 100 * 0.99^3 = 97.0299
		assert_eq!(decayed_stake(100 * ZK, r, 3), 97_029_900_000_000_000_000);
		assert_eq!(idle_periods(10, 10 + 3 * 14_400 + 5, 14_400), 3);
		assert_eq!(idle_periods(10, 5, 14_400), 0);
		assert_eq!(idle_periods(10, 100, 0), 0);
		assert_eq!(slash_amount(40 * ZK, Perbill::from_percent(10)), 4 * ZK);
	}

	proptest! {
		#[test]
		fn monotone(stake in any::<u128>(), rate in 0u32..=1_000_000_000, a in 0u64..200, b in 0u64..200) {
			let r = Perbill::from_parts(rate);
			let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
			prop_assert!(decayed_stake(stake, r, hi) <= decayed_stake(stake, r, lo));
			prop_assert!(decayed_stake(stake, r, lo) <= stake);
		}

		#[test]
		fn compounding_is_composable(stake in 0u128..1u128 << 100, a in 0u64..50, b in 0u64..50) {
			let r = Perbill::from_percent(1);
			prop_assert_eq!(decayed_stake(decayed_stake(stake, r, a), r, b), decayed_stake(stake, r, a + b));
		}

		#[test]
		fn total(stake in any::<u128>(), rate in any::<u32>(), n in any::<u64>()) {
			let _ = decayed_stake(stake, Perbill::from_parts(rate), n);
			let _ = slash_amount(stake, Perbill::from_parts(rate));
		}
	}
}
