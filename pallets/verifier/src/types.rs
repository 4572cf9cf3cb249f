//! Types stored by the verifier pallet.
use crate::VerifierId;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, BoundedVec};
use scale_info::TypeInfo;

use zkmarket_primitives::traits::{ProgramId, PublicInput, RequestId};

pub use zkmarket_groth16_formats::ProgramKind;

/// Identifier of a submitted proof.
pub type ProofId = u64;

/// A registered program.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxVkLen))]
pub struct ProgramInfo<AccountId, Balance, MaxVkLen: Get<u32>> {
	/// Who registered it (and paid the deposit).
	pub owner: AccountId,
	/// How its proofs are written and its public inputs derived (and whether
	/// its proofs carry the request/prover binding).
	pub kind: ProgramKind,
	/// Groth16 BN254 verifying key, arkworks compressed serialization (keys of
	/// other encodings are converted at registration).
	pub vk: BoundedVec<u8, MaxVkLen>,
	/// SP1 programs: the 4-byte selector their proofs start with (sha256 of the
	/// SP1 version's gnark key).
	pub selector: Option<[u8; 4]>,
	/// Public inputs a request carries (the key's inputs minus the binding).
	pub inputs: u32,
	/// Deposit held from the owner.
	pub deposit: Balance,
}

/// A proof waiting for the verifiers' verdict.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxInputs, MaxProofLen, MaxVerifiers))]
pub struct PendingProof<
	AccountId,
	BlockNumber,
	MaxInputs: Get<u32>,
	MaxProofLen: Get<u32>,
	MaxVerifiers: Get<u32>,
> {
	/// The request it proves.
	pub request: RequestId,
	/// The submitting prover.
	pub prover: AccountId,
	/// The program.
	pub program: ProgramId,
	/// The request's public inputs (the binding is derived from request and prover).
	pub inputs: BoundedVec<PublicInput, MaxInputs>,
	/// The proof, as the program's kind writes it.
	pub proof: BoundedVec<u8, MaxProofLen>,
	/// Block of submission.
	pub submitted_at: BlockNumber,
	/// The block whose verification list holds it: `submitted_at`, or later when
	/// that list was full. It times out `VerificationTimeout` blocks after this.
	pub listed_at: BlockNumber,
	/// Verifiers who found it valid.
	pub valid: BoundedVec<VerifierId, MaxVerifiers>,
	/// Verifiers who found it invalid.
	pub invalid: BoundedVec<VerifierId, MaxVerifiers>,
}

/// A batch of verdicts signed by one verifier.
#[derive(
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxVerdicts))]
#[allow(clippy::multiple_bound_locations)]
pub struct VerdictBatch<
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxVerdicts: Get<u32>,
> {
	/// The signing verifier.
	pub verifier: VerifierId,
	/// Block whose state the verdicts were computed on.
	pub block: BlockNumber,
	/// `(proof, content hash, valid)`: the content hash (see
	/// `Pallet::content_hash`) binds each vote to the proof bytes it was cast on.
	pub verdicts: BoundedVec<(ProofId, [u8; 32], bool), MaxVerdicts>,
}

/// Domain separator of signed verdict batches (v2: with the genesis hash and
/// content hashes).
pub const VERDICT_CONTEXT: &[u8] = b"zkmarket/verdicts/v2";
