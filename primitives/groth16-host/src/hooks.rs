//! Design B: ark-groth16 in the runtime over [`Bn254`], a BN254 whose expensive
//! curve operations are host functions ([`bn254_hooks`]): the multi Miller
//! loop, the final exponentiation, and the scalar multiplications of G1 and G2.
//! Parsing, validation, field arithmetic and the glue of ark-groth16 stay in
//! the runtime. This is how `sp-crypto-ec-utils` serves BLS12-381.
//!
//! Points cross the boundary in arkworks' uncompressed serialization without
//! validation (the runtime validates what it parses; the host trusts the
//! runtime's points as `sp-crypto-ec-utils` does). Each host function answers
//! with a status code and writes its result into a buffer the runtime passes.
//!
//! Validation: decompression puts every point on the curve; G2 points are then
//! checked to be in the prime-order subgroup with `[6x²]P = ψ(P)` (eprint
//! 2022/352, section 4.3, as ark-bn254 does), the multiplication by a host call.
//! Left to `ark_bn254_ext`, the check would be a 254-bit double-and-add in WASM.

use crate::{pure, Error};
use alloc::{vec, vec::Vec};
use ark_bn254::{Fq2, Fr};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup};
use ark_ff::{Field, MontFp, Zero};
use ark_groth16::{Groth16, PreparedVerifyingKey, Proof, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use sp_runtime_interface::{
	pass_by::{PassFatPointerAndRead, PassFatPointerAndReadWrite, PassFatPointerAndWrite},
	runtime_interface,
};

/// BN254 with host-backed hooks.
pub type Bn254 = ark_bn254_ext::Bn254<HostHooks>;
/// G1 (affine) of [`Bn254`].
pub type G1Affine = ark_bn254_ext::G1Affine<HostHooks>;
/// G1 (projective) of [`Bn254`].
pub type G1Projective = ark_bn254_ext::G1Projective<HostHooks>;
/// G2 (affine) of [`Bn254`].
pub type G2Affine = ark_bn254_ext::G2Affine<HostHooks>;
/// G2 (projective) of [`Bn254`].
pub type G2Projective = ark_bn254_ext::G2Projective<HostHooks>;
/// The pairing's target field Fq12.
pub type TargetField = <Bn254 as Pairing>::TargetField;

/// Bytes of an uncompressed G1 point.
pub const G1_UNCOMPRESSED: usize = 64;
/// Bytes of an uncompressed G2 point.
pub const G2_UNCOMPRESSED: usize = 128;
/// Bytes of an uncompressed Fq12 element.
pub const FQ12_UNCOMPRESSED: usize = 384;

/// Status codes of the hook host functions.
pub mod status {
	/// Success.
	pub const OK: u32 = 0;
	/// The output buffer is too small.
	pub const ENCODE: u32 = 1;
	/// An argument does not decode.
	pub const DECODE: u32 = 2;
	/// Bases and scalars differ in number.
	pub const LENGTH_MISMATCH: u32 = 3;
	/// The final exponentiation of zero (no Miller loop of points yields it).
	pub const DEGENERATE: u32 = 4;
	/// The host code panicked.
	pub const PANIC: u32 = 255;
}

const FAIL_MSG: &str = "BN254 hook: broken host/runtime contract; qed";

/// Curve hooks jumping into the [`bn254_hooks`] host functions.
#[derive(Clone, Copy)]
pub struct HostHooks;

fn encode<T: CanonicalSerialize>(value: &T) -> Vec<u8> {
	let mut out = Vec::with_capacity(value.uncompressed_size());
	value.serialize_uncompressed(&mut out).expect("writing to a Vec never fails; qed");
	out
}

fn decode<T: CanonicalDeserialize>(bytes: &[u8]) -> T {
	T::deserialize_with_mode(bytes, Compress::No, Validate::No).expect(FAIL_MSG)
}

fn limbs(scalar: &[u64]) -> Vec<u8> {
	scalar.iter().flat_map(|l| l.to_le_bytes()).collect()
}

impl ark_bn254_ext::CurveHooks for HostHooks {
	fn multi_miller_loop(
		g1: impl Iterator<Item = <Bn254 as Pairing>::G1Prepared>,
		g2: impl Iterator<Item = <Bn254 as Pairing>::G2Prepared>,
	) -> TargetField {
		let g1: Vec<G1Affine> = g1.map(|p| p.0).collect();
		let g2: Vec<G2Affine> = g2.map(|p| p.0).collect();
		let mut out = vec![0u8; FQ12_UNCOMPRESSED];
		let code = bn254_hooks::multi_miller_loop(&encode(&g1), &encode(&g2), &mut out);
		assert_eq!(code, status::OK, "{FAIL_MSG}");
		decode(&out)
	}

	/// The final exponentiation of zero, which no Miller loop of points
	/// produces, is zero here: never a pairing value, so no check passes.
	fn final_exponentiation(target: TargetField) -> TargetField {
		let mut in_out = encode(&target);
		match bn254_hooks::final_exponentiation(&mut in_out) {
			status::OK => decode(&in_out),
			status::DEGENERATE => TargetField::zero(),
			_ => panic!("{FAIL_MSG}"),
		}
	}

	fn msm_g1(bases: &[G1Affine], scalars: &[Fr]) -> G1Projective {
		let mut out = vec![0u8; G1_UNCOMPRESSED];
		let code = bn254_hooks::msm_g1(&encode(&bases), &encode(&scalars), &mut out);
		assert_eq!(code, status::OK, "{FAIL_MSG}");
		decode::<G1Affine>(&out).into_group()
	}

	fn msm_g2(bases: &[G2Affine], scalars: &[Fr]) -> G2Projective {
		let mut out = vec![0u8; G2_UNCOMPRESSED];
		let code = bn254_hooks::msm_g2(&encode(&bases), &encode(&scalars), &mut out);
		assert_eq!(code, status::OK, "{FAIL_MSG}");
		decode::<G2Affine>(&out).into_group()
	}

	fn mul_projective_g1(base: &G1Projective, scalar: &[u64]) -> G1Projective {
		let mut out = vec![0u8; G1_UNCOMPRESSED];
		let code = bn254_hooks::mul_g1(&encode(&base.into_affine()), &limbs(scalar), &mut out);
		assert_eq!(code, status::OK, "{FAIL_MSG}");
		decode::<G1Affine>(&out).into_group()
	}

	fn mul_projective_g2(base: &G2Projective, scalar: &[u64]) -> G2Projective {
		let mut out = vec![0u8; G2_UNCOMPRESSED];
		let code = bn254_hooks::mul_g2(&encode(&base.into_affine()), &limbs(scalar), &mut out);
		assert_eq!(code, status::OK, "{FAIL_MSG}");
		decode::<G2Affine>(&out).into_group()
	}
}

/// BN254 curve operations done by the node for [`HostHooks`] (design B). Each
/// returns a [`status`] code and writes its uncompressed result into `out`.
#[runtime_interface]
pub trait Bn254Hooks {
	/// Multi Miller loop of `g1` (`Vec<G1Affine>`) and `g2` (`Vec<G2Affine>`);
	/// writes an Fq12.
	fn multi_miller_loop(
		g1: PassFatPointerAndRead<&[u8]>,
		g2: PassFatPointerAndRead<&[u8]>,
		out: PassFatPointerAndWrite<&mut [u8]>,
	) -> u32 {
		native::guard(|| native::multi_miller_loop(g1, g2, out))
	}

	/// Final exponentiation of the Fq12 in `in_out`, in place.
	fn final_exponentiation(in_out: PassFatPointerAndReadWrite<&mut [u8]>) -> u32 {
		native::guard(|| native::final_exponentiation(in_out))
	}

	/// Multi scalar multiplication on G1: `bases` (`Vec<G1Affine>`), `scalars`
	/// (`Vec<Fr>`); writes a G1Affine.
	fn msm_g1(
		bases: PassFatPointerAndRead<&[u8]>,
		scalars: PassFatPointerAndRead<&[u8]>,
		out: PassFatPointerAndWrite<&mut [u8]>,
	) -> u32 {
		native::guard(|| native::msm::<ark_bn254::g1::Config>(bases, scalars, out))
	}

	/// Multi scalar multiplication on G2: `bases` (`Vec<G2Affine>`), `scalars`
	/// (`Vec<Fr>`); writes a G2Affine.
	fn msm_g2(
		bases: PassFatPointerAndRead<&[u8]>,
		scalars: PassFatPointerAndRead<&[u8]>,
		out: PassFatPointerAndWrite<&mut [u8]>,
	) -> u32 {
		native::guard(|| native::msm::<ark_bn254::g2::Config>(bases, scalars, out))
	}

	/// `scalar` (little-endian `u64` limbs) times `base` (a G1Affine); writes a
	/// G1Affine.
	fn mul_g1(
		base: PassFatPointerAndRead<&[u8]>,
		scalar: PassFatPointerAndRead<&[u8]>,
		out: PassFatPointerAndWrite<&mut [u8]>,
	) -> u32 {
		native::guard(|| native::mul::<ark_bn254::g1::Config>(base, scalar, out))
	}

	/// `scalar` (little-endian `u64` limbs) times `base` (a G2Affine); writes a
	/// G2Affine.
	fn mul_g2(
		base: PassFatPointerAndRead<&[u8]>,
		scalar: PassFatPointerAndRead<&[u8]>,
		out: PassFatPointerAndWrite<&mut [u8]>,
	) -> u32 {
		native::guard(|| native::mul::<ark_bn254::g2::Config>(base, scalar, out))
	}
}

/// The module `#[runtime_interface]` generated for [`Bn254Hooks`] (its functions
/// are imported by the runtime as `ext_bn_254_hooks_*_version_1`).
pub use bn_254_hooks as bn254_hooks;

/// The node's side of [`bn254_hooks`]: plain ark-bn254.
#[cfg(not(substrate_runtime))]
mod native {
	extern crate std;

	use super::status;
	use alloc::vec::Vec;
	use ark_bn254::Bn254;
	use ark_ec::{
		pairing::{MillerLoopOutput, Pairing},
		short_weierstrass::{Affine, SWCurveConfig},
		CurveGroup,
	};
	use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};

	/// Runs `f`, a panic being [`status::PANIC`].
	pub fn guard(f: impl FnOnce() -> Result<(), u32>) -> u32 {
		match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
			Ok(Ok(())) => status::OK,
			Ok(Err(code)) => code,
			Err(_) => status::PANIC,
		}
	}

	fn decode<T: CanonicalDeserialize>(bytes: &[u8]) -> Result<T, u32> {
		T::deserialize_with_mode(bytes, Compress::No, Validate::No).map_err(|_| status::DECODE)
	}

	fn encode_into<T: CanonicalSerialize>(value: &T, out: &mut [u8]) -> Result<(), u32> {
		if value.uncompressed_size() > out.len() {
			return Err(status::ENCODE);
		}
		value.serialize_uncompressed(out).map_err(|_| status::ENCODE)
	}

	pub fn multi_miller_loop(g1: &[u8], g2: &[u8], out: &mut [u8]) -> Result<(), u32> {
		let g1 = decode::<Vec<<Bn254 as Pairing>::G1Affine>>(g1)?;
		let g2 = decode::<Vec<<Bn254 as Pairing>::G2Affine>>(g2)?;
		encode_into(&Bn254::multi_miller_loop(g1, g2).0, out)
	}

	pub fn final_exponentiation(in_out: &mut [u8]) -> Result<(), u32> {
		let target = decode::<<Bn254 as Pairing>::TargetField>(in_out)?;
		let res =
			Bn254::final_exponentiation(MillerLoopOutput(target)).ok_or(status::DEGENERATE)?;
		encode_into(&res.0, in_out)
	}

	pub fn msm<C: SWCurveConfig>(bases: &[u8], scalars: &[u8], out: &mut [u8]) -> Result<(), u32> {
		let bases = decode::<Vec<Affine<C>>>(bases)?;
		let scalars = decode::<Vec<C::ScalarField>>(scalars)?;
		let res = C::msm(&bases, &scalars).map_err(|_| status::LENGTH_MISMATCH)?;
		encode_into(&res.into_affine(), out)
	}

	pub fn mul<C: SWCurveConfig>(base: &[u8], scalar: &[u8], out: &mut [u8]) -> Result<(), u32> {
		let base = decode::<Affine<C>>(base)?;
		if !scalar.len().is_multiple_of(8) {
			return Err(status::DECODE);
		}
		let limbs: Vec<u64> = scalar
			.chunks_exact(8)
			.map(|c| u64::from_le_bytes(c.try_into().expect("chunks of 8; qed")))
			.collect();
		encode_into(&C::mul_affine(&base, &limbs).into_affine(), out)
	}
}

/// `ψ(x, y) = (x^p · (u+9)^((p-1)/3), y^p · (u+9)^((p-1)/2))`, the
/// untwist-Frobenius-twist endomorphism of G2 (constants of ark-bn254).
fn psi(p: &G2Affine) -> G2Affine {
	const PSI_X: Fq2 = Fq2::new(
		MontFp!("21575463638280843010398324269430826099269044274347216827212613867836435027261"),
		MontFp!("10307601595873709700152284273816112264069230130616436755625194854815875713954"),
	);
	const PSI_Y: Fq2 = Fq2::new(
		MontFp!("2821565182194536844548159561693502659359617185244120367078079554186484126554"),
		MontFp!("3505843767911556378687030309984248845540243509899259641013678093033130930403"),
	);
	let mut r = *p;
	r.x.frobenius_map_in_place(1);
	r.y.frobenius_map_in_place(1);
	r.x *= PSI_X;
	r.y *= PSI_Y;
	r
}

/// `6x²` (= t - 1) as little-endian limbs.
const SIX_X_SQUARED: [u64; 2] = [17887900258952609094, 8020209761171036667];

/// A G2 point on the curve is in the prime-order subgroup iff `[6x²]P = ψ(P)`.
/// The multiplication is a host call (G2's is plain double-and-add, exact for
/// points outside the subgroup too; no GLV).
pub fn g2_in_subgroup(p: &G2Affine) -> bool {
	p.is_zero() || p.mul_bigint(SIX_X_SQUARED) == psi(p)
}

fn g1_valid(p: &G1Affine) -> bool {
	// G1 has cofactor 1: on the curve is in the group.
	p.is_on_curve()
}

fn g2_valid(p: &G2Affine) -> bool {
	p.is_on_curve() && g2_in_subgroup(p)
}

/// Parses and validates a key over [`Bn254`].
pub fn parse_key(bytes: &[u8]) -> Result<VerifyingKey<Bn254>, Error> {
	let declared = pure::declared_inputs(bytes).ok_or(Error::InvalidKey)?;
	if bytes.len() != pure::vk_len(declared) {
		return Err(Error::InvalidKey);
	}
	let vk = VerifyingKey::<Bn254>::deserialize_with_mode(bytes, Compress::Yes, Validate::No)
		.map_err(|_| Error::InvalidKey)?;
	let valid = g1_valid(&vk.alpha_g1)
		&& vk.gamma_abc_g1.iter().all(g1_valid)
		&& [vk.beta_g2, vk.gamma_g2, vk.delta_g2].iter().all(g2_valid);
	valid.then_some(vk).ok_or(Error::InvalidKey)
}

/// Parses and validates a proof over [`Bn254`].
pub fn parse_proof(bytes: &[u8]) -> Result<Proof<Bn254>, Error> {
	if bytes.len() != pure::PROOF_LEN {
		return Err(Error::InvalidProof);
	}
	let proof = Proof::<Bn254>::deserialize_with_mode(bytes, Compress::Yes, Validate::No)
		.map_err(|_| Error::InvalidProof)?;
	let valid = g1_valid(&proof.a) && g1_valid(&proof.c) && g2_valid(&proof.b);
	valid.then_some(proof).ok_or(Error::InvalidProof)
}

/// Parses and prepares a key (one pairing, through the hooks).
pub fn prepare_vk(bytes: &[u8]) -> Result<PreparedVerifyingKey<Bn254>, Error> {
	parse_key(bytes).map(|vk| ark_groth16::prepare_verifying_key(&vk))
}

/// Verifies `proof` against a prepared key with the public `inputs` (the
/// binding last).
pub fn verify_prepared(
	pvk: &PreparedVerifyingKey<Bn254>,
	proof: &[u8],
	inputs: &[[u8; 32]],
) -> Result<bool, Error> {
	if pvk.vk.gamma_abc_g1.len() != inputs.len() + 1 {
		return Err(Error::InputCount);
	}
	let proof = parse_proof(proof)?;
	let public = pure::parse_inputs(inputs)?;
	Ok(Groth16::<Bn254>::verify_proof(pvk, &proof, &public).unwrap_or(false))
}

/// Verifies `proof` for the key `vk` with the public `inputs` (the binding
/// last), in the runtime with host-backed curve operations.
pub fn verify(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]]) -> Result<bool, Error> {
	let vk = parse_key(vk)?;
	if vk.gamma_abc_g1.len() != inputs.len() + 1 {
		return Err(Error::InputCount);
	}
	let proof = parse_proof(proof)?;
	let public = pure::parse_inputs(inputs)?;
	let pvk = ark_groth16::prepare_verifying_key(&vk);
	Ok(Groth16::<Bn254>::verify_proof(&pvk, &proof, &public).unwrap_or(false))
}
