//! The kind of a program: how its key, proofs and public inputs are written,
//! and whether its proofs carry the request/prover binding.
use crate::{evm, gnark, points, risc0, sp1, FormatError, Scalar};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// How a program's key and proofs are written and its public inputs derived.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum ProgramKind {
	/// Groth16 BN254 in arkworks' compressed encoding (key and 128-byte
	/// proofs); public inputs: the request's, then the binding.
	#[codec(index = 0)]
	Arkworks,
	/// A circom circuit proven with snarkjs. Clients convert snarkjs'
	/// `verification_key.json` and `proof.json` to the arkworks encoding; the
	/// public signals are the request's inputs followed by the binding, which
	/// the circuit declares as its last public input.
	#[codec(index = 1)]
	Snarkjs,
	/// A gnark circuit: the key as gnark writes it (`VerifyingKey.WriteTo`,
	/// compressed, no commitments), proofs in the 256-byte EVM layout
	/// (`MarshalSolidity`); public inputs: the request's. Unbound.
	#[codec(index = 2)]
	Gnark,
	/// An SP1 (v6) guest program: the SP1 version's gnark `groth16_vk.bin`,
	/// proofs as SP1's `proof.bytes()`; the request carries the digest of the
	/// committed public values. Unbound.
	#[codec(index = 3)]
	Sp1 {
		/// The guest program's verifying key hash (`vk.bytes32()`), big-endian.
		vkey_hash: [u8; 32],
		/// The SP1 version's recursion root (`vk_root`), big-endian.
		vk_root: [u8; 32],
	},
	/// A RISC Zero guest program (image): RISC Zero's Groth16 key (arkworks
	/// encoding), proofs the 256 bytes of a seal after its selector; the request
	/// carries the journal's sha256 digest as two 128-bit halves. Unbound.
	#[codec(index = 4)]
	Risc0 {
		/// The guest program's image id.
		image_id: [u8; 32],
		/// The zkVM version's control root.
		control_root: [u8; 32],
		/// The zkVM version's BN254 control id, big-endian (as `ControlID.sol`).
		bn254_control_id: [u8; 32],
	},
}

/// What registering a key of a kind yields.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Registration {
	/// The key in arkworks' compressed encoding (still to be validated by
	/// parsing: points on the curve, G2 in the subgroup).
	pub vk: Vec<u8>,
	/// Public inputs the key takes.
	pub key_inputs: u32,
	/// Public inputs a request for the program carries.
	pub inputs: u32,
	/// SP1: the selector its proofs start with.
	pub selector: Option<[u8; 4]>,
}

impl Registration {
	/// The id of the program this registration makes.
	pub fn program_id(&self, kind: &ProgramKind) -> [u8; 32] {
		program_id(kind, &self.vk, self.selector)
	}
}

/// What the verifier checks: an arkworks compressed proof and all public inputs.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Statement {
	/// The proof, arkworks compressed (128 bytes).
	pub proof: Vec<u8>,
	/// Every public input, in the key's order.
	pub inputs: Vec<Scalar>,
}

/// The id of a program: blake2-256 of its arkworks key for [`ProgramKind::Arkworks`]
/// (as before kinds existed), of the SCALE encoding of `(kind, key, selector)`
/// otherwise: everything that decides which proofs the program accepts, so one
/// key registered as two kinds gives two programs, and an SP1 key file whose
/// unused bytes differ (another selector: proofs of the real key would be
/// refused) cannot take the real program's id.
pub fn program_id(kind: &ProgramKind, vk: &[u8], selector: Option<[u8; 4]>) -> [u8; 32] {
	match kind {
		ProgramKind::Arkworks => sp_crypto_hashing::blake2_256(vk),
		_ => sp_crypto_hashing::blake2_256(&(kind, vk, selector).encode()),
	}
}

/// The number of public inputs an arkworks compressed key declares, if its
/// length is the one that count implies.
fn arkworks_inputs(vk: &[u8]) -> Result<u32, FormatError> {
	let count: [u8; 8] = vk
		.get(points::VK_FIXED - 8..points::VK_FIXED)
		.and_then(|c| c.try_into().ok())
		.ok_or(FormatError::KeyEncoding)?;
	let points_n = u64::from_le_bytes(count);
	let n: u32 =
		points_n.checked_sub(1).and_then(|n| n.try_into().ok()).ok_or(FormatError::KeyEncoding)?;
	let len = (n as usize)
		.checked_add(1)
		.and_then(|p| p.checked_mul(points::G1_LEN))
		.and_then(|p| p.checked_add(points::VK_FIXED))
		.ok_or(FormatError::KeyEncoding)?;
	if vk.len() != len || !points::is_canonical_arkworks_key(vk) {
		return Err(FormatError::KeyEncoding);
	}
	Ok(n)
}

/// Multiples `k` for which keys with gamma = +-k * delta are refused.
pub const RELATED_MULTIPLES: u32 = 16;

/// Whether an arkworks key (of valid layout) can bind its last public input:
/// not if that input's point is the point at infinity (the input is then
/// unconstrained), nor if gamma or delta is the point at infinity, nor if
/// gamma = k * delta for a small known k (|k| <= [`RELATED_MULTIPLES`]): anyone
/// can then move a proof to another binding, `C' = C - k (b' - b) IC_last`,
/// since `e(b' IC, k delta) = e(b IC, gamma) e(k (b' - b) IC, delta)`. Setups
/// never make such keys; the check keeps the "bound" label of a program
/// honest. (A key whose gamma is some other known multiple of delta, or whose
/// setup secrets are known, stays forgeable: docs/security.md, Known limits.)
/// Two G2 decompressions and `RELATED_MULTIPLES` additions, no pairing.
fn binds(vk: &[u8]) -> bool {
	use ark_bn254::G2Affine;
	use ark_ec::AffineRepr;
	use ark_serialize::CanonicalDeserialize;
	let last = &vk[vk.len() - points::G1_LEN..];
	let mut infinity = [0u8; points::G1_LEN];
	infinity[points::G1_LEN - 1] = 0x40;
	if last == infinity {
		return false;
	}
	let point = |b: &[u8]| G2Affine::deserialize_compressed_unchecked(b).ok();
	let (Some(gamma), Some(delta)) = (point(&vk[96..160]), point(&vk[160..224])) else {
		// Not points at all: the key's full parse refuses it.
		return true;
	};
	if gamma.is_zero() || delta.is_zero() {
		return false;
	}
	let (gamma, delta) = (gamma.into_group(), delta.into_group());
	let mut multiple = delta;
	for _ in 0..RELATED_MULTIPLES {
		if multiple == gamma || -multiple == gamma {
			return false;
		}
		multiple += delta;
	}
	true
}

impl ProgramKind {
	/// The kind's codec index (0 arkworks, 1 snarkjs, 2 gnark, 3 SP1, 4 RISC
	/// Zero): how capabilities name a whole kind.
	pub fn index(&self) -> u8 {
		match self {
			Self::Arkworks => 0,
			Self::Snarkjs => 1,
			Self::Gnark => 2,
			Self::Sp1 { .. } => 3,
			Self::Risc0 { .. } => 4,
		}
	}

	/// Whether proofs of this kind carry the request/prover binding. Proofs of
	/// unbound kinds are valid for any prover: only the prover with the
	/// obligation (assignment, locked offer) may submit one.
	pub fn is_bound(&self) -> bool {
		matches!(self, Self::Arkworks | Self::Snarkjs)
	}

	/// Whether `inputs` (canonical scalars, as many as the program takes) can be
	/// a request's: RISC Zero's journal digest halves are below 2^128, SP1's
	/// committed values digest below 2^253 (its top 3 bits are cleared).
	pub fn accepts_inputs(&self, inputs: &[Scalar]) -> bool {
		match self {
			Self::Risc0 { .. } => inputs.iter().all(|i| i[16..].iter().all(|b| *b == 0)),
			Self::Sp1 { .. } => inputs.iter().all(|i| i[31] < 0x20),
			_ => true,
		}
	}

	/// The length of this kind's proofs.
	pub fn proof_len(&self) -> usize {
		match self {
			Self::Arkworks | Self::Snarkjs => points::PROOF_LEN,
			Self::Gnark | Self::Risc0 { .. } => evm::PROOF_LEN,
			Self::Sp1 { .. } => sp1::PROOF_LEN,
		}
	}

	/// A short lowercase name (`arkworks`, `snarkjs`, `gnark`, `sp1`, `risc0`).
	pub fn name(&self) -> &'static str {
		match self {
			Self::Arkworks => "arkworks",
			Self::Snarkjs => "snarkjs",
			Self::Gnark => "gnark",
			Self::Sp1 { .. } => "sp1",
			Self::Risc0 { .. } => "risc0",
		}
	}

	/// Converts a key written the kind's way (arkworks bytes, or gnark's for
	/// [`Self::Gnark`] and [`Self::Sp1`]) and checks what does not need curve
	/// arithmetic: the layout, one encoding per point, the kind's input count
	/// and parameters. The caller then parses the arkworks key.
	pub fn register(&self, raw: &[u8]) -> Result<Registration, FormatError> {
		let (vk, selector) = match self {
			Self::Gnark | Self::Sp1 { .. } => {
				let vk = gnark::vk_to_arkworks(raw)?;
				let selector = matches!(self, Self::Sp1 { .. }).then(|| sp1::selector(raw));
				(vk, selector)
			}
			_ => (raw.to_vec(), None),
		};
		let key_inputs = arkworks_inputs(&vk)?;
		let inputs = match self {
			Self::Arkworks | Self::Snarkjs => key_inputs.checked_sub(1).filter(|_| key_inputs >= 1),
			Self::Gnark => (key_inputs >= 1).then_some(key_inputs),
			Self::Sp1 { .. } => (key_inputs == sp1::KEY_INPUTS).then_some(1),
			Self::Risc0 { .. } => {
				(key_inputs == risc0::KEY_INPUTS).then_some(risc0::REQUEST_INPUTS)
			}
		}
		.ok_or(FormatError::KeyInputCount)?;
		let canonical = |w: &[u8; 32]| points::be_to_input(w).is_some();
		let params_ok = match self {
			Self::Sp1 { vkey_hash, vk_root } => canonical(vkey_hash) && canonical(vk_root),
			Self::Risc0 { bn254_control_id, .. } => canonical(bn254_control_id),
			_ => true,
		};
		if !params_ok {
			return Err(FormatError::KindParameter);
		}
		if self.is_bound() && !binds(&vk) {
			return Err(FormatError::KeyUnbound);
		}
		Ok(Registration { vk, key_inputs, inputs, selector })
	}

	/// The structural checks of a proof that need no curve arithmetic (what the
	/// chain checks when the proof is submitted): the length, and for SP1 the
	/// selector, exit code 0 and the program's `vk_root`.
	pub fn check_proof(&self, selector: Option<[u8; 4]>, proof: &[u8]) -> Result<(), FormatError> {
		if proof.len() != self.proof_len() {
			return Err(FormatError::ProofLength);
		}
		match self {
			Self::Sp1 { vk_root, .. } => {
				sp1::split(proof, &selector.unwrap_or_default(), vk_root).map(|_| ())
			}
			Self::Arkworks | Self::Snarkjs if !points::is_canonical_arkworks_proof(proof) => {
				Err(FormatError::ProofEncoding)
			}
			Self::Gnark | Self::Risc0 { .. } => evm::check_words(proof),
			_ => Ok(()),
		}
	}

	/// What the verifier checks for `proof` of a request with `inputs` by the
	/// prover whose binding is `binding`: the proof in arkworks' encoding and
	/// every public input. An error means the proof is invalid.
	pub fn statement(
		&self,
		selector: Option<[u8; 4]>,
		proof: &[u8],
		inputs: &[Scalar],
		binding: &Scalar,
	) -> Result<Statement, FormatError> {
		self.check_proof(selector, proof)?;
		match self {
			Self::Arkworks | Self::Snarkjs => Ok(Statement {
				proof: proof.to_vec(),
				inputs: inputs.iter().chain(core::iter::once(binding)).copied().collect(),
			}),
			Self::Gnark => {
				Ok(Statement { proof: evm::proof_to_arkworks(proof)?, inputs: inputs.to_vec() })
			}
			Self::Sp1 { vkey_hash, vk_root } => {
				let (nonce, evm_proof) = sp1::split(proof, &selector.unwrap_or_default(), vk_root)?;
				let [digest] = inputs else { return Err(FormatError::Input) };
				Ok(Statement {
					proof: evm::proof_to_arkworks(evm_proof)?,
					inputs: sp1::public_inputs(vkey_hash, digest, vk_root, nonce)?,
				})
			}
			Self::Risc0 { image_id, control_root, bn254_control_id } => Ok(Statement {
				proof: evm::proof_to_arkworks(proof)?,
				inputs: risc0::public_inputs(image_id, control_root, bn254_control_id, inputs)?,
			}),
		}
	}
}
