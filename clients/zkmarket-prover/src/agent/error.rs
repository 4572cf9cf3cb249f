//! Why a proving attempt failed (retried, up to `MAX_PROVE_ATTEMPTS`), and
//! the agent's exit code for a chain error that stops it.

use super::backend::BackendError;
use zkmarket_client::Error;

/// The agent's exit code for a chain error that stops it (docs/prover-agent.md,
/// "Exit codes"): 2 bad input (a key, stake or balance that cannot work), 3
/// node unreachable, 4 a transaction the chain refused, 5 not found, 6 a
/// runtime the client was not built for, 7 a timeout, 1 anything else.
pub fn exit_code(e: &Error) -> i32 {
	match e {
		Error::BadInput(_) => 2,
		Error::Unreachable { .. } => 3,
		Error::Dispatch { .. } | Error::Invalid(_) => 4,
		Error::NotFound(_) => 5,
		Error::MetadataMismatch(_) => 6,
		Error::Timeout(_) => 7,
		Error::Other(_) | Error::Chain(_) | Error::Json(_) | Error::Io(_) => 1,
	}
}

/// A failed attempt at one job, classified by variant: whether it was the
/// backend's fault (counted against the requester when the job is given up)
/// or the chain's or the pool's.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
	/// The backend failed (crash, timeout, bad output).
	#[error(transparent)]
	Backend(BackendError),
	/// The backend's proof does not verify against the program's key.
	#[error("the backend's proof does not verify; not submitted")]
	NotVerified,
	/// The backend's proof cannot even be read as one of the program's kind.
	#[error("the backend's proof is malformed ({0}); not submitted")]
	Malformed(String),
	/// The request's program is not registered.
	#[error(transparent)]
	Program(zkmarket_client::Error),
	/// The pool refused or dropped every proof transaction.
	#[error("the proof transaction was not accepted")]
	NotAccepted,
}

impl JobError {
	/// Whether the backend failed to prove it (not the chain or the pool).
	pub fn backend_failed(&self) -> bool {
		matches!(self, JobError::Backend(_) | JobError::NotVerified | JobError::Malformed(_))
	}
}

/// The result of one proving attempt.
#[derive(Debug)]
pub enum Outcome {
	/// Finished (submitted, or nothing to do).
	Done,
	/// Given up for lack of time (an assignment declined, a lock left to
	/// forfeit, a bounty dropped).
	GaveUp,
	/// Failed; may be retried. `attempt_secs`: what another attempt takes
	/// (the program's `prove_secs` + `margin_secs`; 0 if not known).
	Retry { error: JobError, attempt_secs: u64 },
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn classified_by_variant() {
		let failed = JobError::Backend(BackendError::Failed("exit 3".into()));
		assert!(failed.backend_failed());
		assert_eq!(failed.to_string(), "backend failed: exit 3");
		assert!(JobError::NotVerified.backend_failed());
		assert!(!JobError::NotAccepted.backend_failed());
		let missing = JobError::Program(zkmarket_client::Error::NotFound("program 0x12".into()));
		assert!(!missing.backend_failed());
	}
}
