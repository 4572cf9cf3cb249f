//! Errors of the client library, with the CLI's exit codes.
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | any other error (RPC failure, undecodable data, I/O) |
//! | 2 | bad input or usage (amount, key, hex, file, argument) |
//! | 3 | node unreachable (connect failed, connection lost) |
//! | 4 | the chain refused: dispatch error or invalid transaction |
//! | 5 | not found (request, program, proof, prover) |
//! | 6 | metadata mismatch (client built for another runtime) |
//! | 7 | timeout, or a request that ended without a proof (expired, evicted, cancelled) |

use std::fmt;

/// Everything that can go wrong in the client.
#[derive(Debug)]
pub enum Error {
	/// Bad user input: an amount, a key, hex, a file, an argument.
	BadInput(String),
	/// The node could not be reached (or the connection was lost).
	Unreachable {
		/// The URL tried.
		url: String,
		/// Why.
		reason: String,
	},
	/// The chain refused a transaction at dispatch: `pallet::error` names the
	/// runtime's error variant, e.g. `Market` / `InsufficientBalance`.
	Dispatch {
		/// Pallet name as in the metadata (`Market`, `Verifier`, `Provers`, ...);
		/// empty for errors outside a pallet (`BadOrigin`, `Token(..)`, ...).
		pallet: String,
		/// Error name (`UnknownProgram`, `InsufficientBalance`, ...).
		error: String,
		/// The error's documentation from the metadata (may be empty).
		docs: String,
	},
	/// The transaction pool refused the transaction (bad nonce, cannot pay
	/// fees, ...) or dropped it.
	Invalid(String),
	/// Something asked for does not exist.
	NotFound(String),
	/// The node runs a runtime the client was not generated for.
	MetadataMismatch(String),
	/// A timeout, or a request that closed without a proof.
	Timeout(String),
	/// Anything else (RPC errors, decoding, I/O).
	Other(String),
}

impl Error {
	/// The process exit code for this error (see the module docs for the table).
	pub fn exit_code(&self) -> i32 {
		match self {
			Error::Other(_) => 1,
			Error::BadInput(_) => 2,
			Error::Unreachable { .. } => 3,
			Error::Dispatch { .. } | Error::Invalid(_) => 4,
			Error::NotFound(_) => 5,
			Error::MetadataMismatch(_) => 6,
			Error::Timeout(_) => 7,
		}
	}

	/// Whether this is the dispatch error `pallet::error` (e.g. `("Market",
	/// "UnknownProgram")`).
	pub fn is_dispatch(&self, pallet: &str, error: &str) -> bool {
		matches!(self, Error::Dispatch { pallet: p, error: e, .. } if p == pallet && e == error)
	}

	/// Shorthand for [`Error::BadInput`].
	pub fn bad_input(msg: impl Into<String>) -> Self {
		Error::BadInput(msg.into())
	}

	/// Shorthand for [`Error::Other`].
	pub fn other(msg: impl fmt::Display) -> Self {
		Error::Other(msg.to_string())
	}

	/// A subxt error, classified: lost connections become [`Error::Unreachable`],
	/// dispatch errors [`Error::Dispatch`], pool rejections [`Error::Invalid`].
	pub fn from_subxt(e: subxt::Error) -> Self {
		if e.is_disconnected_will_reconnect() {
			return Error::Unreachable { url: String::new(), reason: e.to_string() };
		}
		if let Some(d) = dispatch_error_of(&e) {
			return from_dispatch(d);
		}
		let msg = e.to_string();
		if is_connection_message(&msg) {
			return Error::Unreachable { url: String::new(), reason: msg };
		}
		if msg.contains("Invalid Transaction") || msg.contains("Transaction is invalid") {
			return Error::Invalid(msg);
		}
		Error::Other(msg)
	}
}

/// Whether an error message tells of a lost or refused connection.
fn is_connection_message(msg: &str) -> bool {
	let m = msg.to_ascii_lowercase();
	m.contains("restart required")
		|| m.contains("connection refused")
		|| m.contains("connection reset")
		|| m.contains("background task closed")
		|| m.contains("networking or low-level protocol error")
		|| m.contains("disconnected")
}

fn dispatch_error_of(e: &subxt::Error) -> Option<&subxt::error::DispatchError> {
	use subxt::error::{TransactionEventsError as Tee, TransactionFinalizedSuccessError as Tfs};
	match e {
		subxt::Error::TransactionEventsError(Tee::ExtrinsicFailed(d)) => Some(d),
		subxt::Error::TransactionFinalizedSuccessError(Tfs::SuccessError(
			Tee::ExtrinsicFailed(d),
		)) => Some(d),
		_ => None,
	}
}

/// A runtime dispatch error as [`Error::Dispatch`].
pub(crate) fn from_dispatch(d: &subxt::error::DispatchError) -> Error {
	use subxt::error::DispatchError as D;
	match d {
		D::Module(m) => match m.details() {
			Ok(details) => Error::Dispatch {
				pallet: details.pallet.name().to_string(),
				error: details.variant.name.clone(),
				docs: details.variant.docs.join(" ").trim().to_string(),
			},
			Err(_) => Error::Dispatch {
				pallet: String::new(),
				error: m.details_string(),
				docs: String::new(),
			},
		},
		other => {
			let debug = format!("{other:?}");
			Error::Dispatch { pallet: String::new(), error: debug, docs: other.to_string() }
		}
	}
}

impl fmt::Display for Error {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Error::BadInput(m) => write!(f, "{m}"),
			Error::Unreachable { url, reason } if url.is_empty() => {
				write!(f, "node unreachable: {reason}")
			}
			Error::Unreachable { url, reason } => write!(f, "node unreachable at {url}: {reason}"),
			Error::Dispatch { pallet, error, docs } => {
				let name =
					if pallet.is_empty() { error.clone() } else { format!("{pallet}.{error}") };
				match friendly(pallet, error) {
					Some(hint) => write!(f, "the chain refused the transaction: {hint} ({name})"),
					None if docs.is_empty() => {
						write!(f, "the chain refused the transaction: {name}")
					}
					None => write!(f, "the chain refused the transaction: {name}: {docs}"),
				}
			}
			Error::Invalid(m) => write!(f, "the transaction was refused: {m}"),
			Error::NotFound(m) => write!(f, "{m}"),
			Error::MetadataMismatch(m) => write!(f, "{m}"),
			Error::Timeout(m) => write!(f, "{m}"),
			Error::Other(m) => write!(f, "{m}"),
		}
	}
}

/// Clear messages for the errors users meet most.
fn friendly(pallet: &str, error: &str) -> Option<&'static str> {
	Some(match (pallet, error) {
		("Market", "UnknownProgram") | ("Verifier", "UnknownProgram") => {
			"unknown program: no program with this id is registered"
		}
		("Market", "InsufficientBalance") => "too little free balance for the escrow",
		("Verifier", "InsufficientBalance") => "too little free balance for the program deposit",
		("Provers", "InsufficientBalance") => "too little free balance for the stake",
		("Market", "UnknownRequest") => "unknown request",
		("Market", "WrongInputCount") => {
			"wrong number of public inputs for this program (the binding is added by the chain)"
		}
		("Market", "InvalidPublicInput") => {
			"a public input is not a canonical BN254 scalar (32 bytes little-endian below the field modulus)"
		}
		("Market", "MaxBaseFeeBelowMinimum") => "max base fee is below the lowest BaseFee",
		("Market", "EscrowBelowMinimum") => {
			"escrow too small: bid + max base fee (or an offer's max price) must be at least 0.001 ZK"
		}
		("Market", "InvalidExpiry") => "the expiry block must be in the future and within a day",
		("Market", "QueueFull") => "the auction queue is full and the bid does not beat the worst one",
		("Market", "TooManyOpenRequests") => "this account has too many open requests",
		("Market", "NotRequester") => "only the requester may cancel this request",
		("Market", "InvalidState") => "the request is not in a state that allows this",
		("Market", "RampUpStarted") => "the offer's ramp-up has started; it can no longer be cancelled",
		("Market", "RampStartOutOfRange") => {
			"the offer's ramp start is more than 60 s in the past or too far in the future"
		}
		("Market", "OfferExpired") => "the offer's final deadline has already passed",
		("Market", "OfferTooLong") => "the offer lasts longer than the maximum (7 days)",
		("Market", "MinPriceAboveMax") => "the offer's min price is above its max price",
		("Market", "RampLongerThanLock") => "the offer's ramp is longer than its lock timeout",
		("Market", "LockTimeoutAfterTimeout") => "the offer's lock timeout is after its timeout",
		("Market", "CollateralOutOfBounds") => {
			"the lock collateral is outside [0.01 ZK, 10000 ZK]"
		}
		("Verifier", "ProgramExists") => "this program is already registered",
		("Verifier", "InvalidVerifyingKey") => {
			"not a valid Groth16 BN254 verifying key (arkworks compressed) with a binding input"
		}
		("Verifier", "TooManyInputs") => "the verifying key has too many public inputs",
		("Provers", "AlreadyRegistered") => "this account is already a registered prover",
		("Provers", "StakeBelowMinimum") => "the stake is below the minimum (32 ZK)",
		_ => return None,
	})
}

impl std::error::Error for Error {}

macro_rules! from_subxt {
	($($t:ty),* $(,)?) => {$(
		impl From<$t> for Error {
			fn from(e: $t) -> Self {
				Error::from_subxt(e.into())
			}
		}
	)*};
}

from_subxt!(
	subxt::Error,
	subxt::error::OnlineClientError,
	subxt::error::OnlineClientAtBlockError,
	subxt::error::BlocksError,
	subxt::error::BlockError,
	subxt::error::BackendError,
	subxt::error::RuntimeApiError,
	subxt::error::StorageError,
	subxt::error::StorageValueError,
	subxt::error::StorageKeyError,
	subxt::error::EventsError,
	subxt::error::ExtrinsicError,
	subxt::error::ConstantError,
	subxt::error::TransactionProgressError,
	subxt::error::TransactionStatusError,
	subxt::error::TransactionEventsError,
	subxt::error::TransactionFinalizedSuccessError,
	subxt::rpcs::Error,
);

impl From<std::io::Error> for Error {
	fn from(e: std::io::Error) -> Self {
		Error::Other(e.to_string())
	}
}

impl From<serde_json::Error> for Error {
	fn from(e: serde_json::Error) -> Self {
		Error::Other(format!("JSON: {e}"))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn exit_codes() {
		assert_eq!(Error::Other("x".into()).exit_code(), 1);
		assert_eq!(Error::bad_input("x").exit_code(), 2);
		assert_eq!(Error::Unreachable { url: "u".into(), reason: "r".into() }.exit_code(), 3);
		let d = Error::Dispatch {
			pallet: "Market".into(),
			error: "UnknownProgram".into(),
			docs: String::new(),
		};
		assert_eq!(d.exit_code(), 4);
		assert!(d.is_dispatch("Market", "UnknownProgram"));
		assert!(d.to_string().contains("unknown program"));
		assert_eq!(Error::Invalid("x".into()).exit_code(), 4);
		assert_eq!(Error::NotFound("x".into()).exit_code(), 5);
		assert_eq!(Error::MetadataMismatch("x".into()).exit_code(), 6);
		assert_eq!(Error::Timeout("x".into()).exit_code(), 7);
	}
}
