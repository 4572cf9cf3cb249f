//! Genesis presets: `development` (one authority, 2 s blocks, short market
//! periods) and `local_testnet` (Alice, Bob, Charlie; production-like timing).
//!
//! Every preset mints exactly [`TOTAL_ISSUANCE`] (21,000,000,000 ZK): each
//! well-known dev account gets [`DEV_ENDOWMENT`], the treasury the rest.

use crate::{
	configs::TreasuryAccount, AccountId, Balance, BalancesConfig, BlockTimeConfig, ProversConfig,
	RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig, ValidatorSetConfig,
	VerifierConfig, DEV_BLOCK_TIME_MS, MILLI_SECS_PER_BLOCK, TOTAL_ISSUANCE, ZK,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_verifier::VerifierId;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Free balance of each well-known development account at genesis.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * ZK;

/// The well-known accounts endowed in every preset.
pub fn endowed_accounts() -> Vec<AccountId> {
	[
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	]
	.iter()
	.map(|k| k.to_account_id())
	.collect()
}

/// Genesis balances: the dev accounts plus the treasury holding the rest of the supply.
pub fn genesis_balances() -> Vec<(AccountId, Balance)> {
	let accounts = endowed_accounts();
	let endowed = DEV_ENDOWMENT * accounts.len() as Balance;
	let mut balances: Vec<(AccountId, Balance)> =
		accounts.into_iter().map(|a| (a, DEV_ENDOWMENT)).collect();
	balances.push((TreasuryAccount::get(), TOTAL_ISSUANCE - endowed));
	balances
}

/// A genesis validator: its account and session keys (Aura, GRANDPA, and its
/// verifier key; sr25519 keys from the account's seed).
type Authority = (AccountId, AuraId, GrandpaId, VerifierId);

fn authority(k: Sr25519Keyring, g: Ed25519Keyring) -> Authority {
	(k.to_account_id(), k.public().into(), g.public().into(), k.public().into())
}

/// Blocks per session on the development and local chains (20 s and 1 min):
/// validator set changes take effect within two sessions.
pub const TESTNET_SESSION_LENGTH: u32 = 10;

/// Market periods of a preset, in blocks (0: the runtime defaults).
struct MarketPeriods {
	idle_period: u32,
	unbonding_period: u32,
}

fn testnet_genesis(
	initial_authorities: Vec<Authority>,
	root: AccountId,
	block_time_millis: u64,
	periods: MarketPeriods,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: genesis_balances() },
		// Aura and GRANDPA authorities come from the session's genesis keys.
		validator_set: ValidatorSetConfig {
			validators: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
			session_length: TESTNET_SESSION_LENGTH,
		},
		session: SessionConfig {
			keys: initial_authorities
				.iter()
				.map(|x| {
					(
						x.0.clone(),
						x.0.clone(),
						SessionKeys {
							aura: x.1.clone(),
							grandpa: x.2.clone(),
							verifier: x.3.clone(),
						},
					)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root) },
		block_time: BlockTimeConfig { block_time_millis },
		provers: ProversConfig {
			idle_period: periods.idle_period,
			unbonding_period: periods.unbonding_period,
		},
		// The verifier set follows the session's validators (majority threshold).
		verifier: VerifierConfig { verifiers: Vec::new(), threshold: 0 },
	})
}

/// Idle period of the development chain: 30 blocks (one minute at 2 s blocks).
pub const DEV_IDLE_PERIOD: u32 = 30;
/// Unbonding period of the development chain: 10 blocks.
pub const DEV_UNBONDING_PERIOD: u32 = 10;

/// The `development` preset: Alice authors every block and verifies proofs
/// (threshold 1), 2 s blocks, idle period 30 blocks, unbonding 10 blocks.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::Alice.to_account_id(),
		DEV_BLOCK_TIME_MS,
		MarketPeriods { idle_period: DEV_IDLE_PERIOD, unbonding_period: DEV_UNBONDING_PERIOD },
	)
}

/// The `local_testnet` preset: Alice, Bob and Charlie author and verify
/// (verdict threshold 2 of 3), 6 s blocks, 24 h idle period, 7 day unbonding.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		Sr25519Keyring::Alice.to_account_id(),
		MILLI_SECS_PER_BLOCK,
		MarketPeriods { idle_period: 0, unbonding_period: 0 },
	)
}

/// The JSON patch of a named preset.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// Names of the presets this runtime ships.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
