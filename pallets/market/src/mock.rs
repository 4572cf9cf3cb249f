//! Mock runtime for the market pallet: the real provers and BaseFee pallets,
//! balances with holds, timestamp, and a table of programs.
use crate as pallet_market;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64, Hooks},
};
use sp_runtime::{BuildStorage, Perbill};
use zkmarket_primitives::traits::{ProgramId, ProgramRegistry};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

/// One ZK in base units.
pub const ZK: Balance = 1_000_000_000_000_000_000;
/// Treasury account receiving slashes.
pub const TREASURY: AccountId = 999;
/// Block time of the mock in milliseconds.
pub const BLOCK_MS: u64 = 6_000;
/// Blocks an assigned prover has to prove.
pub const DEADLINE: u64 = 5;
/// Blocks after an assignment in which a decline is free.
pub const FREE_DECLINE: u64 = 2;
/// A registered program with one public input.
pub const PROGRAM: ProgramId = [1u8; 32];

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Timestamp: pallet_timestamp,
		Provers: pallet_provers,
		BaseFee: pallet_base_fee,
		Market: pallet_market,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1_000_000_000_000_000>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const IdleDecay: Perbill = Perbill::from_percent(1);
	pub const InvalidProofSlash: Perbill = Perbill::from_percent(10);
	pub const MissedDeadlineSlash: Perbill = Perbill::from_percent(5);
	pub const InitialReputation: Perbill = Perbill::from_percent(50);
	pub const ReputationGain: Perbill = Perbill::from_percent(5);
	pub const ReputationLoss: Perbill = Perbill::from_percent(20);
	pub const MinReputation: Perbill = Perbill::from_percent(10);
	pub const Target: Perbill = Perbill::from_percent(50);
	pub const Bounty: Perbill = Perbill::from_percent(25);
	pub static JobsPerProver: u32 = 1;
	pub static QueueLength: u32 = 20;
	pub static BidsPerBlock: u32 = 20;
	pub static AssignmentsPerBlock: u32 = 4;
	pub static OpenPerAccount: u32 = 6;
	pub static DeadlinesPerSlot: u32 = 8;
	pub static OfferDeadlinesPerBlock: u32 = 8;
	pub static PrunePerBlock: u32 = 64;
}

/// Every kind may be declared whole in the mock (the test programs' kinds
/// are 0, bound, and 3, unbound).
pub struct AnyKind;
impl frame_support::traits::Contains<u8> for AnyKind {
	fn contains(_: &u8) -> bool {
		true
	}
}

impl pallet_provers::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Slash = ResolveTo<Treasury, Balances>;
	type MinProverStake = ConstU128<{ 32 * ZK }>;
	type UnbondingPeriod = ConstU64<10>;
	type IdlePeriod = ConstU64<10_000>;
	type IdleDecay = IdleDecay;
	type InvalidProofSlash = InvalidProofSlash;
	type MissedDeadlineSlash = MissedDeadlineSlash;
	type InitialReputation = InitialReputation;
	type ReputationGain = ReputationGain;
	type ReputationLoss = ReputationLoss;
	type MinReputation = MinReputation;
	type MaxJobsPerProver = JobsPerProver;
	type MaxProvers = ConstU32<10_000>;
	type MaxUnbondingChunks = ConstU32<4>;
	type MaxCapabilityPrograms = ConstU32<4>;
	type MaxCapabilityKinds = ConstU32<2>;
	type ServableKinds = AnyKind;
	type DecaySweepLimit = ConstU32<4>;
	type WeightInfo = ();
}

impl pallet_base_fee::Config for Test {
	type Balance = Balance;
	type DefaultBaseFee = ConstU128<5>;
	type MinBaseFee = ConstU128<1>;
	type MaxBaseFee = ConstU128<{ 1_000 * ZK }>;
	type TargetUtilization = Target;
	type MaxChangeDenominator = ConstU32<8>;
	type WeightInfo = ();
}

/// Programs `[n; 32]` for `n` in 1..=8 take `n` public inputs; `[n + 100; 32]`
/// is the same but unbound (like SP1 and RISC Zero programs), and refuses
/// inputs whose first byte is zero (a restriction of its kind, as RISC Zero's
/// digest halves must be below 2^128).
pub struct Programs;
impl ProgramRegistry for Programs {
	fn public_inputs(p: &ProgramId) -> Option<u32> {
		let n = p[0] % 100;
		(p.iter().all(|b| *b == p[0]) && (1..=8).contains(&n) && p[0] <= 108).then_some(n as u32)
	}
	fn accepts_inputs(p: &ProgramId, inputs: &[zkmarket_primitives::traits::PublicInput]) -> bool {
		p[0] < 100 || inputs.iter().all(|i| i[0] != 0)
	}
	fn is_bound(p: &ProgramId) -> bool {
		Self::public_inputs(p).is_some() && p[0] < 100
	}
	fn kind(p: &ProgramId) -> Option<u8> {
		Self::public_inputs(p).map(|_| if p[0] < 100 { BOUND_KIND } else { UNBOUND_KIND })
	}
}

/// The kind of the bound test programs `[n; 32]`.
pub const BOUND_KIND: u8 = 0;
/// The kind of the unbound test programs `[n + 100; 32]`.
pub const UNBOUND_KIND: u8 = 3;

/// An unbound program taking `n` public inputs.
pub fn unbound_program(n: u8) -> ProgramId {
	[n + 100; 32]
}

impl pallet_market::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Provers = Provers;
	type BaseFee = BaseFee;
	type Programs = Programs;
	type UnixTime = Timestamp;
	type MaxPublicInputs = ConstU32<8>;
	type MaxQueueLength = QueueLength;
	type MaxBidsPerBlock = BidsPerBlock;
	type MaxAssignmentsPerBlock = AssignmentsPerBlock;
	type ProofDeadline = ConstU64<DEADLINE>;
	type MaxRequestLifetime = ConstU64<100>;
	type MaxOpenRequestsPerAccount = OpenPerAccount;
	type MaxDeadlinesPerSlot = DeadlinesPerSlot;
	type MaxOfferDeadlinesPerSecond = DeadlinesPerSlot;
	type MinEscrow = ConstU128<2>;
	type BountyFraction = Bounty;
	type MinLockCollateral = ConstU128<{ ZK / 100 }>;
	type MaxLockCollateral = ConstU128<{ 100 * ZK }>;
	type MaxOfferDuration = ConstU64<86_400>;
	type MaxOfferStartSkew = ConstU64<60>;
	type MaxOfferSecondsPerBlock = ConstU32<3_600>;
	type MaxOfferDeadlinesPerBlock = OfferDeadlinesPerBlock;
	type ClosedRetention = ConstU64<20>;
	type MaxPrunePerBlock = PrunePerBlock;
	type MaxProofLen = ConstU32<512>;
	type MaxDeclines = ConstU32<3>;
	type MaxExcludedProvers = ConstU32<5>;
	type FreeDeclinePeriod = ConstU64<FREE_DECLINE>;
	type MaxCandidateReads = ConstU32<64>;
	type RetryFees = ResolveTo<Treasury, Balances>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHelper;
}

/// Benchmark setup on the mock: real provers, the table of programs.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for BenchHelper {
	fn setup_prover(who: &AccountId) {
		use frame_support::traits::fungible::Mutate;
		Balances::set_balance(who, 10_000 * ZK);
		Provers::register(RuntimeOrigin::signed(*who), 1_000 * ZK).unwrap();
		serve_everything(*who);
	}
	fn setup_program() -> ProgramId {
		PROGRAM
	}
	fn advance_time(secs: u64) {
		pallet_timestamp::Now::<Test>::mutate(|t| *t += secs * 1000);
	}
	fn setup_programs(n: u32) -> Vec<ProgramId> {
		// The mock's programs of one input: PROGRAM and its unbound twin.
		(0..n).map(|i| if i % 2 == 0 { PROGRAM } else { unbound_program(1) }).collect()
	}
	fn serve(who: &AccountId, mut programs: Vec<ProgramId>) {
		programs.sort();
		programs.dedup();
		programs.truncate(4);
		Provers::set_capabilities(
			RuntimeOrigin::signed(*who),
			programs.try_into().unwrap(),
			Default::default(),
			JobsPerProver::get(),
		)
		.unwrap();
	}
}

/// Declares that `who` serves every test program (both test kinds whole) with
/// `MaxJobsPerProver` jobs.
pub fn serve_everything(who: AccountId) {
	Provers::set_capabilities(
		RuntimeOrigin::signed(who),
		Default::default(),
		vec![BOUND_KIND, UNBOUND_KIND].try_into().unwrap(),
		JobsPerProver::get(),
	)
	.unwrap();
}

/// Accounts 1..=20 hold 1000 ZK each, the treasury 1 ZK; block 1 at t = 6 s.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=20).map(|a| (a, 1000 * ZK)).collect();
	balances.push((TREASURY, ZK));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(BLOCK_MS);
	});
	ext
}

/// Runs `f` in fresh externalities; checks every pallet's invariants afterwards.
pub fn test<R>(f: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let r = f();
		check_invariants();
		r
	})
}

/// Invariants of the market, the provers and the BaseFee.
pub fn check_invariants() {
	Market::do_try_state().expect("market invariants");
	Provers::do_try_state().expect("prover invariants");
	BaseFee::do_try_state().expect("base fee invariants");
}

/// Finalizes the current block and starts the next one (6 s later).
pub fn next_block() {
	let n = System::block_number();
	Market::on_finalize(n);
	check_invariants();
	System::set_block_number(n + 1);
	Timestamp::set_timestamp((n + 1) * BLOCK_MS);
	Provers::on_initialize(n + 1);
	Market::on_initialize(n + 1);
}

/// Runs blocks until block `n` has started.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		next_block();
	}
}
