//! Builds the WASM runtime blob (`WASM_BINARY`) with substrate-wasm-builder.
#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The WASM build itself (no `std`) needs no build script.
#[cfg(not(feature = "std"))]
fn main() {}
