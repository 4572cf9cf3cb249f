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
		// Pending proofs are in the lists of the last `VerificationTimeout` blocks
		// (and, when lists overflowed, of later ones up to `LastProofList`). The
		// list of block `n + 1 - timeout` is dropped in `on_initialize(n + 1)`,
		// before a vote cast now lands: start after it. Oldest list first.
		let first = n.saturating_add(2u32.into()).saturating_sub(T::VerificationTimeout::get());
		let last = LastProofList::<T>::get().max(n);
		let mut queue: Vec<crate::ProofId> = Vec::new();
		let mut b = first;
		while b <= last {
			queue.extend(ProofsByBlock::<T>::get(b));
			if b == last {
				break;
			}
			b = b.saturating_add(1u32.into());
		}
		if queue.is_empty() {
			return;
		}
		for key in local {
			let started = sp_io::offchain::timestamp();
			let mut verdicts: BoundedVec<(crate::ProofId, [u8; 32], bool), T::MaxVerdictsPerTx> =
				BoundedVec::new();
			// This key's recent votes (proof, block), kept RETRY_AFTER blocks: their
			// transaction may still be in the pool. One value a key, pruned each run.
			let mut marker_key = b"zkmarket/verifier/recent-votes/".to_vec();
			marker_key.extend(key.encode());
			let marker = StorageValueRef::persistent(&marker_key);
			let mut recent: Vec<(crate::ProofId, BlockNumberFor<T>)> =
				marker.get().ok().flatten().unwrap_or_default();
			recent.retain(|(_, at)| n.saturating_sub(*at) < RETRY_AFTER.into());
			let skip: alloc::collections::BTreeSet<crate::ProofId> =
				recent.iter().map(|(id, _)| *id).collect();
			for id in queue.iter() {
				if verdicts.is_full() {
					break;
				}
				let Some(p) = Pending::<T>::get(id) else { continue };
				if p.valid.contains(&key) || p.invalid.contains(&key) {
					continue;
				}
				if skip.contains(id) {
					continue;
				}
				let valid = Self::verify_pending(&p);
				log::info!(target: "runtime::verifier", "proof {id} of request {}: {}", p.request, if valid { "valid" } else { "INVALID" });
				recent.push((*id, n));
				let _ = verdicts.try_push((*id, Self::content_hash(&p), valid));
			}
			marker.set(&recent);
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
