//! The reverse Dutch auction price curve of an offer (Boundless-style).
//!
//! Times are UNIX seconds; `ramp_up_period`, `lock_timeout` and `timeout` are
//! measured from `ramp_up_start`. Deadlines are inclusive: at
//! `t == ramp_up_start + lock_timeout` the offer still pays `max_price` and can
//! still be locked; one second later the price is 0.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Pricing parameters of an offer.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct OfferCurve {
	/// Price until `ramp_up_start`.
	pub min_price: u128,
	/// Price at the end of the ramp-up, paid until the lock deadline.
	pub max_price: u128,
	/// Start of the ramp-up, UNIX seconds.
	pub ramp_up_start: u64,
	/// Length of the ramp-up in seconds.
	pub ramp_up_period: u64,
	/// Lock deadline, seconds after `ramp_up_start`.
	pub lock_timeout: u64,
	/// Final deadline, seconds after `ramp_up_start`.
	pub timeout: u64,
}

/// Why an offer's parameters are invalid.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CurveError {
	/// `min_price > max_price`.
	MinAboveMax,
	/// `ramp_up_period > lock_timeout`.
	RampLongerThanLock,
	/// `lock_timeout > timeout`.
	LockAfterTimeout,
	/// `ramp_up_start + timeout` does not fit in a `u64`.
	Overflow,
}

impl OfferCurve {
	/// Checks `min_price <= max_price` and `ramp_up_period <= lock_timeout <= timeout`.
	pub fn validate(&self) -> Result<(), CurveError> {
		if self.min_price > self.max_price {
			return Err(CurveError::MinAboveMax);
		}
		if self.ramp_up_period > self.lock_timeout {
			return Err(CurveError::RampLongerThanLock);
		}
		if self.lock_timeout > self.timeout {
			return Err(CurveError::LockAfterTimeout);
		}
		if self.ramp_up_start.checked_add(self.timeout).is_none() {
			return Err(CurveError::Overflow);
		}
		Ok(())
	}

	/// Absolute lock deadline (inclusive), UNIX seconds.
	pub fn lock_deadline(&self) -> u64 {
		self.ramp_up_start.saturating_add(self.lock_timeout)
	}

	/// Absolute final deadline (inclusive), UNIX seconds.
	pub fn deadline(&self) -> u64 {
		self.ramp_up_start.saturating_add(self.timeout)
	}

	/// The price at time `t` (see [`price_at`]).
	pub fn price_at(&self, t: u64) -> u128 {
		price_at(self, t)
	}
}

/// Price of an offer at UNIX time `t`:
/// - `min_price` for `t <= ramp_up_start`;
/// - during the ramp-up `min + (max - min) * (t - start) / ramp_up_period`, rounded down;
/// - `max_price` from the end of the ramp-up until the lock deadline (inclusive);
/// - 0 after the lock deadline.
///
/// Total for any input; for an invalid curve (`min > max`) the ramp is flat at `min`
/// until the lock deadline.
pub fn price_at(c: &OfferCurve, t: u64) -> u128 {
	if t > c.lock_deadline() {
		return 0;
	}
	if t <= c.ramp_up_start {
		return c.min_price;
	}
	let elapsed = t - c.ramp_up_start;
	if elapsed >= c.ramp_up_period {
		return c.max_price.max(c.min_price);
	}
	let rise = c.max_price.saturating_sub(c.min_price);
	c.min_price.saturating_add(crate::mul_div_floor(
		rise,
		elapsed as u128,
		c.ramp_up_period as u128,
	))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	const MILLI: u128 = 1_000_000_000_000_000; // 0.001 ZK (18 decimals)

	fn seed() -> OfferCurve {
		OfferCurve {
			min_price: MILLI,
			max_price: 2 * MILLI,
			ramp_up_start: 1000,
			ramp_up_period: 50,
			lock_timeout: 100,
			timeout: 200,
		}
	}

	#[test]
	fn seed_example() {
		let c = seed();
		assert_eq!(c.validate(), Ok(()));
		assert_eq!(price_at(&c, 0), MILLI);
		assert_eq!(price_at(&c, 1000), MILLI);
		assert_eq!(price_at(&c, 1010), 1_200_000_000_000_000);
		assert_eq!(price_at(&c, 1020), 1_400_000_000_000_000);
		assert_eq!(price_at(&c, 1050), 2 * MILLI);
		assert_eq!(price_at(&c, 1099), 2 * MILLI);
		assert_eq!(price_at(&c, 1100), 2 * MILLI);
		assert_eq!(price_at(&c, 1101), 0);
		assert_eq!(price_at(&c, 1200), 0);
		assert_eq!(c.lock_deadline(), 1100);
		assert_eq!(c.deadline(), 1200);
	}

	#[test]
	fn floor_division() {
		let c = OfferCurve {
			min_price: 0,
			max_price: 10,
			ramp_up_start: 0,
			ramp_up_period: 3,
			lock_timeout: 3,
			timeout: 3,
		};
		assert_eq!(price_at(&c, 1), 3);
		assert_eq!(price_at(&c, 2), 6);
		assert_eq!(price_at(&c, 3), 10);
	}

	#[test]
	fn validation_errors() {
		let mut c = seed();
		c.min_price = 3 * MILLI;
		assert_eq!(c.validate(), Err(CurveError::MinAboveMax));
		let mut c = seed();
		c.ramp_up_period = 101;
		assert_eq!(c.validate(), Err(CurveError::RampLongerThanLock));
		let mut c = seed();
		c.lock_timeout = 201;
		assert_eq!(c.validate(), Err(CurveError::LockAfterTimeout));
		let mut c = seed();
		c.ramp_up_start = u64::MAX;
		assert_eq!(c.validate(), Err(CurveError::Overflow));
	}

	fn valid_curve() -> impl Strategy<Value = OfferCurve> {
		(any::<u128>(), any::<u128>(), 0u64..u64::MAX / 2, any::<u32>(), any::<u32>(), any::<u32>())
			.prop_map(|(a, b, start, r, l, t)| {
				let (min_price, max_price) = if a <= b { (a, b) } else { (b, a) };
				let mut d = [r as u64, l as u64, t as u64];
				d.sort();
				OfferCurve {
					min_price,
					max_price,
					ramp_up_start: start,
					ramp_up_period: d[0],
					lock_timeout: d[1],
					timeout: d[2],
				}
			})
	}

	proptest! {
		#[test]
		fn never_panics(c in any::<(u128, u128, u64, u64, u64, u64)>(), t in any::<u64>()) {
			let c = OfferCurve { min_price: c.0, max_price: c.1, ramp_up_start: c.2,
				ramp_up_period: c.3, lock_timeout: c.4, timeout: c.5 };
			let _ = price_at(&c, t);
			let _ = c.validate();
		}

		#[test]
		fn within_bounds_until_lock_deadline(c in valid_curve(), dt in any::<u64>()) {
			let t = c.ramp_up_start.saturating_sub(1_000).saturating_add(dt % (c.lock_timeout + 2_000));
			let p = price_at(&c, t);
			if t <= c.lock_deadline() {
				prop_assert!(p >= c.min_price && p <= c.max_price);
			} else {
				prop_assert_eq!(p, 0);
			}
		}

		#[test]
		fn non_decreasing_until_lock_deadline(c in valid_curve(), a in any::<u64>(), b in any::<u64>()) {
			let span = c.lock_timeout + 1_000;
			let base = c.ramp_up_start.saturating_sub(500);
			let (t1, t2) = { let x = base + a % span; let y = base + b % span; if x <= y { (x, y) } else { (y, x) } };
			if t2 <= c.lock_deadline() {
				prop_assert!(price_at(&c, t1) <= price_at(&c, t2));
			}
		}

		#[test]
		fn reaches_max_at_end_of_ramp(c in valid_curve()) {
			prop_assume!(c.ramp_up_period > 0);
			prop_assert_eq!(price_at(&c, c.ramp_up_start + c.ramp_up_period), c.max_price);
		}
	}
}
