//! The market's and verifier's events about requests, decoded per block.

use crate::{
	types::{Balance, BlockNumber, ProgramId, RequestId},
	zk, AccountId, AtBlock, Error,
};

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
