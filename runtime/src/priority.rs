//! Transaction priority bands: no tip outbids the market's obligations.
//!
//! `pallet_transaction_payment` ranks a signed transaction by its tip per unit
//! of block space, without an upper bound: with a large enough tip any
//! transaction outranks any other in the pool and in the block builder. An
//! attacker who fills the Normal class with tipped transactions would then
//! keep out the proofs that provers owe (and be paid nothing but slashes) and,
//! before verdicts had their own class, the verdicts themselves. The bands:
//!
//! | band | priority |
//! | --- | --- |
//! | ordinary signed transactions | tip priority, capped at [`TIP_PRIORITY_CAP`] |
//! | a proof or decline of a live obligation | [`OBLIGATION_PRIORITY`] + capped tip priority |
//! | verdicts (unsigned, `Operational` class) | [`VERDICT_PRIORITY`] |
//!
//! A live obligation is an auction assignment (before its deadline) or an
//! offer lock (before its lock deadline) that the sender holds
//! (`pallet_market::Pallet::holds_obligation`): `Verifier::submit_proof` for
//! it, and `Market::decline_assignment` by the assigned prover. Each needs an
//! obligation won in the auction or by a lock with collateral, at most one
//! such transaction per obligation is in the pool (the `provides` tag below:
//! another one for the same request conflicts with it, and replaces it only
//! with a higher tip), and each pays its fee (but a free decline, which ends
//! the obligation): the band cannot be flooded.
//!
//! [`PrioritizedPayment`] wraps [`ChargeTransactionPayment`] and keeps its
//! identifier, encoding and metadata type: clients see the same extension.

use crate::{Runtime, RuntimeCall};
use codec::{Decode, DecodeWithMemTracking, Encode};
use frame_support::dispatch::DispatchInfo;
use pallet_transaction_payment::ChargeTransactionPayment;
use scale_info::{Type, TypeInfo};
use sp_runtime::{
	traits::{
		DispatchInfoOf, DispatchOriginOf, Implication, PostDispatchInfoOf, TransactionExtension,
		ValidateResult,
	},
	transaction_validity::{
		TransactionPriority, TransactionSource, TransactionValidityError, ValidTransaction,
	},
	DispatchResult, Weight,
};

/// The highest priority a tip can buy.
pub const TIP_PRIORITY_CAP: TransactionPriority = TransactionPriority::MAX / 4;
/// The base priority of a transaction that discharges a live obligation:
/// above [`TIP_PRIORITY_CAP`], so above every tipped transaction.
pub const OBLIGATION_PRIORITY: TransactionPriority = TransactionPriority::MAX / 2;
/// The priority of verdicts: above everything else.
pub const VERDICT_PRIORITY: TransactionPriority = TransactionPriority::MAX;

/// The request a call discharges an obligation on, if `who` holds one there.
pub fn obligation_of(call: &RuntimeCall, who: &crate::AccountId) -> Option<u64> {
	match call {
		RuntimeCall::Verifier(pallet_verifier::Call::submit_proof { request, .. })
			if pallet_market::Pallet::<Runtime>::holds_obligation(*request, who) =>
		{
			Some(*request)
		}
		RuntimeCall::Market(pallet_market::Call::decline_assignment { id })
			if pallet_market::Pallet::<Runtime>::holds_assignment(*id, who) =>
		{
			Some(*id)
		}
		_ => None,
	}
}

/// The priority of a signed transaction with tip priority `tip_priority`,
/// discharging an obligation or not.
pub fn banded_priority(tip_priority: TransactionPriority, obligation: bool) -> TransactionPriority {
	let capped = tip_priority.min(TIP_PRIORITY_CAP);
	if obligation {
		OBLIGATION_PRIORITY.saturating_add(capped)
	} else {
		capped
	}
}

/// [`ChargeTransactionPayment`] with the priority bands of this module.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq)]
pub struct PrioritizedPayment(pub ChargeTransactionPayment<Runtime>);

impl PrioritizedPayment {
	/// Pays `tip` on top of the fee.
	pub fn from(tip: crate::Balance) -> Self {
		Self(ChargeTransactionPayment::from(tip))
	}
}

impl core::fmt::Debug for PrioritizedPayment {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		self.0.fmt(f)
	}
}

/// The wrapped extension's type: metadata and clients see no difference.
impl TypeInfo for PrioritizedPayment {
	type Identity = ChargeTransactionPayment<Runtime>;
	fn type_info() -> Type {
		ChargeTransactionPayment::<Runtime>::type_info()
	}
}

impl TransactionExtension<RuntimeCall> for PrioritizedPayment {
	const IDENTIFIER: &'static str =
		<ChargeTransactionPayment<Runtime> as TransactionExtension<RuntimeCall>>::IDENTIFIER;
	type Implicit = ();
	type Val = <ChargeTransactionPayment<Runtime> as TransactionExtension<RuntimeCall>>::Val;
	type Pre = <ChargeTransactionPayment<Runtime> as TransactionExtension<RuntimeCall>>::Pre;

	fn weight(&self, call: &RuntimeCall) -> Weight {
		// The fee's weight, plus the two reads of the obligation check.
		self.0
			.weight(call)
			.saturating_add(<Runtime as frame_system::Config>::DbWeight::get().reads(2))
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<RuntimeCall>,
		call: &RuntimeCall,
		info: &DispatchInfo,
		len: usize,
		_: (),
		implication: &impl Implication,
		source: TransactionSource,
	) -> ValidateResult<Self::Val, RuntimeCall> {
		let signer = frame_system::ensure_signed(origin.clone()).ok();
		let (valid, val, origin) =
			self.0.validate(origin, call, info, len, (), implication, source)?;
		let Some(who) = signer else { return Ok((valid, val, origin)) };
		let obligation = obligation_of(call, &who);
		let mut valid = ValidTransaction {
			priority: banded_priority(valid.priority, obligation.is_some()),
			..valid
		};
		if let Some(id) = obligation {
			// One transaction per obligation in the pool: a second one (another
			// nonce) conflicts with it instead of taking the band twice.
			valid.provides.push((b"zkm/obligation", id).encode());
		}
		Ok((valid, val, origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		origin: &DispatchOriginOf<RuntimeCall>,
		call: &RuntimeCall,
		info: &DispatchInfoOf<RuntimeCall>,
		len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		self.0.prepare(val, origin, call, info, len)
	}

	fn post_dispatch_details(
		pre: Self::Pre,
		info: &DispatchInfoOf<RuntimeCall>,
		post_info: &PostDispatchInfoOf<RuntimeCall>,
		len: usize,
		result: &DispatchResult,
	) -> Result<Weight, TransactionValidityError> {
		<ChargeTransactionPayment<Runtime> as TransactionExtension<RuntimeCall>>::post_dispatch_details(
			pre, info, post_info, len, result,
		)
	}
}
