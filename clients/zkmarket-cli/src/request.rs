//! `zkmarket request ...`.

use crate::{
	args::{self, hex0x},
	signer, Cli, SubmitArgs,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use zkmarket_client::{
	amount::{format_zk, parse_zk},
	groth16, keys,
	market::{
		self, Fulfilment, Offer, Pricing, RequestEvent, RequestId, RequestState, RequestView,
	},
	subxt_signer::sr25519::Keypair,
	AccountId, AtBlock, Conn, Error,
};

/// A fetched, verified proof.
pub struct FetchedProof {
	/// Request id.
	pub request: RequestId,
	/// Program id.
	pub program: [u8; 32],
	/// The settling prover.
	pub prover: AccountId,
	/// Public inputs (without the binding).
	pub inputs: Vec<[u8; 32]>,
	/// The proof bytes, as the program's kind writes them.
	pub proof: Vec<u8>,
	/// The program's kind.
	pub kind: zkmarket_client::ProgramKind,
}

/// The proof file: fields in this order.
#[derive(serde::Serialize)]
struct ProofFile {
	request: RequestId,
	program: String,
	kind: &'static str,
	prover: String,
	inputs: Vec<String>,
	proof: String,
	/// snarkjs programs: `proof.json` and `public.json` as snarkjs writes them
	/// (the public signals end with the binding), for `snarkjs groth16 verify`.
	#[serde(skip_serializing_if = "Option::is_none")]
	snarkjs: Option<serde_json::Value>,
}

impl FetchedProof {
	/// The proof file: `{"request", "program", "prover", "inputs", "proof"}`
	/// (prover SS58, the rest 0x hex).
	fn file(&self) -> ProofFile {
		ProofFile {
			request: self.request,
			program: hex0x(&self.program),
			prover: keys::ss58(&self.prover),
			inputs: self.inputs.iter().map(|i| hex0x(i)).collect(),
			proof: hex0x(&self.proof),
			kind: self.kind.name(),
			snarkjs: self.snarkjs(),
		}
	}

	/// The proof and public signals in snarkjs' JSON, for snarkjs programs.
	fn snarkjs(&self) -> Option<serde_json::Value> {
		use zkmarket_client::formats::snarkjs;
		if self.kind != zkmarket_client::ProgramKind::Snarkjs {
			return None;
		}
		let mut public = self.inputs.clone();
		public.push(groth16::binding(self.request, &self.prover.0));
		Some(json!({
			"proof": snarkjs::proof_to_json(&self.proof)?,
			"publicSignals": snarkjs::public_to_json(&public),
		}))
	}
}

/// Writes a proof file.
pub fn write_proof(p: &FetchedProof, path: &str) -> Result<(), Error> {
	let mut text = serde_json::to_string_pretty(&p.file())?;
	text.push('\n');
	std::fs::write(path, text)
		.map_err(|e| Error::Other(format!("cannot write the proof to {path}: {e}")))
}

/// The proof of settled request `id` at the best block, verified off-chain
/// with the program's key, the request's inputs and the binding of request and
/// settling prover. Not settled / pruned / no kept proof: [`Error::NotFound`].
pub async fn fetch_proof(conn: &Conn, id: RequestId) -> Result<FetchedProof, Error> {
	let at = conn.best().await?;
	fetch_proof_at(&at, id).await
}

async fn fetch_proof_at(at: &AtBlock, id: RequestId) -> Result<FetchedProof, Error> {
	let req = market::request_at(at, id).await?.ok_or_else(|| {
		Error::NotFound(format!("request {id} does not exist (or was pruned): no proof"))
	})?;
	let RequestState::Settled { prover, .. } = &req.state else {
		return Err(Error::NotFound(format!(
			"request {id} is not settled ({}): no proof",
			describe_state(&req.state)
		)));
	};
	let proof = market::proof_at(at, id).await?.ok_or_else(|| {
		Error::NotFound(format!("request {id} is settled but its proof is no longer kept"))
	})?;
	let program = market::program_at(at, req.program).await?.ok_or_else(|| {
		Error::NotFound(format!(
			"program {} is no longer registered: cannot verify the proof of request {id}",
			hex0x(&req.program)
		))
	})?;
	let binding = groth16::binding(id, &prover.0);
	let valid = groth16::verify_program(
		&program.kind,
		program.selector,
		&program.vk,
		&proof,
		&req.inputs,
		&binding,
	)?;
	if !valid {
		return Err(Error::Other(format!(
			"the proof of request {id} does NOT verify off-chain (program {}, prover {})",
			hex0x(&req.program),
			keys::ss58(prover)
		)));
	}
	Ok(FetchedProof {
		request: id,
		program: req.program,
		prover: *prover,
		inputs: req.inputs,
		proof,
		kind: program.kind,
	})
}

/// `request status`.
pub async fn status(
	conn: &Conn,
	id: RequestId,
	at: Option<zkmarket_client::Hash>,
	json: bool,
) -> Result<(), Error> {
	let at = match at {
		Some(h) => conn.at(h).await?,
		None => conn.best().await?,
	};
	let req = market::request_at(&at, id).await?.ok_or_else(|| {
		Error::NotFound(format!("unknown request {id} (never submitted, or pruned)"))
	})?;
	let now = market::now_secs_at(&at).await?;
	if json {
		let mut v = request_json(&req);
		v["block"] = json!(at.block_number());
		if let Pricing::Offer(o) = &req.pricing {
			v["priceNow"] = json!(o.price_at(now).to_string());
		}
		println!("{v}");
		return Ok(());
	}
	println!("request:    {id}  (at block #{})", at.block_number());
	println!("state:      {}", describe_state(&req.state));
	println!("requester:  {}", keys::ss58(&req.requester));
	println!("program:    {}", hex0x(&req.program));
	for (i, input) in req.inputs.iter().enumerate() {
		println!("input {i}:    {}", hex0x(input));
	}
	match &req.pricing {
		Pricing::Auction { bid, max_base_fee } => {
			println!(
				"pricing:    auction bid {} (max base fee {})",
				format_zk(*bid),
				format_zk(*max_base_fee)
			);
			println!("expires at: #{}", req.expires_at);
		}
		Pricing::Offer(o) => {
			println!(
				"pricing:    offer {} -> {}, ramp {} s from {}, lock by {}, deadline {}, collateral {}",
				format_zk(o.min_price),
				format_zk(o.max_price),
				o.ramp_up_period,
				rel_time(o.ramp_up_start, now),
				rel_time(o.lock_deadline(), now),
				rel_time(o.deadline(), now),
				format_zk(o.lock_collateral),
			);
			if req.state == RequestState::Open {
				println!("price now:  {}", format_zk(o.price_at(now)));
			}
		}
	}
	println!("escrow:     {}", format_zk(req.escrow));
	println!("submitted:  #{}", req.submitted_at);
	Ok(())
}

/// `request cancel`.
pub async fn cancel(conn: &Conn, key: &Keypair, id: RequestId) -> Result<(), Error> {
	let at = conn.best().await?;
	let req = market::request_at(&at, id).await?.ok_or_else(|| {
		Error::NotFound(format!("unknown request {id} (never submitted, or pruned)"))
	})?;
	if req.requester != keys::account(key) {
		return Err(Error::Dispatch {
			pallet: "Market".into(),
			error: "NotRequester".into(),
			docs: String::new(),
		});
	}
	let refund = market::cancel_request(conn, key, id).await?;
	println!("cancelled request {id}; refunded {}", format_zk(refund));
	Ok(())
}

/// `request submit`.
pub async fn submit(cli: &Cli, a: &SubmitArgs) -> Result<(), Error> {
	// Everything local first: bad input never needs a node.
	let key = signer(&cli.suri)?;
	let program = args::parse_program(&a.program)?;
	let read = |path: &str| {
		std::fs::read(path).map_err(|e| Error::bad_input(format!("cannot read {path}: {e}")))
	};
	// Inputs derived from a zkVM's output are for that kind of program only.
	let (inputs, needs_kind) = match (&a.inputs, a.demo_x, &a.public_values, &a.journal) {
		(_, Some(x), ..) => (vec![groth16::demo_output(x)], None),
		(_, _, Some(f), _) => {
			(vec![zkmarket_client::formats::sp1::public_values_digest(&read(f)?)], Some("sp1"))
		}
		(_, _, _, Some(f)) => {
			(zkmarket_client::formats::risc0::request_inputs(&read(f)?).to_vec(), Some("risc0"))
		}
		(Some(s), ..) => (args::parse_inputs(s)?, None),
		_ => {
			return Err(Error::bad_input(
				"pass --inputs, --demo-x, --public-values (SP1) or --journal (RISC Zero)",
			))
		}
	};
	enum Kind {
		Bid { bid: u128, max_base_fee: u128, expires_in: u32 },
		Offer { o: args::OfferArgs, start_in: u64 },
	}
	let kind = match (&a.bid, &a.max_base_fee, &a.offer) {
		(Some(b), Some(m), None) => {
			if a.expires_in < 2 {
				return Err(Error::bad_input("--expires-in must be at least 2 blocks"));
			}
			Kind::Bid { bid: parse_zk(b)?, max_base_fee: parse_zk(m)?, expires_in: a.expires_in }
		}
		(None, None, Some(o)) => {
			Kind::Offer { o: args::parse_offer(o)?, start_in: args::parse_secs(&a.start_in)? }
		}
		_ => return Err(Error::bad_input("pass either --bid and --max-base-fee, or --offer")),
	};
	let timeout = a.timeout.as_deref().map(args::parse_secs).transpose()?;

	let conn = zkmarket_client::connect(&cli.url).await?;
	let at = conn.best().await?;
	let prog = market::program_at(&at, program).await?.ok_or_else(|| {
		Error::NotFound(format!("unknown program {}: not registered", hex0x(&program)))
	})?;
	if let Some(k) = needs_kind.filter(|k| *k != prog.kind.name()) {
		return Err(Error::bad_input(format!(
			"program {} is a {} program: its inputs do not come from {}",
			hex0x(&program),
			prog.kind.name(),
			if k == "sp1" {
				"SP1 public values (--public-values)"
			} else {
				"a RISC Zero journal (--journal)"
			}
		)));
	}
	if prog.inputs as usize != inputs.len() {
		return Err(Error::bad_input(format!(
			"program {} takes {} public input(s){}, got {}",
			hex0x(&program),
			prog.inputs,
			if prog.kind.is_bound() { " (the chain adds the binding)" } else { "" },
			inputs.len()
		)));
	}
	if !prog.kind.accepts_inputs(&inputs) {
		return Err(Error::bad_input(format!(
			"these inputs cannot be the public inputs of a {} program (RISC Zero: two 128-bit halves of the journal digest)",
			prog.kind.name()
		)));
	}
	let best = at.block_number() as u32;
	let (pricing, expires_at) = match kind {
		Kind::Bid { bid, max_base_fee, expires_in } => {
			(Pricing::Auction { bid, max_base_fee }, best.saturating_add(expires_in))
		}
		Kind::Offer { o, start_in } => {
			let now = market::now_secs_at(&at).await?;
			let offer = Offer {
				min_price: o.min_price,
				max_price: o.max_price,
				ramp_up_start: now.saturating_add(start_in),
				ramp_up_period: o.ramp,
				lock_timeout: o.lock,
				timeout: o.timeout,
				lock_collateral: o.collateral,
			};
			(Pricing::Offer(offer), 0)
		}
	};
	let offer = match &pricing {
		Pricing::Offer(o) => Some(*o),
		Pricing::Auction { .. } => None,
	};
	let submitted =
		market::submit_request(&conn, &key, program, inputs, pricing, expires_at).await?;
	let id = submitted.id;
	if !a.json {
		println!("{id}");
	}
	let inclusion = conn.at(submitted.block_hash).await?;
	progress(
		inclusion.block_number(),
		&format!("submitted request {id}; escrow {} held", format_zk(submitted.escrow)),
	);
	if offer.is_some() && !prog.kind.is_bound() {
		progress(
			inclusion.block_number(),
			&format!(
				"{} programs are unbound: only a prover that locks this offer may prove it (no open fulfilment, no bounty)",
				prog.kind.name()
			),
		);
	}
	if let Some(o) = &offer {
		progress(
			inclusion.block_number(),
			&format!(
				"offer: {} -> {} over {} s from the ramp start; lock deadline in {} s, deadline in {} s (from now)",
				format_zk(o.min_price),
				format_zk(o.max_price),
				o.ramp_up_period,
				o.lock_deadline().saturating_sub(market::now_secs_at(&inclusion).await?),
				o.deadline().saturating_sub(market::now_secs_at(&inclusion).await?),
			),
		);
	}
	if a.no_wait {
		if a.json {
			println!(
				"{}",
				json!({"request": id, "status": "submitted", "escrow": submitted.escrow.to_string(),
					"block": inclusion.block_number()})
			);
		}
		return Ok(());
	}
	let out = a.out.clone().unwrap_or_else(|| format!("proof-{id}.json"));
	let outcome = follow(&conn, id, inclusion, offer.is_some(), timeout).await;
	let outcome = match outcome {
		Ok(o) => o,
		Err(e) => {
			if let Error::Unreachable { .. } | Error::Timeout(_) = e {
				eprintln!(
					"request {id} stays on chain; check it with `zkmarket request status {id}` \
					 and fetch its proof with `zkmarket request proof {id}`"
				);
			}
			if a.json {
				println!("{}", json!({"request": id, "status": "error", "error": e.to_string()}));
			}
			return Err(e);
		}
	};
	match outcome {
		Outcome::Settled { block, prover, paid, at } => {
			let result = fetch_proof_at(&at, id).await;
			let summary = |proof: Option<&str>, err: Option<String>| {
				let mut v = json!({
					"request": id, "status": "settled", "block": block,
					"prover": keys::ss58(&prover), "paid": paid.to_string(),
				});
				if let Some(p) = proof {
					v["proofFile"] = json!(p);
				}
				if let Some(e) = err {
					v["error"] = json!(e);
				}
				v
			};
			match result {
				Ok(p) => {
					write_proof(&p, &out)?;
					progress(block.into(), &format!("proof verified off-chain, written to {out}"));
					if a.json {
						println!("{}", summary(Some(&out), None));
					}
					Ok(())
				}
				Err(e) => {
					if a.json {
						println!("{}", summary(None, Some(e.to_string())));
					}
					Err(e)
				}
			}
		}
		Outcome::Closed { block, status, message } => {
			if a.json {
				println!("{}", json!({"request": id, "status": status, "block": block}));
			}
			Err(Error::Timeout(format!("request {id} {message}")))
		}
	}
}

enum Outcome {
	Settled { block: u32, prover: AccountId, paid: u128, at: AtBlock },
	Closed { block: u32, status: &'static str, message: String },
}

fn progress(block: u64, msg: &str) {
	eprintln!("#{block} {msg}");
}

/// Follows the best blocks from `start` (the inclusion block) until the
/// request closes, printing the request's events as they happen.
async fn follow(
	conn: &Conn,
	id: RequestId,
	start: AtBlock,
	is_offer: bool,
	timeout: Option<u64>,
) -> Result<Outcome, Error> {
	let deadline = timeout.map(|t| Instant::now() + Duration::from_secs(t));
	let mut blocks = conn.api.stream_best_blocks().await?;
	let mut evicted = false;
	let mut last = start.block_number() - 1;
	let mut next_at = Some(start);
	loop {
		// The block to handle: first the inclusion block, then each new best block
		// (and the blocks the best-block stream skipped).
		let at = match next_at.take() {
			Some(at) => at,
			None => {
				let next = match deadline {
					Some(d) => {
						let left = d.saturating_duration_since(Instant::now());
						match tokio::time::timeout(left, blocks.next()).await {
							Ok(n) => n,
							Err(_) => {
								return Err(Error::Timeout(format!(
									"gave up waiting for request {id} after {} s",
									timeout.unwrap_or(0)
								)))
							}
						}
					}
					None => blocks.next().await,
				};
				let block = match next {
					Some(Ok(b)) => b,
					Some(Err(e)) => return Err(lost(e.into())),
					None => return Err(Error::unreachable("", "the block subscription ended")),
				};
				if block.number() <= last {
					// The stream starts with an older block and may lag; a re-org to a
					// chain no longer than the last one seen shows in the next blocks
					// (the state is re-read at each).
					continue;
				}
				// Blocks the stream skipped, on the new best chain.
				for n in last + 1..block.number() {
					let skipped = conn.api.at_block(n).await.map_err(|e| lost(e.into()))?;
					report_events(&skipped, id, is_offer, &mut evicted).await?;
				}
				block.at().await.map_err(|e| lost(e.into()))?
			}
		};
		last = at.block_number();
		report_events(&at, id, is_offer, &mut evicted).await?;
		let block = at.block_number() as u32;
		let Some(req) = market::request_at(&at, id).await? else {
			return Ok(Outcome::Closed {
				block,
				status: "pruned",
				message: "no longer exists (pruned)".into(),
			});
		};
		match req.state {
			RequestState::Settled { prover, paid } => {
				return Ok(Outcome::Settled { block, prover, paid, at });
			}
			RequestState::Expired if evicted => {
				return Ok(Outcome::Closed {
					block,
					status: "evicted",
					message: "was evicted".into(),
				})
			}
			RequestState::Expired => {
				return Ok(Outcome::Closed {
					block,
					status: "expired",
					message: "expired without a proof".into(),
				})
			}
			RequestState::Cancelled => {
				return Ok(Outcome::Closed {
					block,
					status: "cancelled",
					message: "was cancelled".into(),
				})
			}
			_ => {}
		}
	}
}

/// An error of the block stream while following a request: whatever the
/// chain client's error, the follow is lost, so it is the node being
/// unreachable (exit 3), with the error as its source.
fn lost(e: Error) -> Error {
	match e {
		Error::Chain(source) => Error::Unreachable {
			url: String::new(),
			reason: source.to_string(),
			source: Some(source as zkmarket_client::error::BoxError),
		},
		e => e,
	}
}

async fn report_events(
	at: &AtBlock,
	id: RequestId,
	is_offer: bool,
	evicted: &mut bool,
) -> Result<(), Error> {
	let n = at.block_number();
	for (rid, ev) in market::request_events_at(at).await? {
		if rid != id {
			continue;
		}
		let msg = match ev {
			RequestEvent::Submitted { .. } if is_offer => {
				"open: waiting for a prover to lock the offer".to_string()
			}
			RequestEvent::Submitted { .. } => "queued".to_string(),
			RequestEvent::Assigned { prover, price, deadline, .. } => format!(
				"assigned to {} at {}, deadline #{deadline}",
				keys::ss58(&prover),
				format_zk(price)
			),
			RequestEvent::Locked { prover, price, collateral } => format!(
				"locked by {} at {} (collateral {})",
				keys::ss58(&prover),
				format_zk(price),
				format_zk(collateral)
			),
			RequestEvent::ProofSubmitted { prover } => {
				format!("proof submitted by {}", keys::ss58(&prover))
			}
			RequestEvent::Settled { prover, paid, refund } => format!(
				"verified: settled, paid {} to {}, refund {}",
				format_zk(paid),
				keys::ss58(&prover),
				format_zk(refund)
			),
			RequestEvent::Rejected { prover, slashed } => format!(
				"rejected: the proof of {} was invalid (slashed {}); back to the market",
				keys::ss58(&prover),
				format_zk(slashed)
			),
			RequestEvent::VerificationUndecided { prover } => format!(
				"no verdict in time on the proof of {}; back to the market",
				keys::ss58(&prover)
			),
			RequestEvent::DeadlineMissed { prover, slashed } => format!(
				"{} missed the deadline (slashed {}); back to the market",
				keys::ss58(&prover),
				format_zk(slashed)
			),
			RequestEvent::LockMissed { prover, bounty, .. } => format!(
				"{} missed the lock deadline; bounty of {} open to any prover",
				keys::ss58(&prover),
				format_zk(bounty)
			),
			RequestEvent::AssignmentDeclined { prover } => {
				format!("{} declined the assignment; back to the market", keys::ss58(&prover))
			}
			RequestEvent::Requeued => "queued again".to_string(),
			RequestEvent::Expired { refund } => format!("expired, refund {}", format_zk(refund)),
			RequestEvent::Cancelled { refund } => {
				format!("cancelled, refund {}", format_zk(refund))
			}
			RequestEvent::Evicted { by, refund } => {
				*evicted = true;
				format!("evicted by the better bid {by}, refund {}", format_zk(refund))
			}
			RequestEvent::Pruned => "pruned".to_string(),
		};
		progress(n, &msg);
	}
	Ok(())
}

fn describe_state(s: &RequestState) -> String {
	match s {
		RequestState::Queued => "queued (auction bid waiting)".into(),
		RequestState::Assigned { prover, price, deadline } => format!(
			"assigned to {} at {}, deadline #{deadline}",
			keys::ss58(prover),
			format_zk(*price)
		),
		RequestState::Open => "open (offer not locked)".into(),
		RequestState::Locked { prover, price, collateral } => format!(
			"locked by {} at {} (collateral {})",
			keys::ss58(prover),
			format_zk(*price),
			format_zk(*collateral)
		),
		RequestState::BountyOpen { slashed, bounty } => format!(
			"bounty of {} open ({} missed the lock deadline)",
			format_zk(*bounty),
			keys::ss58(slashed)
		),
		RequestState::ProofSubmitted { prover, fulfilment, .. } => format!(
			"proof submitted by {}, awaiting verification ({})",
			keys::ss58(prover),
			match fulfilment {
				Fulfilment::Assignment { price, .. } =>
					format!("assignment at {}", format_zk(*price)),
				Fulfilment::Locked { price, .. } => format!("locked at {}", format_zk(*price)),
				Fulfilment::Open { price } => format!("open offer at {}", format_zk(*price)),
				Fulfilment::Bounty { amount, .. } => format!("bounty of {}", format_zk(*amount)),
			}
		),
		RequestState::Settled { prover, paid } => {
			format!("settled: paid {} to {}", format_zk(*paid), keys::ss58(prover))
		}
		RequestState::Expired => "expired (refunded)".into(),
		RequestState::Cancelled => "cancelled (refunded)".into(),
	}
}

fn rel_time(t: u64, now: u64) -> String {
	if t >= now {
		format!("{t} (in {} s)", t - now)
	} else {
		format!("{t} ({} s ago)", now - t)
	}
}

fn state_json(s: &RequestState) -> Value {
	let acc = keys::ss58;
	match s {
		RequestState::Queued => json!({"status": "Queued"}),
		RequestState::Assigned { prover, price, deadline } => {
			json!({"status": "Assigned", "prover": acc(prover), "price": price.to_string(), "deadline": deadline})
		}
		RequestState::Open => json!({"status": "Open"}),
		RequestState::Locked { prover, price, collateral } => json!({
			"status": "Locked", "prover": acc(prover), "price": price.to_string(),
			"collateral": collateral.to_string()
		}),
		RequestState::BountyOpen { slashed, bounty } => {
			json!({"status": "BountyOpen", "slashed": acc(slashed), "bounty": bounty.to_string()})
		}
		RequestState::ProofSubmitted { prover, fulfilment, at } => {
			let f = match fulfilment {
				Fulfilment::Assignment { price, deadline } => {
					json!({"kind": "assignment", "price": price.to_string(), "deadline": deadline})
				}
				Fulfilment::Locked { price, collateral } => json!({
					"kind": "locked", "price": price.to_string(), "collateral": collateral.to_string()
				}),
				Fulfilment::Open { price } => json!({"kind": "open", "price": price.to_string()}),
				Fulfilment::Bounty { from, amount } => {
					json!({"kind": "bounty", "from": acc(from), "amount": amount.to_string()})
				}
			};
			json!({"status": "ProofSubmitted", "prover": acc(prover), "fulfilment": f, "at": at})
		}
		RequestState::Settled { prover, paid } => {
			json!({"status": "Settled", "prover": acc(prover), "paid": paid.to_string()})
		}
		RequestState::Expired => json!({"status": "Expired"}),
		RequestState::Cancelled => json!({"status": "Cancelled"}),
	}
}

/// A request as JSON, in the format of the `market_request` RPC.
pub fn request_json(r: &RequestView) -> Value {
	let pricing = match &r.pricing {
		Pricing::Auction { bid, max_base_fee } => {
			json!({"type": "auction", "bid": bid.to_string(), "maxBaseFee": max_base_fee.to_string()})
		}
		Pricing::Offer(o) => json!({
			"type": "offer", "minPrice": o.min_price.to_string(), "maxPrice": o.max_price.to_string(),
			"rampUpStart": o.ramp_up_start, "rampUpPeriod": o.ramp_up_period,
			"lockTimeout": o.lock_timeout, "timeout": o.timeout,
			"lockCollateral": o.lock_collateral.to_string(),
		}),
	};
	json!({
		"id": r.id,
		"requester": keys::ss58(&r.requester),
		"program": hex0x(&r.program),
		"inputs": r.inputs.iter().map(|i| hex0x(i)).collect::<Vec<_>>(),
		"pricing": pricing,
		"escrow": r.escrow.to_string(),
		"submittedAt": r.submitted_at,
		"expiresAt": r.expires_at,
		"state": state_json(&r.state),
	})
}
