//! The planning step on made-up chain snapshots: the nonce barrier,
//! re-sending a proof with the same nonce, declining again, paging, and
//! restarts (the "never submit twice" rules).

use super::*;
use crate::agent::{
	book::{Barrier, Book},
	chain::{MAX_CALLS, SCAN_WINDOW},
	requesters::Requesters,
};
use zkmarket_client::market::{Offer, Pricing, ProverInfo};

const ZK: u128 = zkmarket_client::amount::ZK;
const ME: [u8; 32] = [2; 32];
const EVE: [u8; 32] = [5; 32];

fn config() -> Config {
	config::parse(
		"url = \"ws://x:1\"\nsuri = \"//Bob\"\nstake = \"100\"\nmax_jobs = 4\n\
		 [[programs]]\nid = \"demo\"\nbackend = \"demo\"\nmin_price = \"0.001\"\n\
		 max_collateral = \"5\"\nprove_secs = 2\n",
	)
	.unwrap()
}

const CONSTS: Consts = Consts {
	min_stake: 32 * ZK,
	max_jobs: 4,
	block_millis: 2000,
	max_proof_len: 512,
	proof_deadline: 50,
	free_decline_period: 25,
	max_capability_programs: 16,
	max_capability_kinds: 4,
};
const WINDOW: DeclineWindow = DeclineWindow { proof_deadline: 50, free_period: 25 };

/// The planner's context around a configuration.
struct World {
	cfg: Config,
	me: AccountId,
	metrics: Metrics,
	stopping: bool,
}

impl World {
	fn new() -> Self {
		World { cfg: config(), me: AccountId::from(ME), metrics: Metrics::new(), stopping: false }
	}
	fn ctx(&self) -> Ctx<'_> {
		Ctx {
			cfg: &self.cfg,
			consts: &CONSTS,
			window: &WINDOW,
			me: &self.me,
			stopping: self.stopping,
			metrics: &self.metrics,
		}
	}
	fn plan(&self, st: &mut State, snap: &Snapshot) -> Plan {
		st.plan(&self.ctx(), snap)
	}
	fn metric(&self, line: &str) -> bool {
		self.metrics.render().lines().any(|l| l == line)
	}
}

fn demo() -> [u8; 32] {
	zkmarket_demo_circuit::program_id()
}

/// A request of the demo program with a provable input (x = 3).
fn request(id: RequestId, pricing: Pricing, state: RequestState) -> RequestView {
	RequestView {
		id,
		requester: AccountId::from(EVE),
		program: demo(),
		inputs: vec![zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::output(3))],
		pricing,
		escrow: ZK,
		submitted_at: 1,
		expires_at: 1000,
		state,
	}
}

fn auction() -> Pricing {
	Pricing::Auction { bid: ZK / 100, max_base_fee: ZK / 100 }
}

fn assigned(id: RequestId, deadline: u32) -> RequestView {
	let state = RequestState::Assigned { prover: AccountId::from(ME), price: ZK / 10, deadline };
	request(id, auction(), state)
}

/// An offer at chain time 1000: paying 0.1 ZK, lock deadline in 500 s.
fn offer() -> Offer {
	Offer {
		min_price: ZK / 10,
		max_price: ZK / 10,
		ramp_up_start: 990,
		ramp_up_period: 0,
		lock_timeout: 510,
		timeout: 1000,
		lock_collateral: ZK,
	}
}

fn open_offer(id: RequestId) -> RequestView {
	request(id, Pricing::Offer(offer()), RequestState::Open)
}

fn locked_by_me(id: RequestId) -> RequestView {
	let state =
		RequestState::Locked { prover: AccountId::from(ME), price: ZK / 10, collateral: ZK };
	request(id, Pricing::Offer(offer()), state)
}

fn prover() -> ProverInfo {
	ProverInfo {
		effective_stake: 100 * ZK,
		collateral: 0,
		unbonding: 0,
		reputation: 500_000_000,
		paused: false,
		active_jobs: 0,
		eligible: true,
	}
}

fn snap(number: u64, state_nonce: u64, requests: Vec<RequestView>) -> Snapshot {
	let low = requests.first().map(|r| r.id).unwrap_or(0);
	Snapshot { number, now: 1000, state_nonce, info: Some(prover()), requests, low }
}

fn start(id: RequestId, kind: Kind, locking: bool, reuse_nonce: Option<u64>) -> Start {
	Start { id, kind, locking, reuse_nonce }
}

fn ended(st: &mut State, id: RequestId, phase: Phase) {
	let e = st.jobs.get_mut(&id).unwrap();
	e.running = false;
	e.phase = phase;
}

const A: Kind = Kind::Assignment { deadline: 150 };

#[test]
fn the_nonce_barrier_defers_new_jobs_and_holds_proofs_until_resolved() {
	let w = World::new();
	// A restart with 2 transactions of ours still in the pool (nonces 8, 9).
	let mut st = State {
		barrier: Some(Barrier { target: 10, until: 120, defer_until: 103 }),
		..State::default()
	};
	let p = w.plan(&mut st, &snap(101, 8, vec![assigned(7, 150)]));
	assert_eq!(p.barrier, BarrierState::Holding { defer: true });
	assert!(p.starts.is_empty() && p.declines.is_empty(), "{p:?}");
	assert!(st.jobs.is_empty(), "nothing entered while deferred");
	// After the defer blocks, the job starts; its proof still waits (the
	// barrier holds until the nonce reaches 10).
	let p = w.plan(&mut st, &snap(103, 9, vec![assigned(7, 150)]));
	assert_eq!(p.barrier, BarrierState::Holding { defer: false });
	assert_eq!(p.starts, vec![start(7, A, false, None)]);
	assert!(st.barrier.is_some());
	// Resolved: lifted once; the running job is not started again.
	let p = w.plan(&mut st, &snap(104, 10, vec![assigned(7, 150)]));
	assert_eq!(p.barrier, BarrierState::Lifted);
	assert!(p.starts.is_empty(), "{p:?}");
	assert_eq!(st.barrier, None);
	assert_eq!(w.plan(&mut st, &snap(105, 10, vec![])).barrier, BarrierState::Clear);
	// Never resolved (the pool dropped them): lifted at `until`.
	let mut st = State {
		barrier: Some(Barrier { target: 10, until: 120, defer_until: 103 }),
		..State::default()
	};
	assert_eq!(
		w.plan(&mut st, &snap(119, 8, vec![])).barrier,
		BarrierState::Holding { defer: false }
	);
	assert_eq!(w.plan(&mut st, &snap(120, 8, vec![])).barrier, BarrierState::Lifted);
}

#[test]
fn a_proof_whose_outcome_is_unknown_is_resent_with_the_same_nonce() {
	let w = World::new();
	let mut st = State::default();
	assert_eq!(w.plan(&mut st, &snap(101, 0, vec![assigned(7, 150)])).starts.len(), 1);
	// The job sent its proof with nonce 7 and lost track of it.
	ended(&mut st, 7, Phase::Unknown { nonce: 7 });
	st.jobs.get_mut(&7).unwrap().proof = Some(vec![1, 2, 3]);
	// Nonce 7 not used yet: the same proof with the same nonce (at most one
	// of the two transactions is ever included).
	let p = w.plan(&mut st, &snap(102, 7, vec![assigned(7, 150)]));
	assert_eq!(p.starts, vec![start(7, A, false, Some(7))]);
	assert_eq!(st.jobs[&7].proof, Some(vec![1, 2, 3]), "the proof is kept for the re-send");
	// Nonce 7 used and the request still asks for a proof: that transaction
	// failed; a new one with a fresh nonce.
	ended(&mut st, 7, Phase::Unknown { nonce: 7 });
	let p = w.plan(&mut st, &snap(103, 8, vec![assigned(7, 150)]));
	assert_eq!(p.starts, vec![start(7, A, false, None)]);
	// Our proof landed in block #104: not redone at that block (the state
	// read may predate it), redone only if the request asks again later.
	ended(&mut st, 7, Phase::Landed { block: 104 });
	assert!(w.plan(&mut st, &snap(104, 9, vec![assigned(7, 150)])).starts.is_empty());
	let p = w.plan(&mut st, &snap(105, 9, vec![assigned(7, 150)]));
	assert_eq!(p.starts, vec![start(7, A, false, None)]);
	// The same for our lock.
	let mut st = State::default();
	assert_eq!(
		w.plan(&mut st, &snap(101, 3, vec![locked_by_me(9)])).starts,
		vec![start(9, Kind::Lock, false, None)]
	);
	ended(&mut st, 9, Phase::Unknown { nonce: 3 });
	let p = w.plan(&mut st, &snap(102, 3, vec![locked_by_me(9)]));
	assert_eq!(p.starts, vec![start(9, Kind::Lock, false, Some(3))]);
	// Once the proof is in, the request is ProofSubmitted: nothing to do.
	ended(&mut st, 9, Phase::Landed { block: 103 });
	let submitted = request(
		9,
		Pricing::Offer(offer()),
		RequestState::ProofSubmitted {
			prover: AccountId::from(ME),
			fulfilment: Fulfilment::Locked { price: ZK / 10, collateral: ZK },
			at: 1000,
		},
	);
	let p = w.plan(&mut st, &snap(110, 4, vec![submitted]));
	assert!(p.starts.is_empty(), "{p:?}");
	assert!(st.jobs.contains_key(&9), "kept while the proof awaits its verdict");
}

#[test]
fn an_unprovable_assignment_is_declined_again_once_per_job() {
	let w = World::new();
	let mut st = State::default();
	st.unprovable.insert(7, "cannot be proven: no witness".into());
	let decline =
		Decline { id: 7, deadline: 150, why: "cannot be proven: no witness".into(), quiet: true };
	let p = w.plan(&mut st, &snap(101, 0, vec![assigned(7, 150)]));
	assert_eq!(p.declines, vec![decline.clone()]);
	assert!(p.starts.is_empty());
	assert!(st.jobs[&7].running && st.jobs[&7].phase == Phase::Done);
	// While the decline is on its way: nothing more.
	assert!(w.plan(&mut st, &snap(102, 0, vec![assigned(7, 150)])).declines.is_empty());
	// Declined (the task ended): never again.
	st.jobs.get_mut(&7).unwrap().running = false;
	assert!(w.plan(&mut st, &snap(103, 0, vec![assigned(7, 150)])).declines.is_empty());
	// The decline failed (the job is forgotten): declined again.
	st.jobs.remove(&7);
	assert_eq!(w.plan(&mut st, &snap(104, 0, vec![assigned(7, 150)])).declines, vec![decline]);
	assert!(w.metric("zkprover_decisions_total{action=\"assignment\",reason=\"unprovable\"} 2"));
	// An assignment with too little time left is declined (not quietly).
	let mut st = State::default();
	let p = w.plan(&mut st, &snap(150, 0, vec![assigned(8, 150)]));
	assert_eq!(p.declines.len(), 1);
	assert!(!p.declines[0].quiet && p.declines[0].why.starts_with("deadline too close"));
	// Closed requests are forgotten.
	w.plan(&mut st, &snap(152, 0, vec![]));
	if let Some(e) = st.jobs.get_mut(&8) {
		e.running = false;
	}
	w.plan(&mut st, &snap(153, 0, vec![]));
	assert!(st.jobs.is_empty() && st.unprovable.is_empty());
}

#[test]
fn offers_are_locked_once_and_one_per_requester() {
	let w = World::new();
	let mut st = State::default();
	let p = w.plan(&mut st, &snap(101, 0, vec![open_offer(3), open_offer(4)]));
	// One lock of Eve's offers at a time (`requester_max_locks = 1`).
	assert_eq!(p.starts, vec![start(3, Kind::Lock, true, None)]);
	assert_eq!(st.jobs[&3].phase, Phase::Locking);
	assert!(w.metric("zkprover_decisions_total{action=\"lock\",reason=\"requester_busy\"} 1"));
	// Planned again while locking: not locked twice, the skip not logged twice.
	let p = w.plan(&mut st, &snap(102, 1, vec![open_offer(3), open_offer(4)]));
	assert!(p.starts.is_empty(), "{p:?}");
	assert!(w.metric("zkprover_decisions_total{action=\"lock\",reason=\"requester_busy\"} 1"));
	assert!(w.metric("zkprover_decisions_total{action=\"lock\",reason=\"take\"} 1"));
	// Shutting down: nothing new.
	let mut stopping = World::new();
	stopping.stopping = true;
	let mut st = State::default();
	assert_eq!(stopping.plan(&mut st, &snap(101, 0, vec![open_offer(3)])), Plan::default());
}

#[test]
fn after_a_restart_the_chain_says_what_to_resume_and_nothing_is_submitted_twice() {
	let w = World::new();
	// A fresh bookkeeping, as after `kill -9`: our proof of #1 is in a block,
	// #2 is still assigned to us, #3 is still locked by us.
	let submitted = request(
		1,
		auction(),
		RequestState::ProofSubmitted {
			prover: AccountId::from(ME),
			fulfilment: Fulfilment::Assignment { price: ZK / 10, deadline: 140 },
			at: 990,
		},
	);
	let requests = vec![submitted, assigned(2, 150), locked_by_me(3)];
	let mut st = State::default();
	let p = w.plan(&mut st, &snap(120, 5, requests.clone()));
	assert_eq!(
		p.starts,
		vec![start(2, A, false, None), start(3, Kind::Lock, false, None)],
		"the assignment is proven again, the lock is proven without locking again"
	);
	assert!(!st.jobs.contains_key(&1), "a proof already in a block is not redone");
	assert!(st.awaiting_logged.contains(&1));
	// Planned again while they run: nothing twice.
	assert!(w.plan(&mut st, &snap(121, 5, requests.clone())).starts.is_empty());
	// The restarted jobs submitted their proofs: no job for them again.
	ended(&mut st, 2, Phase::Landed { block: 122 });
	ended(&mut st, 3, Phase::Landed { block: 122 });
	assert!(w.plan(&mut st, &snap(122, 7, requests)).starts.is_empty());
	// A prover record gone (a fresh chain): registered again, once per 20 blocks.
	let mut st = State::default();
	let gone = Snapshot { info: None, ..snap(130, 0, vec![]) };
	assert!(w.plan(&mut st, &gone).register);
	assert!(!w.plan(&mut st, &Snapshot { number: 131, ..gone.clone() }).register);
	assert!(w.plan(&mut st, &Snapshot { number: 150, ..gone }).register);
}

#[tokio::test]
async fn open_requests_are_paged_and_the_next_scan_starts_at_the_lowest_open_id() {
	// Open requests: 0..250, then one far away (5000).
	let open: Vec<RequestId> = (0..250).chain([5000]).collect();
	let pages = std::cell::Cell::new(0);
	let source = |from: RequestId, n: u32| {
		pages.set(pages.get() + 1);
		let page: Vec<RequestView> = open
			.iter()
			.filter(|id| **id >= from && **id < from + SCAN_WINDOW)
			.take(n as usize)
			.map(|id| assigned(*id, 150))
			.collect();
		async move { Ok(page) }
	};
	let (found, low, truncated) = zkmarket_client::paging::scan(0, 5001, source).await.unwrap();
	assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), open);
	assert_eq!((low, truncated), (0, false));
	// Pages of 100 up to 249 (the third one short), then windows of 1000
	// ids from 1200 to the one holding 5000: 3 + 4 calls.
	assert_eq!(pages.get(), 7);
	// From an open id: the same from there; nothing open: the scan's end.
	let (found, low, _) = zkmarket_client::paging::scan(200, 5001, source).await.unwrap();
	assert_eq!((found.len(), low), (51, 200));
	let (found, low, _) = zkmarket_client::paging::scan(250, 4000, source).await.unwrap();
	assert_eq!((found.len(), low), (0, 4000));
	// A gap wider than MAX_CALLS windows: stopped there, said so.
	let far = MAX_CALLS as u64 * SCAN_WINDOW + 10;
	let (found, low, truncated) = zkmarket_client::paging::scan(0, far + 1, |from, _| {
		let page = if from == 0 { vec![assigned(0, 150)] } else { vec![] };
		async move { Ok(page) }
	})
	.await
	.unwrap();
	assert_eq!((found.len(), low, truncated), (1, 0, true));

	// The book keeps the lowest open id of the last LOW_MARKS scans.
	let w = World::new();
	let book = Book::new(Requesters::default());
	assert_eq!(book.scan_start(), 0);
	let at = |number: u64, low: RequestId| Snapshot { low, ..snap(number, 0, vec![]) };
	book.plan(&w.ctx(), &at(1, 10));
	for n in 0..LOW_MARKS as u64 - 1 {
		book.plan(&w.ctx(), &at(2 + n, 20));
		assert_eq!(book.scan_start(), 10, "a request closed in a replaced block is still seen");
	}
	book.plan(&w.ctx(), &at(100, 20));
	assert_eq!(book.scan_start(), 20);
}
