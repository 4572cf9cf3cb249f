//! ZK amounts: 18 decimals (`1 ZK = 10^18` planck, runtime/src/lib.rs).

use crate::Error;

/// Decimals of the ZK token.
pub const DECIMALS: usize = 18;
/// One ZK in planck.
pub const ZK: u128 = 1_000_000_000_000_000_000;
/// The token symbol.
pub const SYMBOL: &str = "ZK";

/// Parses a ZK amount: an integer or a decimal with at most 18 places,
/// optionally followed by `ZK` (`"1.5"`, `"0.001 ZK"`, `"100"`, `".5"`, `"2."`),
/// `_` allowed as a digit separator. Returns planck. Refuses negatives, more
/// than 18 decimals, overflow, anything else and the empty string.
pub fn parse_zk(s: &str) -> Result<u128, Error> {
	let bad = |why: &str| Error::BadInput(format!("bad amount `{s}`: {why}"));
	let mut t = s.trim();
	if let Some(stripped) =
		t.strip_suffix(SYMBOL).or_else(|| t.strip_suffix("zk")).or_else(|| t.strip_suffix("Zk"))
	{
		t = stripped.trim_end();
	}
	if t.is_empty() {
		return Err(bad("empty"));
	}
	if t.starts_with('-') {
		return Err(bad("negative"));
	}
	let t = t.strip_prefix('+').unwrap_or(t);
	let (int, frac) = match t.split_once('.') {
		Some((i, f)) => (i, f),
		None => (t, ""),
	};
	let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit() || c == '_');
	if !digits(int) || !digits(frac) {
		return Err(bad("not a number (use digits and one `.`; amounts are in ZK)"));
	}
	let int: String = int.chars().filter(|c| *c != '_').collect();
	let frac: String = frac.chars().filter(|c| *c != '_').collect();
	if int.is_empty() && frac.is_empty() {
		return Err(bad("no digits"));
	}
	if frac.len() > DECIMALS {
		return Err(bad("more than 18 decimals"));
	}
	let overflow = || bad("too large");
	let mut value: u128 = 0;
	for c in int.chars() {
		value = value
			.checked_mul(10)
			.and_then(|v| v.checked_add(c as u128 - '0' as u128))
			.ok_or_else(overflow)?;
	}
	value = value.checked_mul(ZK).ok_or_else(overflow)?;
	let mut f: u128 = 0;
	for c in frac.chars() {
		f = f * 10 + (c as u128 - '0' as u128);
	}
	f *= 10u128.pow((DECIMALS - frac.len()) as u32);
	value.checked_add(f).ok_or_else(overflow)
}

/// Formats planck as ZK with trailing zeros trimmed: `"1.5 ZK"`, `"0 ZK"`,
/// `"0.000000000000000001 ZK"`.
pub fn format_zk(planck: u128) -> String {
	format!("{} {SYMBOL}", format_zk_number(planck))
}

/// [`format_zk`] without the symbol: `"1.5"`.
pub fn format_zk_number(planck: u128) -> String {
	let int = planck / ZK;
	let frac = planck % ZK;
	if frac == 0 {
		return int.to_string();
	}
	let f = format!("{frac:018}");
	format!("{int}.{}", f.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	#[test]
	fn parses() {
		assert_eq!(parse_zk("1").unwrap(), ZK);
		assert_eq!(parse_zk("1.5").unwrap(), ZK + ZK / 2);
		assert_eq!(parse_zk("1.5 ZK").unwrap(), ZK + ZK / 2);
		assert_eq!(parse_zk("1.5ZK").unwrap(), ZK + ZK / 2);
		assert_eq!(parse_zk(" 0.001 ").unwrap(), ZK / 1000);
		assert_eq!(parse_zk(".5").unwrap(), ZK / 2);
		assert_eq!(parse_zk("2.").unwrap(), 2 * ZK);
		assert_eq!(parse_zk("0").unwrap(), 0);
		assert_eq!(parse_zk("+3").unwrap(), 3 * ZK);
		assert_eq!(parse_zk("1_000").unwrap(), 1000 * ZK);
		assert_eq!(parse_zk("0.000000000000000001").unwrap(), 1);
		assert_eq!(parse_zk("340282366920938463463.374607431768211455").unwrap(), u128::MAX);
	}

	#[test]
	fn refuses() {
		for s in [
			"",
			" ",
			"ZK",
			".",
			"-1",
			"-0.5",
			"1.2.3",
			"abc",
			"1e18",
			"0x10",
			"1,5",
			"0.0000000000000000001",
			"340282366920938463464",
			"340282366920938463463.374607431768211456",
			"1 ZK ZK",
		] {
			let e = parse_zk(s).unwrap_err();
			assert!(matches!(e, crate::Error::BadInput(_)), "{s}");
		}
	}

	#[test]
	fn formats() {
		assert_eq!(format_zk(0), "0 ZK");
		assert_eq!(format_zk(ZK), "1 ZK");
		assert_eq!(format_zk(ZK + ZK / 2), "1.5 ZK");
		assert_eq!(format_zk(1), "0.000000000000000001 ZK");
		assert_eq!(format_zk(ZK / 1000), "0.001 ZK");
		assert_eq!(format_zk(100 * ZK), "100 ZK");
		assert_eq!(format_zk_number(u128::MAX), "340282366920938463463.374607431768211455");
	}

	proptest! {
		#[test]
		fn round_trip(v in any::<u128>()) {
			prop_assert_eq!(parse_zk(&format_zk(v)).unwrap(), v);
			prop_assert_eq!(parse_zk(&format_zk_number(v)).unwrap(), v);
		}

		#[test]
		fn decimal_strings(int in 0u64..1_000_000_000, frac in 0u64..1_000_000_000_000_000_000, places in 0usize..=18) {
			let frac = frac % 10u64.pow(places.min(18) as u32).max(1);
			let s = if places == 0 { int.to_string() } else { format!("{int}.{frac:0places$}") };
			let expected = int as u128 * ZK + frac as u128 * 10u128.pow((18 - places) as u32);
			prop_assert_eq!(parse_zk(&s).unwrap(), expected);
		}
	}
}
