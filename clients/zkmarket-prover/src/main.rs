//! `zkmarket-prover`: the demo program's key and real proofs for it, as JSON.
//!
//! ```text
//! zkmarket-prover program                 # {"vk": "0x..", "programId": "0x.."}
//! zkmarket-prover input <x>               # {"y": "0x.."}  (the request's public input)
//! zkmarket-prover prove <x> <request> <prover> [--tamper] [--seed N]
//!                                         # {"proof": "0x..", "y": "0x..", "binding": "0x.."}
//! zkmarket-prover bench [n]               # native verifications per second (the runtime's verifier code)
//! zkmarket-prover serve                   # long-running: one proof per JSON line on stdin
//! zkmarket-prover run [--config prover.toml]
//!                                         # the prover agent: earns on its own (docs/prover-agent.md)
//! ```
//! `<prover>` is an SS58 address or a 0x-prefixed 32-byte account id.
//!
//! `serve` reads jobs as JSON lines on stdin, `{"x": 3, "request": 12, "prover":
//! "0x.. or ss58"}` (optional `"tamper": true`, `"seed": N`, and `"tag"`, echoed
//! back), and writes one JSON line per job, in order, flushed at once:
//! `{"request": 12, "prover": "0x..", "proof": "0x..", "y": "0x..", "binding": "0x.."}`
//! (the fields of `prove`, the prover as a hex account id), or `{"request": 12,
//! "error": ".."}` for a bad job; it keeps serving until stdin closes. The
//! proving key is computed once, so a client proving many assignments keeps one
//! process instead of starting one per proof.
use std::str::FromStr;
use zkmarket_client::AccountId;
use std::io::{BufRead, Write};
use std::process::exit;
use zkmarket_demo_circuit::*;
use zkmarket_groth16_host::groth16_bn254;

mod agent;

fn usage() -> ! {
	eprintln!(
		"usage:\n  zkmarket-prover program\n  zkmarket-prover input <x>\n  \
		 zkmarket-prover prove <x> <request-id> <prover-ss58-or-hex> [--tamper] [--seed N]\n  \
		 zkmarket-prover bench [n]\n  zkmarket-prover serve   (JSON lines {{\"x\", \"request\", \"prover\"}} on stdin)\n  \
		 zkmarket-prover run [--config prover.toml]   (the prover agent; sample: clients/zkmarket-prover/prover.example.toml)"
	);
	exit(2)
}

fn parse_u64(s: Option<&String>, what: &str) -> u64 {
	let Some(s) = s else { usage() };
	s.parse().unwrap_or_else(|_| {
		eprintln!("error: {what} must be an unsigned integer, got `{s}`");
		exit(2)
	})
}

/// An account id from an SS58 address or 0x-prefixed 32-byte hex.
fn account_from_str(s: &str) -> Result<[u8; 32], String> {
	if let Some(h) = s.strip_prefix("0x") {
		return match hex::decode(h) {
			Ok(b) if b.len() == 32 => {
				let mut a = [0u8; 32];
				a.copy_from_slice(&b);
				Ok(a)
			}
			_ => Err(format!("`{s}` is not a 32-byte hex account id")),
		};
	}
	AccountId::from_str(s).map(|a| a.0).map_err(|_| format!("`{s}` is not an SS58 address"))
}

fn parse_account(s: Option<&String>) -> [u8; 32] {
	let Some(s) = s else { usage() };
	account_from_str(s).unwrap_or_else(|e| {
		eprintln!("error: {e}");
		exit(2)
	})
}

/// A scalar JSON value of a flat object: a string (unescaped) or the raw text
/// of a number, `true`, `false` or `null`.
#[derive(Debug, PartialEq)]
enum Scalar {
	Str(String),
	Raw(String),
}

impl Scalar {
	fn as_u64(&self) -> Option<u64> {
		match self {
			Scalar::Str(s) | Scalar::Raw(s) => s.parse().ok(),
		}
	}
	/// The value as JSON text again (for echoing `tag`).
	fn to_json(&self) -> String {
		match self {
			Scalar::Str(s) => json_str(s),
			Scalar::Raw(r) => r.clone(),
		}
	}
}

fn json_str(s: &str) -> String {
	let mut out = String::from("\"");
	for c in s.chars() {
		match c {
			'"' => out.push_str("\\\""),
			'\\' => out.push_str("\\\\"),
			c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
			c => out.push(c),
		}
	}
	out.push('"');
	out
}

/// Parses one flat JSON object whose values are scalars (no nesting): what a
/// `serve` job is. Returns the fields in order.
fn parse_flat_object(line: &str) -> Result<Vec<(String, Scalar)>, String> {
	let mut chars = line.trim().chars().peekable();
	let skip_ws = |c: &mut std::iter::Peekable<std::str::Chars>| {
		while c.peek().is_some_and(|x| x.is_whitespace()) {
			c.next();
		}
	};
	let string = |c: &mut std::iter::Peekable<std::str::Chars>| -> Result<String, String> {
		let mut out = String::new();
		loop {
			match c.next() {
				None => return Err("unterminated string".into()),
				Some('"') => return Ok(out),
				Some('\\') => match c.next() {
					Some('"') => out.push('"'),
					Some('\\') => out.push('\\'),
					Some('/') => out.push('/'),
					Some('n') => out.push('\n'),
					Some('t') => out.push('\t'),
					Some('r') => out.push('\r'),
					Some('b') => out.push('\u{8}'),
					Some('f') => out.push('\u{c}'),
					Some('u') => {
						let h: String = (0..4).filter_map(|_| c.next()).collect();
						let v = u32::from_str_radix(&h, 16).map_err(|_| "bad \\u escape")?;
						out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
					}
					_ => return Err("bad escape".into()),
				},
				Some(ch) => out.push(ch),
			}
		}
	};
	if chars.next() != Some('{') {
		return Err("expected a JSON object".into());
	}
	let mut fields = Vec::new();
	skip_ws(&mut chars);
	if chars.peek() == Some(&'}') {
		chars.next();
	} else {
		loop {
			skip_ws(&mut chars);
			if chars.next() != Some('"') {
				return Err("expected a key".into());
			}
			let key = string(&mut chars)?;
			skip_ws(&mut chars);
			if chars.next() != Some(':') {
				return Err("expected `:`".into());
			}
			skip_ws(&mut chars);
			let value = if chars.peek() == Some(&'"') {
				chars.next();
				Scalar::Str(string(&mut chars)?)
			} else {
				let mut raw = String::new();
				while let Some(&c) = chars.peek() {
					if c == ',' || c == '}' || c.is_whitespace() {
						break;
					}
					if c == '{' || c == '[' {
						return Err(format!("`{key}`: nested values are not supported"));
					}
					raw.push(c);
					chars.next();
				}
				if raw.is_empty() {
					return Err(format!("`{key}`: missing value"));
				}
				Scalar::Raw(raw)
			};
			fields.push((key, value));
			skip_ws(&mut chars);
			match chars.next() {
				Some(',') => continue,
				Some('}') => break,
				_ => return Err("expected `,` or `}`".into()),
			}
		}
	}
	skip_ws(&mut chars);
	if chars.next().is_some() {
		return Err("trailing characters after the object".into());
	}
	Ok(fields)
}

/// One `serve` job: the JSON line to write back.
fn serve_job(pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>, line: &str) -> String {
	let fields = match parse_flat_object(line) {
		Ok(f) => f,
		Err(e) => return format!("{{\"error\": {}}}", json_str(&format!("bad job: {e}"))),
	};
	let get = |k: &str| fields.iter().find(|(key, _)| key == k).map(|(_, v)| v);
	let tag = get("tag").map(|t| format!(", \"tag\": {}", t.to_json())).unwrap_or_default();
	let request = get("request").and_then(Scalar::as_u64);
	let req_json = request.map(|r| format!("\"request\": {r}, ")).unwrap_or_default();
	let fail = |e: String| format!("{{{req_json}\"error\": {}{tag}}}", json_str(&e));
	let Some(request) = request else {
		return fail("`request` must be an unsigned integer".into());
	};
	let Some(x) = get("x").and_then(Scalar::as_u64) else {
		return fail("`x` must be an unsigned integer".into());
	};
	let prover = match get("prover") {
		Some(Scalar::Str(s)) => match account_from_str(s) {
			Ok(a) => a,
			Err(e) => return fail(e),
		},
		_ => return fail("`prover` must be an SS58 address or 0x account id".into()),
	};
	let seed = match get("seed") {
		None => 1,
		Some(v) => match v.as_u64() {
			Some(s) => s,
			None => return fail("`seed` must be an unsigned integer".into()),
		},
	};
	let tamper = matches!(get("tamper"), Some(Scalar::Raw(r)) if r == "true");
	// `--tamper`: a proof of x + 1 claiming the output of x (see `prove`).
	let proof = prove_with(pk, if tamper { x + 1 } else { x }, request, &prover, seed);
	format!(
		"{{\"request\": {request}, \"prover\": \"0x{}\", \"proof\": \"0x{}\", \"y\": \"{}\", \"binding\": \"{}\"{tag}}}",
		hex::encode(prover),
		hex::encode(&proof),
		fr_hex(output(x)),
		fr_hex(binding(request, &prover))
	)
}

/// `serve`: jobs on stdin, one result line per job on stdout, until EOF.
fn serve() {
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

fn main() {
	let args: Vec<String> = std::env::args().skip(1).collect();
	match args.first().map(String::as_str) {
		Some("program") => {
			println!(
				"{{\"vk\": \"0x{}\", \"programId\": \"0x{}\"}}",
				hex::encode(vk_bytes()),
				hex::encode(program_id())
			);
		}
		Some("input") => {
			let x = parse_u64(args.get(1), "x");
			println!("{{\"y\": \"{}\"}}", fr_hex(output(x)));
		}
		Some("prove") => {
			let x = parse_u64(args.get(1), "x");
			let request = parse_u64(args.get(2), "request id");
			let prover = parse_account(args.get(3));
			let tamper = args.iter().any(|a| a == "--tamper");
			let seed = args
				.iter()
				.position(|a| a == "--seed")
				.map(|i| parse_u64(args.get(i + 1), "seed"))
				.unwrap_or(1);
			let mut proof = prove(x, request, &prover, seed);
			if tamper {
				// Prove a different statement (x + 1) with the same claimed output:
				// well-formed bytes that do not verify.
				proof = prove(x + 1, request, &prover, seed);
			}
			println!(
				"{{\"proof\": \"0x{}\", \"y\": \"{}\", \"binding\": \"{}\"}}",
				hex::encode(&proof),
				fr_hex(output(x)),
				fr_hex(binding(request, &prover))
			);
		}
		Some("bench") => {
			let n = args.get(1).map(|_| parse_u64(args.get(1), "n")).unwrap_or(200).max(1);
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
			println!(
				"{{\"verifications\": {n}, \"seconds\": {secs:.3}, \"msPerVerification\": {:.3}, \"perSecond\": {:.1}}}",
				secs * 1000.0 / n as f64,
				n as f64 / secs
			);
		}
		Some("serve") => serve(),
		Some("run") => {
			let config = match args.get(1).map(String::as_str) {
				None => "prover.toml".to_string(),
				Some("--config") | Some("-c") => match args.get(2) {
					Some(p) if args.len() == 3 => p.clone(),
					_ => usage(),
				},
				Some(a) if a.starts_with("--config=") && args.len() == 2 => {
					a["--config=".len()..].to_string()
				}
				Some(_) => usage(),
			};
			// The agent is async (subxt); the other commands need no runtime.
			let rt = tokio::runtime::Builder::new_multi_thread()
				.enable_all()
				.thread_name("zkmarket-agent")
				.build()
				.unwrap_or_else(|e| {
					eprintln!("error: cannot start the async runtime: {e}");
					exit(1)
				});
			let code = rt.block_on(agent::run(std::path::Path::new(&config)));
			// Exit without waiting for blocking proving threads still running.
			exit(code)
		}
		_ => usage(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn flat_objects() {
		let f = parse_flat_object(r#" {"x": 3, "request":12 ,"prover":"0xab\"c", "tamper":true} "#)
			.unwrap();
		assert_eq!(f[0], ("x".into(), Scalar::Raw("3".into())));
		assert_eq!(f[1].1.as_u64(), Some(12));
		assert_eq!(f[2].1, Scalar::Str("0xab\"c".into()));
		assert_eq!(f[3].1, Scalar::Raw("true".into()));
		assert_eq!(parse_flat_object("{}").unwrap(), vec![]);
		for bad in ["", "[1]", "{\"x\":}", "{\"x\":1", "{\"x\":{}}", "{\"x\":1}z", "{x:1}"] {
			assert!(parse_flat_object(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn serve_jobs_prove_like_the_prove_command() {
		let (pk, _) = keys();
		let who = [7u8; 32];
		let line = format!(r#"{{"x":3,"request":9,"prover":"0x{}","tag":"a"}}"#, hex::encode(who));
		let reply = serve_job(&pk, &line);
		let proof = hex::encode(prove(3, 9, &who, 1));
		assert!(reply.contains(&format!("\"proof\": \"0x{proof}\"")), "{reply}");
		assert!(reply.starts_with("{\"request\": 9, \"prover\": \"0x0707"), "{reply}");
		assert!(reply.ends_with(", \"tag\": \"a\"}"), "{reply}");
		// SS58 and hex name the same account.
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
		let e = serve_job(&pk, r#"{"x":3,"request":4,"prover":"nope"}"#);
		assert!(e.starts_with("{\"request\": 4, \"error\": "), "{e}");
		assert!(serve_job(&pk, "garbage").starts_with("{\"error\": \"bad job"));
	}
}
