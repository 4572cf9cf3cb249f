//! The `market_*` JSON-RPC methods: BaseFee, offer prices, provers, requests and
//! bid quotes, read through the runtime APIs at the best block (or `at`).
//!
//! Balances are decimal strings (they exceed JavaScript's safe integers);
//! accounts are SS58 strings; hashes and inputs are 0x-hex.

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObjectOwned, ErrorObject},
};
use pallet_market::{
	runtime_api::{MarketApi, RequestView},
	Fulfilment, Pricing, RequestState,
};
use pallet_provers::runtime_api::ProversApi;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::{AccountId32, Ss58Codec};
use std::sync::Arc;
use zkmarket_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Hash};

/// The market RPC.
#[rpc(server)]
pub trait MarketRpcApi {
	/// Current BaseFee and its last change.
	#[method(name = "market_baseFee")]
	fn base_fee(&self, at: Option<Hash>) -> RpcResult<Value>;

	/// Price of offer `id` at UNIX time `time` (seconds; now when omitted).
	#[method(name = "market_offerPrice")]
	fn offer_price(&self, id: u64, time: Option<u64>, at: Option<Hash>) -> RpcResult<Value>;

	/// A prover's effective stake (decay applied), reputation and open jobs.
	#[method(name = "market_prover")]
	fn prover(&self, who: String, at: Option<Hash>) -> RpcResult<Value>;

	/// A request by id.
	#[method(name = "market_request")]
	fn request(&self, id: u64, at: Option<Hash>) -> RpcResult<Value>;

	/// The verified proof of settled request `id` with what it proves: program,
	/// public inputs and the prover (whose binding input it carries).
	#[method(name = "market_proof")]
	fn proof(&self, id: u64, at: Option<Hash>) -> RpcResult<Value>;

	/// Open requests with id >= `from`, at most `limit` (<= 100).
	#[method(name = "market_openRequests")]
	fn open_requests(
		&self,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Value>;

	/// Where an auction bid of `bid` would rank now and what it would pay.
	#[method(name = "market_quoteBid")]
	fn quote_bid(&self, bid: String, at: Option<Hash>) -> RpcResult<Value>;
}

/// Implementation over a client with the market runtime APIs.
pub struct MarketRpc<C> {
	client: Arc<C>,
}

impl<C> MarketRpc<C> {
	/// New RPC handler.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

fn err(code: i32, msg: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, msg.into(), None::<()>)
}

fn api_err(e: impl std::fmt::Debug) -> ErrorObjectOwned {
	err(1, format!("runtime API error: {e:?}"))
}

fn bal(b: Balance) -> Value {
	Value::String(b.to_string())
}

fn acc(a: &AccountId) -> Value {
	let raw: [u8; 32] = a.clone().into();
	Value::String(AccountId32::from(raw).to_ss58check())
}

fn pricing_json(p: &Pricing<Balance>) -> Value {
	match p {
		Pricing::Auction { bid, max_base_fee } => {
			json!({"type": "auction", "bid": bal(*bid), "maxBaseFee": bal(*max_base_fee)})
		}
		Pricing::Offer {
			min_price,
			max_price,
			ramp_up_start,
			ramp_up_period,
			lock_timeout,
			timeout,
			lock_collateral,
		} => json!({
			"type": "offer", "minPrice": bal(*min_price), "maxPrice": bal(*max_price),
			"rampUpStart": ramp_up_start, "rampUpPeriod": ramp_up_period,
			"lockTimeout": lock_timeout, "timeout": timeout, "lockCollateral": bal(*lock_collateral),
		}),
	}
}

fn state_json(s: &RequestState<AccountId, Balance, BlockNumber>) -> Value {
	match s {
		RequestState::Queued => json!({"status": "Queued"}),
		RequestState::Assigned { prover, price, deadline } => {
			json!({"status": "Assigned", "prover": acc(prover), "price": bal(*price), "deadline": deadline})
		}
		RequestState::Open => json!({"status": "Open"}),
		RequestState::Locked { prover, price, collateral } => json!({
			"status": "Locked", "prover": acc(prover), "price": bal(*price), "collateral": bal(*collateral)
		}),
		RequestState::BountyOpen { slashed, bounty } => {
			json!({"status": "BountyOpen", "slashed": acc(slashed), "bounty": bal(*bounty)})
		}
		RequestState::ProofSubmitted { prover, fulfilment, at } => {
			let f = match fulfilment {
				Fulfilment::Assignment { price, deadline } => {
					json!({"kind": "assignment", "price": bal(*price), "deadline": deadline})
				}
				Fulfilment::Locked { price, collateral } => {
					json!({"kind": "locked", "price": bal(*price), "collateral": bal(*collateral)})
				}
				Fulfilment::Open { price } => json!({"kind": "open", "price": bal(*price)}),
				Fulfilment::Bounty { from, amount } => {
					json!({"kind": "bounty", "from": acc(from), "amount": bal(*amount)})
				}
			};
			json!({"status": "ProofSubmitted", "prover": acc(prover), "fulfilment": f, "at": at})
		}
		RequestState::Settled { prover, paid } => {
			json!({"status": "Settled", "prover": acc(prover), "paid": bal(*paid)})
		}
		RequestState::Expired => json!({"status": "Expired"}),
		RequestState::Cancelled => json!({"status": "Cancelled"}),
	}
}

fn request_json(r: &RequestView<AccountId, Balance, BlockNumber>) -> Value {
	json!({
		"id": r.id,
		"requester": acc(&r.requester),
		"program": format!("0x{}", hex_encode(&r.program)),
		"inputs": r.inputs.iter().map(|i| format!("0x{}", hex_encode(i))).collect::<Vec<_>>(),
		"pricing": pricing_json(&r.pricing),
		"escrow": bal(r.escrow),
		"submittedAt": r.submitted_at,
		"expiresAt": r.expires_at,
		"state": state_json(&r.state),
	})
}

fn hex_encode(b: &[u8]) -> String {
	b.iter().map(|x| format!("{x:02x}")).collect()
}

impl<C> MarketRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
{
	fn at(&self, at: Option<Hash>) -> Hash {
		at.unwrap_or_else(|| self.client.info().best_hash)
	}
}

impl<C> MarketRpcApiServer for MarketRpc<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api:
		MarketApi<Block, AccountId, Balance, BlockNumber> + ProversApi<Block, AccountId, Balance>,
{
	fn base_fee(&self, at: Option<Hash>) -> RpcResult<Value> {
		let api = self.client.runtime_api();
		let at = self.at(at);
		let fee = api.base_fee(at).map_err(api_err)?;
		let last = api.last_base_fee_change(at).map_err(api_err)?;
		Ok(json!({
			"baseFee": bal(fee),
			"lastChange": last.map(|(block, old, new)| json!({"block": block, "old": bal(old), "new": bal(new)})),
		}))
	}

	fn offer_price(&self, id: u64, time: Option<u64>, at: Option<Hash>) -> RpcResult<Value> {
		let price = self
			.client
			.runtime_api()
			.offer_price(self.at(at), id, time)
			.map_err(api_err)?
			.ok_or_else(|| err(2, format!("request {id} does not exist or is not an offer")))?;
		Ok(json!({"id": id, "time": time, "price": bal(price)}))
	}

	fn prover(&self, who: String, at: Option<Hash>) -> RpcResult<Value> {
		let account = AccountId32::from_ss58check(&who)
			.map_err(|_| err(3, format!("`{who}` is not an SS58 address")))?;
		let raw: [u8; 32] = account.into();
		let view = self
			.client
			.runtime_api()
			.prover(self.at(at), AccountId::from(raw))
			.map_err(api_err)?
			.ok_or_else(|| err(4, format!("{who} is not a registered prover")))?;
		// Runtimes before ProversApi v2 have no capabilities: null.
		let caps = self
			.client
			.runtime_api()
			.capabilities(self.at(at), AccountId::from(raw))
			.ok()
			.flatten()
			.map(|c| {
				json!({
					"programs": c.programs.iter().map(|p| format!("0x{}", hex_encode(p))).collect::<Vec<_>>(),
					"kinds": c.kinds,
					"maxJobs": c.max_jobs,
				})
			});
		Ok(json!({
			"account": who,
			"effectiveStake": bal(view.effective_stake),
			"collateral": bal(view.collateral),
			"unbonding": bal(view.unbonding),
			"reputation": view.reputation.deconstruct(),
			"paused": view.paused,
			"activeJobs": view.active_jobs,
			"eligible": view.eligible,
			"capabilities": caps,
		}))
	}

	fn request(&self, id: u64, at: Option<Hash>) -> RpcResult<Value> {
		let r = self
			.client
			.runtime_api()
			.request(self.at(at), id)
			.map_err(api_err)?
			.ok_or_else(|| err(2, format!("request {id} does not exist")))?;
		Ok(request_json(&r))
	}

	fn proof(&self, id: u64, at: Option<Hash>) -> RpcResult<Value> {
		let api = self.client.runtime_api();
		let at = self.at(at);
		let r = api
			.request(at, id)
			.map_err(api_err)?
			.ok_or_else(|| err(2, format!("request {id} does not exist (or was pruned)")))?;
		let RequestState::Settled { prover, .. } = &r.state else {
			return Err(err(7, format!("request {id} is not settled")));
		};
		let proof = api
			.proof(at, id)
			.map_err(api_err)?
			.ok_or_else(|| err(7, format!("request {id} has no kept proof")))?;
		Ok(json!({
			"id": id,
			"program": format!("0x{}", hex_encode(&r.program)),
			"inputs": r.inputs.iter().map(|i| format!("0x{}", hex_encode(i))).collect::<Vec<_>>(),
			"prover": acc(prover),
			"proof": format!("0x{}", hex_encode(&proof)),
		}))
	}

	fn open_requests(
		&self,
		from: Option<u64>,
		limit: Option<u32>,
		at: Option<Hash>,
	) -> RpcResult<Value> {
		let limit = limit.unwrap_or(50);
		if limit == 0 || limit > 100 {
			return Err(err(5, "limit must be between 1 and 100"));
		}
		let list = self
			.client
			.runtime_api()
			.open_requests(self.at(at), from.unwrap_or(0), limit)
			.map_err(api_err)?;
		Ok(Value::Array(list.iter().map(request_json).collect()))
	}

	fn quote_bid(&self, bid: String, at: Option<Hash>) -> RpcResult<Value> {
		let bid: Balance = bid
			.parse()
			.map_err(|_| err(6, format!("`{bid}` is not a balance (decimal string)")))?;
		let q = self.client.runtime_api().quote_bid(self.at(at), bid).map_err(api_err)?;
		Ok(json!({
			"rank": q.rank,
			"price": bal(q.price),
			"capacity": q.capacity,
			"wouldWin": q.rank < q.capacity,
			"baseFee": bal(q.base_fee),
		}))
	}
}
