//! A prover's calls, built for [`crate::sender::Sender`] or [`crate::tx::submit`].

use crate::{
	types::{Balance, ProgramId, RequestId},
	zk,
};
use subxt::transactions::Payload;

/// `provers.register(stake)`.
pub fn register_call(stake: Balance) -> impl Payload {
	zk::transactions().provers().register(stake)
}

/// `provers.bond_extra(amount)`.
pub fn bond_extra_call(amount: Balance) -> impl Payload {
	zk::transactions().provers().bond_extra(amount)
}

/// `provers.resume()`.
pub fn resume_call() -> impl Payload {
	zk::transactions().provers().resume()
}

/// `provers.pause()`.
pub fn pause_call() -> impl Payload {
	zk::transactions().provers().pause()
}

/// `provers.set_capabilities(programs, kinds, max_jobs)`: the programs and
/// whole kinds (kind indexes) the prover serves, and its jobs at once.
pub fn set_capabilities_call(
	programs: Vec<ProgramId>,
	kinds: Vec<u8>,
	max_jobs: u32,
) -> impl Payload {
	use zk::runtime_types::bounded_collections::bounded_vec::BoundedVec;
	zk::transactions().provers().set_capabilities(BoundedVec(programs), BoundedVec(kinds), max_jobs)
}

/// `market.lock_request(id)`.
pub fn lock_call(id: RequestId) -> impl Payload {
	zk::transactions().market().lock_request(id)
}

/// `market.decline_assignment(id)`.
pub fn decline_call(id: RequestId) -> impl Payload {
	zk::transactions().market().decline_assignment(id)
}

/// `verifier.submit_proof(id, proof)`.
pub fn submit_proof_call(id: RequestId, proof: Vec<u8>) -> impl Payload {
	zk::transactions()
		.verifier()
		.submit_proof(id, zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(proof))
}
