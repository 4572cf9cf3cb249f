//! Finalized blocks: the verdicts, payments and slashes of this prover's
//! proofs (logs and metrics), with gaps after a reconnection read back.

use super::{declare::Declaration, Agent, MAX_FINALIZED_CATCH_UP};
use std::{sync::Arc, time::Duration};
use tracing::{info, warn};
use zkmarket_client::{amount::format_zk, zk, AtBlock, Error};

impl Agent {
	/// Follows finalized blocks: verdicts, payments and slashes of this prover.
	pub(super) async fn follow_finalized(self: Arc<Self>) {
		let mut last: Option<u64> = None;
		let mut delay = Duration::from_millis(500);
		loop {
			let mut blocks = match self.chain.conn.api.stream_blocks().await {
				Ok(b) => b,
				Err(e) => {
					warn!("subscribing to finalized blocks: {e}");
					tokio::time::sleep(delay).await;
					delay = (delay * 2).min(Duration::from_secs(10));
					continue;
				}
			};
			delay = Duration::from_millis(500);
			while let Some(item) = blocks.next().await {
				let b = match item {
					Ok(b) => b,
					Err(e) => {
						warn!("finalized-block stream: {e}");
						continue;
					}
				};
				let n = b.number();
				let from = match last {
					Some(l) if l >= n => continue,
					Some(l) => (l + 1).max(n.saturating_sub(MAX_FINALIZED_CATCH_UP)),
					None => n,
				};
				for k in from..=n {
					let at = if k == n {
						self.chain.conn.at(b.hash()).await
					} else {
						self.chain.conn.api.at_block(k).await.map_err(Error::from)
					};
					match at {
						Ok(at) => {
							if let Err(e) = self.account(&at).await {
								warn!("finalized block #{k}: {e}");
							}
						}
						Err(e) => warn!("finalized block #{k}: {e}"),
					}
				}
				last = Some(n);
				self.metrics.finalized_block(n);
			}
			warn!("finalized-block stream ended; subscribing again");
			tokio::time::sleep(delay).await;
		}
	}

	/// Verdicts and slashes of this prover in one finalized block.
	pub(super) async fn account(&self, at: &AtBlock) -> Result<(), Error> {
		use zk::market::Event as M;
		use zk::provers::Event as P;
		let me = self.me();
		let events = at.events().fetch().await?;
		for ev in events.iter() {
			let ev = ev?;
			if ev.pallet_name() != "Market" && ev.pallet_name() != "Provers" {
				continue;
			}
			let Ok(decoded) = ev.decode_as::<zk::Event>() else { continue };
			match decoded {
				zk::Event::Market(M::RequestSettled { id, prover, paid, .. }) if &prover == me => {
					info!("#{id}: verified, paid {}", format_zk(paid));
					self.metrics.proof_verified(paid);
				}
				zk::Event::Market(M::ProofRejected { id, prover, slashed }) if &prover == me => {
					warn!("#{id}: proof rejected as invalid, slashed {}", format_zk(slashed));
					self.metrics.proof_rejected(slashed);
				}
				zk::Event::Market(M::VerificationUndecided { id, prover }) if &prover == me => {
					warn!("#{id}: no verdict in time; the request went back to the market");
					self.metrics.proof_undecided();
				}
				zk::Event::Market(M::DeadlineMissed { id, prover, slashed }) if &prover == me => {
					warn!("assignment #{id}: deadline missed, slashed {}", format_zk(slashed));
					self.metrics.slashed(slashed);
				}
				// A decline after the free window is slashed like a miss.
				zk::Event::Market(M::DeclineCharged { id, prover, slashed, .. })
					if &prover == me && slashed > 0 =>
				{
					warn!(
						"assignment #{id}: declined after the free window, slashed {}",
						format_zk(slashed)
					);
					self.metrics.slashed(slashed);
				}
				zk::Event::Market(M::DeclineDisproved { id, prover }) if &prover == me => {
					warn!(
						"assignment #{id}: declined by us, then proven by another prover: reputation lowered"
					);
				}
				zk::Event::Provers(P::CapabilitiesSet { who, programs, kinds, max_jobs })
					if &who == me =>
				{
					let d = Declaration::new(programs.0, kinds.0, max_jobs);
					info!("declaration finalized: {d}");
				}
				zk::Event::Market(M::LockMissed { id, prover, collateral, bounty })
					if &prover == me =>
				{
					warn!(
						"lock #{id}: lock deadline missed, collateral {} forfeited ({} of it is now a bounty)",
						format_zk(collateral),
						format_zk(bounty)
					);
					self.metrics.slashed(collateral);
				}
				zk::Event::Provers(P::Decayed { who, amount, periods }) if &who == me => {
					info!("idle decay: -{} ({periods} idle period(s))", format_zk(amount));
				}
				_ => {}
			}
		}
		Ok(())
	}
}
