//! Transactions: signed, submitted, and followed until they are **in a
//! block** (not finalized). A failed dispatch is [`Error::Dispatch`]; a
//! transaction the pool refuses or drops is [`Error::Invalid`].

use crate::{
	types::{
		Balance, BlockNumber, Offer, Pricing, ProgramId, PublicInput, Registered, RequestId,
		Submitted,
	},
	zk, Conn, Error, Hash, ProgramKind, ZkConfig,
};
use subxt::{
	client::OnlineClientAtBlockImpl,
	config::DefaultExtrinsicParamsBuilder,
	extrinsics::ExtrinsicEvents,
	transactions::{Payload, TransactionProgress, TransactionStatus},
	utils::Static,
};
use subxt_signer::sr25519::Keypair;

/// Signs and submits `call` from `signer` and waits until it is in a (best)
/// block, not finalized. Returns its events; a failed dispatch is
/// [`Error::Dispatch`], a transaction the pool refuses or drops
/// [`Error::Invalid`].
pub async fn submit<Call: Payload>(
	conn: &Conn,
	call: &Call,
	signer: &Keypair,
) -> Result<ExtrinsicEvents<ZkConfig>, Error> {
	Ok(submit_in_block(conn, call, signer).await?.events)
}

/// A transaction included in a block.
pub struct Included {
	/// Hash of the block it is in.
	pub block_hash: Hash,
	/// Its events.
	pub events: ExtrinsicEvents<ZkConfig>,
}

/// [`submit`], also returning the block hash.
pub async fn submit_in_block<Call: Payload>(
	conn: &Conn,
	call: &Call,
	signer: &Keypair,
) -> Result<Included, Error> {
	submit_with_nonce(conn, call, signer, None).await
}

/// [`submit_in_block`] with an explicit nonce. Without one, the nonce is the
/// node's `system_accountNextIndex` (which counts the account's transactions
/// waiting in the pool), so consecutive submissions from one account do not
/// collide. The transaction is built on the best block (mortal from it).
pub async fn submit_with_nonce<Call: Payload>(
	conn: &Conn,
	call: &Call,
	signer: &Keypair,
	nonce: Option<u64>,
) -> Result<Included, Error> {
	let nonce = match nonce {
		Some(n) => n,
		None => conn.legacy().system_account_next_index(&crate::keys::account(signer)).await?,
	};
	let params = DefaultExtrinsicParamsBuilder::<ZkConfig>::new().nonce(nonce).build();
	let mut tx = conn.best().await?.transactions();
	let progress =
		tx.sign_and_submit_then_watch(call, signer, params).await.map_err(|e| refused(e.into()))?;
	wait_in_block(progress).await
}

/// An error of submitting a transaction: when the node answered with an error
/// of its own (not a pool code, not a lost connection), the transaction is not
/// in the pool either, so it is [`Error::Invalid`] (its nonce stays free).
pub(crate) fn refused(e: Error) -> Error {
	match e {
		Error::Chain(source) => Error::Invalid(source.to_string()),
		e => e,
	}
}

/// Waits until a submitted transaction is in a best block and succeeded.
/// Refused, invalid or dropped transactions are [`Error::Invalid`] (their
/// nonce stays free); a lost status subscription is [`Error::Unreachable`]
/// (the outcome is unknown: read the chain).
pub async fn wait_in_block(
	mut progress: TransactionProgress<ZkConfig, OnlineClientAtBlockImpl<ZkConfig>>,
) -> Result<Included, Error> {
	while let Some(status) = progress.next().await {
		match status? {
			TransactionStatus::InBestBlock(in_block)
			| TransactionStatus::InFinalizedBlock(in_block) => {
				let events = in_block.wait_for_success().await?;
				return Ok(Included { block_hash: in_block.block_hash(), events });
			}
			TransactionStatus::Error { message } => return Err(Error::Invalid(message)),
			TransactionStatus::Invalid { message } => return Err(Error::Invalid(message)),
			TransactionStatus::Dropped { message } => {
				return Err(Error::Invalid(format!("dropped: {message}")))
			}
			TransactionStatus::Validated
			| TransactionStatus::Broadcasted
			| TransactionStatus::NoLongerInBestBlock => {}
		}
	}
	Err(Error::unreachable(
		"",
		"the transaction's status subscription ended before it was in a block",
	))
}

/// `market.submit_request` with any pricing; waits for inclusion.
pub async fn submit_request(
	conn: &Conn,
	signer: &Keypair,
	program: ProgramId,
	inputs: Vec<PublicInput>,
	pricing: Pricing,
	expires_at: BlockNumber,
) -> Result<Submitted, Error> {
	let call = zk::transactions().market().submit_request(
		program,
		zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(inputs),
		pricing.into(),
		expires_at,
	);
	let inc = submit_in_block(conn, &call, signer).await?;
	let ev = inc
		.events
		.find_first::<zk::market::events::RequestSubmitted>()
		.ok_or_else(|| Error::other("no RequestSubmitted event"))??;
	Ok(Submitted { id: ev.id, escrow: ev.escrow, block_hash: inc.block_hash })
}

/// An auction bid: `bid` on top of the BaseFee while the BaseFee is at most
/// `max_base_fee`; cleared in blocks up to `expires_at`.
pub async fn submit_bid(
	conn: &Conn,
	signer: &Keypair,
	program: ProgramId,
	inputs: Vec<PublicInput>,
	bid: Balance,
	max_base_fee: Balance,
	expires_at: BlockNumber,
) -> Result<Submitted, Error> {
	submit_request(
		conn,
		signer,
		program,
		inputs,
		Pricing::Auction { bid, max_base_fee },
		expires_at,
	)
	.await
}

/// A reverse Dutch offer.
pub async fn submit_offer(
	conn: &Conn,
	signer: &Keypair,
	program: ProgramId,
	inputs: Vec<PublicInput>,
	offer: Offer,
) -> Result<Submitted, Error> {
	submit_request(conn, signer, program, inputs, Pricing::Offer(offer), 0).await
}

/// `market.cancel_request`; returns the refund.
pub async fn cancel_request(
	conn: &Conn,
	signer: &Keypair,
	id: RequestId,
) -> Result<Balance, Error> {
	let call = zk::transactions().market().cancel_request(id);
	let events = submit(conn, &call, signer).await?;
	let ev = events
		.find_first::<zk::market::events::RequestCancelled>()
		.ok_or_else(|| Error::other("no RequestCancelled event"))??;
	Ok(ev.refund)
}

/// `market.lock_request` (a prover locks an offer); returns `(price, collateral)`.
pub async fn lock_request(
	conn: &Conn,
	signer: &Keypair,
	id: RequestId,
) -> Result<(Balance, Balance), Error> {
	let call = zk::transactions().market().lock_request(id);
	let events = submit(conn, &call, signer).await?;
	let ev = events
		.find_first::<zk::market::events::RequestLocked>()
		.ok_or_else(|| Error::other("no RequestLocked event"))??;
	Ok((ev.price, ev.collateral))
}

/// `verifier.submit_proof` (a prover submits a proof for `id`).
pub async fn submit_proof(
	conn: &Conn,
	signer: &Keypair,
	id: RequestId,
	proof: Vec<u8>,
) -> Result<ExtrinsicEvents<ZkConfig>, Error> {
	let call = zk::transactions()
		.verifier()
		.submit_proof(id, zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(proof));
	submit(conn, &call, signer).await
}

/// `verifier.register_program_of_kind` with the key as the kind writes it
/// (gnark bytes for `Gnark`/`Sp1`, arkworks compressed otherwise); waits for
/// inclusion.
pub async fn register_program(
	conn: &Conn,
	signer: &Keypair,
	kind: ProgramKind,
	vk: Vec<u8>,
) -> Result<Registered, Error> {
	let call = zk::transactions().verifier().register_program_of_kind(
		Static(kind),
		zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(vk),
	);
	let events = submit(conn, &call, signer).await?;
	let ev = events
		.find_first::<zk::verifier::events::ProgramRegistered>()
		.ok_or_else(|| Error::other("no ProgramRegistered event"))??;
	Ok(Registered { id: ev.id, inputs: ev.inputs, deposit: ev.deposit })
}
