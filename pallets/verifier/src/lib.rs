//! # Verifier pallet
//!
//! Programs, proofs and their verification (SPEC section 6):
//!
//! - `register_program_of_kind(kind, vk)` stores a Groth16 BN254 verifying
//!   key of a program kind (`ProgramKind`: arkworks, snarkjs, gnark, SP1, RISC
//!   Zero; keys of other encodings are converted to arkworks' and every point
//!   checked), with a deposit by size; the program id is the blake2-256 hash of
//!   the key for arkworks programs (`register_program(vk)`), of `(kind, key)`
//!   for the others. Proofs of unbound kinds (gnark, SP1, RISC Zero) do not
//!   carry the binding below: only the prover with the obligation may submit
//!   them (the market refuses the open paths).
//! - `submit_proof(request, proof)` by the assigned or locking prover (or any
//!   eligible prover where the market allows) stores the proof as pending, in
//!   the verification list of its block (`ProofsByBlock`, `MaxProofsPerBlock`).
//!   A proof of an obligation (assignment, locked offer) is never refused: a
//!   full list passes it to the next block's. Proofs of open offers and
//!   bounties are bounded per block (`MaxOpenProofsPerBlock`).
//!   Each proof is bound to its request and prover: the verifier appends
//!   `binding = blake2_256(SCALE(request, prover))` (mod r) as the last public
//!   input, so a copied or re-randomized proof is worthless to anyone else.
//! - The off-chain worker of every validator holding a verifier key (key type
//!   `zkvf`, part of the session keys) verifies pending proofs, oldest list
//!   first, through the Groth16 BN254 host function of `zkmarket-groth16-host`
//!   (native arkworks) and submits its verdicts as an unsigned transaction carrying a payload
//!   signed by that key (`ValidateUnsigned`: signature by a current verifier,
//!   one batch per verifier per block, short longevity; a batch covers a
//!   list). A verdict is final when
//!   `VerdictThreshold` verifiers agree; the market then settles or slashes.
//! - Verdicts are `Operational` with the highest priority (the runtime's
//!   `priority` bands): no tip and no Normal-class load keeps them out.
//! - A proof without a final verdict `VerificationTimeout` blocks after its
//!   list's block is listed again (`VerificationExtended`), up to
//!   `VerificationRounds` rounds in all, its request still with its prover;
//!   after the last it is dropped (`VerificationTimedOut`) and its request
//!   returns to the market without a slash.
//! - The verifier set follows the session: at each new session the `zkvf` keys
//!   of its validators become the set, with a majority threshold (the pallet is
//!   a session handler; the runtime lists it in the session keys). Root may
//!   pin a set of its own (`set_verifiers`) and return to the session's
//!   (`follow_session`).
#![cfg_attr(not(feature = "std"), no_std)]
// `ValidateUnsigned` is deprecated in favour of `#[pallet::authorize]`, which
// Polkadot.js cannot build transactions for yet; see docs/verification.md.
#![allow(deprecated)]
// The `validate_unsigned` expansion binds a unit value.
#![allow(clippy::let_unit_value)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod groth16;
pub mod migrations;
#[cfg(test)]
mod mock;
mod offchain;
mod programs;
mod proofs;
mod session;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_kinds;
#[cfg(test)]
mod tests_session;
#[cfg(test)]
mod tests_verdicts;
mod timeouts;
pub mod types;
mod verdicts;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

use sp_core::crypto::KeyTypeId;

/// Benchmark setup the verifier cannot do through its traits alone.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes a request for `program` (one public input) that `prover` may submit a
	/// proof for now; returns its id.
	fn setup_request(prover: &AccountId, program: zkmarket_primitives::traits::ProgramId) -> u64;
}

/// Verifying key of the demo program (`zkmarket-prover program`), for benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub const DEMO_VK: &[u8] = include_bytes!("demo_vk.bin");

/// Key type of verifier keys in the keystore.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"zkvf");

/// The verifier key: sr25519 under [`KEY_TYPE`].
pub mod crypto {
	use super::KEY_TYPE;
	use sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, KEY_TYPE);
}

/// A verifier's public key.
pub type VerifierId = crypto::Public;
/// A verifier's signature.
pub type VerifierSignature = crypto::Signature;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{self, Inspect},
	};
	use frame_system::{offchain::CreateBare, pallet_prelude::*};
	use sp_runtime::traits::Zero;
	use zkmarket_primitives::traits::{ProgramId, ProofMarket, RequestId};

	/// Balance type of the pallet's currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// A stored program.
	pub type ProgramOf<T> =
		ProgramInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>, <T as Config>::MaxVkLen>;
	/// A stored pending proof.
	pub type PendingOf<T> = PendingProof<
		<T as frame_system::Config>::AccountId,
		BlockNumberFor<T>,
		<T as Config>::MaxPublicInputs,
		<T as Config>::MaxProofLen,
		<T as Config>::MaxVerifiers,
	>;
	/// A verdict batch.
	pub type BatchOf<T> = VerdictBatch<BlockNumberFor<T>, <T as Config>::MaxVerdictsPerTx>;

	/// The storage version: 1 since programs have a kind (`migrations::v1`).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Reasons for which this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Deposit of a registered program.
		#[codec(index = 0)]
		ProgramDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config + CreateBare<Call<Self>> {
		/// The native currency, with holds.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// The market that settles verdicts.
		type Market: ProofMarket<Self::AccountId>;
		/// Largest verifying key in bytes.
		#[pallet::constant]
		type MaxVkLen: Get<u32>;
		/// Largest proof in bytes.
		#[pallet::constant]
		type MaxProofLen: Get<u32>;
		/// Most public inputs of a request (as the market's bound).
		#[pallet::constant]
		type MaxPublicInputs: Get<u32>;
		/// Most proofs in one block's verification list (`ProofsByBlock`). At most
		/// `MaxVerdictsPerTx`, so each verifier votes on a whole list in one batch.
		/// A proof that finds its block's list full goes to the next block's: a
		/// proof of an obligation is never refused for lack of room.
		#[pallet::constant]
		type MaxProofsPerBlock: Get<u32>;
		/// Most proofs of open offers and bounties (anyone eligible may send them)
		/// submitted in one block; with a block of auction assignments they fill
		/// one list (runtime: 256 - 64).
		#[pallet::constant]
		type MaxOpenProofsPerBlock: Get<u32>;
		/// Most verdicts in one batch (and proofs one off-chain worker run verifies).
		#[pallet::constant]
		type MaxVerdictsPerTx: Get<u32>;
		/// Most verifiers.
		#[pallet::constant]
		type MaxVerifiers: Get<u32>;
		/// Blocks a proof may wait for a final verdict in one verification round.
		#[pallet::constant]
		type VerificationTimeout: Get<BlockNumberFor<Self>>;
		/// Verification rounds a proof gets (at least 1): a proof without a final
		/// verdict at the end of a round is listed again, in the list of that
		/// block, until its last round ends; only then does its request return to
		/// the market (`VerificationTimedOut`). Meanwhile the request stays
		/// `ProofSubmitted`: its requester cannot cancel it.
		#[pallet::constant]
		type VerificationRounds: Get<u32>;
		/// Fixed part of a program's deposit.
		#[pallet::constant]
		type ProgramDepositBase: Get<BalanceOf<Self>>;
		/// Per-byte part of a program's deposit.
		#[pallet::constant]
		type ProgramDepositPerByte: Get<BalanceOf<Self>>;
		/// Priority of verdict transactions.
		#[pallet::constant]
		type UnsignedPriority: Get<TransactionPriority>;
		/// Weights of this pallet.
		type WeightInfo: WeightInfo;
		/// Sets up requests for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Registered programs by id (blake2-256 of the key).
	#[pallet::storage]
	pub type Programs<T: Config> = StorageMap<_, Identity, ProgramId, ProgramOf<T>>;

	/// Id of the next submitted proof.
	#[pallet::storage]
	pub type NextProofId<T> = StorageValue<_, ProofId, ValueQuery>;

	/// Proofs awaiting a verdict.
	#[pallet::storage]
	pub type Pending<T: Config> = StorageMap<_, Twox64Concat, ProofId, PendingOf<T>>;

	/// Verification lists: ids of the proofs listed under a block, in submission
	/// order (proofs submitted in that block, or in an earlier one whose list was
	/// full); read by the off-chain workers (oldest first) and,
	/// `VerificationTimeout` blocks later, by the timeout check, which removes it.
	#[pallet::storage]
	pub type ProofsByBlock<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ProofId, T::MaxProofsPerBlock>,
		ValueQuery,
	>;

	/// Verification rounds a pending proof has had beyond its first (absent:
	/// none); removed with the proof.
	#[pallet::storage]
	pub type ExtraRounds<T: Config> = StorageMap<_, Twox64Concat, ProofId, u32>;

	/// Proofs of open offers and bounties submitted in the block named (bounded
	/// by `MaxOpenProofsPerBlock`).
	#[pallet::storage]
	pub type OpenProofsInBlock<T: Config> = StorageValue<_, (BlockNumberFor<T>, u32), ValueQuery>;

	/// The latest verification list that has taken proofs (lists after it are
	/// empty); a new proof goes to the list of `max(now, this)`, or the next one
	/// when that is full.
	#[pallet::storage]
	pub type LastProofList<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The verifier set.
	#[pallet::storage]
	pub type Verifiers<T: Config> =
		StorageValue<_, BoundedVec<VerifierId, T::MaxVerifiers>, ValueQuery>;

	/// Agreeing verifiers needed for a final verdict.
	#[pallet::storage]
	pub type VerdictThreshold<T> = StorageValue<_, u32, ValueQuery>;

	/// Whether root pinned the verifier set (`set_verifiers`). While not
	/// pinned the set follows the session's validators ([`SessionVerifiers`]).
	#[pallet::storage]
	pub type VerifierSetPinned<T> = StorageValue<_, bool, ValueQuery>;

	/// The verifier keys of the current session's validators (sorted), kept
	/// while the set is pinned too, for `follow_session`.
	#[pallet::storage]
	pub type SessionVerifiers<T: Config> =
		StorageValue<_, BoundedVec<VerifierId, T::MaxVerifiers>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// A pinned initial verifier set; empty: the set follows the session's
		/// validators from genesis (their `zkvf` session keys, majority threshold).
		pub verifiers: alloc::vec::Vec<VerifierId>,
		/// Agreeing verifiers needed of a pinned set (0: a majority).
		pub threshold: u32,
		#[serde(skip)]
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if self.verifiers.is_empty() {
				// Follows the session: its genesis session sets the verifiers.
				assert!(self.threshold == 0, "a threshold needs a pinned verifier set");
				return;
			}
			VerifierSetPinned::<T>::put(true);
			let set: BoundedVec<VerifierId, T::MaxVerifiers> =
				self.verifiers.clone().try_into().expect("too many genesis verifiers");
			let threshold =
				if self.threshold == 0 { set.len() as u32 / 2 + 1 } else { self.threshold };
			assert!(threshold as usize <= set.len().max(1), "threshold above the verifier count");
			Verifiers::<T>::put(set);
			VerdictThreshold::<T>::put(threshold);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A program was registered.
		ProgramRegistered {
			id: ProgramId,
			owner: T::AccountId,
			kind: ProgramKind,
			inputs: u32,
			deposit: BalanceOf<T>,
		},
		/// Its owner unregistered a program; `deposit` was released.
		ProgramUnregistered { id: ProgramId, owner: T::AccountId, deposit: BalanceOf<T> },
		/// A proof was submitted for verification.
		ProofSubmitted { proof: ProofId, request: RequestId, prover: T::AccountId },
		/// A verifier voted.
		VoteRecorded { proof: ProofId, verifier: VerifierId, valid: bool },
		/// Verifiers disagree on a proof.
		ConflictingVotes { proof: ProofId, valid: u32, invalid: u32 },
		/// A proof got its final verdict.
		VerdictReached { proof: ProofId, request: RequestId, prover: T::AccountId, valid: bool },
		/// No verdict within the timeout: the proof was dropped, the request reopened.
		VerificationTimedOut { proof: ProofId, request: RequestId },
		/// No final verdict within a round: the proof was listed again for
		/// verification (round `round` of `VerificationRounds`, in the list of
		/// block `listed_at`); its request stays with its prover.
		VerificationExtended {
			proof: ProofId,
			request: RequestId,
			round: u32,
			listed_at: BlockNumberFor<T>,
		},
		/// The verifier set changed (a new session, or root).
		VerifiersChanged { count: u32, threshold: u32 },
		/// Root pinned the verifier set (`true`) or made it follow the session's
		/// validators again (`false`).
		VerifierSetPinned { pinned: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The bytes are not a valid Groth16 BN254 verifying key with at least one
		/// public input (the binding).
		InvalidVerifyingKey,
		/// This key is already registered.
		ProgramExists,
		/// Not enough free balance for the deposit.
		InsufficientBalance,
		/// The proof is empty.
		EmptyProof,
		/// The program of the request is not registered.
		UnknownProgram,
		/// No verification list has room (defensive: a full list passes the proof
		/// to the next block's, so this does not happen).
		BlockProofsFull,
		/// This block takes no more proofs of open offers and bounties
		/// (`MaxOpenProofsPerBlock`); submit in the next.
		BlockOpenProofsFull,
		/// The request carries more public inputs than allowed.
		TooManyInputs,
		/// The signer is not a current verifier.
		NotVerifier,
		/// The batch's signature is invalid.
		BadSignature,
		/// The batch contains no new vote.
		NothingNew,
		/// The threshold must be between 1 and the number of verifiers.
		InvalidThreshold,
		/// The verifier set is too large or has duplicates.
		InvalidVerifierSet,
		/// Only the program's owner may unregister it.
		NotProgramOwner,
		/// Open requests still name the program.
		ProgramInUse,
		/// A gnark key with Pedersen commitments: not supported (its proofs carry
		/// extra points and inputs).
		KeyCommitments,
		/// The key's number of public inputs does not fit the program kind (SP1 and
		/// RISC Zero keys take 5; others at least 1).
		KeyInputCount,
		/// A key of a bound kind (arkworks, snarkjs) that cannot bind its last
		/// public input (its point is the point at infinity, or gamma equals
		/// delta): copies of its proofs would be as good as the original.
		KeyUnbound,
		/// A parameter of the program kind is not a canonical scalar (SP1's
		/// `vkey_hash` and `vk_root`, RISC Zero's `bn254_control_id`, big-endian).
		InvalidKindParameter,
		/// The proof's length is not the one of the program's kind (arkworks and
		/// snarkjs 128 bytes, gnark and RISC Zero 256, SP1 356).
		WrongProofLength,
		/// The proof's points are not in their one encoding (a second encoding of
		/// the point at infinity).
		InvalidProofEncoding,
		/// An SP1 proof whose selector is not the one of the program's key (made
		/// for another SP1 version).
		WrongSelector,
		/// An SP1 proof of an execution that did not exit with code 0.
		NonZeroExitCode,
		/// An SP1 proof made with another SP1 version's recursion keys (`vk_root`).
		WrongVkRoot,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::end_verification_rounds(n)
		}

		fn offchain_worker(n: BlockNumberFor<T>) {
			Self::run_offchain_worker(n);
		}

		fn integrity_test() {
			assert!(T::MaxVerdictsPerTx::get() > 0, "MaxVerdictsPerTx must be positive");
			assert!(
				T::MaxVerdictsPerTx::get() >= T::MaxProofsPerBlock::get(),
				"a verdict batch must cover a block's proofs"
			);
			assert!(
				T::MaxOpenProofsPerBlock::get() < T::MaxProofsPerBlock::get(),
				"room must remain for auction assignments"
			);
			assert!(T::MaxVerifiers::get() > 0, "MaxVerifiers must be positive");
			assert!(
				!T::VerificationTimeout::get().is_zero(),
				"VerificationTimeout must be positive"
			);
			assert!(T::VerificationRounds::get() >= 1, "VerificationRounds must be at least 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a program: a Groth16 BN254 verifying key (arkworks compressed)
		/// whose last public input is the request/prover binding (a program of
		/// kind `Arkworks`; its id is the blake2-256 hash of the key). Holds a
		/// deposit of `ProgramDepositBase + ProgramDepositPerByte * len`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_program(vk.len() as u32))]
		pub fn register_program(
			origin: OriginFor<T>,
			vk: BoundedVec<u8, T::MaxVkLen>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, ProgramKind::Arkworks, &vk)
		}

		/// Register a program of a kind: its Groth16 BN254 verifying key as the
		/// kind writes it (arkworks compressed for `Arkworks`, `Snarkjs` (clients
		/// convert `verification_key.json`) and `Risc0`; gnark's `WriteTo` bytes
		/// for `Gnark` and `Sp1`, converted here). Every point is checked. The id
		/// is the blake2-256 hash of SCALE `(kind, arkworks key, selector)` (of the
		/// key alone for `Arkworks`). Holds a deposit of `ProgramDepositBase +
		/// ProgramDepositPerByte * len` (the stored key's length).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::register_program_of_kind(vk.len() as u32)
			.max(T::WeightInfo::register_program(vk.len() as u32)))]
		pub fn register_program_of_kind(
			origin: OriginFor<T>,
			kind: ProgramKind,
			vk: BoundedVec<u8, T::MaxVkLen>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, kind, &vk)
		}

		/// Submit a proof for `request`. Only the assigned or locking prover may,
		/// or an eligible prover where the market allows (unlocked offers, bounties:
		/// the proof then takes one of its job slots until the verdict).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::submit_proof()
			.saturating_add(T::Market::begin_verification_weight()))]
		pub fn submit_proof(
			origin: OriginFor<T>,
			request: RequestId,
			proof: BoundedVec<u8, T::MaxProofLen>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_proof(who, request, proof)
		}

		/// Verdicts of one verifier, signed with its verifier key. Submitted by the
		/// off-chain worker as an unsigned transaction; nobody else can produce it.
		/// `Operational` class: the room the Normal class cannot take, so no load
		/// of ordinary transactions keeps verdicts out of blocks.
		#[pallet::call_index(2)]
		#[pallet::weight((
			Pallet::<T>::verdicts_weight(batch.verdicts.len() as u32),
			DispatchClass::Operational
		))]
		pub fn submit_verdicts(
			origin: OriginFor<T>,
			batch: BatchOf<T>,
			signature: VerifierSignature,
		) -> DispatchResultWithPostInfo {
			ensure_none(origin)?;
			Self::do_submit_verdicts(batch, signature)
		}

		/// Unregister a program the caller owns, releasing its deposit. Refused
		/// while any open request names it.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::unregister_program())]
		pub fn unregister_program(origin: OriginFor<T>, id: ProgramId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister(who, id)
		}

		/// Root: replace the verifier set and the threshold, and pin it: new
		/// sessions no longer change it until `follow_session`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_verifiers(verifiers.len() as u32))]
		pub fn set_verifiers(
			origin: OriginFor<T>,
			verifiers: alloc::vec::Vec<VerifierId>,
			threshold: u32,
		) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_set_verifiers(verifiers, threshold)
		}

		/// Root: let the verifier set follow the session's validators again:
		/// the current session's verifier keys become the set at once, with a
		/// majority threshold, and each new session updates it.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_verifiers(T::MaxVerifiers::get()))]
		pub fn follow_session(origin: OriginFor<T>) -> DispatchResult {
			ensure_root(origin)?;
			Self::do_follow_session();
			Ok(())
		}
	}

	#[pallet::validate_unsigned]
	impl<T: Config> ValidateUnsigned for Pallet<T> {
		type Call = Call<T>;

		fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
			let Call::submit_verdicts { batch, signature } = call else {
				return InvalidTransaction::Call.into();
			};
			Self::validate_verdicts(batch, signature)
		}
	}

	impl<T: Config> Pallet<T> {
		/// Invariants: every pending proof is listed under its block and within its
		/// timeout; deposits are held; threshold valid.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			use sp_runtime::traits::Saturating;
			let now = frame_system::Pallet::<T>::block_number();
			for (id, rounds) in ExtraRounds::<T>::iter() {
				ensure!(Pending::<T>::contains_key(id), "extra rounds of a proof not pending");
				ensure!(rounds < T::VerificationRounds::get(), "more rounds than allowed");
			}
			for (id, p) in Pending::<T>::iter() {
				ensure!(
					ProofsByBlock::<T>::get(p.listed_at).contains(&id),
					"pending proof missing from its block's list"
				);
				ensure!(
					p.listed_at.saturating_add(T::VerificationTimeout::get()) > now,
					"pending proof past its timeout"
				);
			}
			let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			for (id, p) in Programs::<T>::iter() {
				ensure!(
					zkmarket_groth16_formats::program_id(&p.kind, &p.vk, p.selector) == id,
					"program stored under another id than its (kind, key, selector)'s"
				);
				ensure!(
					p.selector.is_some() == matches!(p.kind, ProgramKind::Sp1 { .. }),
					"selector of a program that is not an SP1 program"
				);
				let e = deposits.entry(p.owner).or_insert_with(Zero::zero);
				*e = e.saturating_add(p.deposit);
			}
			for (who, d) in deposits {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ProgramDeposit.into(), &who) == d,
					"program deposit hold mismatch"
				);
			}
			let t = VerdictThreshold::<T>::get();
			let n = Verifiers::<T>::get().len() as u32;
			ensure!(n == 0 || (t >= 1 && t <= n), "threshold out of range");
			let session = SessionVerifiers::<T>::get();
			if !VerifierSetPinned::<T>::get() && !session.is_empty() {
				ensure!(Verifiers::<T>::get() == session, "unpinned set is not the session's");
				ensure!(t == n / 2 + 1, "unpinned set without a majority threshold");
			}
			Ok(())
		}
	}
}
