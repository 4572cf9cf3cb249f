//! The `benchmark` subcommands (only with `--features runtime-benchmarks`).
use crate::{cli::Cli, service};
use frame_benchmarking_cli::{BenchmarkCmd, SUBSTRATE_REFERENCE_HARDWARE};
use sc_cli::SubstrateCli;
use zkmarket_runtime::opaque::Block;

/// Runs `benchmark pallet|block|machine`.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
	let runner = cli.create_runner(cmd)?;
	runner.sync_run(|config| match cmd {
		BenchmarkCmd::Pallet(cmd) => {
			// Substrate's and the benchmarks' host functions are added by the command.
			cmd.run_with_spec::<
				sp_runtime::traits::HashingFor<Block>,
				zkmarket_groth16_host::HostFunctions,
			>(Some(config.chain_spec))
		}
		BenchmarkCmd::Block(cmd) => {
			let sc_service::PartialComponents { client, .. } = service::new_partial(&config)?;
			cmd.run(client)
		}
		BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
		_ => Err("zkmarket-node supports `benchmark pallet`, `benchmark block` and \
			`benchmark machine`"
			.into()),
	})
}
