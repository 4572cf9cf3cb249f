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
use codec::{Decode, Encode};
use sc_cli::{CliConfiguration, ImportParams, SharedParams};
use sc_client_api::{CallExecutor, ExecutorProvider};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use std::{path::PathBuf, sync::Arc, time::Instant};
use zkmarket_groth16_formats::ProgramKind;
use zkmarket_groth16_host::{
	bench::{BenchProof, Groth16Bench, ProgramBenchProof, ENGINES, MAX_BENCH_PROOFS},
	groth16_bn254, join_inputs, native, pure,
};
use zkmarket_runtime::opaque::Block;

/// Calls a benchmark runtime API by name: the node's native API types know
/// them only in the benchmarking build, the runtime's WASM is what answers.
fn bench_call(
	client: &FullClient,
	at: <Block as sp_runtime::traits::Block>::Hash,
	method: &str,
	args: impl Encode,
) -> Result<u32, String> {
	let out = client
		.executor()
		.call(at, method, &args.encode(), sp_core::traits::CallContext::Offchain)
		.map_err(|e| e.to_string())?;
	u32::decode(&mut &out[..]).map_err(|e| e.to_string())
}

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
		// Only the benchmarking runtime has the API (a public node's does not).
		if !client.runtime_api().has_api::<dyn Groth16Bench<Block>>(at).unwrap_or(false) {
			return Err("this node's runtime has no Groth16Bench API: verify-bench needs the \
				benchmarking build (`--features runtime-benchmarks`; scripts/bench-verify.sh \
				builds it)"
				.into());
		}
		let call = |engine: u8, proofs: Vec<BenchProof>| -> Result<u32, String> {
			bench_call(&client, at, "Groth16Bench_verify_batch", (engine, &vk, proofs))
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

		self.per_kind(&client, &vk, &proofs)
	}

	/// Verification per program kind, the off-chain worker's path: the demo
	/// proofs as arkworks and snarkjs programs, and `n` copies of the real SP1
	/// and RISC Zero fixtures (the gnark row: the SP1 proof as a plain gnark
	/// program), natively (statement + host function code) and in the runtime.
	fn per_kind(
		&self,
		client: &Arc<FullClient>,
		demo_vk: &[u8],
		demo: &[BenchProof],
	) -> sc_cli::Result<()> {
		let n = demo.len();
		let runs = self.repeat;
		let at = client.info().best_hash;
		let mut cases: Vec<KindCase> = Vec::new();
		let as_program = |(p, i): &BenchProof| (p.clone(), i[..1].to_vec(), i[1]);
		for (name, kind) in [("arkworks", ProgramKind::Arkworks), ("snarkjs", ProgramKind::Snarkjs)]
		{
			cases.push((name, kind, None, demo_vk.to_vec(), demo.iter().map(as_program).collect()));
		}
		let (sp1_kind, sp1_raw_vk, sp1_proof, digest) = kind_fixtures::sp1()?;
		let reg = sp1_kind.register(&sp1_raw_vk).map_err(|e| format!("SP1 key: {e:?}"))?;
		let ProgramKind::Sp1 { vkey_hash, vk_root } = &sp1_kind else { unreachable!() };
		let be = |w: &[u8]| {
			let w: [u8; 32] = w.try_into().expect("32 bytes");
			zkmarket_groth16_formats::points::be_to_input(&w).expect("canonical")
		};
		let gnark_inputs =
			vec![be(vkey_hash), digest, [0; 32], be(vk_root), be(&sp1_proof[68..100])];
		cases.push((
			"gnark (SP1's wrapper proof)",
			ProgramKind::Gnark,
			None,
			reg.vk.clone(),
			vec![(sp1_proof[100..].to_vec(), gnark_inputs, [0; 32]); n],
		));
		cases.push((
			"sp1 (v6.0.1 fixture)",
			sp1_kind.clone(),
			reg.selector,
			reg.vk,
			vec![(sp1_proof, vec![digest], [0; 32]); n],
		));
		let (r0_kind, r0_vk, r0_proof, r0_inputs) = kind_fixtures::risc0()?;
		cases.push((
			"risc0 (v3.0.1 receipt)",
			r0_kind,
			None,
			r0_vk,
			vec![(r0_proof, r0_inputs, [0; 32]); n],
		));

		println!(
			"Per program kind: {n} proofs each, best of {runs} runs (the off-chain worker's path)"
		);
		println!(
			"{:<30} {:>8} {:>16} {:>18}",
			"kind", "inputs", "native ms/proof", "runtime ms/proof"
		);
		let mut json = Vec::new();
		for (name, kind, selector, vk, proofs) in cases {
			native::clear_cache();
			let native_ok = |p: &ProgramBenchProof| {
				kind.statement(selector, &p.0, &p.1, &p.2).is_ok_and(|s| {
					groth16_bn254::verify(&vk, &s.proof, &join_inputs(&s.inputs)) == Ok(true)
				})
			};
			if !proofs.iter().all(native_ok) {
				return Err(format!("{name}: a proof does not verify natively").into());
			}
			let (secs, _) = best_of(runs, || proofs.iter().filter(|p| native_ok(p)).count());
			let call = |proofs: Vec<ProgramBenchProof>| -> Result<u32, String> {
				let args = (&kind, selector, &vk, proofs);
				bench_call(client, at, "Groth16ProgramBench_verify_program_batch", args)
					.map_err(|e| format!("runtime call ({name}): {e}"))
			};
			call(Vec::new())?;
			let (empty, _) = best_of(runs, || call(Vec::new()));
			let (full, ok) = best_of(runs, || call(proofs.clone()));
			if ok? as usize != proofs.len() {
				return Err(format!("{name}: the runtime rejected a proof").into());
			}
			let inputs = kind
				.statement(selector, &proofs[0].0, &proofs[0].1, &proofs[0].2)
				.map(|s| s.inputs.len())
				.unwrap_or_default();
			let native_ms = secs / n as f64 * 1e3;
			let runtime_ms = (full - empty).max(0.0) / n as f64 * 1e3;
			println!("{name:<30} {inputs:>8} {native_ms:>16.3} {runtime_ms:>18.3}");
			json.push(format!(
				"{{\"kind\": \"{name}\", \"inputs\": {inputs}, \"nativeMs\": {native_ms:.4}, \"runtimeMs\": {runtime_ms:.4}}}"
			));
		}
		println!("{{\"perKind\": [{}]}}", json.join(", "));
		Ok(())
	}
}

/// One row of the per-kind report: name, kind, SP1 selector, arkworks key, proofs.
type KindCase = (&'static str, ProgramKind, Option<[u8; 4]>, Vec<u8>, Vec<ProgramBenchProof>);

/// The real SP1 and RISC Zero fixtures (primitives/groth16-formats/fixtures).
mod kind_fixtures {
	use zkmarket_groth16_formats::{risc0, snarkjs, sp1, ProgramKind};

	const SP1_VK: &[u8] =
		include_bytes!("../../primitives/groth16-formats/fixtures/sp1-v6.0.1-groth16_vk.bin");
	const SP1_FIXTURE: &str = include_str!(
		"../../primitives/groth16-formats/fixtures/sp1-fibonacci-groth16-fixture.json"
	);
	const RISC0_VK: &str =
		include_str!("../../primitives/groth16-formats/fixtures/risc0-groth16-vk.json");
	const RISC0_RECEIPT: &str =
		include_str!("../../primitives/groth16-formats/fixtures/risc0-v3.0.1-receipt.json");

	fn hex(v: &serde_json::Value) -> Result<Vec<u8>, String> {
		sp_core::bytes::from_hex(v.as_str().ok_or("not a string")?).map_err(|e| e.to_string())
	}

	fn word(v: &serde_json::Value) -> Result<[u8; 32], String> {
		hex(v)?.try_into().map_err(|_| "not 32 bytes".to_string())
	}

	/// A program kind, its key, one proof and the request's inputs.
	pub type Fixture<I> = (ProgramKind, Vec<u8>, Vec<u8>, I);

	/// Kind, gnark key, proof, request input (the public values' digest).
	pub fn sp1() -> Result<Fixture<[u8; 32]>, String> {
		let f: serde_json::Value = serde_json::from_str(SP1_FIXTURE).map_err(|e| e.to_string())?;
		let proof = hex(&f["proof"])?;
		let vk_root: [u8; 32] = proof.get(36..68).ok_or("short proof")?.try_into().expect("32");
		let kind = ProgramKind::Sp1 { vkey_hash: word(&f["vkey"])?, vk_root };
		Ok((kind, SP1_VK.to_vec(), proof, sp1::public_values_digest(&hex(&f["publicValues"])?)))
	}

	/// Kind, arkworks key, proof (the seal after its selector), request inputs.
	pub fn risc0() -> Result<Fixture<Vec<[u8; 32]>>, String> {
		let r: serde_json::Value =
			serde_json::from_str(RISC0_RECEIPT).map_err(|e| e.to_string())?;
		let vk = snarkjs::vk_from_json(&serde_json::from_str(RISC0_VK).map_err(|e| e.to_string())?)
			.map_err(|e| format!("RISC Zero key: {e:?}"))?;
		let kind = ProgramKind::Risc0 {
			image_id: word(&r["image_id"])?,
			control_root: word(&r["control_root"])?,
			bn254_control_id: word(&r["bn254_control_id"])?,
		};
		let seal = hex(&r["seal"])?;
		Ok((kind, vk, seal[4..].to_vec(), risc0::request_inputs(&hex(&r["journal"])?).to_vec()))
	}
}
