//! Storage migrations of the validator set pallet.
//!
//! The pallet is at storage version 0: the layout it was introduced with
//! (spec version 101). The next layout change bumps `STORAGE_VERSION` in
//! `lib.rs` and adds a module here, `v1`, with a
//! `frame_support::migrations::VersionedMigration<0, 1, Inner, Pallet, DbWeight>`
//! whose inner `UncheckedOnRuntimeUpgrade` translates the old values, with
//! try-runtime `pre_upgrade`/`post_upgrade` checks; the runtime lists it in its
//! `Migrations` (see `pallet_market::migrations::v1` for an example).
