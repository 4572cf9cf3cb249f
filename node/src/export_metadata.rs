//! `zkmarket-node export-metadata`: the runtime's metadata (SCALE, V16 by
//! default) from the WASM built into this node, for clients generated from it
//! (subxt's `#[subxt]` macro in `clients/zkmarket-client`).
//!
//! It runs the embedded runtime with the node's own host functions (the
//! runtime imports the Groth16 host functions, so generic tools cannot execute
//! it): no chain, database or network is needed, and the bytes are exactly
//! what `Metadata_metadata_at_version` returns on a chain running this runtime.

use codec::Decode;
use sp_core::traits::{CallContext, CodeExecutor, RuntimeCode, WrappedRuntimeCode};
use std::io::Write;

/// Arguments of `export-metadata`.
#[derive(Debug, clap::Args)]
pub struct ExportMetadataCmd {
	/// Metadata version (the runtime offers 14, 15 and 16; subxt needs 15 or 16).
	#[arg(long, default_value_t = 16)]
	pub version: u32,
	/// Output file (stdout when omitted).
	#[arg(long, short)]
	pub output: Option<std::path::PathBuf>,
}

impl ExportMetadataCmd {
	/// Writes the metadata.
	pub fn run(&self) -> sc_cli::Result<()> {
		let bytes = metadata_at_version(self.version)?;
		match &self.output {
			Some(path) => std::fs::write(path, &bytes)?,
			None => std::io::stdout().write_all(&bytes)?,
		}
		Ok(())
	}
}

/// The embedded runtime's metadata at `version`, as SCALE bytes (starting with
/// the `meta` magic).
pub fn metadata_at_version(version: u32) -> Result<Vec<u8>, String> {
	let wasm =
		zkmarket_runtime::WASM_BINARY.ok_or("this node was built without its runtime WASM")?;
	let fetch = WrappedRuntimeCode(wasm.into());
	let code = RuntimeCode {
		code_fetcher: &fetch,
		heap_pages: None,
		hash: sp_io::hashing::blake2_256(wasm).to_vec(),
	};
	let executor = sc_executor::WasmExecutor::<crate::service::HostFunctions>::builder().build();
	let mut ext = sp_io::TestExternalities::default();
	let out = executor
		.call(
			&mut ext.ext(),
			&code,
			"Metadata_metadata_at_version",
			&codec::Encode::encode(&version),
			CallContext::Offchain,
		)
		.0
		.map_err(|e| format!("calling the runtime failed: {e}"))?;
	// `Option<OpaqueMetadata>`; `OpaqueMetadata` is a `Vec<u8>`.
	let metadata = Option::<Vec<u8>>::decode(&mut &out[..])
		.map_err(|e| format!("undecodable metadata: {e}"))?
		.ok_or_else(|| format!("the runtime has no metadata version {version}"))?;
	Ok(metadata)
}
