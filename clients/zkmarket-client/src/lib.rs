//! # zkmarket-client
//!
//! Rust client library of the zkmarket chain, on subxt 0.51 with types
//! generated from the runtime's V16 metadata (`metadata/zkmarket.scale`):
//!
//! - [`zk`]: the generated API (`zk::transactions()`, `zk::storage()`,
//!   `zk::runtime_apis()`, events, runtime types);
//! - [`ZkConfig`], [`Client`], [`Conn`], [`connect`] (fail fast) and
//!   [`connect_reconnecting`] (bounded exponential backoff);
//! - [`keys`]: sr25519 signers from a secret URI, seed phrase, hex seed or key
//!   file; SS58 accounts;
//! - [`amount`]: ZK amounts (18 decimals) parsed and formatted;
//! - [`groth16`]: off-chain verification exactly as the chain does it;
//! - [`market`]: typed reads (requests, proofs, programs, provers, BaseFee,
//!   quotes) and transactions that wait for inclusion in a block, with
//!   dispatch errors mapped to [`Error::Dispatch`];
//! - [`Error`] with [`Error::exit_code`] (table in [`error`]).
//!
//! The client depends on no runtime or pallet crate: everything on-chain is
//! typed from the metadata. [`Conn::check_metadata`] (run by [`connect`])
//! refuses a node whose runtime differs from the one the code was generated for.

pub mod amount;
pub mod error;
pub mod groth16;
pub mod keys;
pub mod market;

pub use error::Error;
pub use subxt;
pub use subxt_signer;
pub use zkmarket_groth16_formats::{self as formats, ProgramKind};

use std::time::Duration;
use subxt::{
	backend::BlockRef,
	config::{Config, DefaultTransactionExtensions, HashFor, RpcConfigFor},
	rpcs::{
		client::{reconnecting_rpc_client::ExponentialBackoff, ReconnectingRpcClient},
		methods::LegacyRpcMethods,
		RpcClient,
	},
	ArcMetadata, OnlineClient, SubstrateConfig,
};

/// The API generated from the runtime's metadata.
#[subxt::subxt(runtime_metadata_path = "metadata/zkmarket.scale")]
pub mod zk {}

/// The chain's configuration: like `SubstrateConfig` but with the runtime's
/// address type `MultiAddress<AccountId32, ()>` (no account indices).
#[derive(Debug, Clone, Default)]
pub struct ZkConfig(SubstrateConfig);

impl Config for ZkConfig {
	type AccountId = <SubstrateConfig as Config>::AccountId;
	type Signature = <SubstrateConfig as Config>::Signature;
	type Hasher = <SubstrateConfig as Config>::Hasher;
	type Header = <SubstrateConfig as Config>::Header;
	type AssetId = <SubstrateConfig as Config>::AssetId;
	type Address = subxt::utils::MultiAddress<Self::AccountId, ()>;
	type TransactionExtensions = DefaultTransactionExtensions<Self>;

	fn genesis_hash(&self) -> Option<HashFor<Self>> {
		self.0.genesis_hash()
	}
	fn spec_and_transaction_version_for_block_number(&self, n: u64) -> Option<(u32, u32)> {
		self.0.spec_and_transaction_version_for_block_number(n)
	}
	fn metadata_for_spec_version(&self, v: u32) -> Option<ArcMetadata> {
		self.0.metadata_for_spec_version(v)
	}
	fn set_metadata_for_spec_version(&self, v: u32, m: ArcMetadata) {
		self.0.set_metadata_for_spec_version(v, m)
	}
}

/// The online client.
pub type Client = OnlineClient<ZkConfig>;
/// A client at one block: reads storage, runtime APIs and events of that block.
pub type AtBlock = subxt::client::OnlineClientAtBlock<ZkConfig>;
/// A block hash.
pub type Hash = HashFor<ZkConfig>;
/// An account.
pub type AccountId = subxt::utils::AccountId32;
/// Legacy RPC methods (`chain_*`, `state_*`, `system_*`) on our config.
pub type LegacyRpc = LegacyRpcMethods<RpcConfigFor<ZkConfig>>;

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
	let unreachable = |reason: String| Error::Unreachable { url: url.to_string(), reason };
	let rpc = tokio::time::timeout(CONNECT_TIMEOUT, RpcClient::from_insecure_url(url))
		.await
		.map_err(|_| unreachable(format!("no connection after {CONNECT_TIMEOUT:?}")))?
		.map_err(|e| unreachable(innermost(&e.to_string())))?;
	finish_connect(url, rpc).await
}

/// Connects with a reconnecting transport: after a lost connection it retries
/// with exponential backoff (200 ms doubling up to [`MAX_RECONNECT_DELAY`]) and
/// subscriptions resume (block streams yield one
/// `DisconnectedWillReconnect` error, see [`Error::Unreachable`]); the first
/// connection must succeed within [`CONNECT_TIMEOUT`]. Checks the metadata.
pub async fn connect_reconnecting(url: &str) -> Result<Conn, Error> {
	let unreachable = |reason: String| Error::Unreachable { url: url.to_string(), reason };
	let builder = ReconnectingRpcClient::builder()
		// 200 ms, 400 ms, 800 ms, ... (finito's base is raised to the attempt's
		// power, then multiplied by the factor), at most MAX_RECONNECT_DELAY.
		.retry_policy(
			ExponentialBackoff::from_millis(2).factor(100).max_delay(MAX_RECONNECT_DELAY),
		)
		.connection_timeout(CONNECT_TIMEOUT);
	let inner = tokio::time::timeout(CONNECT_TIMEOUT, builder.build(url))
		.await
		.map_err(|_| unreachable(format!("no connection after {CONNECT_TIMEOUT:?}")))?
		.map_err(|e| unreachable(innermost(&e.to_string())))?;
	finish_connect(url, RpcClient::new(inner)).await
}

/// The last part of a nested error message ("RPC error: client error: ... : X" -> "X").
fn innermost(msg: &str) -> String {
	match msg.rfind("client error: ") {
		Some(i) => msg[i + "client error: ".len()..].to_string(),
		None => msg.to_string(),
	}
}

async fn finish_connect(url: &str, rpc: RpcClient) -> Result<Conn, Error> {
	let api = tokio::time::timeout(CONNECT_TIMEOUT, Client::from_rpc_client(rpc.clone()))
		.await
		.map_err(|_| Error::Unreachable {
			url: url.to_string(),
			reason: format!("no answer after {CONNECT_TIMEOUT:?}"),
		})?
		.map_err(|e| match Error::from(e) {
			Error::Unreachable { reason, .. } => Error::Unreachable { url: url.into(), reason },
			e => e,
		})?;
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
