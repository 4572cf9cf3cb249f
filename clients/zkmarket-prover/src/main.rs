//! `zkmarket-prover`: the prover agent (`run`), and the demo program's key
//! and real proofs for it, as JSON.
//!
//! ```text
//! zkmarket-prover program                 # {"vk": "0x..", "programId": "0x.."}
//! zkmarket-prover input <x>               # {"y": "0x.."}  (the request's public input)
//! zkmarket-prover prove <x> <request> <prover> [--tamper] [--seed N]
//!                                         # {"proof": "0x..", "y": "0x..", "binding": "0x.."}
//! zkmarket-prover bench [n]               # native verifications per second (the runtime's verifier code)
//! zkmarket-prover serve                   # long-running: one proof per JSON line on stdin
//! zkmarket-prover run [--config prover.toml] [--log-format text|json]
//!                                         # the prover agent: earns on its own (docs/prover-agent.md)
//! ```
//! `<prover>` is an SS58 address or a 0x-prefixed 32-byte account id. A
//! usage error exits with code 2.
//!
//! `serve` reads jobs as JSON lines on stdin, `{"x": 3, "request": 12, "prover":
//! "0x.. or ss58"}` (optional `"tamper": true`, `"seed": N`, and `"tag"`, echoed
//! back), and writes one JSON line per job, in order, flushed at once:
//! `{"request": 12, "prover": "0x..", "proof": "0x..", "y": "0x..", "binding": "0x.."}`
//! (the fields of `prove`, the prover as a hex account id), or `{"request": 12,
//! "error": ".."}` for a bad job; it keeps serving until stdin closes. The
//! proving key is computed once, so a client proving many assignments keeps one
//! process instead of starting one per proof.

use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::exit};
use tracing::{error, info};

mod agent;
mod demo;

use agent::log::LogFormat;

/// The prover agent of the zkmarket chain, and the demo program's key and
/// proofs as JSON.
#[derive(Parser, Debug)]
#[command(name = "zkmarket-prover", version, arg_required_else_help = true)]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
	/// The demo program's verifying key and id: {"vk", "programId"}.
	Program,
	/// The demo program's public input `y` for a witness `x`: {"y"}.
	Input {
		/// The witness.
		x: u64,
	},
	/// A real proof of the demo program for a request and a prover: {"proof", "y", "binding"}.
	Prove {
		/// The witness.
		x: u64,
		/// The request id (bound into the proof).
		request: u64,
		/// The prover: an SS58 address or a 0x-prefixed 32-byte account id.
		#[arg(value_parser = parse_account)]
		prover: [u8; 32],
		/// A well-formed proof that does not verify (of x + 1, claiming x's output).
		#[arg(long)]
		tamper: bool,
		/// The proof's randomness seed.
		#[arg(long, default_value_t = 1)]
		seed: u64,
	},
	/// Native verifications per second (the runtime's verifier code).
	Bench {
		/// Verifications to time.
		#[arg(default_value_t = 200)]
		n: u64,
	},
	/// Long-running: one proof per JSON line {"x", "request", "prover"} on stdin.
	Serve,
	/// The prover agent: earns on its own (docs/prover-agent.md; sample:
	/// clients/zkmarket-prover/prover.example.toml).
	Run {
		/// The configuration file.
		#[arg(short, long, default_value = "prover.toml")]
		config: PathBuf,
		/// Log lines as text (default) or JSON lines; overrides
		/// `ZKMARKET_LOG_FORMAT` and the file's `log_format`.
		#[arg(long, value_enum)]
		log_format: Option<LogFormat>,
	},
}

fn parse_account(s: &str) -> Result<[u8; 32], demo::AccountError> {
	demo::account_from_str(s)
}

fn main() {
	match Cli::parse().command {
		Command::Program => demo::program(),
		Command::Input { x } => demo::input(x),
		Command::Prove { x, request, prover, tamper, seed } => {
			demo::prove_cmd(x, request, &prover, tamper, seed)
		}
		Command::Bench { n } => demo::bench(n),
		Command::Serve => demo::serve(),
		Command::Run { config, log_format } => exit(run(config, log_format)),
	}
}

/// `run`: loads the configuration, starts the logs, and runs the agent
/// until SIGINT/SIGTERM (a second one exits at once, 130).
fn run(path: PathBuf, log_format: Option<LogFormat>) -> i32 {
	let config = agent::config::load(&path);
	let format = log_format
		.or_else(LogFormat::from_env)
		.or(config.as_ref().ok().and_then(|c| c.log_format))
		.unwrap_or_default();
	agent::log::init(format);
	let config = match config {
		Ok(c) => c,
		Err(e) => {
			error!("config: {e}");
			return 2;
		}
	};
	// The agent is async (subxt); the other commands need no runtime.
	let rt = match tokio::runtime::Builder::new_multi_thread()
		.enable_all()
		.thread_name("zkmarket-agent")
		.build()
	{
		Ok(rt) => rt,
		Err(e) => {
			error!("cannot start the async runtime: {e}");
			return 1;
		}
	};
	let code = rt.block_on(async {
		let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
		tokio::spawn(async move {
			wait_for_signal().await;
			let _ = stop_tx.send(true);
			// A second signal: exit at once.
			wait_for_signal().await;
			error!("second signal: exiting now");
			exit(130);
		});
		agent::run(config, stop_rx).await
	});
	// Exit without waiting for blocking proving threads still running.
	exit(code)
}

/// SIGINT or SIGTERM.
async fn wait_for_signal() {
	#[cfg(unix)]
	{
		use tokio::signal::unix::{signal, SignalKind};
		let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
		let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
		tokio::select! {
			_ = term.recv() => info!("SIGTERM received"),
			_ = int.recv() => info!("SIGINT received"),
		}
	}
	#[cfg(not(unix))]
	{
		let _ = tokio::signal::ctrl_c().await;
		info!("interrupt received");
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::CommandFactory;

	#[test]
	fn arguments() {
		Cli::command().debug_assert();
		let parse = |args: &[&str]| Cli::try_parse_from(["zkmarket-prover"].iter().chain(args));
		let config = |args: &[&str]| match parse(args).unwrap().command {
			Command::Run { config, .. } => config,
			c => panic!("{c:?}"),
		};
		assert_eq!(config(&["run"]), PathBuf::from("prover.toml"));
		assert_eq!(config(&["run", "--config", "a.toml"]), PathBuf::from("a.toml"));
		assert_eq!(config(&["run", "-c", "b.toml"]), PathBuf::from("b.toml"));
		assert_eq!(config(&["run", "--config=c.toml"]), PathBuf::from("c.toml"));
		assert!(matches!(
			parse(&["run", "--log-format", "json"]).unwrap().command,
			Command::Run { log_format: Some(LogFormat::Json), .. }
		));
		let hex = format!("0x{}", "07".repeat(32));
		match parse(&["prove", "3", "9", &hex, "--tamper", "--seed", "5"]).unwrap().command {
			Command::Prove { x: 3, request: 9, prover, tamper: true, seed: 5 } => {
				assert_eq!(prover, [7u8; 32])
			}
			c => panic!("{c:?}"),
		}
		assert!(matches!(parse(&["bench"]).unwrap().command, Command::Bench { n: 200 }));
		// Usage errors exit with code 2.
		for bad in [
			&[][..],
			&["nope"],
			&["input"],
			&["input", "-1"],
			&["prove", "3", "9", "0x12"],
			&["run", "extra"],
			&["run", "--log-format", "yaml"],
		] {
			let e = parse(bad).unwrap_err();
			assert_eq!(e.exit_code(), 2, "{bad:?}: {e}");
		}
	}
}
