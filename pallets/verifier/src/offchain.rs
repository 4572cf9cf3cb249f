//! The off-chain worker: verify pending proofs, sign and submit verdicts.

use crate::{pallet::*, VerdictBatch, VerifierId};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{traits::Get, BoundedVec};
use frame_system::{
	offchain::{CreateBare, SubmitTransaction},
	pallet_prelude::BlockNumberFor,
};
use sp_runtime::{offchain::storage::StorageValueRef, traits::Saturating, RuntimeAppPublic};

/// Blocks after a submitted vote before the worker retries it.
const RETRY_AFTER: u32 = 5;

impl<T: Config> Pallet<T> {
	/// Verifies up to `MaxVerdictsPerTx` pending proofs this node's verifier key
	/// has not voted on and submits the signed verdicts.
	pub(crate) fn run_offchain_worker(n: BlockNumberFor<T>) {
		let set = Verifiers::<T>::get();
		let local: Vec<VerifierId> =
			VerifierId::all().into_iter().filter(|k| set.contains(k)).collect();
		if local.is_empty() {
			return;
		}
		// Proofs still pending were submitted in the last `VerificationTimeout`
		// blocks: oldest block first, in submission order.
		let first = n.saturating_sub(T::VerificationTimeout::get()).saturating_add(1u32.into());
		let mut queue: Vec<crate::ProofId> = Vec::new();
		let mut b = first;
		while b <= n {
			queue.extend(ProofsByBlock::<T>::get(b));
			b = b.saturating_add(1u32.into());
		}
		if queue.is_empty() {
			return;
		}
		for key in local {
			let started = sp_io::offchain::timestamp();
			let mut verdicts: BoundedVec<(crate::ProofId, [u8; 32], bool), T::MaxVerdictsPerTx> =
				BoundedVec::new();
			for id in queue.iter() {
				if verdicts.is_full() {
					break;
				}
				let Some(p) = Pending::<T>::get(id) else { continue };
				if p.valid.contains(&key) || p.invalid.contains(&key) {
					continue;
				}
				// Skip proofs this key voted on recently (the vote may be in the pool).
				let mut marker_key = b"zkmarket/verifier/voted/".to_vec();
				marker_key.extend((key.clone(), *id).encode());
				let marker = StorageValueRef::persistent(&marker_key);
				if let Ok(Some(at)) = marker.get::<BlockNumberFor<T>>() {
					if n.saturating_sub(at) < RETRY_AFTER.into() {
						continue;
					}
				}
				let valid = Self::verify_pending(&p);
				log::info!(target: "runtime::verifier", "proof {id} of request {}: {}", p.request, if valid { "valid" } else { "INVALID" });
				marker.set(&n);
				let _ = verdicts.try_push((*id, Self::content_hash(&p), valid));
			}
			if verdicts.is_empty() {
				continue;
			}
			let elapsed = sp_io::offchain::timestamp().diff(&started).millis();
			log::info!(
				target: "runtime::verifier",
				"verified {} proof(s) in {elapsed} ms (off-chain worker)",
				verdicts.len()
			);
			let batch = VerdictBatch { verifier: key.clone(), block: n, verdicts };
			let Some(signature) = key.sign(&Self::signed_payload(&batch)) else {
				log::warn!(target: "runtime::verifier", "cannot sign verdicts with {key:?}");
				continue;
			};
			let call = Call::<T>::submit_verdicts { batch, signature };
			let xt = <T as CreateBare<Call<T>>>::create_bare(call.into());
			if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_err() {
				log::warn!(target: "runtime::verifier", "verdict submission rejected by the pool");
			}
		}
	}
}
