//! Storage migrations of the provers pallet.
//!
//! The pallet is at storage version 1, the layout it was introduced with
//! (chains start at the in-code version; there was never a version 0 chain).
//! The next layout change bumps `STORAGE_VERSION` in `lib.rs` and adds a
//! module here, `v2`, with a `frame_support::migrations::VersionedMigration<1, 2, ..>`
//! whose inner `UncheckedOnRuntimeUpgrade` translates the stored values (with
//! try-runtime `pre_upgrade`/`post_upgrade` checks); the runtime lists it in
//! its `Migrations`. `pallet_market::migrations::v1` is an example.
