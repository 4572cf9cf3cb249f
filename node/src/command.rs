//! Dispatch of the node's subcommands.
use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"zkmarket node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/zkmarket/zkmarket/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development_chain_spec()?),
			"" | "local" => Box::new(chain_spec::local_chain_spec()?),
			path => {
				let p = std::path::PathBuf::from(path);
				if !p.exists() {
					return Err(format!(
						"unknown chain `{path}`: expected `dev`, `local` or the path of a chain spec file"
					));
				}
				Box::new(
					chain_spec::ChainSpec::from_json_file(p)
						.map_err(|e| format!("cannot read chain spec `{path}`: {e}"))?,
				)
			}
		})
	}
}

/// Fails early with a clear error when an explicitly requested RPC or p2p port
/// is taken (sc-service would otherwise fall back to a random RPC port).
fn ensure_ports_free(cli: &Cli) -> sc_cli::Result<()> {
	let rpc_host = if cli.run.rpc_params.rpc_external { "0.0.0.0" } else { "127.0.0.1" };
	if let Some(port) = cli.run.rpc_params.rpc_port {
		if std::net::TcpListener::bind((rpc_host, port)).is_err() {
			return Err(format!("RPC port {port} is already in use ({rpc_host}:{port})").into());
		}
	}
	if let Some(port) = cli.run.network_params.port {
		if std::net::TcpListener::bind(("0.0.0.0", port)).is_err() {
			return Err(format!("p2p port {port} is already in use").into());
		}
	}
	Ok(())
}

/// Parses the command line and runs the node or a subcommand.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::parse_with_node_defaults(std::env::args_os()).unwrap_or_else(|e| e.exit());

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		}
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		}
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		}
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		}
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(cmd)) => crate::benchmarking::run(&cli, cmd),
		#[cfg(not(feature = "runtime-benchmarks"))]
		Some(Subcommand::Benchmark(_)) => Err("this node was built without benchmarking support; \
			rebuild it with `cargo build --release -p zkmarket-node --features runtime-benchmarks`"
			.into()),
		Some(Subcommand::VerifyBench(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| {
				let PartialComponents { client, .. } = service::new_partial(&config)?;
				cmd.run(client)
			})
		}
		Some(Subcommand::ExportMetadata(cmd)) => cmd.run(),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<zkmarket_runtime::opaque::Block>(&config))
		}
		None => {
			ensure_ports_free(&cli)?;
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
						sc_network::NetworkWorker<
							zkmarket_runtime::opaque::Block,
							<zkmarket_runtime::opaque::Block as sp_runtime::traits::Block>::Hash,
						>,
					>(config)
					.map_err(sc_cli::Error::Service),
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(config)
							.map_err(sc_cli::Error::Service)
					}
				}
			})
		}
	}
}
