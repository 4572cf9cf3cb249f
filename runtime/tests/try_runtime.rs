//! try-runtime checks of the runtime's migrations against a state snapshot of
//! a development chain of the previous release (`runtime/tests/snapshots/`,
//! made by `scripts/snapshot-dev-state.sh` from a node running
//! `releases/v101/dev-raw.json` with market traffic).
//!
//! `Executive::try_runtime_upgrade` runs what a runtime upgrade runs (the
//! runtime's `Migrations` and every pallet's `on_runtime_upgrade`) with each
//! migration's `pre_upgrade`/`post_upgrade` checks, then checks that every
//! storage item decodes and every pallet's `try_state` invariants hold, and
//! that each pallet's on-chain storage version is its in-code one.
//!
//! Run with `cargo test --release --features try-runtime,runtime-benchmarks
//! -p zkmarket-runtime --test try_runtime` (scripts/test.sh does).
#![cfg(feature = "try-runtime")]

use frame_support::traits::{GetStorageVersion, StorageVersion};
use frame_try_runtime::UpgradeCheckSelect;
use sp_core::storage::StateVersion;
use zkmarket_runtime::{configs::RuntimeBlockWeights, Executive, Market, Runtime, VERSION};

/// The snapshot of the v101 dev chain.
const SNAPSHOT: &str = include_str!("snapshots/dev-v101.json");

fn unhex(s: &str) -> Vec<u8> {
	sp_core::bytes::from_hex(s).expect("hex in the snapshot")
}

/// The snapshot's spec version and its state as externalities.
fn snapshot() -> (u64, sp_io::TestExternalities) {
	let json: serde_json::Value = serde_json::from_str(SNAPSHOT).expect("snapshot JSON");
	let spec = json["spec_version"].as_u64().expect("spec_version");
	let mut ext =
		sp_io::TestExternalities::new_with_state_version(Default::default(), StateVersion::V1);
	for pair in json["pairs"].as_array().expect("pairs") {
		let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
		ext.insert(unhex(k), unhex(v));
	}
	ext.commit_all().expect("snapshot state commits");
	(spec, ext)
}

#[test]
fn try_runtime_upgrade_of_a_dev_chain_snapshot_of_the_previous_release() {
	let (spec, mut ext) = snapshot();
	assert!(u64::from(VERSION.spec_version) > spec, "the snapshot is of an older release");
	ext.execute_with(|| {
		// The market is at version 0 in the snapshot, with requests open and closed.
		assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(0));
		let requests = pallet_market::Requests::<Runtime>::iter_keys().count();
		assert!(requests > 0, "the snapshot has market requests");

		let weight = Executive::try_runtime_upgrade(UpgradeCheckSelect::All)
			.expect("migrations and their try-runtime checks pass");

		assert_eq!(Market::on_chain_storage_version(), StorageVersion::new(1));
		let (mut open, mut closed) = (0, 0);
		for (_, r) in pallet_market::Requests::<Runtime>::iter() {
			if r.state.is_closed() {
				closed += 1;
				assert!(r.closed_at.is_some());
			} else {
				open += 1;
				assert!(r.closed_at.is_none());
			}
		}
		assert_eq!(open + closed, requests);
		assert!(
			open > 0 && closed > 0,
			"the snapshot has open ({open}) and closed ({closed}) requests"
		);
		// The upgrade block can carry it.
		assert!(
			weight.all_lte(RuntimeBlockWeights::get().max_block),
			"migrations weigh {weight:?}, above a block"
		);
		// A second upgrade is a noop (versioned migrations ran once).
		Executive::try_runtime_upgrade(UpgradeCheckSelect::PreAndPost)
			.expect("a second run passes its checks");
	});
}
