//! The market's types as the client shows them: ids and amounts, request
//! pricing and state, provers, capabilities and programs, converted from the
//! runtime types the metadata generates (`zk::runtime_types`).

use crate::{zk, AccountId, Hash, ProgramKind};

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
}
