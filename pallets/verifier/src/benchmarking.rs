//! Benchmarks of the verifier pallet (frame-benchmarking v2).
use super::*;
use crate::Pallet as Verifier;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_runtime::{traits::Saturating, RuntimeAppPublic, SaturatedConversion};

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	T::Currency::set_balance(&who, 1_000_000_000_000_000_000_000_000u128.saturated_into());
	who
}

fn program<T: Config>() -> zkmarket_primitives::traits::ProgramId {
	let owner = funded::<T>("owner", 0);
	let vk: BoundedVec<u8, T::MaxVkLen> = DEMO_VK.to_vec().try_into().expect("vk fits");
	Verifier::<T>::register_program(RawOrigin::Signed(owner).into(), vk).expect("demo key");
	sp_io::hashing::blake2_256(DEMO_VK)
}

fn proof<T: Config>() -> BoundedVec<u8, T::MaxProofLen> {
	vec![7u8; 128].try_into().expect("proof fits")
}

/// A valid key with `n` public inputs, made of the demo key's points.
fn key_with_inputs(n: u32) -> alloc::vec::Vec<u8> {
	let fixed = groth16::vk_len(0) - 32 - 8;
	let demo_points = (DEMO_VK.len() - fixed - 8) / 32;
	let mut vk = DEMO_VK[..fixed].to_vec();
	vk.extend_from_slice(&(n as u64 + 1).to_le_bytes());
	for i in 0..=n as usize {
		let at = fixed + 8 + 32 * (i % demo_points);
		vk.extend_from_slice(&DEMO_VK[at..at + 32]);
	}
	vk
}

/// `v` pending proofs from `v` provers.
fn pending<T: Config>(v: u32) -> alloc::vec::Vec<ProofId> {
	let program = program::<T>();
	(0..v)
		.map(|i| {
			let prover: T::AccountId = account("prover", i, 0);
			let request = T::BenchmarkHelper::setup_request(&prover, program);
			let id = NextProofId::<T>::get();
			// The setup's requests are open offers: lift the per-block bound on them
			// (the list bound, `MaxProofsPerBlock`, still holds).
			OpenProofsInBlock::<T>::kill();
			Verifier::<T>::submit_proof(RawOrigin::Signed(prover).into(), request, proof::<T>())
				.expect("submit");
			id
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A key of `l` bytes: the demo key's curve points, as many public inputs as
	/// fit (parsing checks every point, so the cost grows with the inputs).
	#[benchmark]
	fn register_program(
		l: Linear<
			{ groth16::vk_len(1) as u32 },
			{ groth16::vk_len(T::MaxPublicInputs::get() + 1) as u32 },
		>,
	) {
		let owner = funded::<T>("owner", 0);
		let n = ((l as usize - groth16::vk_len(0)) / 32) as u32;
		let vk: BoundedVec<u8, T::MaxVkLen> = key_with_inputs(n).try_into().unwrap();
		let id = sp_io::hashing::blake2_256(&vk);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), vk);
		assert_eq!(Programs::<T>::get(id).map(|p| p.inputs), Some(n - 1));
	}

	/// A gnark key of `l` bytes (the conversion to arkworks, then the same
	/// parsing as `register_program`): the cost of `Gnark` and `Sp1` programs
	/// (SP1 adds a sha256 of its 492-byte key, a microsecond). `Snarkjs` and
	/// `Risc0` keys are arkworks bytes: `register_program`'s cost.
	#[benchmark]
	fn register_program_of_kind(
		l: Linear<
			{ zkmarket_groth16_formats::gnark::VK_FIXED as u32 + 2 * 32 + 8 },
			{
				zkmarket_groth16_formats::gnark::VK_FIXED as u32
					+ (T::MaxPublicInputs::get() + 1) * 32
					+ 8
			},
		>,
	) {
		let owner = funded::<T>("owner", 0);
		let n = (l - zkmarket_groth16_formats::gnark::VK_FIXED as u32 - 8) / 32 - 1;
		let raw = zkmarket_groth16_formats::gnark::vk_from_arkworks(&key_with_inputs(n))
			.expect("a valid key");
		let vk: BoundedVec<u8, T::MaxVkLen> = raw.try_into().unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), ProgramKind::Gnark, vk);
		assert_eq!(Programs::<T>::iter().next().map(|(_, p)| p.inputs), Some(n));
	}

	/// The owner unregisters a program no request names: deposit released.
	#[benchmark]
	fn unregister_program() {
		let id = program::<T>();
		let owner: T::AccountId = account("owner", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(Programs::<T>::get(id).is_none());
	}

	#[benchmark]
	fn submit_proof() {
		let program = program::<T>();
		let prover: T::AccountId = account("prover", 0, 0);
		let request = T::BenchmarkHelper::setup_request(&prover, program);
		#[extrinsic_call]
		_(RawOrigin::Signed(prover), request, proof::<T>());
		assert_eq!(Pending::<T>::iter().count(), 1);
	}

	/// `v` verdicts, each final (threshold 1), each settling its request.
	#[benchmark]
	fn submit_verdicts(
		v: Linear<1, { T::MaxVerdictsPerTx::get().min(T::MaxProofsPerBlock::get()) }>,
	) {
		let ids = pending::<T>(v.min(T::MaxVerdictsPerTx::get()));
		let key = VerifierId::generate_pair(None);
		Verifiers::<T>::put(BoundedVec::truncate_from(vec![key.clone()]));
		VerdictThreshold::<T>::put(1);
		let batch = VerdictBatch {
			verifier: key.clone(),
			block: frame_system::Pallet::<T>::block_number(),
			verdicts: BoundedVec::truncate_from(
				ids.iter()
					.map(|i| {
						let p = Pending::<T>::get(i).expect("pending");
						(*i, Pallet::<T>::content_hash(&p), true)
					})
					.collect(),
			),
		};
		let signature = key.sign(&Pallet::<T>::signed_payload(&batch)).expect("key in keystore");
		#[extrinsic_call]
		_(RawOrigin::None, batch, signature);
		assert!(Pending::<T>::iter().next().is_none());
	}

	#[benchmark]
	fn set_verifiers(n: Linear<1, { T::MaxVerifiers::get() }>) {
		let keys: alloc::vec::Vec<VerifierId> =
			(0..n).map(|_| VerifierId::generate_pair(None)).collect();
		#[extrinsic_call]
		_(RawOrigin::Root, keys, 1);
		assert_eq!(Verifiers::<T>::get().len(), n as usize);
	}

	/// `n` proofs of one block dropped for lack of a verdict at the end of their
	/// last round (listing them again for another round costs less: no
	/// settlement).
	#[benchmark]
	fn timeouts(n: Linear<1, { T::MaxProofsPerBlock::get() }>) {
		pending::<T>(n);
		let last = T::VerificationRounds::get().saturating_sub(1);
		for (id, _) in Pending::<T>::iter() {
			if last > 0 {
				ExtraRounds::<T>::insert(id, last);
			}
		}
		let at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::VerificationTimeout::get());
		#[block]
		{
			Verifier::<T>::process_timeouts(at);
		}
		assert!(Pending::<T>::iter().next().is_none());
	}

	impl_benchmark_test_suite!(Verifier, crate::mock::new_test_ext(1), crate::mock::Test);
}
