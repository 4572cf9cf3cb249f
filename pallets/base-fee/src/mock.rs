//! Mock runtime for the BaseFee pallet.
use crate as pallet_base_fee;
use frame_support::{derive_impl, parameter_types, traits::ConstU128};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		BaseFee: pallet_base_fee,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

parameter_types! {
	pub const Target: Perbill = Perbill::from_percent(50);
	pub const Denominator: u32 = 8;
}

impl pallet_base_fee::Config for Test {
	type Balance = u128;
	type DefaultBaseFee = ConstU128<1000>;
	type MinBaseFee = ConstU128<100>;
	type MaxBaseFee = ConstU128<1_000_000>;
	type TargetUtilization = Target;
	type MaxChangeDenominator = Denominator;
	type WeightInfo = ();
}

/// Externalities with the default BaseFee (1000) and block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
