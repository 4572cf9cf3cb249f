//! `verify-bench`: Groth16 verification natively and in the runtime, side by side.
//!
//! In one run, over the same batch of proofs for one key:
//! - native: the host function's own code (`groth16_bn254::verify` called in the
//!   node, with its cache of prepared keys), and plain arkworks without the cache;
//! - each engine of the runtime's `Groth16Bench::verify_batch` (0 arkworks in
//!   WASM, 1 one host call per proof, 2 arkworks in WASM with host curve hooks),
//!   called through the client's executor and host functions, the ones the
//!   off-chain worker runs with. A call with no proofs is timed first and
//!   subtracted (instantiation and argument passing).
//!
//! Input: JSON lines, as `zkmarket-prover` prints them: one `{"vk": "0x.."}`
//! (`zkmarket-prover program`) and one `{"proof": "0x..", "y": "0x..",
//! "binding": "0x.."}` per proof (`zkmarket-prover prove`); other fields are
//! ignored. `scripts/bench-verify.sh` makes the file and runs the command.

use crate::service::FullClient;
use sc_cli::{CliConfiguration, ImportParams, SharedParams};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use std::{path::PathBuf, sync::Arc, time::Instant};
use zkmarket_groth16_host::{
	bench::{BenchProof, Groth16Bench, ENGINES, MAX_BENCH_PROOFS},
	groth16_bn254, join_inputs, native, pure,
};

/// Arguments of `verify-bench`.
#[derive(Debug, clap::Parser)]
pub struct VerifyBenchCmd {
	#[allow(missing_docs)]
	#[clap(flatten)]
	pub shared_params: SharedParams,

	#[allow(missing_docs)]
	#[clap(flatten)]
	pub import_params: ImportParams,

	/// JSON lines: the program's `{"vk": ..}` and one `{"proof", "y", "binding"}`
	/// per proof (what `zkmarket-prover program` and `prove` print).
	#[arg(long, value_name = "FILE")]
	pub proofs_file: PathBuf,

	/// How many proofs of the file to verify (the first ones; default: all).
	#[arg(long, value_name = "N")]
	pub proofs: Option<usize>,

	/// Timed runs of each measurement; the fastest is kept.
	#[arg(long, default_value_t = 3, value_name = "RUNS")]
	pub repeat: u32,
}

impl CliConfiguration for VerifyBenchCmd {
	fn shared_params(&self) -> &SharedParams {
		&self.shared_params
	}

	fn import_params(&self) -> Option<&ImportParams> {
		Some(&self.import_params)
	}
}

fn hex_field(line: &serde_json::Value, field: &str, n: usize) -> Result<Vec<u8>, String> {
	let s = line[field].as_str().ok_or_else(|| format!("line {n}: no string field `{field}`"))?;
	sp_core::bytes::from_hex(s).map_err(|e| format!("line {n}: `{field}` is not hex: {e}"))
}

fn scalar(line: &serde_json::Value, field: &str, n: usize) -> Result<[u8; 32], String> {
	hex_field(line, field, n)?
		.try_into()
		.map_err(|_| format!("line {n}: `{field}` is not 32 bytes"))
}

/// The key and the proofs of a file.
fn read_proofs(path: &PathBuf) -> Result<(Vec<u8>, Vec<BenchProof>), String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
	let mut vk = None;
	let mut proofs = Vec::new();
	for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
		let n = i + 1;
		let v: serde_json::Value =
			serde_json::from_str(line).map_err(|e| format!("line {n}: not JSON: {e}"))?;
		if v.get("vk").is_some() {
			vk = Some(hex_field(&v, "vk", n)?);
		} else {
			let proof = hex_field(&v, "proof", n)?;
			proofs.push((proof, vec![scalar(&v, "y", n)?, scalar(&v, "binding", n)?]));
		}
	}
	let vk = vk.ok_or_else(|| format!("{}: no line with the key (\"vk\")", path.display()))?;
	Ok((vk, proofs))
}

/// Seconds of the fastest of `runs` runs of `f`, and its last result.
fn best_of<T>(runs: u32, mut f: impl FnMut() -> T) -> (f64, T) {
	let mut best = f64::INFINITY;
	let mut out = None;
	for _ in 0..runs.max(1) {
		let start = Instant::now();
		let r = f();
		best = best.min(start.elapsed().as_secs_f64());
		out = Some(r);
	}
	(best, out.expect("at least one run; qed"))
}

/// One row of the report.
struct Row {
	name: &'static str,
	/// Seconds per proof.
	per_proof: f64,
	/// Seconds of a call without proofs (runtime calls only).
	overhead: Option<f64>,
}

impl VerifyBenchCmd {
	/// Runs the benchmark with the node's client and prints the report.
	pub fn run(&self, client: Arc<FullClient>) -> sc_cli::Result<()> {
		let (vk, mut proofs) = read_proofs(&self.proofs_file)?;
		if let Some(n) = self.proofs {
			if proofs.len() < n {
				return Err(format!(
					"{} has {} proofs, {n} asked",
					self.proofs_file.display(),
					proofs.len()
				)
				.into());
			}
			proofs.truncate(n);
		}
		let n = proofs.len();
		if n == 0 || n > MAX_BENCH_PROOFS {
			return Err(
				format!("between 1 and {MAX_BENCH_PROOFS} proofs are needed, got {n}").into()
			);
		}
		let flat: Vec<Vec<u8>> = proofs.iter().map(|(_, i)| join_inputs(i)).collect();
		let runs = self.repeat;
		let mut rows = Vec::new();

		// Native, the host function's code: the first call prepares and caches the key.
		native::clear_cache();
		for ((p, _), i) in proofs.iter().zip(&flat) {
			if groth16_bn254::verify(&vk, p, i) != Ok(true) {
				return Err("a proof of the file does not verify natively".into());
			}
		}
		let (secs, ok) = best_of(runs, || {
			proofs
				.iter()
				.zip(&flat)
				.filter(|((p, _), i)| groth16_bn254::verify(&vk, p, i) == Ok(true))
				.count()
		});
		assert_eq!(ok, n);
		rows.push(Row {
			name: "native, host function code (key cache)",
			per_proof: secs / n as f64,
			overhead: None,
		});
		let (secs, ok) = best_of(runs, || {
			proofs.iter().filter(|(p, i)| pure::verify(&vk, p, i) == Ok(true)).count()
		});
		assert_eq!(ok, n);
		rows.push(Row {
			name: "native, arkworks, key parsed per proof",
			per_proof: secs / n as f64,
			overhead: None,
		});

		let at = client.info().best_hash;
		let call = |engine: u8, proofs: Vec<BenchProof>| -> Result<u32, String> {
			client
				.runtime_api()
				.verify_batch(at, engine, vk.clone(), proofs)
				.map_err(|e| format!("runtime call (engine {engine}): {e}"))
		};
		let names = [
			"runtime, engine 0: arkworks in WASM",
			"runtime, engine 1: host function (design A)",
			"runtime, engine 2: WASM + curve hooks (design B)",
		];
		for engine in ENGINES {
			// Warm-up: compiles and instantiates the runtime once.
			call(engine, Vec::new())?;
			let (empty, _) = best_of(runs, || call(engine, Vec::new()));
			let (full, ok) = best_of(runs, || call(engine, proofs.clone()));
			let ok = ok?;
			if ok as usize != n {
				return Err(format!("engine {engine} verified {ok} of {n} proofs").into());
			}
			rows.push(Row {
				name: names[engine as usize],
				per_proof: (full - empty).max(0.0) / n as f64,
				overhead: Some(empty),
			});
		}

		let native = rows[0].per_proof;
		println!("Groth16 BN254 verification of {n} proofs (demo program, 2 public inputs), best of {runs} runs");
		println!(
			"{:<50} {:>12} {:>10} {:>12} {:>16}",
			"", "ms/proof", "proofs/s", "vs native", "call overhead ms"
		);
		for r in &rows {
			println!(
				"{:<50} {:>12.3} {:>10.1} {:>11.2}x {:>16}",
				r.name,
				r.per_proof * 1e3,
				1.0 / r.per_proof,
				r.per_proof / native,
				r.overhead.map_or("-".into(), |o| format!("{:.3}", o * 1e3)),
			);
		}
		let json: Vec<String> = rows
			.iter()
			.map(|r| {
				format!(
					"{{\"name\": \"{}\", \"msPerProof\": {:.4}, \"perSecond\": {:.1}, \"vsNative\": {:.3}}}",
					r.name,
					r.per_proof * 1e3,
					1.0 / r.per_proof,
					r.per_proof / native
				)
			})
			.collect();
		println!("{{\"proofs\": {n}, \"results\": [{}]}}", json.join(", "));
		Ok(())
	}
}
