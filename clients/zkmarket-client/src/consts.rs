//! Chain parameters a client plans with, read at a block: the runtime's
//! constants (stake, jobs, deadlines, capability bounds) and the block time.

use crate::{types::Balance, zk, AtBlock, Error};

/// Chain parameters a prover needs: runtime constants and the block time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Consts {
	/// `Provers::MinProverStake`.
	pub min_stake: Balance,
	/// `Provers::MaxJobsPerProver`.
	pub max_jobs: u32,
	/// Block time in milliseconds (`BlockTime::BlockTimeMillis`).
	pub block_millis: u64,
	/// `Verifier::MaxProofLen`.
	pub max_proof_len: usize,
	/// `Market::ProofDeadline`: blocks from an auction assignment to its deadline.
	pub proof_deadline: u64,
	/// `Market::FreeDeclinePeriod`: blocks after an assignment in which declining it is free.
	pub free_decline_period: u64,
	/// `Provers::MaxCapabilityPrograms`: programs one prover may declare.
	pub max_capability_programs: u32,
	/// `Provers::MaxCapabilityKinds`: whole kinds one prover may declare.
	pub max_capability_kinds: u32,
}

/// Reads [`Consts`] at a block.
pub async fn consts_at(at: &AtBlock) -> Result<Consts, Error> {
	let c = at.constants();
	let min_stake = c.entry(zk::constants().provers().min_prover_stake())?;
	let max_jobs = c.entry(zk::constants().provers().max_jobs_per_prover())?;
	let max_proof_len = c.entry(zk::constants().verifier().max_proof_len())? as usize;
	let proof_deadline = c.entry(zk::constants().market().proof_deadline())? as u64;
	let free_decline_period = c.entry(zk::constants().market().free_decline_period())? as u64;
	let max_capability_programs = c.entry(zk::constants().provers().max_capability_programs())?;
	let max_capability_kinds = c.entry(zk::constants().provers().max_capability_kinds())?;
	let block_millis =
		match at.storage().try_fetch(zk::storage().block_time().block_time_millis(), ()).await? {
			Some(v) => v.decode()?,
			None => 6_000,
		};
	Ok(Consts {
		min_stake,
		max_jobs,
		block_millis,
		max_proof_len,
		proof_deadline,
		free_decline_period,
		max_capability_programs,
		max_capability_kinds,
	})
}
