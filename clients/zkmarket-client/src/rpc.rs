//! The node's `market_*` JSON-RPC methods (docs/rpc.md), typed.

use crate::{
	types::{Balance, BlockNumber, RequestId},
	Conn, Error, Hash,
};
use serde::{Deserialize, Serialize};
use subxt::rpcs::rpc_params;

/// `market_baseFee`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseFeeRpc {
	/// Current BaseFee, planck.
	#[serde(with = "balance_str")]
	pub base_fee: Balance,
	/// The last change.
	pub last_change: Option<BaseFeeChange>,
}

/// A BaseFee change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseFeeChange {
	/// Block of the change.
	pub block: BlockNumber,
	/// Old value.
	#[serde(with = "balance_str")]
	pub old: Balance,
	/// New value.
	#[serde(with = "balance_str")]
	pub new: Balance,
}

/// `market_quoteBid`: where a bid would rank now and what it would pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BidQuote {
	/// 0-based rank among the eligible queued bids.
	pub rank: u32,
	/// Price if it won now (next lower bid + BaseFee), planck.
	#[serde(with = "balance_str")]
	pub price: Balance,
	/// Free job slots now.
	pub capacity: u32,
	/// `rank < capacity`.
	pub would_win: bool,
	/// Current BaseFee, planck.
	#[serde(with = "balance_str")]
	pub base_fee: Balance,
}

/// `market_proof`: the kept proof of a settled request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofRpc {
	/// Request id.
	pub id: RequestId,
	/// The settling prover (SS58).
	pub prover: String,
	/// Program id (0x hex).
	pub program: String,
	/// Public inputs (0x hex).
	pub inputs: Vec<String>,
	/// The proof (0x hex).
	pub proof: String,
}

mod balance_str {
	use serde::{de::Error, Deserialize, Deserializer, Serializer};
	pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&v.to_string())
	}
	pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
		let s = String::deserialize(d)?;
		s.parse().map_err(|_| D::Error::custom(format!("`{s}` is not a balance")))
	}
}

fn block_param(at: Option<Hash>) -> Option<String> {
	at.map(|h| format!("{h:?}"))
}

/// `market_baseFee` at `at` (best block when `None`).
pub async fn base_fee_rpc(conn: &Conn, at: Option<Hash>) -> Result<BaseFeeRpc, Error> {
	Ok(conn.rpc.request("market_baseFee", rpc_params![block_param(at)]).await?)
}

/// The current BaseFee at the best block (`market_baseFee`).
pub async fn base_fee(conn: &Conn) -> Result<Balance, Error> {
	Ok(base_fee_rpc(conn, None).await?.base_fee)
}

/// `market_quoteBid` for `bid` (planck) at the best block.
pub async fn quote_bid(conn: &Conn, bid: Balance) -> Result<BidQuote, Error> {
	Ok(conn.rpc.request("market_quoteBid", rpc_params![bid.to_string()]).await?)
}

/// `market_proof` at the best block; `None` when the node answers that the
/// request is unknown, not settled or its proof not kept.
pub async fn proof_rpc(conn: &Conn, id: RequestId) -> Result<Option<ProofRpc>, Error> {
	match conn.rpc.request::<ProofRpc>("market_proof", rpc_params![id]).await {
		Ok(p) => Ok(Some(p)),
		Err(subxt::rpcs::Error::User(e)) if e.code == 2 || e.code == 7 => Ok(None),
		Err(e) => Err(e.into()),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn rpc_json() {
		let q: BidQuote = serde_json::from_str(
			r#"{"rank":0,"price":"1000000000000000","capacity":2,"wouldWin":true,"baseFee":"5"}"#,
		)
		.unwrap();
		assert_eq!(q.price, 1_000_000_000_000_000);
		assert!(q.would_win);
		let f: BaseFeeRpc =
			serde_json::from_str(r#"{"baseFee":"1000000000000000","lastChange":null}"#).unwrap();
		assert_eq!(f.base_fee, 1_000_000_000_000_000);
		let f: BaseFeeRpc =
			serde_json::from_str(r#"{"baseFee":"7","lastChange":{"block":3,"old":"8","new":"7"}}"#)
				.unwrap();
		assert_eq!(f.last_change.unwrap().old, 8);
	}
}
