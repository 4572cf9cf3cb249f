//! The zkmarket runtime: a FRAME runtime whose pallets form a market for
//! zero-knowledge proofs (prover staking, a GSP auction with an EIP-1559-style
//! BaseFee, reverse Dutch offers and off-chain-worker proof verification).
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand to large items.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod block_time;
pub mod configs;
pub mod genesis_config_presets;
pub mod priority;

extern crate alloc;

use alloc::vec::Vec;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, used by the node without knowing the runtime's concrete extrinsic type.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: block production, finality and proof verdicts.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
		pub verifier: Verifier,
	}
}

/// Runtime version.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("zkmarket"),
	impl_name: alloc::borrow::Cow::Borrowed("zkmarket-node"),
	authoring_version: 1,
	spec_version: 102,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Production block time in milliseconds (the `local` preset). The `development`
/// preset uses [`DEV_BLOCK_TIME_MS`]; see [`block_time`].
pub const MILLI_SECS_PER_BLOCK: u64 = block_time::pallet::DEFAULT_BLOCK_TIME_MS;
/// Block time of the development chain in milliseconds.
pub const DEV_BLOCK_TIME_MS: u64 = 2_000;

/// Blocks per minute at the production block time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour at the production block time.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day at the production block time.
pub const DAYS: BlockNumber = HOURS * 24;

/// Number of decimals of the native token.
pub const TOKEN_DECIMALS: u8 = 18;
/// Symbol of the native token.
pub const TOKEN_SYMBOL: &str = "ZK";
/// SS58 address format (generic Substrate).
pub const SS58_FORMAT: u16 = 42;
/// One ZK in base units (10^18).
pub const ZK: Balance = 1_000_000_000_000_000_000;
/// One thousandth of a ZK.
pub const MILLI_ZK: Balance = ZK / 1_000;
/// One millionth of a ZK.
pub const MICRO_ZK: Balance = ZK / 1_000_000;
/// Total issuance at genesis: 21,000,000,000 ZK.
pub const TOTAL_ISSUANCE: Balance = 21_000_000_000 * ZK;
/// Existential deposit: 0.001 ZK.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_ZK;

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;
/// An account id: the public key of the transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account.
pub type Balance = u128;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// An index to a block.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions checked for every transaction.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	// `ChargeTransactionPayment` with the priority bands of `priority`.
	priority::PrioritizedPayment,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations of the runtime, aside from the ones declared in the pallets:
/// each runs once, when its pallet's on-chain storage version is its `From`
/// (a noop on chains that already ran it, and on new chains, which start at
/// the current versions).
type Migrations = (
	pallet_verifier::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_market::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_validator_set::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type BlockTime = crate::block_time;

	// Before Session: its genesis asks the validator set for the first sessions.
	#[runtime::pallet_index(8)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(9)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(10)]
	pub type Provers = pallet_provers;

	#[runtime::pallet_index(11)]
	pub type BaseFee = pallet_base_fee;

	#[runtime::pallet_index(12)]
	pub type Market = pallet_market;

	#[runtime::pallet_index(13)]
	pub type Verifier = pallet_verifier;
}
