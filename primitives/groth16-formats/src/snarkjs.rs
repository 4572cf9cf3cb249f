//! snarkjs JSON (`verification_key.json`, `proof.json`, `public.json`) to and
//! from the arkworks encoding. Numbers are canonical decimal strings (below the
//! modulus, no sign, no leading zeros); points are affine (`z = 1`); an Fq2
//! element is `[c0, c1]`, arkworks' order. Clients only (`json` feature).
use crate::{points, FormatError, Scalar};
use alloc::{string::String, vec::Vec};
use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_serialize::CanonicalDeserialize;
use serde_json::{json, Value};

/// A canonical decimal string as 32 little-endian bytes; `None` unless it is
/// below `modulus_le` (little-endian bytes of the modulus).
fn decimal_le(s: &str, modulus: &[u8]) -> Option<[u8; 32]> {
	if s.is_empty() || s.len() > 78 || (s.len() > 1 && s.starts_with('0')) {
		return None;
	}
	let mut n = [0u64; 5]; // little-endian limbs, one spare for the overflow check
	for c in s.bytes() {
		let d = c.checked_sub(b'0').filter(|d| *d <= 9)? as u128;
		let mut carry = d;
		for limb in n.iter_mut() {
			let v = (*limb as u128) * 10 + carry;
			*limb = v as u64;
			carry = v >> 64;
		}
		if carry != 0 || n[4] != 0 {
			return None;
		}
	}
	let mut out = [0u8; 32];
	for (i, limb) in n[..4].iter().enumerate() {
		out[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
	}
	// Below the modulus: compare from the most significant byte.
	let below =
		out.iter().rev().zip(modulus.iter().rev()).find(|(a, b)| a != b).map(|(a, b)| a < b);
	(below == Some(true)).then_some(out)
}

fn fq(v: &Value) -> Result<Fq, FormatError> {
	let m = Fq::MODULUS.to_bytes_le();
	let le = decimal_le(v.as_str().ok_or(FormatError::Json)?, &m).ok_or(FormatError::Json)?;
	Fq::deserialize_compressed(&le[..]).map_err(|_| FormatError::Json)
}

/// A scalar (public signal) from its decimal string, as a public input.
pub fn scalar(v: &Value) -> Result<Scalar, FormatError> {
	let m = Fr::MODULUS.to_bytes_le();
	decimal_le(v.as_str().ok_or(FormatError::Json)?, &m).ok_or(FormatError::Input)
}

fn array(v: &Value, n: usize) -> Result<&Vec<Value>, FormatError> {
	v.as_array().filter(|a| a.len() == n).ok_or(FormatError::Json)
}

/// snarkjs G1: `["x", "y", "1"]`.
fn g1(v: &Value) -> Result<G1Affine, FormatError> {
	let a = array(v, 3)?;
	if a[2].as_str() != Some("1") {
		return Err(FormatError::Json);
	}
	points::g1(fq(&a[0])?, fq(&a[1])?)
}

/// snarkjs G2: `[["x.c0","x.c1"], ["y.c0","y.c1"], ["1","0"]]`.
fn g2(v: &Value) -> Result<G2Affine, FormatError> {
	let a = array(v, 3)?;
	let pair = |w: &Value| -> Result<Fq2, FormatError> {
		let p = array(w, 2)?;
		Ok(Fq2::new(fq(&p[0])?, fq(&p[1])?))
	};
	let z = array(&a[2], 2)?;
	if z[0].as_str() != Some("1") || z[1].as_str() != Some("0") {
		return Err(FormatError::Json);
	}
	points::g2(pair(&a[0])?, pair(&a[1])?)
}

/// `verification_key.json` as an arkworks compressed key (validate it by
/// parsing: G2 subgroup membership is not checked here). Errors:
/// [`FormatError::Json`] for anything not a Groth16 BN254 snarkjs key,
/// [`FormatError::KeyEncoding`] for points off the curve.
pub fn vk_from_json(j: &Value) -> Result<Vec<u8>, FormatError> {
	if j["protocol"] != "groth16" || (j["curve"] != "bn128" && j["curve"] != "bn254") {
		return Err(FormatError::Json);
	}
	let ic = j["IC"].as_array().ok_or(FormatError::Json)?;
	let n_public = j["nPublic"].as_u64().ok_or(FormatError::Json)?;
	if ic.len() as u64 != n_public.saturating_add(1) {
		return Err(FormatError::KeyInputCount);
	}
	let key = |e| if e == FormatError::ProofEncoding { FormatError::KeyEncoding } else { e };
	let mut out = Vec::new();
	out.extend(points::compressed(&g1(&j["vk_alpha_1"]).map_err(key)?));
	for name in ["vk_beta_2", "vk_gamma_2", "vk_delta_2"] {
		out.extend(points::compressed(&g2(&j[name]).map_err(key)?));
	}
	out.extend((ic.len() as u64).to_le_bytes());
	for p in ic {
		out.extend(points::compressed(&g1(p).map_err(key)?));
	}
	Ok(out)
}

/// `proof.json` as an arkworks compressed proof (128 bytes).
pub fn proof_from_json(j: &Value) -> Result<Vec<u8>, FormatError> {
	if j.get("protocol").is_some_and(|p| p != "groth16") {
		return Err(FormatError::Json);
	}
	let (a, b, c) = (g1(&j["pi_a"])?, g2(&j["pi_b"])?, g1(&j["pi_c"])?);
	Ok([points::compressed(&a), points::compressed(&b), points::compressed(&c)].concat())
}

/// `public.json` (decimal strings) as public inputs.
pub fn public_from_json(j: &Value) -> Result<Vec<Scalar>, FormatError> {
	j.as_array().ok_or(FormatError::Json)?.iter().map(scalar).collect()
}

fn dec_fq(f: &Fq) -> String {
	f.into_bigint().to_string()
}

/// An arkworks compressed proof as snarkjs' `proof.json`; `None` unless the
/// bytes are a valid proof.
pub fn proof_to_json(proof: &[u8]) -> Option<Value> {
	if proof.len() != points::PROOF_LEN {
		return None;
	}
	let a = G1Affine::deserialize_compressed(&proof[..32]).ok()?;
	let b = G2Affine::deserialize_compressed(&proof[32..96]).ok()?;
	let c = G1Affine::deserialize_compressed(&proof[96..]).ok()?;
	let g1 = |p: G1Affine| p.xy().map(|(x, y)| json!([dec_fq(&x), dec_fq(&y), "1"]));
	let (bx, by) = b.xy()?;
	Some(json!({
		"pi_a": g1(a)?,
		"pi_b": [[dec_fq(&bx.c0), dec_fq(&bx.c1)], [dec_fq(&by.c0), dec_fq(&by.c1)], ["1", "0"]],
		"pi_c": g1(c)?,
		"protocol": "groth16",
		"curve": "bn128",
	}))
}

/// Public inputs as snarkjs' `public.json` (decimal strings).
pub fn public_to_json(inputs: &[Scalar]) -> Value {
	Value::Array(
		inputs
			.iter()
			.map(|i| {
				let f = Fr::from_le_bytes_mod_order(i);
				Value::String(f.into_bigint().to_string())
			})
			.collect(),
	)
}
