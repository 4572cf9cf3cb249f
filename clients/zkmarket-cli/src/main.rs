//! `zkmarket`: the requester's command line of the zkmarket chain.
//!
//! ```text
//! zkmarket [--url ws://..] [--suri SECRET] <command>
//!   request submit --program ID (--inputs 0x..,0x.. | --demo-x N | --public-values FILE | --journal FILE)
//!                  (--bid ZK --max-base-fee ZK [--expires-in BLOCKS]
//!                   | --offer min,max,ramp,lock,timeout,collateral [--start-in SECS])
//!                  [--out FILE] [--no-wait] [--timeout SECS] [--json]
//!   request status ID [--json]
//!   request cancel ID
//!   request proof ID [--out FILE]
//!   program register VK_FILE [--kind arkworks|snarkjs|gnark|sp1|risc0 [kind parameters]] [--json]
//!   quote --bid ZK [--json]
//!   account [--json]
//! ```
//!
//! Exit codes: 0 ok, 1 other error, 2 bad input/usage, 3 node unreachable,
//! 4 the chain refused (dispatch error / invalid transaction), 5 not found,
//! 6 metadata mismatch, 7 timeout or request closed without a proof.

mod args;
mod exit;
mod request;

use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::process::ExitCode;
use zkmarket_client::{
	amount::{format_zk, parse_zk},
	keys, market, Conn, Error, ProgramKind,
};

/// Requester's command line of the zkmarket proof market.
#[derive(Parser, Debug)]
#[command(name = "zkmarket", version, about, propagate_version = true)]
pub struct Cli {
	/// WebSocket URL of a node.
	#[arg(long, global = true, env = "ZKMARKET_URL", default_value = "ws://127.0.0.1:9944")]
	pub url: String,
	/// Signing key: a secret URI (//Alice), a seed phrase (optionally with
	/// //derivation), a 0x 32-byte seed, or @FILE holding one of those.
	#[arg(long, global = true, env = "ZKMARKET_SURI", hide_env_values = true)]
	pub suri: Option<String>,
	#[command(subcommand)]
	pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
	/// Submit, follow, cancel proof requests and fetch their proofs.
	#[command(subcommand)]
	Request(RequestCmd),
	/// Register programs (Groth16 verifying keys).
	#[command(subcommand)]
	Program(ProgramCmd),
	/// Where an auction bid would rank now and what it would pay.
	Quote {
		/// The bid in ZK (on top of the BaseFee), e.g. 0.05.
		#[arg(long)]
		bid: String,
		/// Print JSON.
		#[arg(long)]
		json: bool,
	},
	/// The --suri account: SS58 address, free balance, prover state.
	Account {
		/// Print JSON.
		#[arg(long)]
		json: bool,
	},
}

#[derive(Subcommand, Debug)]
pub enum RequestCmd {
	/// Submit a request and follow it until it is settled (then fetch and
	/// verify the proof) or closes without a proof. Prints the request id on
	/// stdout first, progress on stderr.
	Submit(Box<SubmitArgs>),
	/// Show a request.
	Status {
		/// Request id.
		id: u64,
		/// Read at this block hash (default: the best block).
		#[arg(long, value_name = "HASH")]
		at: Option<String>,
		/// Print JSON.
		#[arg(long)]
		json: bool,
	},
	/// Cancel a queued bid or an offer whose ramp has not started (refunds the escrow).
	Cancel {
		/// Request id.
		id: u64,
	},
	/// Fetch the proof of a settled request, verify it off-chain and write it as JSON.
	Proof {
		/// Request id.
		id: u64,
		/// Output file (default proof-<id>.json).
		#[arg(long)]
		out: Option<String>,
	},
}

#[derive(Args, Debug)]
pub struct SubmitArgs {
	/// Program id (0x + 64 hex digits).
	#[arg(long)]
	pub program: String,
	/// Public inputs, comma-separated: 0x + 64 hex digits (32 bytes
	/// little-endian) or decimal numbers. The chain adds the binding.
	#[arg(
		long,
		required_unless_present_any = ["demo_x", "public_values", "journal"],
		conflicts_with_all = ["demo_x", "public_values", "journal"]
	)]
	pub inputs: Option<String>,
	/// Demo circuit: use y = x^3 + x + 5 as the public input.
	#[arg(long, value_name = "X", conflicts_with_all = ["public_values", "journal"])]
	pub demo_x: Option<u64>,
	/// SP1 programs: the file of the public values the guest must commit; the
	/// request's input is their digest (sha256, top 3 bits cleared).
	#[arg(long, value_name = "FILE", conflicts_with = "journal")]
	pub public_values: Option<String>,
	/// RISC Zero programs: the file of the journal the guest must write; the
	/// request's inputs are its sha256 digest as two 128-bit halves.
	#[arg(long, value_name = "FILE")]
	pub journal: Option<String>,
	/// Auction bid in ZK, on top of the BaseFee.
	#[arg(long, requires = "max_base_fee", conflicts_with = "offer")]
	pub bid: Option<String>,
	/// Highest BaseFee accepted, in ZK.
	#[arg(long, requires = "bid")]
	pub max_base_fee: Option<String>,
	/// Blocks the bid stays in the auction (at least 2, at most a day of blocks).
	#[arg(long, default_value_t = 100, requires = "bid")]
	pub expires_in: u32,
	/// Reverse Dutch offer: min,max,ramp,lock,timeout,collateral (prices and
	/// collateral in ZK; durations in seconds, or with s/m/h/d; lock and timeout
	/// counted from the ramp start).
	#[arg(long, required_unless_present = "bid")]
	pub offer: Option<String>,
	/// Seconds from the chain's current time to the offer's ramp start (before
	/// it, the offer can be cancelled).
	#[arg(long, default_value = "0", requires = "offer")]
	pub start_in: String,
	/// Where to write the proof (default proof-<id>.json).
	#[arg(long)]
	pub out: Option<String>,
	/// Print the request id and exit once the request is in a block.
	#[arg(long)]
	pub no_wait: bool,
	/// Give up following after this many seconds (exit 7; the request stays on chain).
	#[arg(long)]
	pub timeout: Option<String>,
	/// Print a JSON summary on stdout at the end (instead of the bare id first).
	#[arg(long)]
	pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ProgramCmd {
	/// Register a program: a Groth16 BN254 verifying key of a kind. Prints the
	/// program id.
	Register {
		/// File with the key. arkworks: raw bytes, 0x hex, or the JSON of
		/// `zkmarket-prover program`; snarkjs and risc0: snarkjs'
		/// `verification_key.json` (or arkworks bytes); gnark and sp1: the bytes
		/// gnark writes (SP1's `groth16_vk.bin`), raw or 0x hex.
		vk_file: String,
		#[command(flatten)]
		kind: args::KindArgs,
		/// Print JSON.
		#[arg(long)]
		json: bool,
	},
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("error: {}", exit::message(&e));
			ExitCode::from(exit::exit_code(&e))
		}
	}
}

/// The signer of `--suri`, or a usage error.
pub fn signer(
	cli_suri: &Option<String>,
) -> Result<zkmarket_client::subxt_signer::sr25519::Keypair, Error> {
	let spec = cli_suri.as_deref().ok_or_else(|| {
		Error::bad_input("this command signs a transaction: pass --suri (or set ZKMARKET_SURI)")
	})?;
	keys::signer(spec)
}

async fn connect(url: &str) -> Result<Conn, Error> {
	zkmarket_client::connect(url).await
}

async fn run(cli: Cli) -> Result<(), Error> {
	match cli.command {
		Command::Request(RequestCmd::Submit(ref a)) => request::submit(&cli, a).await,
		Command::Request(RequestCmd::Status { id, ref at, json }) => {
			let at = at.as_deref().map(|h| args::parse_id32(h, "block hash")).transpose()?;
			request::status(&connect(&cli.url).await?, id, at.map(Into::into), json).await
		}
		Command::Request(RequestCmd::Cancel { id }) => {
			let key = signer(&cli.suri)?;
			request::cancel(&connect(&cli.url).await?, &key, id).await
		}
		Command::Request(RequestCmd::Proof { id, ref out }) => {
			let conn = connect(&cli.url).await?;
			let out = out.clone().unwrap_or_else(|| format!("proof-{id}.json"));
			let p = request::fetch_proof(&conn, id).await?;
			request::write_proof(&p, &out)?;
			eprintln!("proof of request {id} verified off-chain, written to {out}");
			Ok(())
		}
		Command::Program(ProgramCmd::Register { ref vk_file, ref kind, json }) => {
			let key = signer(&cli.suri)?;
			let kind = kind.kind()?;
			let vk = args::read_key(vk_file, &kind)?;
			register_program(&connect(&cli.url).await?, &key, kind, vk, json).await
		}
		Command::Quote { ref bid, json } => {
			let bid = parse_zk(bid)?;
			quote(&connect(&cli.url).await?, bid, json).await
		}
		Command::Account { json } => {
			let key = signer(&cli.suri)?;
			account(&connect(&cli.url).await?, &key, json).await
		}
	}
}

async fn register_program(
	conn: &Conn,
	key: &zkmarket_client::subxt_signer::sr25519::Keypair,
	kind: ProgramKind,
	vk: Vec<u8>,
	json: bool,
) -> Result<(), Error> {
	// What the chain will check, checked first (named errors before any fee).
	let reg = kind.register(&vk).map_err(|e| {
		Error::bad_input(format!(
			"not a Groth16 BN254 verifying key of a {} program ({} bytes): {e:?}",
			kind.name(),
			vk.len()
		))
	})?;
	zkmarket_client::groth16::check_key(&reg.vk)?;
	let id = reg.program_id(&kind);
	let inputs = reg.inputs;
	let best = conn.best().await?;
	if let Some(p) = market::program_at(&best, id).await? {
		// Refused before sending: the chain would answer `Verifier.ProgramExists`.
		println!("{}", args::hex0x(&id));
		eprintln!(
			"program {} is already registered (owner {}, {} public input(s), deposit {})",
			args::hex0x(&id),
			keys::ss58(&p.owner),
			p.inputs,
			format_zk(p.deposit)
		);
		return Err(Error::Dispatch {
			pallet: "Verifier".into(),
			error: "ProgramExists".into(),
			docs: String::new(),
		});
	}
	let r = market::register_program(conn, key, kind.clone(), vk).await.inspect_err(|e| {
		if e.is_dispatch("Verifier", "ProgramExists") {
			println!("{}", args::hex0x(&id));
		}
	})?;
	debug_assert_eq!(r.id, id);
	debug_assert_eq!(r.inputs, inputs);
	if json {
		println!(
			"{}",
			json!({"program": args::hex0x(&r.id), "kind": kind.name(), "inputs": r.inputs,
				"bound": kind.is_bound(), "deposit": r.deposit.to_string()})
		);
	} else {
		println!("{}", args::hex0x(&r.id));
		eprintln!(
			"registered {} program {} ({} public input{}{}); deposit held: {}",
			kind.name(),
			args::hex0x(&r.id),
			r.inputs,
			if r.inputs == 1 { "" } else { "s" },
			if kind.is_bound() {
				" + binding"
			} else {
				"; unbound: only an assigned or locking prover may prove it"
			},
			format_zk(r.deposit)
		);
	}
	Ok(())
}

async fn quote(conn: &Conn, bid: u128, json: bool) -> Result<(), Error> {
	let q = market::quote_bid(conn, bid).await?;
	let fee = market::base_fee_rpc(conn, None).await?;
	if json {
		println!(
			"{}",
			json!({
				"bid": bid.to_string(),
				"rank": q.rank,
				"price": q.price.to_string(),
				"capacity": q.capacity,
				"wouldWin": q.would_win,
				"baseFee": fee.base_fee.to_string(),
				"lastChange": fee.last_change.map(|c| json!({"block": c.block, "old": c.old.to_string(), "new": c.new.to_string()})),
			})
		);
		return Ok(());
	}
	println!("bid:        {}", format_zk(bid));
	println!("rank:       {} (0 = best; {} free prover slot(s) now)", q.rank, q.capacity);
	println!("would win:  {}", if q.would_win { "yes" } else { "no" });
	println!("price:      {} (next lower bid + BaseFee, if it won now)", format_zk(q.price));
	println!("base fee:   {}", format_zk(fee.base_fee));
	if let Some(c) = fee.last_change {
		println!("            (changed at #{} from {})", c.block, format_zk(c.old));
	}
	Ok(())
}

async fn account(
	conn: &Conn,
	key: &zkmarket_client::subxt_signer::sr25519::Keypair,
	json: bool,
) -> Result<(), Error> {
	let who = keys::account(key);
	let at = conn.best().await?;
	let free = market::free_balance_at(&at, &who).await?;
	let prover = market::prover_info_at(&at, &who).await?;
	if json {
		println!(
			"{}",
			json!({
				"address": keys::ss58(&who),
				"accountId": args::hex0x(&who.0),
				"free": free.to_string(),
				"prover": prover.map(|p| json!({
					"effectiveStake": p.effective_stake.to_string(),
					"collateral": p.collateral.to_string(),
					"unbonding": p.unbonding.to_string(),
					"reputation": p.reputation,
					"paused": p.paused,
					"activeJobs": p.active_jobs,
					"eligible": p.eligible,
				})),
			})
		);
		return Ok(());
	}
	println!("address:    {}", keys::ss58(&who));
	println!("free:       {}", format_zk(free));
	if let Some(p) = prover {
		println!(
			"prover:     stake {}, collateral {}, reputation {:.1}%, {} active job(s){}{}",
			format_zk(p.effective_stake),
			format_zk(p.collateral),
			p.reputation as f64 / 1e7,
			p.active_jobs,
			if p.paused { ", paused" } else { "" },
			if p.eligible { ", eligible" } else { ", not eligible" },
		);
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::CommandFactory;

	#[test]
	fn cli_is_consistent() {
		Cli::command().debug_assert();
	}

	#[test]
	fn parses_submit() {
		let c = Cli::try_parse_from([
			"zkmarket",
			"request",
			"submit",
			"--program",
			"0x00",
			"--demo-x",
			"3",
			"--bid",
			"0.05",
			"--max-base-fee",
			"0.01",
		])
		.unwrap();
		let Command::Request(RequestCmd::Submit(a)) = c.command else { panic!() };
		assert_eq!(a.demo_x, Some(3));
		assert_eq!(a.expires_in, 100);
		// Bid and offer exclude each other; one is required; inputs or demo-x.
		for bad in [
			vec!["--demo-x", "3"],
			vec!["--demo-x", "3", "--bid", "1"],
			vec!["--demo-x", "3", "--bid", "1", "--max-base-fee", "1", "--offer", "1,2,3,4,5,6"],
			vec!["--offer", "1,2,3,4,5,6"],
			vec!["--inputs", "1", "--demo-x", "3", "--offer", "1,2,3,4,5,6"],
		] {
			let mut argv = vec!["zkmarket", "request", "submit", "--program", "0x00"];
			argv.extend(bad.iter());
			assert!(Cli::try_parse_from(&argv).is_err(), "{bad:?}");
		}
		let c = Cli::try_parse_from([
			"zkmarket",
			"--url",
			"ws://x:1",
			"request",
			"submit",
			"--program",
			"0x00",
			"--inputs",
			"1,2",
			"--offer",
			"1,2,3,4,5,6",
			"--start-in",
			"30",
		])
		.unwrap();
		assert_eq!(c.url, "ws://x:1");
	}
}
