//! Configuration of every pallet in the runtime.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, Weight,
	},
	PalletId,
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{AccountIdConversion, One},
	Perbill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	System, EXISTENTIAL_DEPOSIT, VERSION,
};

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;

	/// 2 seconds of compute per block (a third of the 6 s production block time).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, 75% of it for normal transactions.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |m| *m = NORMAL_DISPATCH_RATIO * *m)
		.build();
	pub const SS58Prefix: u8 = 42;
	/// The treasury/pot: receives slashed and decayed stake, holds the undistributed supply.
	pub const TreasuryPalletId: PalletId = PalletId(*b"zk/trsry");
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDb.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl crate::block_time::Config for Runtime {}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = crate::block_time::SlotDuration<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = crate::Aura;
	type MinimumPeriod = crate::block_time::MinimumPeriod<Runtime>;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are burned (they leave total issuance).
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	/// 10^6 base units per unit of ref-time weight: a transfer costs about 0.0002 ZK.
	type WeightToFee = ConstantMultiplier<Balance, ConstU128<1_000_000>>;
	/// 10^12 base units (10^-6 ZK) per byte.
	type LengthToFee = ConstantMultiplier<Balance, ConstU128<1_000_000_000_000>>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

// ---------------------------------------------------------------------------
// The prover market.
// ---------------------------------------------------------------------------

use crate::{BaseFee, Market, Provers, Timestamp, Verifier, DAYS, MILLI_ZK, ZK};
use frame_support::traits::tokens::imbalance::ResolveTo;

parameter_types! {
	pub const IdleDecay: Perbill = Perbill::from_percent(1);
	pub const InvalidProofSlash: Perbill = Perbill::from_percent(10);
	pub const MissedDeadlineSlash: Perbill = Perbill::from_percent(5);
	pub const InitialReputation: Perbill = Perbill::from_percent(50);
	pub const ReputationGain: Perbill = Perbill::from_percent(5);
	pub const ReputationLoss: Perbill = Perbill::from_percent(20);
	pub const MinReputation: Perbill = Perbill::from_percent(10);
	pub const TargetUtilization: Perbill = Perbill::from_percent(50);
	pub const BountyFraction: Perbill = Perbill::from_percent(25);
	/// Verdicts outrank every transaction (see `crate::priority`).
	pub const VerdictPriority: u64 = crate::priority::VERDICT_PRIORITY;
}

/// Most registered provers. The clearing reads only the provers it deals slots
/// to (`pallet_provers::SlotIndex`), so this bounds storage, not block work.
pub const MAX_PROVERS: u32 = 10_000;
/// Unfinished jobs (and pending proofs) one prover may hold.
pub const MAX_JOBS_PER_PROVER: u32 = 4;
/// Auction assignments a block.
pub const MAX_ASSIGNMENTS_PER_BLOCK: u32 = 64;
/// Proofs in one block's verification list (`ProofsByBlock`); a proof that finds
/// the list full goes to the next block's.
pub const MAX_PROOFS_PER_BLOCK: u32 = 256;
/// Proofs of open offers and bounties one block takes: with a block of
/// assignments they fill one list.
pub const MAX_OPEN_PROOFS_PER_BLOCK: u32 = MAX_PROOFS_PER_BLOCK - MAX_ASSIGNMENTS_PER_BLOCK;
/// Verdicts in one batch: a whole list, so every verifier votes on a block's
/// proofs in one transaction of the next block.
pub const MAX_VERDICTS_PER_TX: u32 = MAX_PROOFS_PER_BLOCK;
/// Longest proof accepted (the verifier) and kept after settlement (the market).
pub const MAX_PROOF_LEN: u32 = 512;

/// The verification benchmark's bounds (`zkmarket-node verify-bench`, in the
/// benchmarking runtime only): the verifier's own limits on keys, inputs and
/// proofs, checked before any parsing.
pub const BENCH_LIMITS: zkmarket_groth16_host::bench::Limits =
	zkmarket_groth16_host::bench::Limits {
		max_vk_len: MAX_VK_LEN as usize,
		max_inputs: MAX_PUBLIC_INPUTS as usize + 1,
		max_proof_len: MAX_PROOF_LEN as usize,
	};
/// Longest verifying key in bytes.
pub const MAX_VK_LEN: u32 = 4_096;
/// Most public inputs of a request (the binding aside).
pub const MAX_PUBLIC_INPUTS: u32 = 16;
const _: () =
	assert!(MAX_OPEN_PROOFS_PER_BLOCK + MAX_ASSIGNMENTS_PER_BLOCK <= MAX_PROOFS_PER_BLOCK);
const _: () = assert!(MAX_VERDICTS_PER_TX >= MAX_PROOFS_PER_BLOCK);

/// Programs one prover may declare.
pub const MAX_CAPABILITY_PROGRAMS: u32 = 16;

/// Kinds a prover may declare whole: SP1 (3) and RISC Zero (4), whose provers
/// prove any guest program. Programs of the circuit kinds (arkworks, snarkjs,
/// gnark) are declared one by one.
pub struct ZkvmKinds;
impl frame_support::traits::Contains<u8> for ZkvmKinds {
	fn contains(kind: &u8) -> bool {
		matches!(kind, 3 | 4)
	}
}

impl pallet_provers::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Slashed and decayed stake goes to the treasury (total issuance unchanged).
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	type MinProverStake = ConstU128<{ 32 * ZK }>;
	type UnbondingPeriod = ConstU32<{ 7 * DAYS }>;
	type IdlePeriod = ConstU32<DAYS>;
	type IdleDecay = IdleDecay;
	type InvalidProofSlash = InvalidProofSlash;
	type MissedDeadlineSlash = MissedDeadlineSlash;
	type InitialReputation = InitialReputation;
	type ReputationGain = ReputationGain;
	type ReputationLoss = ReputationLoss;
	type MinReputation = MinReputation;
	type MaxJobsPerProver = ConstU32<MAX_JOBS_PER_PROVER>;
	type MaxProvers = ConstU32<MAX_PROVERS>;
	type MaxUnbondingChunks = ConstU32<16>;
	/// Each declared program is an index entry rewritten when the prover's
	/// rank changes: 16 programs and the zkVM kinds bound that.
	type MaxCapabilityPrograms = ConstU32<MAX_CAPABILITY_PROGRAMS>;
	type MaxCapabilityKinds = ConstU32<2>;
	type ServableKinds = ZkvmKinds;
	type DecaySweepLimit = ConstU32<16>;
	type WeightInfo = pallet_provers::weights::SubstrateWeight<Runtime>;
}

impl pallet_base_fee::Config for Runtime {
	type Balance = Balance;
	/// 0.001 ZK.
	type DefaultBaseFee = ConstU128<MILLI_ZK>;
	/// 10^-9 ZK.
	type MinBaseFee = ConstU128<1_000_000_000>;
	type MaxBaseFee = ConstU128<{ 1_000 * ZK }>;
	type TargetUtilization = TargetUtilization;
	type MaxChangeDenominator = ConstU32<8>;
	type WeightInfo = pallet_base_fee::weights::SubstrateWeight<Runtime>;
}

impl pallet_market::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Provers = Provers;
	type BaseFee = BaseFee;
	type Programs = Verifier;
	type UnixTime = Timestamp;
	type MaxPublicInputs = ConstU32<MAX_PUBLIC_INPUTS>;
	type MaxQueueLength = ConstU32<2_048>;
	/// The clearing considers every queued bid (in rank order).
	type MaxBidsPerBlock = ConstU32<2_048>;
	/// 0.001 ZK (the default BaseFee): 2,048 junk bids hold at least 2 ZK.
	type MinEscrow = ConstU128<MILLI_ZK>;
	type MaxAssignmentsPerBlock = ConstU32<MAX_ASSIGNMENTS_PER_BLOCK>;
	type ProofDeadline = ConstU32<50>;
	type MaxRequestLifetime = ConstU32<DAYS>;
	type MaxOpenRequestsPerAccount = ConstU32<512>;
	type MaxDeadlinesPerSlot = ConstU32<512>;
	/// 32 a second; a block applies 256, i.e. 8 full seconds (blocks are 2-6 s).
	type MaxOfferDeadlinesPerSecond = ConstU32<32>;
	type BountyFraction = BountyFraction;
	type MinLockCollateral = ConstU128<{ 10 * MILLI_ZK }>;
	type MaxLockCollateral = ConstU128<{ 10_000 * ZK }>;
	/// 7 days.
	type MaxOfferDuration = ConstU64<604_800>;
	/// An offer may start up to a minute before the chain's clock.
	type MaxOfferStartSkew = ConstU64<60>;
	type MaxOfferSecondsPerBlock = ConstU32<120>;
	type MaxOfferDeadlinesPerBlock = ConstU32<256>;
	/// Closed requests stay readable for a day (of 6 s blocks), then are pruned.
	type ClosedRetention = ConstU32<DAYS>;
	type MaxPrunePerBlock = ConstU32<1_024>;
	/// A settled request's proof is kept beside it for the same day.
	type MaxProofLen = ConstU32<MAX_PROOF_LEN>;
	/// Three provers declining a request close it as unprovable.
	type MaxDeclines = ConstU32<3>;
	type MaxExcludedProvers = ConstU32<8>;
	/// Declines are free in the first half of the proof window.
	type FreeDeclinePeriod = ConstU32<25>;
	/// 64 assignments plus the busy, excluded and decayed provers walked past.
	type MaxCandidateReads = ConstU32<512>;
	/// Retry fees are burned (SPEC 8), like transaction fees.
	type RetryFees = ();
	type WeightInfo = pallet_market::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::MarketBenchmarkHelper;
}

impl pallet_verifier::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Market = Market;
	type MaxVkLen = ConstU32<MAX_VK_LEN>;
	type MaxProofLen = ConstU32<MAX_PROOF_LEN>;
	type MaxPublicInputs = ConstU32<MAX_PUBLIC_INPUTS>;
	type MaxProofsPerBlock = ConstU32<MAX_PROOFS_PER_BLOCK>;
	type MaxOpenProofsPerBlock = ConstU32<MAX_OPEN_PROOFS_PER_BLOCK>;
	type MaxVerdictsPerTx = ConstU32<MAX_VERDICTS_PER_TX>;
	type MaxVerifiers = ConstU32<MAX_VALIDATORS>;
	type VerificationTimeout = ConstU32<50>;
	/// Three rounds of 50 blocks before a proof without verdicts gives its
	/// request back to the market.
	type VerificationRounds = ConstU32<3>;
	type ProgramDepositBase = ConstU128<ZK>;
	type ProgramDepositPerByte = ConstU128<MILLI_ZK>;
	type UnsignedPriority = VerdictPriority;
	type WeightInfo = pallet_verifier::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::MarketBenchmarkHelper;
}

/// Most validators: the Aura and GRANDPA authority bounds, and the verifier set's.
pub const MAX_VALIDATORS: u32 = 32;

impl pallet_validator_set::Config for Runtime {
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type ValidatorRegistration = crate::Session;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	/// GRANDPA and Aura need one; the chain stops without.
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::ValidatorSetBenchmarkHelper;
}

/// Sessions end every `SessionLength` blocks (the validator set pallet's
/// genesis value: 10 blocks on the development and local chains).
pub struct SessionEnds;
impl pallet_session::ShouldEndSession<BlockNumber> for SessionEnds {
	fn should_end_session(now: BlockNumber) -> bool {
		pallet_validator_set::Sessions::<Runtime>::should_end(now)
	}
}

/// The session manager: the validator set pallet plans each session's set.
pub struct ValidatorSetSessions;
impl pallet_session::SessionManager<AccountId> for ValidatorSetSessions {
	fn new_session(new_index: u32) -> Option<alloc::vec::Vec<AccountId>> {
		crate::ValidatorSet::new_session(new_index)
	}
	fn new_session_genesis(new_index: u32) -> Option<alloc::vec::Vec<AccountId>> {
		crate::ValidatorSet::new_session_genesis(new_index)
	}
	fn end_session(_end_index: u32) {}
	fn start_session(_start_index: u32) {}
}

parameter_types! {
	/// Held from an account while it has session keys (their storage).
	pub const SessionKeyDeposit: Balance = ZK;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = SessionEnds;
	type NextSessionRotation = pallet_validator_set::Sessions<Runtime>;
	type SessionManager = ValidatorSetSessions;
	type SessionHandler =
		<crate::SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = crate::SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = crate::UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<LocalCall> frame_system::offchain::CreateBare<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_bare(call: RuntimeCall) -> crate::UncheckedExtrinsic {
		crate::UncheckedExtrinsic::new_bare(call)
	}
}
