//! Mock runtime for the verifier pallet. The market is a small test double that
//! lets registered (request, prover) pairs submit and records the verdicts.
use crate as pallet_verifier;
use crate::VerifierId;
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
};
use sp_core::{sr25519, Pair};
use sp_runtime::{BuildStorage, DispatchError};
use std::collections::BTreeMap;
use zkmarket_primitives::traits::{
	ProgramId, ProofKind, ProofMarket, PublicInput, RequestId, Verdict,
};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;
pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, ()>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Verifier: pallet_verifier,
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
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<C> frame_system::offchain::CreateBare<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> Extrinsic {
		Extrinsic::new_bare(call)
	}
}

/// An open request of the test double: (prover allowed, program, inputs).
pub type OpenRequest = (AccountId, ProgramId, Vec<PublicInput>);

thread_local! {
	/// Requests open for proofs.
	pub static OPEN: RefCell<BTreeMap<RequestId, OpenRequest>> = const { RefCell::new(BTreeMap::new()) };
	/// Verdicts the market received.
	pub static CONCLUDED: RefCell<Vec<(RequestId, AccountId, Verdict)>> =
		const { RefCell::new(Vec::new()) };
}

/// The market test double.
pub struct MockMarket;
impl ProofMarket<AccountId> for MockMarket {
	fn begin_verification(
		request: RequestId,
		prover: &AccountId,
	) -> Result<(ProgramId, Vec<PublicInput>, ProofKind), DispatchError> {
		OPEN.with(|o| match o.borrow_mut().remove(&request) {
			// Requests with an even id are obligations (assignments), odd ones open offers.
			Some((p, program, inputs)) if p == *prover => {
				let kind =
					if request.is_multiple_of(2) { ProofKind::Obligated } else { ProofKind::Open };
				Ok((program, inputs, kind))
			}
			Some(entry) => {
				o.borrow_mut().insert(request, entry);
				Err(DispatchError::Other("not the assigned prover"))
			}
			None => Err(DispatchError::Other("unknown request")),
		})
	}
	fn conclude(request: RequestId, prover: &AccountId, verdict: Verdict, _proof: &[u8]) {
		CONCLUDED.with(|c| c.borrow_mut().push((request, *prover, verdict)));
	}
	fn open_requests_for(program: &ProgramId) -> u32 {
		OPEN.with(|o| o.borrow().values().filter(|(_, p, _)| p == program).count() as u32)
	}
	fn conclude_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000_000, 0)
	}

	fn begin_verification_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

parameter_types! {
	pub const Priority: u64 = 1 << 20;
}

impl pallet_verifier::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Market = MockMarket;
	type MaxVkLen = ConstU32<4096>;
	type MaxProofLen = ConstU32<512>;
	type MaxPublicInputs = ConstU32<8>;
	type MaxProofsPerBlock = ConstU32<4>;
	type MaxOpenProofsPerBlock = ConstU32<3>;
	type MaxVerdictsPerTx = ConstU32<4>;
	type MaxVerifiers = ConstU32<5>;
	type VerificationTimeout = ConstU64<10>;
	type VerificationRounds = ConstU32<3>;
	type ProgramDepositBase = ConstU128<1_000>;
	type ProgramDepositPerByte = ConstU128<10>;
	type UnsignedPriority = Priority;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHelper;
}

/// Benchmark setup on the mock: opens the request in the market test double.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for BenchHelper {
	fn setup_request(prover: &AccountId, program: ProgramId) -> u64 {
		let id = OPEN.with(|o| o.borrow().keys().max().map(|k| k + 1).unwrap_or(0));
		open_request(id, *prover, program, vec![[1u8; 32]]);
		id
	}
}

/// A verifier key pair from a dev seed (`//Alice`, ...).
pub fn verifier(seed: &str) -> (sr25519::Pair, VerifierId) {
	let pair = sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap();
	let id: VerifierId = pair.public().into();
	(pair, id)
}

/// Verifiers Alice, Bob and Charlie with threshold `threshold`; accounts 1..=5
/// hold 1_000_000 units.
pub fn new_test_ext(threshold: u32) -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=5).map(|a| (a, 1_000_000)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.unwrap();
	pallet_verifier::GenesisConfig::<Test> {
		verifiers: ["Alice", "Bob", "Charlie"].iter().map(|s| verifier(s).1).collect(),
		threshold,
		_phantom: Default::default(),
	}
	.assimilate_storage(&mut t)
	.unwrap();
	OPEN.with(|o| o.borrow_mut().clear());
	CONCLUDED.with(|c| c.borrow_mut().clear());
	let mut ext = sp_io::TestExternalities::new(t);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Opens `request` for `prover` on `program` with `inputs`.
pub fn open_request(
	request: RequestId,
	prover: AccountId,
	program: ProgramId,
	inputs: Vec<PublicInput>,
) {
	OPEN.with(|o| o.borrow_mut().insert(request, (prover, program, inputs)));
}

/// Verdicts the market received so far.
pub fn concluded() -> Vec<(RequestId, AccountId, Verdict)> {
	CONCLUDED.with(|c| c.borrow().clone())
}
