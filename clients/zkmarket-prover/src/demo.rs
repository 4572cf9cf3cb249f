//! The demo program's commands: its key (`program`), a request's public
//! input (`input`), real proofs (`prove`, and `serve` for many), and the
//! native verifier's speed (`bench`). Every answer is one JSON object on
//! stdout (serde_json, fields in the order below).

use serde::Serialize;
use serde_json::Value;
use std::{
	io::{BufRead, Write},
	str::FromStr,
};
use zkmarket_client::AccountId;
use zkmarket_demo_circuit::*;
use zkmarket_groth16_host::groth16_bn254;

/// An account id from an SS58 address or 0x-prefixed 32-byte hex.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
	/// `0x` but not 32 bytes of hex.
	#[error("`{0}` is not a 32-byte hex account id")]
	Hex(String),
	/// Not an SS58 address.
	#[error("`{0}` is not an SS58 address")]
	Ss58(String),
}

/// An account id from an SS58 address or 0x-prefixed 32-byte hex.
pub fn account_from_str(s: &str) -> Result<[u8; 32], AccountError> {
	if let Some(h) = s.strip_prefix("0x") {
		return match hex::decode(h) {
			Ok(b) if b.len() == 32 => {
				let mut a = [0u8; 32];
				a.copy_from_slice(&b);
				Ok(a)
			}
			_ => Err(AccountError::Hex(s.to_string())),
		};
	}
	AccountId::from_str(s).map(|a| a.0).map_err(|_| AccountError::Ss58(s.to_string()))
}

/// `program`: `{"vk": "0x..", "programId": "0x.."}`.
#[derive(Serialize)]
struct ProgramOut {
	vk: String,
	#[serde(rename = "programId")]
	program_id: String,
}

/// `input`: `{"y": "0x.."}`.
#[derive(Serialize)]
struct InputOut {
	y: String,
}

/// `prove`: `{"proof": "0x..", "y": "0x..", "binding": "0x.."}`.
#[derive(Serialize)]
struct ProveOut {
	proof: String,
	y: String,
	binding: String,
}

/// One `serve` reply: the fields of `prove` with the request and the prover
/// (hex), or an error; `tag` echoed.
#[derive(Serialize, Default)]
struct ServeOut {
	#[serde(skip_serializing_if = "Option::is_none")]
	request: Option<u64>,
	#[serde(skip_serializing_if = "Option::is_none")]
	prover: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	proof: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	y: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	binding: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	error: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	tag: Option<Value>,
}

/// `bench`: verifications per second.
#[derive(Serialize)]
struct BenchOut {
	verifications: u64,
	seconds: f64,
	#[serde(rename = "msPerVerification")]
	ms_per_verification: f64,
	#[serde(rename = "perSecond")]
	per_second: f64,
}

fn print(v: &impl Serialize) {
	println!("{}", serde_json::to_string(v).expect("plain JSON"));
}

/// Rounds to `digits` decimals (what the output shows).
fn round(v: f64, digits: i32) -> f64 {
	let p = 10f64.powi(digits);
	(v * p).round() / p
}

/// `zkmarket-prover program`.
pub fn program() {
	print(&ProgramOut {
		vk: format!("0x{}", hex::encode(vk_bytes())),
		program_id: format!("0x{}", hex::encode(program_id())),
	});
}

/// `zkmarket-prover input <x>`.
pub fn input(x: u64) {
	print(&InputOut { y: fr_hex(output(x)) });
}

/// `zkmarket-prover prove <x> <request> <prover> [--tamper] [--seed N]`.
pub fn prove_cmd(x: u64, request: u64, prover: &[u8; 32], tamper: bool, seed: u64) {
	// `--tamper`: a proof of a different statement (x + 1) with the same
	// claimed output: well-formed bytes that do not verify.
	let proof = prove(if tamper { x + 1 } else { x }, request, prover, seed);
	print(&ProveOut {
		proof: format!("0x{}", hex::encode(&proof)),
		y: fr_hex(output(x)),
		binding: fr_hex(binding(request, prover)),
	});
}

/// `zkmarket-prover bench [n]`.
pub fn bench(n: u64) {
	let n = n.max(1);
	let prover = [7u8; 32];
	let proof = prove(3, 1, &prover, 1);
	let vk = vk_bytes();
	let inputs = [fr_bytes(output(3)), fr_bytes(binding(1, &prover))];
	let public = zkmarket_groth16_host::join_inputs(&inputs);
	let verify = || groth16_bn254::verify(&vk, &proof, &public) == Ok(true);
	assert!(verify(), "demo proof verifies");
	let start = std::time::Instant::now();
	for _ in 0..n {
		assert!(verify());
	}
	let secs = start.elapsed().as_secs_f64();
	print(&BenchOut {
		verifications: n,
		seconds: round(secs, 3),
		ms_per_verification: round(secs * 1000.0 / n as f64, 3),
		per_second: round(n as f64 / secs, 1),
	});
}

/// An unsigned integer field: a JSON number or a string of digits.
fn u64_field(v: &Value) -> Option<u64> {
	v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// One `serve` job (`{"x", "request", "prover"}`, optional `"tamper"`,
/// `"seed"`, `"tag"`): the reply.
fn serve_reply(pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>, line: &str) -> ServeOut {
	let job = match serde_json::from_str::<Value>(line) {
		Ok(Value::Object(o)) => o,
		Ok(_) => {
			return ServeOut {
				error: Some("bad job: expected a JSON object".into()),
				..Default::default()
			}
		}
		Err(e) => return ServeOut { error: Some(format!("bad job: {e}")), ..Default::default() },
	};
	let request = job.get("request").and_then(u64_field);
	let tag = job.get("tag").cloned();
	let fail =
		|e: String| ServeOut { request, error: Some(e), tag: tag.clone(), ..Default::default() };
	let Some(request) = request else {
		return fail("`request` must be an unsigned integer".into());
	};
	let Some(x) = job.get("x").and_then(u64_field) else {
		return fail("`x` must be an unsigned integer".into());
	};
	let prover = match job.get("prover").and_then(Value::as_str) {
		Some(s) => match account_from_str(s) {
			Ok(a) => a,
			Err(e) => return fail(e.to_string()),
		},
		None => return fail("`prover` must be an SS58 address or 0x account id".into()),
	};
	let seed = match job.get("seed") {
		None => 1,
		Some(v) => match u64_field(v) {
			Some(s) => s,
			None => return fail("`seed` must be an unsigned integer".into()),
		},
	};
	let tamper = job.get("tamper").and_then(Value::as_bool) == Some(true);
	// `tamper`: a proof of x + 1 claiming the output of x (see `prove`).
	let proof = prove_with(pk, if tamper { x + 1 } else { x }, request, &prover, seed);
	ServeOut {
		request: Some(request),
		prover: Some(format!("0x{}", hex::encode(prover))),
		proof: Some(format!("0x{}", hex::encode(&proof))),
		y: Some(fr_hex(output(x))),
		binding: Some(fr_hex(binding(request, &prover))),
		error: None,
		tag,
	}
}

/// One `serve` job as its JSON reply line.
pub fn serve_job(pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>, line: &str) -> String {
	serde_json::to_string(&serve_reply(pk, line)).expect("plain JSON")
}

/// `serve`: jobs on stdin, one result line per job on stdout, until EOF.
pub fn serve() {
	let (pk, _) = keys();
	let stdin = std::io::stdin();
	let mut out = std::io::stdout().lock();
	for line in stdin.lock().lines() {
		let Ok(line) = line else { break };
		if line.trim().is_empty() {
			continue;
		}
		let reply = serve_job(&pk, &line);
		// The client is gone: stop.
		if writeln!(out, "{reply}").and_then(|_| out.flush()).is_err() {
			break;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn json(s: &str) -> Value {
		serde_json::from_str(s).unwrap()
	}

	#[test]
	fn serve_jobs_prove_like_the_prove_command() {
		let (pk, _) = keys();
		let who = [7u8; 32];
		let line = format!(r#"{{"x":3,"request":9,"prover":"0x{}","tag":"a"}}"#, hex::encode(who));
		let reply = serve_job(&pk, &line);
		let proof = hex::encode(prove(3, 9, &who, 1));
		let v = json(&reply);
		assert_eq!(v["proof"], format!("0x{proof}"), "{reply}");
		assert_eq!(v["request"], 9);
		assert_eq!(v["prover"], format!("0x{}", hex::encode(who)));
		assert_eq!(v["y"], fr_hex(output(3)));
		assert_eq!(v["binding"], fr_hex(binding(9, &who)));
		assert_eq!(v["tag"], "a");
		// The fields in the order of `prove`, after the request and the prover.
		assert!(reply.starts_with("{\"request\":9,\"prover\":\"0x0707"), "{reply}");
		assert!(reply.ends_with(",\"tag\":\"a\"}"), "{reply}");
		// SS58 and hex name the same account; numbers may be strings.
		let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		let a = serve_job(&pk, &format!(r#"{{"x":3,"request":1,"prover":"{alice}"}}"#));
		let b = serve_job(
			&pk,
			&format!(
				r#"{{"x":"3","request":"1","prover":"0x{}"}}"#,
				hex::encode(account_from_str(alice).unwrap())
			),
		);
		assert_eq!(a, b);
		let e = json(&serve_job(&pk, r#"{"x":3,"request":4,"prover":"nope","tag":7}"#));
		assert_eq!(e, json(r#"{"request":4,"error":"`nope` is not an SS58 address","tag":7}"#));
		let bad = json(&serve_job(&pk, "garbage"));
		assert!(bad["error"].as_str().unwrap().starts_with("bad job"), "{bad}");
		assert!(bad.get("request").is_none());
		let not_object = json(&serve_job(&pk, "[1]"));
		assert_eq!(not_object["error"], "bad job: expected a JSON object");
		// A tampered proof differs.
		let t = json(&serve_job(&pk, &line.replace("\"tag\"", "\"tamper\":true,\"tag\"")));
		assert_ne!(t["proof"], v["proof"]);
	}

	#[test]
	fn accounts() {
		assert_eq!(account_from_str(&format!("0x{}", "07".repeat(32))), Ok([7u8; 32]));
		assert_eq!(account_from_str("0x07"), Err(AccountError::Hex("0x07".into())));
		assert_eq!(account_from_str("nope"), Err(AccountError::Ss58("nope".into())));
	}
}
