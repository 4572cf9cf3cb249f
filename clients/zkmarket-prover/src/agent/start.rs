//! Start-up and the declaration: registering (or topping up and resuming),
//! the nonce barrier for transactions of an earlier run still in the pool,
//! and `provers.set_capabilities` whenever the declaration on chain differs
//! from the configuration.

use super::{
	book::Barrier,
	chain::{self, Consts},
	config::{Config, ConfigError},
	declare::{self, Declaration},
	plan::reputation,
	Agent, DECLARE_RETRY_BLOCKS, STARTUP_BARRIER_BLOCKS, STARTUP_DEFER_BLOCKS,
};
use std::sync::Arc;
use tracing::{info, warn};
use zkmarket_client::{amount::format_zk, market, AtBlock, Error};

impl Agent {
	/// Registers, tops up and resumes as configured; sets the start-up barrier.
	pub(super) async fn setup(&self) -> Result<(), Error> {
		let limit = self.block_time() * 20;
		let at = self.chain.conn.best().await?;
		let info = market::prover_info_at(&at, self.me()).await?;
		let stake = self.cfg.stake;
		match info {
			None if stake == 0 => return Err(Error::bad_input(
				"the account is not a registered prover and `stake` is 0: set `stake` to register",
			)),
			None => self.register(&at).await?,
			Some(p) => {
				info!(
					"registered prover: stake {}, collateral {}, reputation {}, {} active jobs{}{}",
					format_zk(p.effective_stake),
					format_zk(p.collateral),
					reputation(p.reputation),
					p.active_jobs,
					if p.paused { ", paused" } else { "" },
					if p.eligible { "" } else { ", not eligible for new work" }
				);
				// Collateral pledged for locks is part of what was bonded.
				let bonded = p.effective_stake.saturating_add(p.collateral);
				if bonded < stake {
					let extra = stake - bonded;
					info!(
						"topping the stake up to {} (bond_extra {})",
						format_zk(stake),
						format_zk(extra)
					);
					match self.chain.submit(&chain::bond_extra_call(extra), limit).await {
						Ok(l) => info!("bonded {} in block #{}", format_zk(extra), l.block),
						// Not fatal: the prover may still work with what it has.
						Err(e) => warn!("bond_extra failed: {e}"),
					}
				}
				if p.paused {
					info!("resuming the paused prover");
					let l = self.chain.submit(&chain::resume_call(), limit).await?;
					info!("resumed in block #{}", l.block);
				}
			}
		}
		// Transactions of an earlier run still in the pool: wait for them before
		// submitting proofs (one of them may be a proof of a request we would redo).
		let at = self.chain.conn.best().await?;
		self.book.started_at(at.block_number());
		let state_nonce = self.chain.state_nonce(&at).await?;
		let next = self.chain.next_nonce().await?;
		if next > state_nonce {
			warn!(
				"{} transaction(s) of this account are in the node's pool: proofs wait until they are in a block (at most {STARTUP_BARRIER_BLOCKS} blocks)",
				next - state_nonce
			);
			self.book.set_barrier(Barrier {
				target: next,
				until: at.block_number() + STARTUP_BARRIER_BLOCKS,
				defer_until: at.block_number() + STARTUP_DEFER_BLOCKS,
			});
			// One of them may be a declaration of an earlier run: checked once
			// they are resolved (the first blocks' ticks), not sent twice.
			info!("capabilities are checked once those transactions are resolved");
			return Ok(());
		}
		// Declare what the configuration serves (a prover that never declared
		// is dealt no auction work), unless the chain already holds exactly that.
		let have = market::capabilities_at(&at, self.me()).await?.map(declaration_of);
		let number = at.block_number();
		match declare::diff(&self.want, have.as_ref()) {
			None => {
				info!("capabilities on chain match the configuration: {}", self.want);
				self.book.declaration_read(have, number);
			}
			Some(change) => {
				info!("declaring capabilities ({change}): {}", self.want);
				let l = self.chain.submit(&chain::set_capabilities_call(&self.want), limit).await?;
				info!("capabilities declared in block #{}", l.block);
				self.book.declared(self.want.clone(), l.block);
			}
		}
		Ok(())
	}

	/// Checks the declaration on chain at `at` (every [`DECLARE_CHECK_BLOCKS`]
	/// blocks, at a runtime upgrade, after registering) and sends
	/// `provers.set_capabilities` in the background when it differs from the
	/// configuration: never when it matches, and never a second one while one
	/// is on its way.
	pub(super) async fn check_declaration(
		self: &Arc<Self>,
		at: &AtBlock,
		force: bool,
	) -> Result<(), Error> {
		let number = at.block_number();
		if self.stopping() || !self.book.declaration_due(number, force) {
			return Ok(());
		}
		let have = market::capabilities_at(at, self.me()).await?.map(declaration_of);
		let Some(change) = declare::diff(&self.want, have.as_ref()) else {
			self.book.declaration_read(have, number);
			return Ok(());
		};
		if !self.book.start_declaring(have) {
			return Ok(());
		}
		info!("declaring capabilities ({change}): {}", self.want);
		let agent = self.clone();
		tokio::spawn(async move {
			let limit = agent.block_time() * 20;
			let sent = agent.chain.submit(&chain::set_capabilities_call(&agent.want), limit).await;
			match sent {
				Ok(l) => {
					info!("capabilities declared in block #{}", l.block);
					// Read back at the next check (a reorg may drop it).
					agent.book.declared(agent.want.clone(), l.block);
				}
				Err(e) => {
					warn!(
						"declaring capabilities failed: {e}; trying again in {DECLARE_RETRY_BLOCKS} blocks"
					);
					agent.book.declaration_failed();
				}
			}
		});
		Ok(())
	}

	/// `provers.register(stake)` after checking the configured stake and the free balance.
	pub(super) async fn register(&self, at: &AtBlock) -> Result<(), Error> {
		let stake = self.cfg.stake;
		if stake < self.consts.min_stake {
			return Err(Error::bad_input(format!(
				"`stake` {} is below the chain's minimum {}",
				format_zk(stake),
				format_zk(self.consts.min_stake)
			)));
		}
		let free = market::free_balance_at(at, self.me()).await?;
		if free < stake {
			return Err(Error::bad_input(format!(
				"registering needs {} of free balance, the account has {}",
				format_zk(stake),
				format_zk(free)
			)));
		}
		info!("registering as a prover with a stake of {}", format_zk(stake));
		let l = self.chain.submit(&chain::register_call(stake), self.block_time() * 20).await?;
		info!("registered in block #{}", l.block);
		// A new record has no declaration: check it at the next block.
		self.book.registered();
		Ok(())
	}
}

/// Whether the configuration's declaration fits the chain's bounds.
pub(super) fn fits_chain(cfg: &Config, consts: &Consts) -> Result<(), ConfigError> {
	if cfg.max_jobs > consts.max_jobs {
		return Err(ConfigError::MaxJobsAboveChain {
			max_jobs: cfg.max_jobs,
			chain: consts.max_jobs,
		});
	}
	if cfg.programs.len() > consts.max_capability_programs as usize {
		return Err(ConfigError::ProgramsAboveChain {
			count: cfg.programs.len(),
			chain: consts.max_capability_programs,
		});
	}
	if cfg.kinds.len() > consts.max_capability_kinds as usize {
		return Err(ConfigError::KindsAboveChain {
			count: cfg.kinds.len(),
			chain: consts.max_capability_kinds,
		});
	}
	Ok(())
}

/// A declaration as the chain holds it.
pub(super) fn declaration_of(c: market::Capabilities) -> Declaration {
	Declaration::new(c.programs, c.kinds, c.max_jobs)
}
