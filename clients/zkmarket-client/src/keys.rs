//! Signing keys (sr25519) and SS58 accounts.

use crate::Error;
use std::{path::Path, str::FromStr};
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// SS58 prefix of the chain (the generic Substrate prefix).
pub const SS58_PREFIX: u16 = 42;

/// A keypair from a secret spec:
/// - a secret URI: `//Alice`, `//Dev//stash` (derived from the dev phrase),
/// - a BIP39 phrase, optionally with derivation and password:
///   `"<12 words>//hard/soft///password"`,
/// - a `0x`-prefixed 32-byte hex seed (optionally with derivation),
/// - `@path`, or a path to an existing file, whose content (whitespace
///   trimmed) is any of the above.
pub fn signer(spec: &str) -> Result<Keypair, Error> {
	let spec = spec.trim();
	if spec.is_empty() {
		return Err(Error::bad_input("empty secret key spec"));
	}
	if let Some(path) = spec.strip_prefix('@') {
		return from_file(Path::new(path));
	}
	let looks_like_path = !spec.starts_with("//")
		&& !spec.starts_with("0x")
		&& !spec.contains(char::is_whitespace)
		&& Path::new(spec).is_file();
	if looks_like_path {
		return from_file(Path::new(spec));
	}
	from_uri(spec)
}

fn from_file(path: &Path) -> Result<Keypair, Error> {
	let content = std::fs::read_to_string(path)
		.map_err(|e| Error::bad_input(format!("cannot read key file {}: {e}", path.display())))?;
	let content = content.trim();
	if content.is_empty() {
		return Err(Error::bad_input(format!("key file {} is empty", path.display())));
	}
	if content.starts_with('@') {
		return Err(Error::bad_input(format!(
			"key file {} refers to another file; put the secret itself in it",
			path.display()
		)));
	}
	from_uri(content).map_err(|e| Error::bad_input(format!("key file {}: {e}", path.display())))
}

fn from_uri(s: &str) -> Result<Keypair, Error> {
	// Never echo the secret in errors.
	if let Some(hex) = s.strip_prefix("0x") {
		let seed = hex.split("//").next().unwrap_or("").split('/').next().unwrap_or("");
		if seed.len() != 64 || !seed.chars().all(|c| c.is_ascii_hexdigit()) {
			return Err(Error::bad_input("a hex seed must be 0x followed by 64 hex digits"));
		}
	}
	let uri = SecretUri::from_str(s).map_err(|e| {
		Error::bad_input(format!(
			"bad secret key: {e} (expected a secret URI like //Alice, a seed phrase, a 0x seed or @keyfile)"
		))
	})?;
	Keypair::from_uri(&uri).map_err(|e| {
		Error::bad_input(format!(
			"bad secret key: {e} (expected a secret URI like //Alice, a seed phrase, a 0x seed or @keyfile)"
		))
	})
}

/// The account of a keypair.
pub fn account(k: &Keypair) -> AccountId32 {
	k.public_key().to_account_id()
}

/// The SS58 address (prefix 42) of an account.
pub fn ss58(a: &AccountId32) -> String {
	a.to_string()
}

/// An account from an SS58 address or a `0x`-prefixed 32-byte hex account id.
pub fn parse_account(s: &str) -> Result<AccountId32, Error> {
	let s = s.trim();
	if let Some(h) = s.strip_prefix("0x") {
		let bytes = hex::decode(h)
			.map_err(|_| Error::bad_input(format!("`{s}` is not a hex account id")))?;
		let arr: [u8; 32] = bytes
			.try_into()
			.map_err(|_| Error::bad_input(format!("`{s}` is not a 32-byte account id")))?;
		return Ok(AccountId32::from(arr));
	}
	AccountId32::from_str(s).map_err(|_| Error::bad_input(format!("`{s}` is not an SS58 address")))
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
	const DEV_PHRASE: &str =
		"bottom drive obey lake curtain smoke basket hold race lonely fit walk";

	fn addr(spec: &str) -> String {
		ss58(&account(&signer(spec).unwrap()))
	}

	#[test]
	fn uris_and_phrases() {
		assert_eq!(addr("//Alice"), ALICE);
		assert_eq!(addr("  //Bob\n"), BOB);
		assert_eq!(addr(&format!("{DEV_PHRASE}//Alice")), ALICE);
		// The bare dev phrase is a different account from //Alice.
		assert_ne!(addr(DEV_PHRASE), ALICE);
		// 0x seed: Alice's mini-secret.
		let alice_seed = "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
		assert_eq!(addr(alice_seed), ALICE);
	}

	#[test]
	fn key_files() {
		let dir = std::env::temp_dir().join(format!("zkmarket-keys-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let f = dir.join("bob.key");
		std::fs::write(&f, "//Bob\n").unwrap();
		assert_eq!(addr(&format!("@{}", f.display())), BOB);
		assert_eq!(addr(&f.display().to_string()), BOB);
		let g = dir.join("phrase.key");
		std::fs::write(&g, format!("  {DEV_PHRASE}//Alice \n")).unwrap();
		assert_eq!(addr(&format!("@{}", g.display())), ALICE);
		let empty = dir.join("empty.key");
		std::fs::write(&empty, " \n").unwrap();
		assert!(matches!(signer(&format!("@{}", empty.display())), Err(Error::BadInput(_))));
		assert!(matches!(signer("@/nonexistent/key"), Err(Error::BadInput(_))));
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn refuses_bad_specs() {
		for s in ["", "0x1234", "0xzz", "not a valid phrase at all", "one"] {
			assert!(matches!(signer(s), Err(Error::BadInput(_))), "{s}");
		}
		// The error never repeats the secret.
		let e = signer("word word word").unwrap_err().to_string();
		assert!(!e.contains("word word"), "{e}");
	}

	#[test]
	fn accounts() {
		let a = parse_account(ALICE).unwrap();
		assert_eq!(ss58(&a), ALICE);
		let hex = format!("0x{}", hex::encode(a.0));
		assert_eq!(parse_account(&hex).unwrap(), a);
		assert!(parse_account("0x12").is_err());
		assert!(parse_account("5Grwva").is_err());
	}
}
