//! Parsing of command-line values: ids, public inputs, offers, durations, files.

use ark_bn254::Fr;
use std::str::FromStr;
use zkmarket_client::ProgramKind;
use zkmarket_client::{
	amount::parse_zk,
	groth16,
	market::{Balance, ProgramId, PublicInput},
	Error,
};

/// A 32-byte id from `0x` + 64 hex digits.
pub fn parse_id32(s: &str, what: &str) -> Result<[u8; 32], Error> {
	let s = s.trim();
	let h = s.strip_prefix("0x").ok_or_else(|| {
		Error::bad_input(format!("bad {what} `{s}`: expected 0x followed by 64 hex digits"))
	})?;
	let bytes =
		hex::decode(h).map_err(|_| Error::bad_input(format!("bad {what} `{s}`: not hex")))?;
	bytes.try_into().map_err(|_| {
		Error::bad_input(format!("bad {what} `{s}`: expected 32 bytes (64 hex digits)"))
	})
}

/// A program id.
pub fn parse_program(s: &str) -> Result<ProgramId, Error> {
	parse_id32(s, "program id")
}

/// One public input: `0x` + 64 hex digits (32 bytes little-endian, as the
/// chain stores it) or a decimal number (a field element). Must be a canonical
/// BN254 scalar.
pub fn parse_input(s: &str) -> Result<PublicInput, Error> {
	let s = s.trim();
	let bytes = if s.starts_with("0x") {
		parse_id32(s, "public input")?
	} else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
		let t = s.trim_start_matches('0');
		let t = if t.is_empty() { "0" } else { t };
		let too_large = || {
			Error::bad_input(format!("bad public input `{s}`: not below the BN254 scalar modulus"))
		};
		// `from_str` reduces modulo r; refuse values that were not already below it.
		let f = Fr::from_str(t).map_err(|_| too_large())?;
		if f.to_string() != t {
			return Err(too_large());
		}
		groth16::fr_bytes(f)
	} else {
		return Err(Error::bad_input(format!(
			"bad public input `{s}`: expected 0x + 64 hex digits (32 bytes little-endian) or a decimal number"
		)));
	};
	if !groth16::is_canonical(&bytes) {
		return Err(Error::bad_input(format!(
			"bad public input `{s}`: not a canonical BN254 scalar (little-endian, below the modulus)"
		)));
	}
	Ok(bytes)
}

/// Comma-separated public inputs (empty string: none).
pub fn parse_inputs(s: &str) -> Result<Vec<PublicInput>, Error> {
	if s.trim().is_empty() {
		return Ok(Vec::new());
	}
	s.split(',').map(parse_input).collect()
}

/// A duration in seconds: `90`, `90s`, `5m`, `2h`, `1d`.
pub fn parse_secs(s: &str) -> Result<u64, Error> {
	let t = s.trim();
	let bad = || {
		Error::bad_input(format!("bad duration `{s}`: expected seconds like 90, 90s, 5m, 2h, 1d"))
	};
	let (num, mult) = match t.char_indices().last() {
		Some((i, 's')) => (&t[..i], 1),
		Some((i, 'm')) => (&t[..i], 60),
		Some((i, 'h')) => (&t[..i], 3600),
		Some((i, 'd')) => (&t[..i], 86_400),
		_ => (t, 1),
	};
	let n: u64 = num.trim().parse().map_err(|_| bad())?;
	n.checked_mul(mult).ok_or_else(bad)
}

/// The terms of `--offer min,max,ramp,lock,timeout,collateral`: prices and
/// collateral in ZK, durations in seconds (lock and timeout counted from the
/// ramp start, as the chain does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfferArgs {
	/// Price until the ramp starts.
	pub min_price: Balance,
	/// Price at the end of the ramp.
	pub max_price: Balance,
	/// Ramp length, seconds.
	pub ramp: u64,
	/// Lock deadline, seconds after the ramp start.
	pub lock: u64,
	/// Final deadline, seconds after the ramp start.
	pub timeout: u64,
	/// Lock collateral.
	pub collateral: Balance,
}

/// Parses `min,max,ramp,lock,timeout,collateral` and checks the chain's rules
/// that need no chain state (min <= max, ramp <= lock <= timeout, timeout at
/// most 7 days).
pub fn parse_offer(s: &str) -> Result<OfferArgs, Error> {
	let parts: Vec<&str> = s.split(',').map(str::trim).collect();
	if parts.len() != 6 {
		return Err(Error::bad_input(format!(
			"bad --offer `{s}`: expected min,max,ramp,lock,timeout,collateral \
			 (prices and collateral in ZK, durations in seconds), e.g. 0.01,0.1,60,120,300,0.05"
		)));
	}
	let o = OfferArgs {
		min_price: parse_zk(parts[0])?,
		max_price: parse_zk(parts[1])?,
		ramp: parse_secs(parts[2])?,
		lock: parse_secs(parts[3])?,
		timeout: parse_secs(parts[4])?,
		collateral: parse_zk(parts[5])?,
	};
	if o.min_price > o.max_price {
		return Err(Error::bad_input("bad --offer: min price above max price"));
	}
	if o.ramp > o.lock {
		return Err(Error::bad_input("bad --offer: the ramp is longer than the lock timeout"));
	}
	if o.lock > o.timeout {
		return Err(Error::bad_input("bad --offer: the lock timeout is after the timeout"));
	}
	if o.timeout > 7 * 86_400 {
		return Err(Error::bad_input("bad --offer: the timeout is longer than 7 days"));
	}
	Ok(o)
}

/// A verifying key from a file: raw bytes, `0x` hex (whitespace ignored), or
/// the JSON of `zkmarket-prover program` (`{"vk": "0x.."}`).
pub fn read_vk(path: &str) -> Result<Vec<u8>, Error> {
	let data = std::fs::read(path)
		.map_err(|e| Error::bad_input(format!("cannot read verifying key file {path}: {e}")))?;
	let text = std::str::from_utf8(&data).ok().map(str::trim);
	if let Some(t) = text {
		if t.starts_with('{') {
			let v: serde_json::Value = serde_json::from_str(t)
				.map_err(|e| Error::bad_input(format!("{path}: bad JSON: {e}")))?;
			let h = v.get("vk").and_then(|v| v.as_str()).ok_or_else(|| {
				Error::bad_input(format!("{path}: JSON without a \"vk\" hex string"))
			})?;
			return decode_hex(h, path);
		}
		if t.starts_with("0x") {
			return decode_hex(t, path);
		}
	}
	Ok(data)
}

fn decode_hex(s: &str, path: &str) -> Result<Vec<u8>, Error> {
	let h: String = s.trim_start_matches("0x").chars().filter(|c| !c.is_whitespace()).collect();
	hex::decode(h).map_err(|e| Error::bad_input(format!("{path}: bad hex: {e}")))
}

/// The kind of a program to register, and its parameters.
#[derive(clap::Args, Debug, Clone)]
pub struct KindArgs {
	/// The program kind: arkworks (the key's last public input is the binding),
	/// snarkjs (a circom circuit whose last declared public input is the
	/// binding), gnark, sp1 (needs --vkey-hash, --vk-root), risc0 (needs
	/// --image-id, --control-root, --control-id). gnark, sp1 and risc0
	/// programs are unbound: only an assigned or locking prover may prove them.
	#[arg(long, default_value = "arkworks")]
	pub kind: String,
	/// sp1: the guest program's verifying key hash (`vk.bytes32()`), 0x hex.
	#[arg(long)]
	pub vkey_hash: Option<String>,
	/// sp1: the SP1 version's `vk_root`, 0x hex (bytes 36..68 of any of its proofs).
	#[arg(long)]
	pub vk_root: Option<String>,
	/// risc0: the guest's image id, 0x hex.
	#[arg(long)]
	pub image_id: Option<String>,
	/// risc0: the zkVM version's control root (`ControlID.CONTROL_ROOT`), 0x hex.
	#[arg(long)]
	pub control_root: Option<String>,
	/// risc0: the zkVM version's BN254 control id (`ControlID.BN254_CONTROL_ID`), 0x hex.
	#[arg(long)]
	pub control_id: Option<String>,
}

impl KindArgs {
	/// The kind, with its parameters checked.
	pub fn kind(&self) -> Result<ProgramKind, Error> {
		let word = |name: &str, v: &Option<String>| -> Result<[u8; 32], Error> {
			let v = v
				.as_deref()
				.ok_or_else(|| Error::bad_input(format!("--kind {} needs --{name}", self.kind)))?;
			let b = hex::decode(v.trim_start_matches("0x"))
				.map_err(|e| Error::bad_input(format!("--{name}: bad hex: {e}")))?;
			b.try_into().map_err(|_| Error::bad_input(format!("--{name}: 32 bytes expected")))
		};
		let unused = |names: &[(&str, &Option<String>)]| -> Result<(), Error> {
			match names.iter().find(|(_, v)| v.is_some()) {
				Some((n, _)) => {
					Err(Error::bad_input(format!("--{n} does not apply to --kind {}", self.kind)))
				}
				None => Ok(()),
			}
		};
		let sp1 = [("vkey-hash", &self.vkey_hash), ("vk-root", &self.vk_root)];
		let risc0 = [
			("image-id", &self.image_id),
			("control-root", &self.control_root),
			("control-id", &self.control_id),
		];
		let kind = match self.kind.as_str() {
			"arkworks" => ProgramKind::Arkworks,
			"snarkjs" => ProgramKind::Snarkjs,
			"gnark" => ProgramKind::Gnark,
			"sp1" => {
				unused(&risc0)?;
				return Ok(ProgramKind::Sp1 {
					vkey_hash: word("vkey-hash", &self.vkey_hash)?,
					vk_root: word("vk-root", &self.vk_root)?,
				});
			}
			"risc0" => {
				unused(&sp1)?;
				return Ok(ProgramKind::Risc0 {
					image_id: word("image-id", &self.image_id)?,
					control_root: word("control-root", &self.control_root)?,
					bn254_control_id: word("control-id", &self.control_id)?,
				});
			}
			other => {
				return Err(Error::bad_input(format!(
					"unknown --kind {other} (arkworks, snarkjs, gnark, sp1, risc0)"
				)))
			}
		};
		unused(&sp1)?;
		unused(&risc0)?;
		Ok(kind)
	}
}

/// A key file for `kind`, as the chain's `register_program_of_kind` takes it:
/// snarkjs' `verification_key.json` is converted to arkworks bytes (snarkjs and
/// risc0 kinds); other files are read by [`read_vk`].
pub fn read_key(path: &str, kind: &ProgramKind) -> Result<Vec<u8>, Error> {
	if matches!(kind, ProgramKind::Snarkjs | ProgramKind::Risc0 { .. }) {
		if let Ok(text) = std::fs::read_to_string(path) {
			if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
				if v.get("protocol").is_some() {
					return zkmarket_client::formats::snarkjs::vk_from_json(&v).map_err(|e| {
						Error::bad_input(format!("{path}: not a snarkjs Groth16 BN254 key: {e:?}"))
					});
				}
			}
		}
	}
	read_vk(path)
}

/// `0x`-prefixed lowercase hex.
pub fn hex0x(b: &[u8]) -> String {
	format!("0x{}", hex::encode(b))
}

#[cfg(test)]
mod tests {
	use super::*;
	use zkmarket_client::amount::ZK;

	#[test]
	fn offers() {
		let o = parse_offer("0.01, 0.1, 60, 2m, 300s, 0.05").unwrap();
		assert_eq!(
			o,
			OfferArgs {
				min_price: ZK / 100,
				max_price: ZK / 10,
				ramp: 60,
				lock: 120,
				timeout: 300,
				collateral: ZK / 20
			}
		);
		for bad in [
			"",
			"1,2,3,4,5",
			"1,2,3,4,5,6,7",
			"2,1,10,20,30,1",
			"1,2,30,20,40,1",
			"1,2,10,50,40,1",
			"1,2,10,20,8d,1",
			"1,2,x,20,30,1",
			"-1,2,10,20,30,1",
			"1,2,10,20,30,0.0000000000000000001",
		] {
			assert!(matches!(parse_offer(bad), Err(Error::BadInput(_))), "{bad}");
		}
	}

	#[test]
	fn durations() {
		assert_eq!(parse_secs("90").unwrap(), 90);
		assert_eq!(parse_secs("90s").unwrap(), 90);
		assert_eq!(parse_secs("5m").unwrap(), 300);
		assert_eq!(parse_secs("2h").unwrap(), 7200);
		assert_eq!(parse_secs("1d").unwrap(), 86_400);
		for bad in ["", "s", "-1", "1.5", "1w", "18446744073709551615d"] {
			assert!(parse_secs(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn inputs() {
		let y = parse_input("35").unwrap();
		assert_eq!(y[0], 35);
		assert_eq!(&y[1..], &[0u8; 31]);
		let hex = hex0x(&y);
		assert_eq!(parse_input(&hex).unwrap(), y);
		assert_eq!(parse_inputs(&format!("{hex}, 35")).unwrap(), vec![y, y]);
		assert_eq!(parse_inputs("").unwrap(), Vec::<PublicInput>::new());
		assert_eq!(parse_input("0").unwrap(), [0u8; 32]);
		assert_eq!(parse_input("000").unwrap(), [0u8; 32]);
		// The modulus itself is not canonical.
		let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
		assert!(parse_input(r).is_err());
		let r_minus_1 =
			"21888242871839275222246405745257275088548364400416034343698204186575808495616";
		assert!(parse_input(r_minus_1).is_ok());
		for bad in ["0x12", "0xzz", "abc", "-1", "1.5", &format!("0x{}", "ff".repeat(32))] {
			assert!(matches!(parse_input(bad), Err(Error::BadInput(_))), "{bad}");
		}
	}

	#[test]
	fn ids() {
		let id = format!("0x{}", "ab".repeat(32));
		assert_eq!(parse_program(&id).unwrap(), [0xab; 32]);
		assert!(parse_program("ab").is_err());
		assert!(parse_program("0xabab").is_err());
	}

	#[test]
	fn vk_files() {
		let dir = std::env::temp_dir().join(format!("zkmarket-cli-vk-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let raw = dir.join("vk.bin");
		std::fs::write(&raw, [1u8, 2, 3, 0xff]).unwrap();
		assert_eq!(read_vk(raw.to_str().unwrap()).unwrap(), vec![1, 2, 3, 0xff]);
		let h = dir.join("vk.hex");
		std::fs::write(&h, "0x0102\n03ff\n").unwrap();
		assert_eq!(read_vk(h.to_str().unwrap()).unwrap(), vec![1, 2, 3, 0xff]);
		let j = dir.join("vk.json");
		std::fs::write(&j, r#"{"vk": "0x010203ff", "programId": "0x00"}"#).unwrap();
		assert_eq!(read_vk(j.to_str().unwrap()).unwrap(), vec![1, 2, 3, 0xff]);
		assert!(matches!(read_vk("/nonexistent/vk"), Err(Error::BadInput(_))));
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
