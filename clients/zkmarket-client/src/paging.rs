//! Paging through every open request with `MarketApi::open_requests`, which
//! returns at most [`PAGE`] requests among the next [`SCAN_WINDOW`] ids.

use crate::{
	reads,
	types::{RequestId, RequestView},
	zk, AtBlock, Error,
};

/// Open requests read per runtime call (the API's maximum).
pub const PAGE: u32 = 100;
/// Request ids `MarketApi::open_requests` scans per call at most: a short page
/// means "no more open requests among the next `SCAN_WINDOW` ids", not "no more".
pub const SCAN_WINDOW: u64 = 1_000;
/// Runtime calls per scan at most (64,000 ids above the lowest open one).
pub const MAX_CALLS: u32 = 64;

/// The open requests at a block with ids from `start` (the lowest id still
/// open at an earlier scan: a closed request never opens again and new
/// requests get higher ids), paging through `MarketApi::open_requests` up to
/// `Market::NextRequestId`. Returns them, the next `start` (the lowest open
/// id, or where the scan ended when none is open) and whether the scan stopped
/// at [`MAX_CALLS`] before reaching the newest request.
pub async fn open_requests_from(
	at: &AtBlock,
	start: RequestId,
) -> Result<(Vec<RequestView>, RequestId, bool), Error> {
	let next: RequestId =
		match at.storage().try_fetch(zk::storage().market().next_request_id(), ()).await? {
			Some(v) => v.decode()?,
			None => 0,
		};
	scan(start, next, |from, n| reads::open_requests_at(at, from, n)).await
}

/// The paging of [`open_requests_from`] over any source of pages (`page(from,
/// n)`: at most `n` open requests with ids from `from`, among the next
/// [`SCAN_WINDOW`] ids), up to request id `next` (exclusive).
pub async fn scan<F, Fut>(
	start: RequestId,
	next: RequestId,
	mut page: F,
) -> Result<(Vec<RequestView>, RequestId, bool), Error>
where
	F: FnMut(RequestId, u32) -> Fut,
	Fut: std::future::Future<Output = Result<Vec<RequestView>, Error>>,
{
	let mut out: Vec<RequestView> = Vec::new();
	let mut from = start.min(next);
	let mut calls = 0;
	while from < next {
		if calls == MAX_CALLS {
			let low = out.first().map(|r| r.id).unwrap_or(from);
			return Ok((out, low, true));
		}
		let page = page(from, PAGE).await?;
		calls += 1;
		from = match page.last() {
			Some(last) if page.len() == PAGE as usize => last.id.saturating_add(1),
			_ => from.saturating_add(SCAN_WINDOW),
		};
		out.extend(page);
	}
	let low = out.first().map(|r| r.id).unwrap_or(next);
	Ok((out, low, false))
}
