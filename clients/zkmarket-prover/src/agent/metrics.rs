//! Prometheus metrics: counters and gauges kept in memory, served as the text
//! exposition format by a tiny HTTP server (tokio TCP, `GET /metrics`).

use std::{
	collections::BTreeMap,
	fmt::Write as _,
	sync::{Arc, Mutex},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Buckets of the proof-time histogram, seconds.
pub const PROOF_TIME_BUCKETS: [f64; 10] =
	[0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0];

#[derive(Default, Debug)]
struct Inner {
	jobs_taken: BTreeMap<String, u64>,
	proofs_submitted: u64,
	proofs_verified: u64,
	proofs_rejected: u64,
	proofs_undecided: u64,
	backend_failures: u64,
	proof_secs_sum: f64,
	proof_secs_count: u64,
	proof_secs_buckets: [u64; PROOF_TIME_BUCKETS.len()],
	earnings: u128,
	slashes: u64,
	slashed: u128,
	decisions: BTreeMap<(String, String), u64>,
	stake: u128,
	collateral: u128,
	reputation_ppb: u32,
	active_jobs: u32,
	in_flight: u32,
	best_block: u64,
	finalized_block: u64,
	reconnects: u64,
	preflights: BTreeMap<String, u64>,
	requesters_blocked: u64,
	blocked_requesters: u64,
}

/// The agent's metrics (cheap to clone; shared with the HTTP server).
#[derive(Clone, Default, Debug)]
pub struct Metrics(Arc<Mutex<Inner>>);

impl Metrics {
	fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
		f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
	}

	/// A job taken: `kind` is `assignment`, `lock` or `bounty`.
	pub fn job_taken(&self, kind: &str) {
		self.with(|m| *m.jobs_taken.entry(kind.into()).or_default() += 1);
	}
	/// A proof transaction included.
	pub fn proof_submitted(&self) {
		self.with(|m| m.proofs_submitted += 1);
	}
	/// A verified proof paid `paid` planck.
	pub fn proof_verified(&self, paid: u128) {
		self.with(|m| {
			m.proofs_verified += 1;
			m.earnings = m.earnings.saturating_add(paid);
		});
	}
	/// A rejected proof, slashed `slashed` planck.
	pub fn proof_rejected(&self, slashed: u128) {
		self.with(|m| {
			m.proofs_rejected += 1;
			m.slash(slashed);
		});
	}
	/// A proof without a verdict in time.
	pub fn proof_undecided(&self) {
		self.with(|m| m.proofs_undecided += 1);
	}
	/// A slash for a missed deadline or lock.
	pub fn slashed(&self, amount: u128) {
		self.with(|m| m.slash(amount));
	}
	/// A backend failure.
	pub fn backend_failed(&self) {
		self.with(|m| m.backend_failures += 1);
	}
	/// A proof took `secs` seconds.
	pub fn proof_time(&self, secs: f64) {
		self.with(|m| {
			m.proof_secs_sum += secs;
			m.proof_secs_count += 1;
			for (i, b) in PROOF_TIME_BUCKETS.iter().enumerate() {
				if secs <= *b {
					m.proof_secs_buckets[i] += 1;
				}
			}
		});
	}
	/// A decision (`action`: lock, bounty, assignment) with its reason label.
	pub fn decision(&self, action: &str, reason: &str) {
		self.with(|m| *m.decisions.entry((action.into(), reason.into())).or_default() += 1);
	}
	/// The prover's state on chain.
	pub fn standing(&self, stake: u128, collateral: u128, reputation_ppb: u32, active_jobs: u32) {
		self.with(|m| {
			m.stake = stake;
			m.collateral = collateral;
			m.reputation_ppb = reputation_ppb;
			m.active_jobs = active_jobs;
		});
	}
	/// Jobs the agent works on now.
	pub fn in_flight(&self, n: u32) {
		self.with(|m| m.in_flight = n);
	}
	/// The best block seen.
	pub fn best_block(&self, n: u64) {
		self.with(|m| m.best_block = n);
	}
	/// The finalized block seen.
	pub fn finalized_block(&self, n: u64) {
		self.with(|m| m.finalized_block = n);
	}
	/// A `command` backend's preflight: `result` is `pass`, `fail` (the
	/// request cannot be proven) or `error` (it could not be run).
	pub fn preflight(&self, result: &str) {
		self.with(|m| *m.preflights.entry(result.into()).or_default() += 1);
	}
	/// A requester blocked (its offers and bounties are skipped for a while).
	pub fn requester_blocked(&self) {
		self.with(|m| m.requesters_blocked += 1);
	}
	/// Requesters blocked now.
	pub fn blocked_requesters(&self, n: u64) {
		self.with(|m| m.blocked_requesters = n);
	}
	/// A lost connection / stream error.
	pub fn reconnect(&self) {
		self.with(|m| m.reconnects += 1);
	}

	/// Counters read back (tests, the exit summary).
	pub fn summary(&self) -> (u64, u64, u64, u128) {
		self.with(|m| (m.proofs_submitted, m.proofs_verified, m.proofs_rejected, m.earnings))
	}

	/// The text exposition format.
	pub fn render(&self) -> String {
		self.with(|m| {
			let mut o = String::new();
			let head = |o: &mut String, name: &str, kind: &str, help: &str| {
				let _ = writeln!(o, "# HELP zkprover_{name} {help}\n# TYPE zkprover_{name} {kind}");
			};
			head(
				&mut o,
				"jobs_taken_total",
				"counter",
				"Jobs taken, by kind (assignment, lock, bounty).",
			);
			for kind in ["assignment", "lock", "bounty"] {
				let n = m.jobs_taken.get(kind).copied().unwrap_or(0);
				let _ = writeln!(o, "zkprover_jobs_taken_total{{kind=\"{kind}\"}} {n}");
			}
			for (name, help, v) in [
				("proofs_submitted_total", "Proofs included on chain.", m.proofs_submitted),
				("proofs_verified_total", "Proofs verified valid and paid.", m.proofs_verified),
				("proofs_rejected_total", "Proofs verified invalid (slashed).", m.proofs_rejected),
				("proofs_undecided_total", "Proofs without a verdict in time.", m.proofs_undecided),
				("backend_failures_total", "Proving backend failures.", m.backend_failures),
				(
					"slashes_total",
					"Slashes (invalid proofs, missed deadlines and locks).",
					m.slashes,
				),
				("reconnects_total", "Stream errors / reconnections to the node.", m.reconnects),
				(
					"requesters_blocked_total",
					"Requesters blocked after failures of their requests.",
					m.requesters_blocked,
				),
			] {
				head(&mut o, name, "counter", help);
				let _ = writeln!(o, "zkprover_{name} {v}");
			}
			head(
				&mut o,
				"preflights_total",
				"counter",
				"Preflights of command backends, by result (pass, fail, error).",
			);
			for result in ["pass", "fail", "error"] {
				let n = m.preflights.get(result).copied().unwrap_or(0);
				let _ = writeln!(o, "zkprover_preflights_total{{result=\"{result}\"}} {n}");
			}
			head(
				&mut o,
				"earnings_planck_total",
				"counter",
				"Fees earned by verified proofs (planck).",
			);
			let _ = writeln!(o, "zkprover_earnings_planck_total {}", m.earnings);
			head(
				&mut o,
				"slashed_planck_total",
				"counter",
				"Stake and collateral slashed (planck).",
			);
			let _ = writeln!(o, "zkprover_slashed_planck_total {}", m.slashed);
			head(&mut o, "proof_seconds", "histogram", "Time to compute a proof.");
			for (i, b) in PROOF_TIME_BUCKETS.iter().enumerate() {
				let _ = writeln!(
					o,
					"zkprover_proof_seconds_bucket{{le=\"{b}\"}} {}",
					m.proof_secs_buckets[i]
				);
			}
			let _ =
				writeln!(o, "zkprover_proof_seconds_bucket{{le=\"+Inf\"}} {}", m.proof_secs_count);
			let _ = writeln!(o, "zkprover_proof_seconds_sum {}", m.proof_secs_sum);
			let _ = writeln!(o, "zkprover_proof_seconds_count {}", m.proof_secs_count);
			head(
				&mut o,
				"decisions_total",
				"counter",
				"Decisions about jobs, by action and reason.",
			);
			for ((action, reason), n) in &m.decisions {
				let _ = writeln!(
					o,
					"zkprover_decisions_total{{action=\"{action}\",reason=\"{reason}\"}} {n}"
				);
			}
			for (name, help, v) in [
				("stake_planck", "Effective stake on chain (planck).", m.stake.to_string()),
				(
					"collateral_planck",
					"Lock collateral pledged (planck).",
					m.collateral.to_string(),
				),
				(
					"reputation",
					"Reputation on chain (0..1).",
					format!("{}", m.reputation_ppb as f64 / 1e9),
				),
				("active_jobs", "Unfinished jobs the chain counts.", m.active_jobs.to_string()),
				("in_flight_jobs", "Jobs the agent works on now.", m.in_flight.to_string()),
				("best_block", "Best block seen.", m.best_block.to_string()),
				("finalized_block", "Finalized block seen.", m.finalized_block.to_string()),
				(
					"blocked_requesters",
					"Requesters whose offers and bounties are skipped now.",
					m.blocked_requesters.to_string(),
				),
			] {
				head(&mut o, name, "gauge", help);
				let _ = writeln!(o, "zkprover_{name} {v}");
			}
			o
		})
	}
}

impl Inner {
	fn slash(&mut self, amount: u128) {
		self.slashes += 1;
		self.slashed = self.slashed.saturating_add(amount);
	}
}

/// One HTTP response for a request's first line.
fn respond(request_line: &str, metrics: &Metrics) -> String {
	let mut parts = request_line.split_whitespace();
	let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
	let (status, ctype, body) = match (method, path.split('?').next().unwrap_or("")) {
		("GET", "/metrics") | ("GET", "/") => {
			("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.render())
		}
		("GET", _) => ("404 Not Found", "text/plain", "not found; try /metrics\n".into()),
		_ => ("405 Method Not Allowed", "text/plain", "GET only\n".into()),
	};
	format!(
		"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	)
}

/// Serves `metrics` on `addr:port` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, metrics: Metrics) {
	loop {
		let Ok((mut sock, _)) = listener.accept().await else {
			// Out of file descriptors or similar: do not spin.
			tokio::time::sleep(std::time::Duration::from_millis(100)).await;
			continue;
		};
		let metrics = metrics.clone();
		tokio::spawn(async move {
			let mut buf = vec![0u8; 4096];
			let mut len = 0;
			// Read the request head (bounded, with a timeout).
			let read = async {
				loop {
					match sock.read(&mut buf[len..]).await {
						Ok(0) | Err(_) => break,
						Ok(n) => {
							len += n;
							if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") || len == buf.len() {
								break;
							}
						}
					}
				}
			};
			if tokio::time::timeout(std::time::Duration::from_secs(5), read).await.is_err() {
				return;
			}
			let head = String::from_utf8_lossy(&buf[..len]);
			let first = head.lines().next().unwrap_or("");
			let _ = sock.write_all(respond(first, &metrics).as_bytes()).await;
			let _ = sock.shutdown().await;
		});
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn exposition() {
		let m = Metrics::default();
		m.job_taken("lock");
		m.job_taken("assignment");
		m.job_taken("assignment");
		m.proof_submitted();
		m.proof_verified(1_200_000_000_000_000_000);
		m.proof_rejected(5);
		m.proof_time(0.7);
		m.proof_time(3.0);
		m.decision("lock", "price_below_cost");
		m.decision("lock", "price_below_cost");
		m.standing(100, 3, 525_000_000, 2);
		m.preflight("fail");
		m.preflight("fail");
		m.requester_blocked();
		m.blocked_requesters(1);
		m.decision("lock", "requester_blocked");
		let t = m.render();
		for line in [
			"zkprover_jobs_taken_total{kind=\"assignment\"} 2",
			"zkprover_jobs_taken_total{kind=\"lock\"} 1",
			"zkprover_jobs_taken_total{kind=\"bounty\"} 0",
			"zkprover_proofs_submitted_total 1",
			"zkprover_proofs_verified_total 1",
			"zkprover_proofs_rejected_total 1",
			"zkprover_earnings_planck_total 1200000000000000000",
			"zkprover_slashes_total 1",
			"zkprover_slashed_planck_total 5",
			"zkprover_proof_seconds_bucket{le=\"0.5\"} 0",
			"zkprover_proof_seconds_bucket{le=\"1\"} 1",
			"zkprover_proof_seconds_bucket{le=\"5\"} 2",
			"zkprover_proof_seconds_bucket{le=\"+Inf\"} 2",
			"zkprover_proof_seconds_sum 3.7",
			"zkprover_proof_seconds_count 2",
			"zkprover_decisions_total{action=\"lock\",reason=\"price_below_cost\"} 2",
			"zkprover_stake_planck 100",
			"zkprover_reputation 0.525",
			"zkprover_preflights_total{result=\"fail\"} 2",
			"zkprover_preflights_total{result=\"pass\"} 0",
			"zkprover_requesters_blocked_total 1",
			"zkprover_blocked_requesters 1",
			"zkprover_decisions_total{action=\"lock\",reason=\"requester_blocked\"} 1",
			"# TYPE zkprover_proof_seconds histogram",
		] {
			assert!(t.lines().any(|l| l == line), "missing `{line}` in\n{t}");
		}
		assert_eq!(m.summary(), (1, 1, 1, 1_200_000_000_000_000_000));
	}

	#[tokio::test]
	async fn http_server() {
		let m = Metrics::default();
		m.proof_submitted();
		let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
		let port = listener.local_addr().unwrap().port();
		let server = tokio::spawn(serve(listener, m.clone()));
		let get = |path: &'static str| async move {
			let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
			s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
				.await
				.unwrap();
			let mut out = String::new();
			s.read_to_string(&mut out).await.unwrap();
			out
		};
		let r = get("/metrics").await;
		assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
		assert!(r.contains("\r\n\r\n# HELP zkprover_jobs_taken_total"), "{r}");
		assert!(r.contains("zkprover_proofs_submitted_total 1\n"), "{r}");
		assert!(get("/nope").await.starts_with("HTTP/1.1 404"));
		server.abort();
	}
}
