//! Transactions with explicit nonces from one account, several in flight at
//! once (a prover proving many requests): the nonce is the node's
//! `system_accountNextIndex` or the sender's own count, whichever is higher
//! (the node may not count a transaction yet right after it was submitted);
//! a refused or dropped transaction frees its nonce. [`Sender::landed`] reports
//! the block a transaction is in.

use crate::{tx, AccountId, AtBlock, Conn, Error, Hash, ZkConfig};
use std::time::Duration;
use subxt::{
	client::OnlineClientAtBlockImpl,
	config::DefaultExtrinsicParamsBuilder,
	extrinsics::ExtrinsicEvents,
	transactions::{Payload, TransactionProgress},
};
use subxt_signer::sr25519::Keypair;

/// How long the sender's own nonce count overrides the node's.
pub const LOCAL_NONCE_TTL: Duration = Duration::from_secs(6);
/// Blocks a transaction stays valid (mortal era).
pub const TX_MORTALITY: u64 = 64;

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

/// An account that sends transactions on a connection, several in flight
/// at once: it assigns their nonces itself and reports the block each lands in.
pub struct Sender {
	/// The connection (reconnecting).
	pub conn: Conn,
	/// The signing key.
	pub signer: Keypair,
	/// Its account.
	pub me: AccountId,
	/// Serializes nonce assignment and submission.
	tx_lock: tokio::sync::Mutex<()>,
	/// The nonce after the last one this sender used, and when: the node's
	/// `system_accountNextIndex` may not count a transaction yet right after
	/// `submit_and_watch` returns, so the sender counts too, for
	/// [`LOCAL_NONCE_TTL`] (then the node's count is trusted again: a stale
	/// local count would leave transactions stuck in the future queue).
	next: std::sync::Mutex<Option<(u64, std::time::Instant)>>,
}

impl Sender {
	/// A sender for `signer` on `conn`.
	pub fn new(conn: Conn, signer: Keypair) -> Self {
		let me = crate::keys::account(&signer);
		Sender { conn, signer, me, tx_lock: tokio::sync::Mutex::new(()), next: Default::default() }
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
				return Err(tx::refused(e.into()));
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
		match tx::wait_in_block(sent.progress).await {
			Ok(tx::Included { block_hash, events }) => {
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
