// End-to-end throughput of the market on one dev node, loopback: requesters
// keep the auction queue supplied, provers prove every assignment in the next
// block (real Groth16 proofs from one `zkmarket-prover serve` co-process), the
// node's off-chain worker verifies and the chain settles. Reports settled
// proofs per block, bid-to-settlement latency in blocks and everything that
// went wrong (undecided verifications, timeouts, slashes, failed extrinsics).
//
//   node load/throughput.mjs [seconds=300] [provers=64] [requesters=16]
//
// Starts its own `--dev --tmp` node on free loopback ports (THROUGHPUT_NODE_ARGS
// adds node flags). Bounded: setup (funding, registrations) at most 120 s, then
// bids for `seconds`, then the requests in flight are proven and settled
// (drain) until everything is closed or 52 s passed; a hard stop `seconds + 60`
// s after the load started kills the node and reports what was measured.
//
// Environment: THROUGHPUT_QUEUE (queued bids to keep, default
// 2 x MaxAssignmentsPerBlock), THROUGHPUT_WARMUP (blocks left out of the
// steady state at the start of the load, default 10), THROUGHPUT_OUT (also
// write the JSON report to this file).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeFileSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Keyring } from '@polkadot/keyring';
import {
  startNode, devKeys, ZK, prover, sleep, waitForBlock, bestNumber, sendAll, signOffline, PROVER_BIN,
} from '../e2e/lib.mjs';

const SECONDS = Number(process.argv[2] || 300);
const PROVERS = Number(process.argv[3] || 64);
const REQUESTERS = Number(process.argv[4] || 16);
const WARMUP = Number(process.env.THROUGHPUT_WARMUP || 10);
const PROVER_STAKE = 100n * ZK;
const SETUP_SECONDS = 120;
const t0 = Date.now();
// Set when the load starts: the end of the run, whatever happens.
let HARD_STOP = t0 + (SETUP_SECONDS + SECONDS + 60) * 1000;
const log = (...a) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

// ---- the prover co-process -------------------------------------------------

/** One `zkmarket-prover serve` process: prove(jobs) resolves with one reply per job, in order. */
function proverServer() {
  const proc = spawn(PROVER_BIN, ['serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w(JSON.parse(line));
  });
  proc.on('exit', (code) => { for (const w of waiting.splice(0)) w({ error: `prover exited (${code})` }); });
  return {
    proc,
    prove(jobs) {
      const replies = jobs.map(() => new Promise((r) => waiting.push(r)));
      proc.stdin.write(jobs.map((j) => JSON.stringify(j)).join('\n') + '\n');
      return Promise.all(replies);
    },
    stop() { proc.stdin.end(); proc.kill('SIGKILL'); },
  };
}

// ---- statistics helpers ----------------------------------------------------

function quantile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
function dist(values) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return { count: 0, min: null, p50: null, p95: null, max: null, mean: null };
  return {
    count: s.length, min: s[0], p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1],
    mean: Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 100) / 100,
  };
}
const inc = (o, k, by = 1) => { o[k] = (o[k] || 0) + by; };

/** User + system CPU seconds of process `pid` (Linux /proc). */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch (_) {
    return NaN;
  }
}

// ---- the run ---------------------------------------------------------------

const extraArgs = (process.env.THROUGHPUT_NODE_ARGS || '').split(/\s+/).filter(Boolean);
let node;
let server;
let watchdog;
let unsubHeads;
let report;
let partial = null;
// Set when the load, the drain or the hard stop ends the run.
let stopping = false;

// Per request: { requester, x, submitted, assigned (first), assignedLast, assignments, proof, settled, prover }
const reqs = new Map();
const blocks = new Map(); // number -> per-block record
const counts = {
  bidsSent: 0, bidsRefusedByPool: 0, proofsSent: 0, proofsRefusedByPool: 0, proofJobErrors: 0,
  provesLate: 0, extrinsicsFailed: 0, proofRetries: 0,
};
const failedBy = {};
const poolErrors = {};
const events = {
  RequestSubmitted: 0, Assigned: 0, ProofSubmitted: 0, RequestSettled: 0, ProofRejected: 0,
  DeadlineMissed: 0, VerificationUndecided: 0, VerificationTimedOut: 0, Requeued: 0,
  AssignmentDeclined: 0, RequestExpired: 0, BidEvicted: 0, VerdictReached: 0, VoteRecorded: 0,
  ConflictingVotes: 0, Slashed: 0,
};
let apiErrors = 0;
process.on('unhandledRejection', (e) => { apiErrors++; if (apiErrors <= 5) log('unhandled rejection:', e && e.message); });

async function main() {
  node = await startNode({ args: ['--dev', '--tmp', ...extraArgs] });
  const { api } = node;
  watchdog = setTimeout(() => hardStop('hard stop reached'), HARD_STOP - Date.now());
  const k = devKeys();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const requesters = [...Array(REQUESTERS)].map((_, i) => keyring.addFromUri(`//throughput//requester//${i}`));
  const provers = [...Array(PROVERS)].map((_, i) => keyring.addFromUri(`//throughput//prover//${i}`));
  const proverByAddress = new Map(provers.map((p) => [p.address, p]));
  const requesterIndex = new Map(requesters.map((r, i) => [r.address, i]));
  await waitForBlock(api, 1);

  const maxAssignments = api.consts.market.maxAssignmentsPerBlock.toNumber();
  const jobsPerProver = api.consts.provers.maxJobsPerProver.toNumber();
  const maxBaseFee = api.consts.baseFee.maxBaseFee.toBigInt();
  const QUEUE = Number(process.env.THROUGHPUT_QUEUE || 2 * maxAssignments);
  // The runtime's bounds that decide the throughput (null when a constant is absent).
  const num = (pallet, name) => api.consts[pallet]?.[name]?.toNumber?.() ?? null;
  const consts = {
    maxAssignmentsPerBlock: maxAssignments,
    maxJobsPerProver: jobsPerProver,
    maxProvers: num('provers', 'maxProvers'),
    maxVerdictsPerTx: num('verifier', 'maxVerdictsPerTx'),
    maxProofsPerBlock: num('verifier', 'maxProofsPerBlock'),
    verificationTimeout: num('verifier', 'verificationTimeout'),
    proofDeadline: num('market', 'proofDeadline'),
  };
  log('runtime:', JSON.stringify(consts));

  // ---- funding: the dev accounts pay the provers' stakes and share the rest
  // among the requesters (a bid holds bid + max BaseFee until it is cleared).
  const funders = [k.bob, k.charlie, k.dave, k.eve, k.ferdie];
  const spare = [];
  for (const f of funders) spare.push((await api.query.system.account(f.address)).data.free.toBigInt() - 10_000n * ZK);
  const perProver = PROVER_STAKE + 10n * ZK;
  const budget = spare.reduce((a, b) => a + b, 0n) - perProver * BigInt(PROVERS) - BigInt(funders.length + PROVERS + REQUESTERS) * ZK;
  const perRequester = budget / BigInt(REQUESTERS);
  if (perRequester < 10_000n * ZK) throw new Error('not enough dev funds for the requesters');
  const transfers = [
    ...provers.map((p) => ({ to: p.address, amount: perProver })),
    ...requesters.map((r) => ({ to: r.address, amount: perRequester })),
  ];
  // The funders pay in turn; a transfer a funder cannot cover is split.
  const items = [];
  let fi = 0;
  for (const t of transfers) {
    let left = t.amount;
    while (left > 0n) {
      while (fi < funders.length && spare[fi] < ZK) fi++;
      if (fi >= funders.length) throw new Error('funders exhausted');
      const part = left < spare[fi] ? left : spare[fi];
      spare[fi] -= part;
      left -= part;
      items.push({ tx: api.tx.balances.transferKeepAlive(t.to, part), signer: funders[fi] });
    }
  }
  const funded = await sendAll(api, items);
  const badFunding = funded.filter((o) => !o.ok);
  if (badFunding.length) throw new Error(`funding failed: ${badFunding[0].error}`);
  log(`funded ${PROVERS} provers (${perProver / ZK} ZK) and ${REQUESTERS} requesters (${perRequester / ZK} ZK each)`);

  // ---- the demo program and the provers.
  const program = prover('program');
  const setup = [];
  if ((await api.query.verifier.programs(program.programId)).isNone) {
    setup.push({ tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice });
  }
  for (const p of provers) {
    setup.push({ tx: api.tx.provers.register(PROVER_STAKE), signer: p });
    // The auction deals bids only to provers that declared the program.
    setup.push({ tx: api.tx.provers.setCapabilities([program.programId], [], jobsPerProver), signer: p });
  }
  const registered = await sendAll(api, setup);
  const badSetup = registered.filter((o) => !o.ok);
  if (badSetup.length) throw new Error(`setup failed: ${badSetup.length} x ${badSetup[0].error}`);
  log(`registered ${PROVERS} provers (${jobsPerProver} job slots each${setup.length > 2 * PROVERS ? ', and the demo program' : ''}; each declared the program)`);

  // Each requester proves a statement of its own: x = 3 + index.
  const xs = requesters.map((_, i) => 3 + i);
  const ys = xs.map((x) => prover('input', x).y);
  const xOfY = new Map(ys.map((y, i) => [y, xs[i]]));

  server = proverServer();
  // Locally tracked nonces, one signer per prover and requester.
  const nonces = new Map();
  for (const a of [...requesters, ...provers]) nonces.set(a.address, (await api.rpc.system.accountNextIndex(a.address)).toNumber());
  async function submit(tx, signer, kind) {
    const n = nonces.get(signer.address);
    nonces.set(signer.address, n + 1);
    const signed = await signOffline(tx, signer, n);
    try {
      await api.rpc.author.submitExtrinsic(signed);
      return true;
    } catch (e) {
      inc(poolErrors, `${kind}: ${String(e.message || e).slice(0, 80)}`);
      // Resynchronize with the pool's view of the account.
      nonces.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
      return false;
    }
  }

  const rec = (id) => {
    let r = reqs.get(id);
    if (!r) { r = { assignments: 0 }; reqs.set(id, r); }
    return r;
  };

  // ---- per block: record events; provers prove their new assignments;
  // requesters top the queue up.
  let loadStartBlock = null;
  let loadEndBlock = null;
  let bidding = false;
  let bidsIncluded = 0;
  let rr = 0;
  let pendingProofs = 0;
  const retryNext = [];
  let processed = await bestNumber(api);
  const firstBlock = processed + 1;

  async function onBlock(n) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const at = await api.at(hash);
    const [block, evs, queue, baseFee] = await Promise.all([
      api.rpc.chain.getBlock(hash), at.query.system.events(), at.query.market.auctionQueue(), at.query.baseFee.baseFee(),
    ]);
    const b = {
      n, at: Date.now() - t0, extrinsics: block.block.extrinsics.length, bids: 0, proofs: 0, verdictTxs: 0,
      assigned: 0, settled: 0, queue: queue.length, baseFee: baseFee.toBigInt(), pending: 0,
    };
    blocks.set(n, b);
    for (const xt of block.block.extrinsics) {
      const m = `${xt.method.section}.${xt.method.method}`;
      if (m === 'market.submitRequest') b.bids++;
      else if (m === 'verifier.submitProof') b.proofs++;
      else if (m === 'verifier.submitVerdicts') b.verdictTxs++;
    }
    bidsIncluded += b.bids;
    // Assignments to prove now: the new ones and the proofs to send again.
    const mine = retryNext.splice(0);
    for (const { event: e, phase } of evs) {
      const name = e.method;
      if (e.section === 'system' && name === 'ExtrinsicFailed') {
        counts.extrinsicsFailed++;
        const d = e.data[0];
        let why = d.toString();
        if (d.isModule) { const m = api.registry.findMetaError(d.asModule); why = `${m.section}.${m.name}`; }
        const xt = block.block.extrinsics[phase.asApplyExtrinsic.toNumber()];
        inc(failedBy, `${xt.method.section}.${xt.method.method}: ${why}`);
        // A refused proof (e.g. the block's proof bound) goes again in the next block.
        if (xt.method.section === 'verifier' && xt.method.method === 'submitProof') {
          const id = xt.method.args[0].toNumber();
          const r = reqs.get(id);
          if (r && r.settled === undefined && proverByAddress.has(r.prover) && !(r.proof >= r.assignedLast)) {
            counts.proofRetries++;
            mine.push({ id, r });
          }
        }
        continue;
      }
      if (e.section === 'provers' && name === 'Slashed') { events.Slashed++; continue; }
      if (e.section !== 'market' && e.section !== 'verifier') continue;
      if (name in events && !(e.section === 'verifier' && name === 'ProofSubmitted')) events[name]++;
      switch (`${e.section}.${name}`) {
        case 'market.RequestSubmitted': {
          const r = rec(e.data.id.toNumber());
          r.submitted = n;
          r.requester = e.data.requester.toString();
          break;
        }
        case 'market.Assigned': {
          const id = e.data.id.toNumber();
          const r = rec(id);
          r.assignments++;
          if (r.assigned === undefined) r.assigned = n;
          r.assignedLast = n;
          r.prover = e.data.prover.toString();
          b.assigned++;
          if (proverByAddress.has(r.prover)) mine.push({ id, r });
          break;
        }
        case 'market.ProofSubmitted': rec(e.data.id.toNumber()).proof = n; pendingProofs++; break;
        case 'verifier.VerdictReached': case 'verifier.VerificationTimedOut': pendingProofs--; break;
        case 'market.RequestSettled': {
          const r = rec(e.data.id.toNumber());
          r.settled = n;
          r.paid = e.data.paid.toBigInt();
          b.settled++;
          break;
        }
        case 'market.RequestExpired': case 'market.BidEvicted': rec(e.data.id.toNumber()).closed = name; break;
        case 'market.AuctionCleared':
          b.demand = e.data.demand.toNumber();
          b.capacity = e.data.capacity.toNumber();
          b.winners = e.data.winners.toNumber();
          b.clearingBaseFee = e.data.baseFee.toBigInt();
          break;
        default:
      }
    }
    b.pending = pendingProofs;
    if (stopping) return;

    // Provers: a proof for every new assignment, in the next block.
    const proofsDone = (async () => {
      if (!mine.length) return;
      const jobs = [];
      for (const { id, r } of mine) {
        let x = r.requester !== undefined && requesterIndex.has(r.requester) ? xs[requesterIndex.get(r.requester)] : undefined;
        if (x === undefined) {
          // Not one of ours (or not seen): the request's own input.
          const q = (await at.query.market.requests(id)).unwrap();
          x = xOfY.get(q.inputs[0].toHex());
        }
        if (x === undefined) { counts.proofJobErrors++; continue; }
        jobs.push({ x, request: id, prover: r.prover });
      }
      const replies = await server.prove(jobs);
      if ((await bestNumber(api)) > n) counts.provesLate++;
      await Promise.all(replies.map((p) => {
        if (p.error) { counts.proofJobErrors++; return null; }
        counts.proofsSent++;
        const job = jobs.find((j) => j.request === p.request);
        const who = proverByAddress.get(job.prover);
        return submit(api.tx.verifier.submitProof(p.request, p.proof), who, 'submitProof')
          .then((ok) => {
            if (ok) return;
            counts.proofsRefusedByPool++;
            counts.proofRetries++;
            retryNext.push(mine.find((m) => m.id === p.request));
          });
      }));
    })();

    // Requesters: keep QUEUE bids queued (those already in the pool count).
    const bidsDone = (async () => {
      if (!bidding) return;
      const inPool = counts.bidsSent - counts.bidsRefusedByPool - bidsIncluded;
      const want = Math.min(4 * maxAssignments, QUEUE - queue.length - Math.max(0, inPool));
      const sends = [];
      for (let i = 0; i < want; i++) {
        const who = requesters[rr++ % REQUESTERS];
        const idx = requesterIndex.get(who.address);
        // Small distinct bids (ties rank by request id anyway); the max BaseFee
        // is the runtime's bound, so no bid is priced out by a rising BaseFee.
        const bid = ZK / 100n + BigInt((rr * 7919) % 1000) * 10n ** 12n;
        const tx = api.tx.market.submitRequest(program.programId, [ys[idx]], { Auction: { bid, maxBaseFee } }, n + 600);
        counts.bidsSent++;
        sends.push(submit(tx, who, 'submitRequest').then((ok) => { if (!ok) counts.bidsRefusedByPool++; }));
      }
      await Promise.all(sends);
    })();
    await Promise.all([proofsDone, bidsDone]);
  }

  // Blocks are handled one after the other, in order (dev: one author, no forks).
  let chain = Promise.resolve();
  unsubHeads = await api.rpc.chain.subscribeNewHeads((h) => {
    const best = h.number.toNumber();
    chain = chain.then(async () => {
      while (processed < best && !stopping) {
        processed++;
        try {
          await onBlock(processed);
        } catch (e) {
          apiErrors++;
          log(`block ${processed}: ${e.message}`);
        }
      }
    });
  });

  // ---- load
  loadStartBlock = (await bestNumber(api)) + 1;
  const loadStart = Date.now();
  HARD_STOP = loadStart + (SECONDS + 60) * 1000;
  clearTimeout(watchdog);
  watchdog = setTimeout(() => hardStop('hard stop reached'), HARD_STOP - Date.now());
  const cpuLoadStart = cpuSeconds(node.proc.pid);
  const clientCpuStart = process.cpuUsage();
  // What a hard stop reports from (the blocks recorded so far).
  partial = () => buildReport({
    firstBlock, loadStartBlock, loadEndBlock: loadEndBlock ?? processed, endBlock: processed, consts, QUEUE, maxBaseFee,
    nodeCpu: null, clientCpu: null,
  });
  bidding = true;
  log(`load from block ${loadStartBlock} for ${SECONDS} s: ${PROVERS} provers, ${REQUESTERS} requesters, queue target ${QUEUE}`);
  const loadEnd = loadStart + SECONDS * 1000;
  let lastLog = Date.now();
  while (Date.now() < loadEnd && !stopping) {
    await sleep(500);
    if (Date.now() - lastLog >= 30_000) {
      lastLog = Date.now();
      const settled = [...reqs.values()].filter((r) => r.settled !== undefined).length;
      const last = blocks.get(Math.max(...blocks.keys())) || {};
      log(`block ${processed}: ${settled} settled, queue ${last.queue}, BaseFee ${Number(last.baseFee || 0n) / 1e18} ZK`);
    }
  }
  bidding = false;
  loadEndBlock = await bestNumber(api);
  const loadSecs = (Date.now() - loadStart) / 1000;
  const nodeCpu = Math.round(((cpuSeconds(node.proc.pid) - cpuLoadStart) / loadSecs) * 100);
  const c = process.cpuUsage(clientCpuStart);
  const clientCpu = Math.round(((c.user + c.system) / 1e6 / loadSecs) * 100);
  log(`load ended at block ${loadEndBlock}; draining`);

  // ---- drain: prove and settle what is in flight, until all closed or the stop.
  const drainEnd = HARD_STOP - 8_000;
  for (;;) {
    if (stopping) break;
    const open = [...reqs.values()].filter((r) => r.submitted !== undefined && r.settled === undefined && !r.closed).length;
    if (open === 0 || Date.now() > drainEnd) break;
    await sleep(1000);
  }
  const endBlock = processed;
  stopping = true;
  report = buildReport({ firstBlock, loadStartBlock, loadEndBlock, endBlock, consts, QUEUE, maxBaseFee, nodeCpu, clientCpu });
}

function buildReport({ firstBlock, loadStartBlock, loadEndBlock, endBlock, consts, QUEUE, maxBaseFee, nodeCpu, clientCpu }) {
  const ours = [...reqs.values()].filter((r) => r.submitted !== undefined);
  const settled = ours.filter((r) => r.settled !== undefined);
  const steady = [];
  for (let n = loadStartBlock + WARMUP; n <= loadEndBlock; n++) if (blocks.has(n)) steady.push(blocks.get(n).settled);
  const mean = steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : 0;
  const inLoad = [...blocks.values()].filter((b) => b.n >= loadStartBlock && b.n <= loadEndBlock);
  const blockSecs = inLoad.length > 1 ? (inLoad[inLoad.length - 1].at - inLoad[0].at) / 1000 / (inLoad.length - 1) : null;
  const fees = [...blocks.values()].map((b) => b.baseFee);
  const zk = (v) => Number(v) / 1e18;
  const unsettled = ours.filter((r) => r.settled === undefined);
  const state = (r) => (r.closed ? r.closed : r.proof !== undefined && r.proof >= (r.assignedLast ?? 0) ? 'proofPending'
    : r.assigned !== undefined ? 'assigned' : 'queued');
  const unsettledBy = {};
  for (const r of unsettled) inc(unsettledBy, state(r));
  return {
    date: new Date().toISOString(),
    seconds: SECONDS,
    provers: PROVERS,
    requesters: REQUESTERS,
    queueTarget: QUEUE,
    warmupBlocks: WARMUP,
    nodeArgs: extraArgs,
    runtime: consts,
    // CPU time of the node during the load, in % of one core (the machine's cores: os.cpus()).
    nodeCpuPercent: nodeCpu,
    // This script (signing, RPC, event decoding; the prover co-process not included).
    clientCpuPercent: clientCpu,
    cores: cpus().length,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    blocks: { first: firstBlock, loadStart: loadStartBlock, loadEnd: loadEndBlock, end: endBlock, meanBlockSeconds: blockSecs && Math.round(blockSecs * 100) / 100 },
    settledPerBlock: {
      steadyStateBlocks: steady.length,
      mean: Math.round(mean * 100) / 100,
      min: steady.length ? Math.min(...steady) : null,
      max: steady.length ? Math.max(...steady) : null,
      perSecond: blockSecs ? Math.round((mean / blockSecs) * 100) / 100 : null,
    },
    assignedPerBlockSteady: dist([...blocks.values()].filter((b) => b.n >= loadStartBlock + WARMUP && b.n <= loadEndBlock).map((b) => b.assigned)),
    proofsIncludedPerBlockSteady: dist([...blocks.values()].filter((b) => b.n >= loadStartBlock + WARMUP && b.n <= loadEndBlock).map((b) => b.proofs)),
    requests: {
      submitted: ours.length,
      settled: settled.length,
      unsettledAtEnd: unsettled.length,
      unsettledBy,
      reassigned: ours.filter((r) => r.assignments > 1).length,
    },
    latencyBlocks: {
      bidToSettlement: dist(settled.map((r) => r.settled - r.submitted)),
      bidToAssignment: dist(ours.filter((r) => r.assigned !== undefined).map((r) => r.assigned - r.submitted)),
      assignmentToProof: dist(ours.filter((r) => r.proof !== undefined).map((r) => r.proof - r.assignedLast)),
      proofToSettlement: dist(settled.map((r) => r.settled - r.proof)),
    },
    problems: {
      verificationUndecided: events.VerificationUndecided,
      verificationTimedOut: events.VerificationTimedOut,
      slashes: events.Slashed,
      deadlineMissed: events.DeadlineMissed,
      proofRejected: events.ProofRejected,
      conflictingVotes: events.ConflictingVotes,
      failedExtrinsics: counts.extrinsicsFailed,
      failedBy,
      refusedByPool: counts.bidsRefusedByPool + counts.proofsRefusedByPool,
      poolErrors,
      proofJobErrors: counts.proofJobErrors,
      proofBatchesLate: counts.provesLate,
      proofRetries: counts.proofRetries,
      apiErrors,
    },
    sent: { bids: counts.bidsSent, proofs: counts.proofsSent },
    // What the requesters paid the provers (GSP prices: next bid + BaseFee).
    paidZK: Math.round(zk(settled.reduce((a, r) => a + (r.paid || 0n), 0n))),
    events,
    baseFeeZK: { start: zk(fees[0] ?? 0n), max: zk(fees.reduce((a, b) => (b > a ? b : a), 0n)), end: zk(fees[fees.length - 1] ?? 0n), bidMaxBaseFee: zk(maxBaseFee) },
    // Proofs submitted and not yet decided (verdict or timeout), after each block.
    pendingProofsSteady: dist([...blocks.values()].filter((b) => b.n >= loadStartBlock + WARMUP && b.n <= loadEndBlock).map((b) => b.pending)),
    // [block, bids, assigned, proofs, verdict txs, settled, queued bids, proofs pending verification]
    // for every block from the load's start
    perBlockColumns: ['block', 'bids', 'assigned', 'proofs', 'verdictTxs', 'settled', 'queued', 'pending'],
    perBlock: [...blocks.values()].filter((b) => b.n >= loadStartBlock)
      .map((b) => [b.n, b.bids, b.assigned, b.proofs, b.verdictTxs, b.settled, b.queue, b.pending]),
  };
}

function summary(r) {
  const L = r.latencyBlocks.bidToSettlement;
  const p = r.problems;
  return [
    `End-to-end throughput: ${r.seconds} s of load, ${r.provers} provers x ${r.runtime.maxJobsPerProver} slots, ${r.requesters} requesters, queue target ${r.queueTarget}`,
    `  blocks ${r.blocks.loadStart}..${r.blocks.loadEnd} under load (mean block time ${r.blocks.meanBlockSeconds} s), drained to ${r.blocks.end}`,
    `  settled proofs per block (steady state, ${r.settledPerBlock.steadyStateBlocks} blocks after ${r.warmupBlocks} warm-up): mean ${r.settledPerBlock.mean}, min ${r.settledPerBlock.min}, max ${r.settledPerBlock.max} (${r.settledPerBlock.perSecond}/s)`,
    `  assigned per block (steady): mean ${r.assignedPerBlockSteady.mean}, min ${r.assignedPerBlockSteady.min}; proofs included per block: mean ${r.proofsIncludedPerBlockSteady.mean}`,
    `  requests: ${r.requests.submitted} submitted, ${r.requests.settled} settled, ${r.requests.unsettledAtEnd} unsettled at the end ${JSON.stringify(r.requests.unsettledBy)}, ${r.requests.reassigned} assigned more than once`,
    `  bid-to-settlement latency (blocks): p50 ${L.p50}, p95 ${L.p95}, max ${L.max} (bid->assigned p50 ${r.latencyBlocks.bidToAssignment.p50}, assigned->proof p50 ${r.latencyBlocks.assignmentToProof.p50}, proof->settled p50 ${r.latencyBlocks.proofToSettlement.p50}, p95 ${r.latencyBlocks.proofToSettlement.p95})`,
    `  VerificationUndecided ${p.verificationUndecided}, VerificationTimedOut ${p.verificationTimedOut}, slashes ${p.slashes} (DeadlineMissed ${p.deadlineMissed}, ProofRejected ${p.proofRejected}), failed extrinsics ${p.failedExtrinsics} ${JSON.stringify(p.failedBy)}, refused by the pool ${p.refusedByPool}, late proof batches ${p.proofBatchesLate}, proofs sent again ${p.proofRetries}`,
    `  proofs pending verification (steady): mean ${r.pendingProofsSteady.mean}, max ${r.pendingProofsSteady.max}; node CPU ${r.nodeCpuPercent}%, this script ${r.clientCpuPercent}% of one core (${r.cores} cores, load average ${r.loadAverage.join(' ')})`,
    `  BaseFee ${r.baseFeeZK.start} -> max ${r.baseFeeZK.max} -> ${r.baseFeeZK.end} ZK (bids' max BaseFee ${r.baseFeeZK.bidMaxBaseFee} ZK); paid to provers ${r.paidZK} ZK`,
  ].join('\n');
}

async function finish(code) {
  clearTimeout(watchdog);
  stopping = true;
  try { if (unsubHeads) unsubHeads(); } catch (_) { /* closing */ }
  if (server) server.stop();
  if (report) {
    const json = JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
    if (process.env.THROUGHPUT_OUT) writeFileSync(process.env.THROUGHPUT_OUT, json + '\n');
    console.log(json);
    console.log(summary(report));
    if (report.hardStop) console.log(`  stopped early: ${report.hardStop}`);
  }
  if (node) {
    const t = setTimeout(() => node.proc.kill('SIGKILL'), 10_000);
    await node.stop().catch(() => node.proc.kill('SIGKILL'));
    clearTimeout(t);
  }
  process.exit(code);
}

function hardStop(why) {
  log(why);
  stopping = true;
  if (!report && partial) {
    try { report = { ...partial(), hardStop: why }; } catch (e) { log(`no report: ${e.message}`); }
  }
  if (node) node.proc.kill('SIGKILL');
  finish(1);
}

try {
  await main();
  await finish(0);
} catch (e) {
  log(`error: ${e.stack || e}`);
  if (node) log(node.logs().slice(-2000));
  await finish(1);
}
