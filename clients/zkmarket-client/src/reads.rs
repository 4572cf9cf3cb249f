//! Reads at a block: storage and runtime APIs.
//!
//! Each read comes in two forms: `x(conn, ..)` reads at the **best** block,
//! and `x_at(&AtBlock, ..)` at a block of your choice (see [`Conn::block`];
//! several reads at one block see one consistent state).

use crate::{
	types::{Balance, Capabilities, ProgramId, ProgramInfo, ProverInfo, RequestId, RequestView},
	zk, AccountId, AtBlock, Conn, Error,
};

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
		kind: p.kind.0,
		vk: p.vk.0,
		selector: p.selector,
		inputs: p.inputs,
		deposit: p.deposit,
	}))
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
