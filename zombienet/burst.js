// zombienet js-script: a burst of auction requests on the `local` network.
// `with "N,P"`: N requests (default 200) from 4 requesters, P provers (default
// 32, 4 job slots each) that prove every assignment they get as soon as they
// see it (real Groth16 proofs from one `zkmarket-prover serve` co-process).
// Passes (returns 1) when, on the finalized chain, every request settled, each
// with a valid final verdict backed by valid votes of at least
// `VerdictThreshold` (2 of 3 on `local`) distinct verifiers, and no
// VerificationUndecided, VerificationTimedOut, ConflictingVotes, ProofRejected or
// DeadlineMissed happened; throws with the reason otherwise.
const { spawn } = require("child_process");
const readline = require("readline");

const ZK = 10n ** 18n;
const PROVER_BIN = process.env.ZKMARKET_PROVER;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (...a) => console.log(`  burst [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

/** One `zkmarket-prover serve` co-process: prove(jobs) resolves with one reply per job, in order. */
function proverServer() {
  const proc = spawn(PROVER_BIN, ["serve"], { stdio: ["pipe", "pipe", "inherit"] });
  const waiting = [];
  readline.createInterface({ input: proc.stdout }).on("line", (line) => {
    const w = waiting.shift();
    if (w) w(JSON.parse(line));
  });
  proc.on("exit", (code) => { for (const w of waiting.splice(0)) w({ error: `prover exited (${code})` }); });
  return {
    prove(jobs) {
      const replies = jobs.map(() => new Promise((r) => waiting.push(r)));
      proc.stdin.write(jobs.map((j) => JSON.stringify(j)).join("\n") + "\n");
      return Promise.all(replies);
    },
    stop() { proc.stdin.end(); proc.kill("SIGKILL"); },
  };
}

function prover(...args) {
  return JSON.parse(require("child_process").execFileSync(PROVER_BIN, args.map(String), { encoding: "utf8" }));
}

async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

function errorName(api, d) {
  if (!d.isModule) return d.toString();
  const m = api.registry.findMetaError(d.asModule);
  return `${m.section}.${m.name}`;
}

/**
 * Signs `items` ([{ tx, signer }]) with locally counted nonces, submits them
 * and scans the best chain until all are in; throws when one failed.
 */
async function sendAll(api, items, what) {
  const next = new Map();
  const hashes = [];
  const from = (await bestNumber(api)) + 1;
  for (const { tx, signer } of items) {
    if (!next.has(signer.address)) next.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
    const nonce = next.get(signer.address);
    next.set(signer.address, nonce + 1);
    const signed = await tx.signAsync(signer, { nonce, era: 0 });
    hashes.push((await api.rpc.author.submitExtrinsic(signed)).toHex());
  }
  const want = new Set(hashes);
  const deadline = Date.now() + 120_000;
  for (let n = from; want.size > 0; n++) {
    while ((await bestNumber(api)) < n) {
      if (Date.now() > deadline) throw new Error(`${what}: ${want.size} transactions not included`);
      await sleep(500);
    }
    const hash = await api.rpc.chain.getBlockHash(n);
    const exts = (await api.rpc.chain.getBlock(hash)).block.extrinsics;
    let evs = null;
    for (let i = 0; i < exts.length; i++) {
      if (!want.has(exts[i].hash.toHex())) continue;
      want.delete(exts[i].hash.toHex());
      if (!evs) evs = await (await api.at(hash)).query.system.events();
      const failed = evs.find(({ phase, event }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === i
        && event.section === "system" && event.method === "ExtrinsicFailed");
      if (failed) throw new Error(`${what}: ${errorName(api, failed.event.data[0])}`);
    }
  }
  return from;
}

async function run(nodeName, networkInfo, args) {
  const N = Number((args && args[0]) || 200);
  const PROVERS = Number((args && args[1]) || 32);
  const REQUESTERS = 4;
  const api = await zombie.ApiPromise.create({ provider: new zombie.WsProvider(networkInfo.nodesByName[nodeName].wsUri), noInitWarn: true });
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const dev = {};
  for (const n of ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]) dev[n] = keyring.addFromUri(`//${n}`);
  const requesters = [...Array(REQUESTERS)].map((_, i) => keyring.addFromUri(`//burst//requester//${i}`));
  const provers = [...Array(PROVERS)].map((_, i) => keyring.addFromUri(`//burst//prover//${i}`));
  // Dev accounts registered as provers earlier in the same network (e.g. Ferdie
  // in market-check.js) may win slots too: their assignments are proven as well.
  const proverByAddress = new Map([...Object.values(dev), ...provers].map((p) => [p.address, p]));
  const requesterSet = new Set(requesters.map((r) => r.address));
  let server;
  let unsubBest;
  let unsubFinal;
  try {
    const threshold = (await api.query.verifier.verdictThreshold()).toNumber();
    const verifiers = (await api.query.verifier.verifiers()).length;
    if (threshold < 2) throw new Error(`VerdictThreshold is ${threshold}; the burst checks 2 of 3`);

    // ---- setup: funds, the demo program, the provers.
    await sendAll(api, [
      ...provers.map((p, i) => ({ tx: api.tx.balances.transferKeepAlive(p.address, 200n * ZK), signer: i % 2 ? dev.Dave : dev.Ferdie })),
      ...requesters.map((r, i) => ({ tx: api.tx.balances.transferKeepAlive(r.address, 20_000n * ZK), signer: i % 2 ? dev.Dave : dev.Ferdie })),
    ], "funding");
    const program = prover("program");
    // Each prover registers and declares the demo program (issue 27: the
    // auction deals a bid only to provers that declared its program).
    const setup = provers.flatMap((p) => [
      { tx: api.tx.provers.register(100n * ZK), signer: p },
      { tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: p },
    ]);
    if ((await api.query.verifier.programs(program.programId)).isNone) {
      setup.push({ tx: api.tx.verifier.registerProgram(program.vk), signer: dev.Alice });
    }
    await sendAll(api, setup, "registration");
    log(`${PROVERS} provers registered; verifiers ${verifiers}, threshold ${threshold}`);

    // ---- provers: prove each assignment seen on a new best block, once per
    // (request, prover, deadline) (a short fork may show it twice).
    server = proverServer();
    const xs = requesters.map((_, i) => 3 + i);
    const ys = xs.map((x) => prover("input", x).y);
    const xOfY = new Map(ys.map((y, i) => [y, xs[i]]));
    const nonces = new Map();
    for (const p of proverByAddress.values()) nonces.set(p.address, (await api.rpc.system.accountNextIndex(p.address)).toNumber());
    const proved = new Set();
    let proofsSent = 0;
    let poolErrors = 0;
    // Blocks of new best heads not seen yet (the head and its unseen
    // ancestors, oldest first): no assignment is missed when heads are skipped
    // or a fork becomes best.
    const seenBlocks = new Set();
    const unseen = async (header) => {
      const out = [];
      let h = header;
      while (out.length < 32 && !seenBlocks.has(h.hash.toHex())) {
        out.unshift(h.hash);
        seenBlocks.add(h.hash.toHex());
        if (h.number.toNumber() === 0) break;
        h = await api.rpc.chain.getHeader(h.parentHash);
      }
      return out;
    };
    seenBlocks.add((await api.rpc.chain.getHeader()).hash.toHex());
    const proveBlock = async (hash) => {
      const at = await api.at(hash);
      const evs = await at.query.system.events();
      const jobs = [];
      for (const { event: e } of evs) {
        if (e.section !== "market" || e.method !== "Assigned") continue;
        const who = e.data.prover.toString();
        const key = `${e.data.id}/${who}/${e.data.deadline}`;
        if (!proverByAddress.has(who) || proved.has(key)) continue;
        proved.add(key);
        const req = (await at.query.market.requests(e.data.id)).unwrap();
        const x = xOfY.get(req.inputs[0].toHex());
        if (x === undefined) { log(`request ${e.data.id}: unknown input, not proven`); continue; }
        jobs.push({ x, request: e.data.id.toNumber(), prover: who });
      }
      if (!jobs.length) return;
      const replies = await server.prove(jobs);
      await Promise.all(replies.map(async (r, i) => {
        if (r.error) throw new Error(`prover: ${r.error}`);
        const signer = proverByAddress.get(jobs[i].prover);
        const nonce = nonces.get(signer.address);
        nonces.set(signer.address, nonce + 1);
        const signed = await api.tx.verifier.submitProof(r.request, r.proof).signAsync(signer, { nonce, era: 0 });
        try {
          await api.rpc.author.submitExtrinsic(signed);
          proofsSent++;
        } catch (err) {
          poolErrors++;
          nonces.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
        }
      }));
    };
    let bestChain = Promise.resolve();
    unsubBest = await api.rpc.chain.subscribeNewHeads((header) => {
      bestChain = bestChain.then(async () => {
        for (const hash of await unseen(header)) await proveBlock(hash);
      }).catch((err) => log(`best block ${header.number}: ${err.message}`));
    });

    // ---- the finalized chain: what counts.
    const ours = new Map(); // request id -> { submitted, assigned, settled, proof, verdict }
    const proofs = new Map(); // proof id -> { request, votes: Map(verifier -> valid), verdict }
    const bad = [];
    const settledPerBlock = new Map();
    let finalized = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    let finalChain = Promise.resolve();
    const followFinal = async (upTo) => {
      while (finalized < upTo) {
        const n = finalized + 1;
        const hash = await api.rpc.chain.getBlockHash(n);
        const evs = await (await api.at(hash)).query.system.events();
        for (const { event: e } of evs) {
          const name = `${e.section}.${e.method}`;
          switch (name) {
            case "market.RequestSubmitted":
              if (requesterSet.has(e.data.requester.toString())) ours.set(e.data.id.toNumber(), { submitted: n });
              break;
            case "market.Assigned": {
              const r = ours.get(e.data.id.toNumber());
              if (r && r.assigned === undefined) r.assigned = n;
              break;
            }
            case "verifier.ProofSubmitted": {
              const r = ours.get(e.data.request.toNumber());
              if (r) {
                r.proof = e.data.proof.toNumber();
                proofs.set(r.proof, { request: e.data.request.toNumber(), votes: new Map() });
              }
              break;
            }
            case "verifier.VoteRecorded": {
              const p = proofs.get(e.data.proof.toNumber());
              if (p) p.votes.set(e.data.verifier.toHex(), e.data.valid.isTrue);
              break;
            }
            case "verifier.VerdictReached": {
              const p = proofs.get(e.data.proof.toNumber());
              if (p) p.verdict = e.data.valid.isTrue;
              break;
            }
            case "market.RequestSettled": {
              const r = ours.get(e.data.id.toNumber());
              if (r) {
                r.settled = n;
                settledPerBlock.set(n, (settledPerBlock.get(n) || 0) + 1);
              }
              break;
            }
            case "market.VerificationUndecided": case "verifier.VerificationTimedOut": case "verifier.ConflictingVotes":
            case "market.ProofRejected": case "market.DeadlineMissed":
              bad.push(`${name} at #${n}: ${JSON.stringify(e.data.toJSON())}`);
              break;
            default:
          }
        }
        finalized = n;
      }
    };
    unsubFinal = await api.rpc.chain.subscribeFinalizedHeads((h) => {
      finalChain = finalChain.then(() => followFinal(h.number.toNumber())).catch((err) => log(`finalized: ${err.message}`));
    });

    // ---- the burst: N bids in one go.
    const expiresAt = (await bestNumber(api)) + 300;
    const bids = [...Array(N)].map((_, i) => {
      const idx = i % REQUESTERS;
      const bid = ZK / 100n + BigInt(i) * 10n ** 12n;
      return { tx: api.tx.market.submitRequest(program.programId, [ys[idx]], { Auction: { bid, maxBaseFee: 10n * ZK } }, expiresAt), signer: requesters[idx] };
    });
    const burstBlock = await sendAll(api, bids, "bids");
    log(`${N} bids in from block ${burstBlock}`);

    const deadline = Date.now() + 420_000;
    for (;;) {
      if (bad.length) throw new Error(`unexpected events:\n${bad.slice(0, 10).join("\n")}`);
      const settled = [...ours.values()].filter((r) => r.settled !== undefined).length;
      if (ours.size >= N && settled === ours.size) break;
      if (Date.now() > deadline) throw new Error(`${settled} of ${N} requests settled (finalized #${finalized}); ${proofsSent} proofs sent, ${poolErrors} refused by the pool`);
      await sleep(2000);
    }
    // ---- checks on the finalized chain.
    if (ours.size !== N) throw new Error(`${ours.size} requests submitted, expected ${N}`);
    for (const [id, r] of ours) {
      const p = proofs.get(r.proof);
      if (!p) throw new Error(`request ${id}: no proof recorded`);
      if (p.verdict !== true) throw new Error(`request ${id}: final verdict ${p.verdict}`);
      const valid = [...p.votes.values()].filter((v) => v).length;
      if (valid < threshold) throw new Error(`request ${id}: verdict from ${valid} valid vote(s), threshold ${threshold}`);
      if (valid !== p.votes.size) throw new Error(`request ${id}: an invalid vote`);
    }
    if (bad.length) throw new Error(`unexpected events:\n${bad.slice(0, 10).join("\n")}`);
    const lastSettled = Math.max(...[...ours.values()].map((r) => r.settled));
    const latencies = [...ours.values()].map((r) => r.settled - r.submitted).sort((a, b) => a - b);
    const voters = new Set([...proofs.values()].flatMap((p) => [...p.votes.keys()]));
    log(`all ${N} settled, blocks ${burstBlock}..${lastSettled} (${lastSettled - burstBlock + 1} blocks), at most ${Math.max(...settledPerBlock.values())} a block; `
      + `bid-to-settlement p50 ${latencies[Math.floor(latencies.length / 2)]}, max ${latencies[latencies.length - 1]} blocks; `
      + `${voters.size} distinct verifiers voted; ${proofsSent} proofs sent, ${poolErrors} refused by the pool`);
    return 1;
  } finally {
    if (unsubBest) unsubBest();
    if (unsubFinal) unsubFinal();
    if (server) server.stop();
    await api.disconnect();
  }
}

module.exports = { run };
