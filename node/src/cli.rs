//! Command-line interface of the node.
use sc_cli::RunCmd;

/// The node's command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; none runs the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the node itself.
	#[clap(flatten)]
	pub run: RunCmd,
}

/// Subcommands of the node.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management CLI utilities.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification.
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Sub-commands concerned with benchmarking (needs `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Sub-commands concerned with benchmarking. This build has no benchmarking
	/// support: rebuild the node with `--features runtime-benchmarks`.
	#[cfg(not(feature = "runtime-benchmarks"))]
	Benchmark(NoBenchmarks),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Times Groth16 verification natively and in the runtime (arkworks in WASM,
	/// the host function, curve hooks), on proofs made by `zkmarket-prover`.
	VerifyBench(crate::verify_bench::VerifyBenchCmd),

	/// Writes the runtime's metadata (SCALE, V16 by default) from the WASM built
	/// into this node: the file the Rust clients are generated from.
	ExportMetadata(crate::export_metadata::ExportMetadataCmd),
}

/// Arguments of `benchmark` in a node built without benchmarking support.
#[cfg(not(feature = "runtime-benchmarks"))]
#[derive(Debug, clap::Args)]
pub struct NoBenchmarks {
	/// Ignored.
	#[arg(trailing_var_arg = true, allow_hyphen_values = true)]
	pub args: Vec<String>,
}

/// The node's `--trie-cache-size` when the flag is not given: 256 MiB.
///
/// sc-cli's default is 1 GiB. The shared trie cache keeps every trie node a
/// block writes until it reaches that size, so under sustained bid load the
/// node's resident memory climbs toward 1 GiB plus everything else it holds
/// (docs/performance.md, "Load"). With 256 MiB the same load peaked at
/// 789 MiB; operators with memory to spare raise it with
/// `--trie-cache-size <bytes>`.
pub const DEFAULT_TRIE_CACHE_SIZE: &str = "268435456";

/// The node's `--pool-type` when the flag is not given: the single-state pool.
///
/// sc-cli's default is the fork-aware pool. In stable2609 that pool can forget
/// transactions it accepted when a burst straddles a block import: a
/// transaction submitted while the new block's view is being built reaches
/// only the previous view, the same account's later nonces become future in
/// the new view, the view's future limit (`--pool-limit` / 10 = 819) evicts
/// the oldest of them, and the pool then removes them everywhere, with no
/// status for a client that did not watch them; the rest of the account's
/// nonces stay future for good (docs/txpool.md). The single-state pool lost
/// none in the same test (`tests/load/pool-burst.mjs`). Operators who want the
/// fork-aware pool still choose it with `--pool-type fork-aware`.
pub const DEFAULT_POOL_TYPE: &str = "single-state";

impl Cli {
	/// Parses `args` (the program name first) with the node's defaults:
	/// sc-cli's command setup (name, version, subcommand rules),
	/// [`DEFAULT_TRIE_CACHE_SIZE`] and [`DEFAULT_POOL_TYPE`].
	pub fn parse_with_node_defaults<I, T>(args: I) -> Result<Self, clap::Error>
	where
		I: IntoIterator<Item = T>,
		T: Into<std::ffi::OsString> + Clone,
	{
		use clap::{CommandFactory, FromArgMatches};
		use sc_cli::SubstrateCli;
		let command = <Self as SubstrateCli>::setup_command(<Self as CommandFactory>::command())
			.mut_arg("trie_cache_size", |arg| arg.default_value(DEFAULT_TRIE_CACHE_SIZE))
			.mut_arg("pool_type", |arg| arg.default_value(DEFAULT_POOL_TYPE));
		let matches = command.try_get_matches_from(args)?;
		<Self as FromArgMatches>::from_arg_matches(&matches)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn trie_cache_defaults_to_256_mib() {
		let cli = Cli::parse_with_node_defaults(["zkmarket-node", "--dev"]).unwrap();
		assert_eq!(cli.run.import_params.trie_cache_size, 256 * 1024 * 1024);
		assert_eq!(cli.run.import_params.trie_cache_maximum_size(), Some(256 * 1024 * 1024));
	}

	#[test]
	fn an_explicit_trie_cache_size_wins() {
		let cli = Cli::parse_with_node_defaults([
			"zkmarket-node",
			"--dev",
			"--trie-cache-size",
			"1073741824",
		])
		.unwrap();
		assert_eq!(cli.run.import_params.trie_cache_size, 1 << 30);
		let cli =
			Cli::parse_with_node_defaults(["zkmarket-node", "--trie-cache-size", "0"]).unwrap();
		assert_eq!(cli.run.import_params.trie_cache_maximum_size(), None);
	}

	#[test]
	fn pool_type_defaults_to_single_state() {
		let cli = Cli::parse_with_node_defaults(["zkmarket-node", "--dev"]).unwrap();
		assert!(matches!(cli.run.pool_config.pool_type, sc_cli::TransactionPoolType::SingleState));
		// The limits stay sc-cli's.
		assert_eq!(cli.run.pool_config.pool_limit, 8192);
		assert_eq!(cli.run.pool_config.pool_kbytes, 20480);
	}

	#[test]
	fn an_explicit_pool_type_wins() {
		let cli =
			Cli::parse_with_node_defaults(["zkmarket-node", "--dev", "--pool-type", "fork-aware"])
				.unwrap();
		assert!(matches!(cli.run.pool_config.pool_type, sc_cli::TransactionPoolType::ForkAware));
		assert!(Cli::parse_with_node_defaults(["zkmarket-node", "--pool-type", "other"]).is_err());
	}

	#[test]
	fn subcommands_still_parse() {
		let cli = Cli::parse_with_node_defaults(["zkmarket-node", "build-spec", "--chain", "dev"])
			.unwrap();
		assert!(matches!(cli.subcommand, Some(Subcommand::BuildSpec(_))));
		assert!(Cli::parse_with_node_defaults(["zkmarket-node", "--no-such-flag"]).is_err());
	}

	#[test]
	fn verify_bench_parses() {
		let cli = Cli::parse_with_node_defaults([
			"zkmarket-node",
			"verify-bench",
			"--dev",
			"--proofs-file",
			"proofs.jsonl",
			"--proofs",
			"200",
		])
		.unwrap();
		let Some(Subcommand::VerifyBench(cmd)) = cli.subcommand else { panic!("verify-bench") };
		assert_eq!(cmd.proofs, Some(200));
		assert_eq!(cmd.repeat, 3);
		assert!(cmd.shared_params.dev);
		assert!(
			Cli::parse_with_node_defaults(["zkmarket-node", "verify-bench", "--dev"]).is_err(),
			"the proofs file is required"
		);
	}
}
