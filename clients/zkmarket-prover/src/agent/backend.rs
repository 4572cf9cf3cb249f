//! Proving backends: the built-in demo circuit and external commands.
//!
//! A job is the request's program, public inputs and the binding input the
//! verifier appends (`blake2_256(SCALE(request_id, prover))` mod r, see
//! pallets/verifier/src/groth16.rs); a backend returns the proof bytes
//! (arkworks compressed Groth16 over BN254).
//!
//! - `demo`: the demo program of this crate (`x^3 + x + 5 = y`). The witness
//!   `x` is found by search over `0..2^20` ([`DEMO_SEARCH_LIMIT`]); a `y` of a
//!   larger `x` (or of no `x`) is reported as unprovable.
//! - `command`: runs argv with the job as ONE JSON object on stdin,
//!   `{"request": 12, "program": "0x..", "kind": "snarkjs", "inputs": ["0x..", ..],
//!   "binding": "0x..", "prover": "0x.."}` (inputs and binding as 32-byte
//!   little-endian scalars, the prover as its 32-byte account id; the binding
//!   is the last public input of bound kinds and unused by unbound ones), and
//!   expects `{"proof": "0x.."}` on stdout: the proof as the program's kind
//!   writes it (arkworks compressed for arkworks and snarkjs programs, the
//!   EVM layout for gnark and RISC Zero, SP1's `proof.bytes()`). SP1 and
//!   RISC Zero jobs also name the guest (`"vkey_hash"`, `"image_id"`), for
//!   backends serving a whole kind (`[[kinds]]`). A non-zero exit, a timeout
//!   or bad output is a backend failure (retried); `{"unprovable": "why"}`
//!   says the request cannot be proven (no guest or witness for it): not
//!   retried, an assignment is declined at once.
//!
//! A `command` backend may have a **preflight** ([`preflight_command`]): its
//! own argv, run with the same job on stdin (and `ZKMARKET_PREFLIGHT=1` in its
//! environment) before an offer is locked, a bounty taken or an assignment
//! proven, within its own time budget. It generates the witness (or executes
//! the guest) and exits 0 when the request can be proven; a non-zero exit, a
//! crash, running past its budget or `{"unprovable": "why"}` on stdout says it
//! cannot (the request is not taken). Without one, a `command` backend is
//! trusted to prove every request of its program.

use super::config::Backend;
use ark_bn254::{Bn254, Fr};
use ark_ff::PrimeField;
use ark_groth16::ProvingKey;
use std::{sync::OnceLock, time::Duration};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Witnesses searched by the demo backend: `x` in `0..2^20`.
pub const DEMO_SEARCH_LIMIT: u64 = 1 << 20;

/// What a backend proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
	/// Request id.
	pub request: u64,
	/// Program id.
	pub program: [u8; 32],
	/// The program's kind (`arkworks`, `snarkjs`, `gnark`, `sp1`, `risc0`).
	pub kind: &'static str,
	/// The request's public inputs (32-byte little-endian scalars).
	pub inputs: Vec<[u8; 32]>,
	/// The binding input of request and prover.
	pub binding: [u8; 32],
	/// The prover's account id.
	pub prover: [u8; 32],
	/// The guest program of a zkVM kind: `("vkey_hash", ..)` for SP1,
	/// `("image_id", ..)` for RISC Zero (a `[[kinds]]` backend finds its guest by it).
	pub guest: Option<(&'static str, [u8; 32])>,
}

impl Job {
	/// The JSON object a `command` backend reads on stdin.
	pub fn to_json(&self) -> String {
		let hex32 = |b: &[u8; 32]| format!("0x{}", hex::encode(b));
		let mut v = serde_json::json!({
			"request": self.request,
			"program": hex32(&self.program),
			"kind": self.kind,
			"inputs": self.inputs.iter().map(hex32).collect::<Vec<_>>(),
			"binding": hex32(&self.binding),
			"prover": hex32(&self.prover),
		});
		if let Some((name, id)) = &self.guest {
			v[*name] = hex32(id).into();
		}
		v.to_string()
	}
}

/// Why a backend produced no proof.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
	/// The statement cannot be proven (no witness): retrying is pointless.
	#[error("unprovable: {0}")]
	Unprovable(String),
	/// The backend failed (crash, timeout, bad output); a retry might work.
	#[error("backend failed: {0}")]
	Failed(String),
}

/// The demo proving key, computed once.
fn demo_key() -> &'static ProvingKey<Bn254> {
	static PK: OnceLock<ProvingKey<Bn254>> = OnceLock::new();
	PK.get_or_init(|| zkmarket_demo_circuit::keys().0)
}

/// Computes the demo proving key now (at start-up rather than in the first job).
pub fn warm_up(backends: &[&Backend]) {
	if backends.iter().any(|b| matches!(b, Backend::Demo)) {
		let _ = demo_key();
	}
}

/// The demo witness `x < limit` with `x^3 + x + 5 = y`, `y` given as a 32-byte
/// little-endian scalar.
pub fn demo_witness(y: &[u8; 32], limit: u64) -> Result<u64, BackendError> {
	let target = Fr::from_le_bytes_mod_order(y);
	if zkmarket_demo_circuit::fr_bytes(target) != *y {
		return Err(BackendError::Unprovable("input is not a canonical scalar".into()));
	}
	// x^3 + x + 5 for x = 0, 1, 2, ... by additions only is not simpler; the
	// field multiplications take a few ms for the whole range.
	let five = Fr::from(5u64);
	let mut x = Fr::from(0u64);
	let one = Fr::from(1u64);
	for i in 0..limit {
		if x * x * x + x + five == target {
			return Ok(i);
		}
		x += one;
	}
	Err(BackendError::Unprovable(format!(
		"no demo witness x < 2^{} for this input (the demo backend searches x in 0..2^{})",
		limit.trailing_zeros(),
		limit.trailing_zeros()
	)))
}

/// A demo proof for `job` (blocking: call from a blocking thread).
pub fn prove_demo(job: &Job, seed: u64) -> Result<Vec<u8>, BackendError> {
	let [y] = job.inputs.as_slice() else {
		return Err(BackendError::Unprovable(format!(
			"the demo program takes 1 public input, the request has {}",
			job.inputs.len()
		)));
	};
	let x = demo_witness(y, DEMO_SEARCH_LIMIT)?;
	let proof = zkmarket_demo_circuit::prove_with(demo_key(), x, job.request, &job.prover, seed);
	Ok(proof)
}

/// Whether `backend` can prove a request with `inputs`, checked at once before
/// an offer is locked or a bounty taken (a lock that cannot be proven forfeits
/// its collateral). The demo backend looks for the witness (a few ms); a
/// `command` backend passes here: its own preflight command, if configured,
/// runs in the background ([`preflight_command`]).
pub fn preflight(backend: &Backend, inputs: &[[u8; 32]]) -> Result<(), BackendError> {
	match backend {
		Backend::Demo => match inputs {
			[y] => demo_witness(y, DEMO_SEARCH_LIMIT).map(|_| ()),
			_ => Err(BackendError::Unprovable(format!(
				"the demo program takes 1 public input, the request has {}",
				inputs.len()
			))),
		},
		Backend::Command(_) => Ok(()),
	}
}

/// Parses a backend's stdout: one JSON object (the whole output, or its last
/// non-empty line): `{"unprovable": "why"}` (the backend cannot prove this
/// request: [`BackendError::Unprovable`], not retried), `{"proof": "0x.."}` (the proof as the program's
/// kind writes it; at most `max_len` bytes) or snarkjs' own output
/// `{"proof": <proof.json>, "publicSignals": [..]}` (what
/// `snarkjs.groth16.fullProve` returns), converted to arkworks bytes; its
/// public signals must be the job's inputs followed by its binding (the
/// circuit declares the binding last), or the proof would be for another
/// statement.
pub fn parse_output(stdout: &str, max_len: usize, job: &Job) -> Result<Vec<u8>, BackendError> {
	let bad = |why: String| BackendError::Failed(format!("bad output: {why}"));
	let text = stdout.trim();
	let value: serde_json::Value = match serde_json::from_str(text) {
		Ok(v) => v,
		Err(_) => {
			let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
			serde_json::from_str(last.trim()).map_err(|e| {
				bad(format!("expected one JSON object {{\"proof\": \"0x..\"}} on stdout ({e})"))
			})?
		}
	};
	if let Some(why) = value.get("unprovable") {
		let why = why.as_str().map(str::to_string).unwrap_or_else(|| why.to_string());
		let why: String = why.chars().take(300).collect();
		return Err(BackendError::Unprovable(format!("the backend says: {why}")));
	}
	if let Some(obj) = value.get("proof").filter(|p| p.is_object()) {
		return snarkjs_output(obj, value.get("publicSignals"), job).map_err(bad);
	}
	let proof = value
		.get("proof")
		.and_then(|p| p.as_str())
		.ok_or_else(|| bad("no string field `proof`".into()))?;
	let h = proof.strip_prefix("0x").ok_or_else(|| bad("`proof` is not 0x-prefixed hex".into()))?;
	let bytes = hex::decode(h).map_err(|_| bad("`proof` is not hex".into()))?;
	if bytes.is_empty() {
		return Err(bad("empty proof".into()));
	}
	if bytes.len() > max_len {
		return Err(bad(format!(
			"proof of {} bytes, the chain takes at most {max_len}",
			bytes.len()
		)));
	}
	Ok(bytes)
}

/// A backend's process group, killed (SIGKILL) when the job ends, times out
/// or is aborted.
struct ProcessGroup(u32);

impl Drop for ProcessGroup {
	fn drop(&mut self) {
		#[cfg(unix)]
		if let Ok(pgid) = i32::try_from(self.0) {
			// SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
			unsafe {
				libc::kill(-pgid, libc::SIGKILL);
			}
		}
	}
}

/// A snarkjs proof and its public signals, checked against the job.
fn snarkjs_output(
	proof: &serde_json::Value,
	signals: Option<&serde_json::Value>,
	job: &Job,
) -> Result<Vec<u8>, String> {
	use zkmarket_client::formats::snarkjs;
	let signals = signals.ok_or("a snarkjs proof without `publicSignals`")?;
	let signals =
		snarkjs::public_from_json(signals).map_err(|e| format!("`publicSignals`: {e:?}"))?;
	let expected: Vec<[u8; 32]> =
		job.inputs.iter().chain(core::iter::once(&job.binding)).copied().collect();
	if signals != expected {
		return Err(format!(
			"the public signals are not the request's {} input(s) followed by the binding: \
			 the circuit must declare the binding as its last public input",
			job.inputs.len()
		));
	}
	snarkjs::proof_from_json(proof).map_err(|e| format!("not a snarkjs Groth16 proof: {e:?}"))
}

/// Why a backend's process gave no answer.
enum RunError {
	/// It could not be started (or its pipes failed): a problem on our side.
	Local(String),
	/// It ran past its time budget and was killed.
	TimedOut,
}

/// Runs `argv` with `input` (and a newline) on stdin and `env` added to its
/// environment, in its own process group (killed, with its children, when it
/// ends, times out or the future is dropped); at most `max_out` bytes of
/// stdout and 64 KiB of stderr are read. Returns its exit status, stdout and stderr.
async fn run_process(
	argv: &[String],
	input: String,
	env: &[(&str, &str)],
	timeout: Duration,
	max_out: usize,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), RunError> {
	let local = RunError::Local;
	let mut command = tokio::process::Command::new(&argv[0]);
	command
		.args(&argv[1..])
		.envs(env.iter().copied())
		.stdin(std::process::Stdio::piped())
		.stdout(std::process::Stdio::piped())
		.stderr(std::process::Stdio::piped())
		.kill_on_drop(true);
	// Its own process group, so that a wrapper's children (`sh -c`, a script
	// starting the real prover) are killed with it.
	#[cfg(unix)]
	command.process_group(0);
	let mut child =
		command.spawn().map_err(|e| local(format!("cannot start `{}`: {e}", argv[0])))?;
	let _group = child.id().map(ProcessGroup);
	let (Some(mut stdin), Some(stdout), Some(stderr)) =
		(child.stdin.take(), child.stdout.take(), child.stderr.take())
	else {
		return Err(local("the backend's pipes are missing".into()));
	};
	let mut stdout = stdout.take(max_out as u64);
	let mut stderr = stderr.take(64 * 1024);
	let run = async move {
		// A backend that does not read its stdin must not block us.
		let write = async move {
			let _ = stdin.write_all(input.as_bytes()).await;
			let _ = stdin.write_all(b"\n").await;
			drop(stdin);
		};
		let mut out = Vec::new();
		let mut err = Vec::new();
		let (_, o, e) =
			tokio::join!(write, stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
		o.map_err(|e| local(format!("reading stdout: {e}")))?;
		let _ = e;
		let status = child.wait().await.map_err(|e| local(format!("waiting: {e}")))?;
		Ok::<_, RunError>((status, out, err))
	};
	tokio::time::timeout(timeout, run).await.map_err(|_| RunError::TimedOut)?
}

/// The last 300 characters of a process's stderr, its lines joined by " / "
/// (one log line).
fn stderr_tail(err: &[u8]) -> String {
	let err = String::from_utf8_lossy(err);
	let err = err.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" / ");
	err.chars().rev().take(300).collect::<Vec<_>>().into_iter().rev().collect()
}

/// Runs a `command` backend for `job`, killing it (and its process group) after `timeout`.
pub async fn prove_command(
	argv: &[String],
	job: &Job,
	timeout: Duration,
	max_len: usize,
) -> Result<Vec<u8>, BackendError> {
	let fail = |e: String| BackendError::Failed(e);
	// Bounded reads: a proof is at most `max_len` bytes, as hex in a line of JSON.
	let (status, out, err) =
		run_process(argv, job.to_json(), &[], timeout, 4 * max_len + 64 * 1024).await.map_err(
			|e| match e {
				RunError::Local(e) => fail(e),
				RunError::TimedOut => {
					fail(format!("timed out after {} s (killed)", timeout.as_secs()))
				}
			},
		)?;
	if !status.success() {
		return Err(fail(format!("`{}` exited with {status}: {}", argv[0], stderr_tail(&err))));
	}
	parse_output(&String::from_utf8_lossy(&out), max_len, job)
}

/// Runs a `command` backend's preflight for `job` (the job on stdin,
/// `ZKMARKET_PREFLIGHT=1` in its environment), killing it (and its process
/// group) after `timeout`. `Ok` when it exits 0 without printing
/// `{"unprovable": ..}`; [`BackendError::Unprovable`] when it says the
/// request cannot be proven: a non-zero exit, a crash (a signal), running
/// past `timeout`, or `{"unprovable": "why"}` (the last non-empty line of
/// stdout); [`BackendError::Failed`] when it could not be run at all (our
/// side: the request is not taken, but not held against its requester).
pub async fn preflight_command(
	argv: &[String],
	job: &Job,
	timeout: Duration,
) -> Result<(), BackendError> {
	let no = |e: String| BackendError::Unprovable(format!("preflight: {e}"));
	let (status, out, err) =
		run_process(argv, job.to_json(), &[("ZKMARKET_PREFLIGHT", "1")], timeout, 64 * 1024)
			.await
			.map_err(|e| match e {
				RunError::Local(e) => BackendError::Failed(format!("preflight: {e}")),
				RunError::TimedOut => {
					no(format!("timed out after {} s (killed)", timeout.as_secs()))
				}
			})?;
	if !status.success() {
		let tail = stderr_tail(&err);
		let tail = if tail.is_empty() { String::new() } else { format!(": {tail}") };
		return Err(no(format!("`{}` {}{tail}", argv[0], exit_description(&status))));
	}
	let out = String::from_utf8_lossy(&out);
	let last = out.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
	if let Ok(v) = serde_json::from_str::<serde_json::Value>(last.trim()) {
		if let Some(why) = v.get("unprovable") {
			let why = why.as_str().map(str::to_string).unwrap_or_else(|| why.to_string());
			return Err(no(format!("says: {}", why.chars().take(300).collect::<String>())));
		}
	}
	Ok(())
}

/// "exited with status 3" or "crashed (signal 11)".
fn exit_description(status: &std::process::ExitStatus) -> String {
	#[cfg(unix)]
	{
		use std::os::unix::process::ExitStatusExt;
		if let Some(sig) = status.signal() {
			return format!("crashed (signal {sig})");
		}
	}
	match status.code() {
		Some(c) => format!("exited with status {c}"),
		None => format!("ended with {status}"),
	}
}

/// Proves `job` with `backend`.
pub async fn prove(
	backend: &Backend,
	job: &Job,
	timeout: Duration,
	max_len: usize,
) -> Result<Vec<u8>, BackendError> {
	match backend {
		Backend::Demo => {
			let job = job.clone();
			let seed = seed_for(job.request);
			tokio::task::spawn_blocking(move || prove_demo(&job, seed))
				.await
				.map_err(|e| BackendError::Failed(format!("demo prover panicked: {e}")))?
		}
		Backend::Command(argv) => prove_command(argv, job, timeout, max_len).await,
	}
}

/// A fresh randomness seed for a Groth16 proof (zero knowledge needs fresh
/// randomness per proof; the demo key itself is public).
fn seed_for(request: u64) -> u64 {
	let nanos = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_nanos() as u64)
		.unwrap_or(0);
	nanos ^ request.rotate_left(32) ^ (std::process::id() as u64)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn demo_job(x: u64) -> Job {
		let prover = [7u8; 32];
		Job {
			request: 9,
			program: zkmarket_demo_circuit::program_id(),
			kind: "arkworks",
			inputs: vec![zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::output(x))],
			binding: zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::binding(9, &prover)),
			prover,
			guest: None,
		}
	}

	#[test]
	fn demo_witness_search() {
		for x in [0u64, 1, 3, 1000, DEMO_SEARCH_LIMIT - 1] {
			let y = zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::output(x));
			assert_eq!(demo_witness(&y, DEMO_SEARCH_LIMIT), Ok(x));
		}
		let y = zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::output(DEMO_SEARCH_LIMIT));
		assert!(matches!(demo_witness(&y, DEMO_SEARCH_LIMIT), Err(BackendError::Unprovable(_))));
		// 0xff.. is not canonical.
		assert!(matches!(demo_witness(&[0xff; 32], 10), Err(BackendError::Unprovable(_))));
		// Most field elements have no small witness.
		let mut y = [0u8; 32];
		y[0] = 6;
		assert_eq!(
			demo_witness(&y, 1000).err().map(|e| matches!(e, BackendError::Unprovable(_))),
			Some(true)
		);
		let mut y7 = [0u8; 32];
		y7[0] = 7; // x = 1
		assert_eq!(demo_witness(&y7, 10), Ok(1));
	}

	#[test]
	fn demo_proofs_verify_with_the_chains_binding() {
		let job = demo_job(3);
		let proof = prove_demo(&job, 1).unwrap();
		let y = zkmarket_demo_circuit::output(3);
		// The binding the verifier computes: blake2(SCALE(request, prover)) mod r.
		let binding = zkmarket_demo_circuit::binding(job.request, &job.prover);
		assert_eq!(zkmarket_demo_circuit::fr_bytes(binding), job.binding);
		assert!(zkmarket_demo_circuit::verify(&proof, y, binding));
		let two = Job { inputs: vec![job.inputs[0]; 2], ..job };
		assert!(matches!(prove_demo(&two, 1), Err(BackendError::Unprovable(_))));
	}

	#[test]
	fn job_json() {
		let j = Job {
			request: 12,
			program: [1; 32],
			kind: "snarkjs",
			inputs: vec![[2; 32]],
			binding: [3; 32],
			prover: [4; 32],
			guest: None,
		};
		let v: serde_json::Value = serde_json::from_str(&j.to_json()).unwrap();
		assert_eq!(v["request"], 12);
		assert_eq!(v["program"], format!("0x{}", "01".repeat(32)));
		assert_eq!(v["kind"], "snarkjs");
		assert_eq!(v["inputs"][0], format!("0x{}", "02".repeat(32)));
		assert_eq!(v["binding"], format!("0x{}", "03".repeat(32)));
		assert_eq!(v["prover"], format!("0x{}", "04".repeat(32)));
		assert!(v.get("vkey_hash").is_none() && v.get("image_id").is_none());
		// An SP1 job names its guest.
		let sp1 = Job { kind: "sp1", guest: Some(("vkey_hash", [5; 32])), ..j };
		let v: serde_json::Value = serde_json::from_str(&sp1.to_json()).unwrap();
		assert_eq!(v["vkey_hash"], format!("0x{}", "05".repeat(32)));
	}

	#[test]
	fn outputs() {
		let job = demo_job(3);
		let parse_output = |s: &str, max| super::parse_output(s, max, &job);
		assert_eq!(parse_output("{\"proof\": \"0xabcd\"}\n", 512), Ok(vec![0xab, 0xcd]));
		assert_eq!(parse_output("log line\n{\"proof\":\"0x01\"}\n\n", 512), Ok(vec![1]));
		for bad in [
			"",
			"nope",
			"{}",
			"{\"proof\": 5}",
			"{\"proof\": \"abcd\"}",
			"{\"proof\": \"0x\"}",
			"{\"proof\": \"0xzz\"}",
		] {
			assert!(matches!(parse_output(bad, 512), Err(BackendError::Failed(_))), "{bad}");
		}
		assert!(parse_output("{\"proof\": \"0x010203\"}", 2).is_err());
		// The backend knows it cannot prove the request: not retried.
		assert_eq!(
			parse_output("{\"unprovable\": \"no guest for this vkey\"}", 512),
			Err(BackendError::Unprovable("the backend says: no guest for this vkey".into()))
		);
	}

	/// snarkjs' `fullProve` output is taken as is: converted, and its public
	/// signals checked against the job (the binding last).
	#[test]
	fn snarkjs_outputs() {
		use zkmarket_client::formats::snarkjs;
		let job = demo_job(3);
		let proof = prove_demo(&job, 1).unwrap();
		let signals: Vec<[u8; 32]> = job.inputs.iter().chain([&job.binding]).copied().collect();
		let out = |signals: &[[u8; 32]]| {
			serde_json::json!({
				"proof": snarkjs::proof_to_json(&proof).unwrap(),
				"publicSignals": snarkjs::public_to_json(signals),
			})
			.to_string()
		};
		assert_eq!(parse_output(&out(&signals), 512, &job), Ok(proof.clone()));
		// The binding declared first: another statement.
		let swapped = [signals[1], signals[0]];
		let e = parse_output(&out(&swapped), 512, &job).unwrap_err();
		assert!(format!("{e:?}").contains("binding"), "{e:?}");
		// No signals, a malformed proof.
		let no_signals = serde_json::json!({"proof": snarkjs::proof_to_json(&proof).unwrap()});
		assert!(parse_output(&no_signals.to_string(), 512, &job).is_err());
		let bad = serde_json::json!({"proof": {"pi_a": []}, "publicSignals": snarkjs::public_to_json(&signals)});
		assert!(parse_output(&bad.to_string(), 512, &job).is_err());
	}

	#[tokio::test]
	async fn command_backend() {
		let job = demo_job(3);
		let sh = |script: &str| vec!["/bin/sh".to_string(), "-c".to_string(), script.to_string()];
		// Echoes part of its input back as the proof: reads the JSON on stdin.
		let ok = sh("read line; case \"$line\" in *'\"request\":9'*) echo '{\"proof\": \"0x0102\"}';; *) exit 3;; esac");
		assert_eq!(prove_command(&ok, &job, Duration::from_secs(10), 512).await, Ok(vec![1, 2]));
		let fails = sh("echo boom >&2; exit 4");
		let e = prove_command(&fails, &job, Duration::from_secs(10), 512).await.unwrap_err();
		assert!(matches!(&e, BackendError::Failed(m) if m.contains("boom")), "{e}");
		let garbage = sh("cat >/dev/null; echo hello");
		assert!(prove_command(&garbage, &job, Duration::from_secs(10), 512).await.is_err());
		let slow = sh("sleep 5");
		let e = prove_command(&slow, &job, Duration::from_millis(300), 512).await.unwrap_err();
		assert!(e.to_string().contains("timed out"), "{e}");
		let missing = vec!["/nonexistent/prover".to_string()];
		assert!(prove_command(&missing, &job, Duration::from_secs(1), 512).await.is_err());
	}

	/// A preflight's exit status, crash, timeout and output map to
	/// provable / unprovable (held against the requester) / not run (ours).
	#[tokio::test]
	async fn command_preflight() {
		let job = demo_job(3);
		let sh = |script: &str| vec!["/bin/sh".to_string(), "-c".to_string(), script.to_string()];
		let secs = Duration::from_secs(10);
		// A script in a temp dir: it reads the job, checks the environment.
		let dir = std::env::temp_dir().join(format!("zkprover-preflight-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let script = dir.join("witness.sh");
		std::fs::write(
			&script,
			"#!/bin/sh\nread line\n[ \"$ZKMARKET_PREFLIGHT\" = 1 ] || exit 7\n\
			 case \"$line\" in *'\"request\":9'*) echo 'witness ok';; *) exit 3;; esac\n",
		)
		.unwrap();
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
		}
		let argv = vec![script.display().to_string()];
		assert_eq!(preflight_command(&argv, &job, secs).await, Ok(()));
		let other = Job { request: 10, ..job.clone() };
		let e = preflight_command(&argv, &other, secs).await.unwrap_err();
		assert_eq!(
			e,
			BackendError::Unprovable(format!(
				"preflight: `{}` exited with status 3",
				script.display()
			))
		);
		let _ = std::fs::remove_dir_all(&dir);

		assert_eq!(preflight_command(&sh("exit 0"), &job, secs).await, Ok(()));
		let e = preflight_command(&sh("exit 1"), &job, secs).await.unwrap_err();
		assert!(
			matches!(&e, BackendError::Unprovable(m) if m.contains("exited with status 1")),
			"{e}"
		);
		let e = preflight_command(&sh("echo y = 6: >&2; echo no witness >&2; exit 2"), &job, secs)
			.await
			.unwrap_err();
		assert!(
			matches!(&e, BackendError::Unprovable(m) if m.ends_with("exited with status 2: y = 6: / no witness")),
			"{e}"
		);
		// A crash.
		let e = preflight_command(&sh("kill -SEGV $$"), &job, secs).await.unwrap_err();
		assert!(
			matches!(&e, BackendError::Unprovable(m) if m.contains("crashed (signal 11)")),
			"{e}"
		);
		// Past its budget: killed, unprovable.
		let e =
			preflight_command(&sh("sleep 5"), &job, Duration::from_millis(300)).await.unwrap_err();
		assert!(matches!(&e, BackendError::Unprovable(m) if m.contains("timed out")), "{e}");
		// It may say so on stdout, exiting 0.
		let e = preflight_command(&sh("echo '{\"unprovable\": \"x > 2^20\"}'"), &job, secs)
			.await
			.unwrap_err();
		assert_eq!(e, BackendError::Unprovable("preflight: says: x > 2^20".into()));
		// Other output is fine.
		assert_eq!(preflight_command(&sh("echo '{\"ok\": true}'"), &job, secs).await, Ok(()));
		// Cannot be started: our problem, not the request's.
		let missing = vec!["/nonexistent/witness".to_string()];
		assert!(matches!(
			preflight_command(&missing, &job, secs).await,
			Err(BackendError::Failed(_))
		));
	}

	#[tokio::test]
	async fn a_timed_out_backend_is_killed_with_its_children() {
		let job = demo_job(3);
		let pid_file =
			std::env::temp_dir().join(format!("zkprover-grandchild-{}", std::process::id()));
		let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
		let argv = vec!["/bin/sh".to_string(), "-c".to_string(), script];
		let e = prove_command(&argv, &job, Duration::from_millis(500), 512).await.unwrap_err();
		assert!(e.to_string().contains("timed out"), "{e}");
		let pid: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
		let _ = std::fs::remove_file(&pid_file);
		// The wrapper's child (`sleep 30`) is gone too (reaped by init, or a zombie at most).
		let mut alive = true;
		for _ in 0..50 {
			let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
			// Field 3 of /proc/PID/stat is the state; Z = zombie (already dead).
			alive = stat.split_whitespace().nth(2).is_some_and(|st| st != "Z");
			if !alive {
				break;
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		assert!(!alive, "the backend's child {pid} survived the timeout");
	}
}
