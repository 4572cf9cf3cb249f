//! What the CLI makes of an error: the exit code and the one line users read.
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

use zkmarket_client::Error;

/// The process exit code for `e` (the table above).
pub fn exit_code(e: &Error) -> u8 {
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

/// The error line for users: the error, with a plain-words hint for the
/// dispatch errors users meet most.
pub fn message(e: &Error) -> String {
	if let Error::Dispatch { pallet, error, .. } = e {
		if let Some(hint) = hint(pallet, error) {
			let name = zkmarket_client::error::dispatch_name(pallet, error);
			return format!("the chain refused the transaction: {hint} ({name})");
		}
	}
	e.to_string()
}

/// Clear messages for the dispatch errors users meet most.
pub fn hint(pallet: &str, error: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn exit_codes_and_messages() {
		assert_eq!(exit_code(&Error::Other("x".into())), 1);
		assert_eq!(exit_code(&Error::bad_input("x")), 2);
		assert_eq!(exit_code(&Error::unreachable("u", "r")), 3);
		let d = Error::Dispatch {
			pallet: "Market".into(),
			error: "UnknownProgram".into(),
			docs: String::new(),
		};
		assert_eq!(exit_code(&d), 4);
		assert_eq!(
			message(&d),
			"the chain refused the transaction: unknown program: no program with this id is \
			 registered (Market.UnknownProgram)"
		);
		let other = Error::Dispatch {
			pallet: "Market".into(),
			error: "Other".into(),
			docs: "Docs.".into(),
		};
		assert_eq!(message(&other), "the chain refused the transaction: Market.Other: Docs.");
		assert_eq!(exit_code(&Error::Invalid("x".into())), 4);
		assert_eq!(exit_code(&Error::NotFound("x".into())), 5);
		assert_eq!(exit_code(&Error::MetadataMismatch("x".into())), 6);
		assert_eq!(exit_code(&Error::Timeout("x".into())), 7);
	}
}
