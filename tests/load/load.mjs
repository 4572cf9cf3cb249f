// Load generator: submits balance transfers and auction bids to a dev node as
// fast as it accepts them, in the same run, and reports accepted and included
// transactions per second for each, plus the node's RSS, the market's storage
// keys and the pool's size over time.
//
//   node load/load.mjs [seconds=60] [senders-per-kind=4]
//
// Starts its own `--dev --tmp` node on free loopback ports; LOAD_NODE_ARGS adds
// node flags (e.g. LOAD_NODE_ARGS="--pool-limit 4096" to compare pool settings).
// Bounded: at most `seconds` of load and 256 transactions in flight per sender.
import { readFileSync } from 'node:fs';
import { startNode, devKeys, send, ZK, prover, sleep, waitForBlock } from '../e2e/lib.mjs';
import { Keyring } from '@polkadot/keyring';

const SECONDS = Number(process.argv[2] || 60);
const SENDERS = Number(process.argv[3] || 4);
const IN_FLIGHT = 256;

// Resident memory of the node in MiB: total, anonymous (heap: pool, caches,
// runtime instances) and file-backed (the database's memory-mapped files).
function rss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((status.match(new RegExp(`${name}:\\s+(\\d+) kB`)) || [])[1]) / 1024;
    return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch (_) {
    return { total: NaN, anon: NaN, file: NaN };
  }
}

// Default pruning, as a production node runs: blocks are counted while their
// state is still kept (the counter follows the best chain as it grows).
const extraArgs = (process.env.LOAD_NODE_ARGS || '').split(/\s+/).filter(Boolean);
const node = await startNode({ args: ['--dev', '--tmp', ...extraArgs] });
const { api } = node;
const k = devKeys();
const keyring = new Keyring({ type: 'sr25519' });
const transferers = [...Array(SENDERS)].map((_, i) => keyring.addFromUri(`//load//transfer//${i}`));
const bidders = [...Array(SENDERS)].map((_, i) => keyring.addFromUri(`//load//bid//${i}`));
await waitForBlock(api, 1);

// Fund the senders and register the demo program.
let nonce = (await api.rpc.system.accountNextIndex(k.alice.address)).toNumber();
await Promise.all([...transferers, ...bidders].map((a) =>
  send(api, api.tx.balances.transferKeepAlive(a.address, 10_000n * ZK), k.alice, { nonce: nonce++ })));
const program = prover('program');
await send(api, api.tx.verifier.registerProgram(program.vk), k.bob);
const y = prover('input', 3).y;

// accepted: the pool took it; included: in a block (any outcome);
// succeeded: included and dispatched without error.
const stats = {
  transfer: { accepted: 0, rejected: 0, included: 0, succeeded: 0 },
  bid: { accepted: 0, rejected: 0, included: 0, succeeded: 0 },
};
const bidErrors = {};
const startBlock = (await api.rpc.chain.getHeader()).number.toNumber();
let best = startBlock;
let counted = startBlock;
let uncounted = 0;
// With a short `--state-pruning` the API's own lookups of a pruned block
// reject outside our calls; they are counted and reported, not fatal.
let apiErrors = 0;
process.on('unhandledRejection', () => { apiErrors++; });

// Counts the load's extrinsics of block `n` and their outcomes.
async function countBlock(n) {
  const hash = await api.rpc.chain.getBlockHash(n);
  const [block, events] = await Promise.all([api.rpc.chain.getBlock(hash), (await api.at(hash)).query.system.events()]);
  block.block.extrinsics.forEach((xt, i) => {
    const m = `${xt.method.section}.${xt.method.method}`;
    const kind = m === 'balances.transferKeepAlive' ? 'transfer' : m === 'market.submitRequest' ? 'bid' : null;
    if (!kind) return;
    stats[kind].included++;
    const mine = events.filter((r) => r.phase.isApplyExtrinsic && r.phase.asApplyExtrinsic.toNumber() === i);
    if (mine.some((r) => r.event.section === 'system' && r.event.method === 'ExtrinsicSuccess')) {
      stats[kind].succeeded++;
    } else if (kind === 'bid') {
      const f = mine.find((r) => r.event.section === 'system' && r.event.method === 'ExtrinsicFailed');
      const err = f && f.event.data[0];
      const name = err && err.isModule ? (() => { const d = api.registry.findMetaError(err.asModule); return `${d.section}.${d.name}`; })() : String(err);
      bidErrors[name] = (bidErrors[name] || 0) + 1;
    }
  });
}

// Follows the chain two blocks behind the best block (dev blocks are final at once).
let counter = Promise.resolve();
async function catchUp(upTo) {
  while (counted < upTo) {
    counted++;
    // A block whose state the node already pruned (the counter fell more than
    // the pruning window behind) is reported, not fatal.
    await countBlock(counted).catch(() => { uncounted++; });
  }
}
const unsubHeads = await api.rpc.chain.subscribeNewHeads((h) => {
  best = h.number.toNumber();
  counter = counter.then(() => catchUp(best - 2));
});

async function pump(kind, who, makeTx) {
  let n = (await api.rpc.system.accountNextIndex(who.address)).toNumber();
  const inflight = new Set();
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    if (inflight.size >= IN_FLIGHT) { await Promise.race(inflight); continue; }
    // Let timers (the RSS sampler, head updates) run between bursts.
    if (n % 64 === 0) await new Promise((r) => setImmediate(r));
    const tx = makeTx(n);
    const signed = await tx.signAsync(who, { nonce: n, era: 0 });
    n++;
    const p = api.rpc.author.submitExtrinsic(signed)
      .then(() => { stats[kind].accepted++; })
      .catch(() => { stats[kind].rejected++; })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.allSettled([...inflight]);
}

// Number of storage keys under a prefix (paged), at the best block.
async function countKeys(prefix) {
  let count = 0;
  let start;
  for (;;) {
    const keys = await api.rpc.state.getKeysPaged(prefix, 1000, start);
    count += keys.length;
    if (keys.length < 1000) return count;
    start = keys[keys.length - 1];
  }
}
// What the market pallet stores and what the pool holds, once a minute: if
// either grew without bound under bid spam, memory would follow it.
const marketPrefix = api.query.market.requests.keyPrefix().slice(0, 34);
const stateSamples = [];
async function sampleState() {
  const [marketKeys, pool] = await Promise.all([countKeys(marketPrefix), api.rpc.author.pendingExtrinsics()]);
  stateSamples.push([Math.round((Date.now() - t0) / 1000), marketKeys, pool.length]);
}

const rssSamples = [];
const t0 = Date.now();
const sampler = setInterval(() => rssSamples.push([Math.round((Date.now() - t0) / 1000), rss(node.proc.pid)]), 5000);
rssSamples.push([0, rss(node.proc.pid)]);
await sampleState();
const stateSampler = setInterval(() => { sampleState().catch(() => {}); }, 60_000);
// LOAD_ONLY=transfer|bid runs one kind alone (to attribute memory or throughput).
const only = process.env.LOAD_ONLY;
await Promise.all([
  ...transferers.filter(() => only !== 'bid').map((who, i) => pump('transfer', who, () =>
    api.tx.balances.transferKeepAlive(k.ferdie.address, ZK / 1000n + BigInt(i)))),
  ...bidders.filter(() => only !== 'transfer').map((who) => pump('bid', who, () =>
    api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: ZK / 100n, maxBaseFee: ZK / 100n } }, best + 10))),
]);
const loadSeconds = (Date.now() - t0) / 1000;
// Let the pool drain for a few blocks (LOAD_IDLE seconds, default 8) while
// the sampler keeps recording memory, then count what was included.
await sleep(Number(process.env.LOAD_IDLE || 8) * 1000);
clearInterval(sampler);
clearInterval(stateSampler);
await sampleState();
unsubHeads();
const endBlock = (await api.rpc.chain.getHeader()).number.toNumber();
await counter;
await catchUp(endBlock);
await node.stop();

const rate = (x) => Math.round((x / loadSeconds) * 10) / 10;
const out = {
  seconds: Math.round(loadSeconds),
  sendersPerKind: SENDERS,
  nodeArgs: extraArgs,
  blocks: endBlock - startBlock,
  blocksNotCounted: uncounted,
  apiErrors,
  transfers: { ...stats.transfer, acceptedPerSec: rate(stats.transfer.accepted), includedPerSec: rate(stats.transfer.included) },
  bids: { ...stats.bid, acceptedPerSec: rate(stats.bid.accepted), includedPerSec: rate(stats.bid.included), failedBecause: bidErrors },
  bidToTransferIncluded: Math.round((stats.bid.included / Math.max(1, stats.transfer.included)) * 100) / 100,
  // [seconds, storage keys of the market pallet, extrinsics in the pool]
  marketKeysAndPool: stateSamples,
  // [seconds, total, anonymous, file-backed] MiB
  rssMiB: rssSamples.map(([t, m]) => [t, Math.round(m.total), Math.round(m.anon), Math.round(m.file)]),
};
console.log(JSON.stringify(out, null, 2));
