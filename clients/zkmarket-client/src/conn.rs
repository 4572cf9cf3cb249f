//! The connection: [`connect`] (fail fast), [`connect_reconnecting`]
//! (bounded exponential backoff), and the client at a block ([`Conn::best`],
//! [`Conn::finalized`], [`Conn::at`]).

use crate::{zk, AtBlock, Client, Error, Hash, LegacyRpc};
use std::time::Duration;
use subxt::{
	backend::BlockRef,
	rpcs::{
		client::{reconnecting_rpc_client::ExponentialBackoff, ReconnectingRpcClient},
		methods::LegacyRpcMethods,
		RpcClient,
	},
};

/// How long [`connect`] and the first connection of [`connect_reconnecting`] may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest delay between two reconnection attempts of [`connect_reconnecting`].
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// A connection: the subxt client and the raw RPC client (for `market_*`).
#[derive(Clone)]
pub struct Conn {
	/// The subxt client.
	pub api: Client,
	/// The RPC client the subxt client uses (same connection).
	pub rpc: RpcClient,
}

/// Connects without retries: an unreachable node fails at once (or after
/// [`CONNECT_TIMEOUT`]) with [`Error::Unreachable`]. Checks the metadata.
pub async fn connect(url: &str) -> Result<Conn, Error> {
	let rpc = tokio::time::timeout(CONNECT_TIMEOUT, RpcClient::from_insecure_url(url))
		.await
		.map_err(|_| Error::unreachable(url, format!("no connection after {CONNECT_TIMEOUT:?}")))?
		.map_err(|e| unreachable_because(url, e))?;
	finish_connect(url, rpc).await
}

/// Connects with a reconnecting transport: after a lost connection it retries
/// with exponential backoff (200 ms doubling up to [`MAX_RECONNECT_DELAY`]) and
/// subscriptions resume (block streams yield one
/// `DisconnectedWillReconnect` error, see [`Error::Unreachable`]); the first
/// connection must succeed within [`CONNECT_TIMEOUT`]. Checks the metadata.
pub async fn connect_reconnecting(url: &str) -> Result<Conn, Error> {
	let builder = ReconnectingRpcClient::builder()
		// 200 ms, 400 ms, 800 ms, ... (finito's base is raised to the attempt's
		// power, then multiplied by the factor), at most MAX_RECONNECT_DELAY.
		.retry_policy(
			ExponentialBackoff::from_millis(2).factor(100).max_delay(MAX_RECONNECT_DELAY),
		)
		.connection_timeout(CONNECT_TIMEOUT);
	let inner = tokio::time::timeout(CONNECT_TIMEOUT, builder.build(url))
		.await
		.map_err(|_| Error::unreachable(url, format!("no connection after {CONNECT_TIMEOUT:?}")))?
		.map_err(|e| unreachable_because(url, e))?;
	finish_connect(url, RpcClient::new(inner)).await
}

/// [`Error::Unreachable`] for a failed connection: the reason is the
/// innermost error of `e`'s source chain (the transport's own words, e.g.
/// "Connection refused (os error 111)"), and `e` is kept as the source.
fn unreachable_because<E: std::error::Error + Send + Sync + 'static>(url: &str, e: E) -> Error {
	let mut innermost: &dyn std::error::Error = &e;
	while let Some(next) = innermost.source() {
		innermost = next;
	}
	Error::Unreachable {
		url: url.to_string(),
		reason: innermost.to_string(),
		source: Some(Box::new(e)),
	}
}

async fn finish_connect(url: &str, rpc: RpcClient) -> Result<Conn, Error> {
	let api = tokio::time::timeout(CONNECT_TIMEOUT, Client::from_rpc_client(rpc.clone()))
		.await
		.map_err(|_| Error::unreachable(url, format!("no answer after {CONNECT_TIMEOUT:?}")))?
		.map_err(|e| Error::from(e).at(url))?;
	let conn = Conn { api, rpc };
	conn.check_metadata().await?;
	Ok(conn)
}

impl Conn {
	/// Legacy RPC methods on this connection.
	pub fn legacy(&self) -> LegacyRpc {
		LegacyRpcMethods::new(self.rpc.clone())
	}

	/// Errors with [`Error::MetadataMismatch`] unless the code was generated for
	/// the runtime of the finalized block.
	pub async fn check_metadata(&self) -> Result<(), Error> {
		let at = self.api.at_current_block().await?;
		check_metadata_at(&at)
	}

	/// The client at the best block (`at_current_block()` is the finalized one).
	pub async fn best(&self) -> Result<AtBlock, Error> {
		let hash = self
			.legacy()
			.chain_get_block_hash(None)
			.await?
			.ok_or_else(|| Error::other("the node has no best block"))?;
		Ok(self.api.at_block(BlockRef::from_hash(hash)).await?)
	}

	/// The client at the finalized block.
	pub async fn finalized(&self) -> Result<AtBlock, Error> {
		Ok(self.api.at_current_block().await?)
	}

	/// The client at block `hash`.
	pub async fn at(&self, hash: Hash) -> Result<AtBlock, Error> {
		Ok(self.api.at_block(BlockRef::from_hash(hash)).await?)
	}

	/// The client at the block `at` selects.
	pub async fn block(&self, at: At) -> Result<AtBlock, Error> {
		match at {
			At::Best => self.best().await,
			At::Finalized => self.finalized().await,
			At::Hash(h) => self.at(h).await,
		}
	}
}

/// [`Conn::check_metadata`] at a given block (after a runtime upgrade, check
/// again at a block of the new runtime).
pub fn check_metadata_at(at: &AtBlock) -> Result<(), Error> {
	if zk::is_codegen_valid_for(at.metadata_ref()) {
		Ok(())
	} else {
		Err(Error::MetadataMismatch(format!(
			"this client was built for another runtime than the node's at block #{} \
			 (the pallets, calls or runtime APIs it uses differ); rebuild it with the \
			 node's metadata (clients/zkmarket-client/metadata/zkmarket.scale)",
			at.block_number()
		)))
	}
}

/// Which block to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum At {
	/// The best block (what the `market_*` RPCs default to).
	#[default]
	Best,
	/// The finalized block.
	Finalized,
	/// A given block.
	Hash(Hash),
}
