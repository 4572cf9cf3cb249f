//! Typed reads and transactions of the market.
//!
//! Reads come in two forms: `x(conn, ..)` reads at the **best** block, and
//! `x_at(&AtBlock, ..)` at a block of your choice (see [`Conn::block`]; several
//! reads at one block see one consistent state). Transactions wait until they
//! are **in a block** (not finalized) and map a failed dispatch to
//! [`Error::Dispatch`].

use crate::{zk, AccountId, AtBlock, Conn, Error, Hash, ProgramKind, ZkConfig};
use serde::{Deserialize, Serialize};
use subxt::{
	client::OnlineClientAtBlockImpl,
	config::DefaultExtrinsicParamsBuilder,
	extrinsics::ExtrinsicEvents,
	rpcs::rpc_params,
	transactions::{Payload, TransactionProgress, TransactionStatus},
};
use subxt_signer::sr25519::Keypair;

/// A request id.
pub type RequestId = u64;
/// A program id: blake2-256 of its verifying key.
pub type ProgramId = [u8; 32];
/// A public input: a 32-byte little-endian scalar.
pub type PublicInput = [u8; 32];
/// A balance in planck (1 ZK = 10^18).
pub type Balance = u128;
/// A block number.
pub type BlockNumber = u32;

type RtRequestView =
	zk::runtime_types::pallet_market::runtime_api::RequestView<AccountId, Balance, BlockNumber>;
type RtPricing = zk::runtime_types::pallet_market::types::Pricing<Balance>;
type RtState =
	zk::runtime_types::pallet_market::types::RequestState<AccountId, Balance, BlockNumber>;
type RtFulfilment =
	zk::runtime_types::pallet_market::types::Fulfilment<AccountId, Balance, BlockNumber>;

/// How a request is priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pricing {
	/// A bid in the per-block GSP auction.
	Auction {
		/// Offered on top of the BaseFee.
		bid: Balance,
		/// Highest BaseFee accepted.
		max_base_fee: Balance,
	},
	/// A reverse Dutch offer (times UNIX seconds; durations from `ramp_up_start`).
	Offer(Offer),
}

/// The terms of a reverse Dutch offer (pallets/market/src/types.rs `Pricing::Offer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
	/// Price until the ramp-up starts.
	pub min_price: Balance,
	/// Price at the end of the ramp-up, until the lock deadline (held in escrow).
	pub max_price: Balance,
	/// Start of the ramp-up, UNIX seconds (at most 60 s in the past, 7 days ahead).
	pub ramp_up_start: u64,
	/// Length of the ramp-up, seconds.
	pub ramp_up_period: u64,
	/// Lock deadline, seconds after `ramp_up_start`.
	pub lock_timeout: u64,
	/// Final deadline, seconds after `ramp_up_start`.
	pub timeout: u64,
	/// Collateral a prover pledges when locking.
	pub lock_collateral: Balance,
}

impl Offer {
	/// The price at UNIX time `t`, as the chain computes it
	/// (primitives/market/src/dutch.rs): `min_price` until the ramp starts,
	/// linear (rounded down) up to `max_price` over the ramp, `max_price` until
	/// the lock deadline (inclusive), 0 after it.
	pub fn price_at(&self, t: u64) -> Balance {
		if t > self.lock_deadline() {
			return 0;
		}
		if t <= self.ramp_up_start {
			return self.min_price;
		}
		let elapsed = (t - self.ramp_up_start) as u128;
		let period = self.ramp_up_period as u128;
		if elapsed >= period {
			return self.max_price.max(self.min_price);
		}
		let rise = self.max_price.saturating_sub(self.min_price);
		// floor(rise * elapsed / period) without overflow (elapsed < period).
		let part = rise
			.checked_mul(elapsed)
			.map(|v| v / period)
			.unwrap_or_else(|| (rise / period) * elapsed + (rise % period) * elapsed / period);
		self.min_price.saturating_add(part)
	}
	/// Lock deadline, UNIX seconds.
	pub fn lock_deadline(&self) -> u64 {
		self.ramp_up_start.saturating_add(self.lock_timeout)
	}
	/// Final deadline, UNIX seconds.
	pub fn deadline(&self) -> u64 {
		self.ramp_up_start.saturating_add(self.timeout)
	}
}

/// What a submitted proof earns if valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fulfilment {
	/// An auction assignment.
	Assignment {
		/// GSP price.
		price: Balance,
		/// Proof deadline (block).
		deadline: BlockNumber,
	},
	/// A locked offer.
	Locked {
		/// Agreed price.
		price: Balance,
		/// Pledged collateral.
		collateral: Balance,
	},
	/// An unlocked offer at the price of the submission time.
	Open {
		/// Price at submission.
		price: Balance,
	},
	/// A bounty from a forfeited collateral.
	Bounty {
		/// Whose collateral.
		from: AccountId,
		/// The bounty.
		amount: Balance,
	},
}

/// The state of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestState {
	/// An auction bid waiting in the queue.
	Queued,
	/// Won the auction: `prover` proves by block `deadline` for `price`.
	Assigned {
		/// Assigned prover.
		prover: AccountId,
		/// GSP price.
		price: Balance,
		/// Proof deadline (block, inclusive).
		deadline: BlockNumber,
	},
	/// An offer nobody has locked.
	Open,
	/// An offer locked by `prover`.
	Locked {
		/// Locking prover.
		prover: AccountId,
		/// Agreed price.
		price: Balance,
		/// Pledged collateral.
		collateral: Balance,
	},
	/// A locked offer whose lock deadline passed: anyone may prove for `bounty`.
	BountyOpen {
		/// Whose collateral was forfeited.
		slashed: AccountId,
		/// The bounty.
		bounty: Balance,
	},
	/// A proof by `prover` awaits the verifiers.
	ProofSubmitted {
		/// Submitting prover.
		prover: AccountId,
		/// What it earns if valid.
		fulfilment: Fulfilment,
		/// Submission time, UNIX seconds.
		at: u64,
	},
	/// Proven and paid.
	Settled {
		/// Paid prover.
		prover: AccountId,
		/// What it earned.
		paid: Balance,
	},
	/// Closed without a proof; refunded.
	Expired,
	/// Cancelled by the requester; refunded.
	Cancelled,
}

impl RequestState {
	/// Whether the request is closed for good.
	pub fn is_closed(&self) -> bool {
		matches!(self, Self::Settled { .. } | Self::Expired | Self::Cancelled)
	}
	/// The state's name (`Queued`, `Assigned`, ...), as the `market_request` RPC.
	pub fn name(&self) -> &'static str {
		match self {
			Self::Queued => "Queued",
			Self::Assigned { .. } => "Assigned",
			Self::Open => "Open",
			Self::Locked { .. } => "Locked",
			Self::BountyOpen { .. } => "BountyOpen",
			Self::ProofSubmitted { .. } => "ProofSubmitted",
			Self::Settled { .. } => "Settled",
			Self::Expired => "Expired",
			Self::Cancelled => "Cancelled",
		}
	}
}

/// A request as the `MarketApi::request` runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestView {
	/// Request id.
	pub id: RequestId,
	/// Who pays.
	pub requester: AccountId,
	/// Program to prove.
	pub program: ProgramId,
	/// Public inputs (without the binding).
	pub inputs: Vec<PublicInput>,
	/// Auction bid or offer.
	pub pricing: Pricing,
	/// Funds held for it now.
	pub escrow: Balance,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// Last block an auction bid may be cleared.
	pub expires_at: BlockNumber,
	/// Current state.
	pub state: RequestState,
}

impl From<RtPricing> for Pricing {
	fn from(p: RtPricing) -> Self {
		match p {
			RtPricing::Auction { bid, max_base_fee } => Pricing::Auction { bid, max_base_fee },
			RtPricing::Offer {
				min_price,
				max_price,
				ramp_up_start,
				ramp_up_period,
				lock_timeout,
				timeout,
				lock_collateral,
			} => Pricing::Offer(Offer {
				min_price,
				max_price,
				ramp_up_start,
				ramp_up_period,
				lock_timeout,
				timeout,
				lock_collateral,
			}),
		}
	}
}

impl From<Pricing> for RtPricing {
	fn from(p: Pricing) -> Self {
		match p {
			Pricing::Auction { bid, max_base_fee } => RtPricing::Auction { bid, max_base_fee },
			Pricing::Offer(o) => RtPricing::Offer {
				min_price: o.min_price,
				max_price: o.max_price,
				ramp_up_start: o.ramp_up_start,
				ramp_up_period: o.ramp_up_period,
				lock_timeout: o.lock_timeout,
				timeout: o.timeout,
				lock_collateral: o.lock_collateral,
			},
		}
	}
}

impl From<RtFulfilment> for Fulfilment {
	fn from(f: RtFulfilment) -> Self {
		match f {
			RtFulfilment::Assignment { price, deadline } => {
				Fulfilment::Assignment { price, deadline }
			}
			RtFulfilment::Locked { price, collateral } => Fulfilment::Locked { price, collateral },
			RtFulfilment::Open { price } => Fulfilment::Open { price },
			RtFulfilment::Bounty { from, amount } => Fulfilment::Bounty { from, amount },
		}
	}
}

impl From<RtState> for RequestState {
	fn from(s: RtState) -> Self {
		match s {
			RtState::Queued => Self::Queued,
			RtState::Assigned { prover, price, deadline } => {
				Self::Assigned { prover, price, deadline }
			}
			RtState::Open => Self::Open,
			RtState::Locked { prover, price, collateral } => {
				Self::Locked { prover, price, collateral }
			}
			RtState::BountyOpen { slashed, bounty } => Self::BountyOpen { slashed, bounty },
			RtState::ProofSubmitted { prover, fulfilment, at } => {
				Self::ProofSubmitted { prover, fulfilment: fulfilment.into(), at }
			}
			RtState::Settled { prover, paid } => Self::Settled { prover, paid },
			RtState::Expired => Self::Expired,
			RtState::Cancelled => Self::Cancelled,
		}
	}
}

impl From<RtRequestView> for RequestView {
	fn from(r: RtRequestView) -> Self {
		RequestView {
			id: r.id,
			requester: r.requester,
			program: r.program,
			inputs: r.inputs,
			pricing: r.pricing.into(),
			escrow: r.escrow,
			submitted_at: r.submitted_at,
			expires_at: r.expires_at,
			state: r.state.into(),
		}
	}
}

/// A prover as the `ProversApi::prover` runtime API returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProverInfo {
	/// Stake after pending decay.
	pub effective_stake: Balance,
	/// Lock collateral pledged.
	pub collateral: Balance,
	/// Stake being unbonded.
	pub unbonding: Balance,
	/// Reputation, parts per billion.
	pub reputation: u32,
	/// Paused by its owner.
	pub paused: bool,
	/// Unfinished jobs.
	pub active_jobs: u32,
	/// Can take new work now.
	pub eligible: bool,
}

/// What a prover declared it serves (`provers.set_capabilities`, storage
/// `Provers::Capabilities`): the auction deals it only requests for these
/// programs, or programs of these kinds, and at most `max_jobs` at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
	/// Program ids (sorted).
	pub programs: Vec<ProgramId>,
	/// Kinds of which it serves every program, as kind indexes (3 SP1, 4 RISC
	/// Zero; [`ProgramKind::index`]), sorted.
	pub kinds: Vec<u8>,
	/// Jobs it takes at once.
	pub max_jobs: u32,
}

/// A registered program (storage `Verifier::Programs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramInfo {
	/// Who registered it.
	pub owner: AccountId,
	/// How its proofs are written and its public inputs derived.
	pub kind: ProgramKind,
	/// The verifying key (arkworks compressed, whatever the kind).
	pub vk: Vec<u8>,
	/// SP1 programs: the selector their proofs start with.
	pub selector: Option<[u8; 4]>,
	/// Public inputs a request carries (without the binding).
	pub inputs: u32,
	/// Deposit held from the owner.
	pub deposit: Balance,
}

// ---------------------------------------------------------------------------
// Reads at a block.

/// A request, or `None` if it does not exist (or was pruned).
pub async fn request_at(at: &AtBlock, id: RequestId) -> Result<Option<RequestView>, Error> {
	let r = at.runtime_apis().call(zk::runtime_apis().market_api().request(id)).await?;
	Ok(r.map(Into::into))
}

/// [`request_at`] at the best block.
pub async fn request(conn: &Conn, id: RequestId) -> Result<Option<RequestView>, Error> {
	request_at(&conn.best().await?, id).await
}

/// The verified proof of settled request `id`, kept while the closed request
/// is retained; `None` if not settled or pruned.
pub async fn proof_at(at: &AtBlock, id: RequestId) -> Result<Option<Vec<u8>>, Error> {
	Ok(at.runtime_apis().call(zk::runtime_apis().market_api().proof(id)).await?)
}

/// [`proof_at`] at the best block.
pub async fn proof(conn: &Conn, id: RequestId) -> Result<Option<Vec<u8>>, Error> {
	proof_at(&conn.best().await?, id).await
}

/// Open (not closed) requests with id >= `from`, at most `limit` (1..=100).
pub async fn open_requests_at(
	at: &AtBlock,
	from: RequestId,
	limit: u32,
) -> Result<Vec<RequestView>, Error> {
	if limit == 0 || limit > 100 {
		return Err(Error::bad_input("limit must be between 1 and 100"));
	}
	let list =
		at.runtime_apis().call(zk::runtime_apis().market_api().open_requests(from, limit)).await?;
	Ok(list.into_iter().map(Into::into).collect())
}

/// [`open_requests_at`] at the best block.
pub async fn open_requests(
	conn: &Conn,
	from: RequestId,
	limit: u32,
) -> Result<Vec<RequestView>, Error> {
	open_requests_at(&conn.best().await?, from, limit).await
}

/// The current BaseFee (runtime API).
pub async fn base_fee_at(at: &AtBlock) -> Result<Balance, Error> {
	Ok(at.runtime_apis().call(zk::runtime_apis().market_api().base_fee()).await?)
}

/// The price of offer `id` at UNIX time `time` (the block's time when `None`).
pub async fn offer_price_at(
	at: &AtBlock,
	id: RequestId,
	time: Option<u64>,
) -> Result<Option<Balance>, Error> {
	Ok(at.runtime_apis().call(zk::runtime_apis().market_api().offer_price(id, time)).await?)
}

/// A registered program, or `None`.
pub async fn program_at(at: &AtBlock, program: ProgramId) -> Result<Option<ProgramInfo>, Error> {
	let v = at.storage().try_fetch(zk::storage().verifier().programs(), (program,)).await?;
	let Some(v) = v else { return Ok(None) };
	let p = v.decode()?;
	Ok(Some(ProgramInfo {
		owner: p.owner,
		kind: kind_from_chain(p.kind),
		vk: p.vk.0,
		selector: p.selector,
		inputs: p.inputs,
		deposit: p.deposit,
	}))
}

type ChainKind = zk::runtime_types::zkmarket_groth16_formats::kind::ProgramKind;

fn kind_from_chain(k: ChainKind) -> ProgramKind {
	match k {
		ChainKind::Arkworks => ProgramKind::Arkworks,
		ChainKind::Snarkjs => ProgramKind::Snarkjs,
		ChainKind::Gnark => ProgramKind::Gnark,
		ChainKind::Sp1 { vkey_hash, vk_root } => ProgramKind::Sp1 { vkey_hash, vk_root },
		ChainKind::Risc0 { image_id, control_root, bn254_control_id } => {
			ProgramKind::Risc0 { image_id, control_root, bn254_control_id }
		}
	}
}

fn kind_to_chain(k: ProgramKind) -> ChainKind {
	match k {
		ProgramKind::Arkworks => ChainKind::Arkworks,
		ProgramKind::Snarkjs => ChainKind::Snarkjs,
		ProgramKind::Gnark => ChainKind::Gnark,
		ProgramKind::Sp1 { vkey_hash, vk_root } => ChainKind::Sp1 { vkey_hash, vk_root },
		ProgramKind::Risc0 { image_id, control_root, bn254_control_id } => {
			ChainKind::Risc0 { image_id, control_root, bn254_control_id }
		}
	}
}

/// The verifying key of a registered program, or `None`.
pub async fn program_vk_at(at: &AtBlock, program: ProgramId) -> Result<Option<Vec<u8>>, Error> {
	Ok(program_at(at, program).await?.map(|p| p.vk))
}

/// [`program_vk_at`] at the best block.
pub async fn program_vk(conn: &Conn, program: ProgramId) -> Result<Option<Vec<u8>>, Error> {
	program_vk_at(&conn.best().await?, program).await
}

/// A prover's state (runtime API `ProversApi::prover`), or `None` if not registered.
pub async fn prover_info_at(at: &AtBlock, who: &AccountId) -> Result<Option<ProverInfo>, Error> {
	let v = at.runtime_apis().call(zk::runtime_apis().provers_api().prover(*who)).await?;
	Ok(v.map(|v| ProverInfo {
		effective_stake: v.effective_stake,
		collateral: v.collateral,
		unbonding: v.unbonding,
		reputation: v.reputation.0,
		paused: v.paused,
		active_jobs: v.active_jobs,
		eligible: v.eligible,
	}))
}

/// What `who` declared it serves (storage `Provers::Capabilities`), or `None`
/// if it declared nothing (then it is dealt no auction work). Unlike the
/// runtime API `ProversApi::capabilities`, which shows an undeclared prover as
/// empty lists, this tells "never declared" apart.
pub async fn capabilities_at(at: &AtBlock, who: &AccountId) -> Result<Option<Capabilities>, Error> {
	let v = at.storage().try_fetch(zk::storage().provers().capabilities(), (*who,)).await?;
	let Some(v) = v else { return Ok(None) };
	let c = v.decode()?;
	Ok(Some(Capabilities { programs: c.programs.0, kinds: c.kinds.0, max_jobs: c.max_jobs }))
}

/// [`capabilities_at`] at the best block.
pub async fn capabilities(conn: &Conn, who: &AccountId) -> Result<Option<Capabilities>, Error> {
	capabilities_at(&conn.best().await?, who).await
}

/// [`prover_info_at`] at the best block.
pub async fn prover_info(conn: &Conn, who: &AccountId) -> Result<Option<ProverInfo>, Error> {
	prover_info_at(&conn.best().await?, who).await
}

/// Free balance of an account (0 if it does not exist).
pub async fn free_balance_at(at: &AtBlock, who: &AccountId) -> Result<Balance, Error> {
	let v = at.storage().try_fetch(zk::storage().system().account(), (*who,)).await?;
	Ok(match v {
		Some(v) => v.decode()?.data.free,
		None => 0,
	})
}

/// The chain's time at a block, UNIX seconds (`Timestamp::Now`).
pub async fn now_secs_at(at: &AtBlock) -> Result<u64, Error> {
	let v = at.storage().try_fetch(zk::storage().timestamp().now(), ()).await?;
	Ok(match v {
		Some(v) => v.decode()? / 1000,
		None => 0,
	})
}

// ---------------------------------------------------------------------------
// JSON RPC `market_*`.

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

// ---------------------------------------------------------------------------
// Events.

/// An event about one request (market and verifier events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestEvent {
	/// Submitted; `escrow` held.
	Submitted {
		/// Requester.
		requester: AccountId,
		/// Program.
		program: ProgramId,
		/// Escrow held.
		escrow: Balance,
	},
	/// Cancelled; `refund` released.
	Cancelled {
		/// Refund.
		refund: Balance,
	},
	/// Closed without a proof; `refund` released.
	Expired {
		/// Refund.
		refund: Balance,
	},
	/// Evicted from a full queue by the better bid `by`; `refund` released.
	Evicted {
		/// The bid that took its place.
		by: RequestId,
		/// Refund.
		refund: Balance,
	},
	/// Removed from storage at once (its pruning block was full).
	Pruned,
	/// Won the auction.
	Assigned {
		/// Prover.
		prover: AccountId,
		/// GSP price.
		price: Balance,
		/// Rank among the winners.
		rank: u32,
		/// Proof deadline (block).
		deadline: BlockNumber,
	},
	/// An offer was locked.
	Locked {
		/// Prover.
		prover: AccountId,
		/// Agreed price.
		price: Balance,
		/// Pledged collateral.
		collateral: Balance,
	},
	/// A proof was submitted and awaits verification.
	ProofSubmitted {
		/// Prover.
		prover: AccountId,
	},
	/// Proven and paid.
	Settled {
		/// Prover.
		prover: AccountId,
		/// Paid to the prover.
		paid: Balance,
		/// Refunded to the requester.
		refund: Balance,
	},
	/// The proof was invalid; the prover was slashed.
	Rejected {
		/// Prover.
		prover: AccountId,
		/// Slashed.
		slashed: Balance,
	},
	/// No verdict in time; the request returned to the market.
	VerificationUndecided {
		/// Prover.
		prover: AccountId,
	},
	/// The assigned prover missed its deadline and was slashed.
	DeadlineMissed {
		/// Prover.
		prover: AccountId,
		/// Slashed.
		slashed: Balance,
	},
	/// A locked offer missed its lock deadline; a bounty is open.
	LockMissed {
		/// Prover.
		prover: AccountId,
		/// Forfeited collateral.
		collateral: Balance,
		/// Bounty now open.
		bounty: Balance,
	},
	/// Back in the auction queue.
	Requeued,
	/// The assigned prover gave the assignment back.
	AssignmentDeclined {
		/// Prover.
		prover: AccountId,
	},
}

/// The request events of a block, in order, as `(request id, event)`.
pub async fn request_events_at(at: &AtBlock) -> Result<Vec<(RequestId, RequestEvent)>, Error> {
	use zk::market::Event as M;
	let events = at.events().fetch().await?;
	let mut out = Vec::new();
	for ev in events.iter() {
		let ev = ev?;
		if ev.pallet_name() != "Market" {
			continue;
		}
		let Ok(zk::Event::Market(m)) = ev.decode_as::<zk::Event>() else { continue };
		let item = match m {
			M::RequestSubmitted { id, requester, program, escrow } => {
				(id, RequestEvent::Submitted { requester, program, escrow })
			}
			M::RequestCancelled { id, refund } => (id, RequestEvent::Cancelled { refund }),
			M::RequestExpired { id, refund } => (id, RequestEvent::Expired { refund }),
			M::BidEvicted { id, by, refund } => (id, RequestEvent::Evicted { by, refund }),
			M::RequestPruned { id } => (id, RequestEvent::Pruned),
			M::Assigned { id, prover, price, rank, deadline } => {
				(id, RequestEvent::Assigned { prover, price, rank, deadline })
			}
			M::RequestLocked { id, prover, price, collateral } => {
				(id, RequestEvent::Locked { prover, price, collateral })
			}
			M::ProofSubmitted { id, prover } => (id, RequestEvent::ProofSubmitted { prover }),
			M::RequestSettled { id, prover, paid, refund } => {
				(id, RequestEvent::Settled { prover, paid, refund })
			}
			M::ProofRejected { id, prover, slashed } => {
				(id, RequestEvent::Rejected { prover, slashed })
			}
			M::VerificationUndecided { id, prover } => {
				(id, RequestEvent::VerificationUndecided { prover })
			}
			M::DeadlineMissed { id, prover, slashed } => {
				(id, RequestEvent::DeadlineMissed { prover, slashed })
			}
			M::LockMissed { id, prover, collateral, bounty } => {
				(id, RequestEvent::LockMissed { prover, collateral, bounty })
			}
			M::Requeued { id } => (id, RequestEvent::Requeued),
			M::AssignmentDeclined { id, prover } => {
				(id, RequestEvent::AssignmentDeclined { prover })
			}
			_ => continue,
		};
		out.push(item);
	}
	Ok(out)
}

// ---------------------------------------------------------------------------
// Transactions.

/// Signs and submits `call` from `signer` and waits until it is in a (best)
/// block, not finalized. Returns its events; a failed dispatch is
/// [`Error::Dispatch`], a transaction the pool refuses or drops
/// [`Error::Invalid`].
pub async fn submit<Call: Payload>(
	conn: &Conn,
	call: &Call,
	signer: &Keypair,
) -> Result<ExtrinsicEvents<ZkConfig>, Error> {
	Ok(submit_in_block(conn, call, signer).await?.events)
}

/// A transaction included in a block.
pub struct Included {
	/// Hash of the block it is in.
	pub block_hash: Hash,
	/// Its events.
	pub events: ExtrinsicEvents<ZkConfig>,
}

/// [`submit`], also returning the block hash.
pub async fn submit_in_block<Call: Payload>(
	conn: &Conn,
	call: &Call,
	signer: &Keypair,
) -> Result<Included, Error> {
	submit_with_nonce(conn, call, signer, None).await
}

/// [`submit_in_block`] with an explicit nonce. Without one, the nonce is the
/// node's `system_accountNextIndex` (which counts the account's transactions
/// waiting in the pool), so consecutive submissions from one account do not
/// collide. The transaction is built on the best block (mortal from it).
pub async fn submit_with_nonce<Call: Payload>(
	conn: &Conn,
	call: &Call,
	signer: &Keypair,
	nonce: Option<u64>,
) -> Result<Included, Error> {
	let nonce = match nonce {
		Some(n) => n,
		None => conn.legacy().system_account_next_index(&crate::keys::account(signer)).await?,
	};
	let params = DefaultExtrinsicParamsBuilder::<ZkConfig>::new().nonce(nonce).build();
	let mut tx = conn.best().await?.transactions();
	let progress =
		tx.sign_and_submit_then_watch(call, signer, params).await.map_err(
			|e| match Error::from(e) {
				Error::Other(m) => Error::Invalid(m),
				e => e,
			},
		)?;
	wait_in_block(progress).await
}

/// Waits until a submitted transaction is in a best block and succeeded.
/// Refused, invalid or dropped transactions are [`Error::Invalid`] (their
/// nonce stays free); a lost status subscription is [`Error::Unreachable`]
/// (the outcome is unknown: read the chain).
pub async fn wait_in_block(
	mut progress: TransactionProgress<ZkConfig, OnlineClientAtBlockImpl<ZkConfig>>,
) -> Result<Included, Error> {
	while let Some(status) = progress.next().await {
		match status? {
			TransactionStatus::InBestBlock(in_block)
			| TransactionStatus::InFinalizedBlock(in_block) => {
				let events = in_block.wait_for_success().await?;
				return Ok(Included { block_hash: in_block.block_hash(), events });
			}
			TransactionStatus::Error { message } => return Err(Error::Invalid(message)),
			TransactionStatus::Invalid { message } => return Err(Error::Invalid(message)),
			TransactionStatus::Dropped { message } => {
				return Err(Error::Invalid(format!("dropped: {message}")))
			}
			TransactionStatus::Validated
			| TransactionStatus::Broadcasted
			| TransactionStatus::NoLongerInBestBlock => {}
		}
	}
	Err(Error::Unreachable {
		url: String::new(),
		reason: "the transaction's status subscription ended before it was in a block".into(),
	})
}

/// A submitted request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submitted {
	/// Its id.
	pub id: RequestId,
	/// Escrow held.
	pub escrow: Balance,
	/// The block it is in.
	pub block_hash: Hash,
}

/// `market.submit_request` with any pricing; waits for inclusion.
pub async fn submit_request(
	conn: &Conn,
	signer: &Keypair,
	program: ProgramId,
	inputs: Vec<PublicInput>,
	pricing: Pricing,
	expires_at: BlockNumber,
) -> Result<Submitted, Error> {
	let call = zk::transactions().market().submit_request(
		program,
		zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(inputs),
		pricing.into(),
		expires_at,
	);
	let inc = submit_in_block(conn, &call, signer).await?;
	let ev = inc
		.events
		.find_first::<zk::market::events::RequestSubmitted>()
		.ok_or_else(|| Error::other("no RequestSubmitted event"))??;
	Ok(Submitted { id: ev.id, escrow: ev.escrow, block_hash: inc.block_hash })
}

/// An auction bid: `bid` on top of the BaseFee while the BaseFee is at most
/// `max_base_fee`; cleared in blocks up to `expires_at`.
pub async fn submit_bid(
	conn: &Conn,
	signer: &Keypair,
	program: ProgramId,
	inputs: Vec<PublicInput>,
	bid: Balance,
	max_base_fee: Balance,
	expires_at: BlockNumber,
) -> Result<Submitted, Error> {
	submit_request(
		conn,
		signer,
		program,
		inputs,
		Pricing::Auction { bid, max_base_fee },
		expires_at,
	)
	.await
}

/// A reverse Dutch offer.
pub async fn submit_offer(
	conn: &Conn,
	signer: &Keypair,
	program: ProgramId,
	inputs: Vec<PublicInput>,
	offer: Offer,
) -> Result<Submitted, Error> {
	submit_request(conn, signer, program, inputs, Pricing::Offer(offer), 0).await
}

/// `market.cancel_request`; returns the refund.
pub async fn cancel_request(
	conn: &Conn,
	signer: &Keypair,
	id: RequestId,
) -> Result<Balance, Error> {
	let call = zk::transactions().market().cancel_request(id);
	let events = submit(conn, &call, signer).await?;
	let ev = events
		.find_first::<zk::market::events::RequestCancelled>()
		.ok_or_else(|| Error::other("no RequestCancelled event"))??;
	Ok(ev.refund)
}

/// `market.lock_request` (a prover locks an offer); returns `(price, collateral)`.
pub async fn lock_request(
	conn: &Conn,
	signer: &Keypair,
	id: RequestId,
) -> Result<(Balance, Balance), Error> {
	let call = zk::transactions().market().lock_request(id);
	let events = submit(conn, &call, signer).await?;
	let ev = events
		.find_first::<zk::market::events::RequestLocked>()
		.ok_or_else(|| Error::other("no RequestLocked event"))??;
	Ok((ev.price, ev.collateral))
}

/// `verifier.submit_proof` (a prover submits a proof for `id`).
pub async fn submit_proof(
	conn: &Conn,
	signer: &Keypair,
	id: RequestId,
	proof: Vec<u8>,
) -> Result<ExtrinsicEvents<ZkConfig>, Error> {
	let call = zk::transactions()
		.verifier()
		.submit_proof(id, zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(proof));
	submit(conn, &call, signer).await
}

/// A registered program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registered {
	/// Program id (see [`program_id`]).
	pub id: ProgramId,
	/// Public inputs a request carries.
	pub inputs: u32,
	/// Deposit held.
	pub deposit: Balance,
}

/// The program id of an arkworks compressed key registered as `kind` (with
/// its SP1 selector): blake2-256 of the key for [`ProgramKind::Arkworks`], of
/// SCALE `(kind, key, selector)` otherwise.
pub fn program_id(kind: &ProgramKind, vk: &[u8], selector: Option<[u8; 4]>) -> ProgramId {
	zkmarket_groth16_formats::program_id(kind, vk, selector)
}

/// `verifier.register_program_of_kind` with the key as the kind writes it
/// (gnark bytes for `Gnark`/`Sp1`, arkworks compressed otherwise); waits for
/// inclusion.
pub async fn register_program(
	conn: &Conn,
	signer: &Keypair,
	kind: ProgramKind,
	vk: Vec<u8>,
) -> Result<Registered, Error> {
	let call = zk::transactions().verifier().register_program_of_kind(
		kind_to_chain(kind),
		zk::runtime_types::bounded_collections::bounded_vec::BoundedVec(vk),
	);
	let events = submit(conn, &call, signer).await?;
	let ev = events
		.find_first::<zk::verifier::events::ProgramRegistered>()
		.ok_or_else(|| Error::other("no ProgramRegistered event"))??;
	Ok(Registered { id: ev.id, inputs: ev.inputs, deposit: ev.deposit })
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn offer_price_curve() {
		let o = Offer {
			min_price: 100,
			max_price: 200,
			ramp_up_start: 1000,
			ramp_up_period: 10,
			lock_timeout: 20,
			timeout: 30,
			lock_collateral: 1,
		};
		assert_eq!(o.price_at(0), 100);
		assert_eq!(o.price_at(1000), 100);
		assert_eq!(o.price_at(1005), 150);
		assert_eq!(o.price_at(1003), 130);
		assert_eq!(o.price_at(1010), 200);
		assert_eq!(o.price_at(1020), 200);
		assert_eq!(o.price_at(1021), 0);
		let big = Offer { min_price: 0, max_price: u128::MAX, ramp_up_period: 7, ..o };
		assert_eq!(big.price_at(1007), u128::MAX);
		assert_eq!(big.price_at(1001), u128::MAX / 7);
		assert_eq!(o.lock_deadline(), 1020);
		assert_eq!(o.deadline(), 1030);
	}

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
