//! Verdicts: the signed batches of the verifiers, their validation as
//! unsigned transactions, the vote count and the final verdicts the market
//! settles.

use crate::{pallet::*, ProofId, VerifierId, VerifierSignature, WeightInfo, VERDICT_CONTEXT};
use frame_support::{pallet_prelude::*, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	RuntimeAppPublic,
};
use zkmarket_primitives::traits::{ProofMarket, Verdict};

impl<T: Config> Pallet<T> {
	/// Records the new votes of a verifier's signed `batch` and finalizes the
	/// proofs they decide; refunds the weight of the votes that decide nothing.
	pub(crate) fn do_submit_verdicts(
		batch: BatchOf<T>,
		signature: VerifierSignature,
	) -> DispatchResultWithPostInfo {
		Self::check_batch(&batch, &signature)?;
		let threshold = VerdictThreshold::<T>::get().max(1) as usize;
		let set = Verifiers::<T>::get();
		// Only votes of the current verifier set count.
		let current = |side: &BoundedVec<VerifierId, T::MaxVerifiers>| {
			side.iter().filter(|v| set.contains(v)).count()
		};
		let (mut new_votes, mut finalized) = (0u32, 0u32);
		for (proof_id, hash, valid) in batch.verdicts.iter() {
			let Some(mut p) = Pending::<T>::get(proof_id) else { continue };
			// A vote counts only for the proof bytes it was cast on.
			if Self::content_hash(&p) != *hash {
				continue;
			}
			if p.valid.contains(&batch.verifier) || p.invalid.contains(&batch.verifier) {
				continue;
			}
			let side = if *valid { &mut p.valid } else { &mut p.invalid };
			if side.try_push(batch.verifier.clone()).is_err() {
				continue;
			}
			new_votes += 1;
			Self::deposit_event(Event::VoteRecorded {
				proof: *proof_id,
				verifier: batch.verifier.clone(),
				valid: *valid,
			});
			if !p.valid.is_empty() && !p.invalid.is_empty() {
				Self::deposit_event(Event::ConflictingVotes {
					proof: *proof_id,
					valid: p.valid.len() as u32,
					invalid: p.invalid.len() as u32,
				});
			}
			if current(&p.valid) >= threshold {
				finalized += 1;
				Self::finalize(*proof_id, p, Verdict::Valid);
			} else if current(&p.invalid) >= threshold {
				finalized += 1;
				Self::finalize(*proof_id, p, Verdict::Invalid);
			} else {
				Pending::<T>::insert(proof_id, p);
			}
		}
		ensure!(new_votes > 0, Error::<T>::NothingNew);
		// Refund what was not spent: only final verdicts settle requests (the
		// benchmarked per-verdict cost); other entries read (and a new vote
		// writes) one pending proof. With several verifiers only one batch a
		// proof settles it, so the others cost little.
		let db = T::DbWeight::get();
		let actual = Self::verdicts_weight(finalized.max(1))
			.saturating_add(db.reads(batch.verdicts.len() as u64))
			.saturating_add(db.writes(new_votes.saturating_sub(finalized) as u64));
		Ok(Some(actual.min(Self::verdicts_weight(batch.verdicts.len() as u32))).into())
	}

	/// `ValidateUnsigned` of a verdict batch: signed by a current verifier, recent,
	/// with at least one new vote; one batch per verifier per block.
	pub(crate) fn validate_verdicts(
		batch: &BatchOf<T>,
		signature: &VerifierSignature,
	) -> TransactionValidity {
		Self::check_batch(batch, signature).map_err(|e| match e {
			Error::<T>::BadSignature => InvalidTransaction::BadProof,
			Error::<T>::NotVerifier => InvalidTransaction::BadSigner,
			_ => InvalidTransaction::Stale,
		})?;
		let now = frame_system::Pallet::<T>::block_number();
		if batch.block > now {
			return InvalidTransaction::Future.into();
		}
		if now.saturating_sub(batch.block) > 5u32.into() {
			return InvalidTransaction::Stale.into();
		}
		let any_new = batch.verdicts.iter().any(|(id, hash, _)| {
			Pending::<T>::get(id)
				.map(|p| {
					Self::content_hash(&p) == *hash
						&& !p.valid.contains(&batch.verifier)
						&& !p.invalid.contains(&batch.verifier)
				})
				.unwrap_or(false)
		});
		if !any_new {
			return InvalidTransaction::Stale.into();
		}
		ValidTransaction::with_tag_prefix("zkmarket-verdicts")
			.priority(T::UnsignedPriority::get())
			.and_provides((batch.verifier.clone(), batch.block))
			.longevity(5)
			.propagate(true)
			.build()
	}

	/// Checks the signer is a verifier and the signature is valid.
	pub(crate) fn check_batch(
		batch: &BatchOf<T>,
		signature: &VerifierSignature,
	) -> Result<(), Error<T>> {
		ensure!(Verifiers::<T>::get().contains(&batch.verifier), Error::<T>::NotVerifier);
		ensure!(
			batch.verifier.verify(&Self::signed_payload(batch), signature),
			Error::<T>::BadSignature
		);
		Ok(())
	}

	/// What a verifier signs: the context, this chain's genesis hash (so a
	/// vote counts on no other chain) and the batch.
	pub fn signed_payload(batch: &BatchOf<T>) -> alloc::vec::Vec<u8> {
		(VERDICT_CONTEXT, frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()), batch)
			.encode()
	}

	/// Removes a proof with a final verdict and lets the market settle.
	pub(crate) fn finalize(id: ProofId, p: PendingOf<T>, verdict: Verdict) {
		Pending::<T>::remove(id);
		ExtraRounds::<T>::remove(id);
		Self::deposit_event(Event::VerdictReached {
			proof: id,
			request: p.request,
			prover: p.prover.clone(),
			valid: verdict == Verdict::Valid,
		});
		T::Market::conclude(p.request, &p.prover, verdict, &p.proof);
	}

	/// The weight of a verdict batch of `n` votes that all decide their proofs:
	/// the benchmark (votes settling open offers) plus, per vote, the
	/// market's `conclude_weight` (measured on its costliest conclusion: a
	/// slash and a re-queue into a full queue with an eviction).
	pub fn verdicts_weight(n: u32) -> Weight {
		T::WeightInfo::submit_verdicts(n)
			.saturating_add(T::Market::conclude_weight().saturating_mul(n.into()))
	}
}
