//! Benchmarks of the BaseFee pallet (frame-benchmarking v2).
use super::*;
use crate::Pallet as BaseFeePallet;
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use zkmarket_primitives::traits::BaseFeeOracle;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_base_fee() {
		let fee = T::MaxBaseFee::get();
		#[extrinsic_call]
		_(RawOrigin::Root, fee);
		assert_eq!(BaseFee::<T>::get(), fee);
	}

	/// One block's update (demand above target: the fee changes and an event is emitted).
	#[benchmark]
	fn on_demand() {
		BaseFee::<T>::put(T::MinBaseFee::get());
		#[block]
		{
			<BaseFeePallet<T> as BaseFeeOracle<T::Balance>>::on_demand(100, 100);
		}
	}

	impl_benchmark_test_suite!(BaseFeePallet, crate::mock::new_test_ext(), crate::mock::Test);
}
