//! Why a proving attempt failed (retried, up to `MAX_PROVE_ATTEMPTS`), and
//! the agent's exit code for a chain error that stops it.

use super::backend::BackendError;
use zkmarket_client::Error;

/// The agent's exit code for a chain error that stops it, as
/// docs/prover-agent.md ("Exit codes") gives them: 2 bad input (a key, stake
/// or balance that cannot work), 3 node unreachable, 4 a transaction the chain
/// refused, 6 a runtime the client was not built for, 1 anything else.
pub fn exit_code(e: &Error) -> i32 {
	match e {
		Error::BadInput(_) => 2,
		Error::Unreachable { .. } => 3,
		Error::Dispatch { .. } | Error::Invalid(_) => 4,
		Error::MetadataMismatch(_) => 6,
		_ => 1,
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
	fn exit_codes_as_documented() {
		assert_eq!(exit_code(&Error::bad_input("stake below the minimum")), 2);
		assert_eq!(exit_code(&Error::unreachable("ws://x", "refused")), 3);
		let refused = Error::Dispatch {
			pallet: "Provers".into(),
			error: "InsufficientBalance".into(),
			docs: String::new(),
		};
		assert_eq!(exit_code(&refused), 4);
		assert_eq!(exit_code(&Error::Invalid("bad nonce".into())), 4);
		assert_eq!(exit_code(&Error::MetadataMismatch("another runtime".into())), 6);
		assert_eq!(exit_code(&Error::other("anything else")), 1);
		assert_eq!(exit_code(&Error::NotFound("program".into())), 1);
	}

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
