//! Prometheus metrics: a `prometheus` registry served on `/metrics` by
//! polkadot-sdk's `substrate-prometheus-endpoint` (what the node uses).
//!
//! Every metric is named `zkprover_*` (docs/prover-agent.md, Metrics).
//! Amounts in planck are floating-point values, as Prometheus stores every
//! sample (exact up to 2^53 planck).

use std::{future::Future, net::SocketAddr, pin::Pin, task::Poll};
use substrate_prometheus_endpoint::{
	prometheus::{IntCounter, IntCounterVec, IntGauge},
	Counter, Gauge, Histogram, HistogramOpts, Opts, PrometheusError, Registry, F64,
};

/// Buckets of the proof-time histogram, seconds.
pub const PROOF_TIME_BUCKETS: [f64; 10] =
	[0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0];

/// The agent's metrics (cheap to clone: the handles share their values
/// with the registry).
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
	jobs_taken: IntCounterVec,
	proofs_submitted: IntCounter,
	proofs_verified: IntCounter,
	proofs_rejected: IntCounter,
	proofs_undecided: IntCounter,
	backend_failures: IntCounter,
	slashes: IntCounter,
	reconnects: IntCounter,
	requesters_blocked: IntCounter,
	preflights: IntCounterVec,
	earnings: Counter<F64>,
	slashed: Counter<F64>,
	proof_seconds: Histogram,
	decisions: IntCounterVec,
	stake: Gauge<F64>,
	collateral: Gauge<F64>,
	reputation: Gauge<F64>,
	active_jobs: IntGauge,
	in_flight: IntGauge,
	best_block: IntGauge,
	finalized_block: IntGauge,
	blocked_requesters: IntGauge,
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

fn reg<T: Clone + substrate_prometheus_endpoint::prometheus::core::Collector + 'static>(
	registry: &Registry,
	metric: Result<T, PrometheusError>,
) -> T {
	// Names and labels are constants: an error here is a bug.
	substrate_prometheus_endpoint::register(metric.expect("valid metric"), registry)
		.expect("metric registered once")
}

impl Metrics {
	/// Every metric, registered in a new registry (labelled series the tests
	/// and dashboards read are created at 0).
	pub fn new() -> Self {
		let r = Registry::new();
		let opts = |name: &str, help: &str| Opts::new(format!("zkprover_{name}"), help);
		let int = |name: &str, help: &str| reg(&r, IntCounter::with_opts(opts(name, help)));
		let float = |name: &str, help: &str| reg(&r, Counter::<F64>::with_opts(opts(name, help)));
		let gauge = |name: &str, help: &str| reg(&r, Gauge::<F64>::with_opts(opts(name, help)));
		let int_gauge = |name: &str, help: &str| reg(&r, IntGauge::with_opts(opts(name, help)));
		let vec = |name: &str, help: &str, labels: &[&str]| {
			reg(&r, IntCounterVec::new(opts(name, help), labels))
		};
		let m = Metrics {
			jobs_taken: vec(
				"jobs_taken_total",
				"Jobs taken, by kind (assignment, lock, bounty).",
				&["kind"],
			),
			proofs_submitted: int("proofs_submitted_total", "Proofs included on chain."),
			proofs_verified: int("proofs_verified_total", "Proofs verified valid and paid."),
			proofs_rejected: int("proofs_rejected_total", "Proofs verified invalid (slashed)."),
			proofs_undecided: int("proofs_undecided_total", "Proofs without a verdict in time."),
			backend_failures: int("backend_failures_total", "Proving backend failures."),
			slashes: int("slashes_total", "Slashes (invalid proofs, missed deadlines and locks)."),
			reconnects: int("reconnects_total", "Stream errors / reconnections to the node."),
			requesters_blocked: int(
				"requesters_blocked_total",
				"Requesters blocked after failures of their requests.",
			),
			preflights: vec(
				"preflights_total",
				"Preflights of command backends, by result (pass, fail, error).",
				&["result"],
			),
			earnings: float("earnings_planck_total", "Fees earned by verified proofs (planck)."),
			slashed: float("slashed_planck_total", "Stake and collateral slashed (planck)."),
			proof_seconds: reg(
				&r,
				Histogram::with_opts(
					HistogramOpts::new("zkprover_proof_seconds", "Time to compute a proof.")
						.buckets(PROOF_TIME_BUCKETS.to_vec()),
				),
			),
			decisions: vec(
				"decisions_total",
				"Decisions about jobs, by action and reason.",
				&["action", "reason"],
			),
			stake: gauge("stake_planck", "Effective stake on chain (planck)."),
			collateral: gauge("collateral_planck", "Lock collateral pledged (planck)."),
			reputation: gauge("reputation", "Reputation on chain (0..1)."),
			active_jobs: int_gauge("active_jobs", "Unfinished jobs the chain counts."),
			in_flight: int_gauge("in_flight_jobs", "Jobs the agent works on now."),
			best_block: int_gauge("best_block", "Best block seen."),
			finalized_block: int_gauge("finalized_block", "Finalized block seen."),
			blocked_requesters: int_gauge(
				"blocked_requesters",
				"Requesters whose offers and bounties are skipped now.",
			),
			registry: r.clone(),
		};
		for kind in ["assignment", "lock", "bounty"] {
			m.jobs_taken.with_label_values(&[kind]);
		}
		for result in ["pass", "fail", "error"] {
			m.preflights.with_label_values(&[result]);
		}
		m
	}

	/// A job taken: `kind` is `assignment`, `lock` or `bounty`.
	pub fn job_taken(&self, kind: &str) {
		self.jobs_taken.with_label_values(&[kind]).inc();
	}
	/// A proof transaction included.
	pub fn proof_submitted(&self) {
		self.proofs_submitted.inc();
	}
	/// A verified proof paid `paid` planck.
	pub fn proof_verified(&self, paid: u128) {
		self.proofs_verified.inc();
		self.earnings.inc_by(paid as f64);
	}
	/// A rejected proof, slashed `slashed` planck.
	pub fn proof_rejected(&self, slashed: u128) {
		self.proofs_rejected.inc();
		self.slashed(slashed);
	}
	/// A proof without a verdict in time.
	pub fn proof_undecided(&self) {
		self.proofs_undecided.inc();
	}
	/// A slash (an invalid proof, a missed deadline or lock).
	pub fn slashed(&self, amount: u128) {
		self.slashes.inc();
		self.slashed.inc_by(amount as f64);
	}
	/// A backend failure.
	pub fn backend_failed(&self) {
		self.backend_failures.inc();
	}
	/// A proof took `secs` seconds.
	pub fn proof_time(&self, secs: f64) {
		self.proof_seconds.observe(secs);
	}
	/// A decision (`action`: lock, bounty, assignment, decline) with its reason label.
	pub fn decision(&self, action: &str, reason: &str) {
		self.decisions.with_label_values(&[action, reason]).inc();
	}
	/// The prover's state on chain.
	pub fn standing(&self, stake: u128, collateral: u128, reputation_ppb: u32, active_jobs: u32) {
		self.stake.set(stake as f64);
		self.collateral.set(collateral as f64);
		self.reputation.set(reputation_ppb as f64 / 1e9);
		self.active_jobs.set(active_jobs as i64);
	}
	/// Jobs the agent works on now.
	pub fn in_flight(&self, n: u32) {
		self.in_flight.set(n as i64);
	}
	/// The best block seen.
	pub fn best_block(&self, n: u64) {
		self.best_block.set(n as i64);
	}
	/// The finalized block seen.
	pub fn finalized_block(&self, n: u64) {
		self.finalized_block.set(n as i64);
	}
	/// A `command` backend's preflight: `result` is `pass`, `fail` (the
	/// request cannot be proven) or `error` (it could not be run).
	pub fn preflight(&self, result: &str) {
		self.preflights.with_label_values(&[result]).inc();
	}
	/// A requester blocked (its offers and bounties are skipped for a while).
	pub fn requester_blocked(&self) {
		self.requesters_blocked.inc();
	}
	/// Requesters blocked now.
	pub fn blocked_requesters(&self, n: u64) {
		self.blocked_requesters.set(n as i64);
	}
	/// A lost connection / stream error.
	pub fn reconnect(&self) {
		self.reconnects.inc();
	}

	/// Counters read back (the exit summary): proofs submitted, verified,
	/// rejected, and the earnings in planck.
	pub fn summary(&self) -> (u64, u64, u64, u128) {
		(
			self.proofs_submitted.get(),
			self.proofs_verified.get(),
			self.proofs_rejected.get(),
			self.earnings.get() as u128,
		)
	}

	/// The text exposition format (what `/metrics` serves).
	#[cfg(test)]
	pub fn render(&self) -> String {
		use substrate_prometheus_endpoint::prometheus::{Encoder, TextEncoder};
		let mut out = Vec::new();
		let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
		String::from_utf8_lossy(&out).into_owned()
	}

	/// Serves the metrics on `http://addr/metrics` in a background task.
	/// Fails at once when `addr` cannot be bound.
	pub async fn serve(
		&self,
		addr: SocketAddr,
	) -> Result<(), substrate_prometheus_endpoint::Error> {
		let mut server: Pin<Box<dyn Future<Output = _> + Send>> =
			Box::pin(substrate_prometheus_endpoint::init_prometheus(addr, self.registry.clone()));
		// The first poll binds the address (a `SocketAddr` resolves at once):
		// a server that is still pending is listening.
		let first = std::future::poll_fn(|cx| Poll::Ready(server.as_mut().poll(cx))).await;
		if let Poll::Ready(result) = first {
			return result;
		}
		tokio::spawn(async move {
			if let Err(e) = server.await {
				tracing::warn!("metrics endpoint stopped: {e}");
			}
		});
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::{AsyncReadExt, AsyncWriteExt};

	#[test]
	fn exposition() {
		let m = Metrics::new();
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
			"zkprover_in_flight_jobs 0",
			"zkprover_reconnects_total 0",
			"# TYPE zkprover_proof_seconds histogram",
			"# TYPE zkprover_jobs_taken_total counter",
			"# TYPE zkprover_stake_planck gauge",
		] {
			assert!(t.lines().any(|l| l == line), "missing `{line}` in\n{t}");
		}
		// 100 ZK in planck (above u64) prints as an integer.
		m.standing(100_000_000_000_000_000_000, 0, 0, 0);
		assert!(m.render().contains("\nzkprover_stake_planck 100000000000000000000\n"));
		assert_eq!(m.summary(), (1, 1, 1, 1_200_000_000_000_000_000));
	}

	#[tokio::test]
	async fn http_endpoint() {
		let m = Metrics::new();
		m.proof_submitted();
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
		m.serve(addr).await.unwrap();
		// The port is taken now: a second server fails at once.
		assert!(Metrics::new().serve(addr).await.is_err());
		let get = |path: &'static str| async move {
			let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
			s.write_all(
				format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
			)
			.await
			.unwrap();
			let mut out = String::new();
			s.read_to_string(&mut out).await.unwrap();
			out
		};
		let r = get("/metrics").await;
		assert!(r.starts_with("HTTP/1.1 200 OK\r\n"), "{r}");
		assert!(r.contains("# HELP zkprover_"), "{r}");
		assert!(r.contains("\nzkprover_proofs_submitted_total 1\n"), "{r}");
		assert!(get("/nope").await.starts_with("HTTP/1.1 404"));
	}
}
