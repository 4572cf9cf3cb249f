//! Runtime API of the provers pallet.
use crate::{CapabilitiesView, ProverView};
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Read a prover's state without decoding storage.
	#[api_version(2)]
	pub trait ProversApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// Effective stake (decay applied), collateral, reputation, jobs and eligibility of `who`.
		fn prover(who: AccountId) -> Option<ProverView<Balance>>;
		/// Number of registered provers.
		fn prover_count() -> u32;
		/// What `who` declared it serves (`None` if it is not a registered
		/// prover; empty lists if it declared nothing).
		#[api_version(2)]
		fn capabilities(who: AccountId) -> Option<CapabilitiesView>;
	}
}
