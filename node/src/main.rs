//! zkmarket node: a Substrate node (Aura + GRANDPA, off-chain workers, JSON-RPC)
//! serving the zkmarket runtime.
#![warn(missing_docs)]
// `sc_cli::Error` (the error type of sc-cli's runner API) is large by design.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod export_metadata;
mod rpc;
mod service;
mod verify_bench;

fn main() {
	if let Err(e) = command::run() {
		// One clear line, no debug dump or backtrace, non-zero exit.
		eprintln!("Error: {e}");
		std::process::exit(1);
	}
}
