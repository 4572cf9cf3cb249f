//! When sessions end: every [`SessionLength`](crate::SessionLength) blocks,
//! counted from block 0 (pallet-session's periodic rule with the length read
//! from storage, so each chain sets its own at genesis).

use crate::{Config, SessionLength};
use frame_support::{traits::EstimateNextSessionRotation, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Get, Saturating, Zero},
	Permill,
};

/// Session timing for pallet-session: `ShouldEndSession` (implemented by the
/// runtime, whose trait lives in pallet-session) calls [`Sessions::should_end`];
/// [`EstimateNextSessionRotation`] is implemented here.
pub struct Sessions<T>(core::marker::PhantomData<T>);

impl<T: Config> Sessions<T> {
	/// Whether the session ends at block `now`: a multiple of the length.
	pub fn should_end(now: BlockNumberFor<T>) -> bool {
		let length = SessionLength::<T>::get();
		!length.is_zero() && (now % length).is_zero()
	}
}

impl<T: Config> EstimateNextSessionRotation<BlockNumberFor<T>> for Sessions<T> {
	fn average_session_length() -> BlockNumberFor<T> {
		SessionLength::<T>::get()
	}

	fn estimate_current_session_progress(now: BlockNumberFor<T>) -> (Option<Permill>, Weight) {
		let length = SessionLength::<T>::get();
		let progress = if length.is_zero() {
			None
		} else {
			// `now % length` blocks of the session are done (plus this one).
			let done = (now % length).saturating_add(1u32.into());
			Some(Permill::from_rational(done, length))
		};
		(progress, T::DbWeight::get().reads(1))
	}

	fn estimate_next_session_rotation(
		now: BlockNumberFor<T>,
	) -> (Option<BlockNumberFor<T>>, Weight) {
		let length = SessionLength::<T>::get();
		let next = if length.is_zero() {
			None
		} else {
			Some(now.saturating_add(length.saturating_sub(now % length)))
		};
		(next, T::DbWeight::get().reads(1))
	}
}
