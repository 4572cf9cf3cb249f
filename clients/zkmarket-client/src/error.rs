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
use subxt::error::{
	AccountNonceError, BackendError, BlockError, BlocksError, EventsError, ExtrinsicError,
	OnlineClientAtBlockError, OnlineClientError, RpcError, RuntimeApiError, StorageError,
	TransactionEventsError, TransactionProgressError,
};
use subxt::rpcs::Error as RpcClientError;

/// A source error kept inside an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the client. Errors from the chain client
/// are classified by their variants (never by their message text) and keep
/// their source ([`std::error::Error::source`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// Bad user input: an amount, a key, hex, a file, an argument.
	#[error("{0}")]
	BadInput(String),
	/// The node could not be reached (or the connection was lost): the RPC
	/// client's transport failed, or a reconnecting client lost its connection.
	#[error("node unreachable{}: {reason}", at_url(url))]
	Unreachable {
		/// The URL tried (empty when not known where the error arose).
		url: String,
		/// Why, in words.
		reason: String,
		/// The transport error, when there is one.
		#[source]
		source: Option<BoxError>,
	},
	/// The chain refused a transaction at dispatch: `pallet::error` names the
	/// runtime's error variant, e.g. `Market` / `InsufficientBalance`.
	#[error("{}", dispatch_message(pallet, error, docs))]
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
	/// fees, priority too low, ...: the node's author RPC error codes
	/// 1010-1020) or dropped it; its nonce stays free.
	#[error("the transaction was refused: {0}")]
	Invalid(String),
	/// Something asked for does not exist.
	#[error("{0}")]
	NotFound(String),
	/// The node runs a runtime the client was not generated for.
	#[error("{0}")]
	MetadataMismatch(String),
	/// A timeout, or a request that closed without a proof.
	#[error("{0}")]
	Timeout(String),
	/// Any other error of the chain client (an RPC error the node answered,
	/// undecodable data, ...), kept whole.
	#[error(transparent)]
	Chain(Box<subxt::Error>),
	/// Malformed JSON (a key file, an RPC answer, a snarkjs file).
	#[error("JSON: {0}")]
	Json(#[from] serde_json::Error),
	/// A file or pipe could not be read or written.
	#[error(transparent)]
	Io(#[from] std::io::Error),
	/// Anything else, said in words.
	#[error("{0}")]
	Other(String),
}

fn at_url(url: &str) -> String {
	if url.is_empty() {
		String::new()
	} else {
		format!(" at {url}")
	}
}

fn dispatch_message(pallet: &str, error: &str, docs: &str) -> String {
	let name = if pallet.is_empty() { error.to_string() } else { format!("{pallet}.{error}") };
	match friendly(pallet, error) {
		Some(hint) => format!("the chain refused the transaction: {hint} ({name})"),
		None if docs.is_empty() => format!("the chain refused the transaction: {name}"),
		None => format!("the chain refused the transaction: {name}: {docs}"),
	}
}

/// The node's author RPC error codes of transactions the pool refuses
/// (`sc-rpc-api`'s `author::error`: 1010 invalid, 1011 unknown validity, 1012
/// temporarily banned, 1013 already imported, 1014 priority too low, 1015
/// cycle, 1016 immediately dropped, 1017 unactionable, 1018 no tags, 1019
/// invalid block id, 1020 future transaction refused).
const POOL_ERROR_CODES: std::ops::RangeInclusive<i32> = 1010..=1020;

impl Error {
	/// The process exit code for this error (see the module docs for the table).
	pub fn exit_code(&self) -> i32 {
		match self {
			Error::Other(_) | Error::Chain(_) | Error::Json(_) | Error::Io(_) => 1,
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

	/// [`Error::Unreachable`] without a source error.
	pub fn unreachable(url: impl Into<String>, reason: impl Into<String>) -> Self {
		Error::Unreachable { url: url.into(), reason: reason.into(), source: None }
	}

	/// The same error, with `url` as the node it concerns when it is
	/// [`Error::Unreachable`] without one.
	pub fn at(self, url: &str) -> Self {
		match self {
			Error::Unreachable { url: u, reason, source } if u.is_empty() => {
				Error::Unreachable { url: url.to_string(), reason, source }
			}
			e => e,
		}
	}

	/// A subxt error, classified by variant: a failed dispatch is
	/// [`Error::Dispatch`]; a transport failure or lost connection of the RPC
	/// client [`Error::Unreachable`]; a pool rejection (author RPC errors
	/// 1010-1020) [`Error::Invalid`]; anything else [`Error::Chain`].
	pub fn from_subxt(e: subxt::Error) -> Self {
		if let Some(d) = dispatch_error_of(&e) {
			return from_dispatch(d);
		}
		match rpc_error_of(&e) {
			Some(RpcClientError::DisconnectedWillReconnect(reason)) => Error::Unreachable {
				url: String::new(),
				reason: format!("connection lost, reconnecting ({reason})"),
				source: Some(Box::new(e)),
			},
			Some(RpcClientError::Client(transport)) => Error::Unreachable {
				url: String::new(),
				reason: transport.to_string(),
				source: Some(Box::new(e)),
			},
			Some(RpcClientError::User(u)) if POOL_ERROR_CODES.contains(&u.code) => {
				let data = u.data.as_ref().map(|d| format!(": {}", d.get())).unwrap_or_default();
				Error::Invalid(format!("{}{data} (code {})", u.message, u.code))
			}
			_ => Error::Chain(Box::new(e)),
		}
	}
}

/// The RPC client's error inside a subxt error, if the error came from it.
fn rpc_error_of(e: &subxt::Error) -> Option<&RpcClientError> {
	use subxt::Error as E;
	let backend = match e {
		E::OtherRpcClientError(r) => return Some(r),
		E::OnlineClientError(OnlineClientError::RpcError(r)) => return Some(r),
		E::BackendError(b) => b,
		E::OnlineClientError(OnlineClientError::CannotGetGenesisHash(b)) => b,
		E::BlocksError(
			BlocksError::CannotGetBlockHeaderStream(b) | BlocksError::CannotGetBlockHeader(b),
		) => b,
		E::OnlineClientAtBlockError(
			OnlineClientAtBlockError::CannotGetCurrentBlock { reason }
			| OnlineClientAtBlockError::CannotGetBlockHash { reason, .. }
			| OnlineClientAtBlockError::CannotGetBlockHeader { reason, .. }
			| OnlineClientAtBlockError::CannotGetSpecVersion { reason, .. },
		) => reason,
		E::BlockError(BlockError::CouldNotDownloadBlockHeader { reason, .. }) => reason,
		E::AccountNonceError(AccountNonceError::CouldNotRetrieve(b)) => b,
		E::RuntimeApiError(RuntimeApiError::CannotCallApi(b)) => b,
		E::EventsError(EventsError::CannotFetchEventBytes(b)) => b,
		E::ExtrinsicError(
			ExtrinsicError::CannotGetBlockBody(b)
			| ExtrinsicError::ErrorSubmittingTransaction(b)
			| ExtrinsicError::TransactionStatusStreamError(b)
			| ExtrinsicError::CannotGetFeeInfo(b)
			| ExtrinsicError::CannotGetValidationInfo(b),
		) => b,
		E::TransactionProgressError(TransactionProgressError::CannotGetNextProgressUpdate(b)) => b,
		E::TransactionEventsError(TransactionEventsError::CannotFetchBlockBody {
			error, ..
		}) => error,
		E::StorageError(
			StorageError::CannotFetchValue(b)
			| StorageError::CannotIterateValues(b)
			| StorageError::StreamFailure(b),
		) => b,
		_ => return None,
	};
	match backend {
		BackendError::Rpc(RpcError::ClientError(r)) => Some(r),
		_ => None,
	}
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

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn exit_codes() {
		assert_eq!(Error::Other("x".into()).exit_code(), 1);
		assert_eq!(Error::bad_input("x").exit_code(), 2);
		assert_eq!(Error::unreachable("u", "r").exit_code(), 3);
		assert_eq!(
			Error::unreachable("", "r").at("ws://x").to_string(),
			"node unreachable at ws://x: r"
		);
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

	fn user_error(code: i32, message: &str) -> subxt::rpcs::Error {
		subxt::rpcs::Error::User(subxt::rpcs::UserError {
			code,
			message: message.into(),
			data: None,
		})
	}

	#[test]
	fn subxt_errors_are_classified_by_variant_and_keep_their_source() {
		use std::error::Error as _;
		// A pool rejection, however deep in subxt's error types: `Invalid`.
		let refused = subxt::Error::ExtrinsicError(ExtrinsicError::ErrorSubmittingTransaction(
			BackendError::Rpc(RpcError::ClientError(user_error(1014, "Priority is too low"))),
		));
		let e = Error::from_subxt(refused);
		assert!(matches!(&e, Error::Invalid(m) if m.contains("Priority is too low")), "{e}");
		assert_eq!(e.exit_code(), 4);
		// Another answer of the node: kept whole as `Chain`, with its source.
		let e = Error::from_subxt(subxt::Error::OtherRpcClientError(user_error(
			-32601,
			"Method not found",
		)));
		assert!(matches!(e, Error::Chain(_)), "{e}");
		assert_eq!(e.exit_code(), 1);
		// A transport failure: `Unreachable`, the transport error as its source.
		let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
		let lost = subxt::Error::RuntimeApiError(RuntimeApiError::CannotCallApi(
			BackendError::Rpc(RpcError::ClientError(subxt::rpcs::Error::Client(Box::new(io)))),
		));
		let e = Error::from_subxt(lost);
		assert!(matches!(&e, Error::Unreachable { reason, .. } if reason == "refused"), "{e}");
		assert!(e.source().is_some());
		assert_eq!(e.exit_code(), 3);
		let e = Error::from_subxt(subxt::Error::OtherRpcClientError(
			subxt::rpcs::Error::DisconnectedWillReconnect("gone".into()),
		));
		assert!(matches!(e, Error::Unreachable { .. }), "{e}");
	}
}
