//! zkmarket node: a Substrate node (Aura + GRANDPA, off-chain workers, JSON-RPC)
//! serving the zkmarket runtime.
#![warn(missing_docs)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() {
	if let Err(e) = command::run() {
		// One clear line, no debug dump or backtrace, non-zero exit.
		eprintln!("Error: {e}");
		std::process::exit(1);
	}
}
