//! Mock runtime for the provers pallet: balances with holds, a treasury account
//! receiving slashes, short periods.
use crate as pallet_provers;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64, Hooks},
};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

/// One ZK in base units.
pub const ZK: Balance = 1_000_000_000_000_000_000;
/// The treasury account receiving slashed and decayed funds.
pub const TREASURY: AccountId = 999;
/// Idle period of the mock (blocks).
pub const IDLE: u64 = 100;
/// Unbonding period of the mock (blocks).
pub const UNBONDING: u64 = 10;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Provers: pallet_provers,
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

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const SweepLimit: u32 = 2;
	/// Registry size; tests of scale raise it.
	pub storage MaxProvers: u32 = 10;
}

impl pallet_provers::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Slash = ResolveTo<Treasury, Balances>;
	type MinProverStake = ConstU128<{ 32 * ZK }>;
	type UnbondingPeriod = ConstU64<UNBONDING>;
	type IdlePeriod = ConstU64<IDLE>;
	type IdleDecay = IdleDecay;
	type InvalidProofSlash = InvalidProofSlash;
	type MissedDeadlineSlash = MissedDeadlineSlash;
	type InitialReputation = InitialReputation;
	type ReputationGain = ReputationGain;
	type ReputationLoss = ReputationLoss;
	type MinReputation = MinReputation;
	type MaxJobsPerProver = ConstU32<2>;
	type MaxProvers = MaxProvers;
	type MaxUnbondingChunks = ConstU32<3>;
	type MaxCapabilityPrograms = ConstU32<4>;
	type MaxCapabilityKinds = ConstU32<2>;
	type ServableKinds = ZkvmKinds;
	type DecaySweepLimit = SweepLimit;
	type WeightInfo = ();
}

/// Kinds 3 and 4 (SP1, RISC Zero) may be declared whole.
pub struct ZkvmKinds;
impl frame_support::traits::Contains<u8> for ZkvmKinds {
	fn contains(k: &u8) -> bool {
		matches!(k, 3 | 4)
	}
}

parameter_types! {
	pub const IdleDecay: Perbill = Perbill::from_percent(1);
	pub const InvalidProofSlash: Perbill = Perbill::from_percent(10);
	pub const MissedDeadlineSlash: Perbill = Perbill::from_percent(5);
	pub const InitialReputation: Perbill = Perbill::from_percent(50);
	pub const ReputationGain: Perbill = Perbill::from_percent(5);
	pub const ReputationLoss: Perbill = Perbill::from_percent(20);
	pub const MinReputation: Perbill = Perbill::from_percent(10);
}

/// Accounts 1..=8 hold 1000 ZK each; the treasury 1 ZK.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=8).map(|a| (a, 1000 * ZK)).collect();
	balances.push((TREASURY, ZK));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut t)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `f` in a fresh externality and checks the pallet's invariants afterwards.
pub fn test<R>(f: impl FnOnce() -> R) -> R {
	new_test_ext().execute_with(|| {
		let r = f();
		Provers::do_try_state().expect("try_state invariants hold");
		r
	})
}

/// Advances to block `n`, running the pallet's `on_initialize` each block.
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Provers::on_initialize(next);
		Provers::do_try_state().expect("try_state invariants hold");
	}
}
