//! Submitted proofs: their verification lists, the content hash votes name,
//! the request/prover binding and the real verification the off-chain worker
//! runs.

use crate::{groth16, pallet::*, PendingProof, ProofId};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{One, Saturating};
use zkmarket_primitives::traits::{ProofKind, ProofMarket, RequestId};

impl<T: Config> Pallet<T> {
	/// Stores `proof` of `who` for `request` as pending, in a verification list;
	/// open proofs are bounded per block.
	pub(crate) fn do_submit_proof(
		who: T::AccountId,
		request: RequestId,
		proof: BoundedVec<u8, T::MaxProofLen>,
	) -> DispatchResult {
		ensure!(!proof.is_empty(), Error::<T>::EmptyProof);
		let (program, inputs, kind) = T::Market::begin_verification(request, &who)?;
		let info = Programs::<T>::get(program).ok_or(Error::<T>::UnknownProgram)?;
		// What needs no curve arithmetic is refused now, with its name (no
		// slash): the length, and for SP1 the selector, exit code and vk_root.
		info.kind.check_proof(info.selector, &proof).map_err(Self::format_error)?;
		let inputs: BoundedVec<_, T::MaxPublicInputs> =
			inputs.try_into().map_err(|_| Error::<T>::TooManyInputs)?;
		let now = frame_system::Pallet::<T>::block_number();
		if kind == ProofKind::Open {
			let (at, count) = OpenProofsInBlock::<T>::get();
			let count = if at == now { count } else { 0 };
			ensure!(count < T::MaxOpenProofsPerBlock::get(), Error::<T>::BlockOpenProofsFull);
			OpenProofsInBlock::<T>::put((now, count + 1));
		}
		let id = NextProofId::<T>::get();
		let list = Self::list_proof(id, now)?;
		Pending::<T>::insert(
			id,
			PendingProof {
				request,
				prover: who.clone(),
				program,
				inputs,
				proof,
				submitted_at: now,
				listed_at: list,
				valid: BoundedVec::new(),
				invalid: BoundedVec::new(),
			},
		);
		NextProofId::<T>::put(id.saturating_add(1));
		Self::deposit_event(Event::ProofSubmitted { proof: id, request, prover: who });
		Ok(())
	}

	/// The content hash a vote names: blake2-256 of the request, prover,
	/// program, public inputs and proof bytes.
	pub fn content_hash(p: &PendingOf<T>) -> [u8; 32] {
		sp_io::hashing::blake2_256(&(p.request, &p.prover, p.program, &p.inputs, &p.proof).encode())
	}

	/// Puts proof `id` in a verification list: the list of block `now`, or the
	/// latest one that took proofs; when full, the next (empty) one: verified
	/// a block later, never refused. Returns the list's block.
	pub(crate) fn list_proof(
		id: ProofId,
		now: BlockNumberFor<T>,
	) -> Result<BlockNumberFor<T>, Error<T>> {
		let mut list = LastProofList::<T>::get().max(now);
		if ProofsByBlock::<T>::decode_len(list).unwrap_or(0) >= T::MaxProofsPerBlock::get() as usize
		{
			list = list.saturating_add(One::one());
		}
		ProofsByBlock::<T>::try_mutate(list, |q| q.try_push(id))
			.map_err(|_| Error::<T>::BlockProofsFull)?;
		LastProofList::<T>::put(list);
		Ok(list)
	}

	/// The binding input of a pending proof.
	pub fn binding_of(p: &PendingOf<T>) -> [u8; 32] {
		zkmarket_groth16_formats::binding(p.request, &p.prover)
	}

	/// Verifies a pending proof for real (used by the off-chain worker): the
	/// program's kind turns the proof and the request's inputs (and the
	/// binding, for bound kinds) into an arkworks proof and all public inputs,
	/// which one host call verifies. A proof its kind cannot read is invalid.
	pub fn verify_pending(p: &PendingOf<T>) -> bool {
		let Some(program) = Programs::<T>::get(p.program) else { return false };
		match program.kind.statement(program.selector, &p.proof, &p.inputs, &Self::binding_of(p)) {
			Ok(s) => groth16::verify(&program.vk, &s.proof, &s.inputs),
			Err(_) => false,
		}
	}
}
