//! Runtime API of the provers pallet.
use crate::ProverView;
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Read a prover's state without decoding storage.
	pub trait ProversApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// Effective stake (decay applied), collateral, reputation, jobs and eligibility of `who`.
		fn prover(who: AccountId) -> Option<ProverView<Balance>>;
		/// Number of registered provers.
		fn prover_count() -> u32;
	}
}
