//! The agent's chain access: the client library's constants, paging through
//! open requests, the nonce-tracking [`Chain`] (the client's `Sender`) and the
//! prover's calls, plus the declaration's call.

use zkmarket_client::subxt::transactions::Payload;
pub use zkmarket_client::{
	calls::{
		bond_extra_call, decline_call, lock_call, pause_call, register_call, resume_call,
		submit_proof_call,
	},
	consts::{consts_at, Consts},
	paging::{open_requests_from, MAX_CALLS, SCAN_WINDOW},
	sender::Sender as Chain,
};

/// `provers.set_capabilities(programs, kinds, max_jobs)` for a declaration.
pub fn set_capabilities_call(d: &super::declare::Declaration) -> impl Payload {
	zkmarket_client::calls::set_capabilities_call(d.programs.clone(), d.kinds.clone(), d.max_jobs)
}
