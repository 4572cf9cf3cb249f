//! Runtime API of the market: what a client needs without decoding storage.
use crate::{Pricing, RequestState};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

use zkmarket_primitives::traits::{ProgramId, PublicInput, RequestId};

/// A request as clients see it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct RequestView<AccountId, Balance, BlockNumber> {
	/// Request id.
	pub id: RequestId,
	/// Who pays.
	pub requester: AccountId,
	/// Program to prove.
	pub program: ProgramId,
	/// Public inputs.
	pub inputs: Vec<PublicInput>,
	/// Auction bid or offer.
	pub pricing: Pricing<Balance>,
	/// Funds held for it now.
	pub escrow: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Expiry block of an auction bid.
	pub expires_at: BlockNumber,
	/// Current state.
	pub state: RequestState<AccountId, Balance, BlockNumber>,
}

/// Where a would-be auction bid ranks now and what it would pay.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct BidQuote<Balance> {
	/// 0-based rank among the eligible queued bids.
	pub rank: u32,
	/// What it would pay if it won now: next lower bid + BaseFee.
	pub price: Balance,
	/// Free job slots now (it wins if `rank < capacity`).
	pub capacity: u32,
	/// Current BaseFee.
	pub base_fee: Balance,
}

sp_api::decl_runtime_apis! {
	/// Market queries.
	pub trait MarketApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The current BaseFee.
		fn base_fee() -> Balance;
		/// The last BaseFee change: block, old value, new value.
		fn last_base_fee_change() -> Option<(BlockNumber, Balance, Balance)>;
		/// Price of offer `id` at UNIX time `at` (now when `None`); `None` if not an offer.
		fn offer_price(id: RequestId, at: Option<u64>) -> Option<Balance>;
		/// A request by id.
		fn request(id: RequestId) -> Option<RequestView<AccountId, Balance, BlockNumber>>;
		/// The verified proof (arkworks compressed bytes) of settled request `id`,
		/// kept as long as the closed request (`ClosedRetention` blocks); `None`
		/// for requests not settled or already pruned.
		fn proof(id: RequestId) -> Option<Vec<u8>>;
		/// Open (not closed) requests with id >= `from`, at most `limit` (<= 100).
		fn open_requests(from: RequestId, limit: u32) -> Vec<RequestView<AccountId, Balance, BlockNumber>>;
		/// Number of queued auction bids.
		fn queue_len() -> u32;
		/// Where a bid of `bid` would rank now and what it would pay.
		fn quote_bid(bid: Balance) -> BidQuote<Balance>;
	}
}
