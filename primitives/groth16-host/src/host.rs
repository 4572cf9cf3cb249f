//! Design A: one host function per verification.
//!
//! The runtime passes the key, the proof and the concatenated public inputs;
//! the node verifies with native ark-groth16 ([`native`]) and answers with a
//! `u32` code. Prepared keys are cached natively, keyed by the blake2-256 hash
//! of their bytes, so repeated proofs for one program skip parsing the key
//! (with its subgroup checks) and preparing it (a pairing).

use crate::Error;
#[allow(unused_imports)] // used by the code `runtime_interface` generates for the host
use alloc::vec::Vec;
use sp_runtime_interface::{
	pass_by::{ConvertAndReturnAs, PassFatPointerAndRead},
	runtime_interface,
};

/// A verification result as it crosses the host boundary: a `u32` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyCode(u32);

impl VerifyCode {
	const ERRORS: [Error; 5] = [
		Error::InvalidKey,
		Error::InvalidProof,
		Error::InvalidInput,
		Error::InputCount,
		Error::Internal,
	];
}

impl From<Result<bool, Error>> for VerifyCode {
	fn from(r: Result<bool, Error>) -> Self {
		VerifyCode(match r {
			Ok(false) => 0,
			Ok(true) => 1,
			Err(e) => 2 + Self::ERRORS.iter().position(|x| *x == e).unwrap_or(4) as u32,
		})
	}
}

impl From<VerifyCode> for u32 {
	fn from(c: VerifyCode) -> u32 {
		c.0
	}
}

impl TryFrom<u32> for VerifyCode {
	type Error = ();
	fn try_from(c: u32) -> Result<Self, ()> {
		(c < 2 + Self::ERRORS.len() as u32).then_some(VerifyCode(c)).ok_or(())
	}
}

impl From<VerifyCode> for Result<bool, Error> {
	fn from(c: VerifyCode) -> Self {
		match c.0 {
			0 => Ok(false),
			1 => Ok(true),
			n => Err(VerifyCode::ERRORS.get(n as usize - 2).copied().unwrap_or(Error::Internal)),
		}
	}
}

/// The result of parsing a key as it crosses the host boundary: a `u64`,
/// 0 for `None`, `n + 1` for `Some(n)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedVk(u64);

impl From<Option<u32>> for ParsedVk {
	fn from(n: Option<u32>) -> Self {
		ParsedVk(n.map_or(0, |n| n as u64 + 1))
	}
}

impl From<ParsedVk> for u64 {
	fn from(p: ParsedVk) -> u64 {
		p.0
	}
}

impl TryFrom<u64> for ParsedVk {
	type Error = ();
	fn try_from(p: u64) -> Result<Self, ()> {
		(p <= u32::MAX as u64 + 1).then_some(ParsedVk(p)).ok_or(())
	}
}

impl From<ParsedVk> for Option<u32> {
	fn from(p: ParsedVk) -> Self {
		p.0.checked_sub(1).map(|n| n as u32)
	}
}

/// Groth16 over BN254, verified by the node (design A).
#[runtime_interface]
pub trait Groth16Bn254 {
	/// Verifies `proof` for the key `vk` with the public `inputs`: concatenated
	/// 32-byte little-endian canonical scalars, the binding last. `Ok(false)` is
	/// a well-formed proof that does not verify.
	fn verify(
		vk: PassFatPointerAndRead<&[u8]>,
		proof: PassFatPointerAndRead<&[u8]>,
		inputs: PassFatPointerAndRead<&[u8]>,
	) -> ConvertAndReturnAs<Result<bool, Error>, VerifyCode, u32> {
		native::verify(vk, proof, inputs)
	}

	/// The number of public inputs of a key (at least 1, the binding), or `None`
	/// unless `vk` is exactly one valid compressed key.
	fn parse_vk(
		vk: PassFatPointerAndRead<&[u8]>,
	) -> ConvertAndReturnAs<Option<u32>, ParsedVk, u64> {
		native::parse_vk(vk)
	}
}

/// The module `#[runtime_interface]` generated for [`Groth16Bn254`] (its
/// functions are imported by the runtime as `ext_groth_16_bn_254_*_version_1`).
pub use groth_16_bn_254 as groth16_bn254;

/// [`groth16_bn254::verify`] with the inputs as 32-byte scalars.
pub fn verify_host(vk: &[u8], proof: &[u8], inputs: &[[u8; 32]]) -> Result<bool, Error> {
	groth16_bn254::verify(vk, proof, &crate::join_inputs(inputs))
}

/// The node's side of [`groth16_bn254`]: native arkworks and the cache of
/// prepared keys.
#[cfg(not(substrate_runtime))]
pub mod native {
	extern crate std;

	use crate::{pure, Error};
	use alloc::collections::{BTreeMap, VecDeque};
	use ark_bn254::Bn254;
	use ark_groth16::PreparedVerifyingKey;
	use std::{
		panic::{catch_unwind, AssertUnwindSafe},
		sync::{Arc, Mutex, MutexGuard},
	};

	/// Prepared keys the cache keeps at most; the oldest goes first.
	pub const CACHE_SIZE: usize = 64;
	/// Bytes of keys the cache keeps at most (a prepared key's memory grows
	/// with its key's length); the oldest go first. A longer key is verified
	/// but not cached.
	pub const CACHE_BYTES: usize = 1 << 20;
	/// Longest key the cache takes: one key cannot flush the whole cache.
	pub const MAX_CACHED_KEY: usize = CACHE_BYTES / 16;

	struct Cache {
		keys: BTreeMap<[u8; 32], (Arc<PreparedVerifyingKey<Bn254>>, usize)>,
		order: VecDeque<[u8; 32]>,
		bytes: usize,
	}

	static CACHE: Mutex<Cache> =
		Mutex::new(Cache { keys: BTreeMap::new(), order: VecDeque::new(), bytes: 0 });

	fn cache() -> MutexGuard<'static, Cache> {
		// Nothing panics while holding the lock; a poisoned cache is still consistent.
		CACHE.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// The prepared key of `vk`: from the cache, or parsed, prepared and cached.
	/// Invalid keys are not cached.
	pub fn prepared(vk: &[u8]) -> Result<Arc<PreparedVerifyingKey<Bn254>>, Error> {
		let id = sp_crypto_hashing::blake2_256(vk);
		if let Some((pvk, _)) = cache().keys.get(&id) {
			return Ok(pvk.clone());
		}
		// Prepared outside the lock: other verifications go on meanwhile.
		let pvk = Arc::new(pure::prepare_vk(vk)?);
		if vk.len() > MAX_CACHED_KEY {
			return Ok(pvk);
		}
		let mut c = cache();
		if !c.keys.contains_key(&id) {
			while c.keys.len() >= CACHE_SIZE || c.bytes + vk.len() > CACHE_BYTES {
				let Some(old) = c.order.pop_front() else { break };
				if let Some((_, len)) = c.keys.remove(&old) {
					c.bytes -= len;
				}
			}
			c.keys.insert(id, (pvk.clone(), vk.len()));
			c.order.push_back(id);
			c.bytes += vk.len();
		}
		Ok(pvk)
	}

	/// Keys in the cache.
	pub fn cache_len() -> usize {
		cache().keys.len()
	}

	/// Bytes of the keys in the cache.
	pub fn cache_bytes() -> usize {
		cache().bytes
	}

	/// Empties the cache (benchmarks and tests).
	pub fn clear_cache() {
		let mut c = cache();
		c.keys.clear();
		c.order.clear();
		c.bytes = 0;
	}

	/// What the host function [`super::groth16_bn254::verify`] does. A panic in
	/// arkworks (none is known) is [`Error::Internal`], not a node crash.
	pub fn verify(vk: &[u8], proof: &[u8], inputs: &[u8]) -> Result<bool, Error> {
		catch_unwind(AssertUnwindSafe(|| {
			let inputs = crate::split_inputs(inputs).ok_or(Error::InvalidInput)?;
			pure::verify_prepared(&*prepared(vk)?, proof, &inputs)
		}))
		.unwrap_or(Err(Error::Internal))
	}

	/// What the host function [`super::groth16_bn254::parse_vk`] does.
	pub fn parse_vk(vk: &[u8]) -> Option<u32> {
		catch_unwind(|| pure::parse_vk(vk)).unwrap_or(None)
	}
}
