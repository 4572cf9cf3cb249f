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
//! - the market, by concern: [`types`] (requests, pricing, provers,
//!   programs), [`reads`] (storage and runtime APIs at a block), [`rpc`] (the
//!   node's `market_*` methods), [`events`] (request events of a block) and
//!   [`tx`] (transactions that wait for inclusion in a block, with dispatch
//!   errors mapped to [`Error::Dispatch`]); [`market`] re-exports them all;
//! - for provers: [`sender`] (transactions with explicit nonces, several in
//!   flight from one account), [`calls`], [`consts`] (runtime constants and
//!   the block time), [`paging`] (every open request, page by page);
//! - [`Error`] with [`Error::exit_code`] (table in [`error`]).
//!
//! The client depends on no runtime or pallet crate: everything on-chain is
//! typed from the metadata. [`Conn::check_metadata`] (run by [`connect`])
//! refuses a node whose runtime differs from the one the code was generated for.

pub mod amount;
pub mod calls;
pub mod conn;
pub mod consts;
pub mod error;
pub mod events;
pub mod groth16;
pub mod keys;
pub mod market;
pub mod paging;
pub mod reads;
pub mod rpc;
pub mod sender;
pub mod tx;
pub mod types;

pub use conn::{
	check_metadata_at, connect, connect_reconnecting, At, Conn, CONNECT_TIMEOUT,
	MAX_RECONNECT_DELAY,
};
pub use error::Error;
pub use subxt;
pub use subxt_signer;
pub use zkmarket_groth16_formats::{self as formats, ProgramKind};

use subxt::{
	config::{Config, DefaultTransactionExtensions, HashFor, RpcConfigFor},
	rpcs::methods::LegacyRpcMethods,
	ArcMetadata, OnlineClient, SubstrateConfig,
};

/// The API generated from the runtime's metadata. Program kinds are the
/// primitive's own [`ProgramKind`] (SCALE-identical), not a generated copy.
#[subxt::subxt(
	runtime_metadata_path = "metadata/zkmarket.scale",
	substitute_type(
		path = "zkmarket_groth16_formats::kind::ProgramKind",
		with = "::subxt::utils::Static<::zkmarket_groth16_formats::ProgramKind>"
	)
)]
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
