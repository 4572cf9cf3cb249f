//! Programs: registering a verifying key of a kind (converted, checked, with a
//! deposit), unregistering it, and the
//! [`ProgramRegistry`](zkmarket_primitives::traits::ProgramRegistry) the market
//! reads.

use crate::{groth16, pallet::*, ProgramInfo, ProgramKind};
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use sp_runtime::traits::Saturating;
use zkmarket_groth16_formats::FormatError;
use zkmarket_primitives::traits::{ProgramId, ProofMarket};

impl<T: Config> Pallet<T> {
	/// Registers a program of `kind` for `who`: converts and checks the key,
	/// holds the deposit.
	pub(crate) fn do_register(who: T::AccountId, kind: ProgramKind, raw: &[u8]) -> DispatchResult {
		// The declared size first: bounds the work before anything is read.
		let declared = match kind {
			ProgramKind::Gnark | ProgramKind::Sp1 { .. } => {
				zkmarket_groth16_formats::gnark::declared_inputs(raw)
			}
			_ => groth16::declared_inputs(raw),
		}
		.ok_or(Error::<T>::InvalidVerifyingKey)?;
		ensure!(declared.saturating_sub(1) <= T::MaxPublicInputs::get(), Error::<T>::TooManyInputs);
		// Layout, one encoding per point, the kind's input count and parameters:
		// no curve arithmetic yet.
		let reg = kind.register(raw).map_err(Self::format_error)?;
		ensure!(reg.inputs <= T::MaxPublicInputs::get(), Error::<T>::TooManyInputs);
		let vk: BoundedVec<u8, T::MaxVkLen> =
			reg.vk.try_into().map_err(|_| Error::<T>::InvalidVerifyingKey)?;
		let id = zkmarket_groth16_formats::program_id(&kind, &vk, reg.selector);
		ensure!(!Programs::<T>::contains_key(id), Error::<T>::ProgramExists);
		// Every point on the curve, G2 in the subgroup (a host call).
		let n = groth16::parse_vk(&vk).ok_or(Error::<T>::InvalidVerifyingKey)?;
		ensure!(n == reg.key_inputs, Error::<T>::InvalidVerifyingKey);
		let deposit = T::ProgramDepositBase::get().saturating_add(
			T::ProgramDepositPerByte::get().saturating_mul((vk.len() as u32).into()),
		);
		T::Currency::hold(&HoldReason::ProgramDeposit.into(), &who, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		let inputs = reg.inputs;
		Programs::<T>::insert(
			id,
			ProgramInfo {
				owner: who.clone(),
				kind: kind.clone(),
				vk,
				selector: reg.selector,
				inputs,
				deposit,
			},
		);
		Self::deposit_event(Event::ProgramRegistered { id, owner: who, kind, inputs, deposit });
		Ok(())
	}

	/// The pallet error of a key or proof its kind cannot read.
	pub(crate) fn format_error(e: FormatError) -> Error<T> {
		match e {
			FormatError::KeyEncoding | FormatError::Json => Error::<T>::InvalidVerifyingKey,
			FormatError::KeyCommitments => Error::<T>::KeyCommitments,
			FormatError::KeyInputCount => Error::<T>::KeyInputCount,
			FormatError::KeyUnbound => Error::<T>::KeyUnbound,
			FormatError::KindParameter => Error::<T>::InvalidKindParameter,
			FormatError::ProofLength => Error::<T>::WrongProofLength,
			FormatError::ProofEncoding | FormatError::Input => Error::<T>::InvalidProofEncoding,
			FormatError::WrongSelector => Error::<T>::WrongSelector,
			FormatError::NonZeroExitCode => Error::<T>::NonZeroExitCode,
			FormatError::WrongVkRoot => Error::<T>::WrongVkRoot,
		}
	}

	/// Unregisters program `id` of `who`, releasing its deposit; refused while
	/// open requests name it.
	pub(crate) fn do_unregister(who: T::AccountId, id: ProgramId) -> DispatchResult {
		let program = Programs::<T>::get(id).ok_or(Error::<T>::UnknownProgram)?;
		ensure!(program.owner == who, Error::<T>::NotProgramOwner);
		ensure!(T::Market::open_requests_for(&id) == 0, Error::<T>::ProgramInUse);
		T::Currency::release(
			&HoldReason::ProgramDeposit.into(),
			&who,
			program.deposit,
			frame_support::traits::tokens::Precision::BestEffort,
		)?;
		Programs::<T>::remove(id);
		Self::deposit_event(Event::ProgramUnregistered {
			id,
			owner: who,
			deposit: program.deposit,
		});
		Ok(())
	}
}

impl<T: Config> zkmarket_primitives::traits::ProgramRegistry for Pallet<T> {
	fn public_inputs(program: &ProgramId) -> Option<u32> {
		Programs::<T>::get(program).map(|p| p.inputs)
	}

	fn accepts_inputs(
		program: &ProgramId,
		inputs: &[zkmarket_primitives::traits::PublicInput],
	) -> bool {
		Programs::<T>::get(program).is_some_and(|p| p.kind.accepts_inputs(inputs))
	}

	fn is_bound(program: &ProgramId) -> bool {
		Programs::<T>::get(program).is_some_and(|p| p.kind.is_bound())
	}

	fn kind(program: &ProgramId) -> Option<zkmarket_primitives::traits::ProgramKindId> {
		Programs::<T>::get(program).map(|p| p.kind.index())
	}
}
