//! Errors of the client library: one [`Error`] whose variants say what went
//! wrong (bad input, node unreachable, refused by the chain or its pool, not
//! found, metadata mismatch, timeout), with the chain client's errors
//! classified by variant and kept as sources. What a program does with them
//! (exit codes, hints for users) is the program's: the CLI's are in
//! `zkmarket-cli/src/exit.rs`.

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

/// A dispatch error's name: `Pallet.Error`, or the error alone outside a pallet.
pub fn dispatch_name(pallet: &str, error: &str) -> String {
	if pallet.is_empty() {
		error.to_string()
	} else {
		format!("{pallet}.{error}")
	}
}

fn dispatch_message(pallet: &str, error: &str, docs: &str) -> String {
	let name = dispatch_name(pallet, error);
	if docs.is_empty() {
		format!("the chain refused the transaction: {name}")
	} else {
		format!("the chain refused the transaction: {name}: {docs}")
	}
}

/// The node's author RPC error codes of transactions the pool refuses
/// (`sc-rpc-api`'s `author::error`: 1010 invalid, 1011 unknown validity, 1012
/// temporarily banned, 1013 already imported, 1014 priority too low, 1015
/// cycle, 1016 immediately dropped, 1017 unactionable, 1018 no tags, 1019
/// invalid block id, 1020 future transaction refused).
const POOL_ERROR_CODES: std::ops::RangeInclusive<i32> = 1010..=1020;

impl Error {
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
	fn messages() {
		assert_eq!(Error::unreachable("u", "r").to_string(), "node unreachable at u: r");
		assert_eq!(
			Error::unreachable("", "r").at("ws://x").to_string(),
			"node unreachable at ws://x: r"
		);
		let d = Error::Dispatch {
			pallet: "Market".into(),
			error: "UnknownProgram".into(),
			docs: "No such program.".into(),
		};
		assert!(d.is_dispatch("Market", "UnknownProgram"));
		assert!(!d.is_dispatch("Verifier", "UnknownProgram"));
		assert_eq!(
			d.to_string(),
			"the chain refused the transaction: Market.UnknownProgram: No such program."
		);
		assert_eq!(Error::Invalid("x".into()).to_string(), "the transaction was refused: x");
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
		// Another answer of the node: kept whole as `Chain`, with its source.
		let e = Error::from_subxt(subxt::Error::OtherRpcClientError(user_error(
			-32601,
			"Method not found",
		)));
		assert!(matches!(&e, Error::Chain(_)), "{e}");
		assert!(e.to_string().contains("Method not found"), "{e}");
		// A transport failure: `Unreachable`, the transport error as its source.
		let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
		let lost = subxt::Error::RuntimeApiError(RuntimeApiError::CannotCallApi(
			BackendError::Rpc(RpcError::ClientError(subxt::rpcs::Error::Client(Box::new(io)))),
		));
		let e = Error::from_subxt(lost);
		assert!(matches!(&e, Error::Unreachable { reason, .. } if reason == "refused"), "{e}");
		assert!(e.source().is_some());
		let e = Error::from_subxt(subxt::Error::OtherRpcClientError(
			subxt::rpcs::Error::DisconnectedWillReconnect("gone".into()),
		));
		assert!(matches!(e, Error::Unreachable { .. }), "{e}");
	}
}
