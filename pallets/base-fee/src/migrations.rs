//! Storage migrations of the BaseFee pallet.
//!
//! The pallet is at storage version 0, the layout it was introduced with. The
//! next layout change bumps `STORAGE_VERSION` in `lib.rs` and adds a module
//! here, `v1`, with a `frame_support::migrations::VersionedMigration<0, 1, ..>`
//! whose inner `UncheckedOnRuntimeUpgrade` translates the stored values (with
//! try-runtime `pre_upgrade`/`post_upgrade` checks); the runtime lists it in
//! its `Migrations`. `pallet_market::migrations::v1` is an example.
