//! The runtime's transaction priority bands (issue 28, items 1 and 2; SPEC 8):
//! no tip outbids a verdict or a proof of a live obligation. Each priority is
//! what the pool and the block builder see: the whole extension pipeline of
//! the runtime (`TxExtension`) validating the call.
mod common;
use common::preset_ext;
use frame_support::{
	assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::Hooks,
	BoundedVec,
};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::DispatchTransaction,
	transaction_validity::{TransactionSource, ValidTransaction},
};
use zkmarket_demo_circuit as demo;
use zkmarket_runtime::{
	priority::{OBLIGATION_PRIORITY, TIP_PRIORITY_CAP, VERDICT_PRIORITY},
	AccountId, Market, Provers, Runtime, RuntimeCall, RuntimeOrigin, System, TxExtension, Verifier,
	ZK,
};

/// The runtime's extensions for a signed transaction of `who` with `tip`.
fn extensions(who: &AccountId, tip: u128) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(System::account_nonce(who)),
		frame_system::CheckWeight::new(),
		zkmarket_runtime::priority::PrioritizedPayment::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// What the pool sees of `call` signed by `who` with `tip`.
fn validity(who: &AccountId, call: RuntimeCall, tip: u128) -> ValidTransaction {
	let info = call.get_dispatch_info();
	let len = codec::Encode::encoded_size(&call) + 100;
	extensions(who, tip)
		.validate_only(
			RuntimeOrigin::signed(who.clone()),
			&call,
			&info,
			len,
			TransactionSource::External,
			0,
		)
		.expect("valid")
		.0
}

fn next_block() {
	let n = System::block_number();
	Market::on_finalize(n);
	System::set_block_number(n + 1);
	pallet_timestamp::Now::<Runtime>::mutate(|t| *t += 2_000);
	Provers::on_initialize(n + 1);
	Market::on_initialize(n + 1);
	Verifier::on_initialize(n + 1);
}

#[test]
fn banded_priorities_put_obligations_and_verdicts_above_any_tip() {
	preset_ext("development").execute_with(|| {
		let [bob, charlie, dave, eve] = [
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
			Sr25519Keyring::Eve,
		]
		.map(|k| k.to_account_id());
		let vk: BoundedVec<u8, _> = demo::vk_bytes().try_into().unwrap();
		assert_ok!(Verifier::register_program(RuntimeOrigin::signed(dave.clone()), vk));
		let program = demo::program_id();
		assert_ok!(Provers::register(RuntimeOrigin::signed(bob.clone()), 100 * ZK));
		assert_ok!(Provers::set_capabilities(
			RuntimeOrigin::signed(bob.clone()),
			vec![program].try_into().unwrap(),
			Default::default(),
			1,
		));
		let y: BoundedVec<[u8; 32], _> = vec![demo::fr_bytes(demo::output(3))].try_into().unwrap();
		assert_ok!(Market::submit_request(
			RuntimeOrigin::signed(dave.clone()),
			program,
			y,
			pallet_market::Pricing::Auction { bid: ZK, max_base_fee: ZK },
			100,
		));
		next_block();
		let pallet_market::RequestState::Assigned { prover, deadline, .. } =
			pallet_market::Requests::<Runtime>::get(0).unwrap().state
		else {
			panic!("request 0 dealt to Bob")
		};
		assert_eq!(prover, bob);

		let proof = RuntimeCall::Verifier(pallet_verifier::Call::submit_proof {
			request: 0,
			proof: demo::prove(3, 0, &codec::Encode::encode(&bob), 1).try_into().unwrap(),
		});
		let decline = RuntimeCall::Market(pallet_market::Call::decline_assignment { id: 0 });
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![0; 64] });

		// A huge tip buys at most the cap.
		let stuffer = validity(&eve, remark.clone(), 100_000 * ZK);
		assert_eq!(stuffer.priority, TIP_PRIORITY_CAP);
		// The assigned prover's proof and decline, without a tip, rank above it...
		for call in [proof.clone(), decline.clone()] {
			let v = validity(&bob, call, 0);
			assert!(v.priority >= OBLIGATION_PRIORITY && v.priority > stuffer.priority);
			assert!(v.provides.contains(&codec::Encode::encode(&(b"zkm/obligation", 0u64))));
		}
		// ...and a tipped one still below the verdicts.
		assert!(validity(&bob, proof.clone(), 100_000 * ZK).priority < VERDICT_PRIORITY);
		// Someone else's proof of the request is an ordinary transaction.
		let other = validity(&charlie, proof.clone(), 0);
		assert!(other.priority <= TIP_PRIORITY_CAP);
		assert!(!other.provides.contains(&codec::Encode::encode(&(b"zkm/obligation", 0u64))));
		// Past the deadline the assignment is no longer live.
		System::set_block_number(deadline + 1);
		assert!(validity(&bob, proof, 0).priority <= TIP_PRIORITY_CAP);
		assert!(validity(&bob, decline, 0).priority <= TIP_PRIORITY_CAP);

		// Verdicts: Operational (their own room) and the highest priority.
		let pair = sr25519::Pair::from_string("//Alice", None).unwrap();
		let batch = pallet_verifier::VerdictBatch {
			verifier: pair.public().into(),
			block: System::block_number(),
			verdicts: Default::default(),
		};
		let signature = pair.sign(&Verifier::signed_payload(&batch)).into();
		let verdicts = pallet_verifier::Call::<Runtime>::submit_verdicts { batch, signature };
		assert_eq!(verdicts.get_dispatch_info().class, DispatchClass::Operational);
		assert_eq!(<Runtime as pallet_verifier::Config>::UnsignedPriority::get(), VERDICT_PRIORITY);
	});
}

/// A verdict batch of a whole list, each vote charged the market's worst-case
/// conclusion, still fits in one block's Operational class: verdicts can always
/// be included (issue 28, items 1 and 6).
#[test]
fn a_full_verdict_batch_fits_in_a_block() {
	use frame_support::traits::Get;
	let max = <Runtime as frame_system::Config>::BlockWeights::get()
		.get(DispatchClass::Operational)
		.max_extrinsic
		.expect("a bound");
	let n = <Runtime as pallet_verifier::Config>::MaxVerdictsPerTx::get();
	let charged = pallet_verifier::Pallet::<Runtime>::verdicts_weight(n);
	println!("{n} verdicts charged {charged:?}, Operational max extrinsic {max:?}");
	assert!(charged.all_lte(max), "{charged:?} > {max:?}");
	let conclude = <pallet_market::Pallet<Runtime> as zkmarket_primitives::traits::ProofMarket<
		AccountId,
	>>::conclude_weight();
	assert!(conclude.ref_time() > 0);
}
