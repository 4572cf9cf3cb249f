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
#[cfg(test)]
mod tests;
pub mod types;
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
		traits::fungible::{self, Inspect, MutateHold},
	};
	use frame_system::{offchain::CreateBare, pallet_prelude::*};
	use sp_runtime::{
		traits::{One, Saturating, Zero},
		RuntimeAppPublic,
	};
	use zkmarket_groth16_formats::FormatError;
	use zkmarket_primitives::traits::{ProgramId, ProofKind, ProofMarket, RequestId, Verdict};

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
			let (read, concluded) = Self::process_timeouts(n);
			// Each proof decided or dropped concludes its request in the market
			// (`conclude_weight`: a settlement, or a slash and a re-queue into a
			// full queue with an eviction); re-listed proofs cost less.
			T::WeightInfo::timeouts(read)
				.saturating_add(T::Market::conclude_weight().saturating_mul(concluded.into()))
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
			ensure!(!proof.is_empty(), Error::<T>::EmptyProof);
			let (program, inputs, kind) = T::Market::begin_verification(request, &who)?;
			let info = Programs::<T>::get(program).ok_or(Error::<T>::UnknownProgram)?;
			// What needs no curve arithmetic is refused now, with its name (no
			// slash): the length, and for SP1 the selector, exit code and vk_root.
			info.kind.check_proof(info.selector, &proof).map_err(Self::format_error)?;
			let inputs: BoundedVec<_, T::MaxPublicInputs> =
				inputs.try_into().map_err(|_| Error::<T>::TooManyInputs)?;
			let now = frame_system::Pallet::<T>::block_number();
			if kind == ProofKind::Open {
				let (at, count) = OpenProofsInBlock::<T>::get();
				let count = if at == now { count } else { 0 };
				ensure!(count < T::MaxOpenProofsPerBlock::get(), Error::<T>::BlockOpenProofsFull);
				OpenProofsInBlock::<T>::put((now, count + 1));
			}
			let id = NextProofId::<T>::get();
			let list = Self::list_proof(id, now)?;
			Pending::<T>::insert(
				id,
				PendingProof {
					request,
					prover: who.clone(),
					program,
					inputs,
					proof,
					submitted_at: now,
					listed_at: list,
					valid: BoundedVec::new(),
					invalid: BoundedVec::new(),
				},
			);
			NextProofId::<T>::put(id.saturating_add(1));
			Self::deposit_event(Event::ProofSubmitted { proof: id, request, prover: who });
			Ok(())
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
			Self::check_batch(&batch, &signature)?;
			let threshold = VerdictThreshold::<T>::get().max(1) as usize;
			let set = Verifiers::<T>::get();
			// Only votes of the current verifier set count.
			let current = |side: &BoundedVec<VerifierId, T::MaxVerifiers>| {
				side.iter().filter(|v| set.contains(v)).count()
			};
			let (mut new_votes, mut finalized) = (0u32, 0u32);
			for (proof_id, hash, valid) in batch.verdicts.iter() {
				let Some(mut p) = Pending::<T>::get(proof_id) else { continue };
				// A vote counts only for the proof bytes it was cast on.
				if Self::content_hash(&p) != *hash {
					continue;
				}
				if p.valid.contains(&batch.verifier) || p.invalid.contains(&batch.verifier) {
					continue;
				}
				let side = if *valid { &mut p.valid } else { &mut p.invalid };
				if side.try_push(batch.verifier.clone()).is_err() {
					continue;
				}
				new_votes += 1;
				Self::deposit_event(Event::VoteRecorded {
					proof: *proof_id,
					verifier: batch.verifier.clone(),
					valid: *valid,
				});
				if !p.valid.is_empty() && !p.invalid.is_empty() {
					Self::deposit_event(Event::ConflictingVotes {
						proof: *proof_id,
						valid: p.valid.len() as u32,
						invalid: p.invalid.len() as u32,
					});
				}
				if current(&p.valid) >= threshold {
					finalized += 1;
					Self::finalize(*proof_id, p, Verdict::Valid);
				} else if current(&p.invalid) >= threshold {
					finalized += 1;
					Self::finalize(*proof_id, p, Verdict::Invalid);
				} else {
					Pending::<T>::insert(proof_id, p);
				}
			}
			ensure!(new_votes > 0, Error::<T>::NothingNew);
			// Refund what was not spent: only final verdicts settle requests (the
			// benchmarked per-verdict cost); other entries read (and a new vote
			// writes) one pending proof. With several verifiers only one batch a
			// proof settles it, so the others cost little.
			let db = T::DbWeight::get();
			let actual = Self::verdicts_weight(finalized.max(1))
				.saturating_add(db.reads(batch.verdicts.len() as u64))
				.saturating_add(db.writes(new_votes.saturating_sub(finalized) as u64));
			Ok(Some(actual.min(Self::verdicts_weight(batch.verdicts.len() as u32))).into())
		}

		/// Unregister a program the caller owns, releasing its deposit. Refused
		/// while any open request names it.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::unregister_program())]
		pub fn unregister_program(origin: OriginFor<T>, id: ProgramId) -> DispatchResult {
			let who = ensure_signed(origin)?;
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
			let mut sorted = verifiers.clone();
			sorted.sort();
			sorted.dedup();
			ensure!(sorted.len() == verifiers.len(), Error::<T>::InvalidVerifierSet);
			let set: BoundedVec<VerifierId, T::MaxVerifiers> =
				verifiers.try_into().map_err(|_| Error::<T>::InvalidVerifierSet)?;
			ensure!(
				threshold >= 1 && threshold as usize <= set.len(),
				Error::<T>::InvalidThreshold
			);
			let count = set.len() as u32;
			Verifiers::<T>::put(set);
			VerdictThreshold::<T>::put(threshold);
			VerifierSetPinned::<T>::put(true);
			Self::deposit_event(Event::VerifiersChanged { count, threshold });
			Self::deposit_event(Event::VerifierSetPinned { pinned: true });
			Ok(())
		}

		/// Root: let the verifier set follow the session's validators again:
		/// the current session's verifier keys become the set at once, with a
		/// majority threshold, and each new session updates it.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_verifiers(T::MaxVerifiers::get()))]
		pub fn follow_session(origin: OriginFor<T>) -> DispatchResult {
			ensure_root(origin)?;
			VerifierSetPinned::<T>::put(false);
			Self::deposit_event(Event::VerifierSetPinned { pinned: false });
			Self::apply_session_set(SessionVerifiers::<T>::get());
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
			Self::check_batch(batch, signature).map_err(|e| match e {
				Error::<T>::BadSignature => InvalidTransaction::BadProof,
				Error::<T>::NotVerifier => InvalidTransaction::BadSigner,
				_ => InvalidTransaction::Stale,
			})?;
			let now = frame_system::Pallet::<T>::block_number();
			if batch.block > now {
				return InvalidTransaction::Future.into();
			}
			if now.saturating_sub(batch.block) > 5u32.into() {
				return InvalidTransaction::Stale.into();
			}
			let any_new = batch.verdicts.iter().any(|(id, hash, _)| {
				Pending::<T>::get(id)
					.map(|p| {
						Self::content_hash(&p) == *hash
							&& !p.valid.contains(&batch.verifier)
							&& !p.invalid.contains(&batch.verifier)
					})
					.unwrap_or(false)
			});
			if !any_new {
				return InvalidTransaction::Stale.into();
			}
			ValidTransaction::with_tag_prefix("zkmarket-verdicts")
				.priority(T::UnsignedPriority::get())
				.and_provides((batch.verifier.clone(), batch.block))
				.longevity(5)
				.propagate(true)
				.build()
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks the signer is a verifier and the signature is valid.
		pub(crate) fn check_batch(
			batch: &BatchOf<T>,
			signature: &VerifierSignature,
		) -> Result<(), Error<T>> {
			ensure!(Verifiers::<T>::get().contains(&batch.verifier), Error::<T>::NotVerifier);
			ensure!(
				batch.verifier.verify(&Self::signed_payload(batch), signature),
				Error::<T>::BadSignature
			);
			Ok(())
		}

		/// What a verifier signs: the context, this chain's genesis hash (so a
		/// vote counts on no other chain) and the batch.
		pub fn signed_payload(batch: &BatchOf<T>) -> alloc::vec::Vec<u8> {
			(
				VERDICT_CONTEXT,
				frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero()),
				batch,
			)
				.encode()
		}

		/// The content hash a vote names: blake2-256 of the request, prover,
		/// program, public inputs and proof bytes.
		pub fn content_hash(p: &PendingOf<T>) -> [u8; 32] {
			sp_io::hashing::blake2_256(
				&(p.request, &p.prover, p.program, &p.inputs, &p.proof).encode(),
			)
		}

		/// Puts proof `id` in a verification list: the list of block `now`, or the
		/// latest one that took proofs; when full, the next (empty) one: verified
		/// a block later, never refused. Returns the list's block.
		pub(crate) fn list_proof(
			id: ProofId,
			now: BlockNumberFor<T>,
		) -> Result<BlockNumberFor<T>, Error<T>> {
			let mut list = LastProofList::<T>::get().max(now);
			if ProofsByBlock::<T>::decode_len(list).unwrap_or(0)
				>= T::MaxProofsPerBlock::get() as usize
			{
				list = list.saturating_add(One::one());
			}
			ProofsByBlock::<T>::try_mutate(list, |q| q.try_push(id))
				.map_err(|_| Error::<T>::BlockProofsFull)?;
			LastProofList::<T>::put(list);
			Ok(list)
		}

		/// Removes a proof with a final verdict and lets the market settle.
		pub(crate) fn finalize(id: ProofId, p: PendingOf<T>, verdict: Verdict) {
			Pending::<T>::remove(id);
			ExtraRounds::<T>::remove(id);
			Self::deposit_event(Event::VerdictReached {
				proof: id,
				request: p.request,
				prover: p.prover.clone(),
				valid: verdict == Verdict::Valid,
			});
			T::Market::conclude(p.request, &p.prover, verdict, &p.proof);
		}

		/// The weight of a verdict batch of `n` votes that all decide their proofs:
		/// the benchmark (votes settling open offers) plus, per vote, the
		/// market's `conclude_weight` (measured on its costliest conclusion: a
		/// slash and a re-queue into a full queue with an eviction).
		pub fn verdicts_weight(n: u32) -> Weight {
			T::WeightInfo::submit_verdicts(n)
				.saturating_add(T::Market::conclude_weight().saturating_mul(n.into()))
		}

		/// Ends the verification round of the proofs listed at block
		/// `n - VerificationTimeout` (at most `MaxProofsPerBlock`): decides those
		/// whose recorded votes of the current set agree, lists the others again
		/// while they have rounds left, and drops the rest, returning their
		/// requests to the market; returns how many ids it read and how many it
		/// concluded (decided or dropped).
		pub(crate) fn process_timeouts(n: BlockNumberFor<T>) -> (u32, u32) {
			let timeout = T::VerificationTimeout::get();
			if n < timeout {
				return (0, 0);
			}
			let ids = ProofsByBlock::<T>::take(n.saturating_sub(timeout));
			let threshold = VerdictThreshold::<T>::get().max(1) as usize;
			let set = Verifiers::<T>::get();
			let current = |side: &BoundedVec<VerifierId, T::MaxVerifiers>| {
				side.iter().filter(|v| set.contains(v)).count()
			};
			let mut concluded = 0u32;
			for id in ids.iter() {
				let Some(p) = Pending::<T>::take(id) else { continue };
				// Votes are counted as they arrive; a set that shrank since (a
				// session change, root) may already agree on a proof that gets
				// no more votes: decide it now rather than drop it.
				if current(&p.valid) >= threshold {
					concluded += 1;
					Self::finalize(*id, p, Verdict::Valid);
				} else if current(&p.invalid) >= threshold {
					concluded += 1;
					Self::finalize(*id, p, Verdict::Invalid);
				} else if let Some(round) = Self::next_round(*id) {
					// Votes could not land in time (or verifiers were offline): the
					// proof waits another round, its request still with its prover.
					let Ok(listed_at) = Self::list_proof(*id, n) else {
						concluded += 1;
						Self::time_out(*id, p);
						continue;
					};
					ExtraRounds::<T>::insert(id, round - 1);
					Self::deposit_event(Event::VerificationExtended {
						proof: *id,
						request: p.request,
						round,
						listed_at,
					});
					Pending::<T>::insert(id, PendingProof { listed_at, ..p });
				} else {
					concluded += 1;
					Self::time_out(*id, p);
				}
			}
			(ids.len() as u32, concluded)
		}

		/// The round proof `id` would enter now (2 for its first re-listing), if
		/// it has one left.
		fn next_round(id: ProofId) -> Option<u32> {
			let next = ExtraRounds::<T>::get(id).unwrap_or(0).saturating_add(2);
			(next <= T::VerificationRounds::get()).then_some(next)
		}

		/// Drops a proof that had its last round without a final verdict: its
		/// request returns to the market without a slash.
		fn time_out(id: ProofId, p: PendingOf<T>) {
			ExtraRounds::<T>::remove(id);
			Self::deposit_event(Event::VerificationTimedOut { proof: id, request: p.request });
			T::Market::conclude(p.request, &p.prover, Verdict::Undecided, &p.proof);
		}

		/// The binding input of a pending proof.
		pub fn binding_of(p: &PendingOf<T>) -> [u8; 32] {
			zkmarket_groth16_formats::binding(p.request, &p.prover)
		}

		/// Verifies a pending proof for real (used by the off-chain worker): the
		/// program's kind turns the proof and the request's inputs (and the
		/// binding, for bound kinds) into an arkworks proof and all public inputs,
		/// which one host call verifies. A proof its kind cannot read is invalid.
		pub fn verify_pending(p: &PendingOf<T>) -> bool {
			let Some(program) = Programs::<T>::get(p.program) else { return false };
			match program.kind.statement(
				program.selector,
				&p.proof,
				&p.inputs,
				&Self::binding_of(p),
			) {
				Ok(s) => groth16::verify(&program.vk, &s.proof, &s.inputs),
				Err(_) => false,
			}
		}

		/// Registers a program of `kind` for `who`: converts and checks the key,
		/// holds the deposit.
		pub(crate) fn do_register(
			who: T::AccountId,
			kind: ProgramKind,
			raw: &[u8],
		) -> DispatchResult {
			// The declared size first: bounds the work before anything is read.
			let declared = match kind {
				ProgramKind::Gnark | ProgramKind::Sp1 { .. } => {
					zkmarket_groth16_formats::gnark::declared_inputs(raw)
				}
				_ => groth16::declared_inputs(raw),
			}
			.ok_or(Error::<T>::InvalidVerifyingKey)?;
			ensure!(
				declared.saturating_sub(1) <= T::MaxPublicInputs::get(),
				Error::<T>::TooManyInputs
			);
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

		/// Invariants: every pending proof is listed under its block and within its
		/// timeout; deposits are held; threshold valid.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
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

	impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
		type Public = VerifierId;
	}

	impl<T: Config> Pallet<T> {
		/// A session's validators' verifier keys: kept, and made the set unless
		/// root pinned one.
		pub(crate) fn session_changed(keys: impl Iterator<Item = VerifierId>) {
			let mut keys: alloc::vec::Vec<VerifierId> = keys.collect();
			keys.sort();
			keys.dedup();
			let set = BoundedVec::truncate_from(keys);
			SessionVerifiers::<T>::put(&set);
			if !VerifierSetPinned::<T>::get() {
				Self::apply_session_set(set);
			}
		}

		/// Makes `set` the verifier set with a majority threshold (an event
		/// only if something changed; an empty set is ignored).
		fn apply_session_set(set: BoundedVec<VerifierId, T::MaxVerifiers>) {
			if set.is_empty() {
				return;
			}
			let threshold = set.len() as u32 / 2 + 1;
			if Verifiers::<T>::get() == set && VerdictThreshold::<T>::get() == threshold {
				return;
			}
			let count = set.len() as u32;
			Verifiers::<T>::put(set);
			VerdictThreshold::<T>::put(threshold);
			Self::deposit_event(Event::VerifiersChanged { count, threshold });
		}
	}

	impl<T: Config> frame_support::traits::OneSessionHandler<T::AccountId> for Pallet<T> {
		type Key = VerifierId;

		fn on_genesis_session<'a, I>(validators: I)
		where
			I: Iterator<Item = (&'a T::AccountId, VerifierId)> + 'a,
		{
			Self::session_changed(validators.map(|(_, k)| k));
		}

		fn on_new_session<'a, I>(changed: bool, validators: I, _queued: I)
		where
			I: Iterator<Item = (&'a T::AccountId, VerifierId)> + 'a,
		{
			if changed {
				Self::session_changed(validators.map(|(_, k)| k));
			}
		}

		fn on_disabled(_validator_index: u32) {}
	}
}
