//! Off-chain Groth16 (BN254) verification, exactly as the chain verifies
//! (pallets/verifier/src/groth16.rs, primitives/groth16-host/src/pure.rs):
//!
//! - verifying keys and proofs: arkworks compressed canonical serialization,
//!   every point validated (on the curve, in the prime-order subgroup);
//! - public inputs: 32-byte little-endian canonical scalars;
//! - the last public input is the binding of request and prover:
//!   `blake2_256(SCALE(request_id: u64) ++ prover account bytes)` reduced
//!   modulo the scalar field order (what the pallet hashes:
//!   `(request, &prover).encode()`).

use crate::{Error, ProgramKind};
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof, VerifyingKey};
use ark_serialize::CanonicalDeserialize;

/// Bytes of a compressed key before its `gamma_abc_g1` points.
const VK_FIXED: usize = 32 + 3 * 64 + 8;
/// Bytes of a compressed proof.
pub const PROOF_LEN: usize = 2 * 32 + 64;

/// The binding public input of `request` and `prover` (32 bytes LE), and a
/// field element as 32 little-endian bytes: the chain's own definitions.
pub use zkmarket_groth16_formats::{binding, points::fr_le as fr_bytes};

/// Whether 32 LE bytes are a canonical scalar (below the field modulus): what
/// the chain requires of every public input.
pub fn is_canonical(input: &[u8; 32]) -> bool {
	Fr::deserialize_compressed(&input[..]).is_ok()
}

/// Public inputs a verifying key takes besides the binding, from its point
/// count; `None` unless the bytes have exactly the length that count implies.
pub fn vk_inputs(vk: &[u8]) -> Option<u32> {
	vk_key_inputs(vk)?.checked_sub(1)
}

/// All public inputs an arkworks compressed key takes, from its point count;
/// `None` unless the bytes have exactly the length that count implies.
pub fn vk_key_inputs(vk: &[u8]) -> Option<u32> {
	let count: [u8; 8] = vk.get(VK_FIXED - 8..VK_FIXED)?.try_into().ok()?;
	let points = u64::from_le_bytes(count);
	let n = points.checked_sub(1)?; // minus the constant term
	let len = VK_FIXED.checked_add(32usize.checked_mul(points.try_into().ok()?)?)?;
	(vk.len() == len).then_some(n.try_into().ok()?)
}

/// Verifies `proof` for the key `vk` with the request's public `inputs`
/// followed by `binding` (a program of kind `Arkworks` or `Snarkjs`).
/// `Ok(false)`: well-formed but not a valid proof of these inputs;
/// `Err(BadInput)`: a malformed key, proof or input, or the wrong number of
/// inputs (the chain counts those as invalid too).
pub fn verify(
	vk: &[u8],
	proof: &[u8],
	inputs: &[[u8; 32]],
	binding: &[u8; 32],
) -> Result<bool, Error> {
	verify_program(&ProgramKind::Arkworks, None, vk, proof, inputs, binding)
}

/// Verifies `proof` of a program of `kind` (with its `selector`, for SP1) for
/// the key `vk` (arkworks compressed, as the chain stores it) and a request's
/// public `inputs`, by the prover whose binding is `binding` (unused by unbound
/// kinds): exactly what the chain's off-chain workers do.
pub fn verify_program(
	kind: &ProgramKind,
	selector: Option<[u8; 4]>,
	vk: &[u8],
	proof: &[u8],
	inputs: &[[u8; 32]],
	binding: &[u8; 32],
) -> Result<bool, Error> {
	let statement = kind.statement(selector, proof, inputs, binding).map_err(|e| {
		Error::bad_input(format!("not a proof of this {} program: {e:?}", kind.name()))
	})?;
	verify_all(vk, &statement.proof, &statement.inputs)
}

/// Checks an arkworks compressed key as the chain does at registration: every
/// point on the curve, G2 points in the prime-order subgroup.
pub fn check_key(vk: &[u8]) -> Result<(), Error> {
	vk_key_inputs(vk).ok_or_else(|| Error::bad_input("invalid verifying key (length)"))?;
	VerifyingKey::<Bn254>::deserialize_compressed(vk)
		.map(|_| ())
		.map_err(|e| Error::bad_input(format!("invalid verifying key: {e}")))
}

/// Verifies an arkworks compressed `proof` for `vk` with ALL public inputs.
pub fn verify_all(vk: &[u8], proof: &[u8], public: &[[u8; 32]]) -> Result<bool, Error> {
	let n = vk_key_inputs(vk).ok_or_else(|| Error::bad_input("invalid verifying key (length)"))?;
	let vk = VerifyingKey::<Bn254>::deserialize_compressed(vk)
		.map_err(|e| Error::bad_input(format!("invalid verifying key: {e}")))?;
	if n as usize != public.len() {
		return Err(Error::bad_input(format!(
			"the key takes {n} public inputs, got {}",
			public.len()
		)));
	}
	if proof.len() != PROOF_LEN {
		return Err(Error::bad_input(format!(
			"invalid proof: {} bytes, expected {PROOF_LEN}",
			proof.len()
		)));
	}
	let proof = Proof::<Bn254>::deserialize_compressed(proof)
		.map_err(|e| Error::bad_input(format!("invalid proof: {e}")))?;
	let public = public
		.iter()
		.map(|i| {
			Fr::deserialize_compressed(&i[..])
				.map_err(|_| Error::bad_input("a public input is not a canonical scalar"))
		})
		.collect::<Result<Vec<_>, _>>()?;
	let pvk = ark_groth16::prepare_verifying_key(&vk);
	Ok(Groth16::<Bn254>::verify_proof(&pvk, &proof, &public).unwrap_or(false))
}

/// The demo circuit's public input for `x` (fixtures/demo-circuit: `y = x^3 + x + 5`).
pub fn demo_output(x: u64) -> [u8; 32] {
	let x = Fr::from(x);
	fr_bytes(x * x * x + x + Fr::from(5u64))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn binding_matches_the_prover_tool() {
		let prover = [7u8; 32];
		for request in [0u64, 1, 9, u64::MAX] {
			let ours = binding(request, &prover);
			let theirs =
				zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::binding(request, &prover));
			assert_eq!(ours, theirs);
		}
	}

	#[test]
	fn demo_output_matches() {
		for x in [0u64, 3, 1 << 40] {
			assert_eq!(
				demo_output(x),
				zkmarket_demo_circuit::fr_bytes(zkmarket_demo_circuit::output(x))
			);
		}
		assert_eq!(demo_output(3)[0], 35);
	}

	#[test]
	fn demo_proof_verifies_only_for_its_binding() {
		let vk = zkmarket_demo_circuit::vk_bytes();
		assert_eq!(vk_inputs(&vk), Some(1));
		let prover = [7u8; 32];
		let other = [8u8; 32];
		let proof = zkmarket_demo_circuit::prove(3, 9, &prover, 1);
		let y = [demo_output(3)];
		assert!(verify(&vk, &proof, &y, &binding(9, &prover)).unwrap());
		// Another prover, another request, another input.
		assert!(!verify(&vk, &proof, &y, &binding(9, &other)).unwrap());
		assert!(!verify(&vk, &proof, &y, &binding(10, &prover)).unwrap());
		assert!(!verify(&vk, &proof, &[demo_output(4)], &binding(9, &prover)).unwrap());
		// A flipped bit: either not a point any more, or a wrong proof.
		for bit in [0usize, 9, 100, 500, 1000] {
			let mut p = proof.clone();
			p[bit / 8] ^= 1 << (bit % 8);
			assert!(!matches!(verify(&vk, &p, &y, &binding(9, &prover)), Ok(true)), "bit {bit}");
		}
		// Malformed inputs are errors.
		assert!(verify(&vk, &proof[..100], &y, &binding(9, &prover)).is_err());
		assert!(verify(&vk[..vk.len() - 1], &proof, &y, &binding(9, &prover)).is_err());
		assert!(verify(&vk, &proof, &[], &binding(9, &prover)).is_err());
		assert!(verify(&vk, &proof, &[[0xff; 32]], &binding(9, &prover)).is_err());
		assert!(!is_canonical(&[0xff; 32]));
		assert!(is_canonical(&y[0]));
	}

	/// The real SP1 v6.0.1 fixture through the client's per-kind path (what
	/// the CLI and the agent check before trusting or submitting a proof).
	#[test]
	fn a_real_sp1_proof_verifies_off_chain_and_other_values_do_not() {
		use zkmarket_groth16_formats::sp1;
		let raw_vk: &[u8] = include_bytes!(
			"../../../primitives/groth16-formats/fixtures/sp1-v6.0.1-groth16_vk.bin"
		);
		let f: serde_json::Value = serde_json::from_str(include_str!(
			"../../../primitives/groth16-formats/fixtures/sp1-fibonacci-groth16-fixture.json"
		))
		.unwrap();
		let hex = |k: &str| hex::decode(f[k].as_str().unwrap().trim_start_matches("0x")).unwrap();
		let proof = hex("proof");
		let kind = ProgramKind::Sp1 {
			vkey_hash: hex("vkey").try_into().unwrap(),
			vk_root: proof[36..68].try_into().unwrap(),
		};
		let reg = kind.register(raw_vk).unwrap();
		check_key(&reg.vk).unwrap();
		let digest = sp1::public_values_digest(&hex("publicValues"));
		let unused = [0u8; 32];
		let v = |p: &[u8], d| verify_program(&kind, reg.selector, &reg.vk, p, &[d], &unused);
		assert!(v(&proof, digest).unwrap());
		assert!(!v(&proof, sp1::public_values_digest(b"other")).unwrap());
		let mut flipped = proof.clone();
		flipped[0] ^= 1;
		assert!(v(&flipped, digest).is_err(), "a wrong selector is an error");
	}
}
