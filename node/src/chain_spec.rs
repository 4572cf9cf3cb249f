//! Chain specifications shipped with the node: `dev` and `local`.
use sc_service::{ChainType, Properties};
use zkmarket_runtime::{SS58_FORMAT, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};

/// The chain specification type of this node.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token properties Polkadot.js reads: symbol ZK, 18 decimals, SS58 format 42.
pub fn properties() -> Properties {
	let mut p = Properties::new();
	p.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), SS58_FORMAT.into());
	p
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "the runtime WASM was not built (SKIP_WASM_BUILD?)".to_string())
}

/// Development chain: Alice authors, 2 s blocks, short market periods.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("zkmarket Development")
		.with_id("zkmarket_dev")
		.with_protocol_id("zkmarket-dev")
		.with_chain_type(ChainType::Development)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.build())
}

/// Local testnet: Alice, Bob and Charlie author, 6 s blocks.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("zkmarket Local Testnet")
		.with_id("zkmarket_local")
		.with_protocol_id("zkmarket-local")
		.with_chain_type(ChainType::Local)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.build())
}
