//! Best blocks: every new best block, the agent reads its view of the
//! chain ([`Snapshot`]), plans (plan/mod.rs, I/O-free) and carries the plan
//! out (jobs, declines, preflights, registering again).

use super::{
	chain,
	plan::{Ctx, Snapshot},
	Agent,
};
use std::{
	sync::{atomic::Ordering, Arc},
	time::{Duration, Instant},
};
use tracing::{debug, info, warn};
use zkmarket_client::{market, Error, Hash};

impl Agent {
	/// Follows best blocks until stopped (or a fatal error).
	pub(super) async fn follow_best(self: Arc<Self>, stop: tokio::sync::watch::Receiver<bool>) {
		let mut delay = Duration::from_millis(500);
		loop {
			if *stop.borrow() {
				return;
			}
			let mut blocks = match self.chain.conn.api.stream_best_blocks().await {
				Ok(b) => b,
				Err(e) => {
					warn!("subscribing to best blocks: {e}; retrying in {} ms", delay.as_millis());
					self.metrics.reconnect();
					tokio::time::sleep(delay).await;
					delay = (delay * 2).min(Duration::from_secs(10));
					continue;
				}
			};
			delay = Duration::from_millis(500);
			// No best block for this long: say so (the transport reconnects by itself).
			let quiet = self.block_time() * 5;
			let mut silent_since: Option<Instant> = None;
			loop {
				let item = match tokio::time::timeout(quiet, blocks.next()).await {
					Err(_) => {
						if silent_since.is_none() {
							warn!(
								"no new best block for {} s: node down or stalled? (reconnecting by itself)",
								quiet.as_secs()
							);
							self.metrics.reconnect();
							silent_since = Some(Instant::now() - quiet);
						}
						continue;
					}
					Ok(None) => break,
					Ok(Some(item)) => item,
				};
				if *stop.borrow() {
					return;
				}
				let mut latest = item;
				// Blocks that queued up while the last one was processed: take the newest.
				while let Some(Some(next)) = futures::FutureExt::now_or_never(blocks.next()) {
					latest = next;
				}
				match latest {
					Err(e) => {
						warn!("best-block stream: {e}; re-reading state at the next block");
						self.metrics.reconnect();
					}
					Ok(b) => {
						let (number, hash) = (b.number(), b.hash());
						if let Some(since) = silent_since.take() {
							info!(
								"best blocks again at #{number} after {} s; re-reading the chain",
								since.elapsed().as_secs()
							);
						}
						let last = self.book.best();
						if number < last {
							// An older block reported late (a replay after re-subscribing):
							// skip it, unless the chain itself went back (a node restarted
							// on a fresh chain, a reorg to a shorter fork).
							let node_best =
								match self.chain.conn.legacy().chain_get_header(None).await {
									Ok(Some(h)) => h.number,
									_ => last,
								};
							if node_best >= last {
								debug!("skipping best block #{number}: already at #{last}");
								continue;
							}
							warn!("the node's best block went back from #{last} to #{node_best}; following it");
							self.book.chain_went_back(number);
							self.chain.forget_nonces();
						}
						if let Err(e) = self.tick(number, hash).await {
							warn!("block #{number}: {e}");
						}
						if self.has_fatal() {
							return;
						}
					}
				}
			}
			warn!("best-block stream ended; subscribing again");
			self.metrics.reconnect();
			tokio::time::sleep(delay).await;
		}
	}

	/// One best block: read the chain, plan, carry the plan out.
	async fn tick(self: &Arc<Self>, number: u64, hash: Hash) -> Result<(), Error> {
		let at = self.chain.conn.at(hash).await?;
		// A runtime upgrade: the generated code must still match.
		let spec = at.spec_version();
		let upgraded = spec != self.spec_version.swap(spec, Ordering::SeqCst);
		if upgraded {
			info!("runtime upgraded to spec version {spec} at block #{number}");
			if let Err(e) = zkmarket_client::check_metadata_at(&at) {
				self.set_fatal(e);
				return Ok(());
			}
		}
		let info = market::prover_info_at(&at, self.me()).await?;
		// The declaration: a migration may have dropped it, or the file changed
		// since it was sent (it is read every few blocks, sent only if it differs).
		if info.is_some() {
			if let Err(e) = self.check_declaration(&at, upgraded).await {
				warn!("checking the declared capabilities: {e}");
			}
		}
		let now = market::now_secs_at(&at).await?;
		let (requests, low, truncated) =
			chain::open_requests_from(&at, self.book.scan_start()).await?;
		if truncated {
			warn!(
				"more than {} request ids above the oldest open one (#{low}): newer requests are not seen this block",
				chain::MAX_CALLS as u64 * chain::SCAN_WINDOW
			);
		}
		// The kind of every configured program seen (whether its proofs carry
		// the binding decides which requests may be taken), and of every
		// program when whole kinds are served (the kind decides whether we serve it).
		for r in &requests {
			let wanted = self.cfg.program(&r.program).is_some() || !self.cfg.kinds.is_empty();
			if wanted && !self.book.knows_program(&r.program) {
				let _ = self.program(&at, r.program).await;
			}
		}
		let state_nonce = self.chain.state_nonce(&at).await?;
		self.metrics.best_block(number);
		debug!("block #{number}: {} open requests, chain time {now}", requests.len());

		let snapshot = Snapshot { number, now, state_nonce, info, requests, low };
		let ctx = Ctx {
			cfg: &self.cfg,
			consts: &self.consts,
			window: &self.window,
			me: self.me(),
			stopping: self.stopping(),
			metrics: &self.metrics,
		};
		let plan = self.book.plan(&ctx, &snapshot);
		for run in plan.preflights {
			tokio::spawn(self.clone().run_preflight(run));
		}
		for start in plan.starts {
			let (agent, id) = (self.clone(), start.id);
			let h = tokio::spawn(async move {
				agent.clone().job(id, start.kind, start.locking, start.reuse_nonce).await;
				agent.book.finished(id);
			});
			self.book.set_handle(id, h.abort_handle());
		}
		if plan.register {
			let agent = self.clone();
			tokio::spawn(async move {
				let at = match agent.chain.conn.best().await {
					Ok(at) => at,
					Err(e) => return warn!("registering: {e}"),
				};
				if let Err(e) = agent.register(&at).await {
					warn!("registering failed: {e}");
				}
			});
		}
		for d in plan.declines {
			let agent = self.clone();
			tokio::spawn(async move {
				agent.decline(d.id, d.deadline, &d.why, d.quiet).await;
				agent.book.finished(d.id);
			});
		}
		Ok(())
	}
}
