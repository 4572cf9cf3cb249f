//! The agent's chain access on top of `zkmarket-client`: constants, its own
//! prover record, paging through open requests, and transactions with
//! explicit nonces (several may be in flight from one account) that report
//! the block they landed in.
//!
//! Helpers that could move into the client library: [`Chain::send`] (explicit
//! nonce from `system_accountNextIndex` plus the agent's own count, so
//! concurrent transactions of one account do not collide), [`open_requests_from`],
//! [`consts_at`].

use std::time::Duration;
use zkmarket_client::{
	market::{self, Balance, RequestId, RequestView},
	subxt::{
		client::OnlineClientAtBlockImpl,
		config::DefaultExtrinsicParamsBuilder,
		extrinsics::ExtrinsicEvents,
		transactions::{Payload, TransactionProgress},
	},
	subxt_signer::sr25519::Keypair,
	zk, AccountId, AtBlock, Conn, Error, Hash, ZkConfig,
};

/// Open requests read per runtime call (the API's maximum).
pub const PAGE: u32 = 100;
/// Request ids `MarketApi::open_requests` scans per call at most: a short page
/// means "no more open requests among the next `SCAN_WINDOW` ids", not "no more".
pub const SCAN_WINDOW: u64 = 1_000;
/// Runtime calls per scan at most (64,000 ids above the lowest open one).
pub const MAX_CALLS: u32 = 64;
/// How long the agent's own nonce count overrides the node's.
pub const LOCAL_NONCE_TTL: Duration = Duration::from_secs(6);
/// Blocks a transaction of the agent stays valid (mortal era).
pub const TX_MORTALITY: u64 = 64;

/// Chain parameters the agent needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Consts {
	/// `Provers::MinProverStake`.
	pub min_stake: Balance,
	/// `Provers::MaxJobsPerProver`.
	pub max_jobs: u32,
	/// Block time in milliseconds (`BlockTime::BlockTimeMillis`).
	pub block_millis: u64,
	/// `Verifier::MaxProofLen`.
	pub max_proof_len: usize,
	/// `Market::ProofDeadline`: blocks from an auction assignment to its deadline.
	pub proof_deadline: u64,
	/// `Market::FreeDeclinePeriod`: blocks after an assignment in which declining it is free.
	pub free_decline_period: u64,
	/// `Provers::MaxCapabilityPrograms`: programs one prover may declare.
	pub max_capability_programs: u32,
	/// `Provers::MaxCapabilityKinds`: whole kinds one prover may declare.
	pub max_capability_kinds: u32,
}

/// Reads [`Consts`] at a block.
pub async fn consts_at(at: &AtBlock) -> Result<Consts, Error> {
	let c = at.constants();
	let min_stake = c.entry(zk::constants().provers().min_prover_stake())?;
	let max_jobs = c.entry(zk::constants().provers().max_jobs_per_prover())?;
	let max_proof_len = c.entry(zk::constants().verifier().max_proof_len())? as usize;
	let proof_deadline = c.entry(zk::constants().market().proof_deadline())? as u64;
	let free_decline_period = c.entry(zk::constants().market().free_decline_period())? as u64;
	let max_capability_programs = c.entry(zk::constants().provers().max_capability_programs())?;
	let max_capability_kinds = c.entry(zk::constants().provers().max_capability_kinds())?;
	let block_millis =
		match at.storage().try_fetch(zk::storage().block_time().block_time_millis(), ()).await? {
			Some(v) => v.decode()?,
			None => 6_000,
		};
	Ok(Consts {
		min_stake,
		max_jobs,
		block_millis,
		max_proof_len,
		proof_deadline,
		free_decline_period,
		max_capability_programs,
		max_capability_kinds,
	})
}

/// The open requests at a block with ids from `start` (the lowest id still
/// open at an earlier scan: a closed request never opens again and new
/// requests get higher ids), paging through `MarketApi::open_requests` up to
/// `Market::NextRequestId`. Returns them, the next `start` (the lowest open
/// id, or where the scan ended when none is open) and whether the scan stopped
/// at [`MAX_CALLS`] before reaching the newest request.
pub async fn open_requests_from(
	at: &AtBlock,
	start: RequestId,
) -> Result<(Vec<RequestView>, RequestId, bool), Error> {
	let next: RequestId =
		match at.storage().try_fetch(zk::storage().market().next_request_id(), ()).await? {
			Some(v) => v.decode()?,
			None => 0,
		};
	let mut out: Vec<RequestView> = Vec::new();
	let mut from = start.min(next);
	let mut calls = 0;
	while from < next {
		if calls == MAX_CALLS {
			let low = out.first().map(|r| r.id).unwrap_or(from);
			return Ok((out, low, true));
		}
		let page = market::open_requests_at(at, from, PAGE).await?;
		calls += 1;
		from = match page.last() {
			Some(last) if page.len() == PAGE as usize => last.id.saturating_add(1),
			_ => from.saturating_add(SCAN_WINDOW),
		};
		out.extend(page);
	}
	let low = out.first().map(|r| r.id).unwrap_or(next);
	Ok((out, low, false))
}

/// A transaction in the pool.
pub struct Sent {
	/// The nonce it uses.
	pub nonce: u64,
	/// Its hash.
	pub hash: Hash,
	progress: TransactionProgress<ZkConfig, OnlineClientAtBlockImpl<ZkConfig>>,
}

/// A transaction in a block.
pub struct Landed {
	/// The block's number.
	pub block: u64,
	/// The block's hash.
	pub block_hash: Hash,
	/// The transaction's events (it succeeded).
	pub events: ExtrinsicEvents<ZkConfig>,
}

/// The agent's account on a connection.
pub struct Chain {
	/// The connection (reconnecting).
	pub conn: Conn,
	/// The signing key.
	pub signer: Keypair,
	/// Its account.
	pub me: AccountId,
	/// Serializes nonce assignment and submission.
	tx_lock: tokio::sync::Mutex<()>,
	/// The nonce after the last one this agent used, and when: the node's
	/// `system_accountNextIndex` may not count a transaction yet right after
	/// `submit_and_watch` returns, so the agent counts too, for
	/// [`LOCAL_NONCE_TTL`] (then the node's count is trusted again: a stale
	/// local count would leave transactions stuck in the future queue).
	next: std::sync::Mutex<Option<(u64, std::time::Instant)>>,
}

impl Chain {
	/// A chain handle for `signer` on `conn`.
	pub fn new(conn: Conn, signer: Keypair) -> Self {
		let me = zkmarket_client::keys::account(&signer);
		Chain { conn, signer, me, tx_lock: tokio::sync::Mutex::new(()), next: Default::default() }
	}

	/// The account id's bytes (what the binding hashes).
	pub fn me_bytes(&self) -> [u8; 32] {
		self.me.0
	}

	/// The next nonce, counting the transactions in the node's pool.
	pub async fn next_nonce(&self) -> Result<u64, Error> {
		Ok(self.conn.legacy().system_account_next_index(&self.me).await?)
	}

	/// The account's nonce in the state of block `at` (transactions included so far).
	pub async fn state_nonce(&self, at: &AtBlock) -> Result<u64, Error> {
		Ok(at.transactions().account_nonce(&self.me).await?)
	}

	/// Signs `call` with `nonce` (or the next free one) against the best block
	/// and submits it. Returns once the pool accepted it.
	pub async fn send<Call: Payload>(
		&self,
		call: &Call,
		nonce: Option<u64>,
	) -> Result<Sent, Error> {
		let _guard = self.tx_lock.lock().await;
		let fresh = nonce.is_none();
		let nonce = match nonce {
			Some(n) => n,
			None => {
				let pool = self.next_nonce().await?;
				let local = match *self.next.lock().unwrap() {
					Some((n, at)) if at.elapsed() < LOCAL_NONCE_TTL => n,
					_ => 0,
				};
				pool.max(local)
			}
		};
		let at = self.conn.best().await?;
		let params = DefaultExtrinsicParamsBuilder::<ZkConfig>::new()
			.nonce(nonce)
			.mortal(TX_MORTALITY)
			.build();
		let mut signable = at.transactions().create_signable(call, &self.me, params).await?;
		let tx = signable.sign(&self.signer)?;
		let hash = tx.hash();
		let progress = match tx.submit_and_watch().await {
			Ok(p) => p,
			Err(e) => {
				self.forget_nonces();
				return Err(match Error::from(e) {
					Error::Other(m) => Error::Invalid(m),
					e => e,
				});
			}
		};
		if fresh {
			let mut next = self.next.lock().unwrap();
			let n = match *next {
				Some((n, at)) if at.elapsed() < LOCAL_NONCE_TTL => n.max(nonce + 1),
				_ => nonce + 1,
			};
			*next = Some((n, std::time::Instant::now()));
		}
		Ok(Sent { nonce, hash, progress })
	}

	/// Forgets the locally counted nonce (after a refused or dropped
	/// transaction, whose nonce stays free): the next one comes from the node.
	pub fn forget_nonces(&self) {
		*self.next.lock().unwrap() = None;
	}

	/// Waits until `sent` is in a best block (or fails). `Err(Unreachable)`:
	/// the watch was lost (the outcome is unknown; read the chain).
	pub async fn landed(&self, sent: Sent) -> Result<Landed, Error> {
		match market::wait_in_block(sent.progress).await {
			Ok(market::Included { block_hash, events }) => {
				let block = match self.conn.at(block_hash).await {
					Ok(at) => at.block_number(),
					Err(_) => 0,
				};
				Ok(Landed { block, block_hash, events })
			}
			Err(e) => {
				if matches!(e, Error::Invalid(_)) {
					// Refused or dropped: its nonce stays free.
					self.forget_nonces();
				}
				Err(e)
			}
		}
	}

	/// [`Self::send`] then [`Self::landed`], with a time limit.
	pub async fn submit<Call: Payload>(
		&self,
		call: &Call,
		limit: Duration,
	) -> Result<Landed, Error> {
		let sent = self.send(call, None).await?;
		tokio::time::timeout(limit, self.landed(sent)).await.map_err(|_| {
			self.forget_nonces();
			Error::Timeout(format!("not in a block after {} s", limit.as_secs()))
		})?
	}
}

/// `provers.register(stake)`.
pub fn register_call(stake: Balance) -> impl Payload {
	zk::transactions().provers().register(stake)
}

/// `provers.bond_extra(amount)`.
pub fn bond_extra_call(amount: Balance) -> impl Payload {
	zk::transactions().provers().bond_extra(amount)
}

/// `provers.resume()`.
pub fn resume_call() -> impl Payload {
	zk::transactions().provers().resume()
}

/// `provers.pause()`.
pub fn pause_call() -> impl Payload {
	zk::transactions().provers().pause()
}

/// `provers.set_capabilities(programs, kinds, max_jobs)` for a declaration.
pub fn set_capabilities_call(d: &super::declare::Declaration) -> impl Payload {
	use zk::runtime_types::bounded_collections::bounded_vec::BoundedVec;
	zk::transactions().provers().set_capabilities(
		BoundedVec(d.programs.clone()),
		BoundedVec(d.kinds.clone()),
		d.max_jobs,
	)
}

/// `market.lock_request(id)`.
pub fn lock_call(id: RequestId) -> impl Payload {
	zk::transactions().market().lock_request(id)
}

/// `market.decline_assignment(id)`.
pub fn decline_call(id: RequestId) -> impl Payload {
	zk::transactions().market().decline_assignment(id)
}

/// `verifier.submit_proof(id, proof)`.
pub fn submit_proof_call(id: RequestId, proof: Vec<u8>) -> impl Payload {
	zk::transactions()
		.verifier()
		.submit_proof(id, zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(proof))
}
