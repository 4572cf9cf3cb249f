//! Benchmarks of the runtime's pallets and the setup helpers the market
//! pallets need (`--features runtime-benchmarks`).
use crate::{AccountId, Balances, Market, Provers, Runtime, RuntimeOrigin, Verifier, ZK};
use frame_support::traits::fungible::Mutate;
use zkmarket_primitives::traits::ProgramId;

frame_benchmarking::define_benchmarks!(
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_provers, Provers]
	[pallet_base_fee, BaseFee]
	[pallet_market, Market]
	[pallet_verifier, Verifier]
	[pallet_validator_set, ValidatorSet]
);

/// Registers provers and the demo program with real calls.
pub struct MarketBenchmarkHelper;

impl pallet_market::BenchmarkHelper<AccountId> for MarketBenchmarkHelper {
	fn setup_prover(who: &AccountId) {
		if pallet_provers::Provers::<Runtime>::contains_key(who) {
			return;
		}
		Balances::set_balance(who, 10_000 * ZK);
		Provers::register(RuntimeOrigin::signed(who.clone()), 1_000 * ZK).expect("register prover");
		// It serves the benchmark program, 15 more and both zkVM kinds: the most
		// a prover may declare, so every benchmark that moves a prover in the
		// slot index pays for rewriting all its capability entries.
		let program = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(
			pallet_verifier::DEMO_VK,
		)
		.0;
		let programs: alloc::vec::Vec<ProgramId> = (0..crate::configs::MAX_CAPABILITY_PROGRAMS)
			.map(|i| {
				let mut id = program;
				if i > 0 {
					id[31] ^= i as u8;
				}
				id
			})
			.collect();
		Provers::set_capabilities(
			RuntimeOrigin::signed(who.clone()),
			programs.try_into().expect("at most the bound"),
			alloc::vec![3, 4].try_into().expect("two kinds"),
			crate::configs::MAX_JOBS_PER_PROVER,
		)
		.expect("declare capabilities");
	}

	fn setup_program() -> ProgramId {
		let id = <sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(
			pallet_verifier::DEMO_VK,
		)
		.0;
		if pallet_verifier::Programs::<Runtime>::contains_key(id) {
			return id;
		}
		let owner = AccountId::new([7u8; 32]);
		Balances::set_balance(&owner, 1_000 * ZK);
		Verifier::register_program(
			RuntimeOrigin::signed(owner),
			pallet_verifier::DEMO_VK.to_vec().try_into().expect("vk fits"),
		)
		.expect("demo program");
		id
	}

	fn setup_programs(n: u32) -> alloc::vec::Vec<ProgramId> {
		// The demo program under `n` ids (the clearing reads only the kind and
		// input count of a program).
		let first = <Self as pallet_market::BenchmarkHelper<AccountId>>::setup_program();
		let info = pallet_verifier::Programs::<Runtime>::get(first).expect("demo program");
		(0..n)
			.map(|i| {
				if i == 0 {
					return first;
				}
				let mut id = first;
				id[..4].copy_from_slice(&i.to_le_bytes());
				pallet_verifier::Programs::<Runtime>::insert(id, info.clone());
				id
			})
			.collect()
	}

	fn serve(who: &AccountId, programs: alloc::vec::Vec<ProgramId>) {
		Provers::set_capabilities(
			RuntimeOrigin::signed(who.clone()),
			programs.try_into().expect("at most MaxCapabilityPrograms"),
			Default::default(),
			crate::configs::MAX_JOBS_PER_PROVER,
		)
		.expect("declare capabilities");
	}

	fn advance_time(secs: u64) {
		pallet_timestamp::Now::<Runtime>::mutate(|t| *t += secs * 1000);
	}
}

impl pallet_verifier::BenchmarkHelper<AccountId> for MarketBenchmarkHelper {
	/// An unlocked offer `prover` (registered here) may prove right away.
	fn setup_request(prover: &AccountId, program: ProgramId) -> u64 {
		<Self as pallet_market::BenchmarkHelper<AccountId>>::setup_prover(prover);
		let requester = AccountId::new([8u8; 32]);
		Balances::set_balance(&requester, 1_000_000 * ZK);
		let now = pallet_market::Pallet::<Runtime>::now_secs();
		let id = pallet_market::NextRequestId::<Runtime>::get();
		Market::submit_request(
			RuntimeOrigin::signed(requester),
			program,
			alloc::vec![[1u8; 32]].try_into().expect("one input"),
			pallet_market::Pricing::Offer {
				min_price: ZK,
				max_price: 2 * ZK,
				ramp_up_start: now,
				ramp_up_period: 10,
				// Deadlines spread over seconds: a second indexes at most
				// `MaxOfferDeadlinesPerSecond` of them, and benchmarks open up to a
				// block's worth of proofs (256).
				lock_timeout: 100 + id % 4_096,
				timeout: 200 + id % 4_096,
				lock_collateral: ZK,
			},
			0,
		)
		.expect("offer");
		id
	}
}

/// Gives accounts session keys for the validator set's benchmarks.
pub struct ValidatorSetBenchmarkHelper;

impl pallet_validator_set::BenchmarkHelper<AccountId> for ValidatorSetBenchmarkHelper {
	/// Session keys derived from the account (distinct per account), stored
	/// as `session.setKeys` stores them.
	fn register(who: &AccountId) {
		use codec::Decode;
		let bytes: &[u8] = who.as_ref();
		let raw: alloc::vec::Vec<u8> = bytes.iter().chain(bytes).chain(bytes).copied().collect();
		let keys = crate::SessionKeys::decode(&mut &raw[..]).expect("96 bytes are three keys");
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}
