//! `zkmarket-prover`: the demo program's key and real proofs for it, as JSON.
//!
//! ```text
//! zkmarket-prover program                 # {"vk": "0x..", "programId": "0x.."}
//! zkmarket-prover input <x>               # {"y": "0x.."}  (the request's public input)
//! zkmarket-prover prove <x> <request> <prover> [--tamper] [--seed N]
//!                                         # {"proof": "0x..", "y": "0x..", "binding": "0x.."}
//! zkmarket-prover bench [n]               # native verifications per second (the runtime's verifier code)
//! ```
//! `<prover>` is an SS58 address or a 0x-prefixed 32-byte account id.
use sp_core::crypto::{AccountId32, Ss58Codec};
use std::process::exit;
use zkmarket_prover::*;

fn usage() -> ! {
	eprintln!(
		"usage:\n  zkmarket-prover program\n  zkmarket-prover input <x>\n  \
		 zkmarket-prover prove <x> <request-id> <prover-ss58-or-hex> [--tamper] [--seed N]\n  \
		 zkmarket-prover bench [n]"
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

fn parse_account(s: Option<&String>) -> [u8; 32] {
	let Some(s) = s else { usage() };
	if let Some(h) = s.strip_prefix("0x") {
		match hex::decode(h) {
			Ok(b) if b.len() == 32 => {
				let mut a = [0u8; 32];
				a.copy_from_slice(&b);
				return a;
			}
			_ => {
				eprintln!("error: `{s}` is not a 32-byte hex account id");
				exit(2)
			}
		}
	}
	match AccountId32::from_ss58check(s) {
		Ok(a) => a.into(),
		Err(_) => {
			eprintln!("error: `{s}` is not an SS58 address");
			exit(2)
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
			let inputs = [fr_bytes(output(3))];
			let b = fr_bytes(binding(1, &prover));
			assert!(
				pallet_verifier::groth16::verify(&vk, &proof, &inputs, &b),
				"demo proof verifies"
			);
			let start = std::time::Instant::now();
			for _ in 0..n {
				assert!(pallet_verifier::groth16::verify(&vk, &proof, &inputs, &b));
			}
			let secs = start.elapsed().as_secs_f64();
			println!(
				"{{\"verifications\": {n}, \"seconds\": {secs:.3}, \"msPerVerification\": {:.3}, \"perSecond\": {:.1}}}",
				secs * 1000.0 / n as f64,
				n as f64 / secs
			);
		}
		_ => usage(),
	}
}
