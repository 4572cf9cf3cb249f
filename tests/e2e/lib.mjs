// Helpers of the end-to-end tests: start the real node on free ports, connect
// @polkadot/api, send transactions and wait for their outcome.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { withBlockTime } from '../fast-spec.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR || '/var/tmp/zkmarket-target';
export const NODE_BIN = process.env.NODE_BIN || join(TARGET, 'release', 'zkmarket-node');
export const PROVER_BIN = process.env.PROVER_BIN || join(TARGET, 'release', 'zkmarket-prover');
export const ZK = 10n ** 18n;

if (!existsSync(NODE_BIN)) throw new Error(`node binary not found at ${NODE_BIN}; run scripts/build.sh`);

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Block time of the dev nodes the tests start, in ms: `ZKMARKET_TEST_BLOCK_MS`,
 * else 1,000, the shortest the runtime allows (the dev preset's own is 2,000).
 * The tests count deadlines, rounds and idle periods in blocks, so shorter
 * blocks check the same behaviour sooner; a dev node on 2 cores keeps 1 s
 * blocks with several test files running side by side (docs/build-and-test.md).
 * Any value but 2,000 runs `--dev` on a copy of the dev spec with that genesis
 * block time (tests/fast-spec.mjs), written once per run by tests/run-suites.mjs
 * (`ZKMARKET_TEST_SPEC`) or once per test process.
 */
export const TEST_BLOCK_MS = Number(process.env.ZKMARKET_TEST_BLOCK_MS || 1000);

/**
 * Writes the dev chain's raw spec with TEST_BLOCK_MS blocks into a new temp dir
 * (removed when this process exits) and returns its path. tests/run-suites.mjs
 * writes it once and hands it to every file (`ZKMARKET_TEST_SPEC`).
 */
export function writeDevSpec() {
  let raw;
  for (let attempt = 1; ; attempt++) {
    try {
      raw = execFileSync(NODE_BIN, ['build-spec', '--chain', 'dev', '--raw'], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
      break;
    } catch (e) {
      if (attempt === 3) throw new Error(`${NODE_BIN} build-spec --chain dev --raw failed (${e.status ?? e.signal}): ${e.stderr}`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'zkmarket-spec-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, `dev-${TEST_BLOCK_MS}ms.json`);
  writeFileSync(path, JSON.stringify(withBlockTime(JSON.parse(raw), TEST_BLOCK_MS)));
  return path;
}

let devSpecPath = process.env.ZKMARKET_TEST_SPEC && existsSync(process.env.ZKMARKET_TEST_SPEC) ? process.env.ZKMARKET_TEST_SPEC : null;
/** `--dev` args of a test node: the dev chain, with TEST_BLOCK_MS blocks. */
function devArgs() {
  if (TEST_BLOCK_MS === 2000) return ['--dev', '--tmp'];
  devSpecPath ??= writeDevSpec();
  return ['--dev', '--tmp', '--chain', devSpecPath];
}

// Nodes started by this process; killed if the test process exits early.
const children = new Set();
process.on('exit', () => { for (const p of children) p.kill('SIGKILL'); });

/** Runs the node binary to completion (for subcommands and CLI errors). */
export function runNode(args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(NODE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs || 60_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Starts a node (default: `--dev --tmp`) on free ports and connects an API.
 * Returns { api, proc, logs(), stop() } where stop() sends SIGINT and resolves
 * with the exit code.
 */
export async function startNode({ args = devArgs(), timeoutMs = 60_000 } = {}) {
  await cryptoWaitReady();
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const full = [
    ...args,
    '--rpc-port', String(rpcPort),
    '--port', String(p2pPort),
    '--no-prometheus',
    '--no-telemetry',
    '--no-mdns',
    '--rpc-cors', 'all',
  ];
  const proc = spawn(NODE_BIN, full, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  let log = '';
  const keep = (d) => {
    log += d;
    if (log.length > 2_000_000) log = log.slice(-1_000_000);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let exited = null;
  const exitPromise = new Promise((r) => proc.on('exit', (code, signal) => { exited = { code, signal }; r(exited); }));
  const url = `ws://127.0.0.1:${rpcPort}`;
  const deadline = Date.now() + timeoutMs;
  let api;
  let provider;
  while (!api) {
    if (exited) throw new Error(`node exited early (${JSON.stringify(exited)}):\n${log.slice(-4000)}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`node RPC not ready at ${url}:\n${log.slice(-4000)}`);
    }
    try {
      provider = new WsProvider(url, false);
      await provider.connect();
      await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('connect timeout')), 2000);
        provider.on('connected', () => { clearTimeout(t); resolve(); });
        provider.on('error', () => { clearTimeout(t); reject(new Error('ws error')); });
      });
      api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
    } catch (_) {
      await sleep(500);
    }
  }
  const stop = async () => {
    try { await api.disconnect(); } catch (_) { /* already gone */ }
    if (!exited) proc.kill('SIGINT');
    const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    const r = await exitPromise;
    clearTimeout(t);
    return r;
  };
  return { api, provider, proc, url, rpcPort, p2pPort, logs: () => log, stop };
}

/** Keyring with the well-known dev accounts. */
export function devKeys() {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const k = {};
  for (const n of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) k[n.toLowerCase()] = keyring.addFromUri(`//${n}`);
  return k;
}

/** Waits until the chain's best (or finalized) block number reaches `n`. */
export async function waitForBlock(api, n, { finalized = false, timeoutMs = 120_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hash = finalized ? await api.rpc.chain.getFinalizedHead() : await api.rpc.chain.getBlockHash();
    const header = await api.rpc.chain.getHeader(hash);
    const num = header.number.toNumber();
    if (num >= n) return num;
    if (Date.now() > deadline) throw new Error(`block ${n} not reached (at ${num}, finalized=${finalized})`);
    await sleep(300);
  }
}

export async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

/**
 * Signs and sends `tx`; resolves when it is in a block with
 * { blockHash, events, fee } or rejects with the dispatch error's
 * `section.Name` (e.g. `provers.StakeBelowMinimum`).
 */
export function send(api, tx, signer, { nonce } = {}) {
  return new Promise((resolve, reject) => {
    let unsub;
    const opts = nonce === undefined ? {} : { nonce };
    tx.signAndSend(signer, opts, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInBlock) {
        if (unsub) unsub();
        if (dispatchError) {
          if (dispatchError.isModule) {
            const d = api.registry.findMetaError(dispatchError.asModule);
            reject(new Error(`${d.section}.${d.name}`));
          } else {
            reject(new Error(dispatchError.toString()));
          }
          return;
        }
        let fee = 0n;
        for (const { event } of events) {
          if (event.section === 'transactionPayment' && event.method === 'TransactionFeePaid') {
            fee += event.data[1].toBigInt();
          }
        }
        resolve({ blockHash: status.asInBlock.toHex(), events, fee });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        if (unsub) unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

/** Events of the block `hash` (from System.Events at that block). */
export async function blockEvents(api, hash) {
  const at = await api.at(hash);
  return (await at.query.system.events()).map((r) => r.event);
}

/** Runs the demo prover CLI and parses its JSON. */
export function prover(...args) {
  return JSON.parse(execFileSync(PROVER_BIN, args.map(String), { encoding: 'utf8' }));
}

/** Collects events from new best blocks until `pred(event, blockHash)` holds. */
export async function waitForEvent(api, pred, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    let unsub;
    const timer = setTimeout(() => { if (unsub) unsub(); reject(new Error('event not seen in time')); }, timeoutMs);
    api.rpc.chain.subscribeNewHeads(async (header) => {
      try {
        const events = await blockEvents(api, header.hash);
        for (const e of events) {
          if (pred(e, header.hash.toHex())) {
            clearTimeout(timer);
            if (unsub) unsub();
            resolve({ event: e, blockHash: header.hash.toHex(), number: header.number.toNumber() });
            return;
          }
        }
      } catch (_) { /* block pruned or api closing */ }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

export function tmpDir(prefix = 'zkmarket-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// ---- Helpers for many transactions at once (tests/attacks) -----------------

/** An sr25519 key pair from a secret URI, e.g. `//Junk1`. */
export function keyFromUri(uri) {
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(uri);
}

/** JSON-RPC call on the node's provider (e.g. `market_prover`). */
export function rpc(node, method, params = []) {
  return node.provider.send(method, params);
}

/**
 * Signs `tx` without any RPC round trip: explicit nonce, immortal era.
 * Returns the signed extrinsic (ready for `author_submitExtrinsic`).
 */
export function signOffline(tx, signer, nonce, { tip } = {}) {
  return tx.signAsync(signer, tip === undefined ? { nonce, era: 0 } : { nonce, era: 0, tip });
}

/**
 * Submits signed extrinsics to the pool one after the other (each awaited until
 * the pool accepted it, not until inclusion) and returns their hashes. Throws
 * with the pool's error when one is refused.
 */
export async function submitSigned(api, extrinsics) {
  const hashes = [];
  for (const ext of extrinsics) hashes.push((await api.rpc.author.submitExtrinsic(ext)).toHex());
  return hashes;
}

/** The outcome of one extrinsic of block `hash`, from its events. */
export function outcomeOf(api, events, index, blockHash, blockNumber) {
  const own = events.filter(({ phase }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index)
    .map((r) => r.event);
  let ok = false;
  let error = null;
  let fee = 0n;
  for (const e of own) {
    if (e.section === 'system' && e.method === 'ExtrinsicSuccess') ok = true;
    if (e.section === 'system' && e.method === 'ExtrinsicFailed') {
      const d = e.data[0];
      if (d.isModule) {
        const m = api.registry.findMetaError(d.asModule);
        error = `${m.section}.${m.name}`;
      } else {
        error = d.toString();
      }
    }
    if (e.section === 'transactionPayment' && e.method === 'TransactionFeePaid') fee += e.data[1].toBigInt();
  }
  return { ok, error, fee, events: own, blockHash, blockNumber };
}

/**
 * Waits until every extrinsic of `hashes` is in a block of the best chain,
 * scanning every block from `fromBlock` on; resolves with their outcomes
 * `{ ok, error, fee, events, blockHash, blockNumber }` in the order of `hashes`.
 */
export async function txOutcomes(api, hashes, { fromBlock, timeoutMs = 180_000 } = {}) {
  const want = new Map(hashes.map((h, i) => [h, i]));
  const out = new Array(hashes.length);
  let left = hashes.length;
  let n = fromBlock ?? (await bestNumber(api));
  const deadline = Date.now() + timeoutMs;
  while (left > 0) {
    if (Date.now() > deadline) throw new Error(`${left} of ${hashes.length} transactions not included (scanned to block ${n - 1})`);
    if ((await bestNumber(api)) < n) {
      await sleep(250);
      continue;
    }
    const blockHash = await api.rpc.chain.getBlockHash(n);
    const block = await api.rpc.chain.getBlock(blockHash);
    const exts = block.block.extrinsics;
    let events = null;
    for (let i = 0; i < exts.length; i++) {
      const idx = want.get(exts[i].hash.toHex());
      if (idx === undefined || out[idx]) continue;
      if (!events) events = await (await api.at(blockHash)).query.system.events();
      out[idx] = outcomeOf(api, events, i, blockHash.toHex(), n);
      left -= 1;
    }
    n += 1;
  }
  return out;
}

/**
 * Signs `items` ([{ tx, signer, nonce?, tip? }], nonces counted per signer from its
 * next index when omitted), waits for a fresh block so that they can all land in
 * the next one, submits them and resolves with their outcomes (see txOutcomes).
 */
export async function sendAll(api, items, { freshBlock = true, timeoutMs } = {}) {
  const next = new Map();
  const signed = [];
  for (const { tx, signer, nonce, tip } of items) {
    let n = nonce;
    if (n === undefined) {
      if (!next.has(signer.address)) next.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
      n = next.get(signer.address);
      next.set(signer.address, n + 1);
    }
    signed.push(await signOffline(tx, signer, n, { tip }));
  }
  const start = await bestNumber(api);
  if (freshBlock) await waitForBlock(api, start + 1);
  const from = await bestNumber(api);
  const hashes = await submitSigned(api, signed);
  return txOutcomes(api, hashes, { fromBlock: from + 1, timeoutMs });
}

/** Like `send`, but resolves with the outcome (see txOutcomes) also when the call fails. */
export async function trySend(api, tx, signer, opts = {}) {
  const [o] = await sendAll(api, [{ tx, signer, nonce: opts.nonce }], { freshBlock: false });
  return o;
}

/** Free balance of `who` (at block `at` when given). */
export async function freeOf(api, who, at) {
  const q = at ? await api.at(at) : api;
  return (await q.query.system.account(who)).data.free.toBigInt();
}

/** Amount held from `who` for `reason`, e.g. `{ provers: 'Stake' }` (at block `at` when given). */
export async function holdOf(api, who, reason, at) {
  const q = at ? await api.at(at) : api;
  const want = JSON.stringify(reason);
  let sum = 0n;
  for (const h of await q.query.balances.holds(who)) {
    if (JSON.stringify(h.id.toJSON()) === want) sum += h.amount.toBigInt();
  }
  return sum;
}

/** The chain's time (pallet-timestamp) in UNIX seconds, at the best block or `at`. */
export async function chainSecs(api, at) {
  const q = at ? await api.at(at) : api;
  return Number((await q.query.timestamp.now()).toBigInt() / 1000n);
}

/** Waits until the chain's time at the best block is at least `secs` (UNIX seconds). */
export async function waitForChainSecs(api, secs, { timeoutMs = 120_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  while ((await chainSecs(api)) < secs) {
    if (Date.now() > deadline) throw new Error(`chain time ${secs} not reached in ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** The treasury account: PalletId `zk/trsry` into an account (`modl` + id, zero padded). */
export function treasuryAddress(api) {
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode('modlzk/trsry'));
  return api.createType('AccountId', bytes).toString();
}

/** Events `section.method` of a list of events (or `{ event }` records). */
export function eventsNamed(events, section, method) {
  return events.map((e) => e.event || e).filter((e) => e.section === section && e.method === method);
}

/** The number of the block `hash`. */
export async function numberOf(api, hash) {
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

/**
 * Outcomes (see txOutcomes) of those of `hashes` that are in blocks `from..to`
 * of the best chain, as a Map from hash to outcome.
 */
export async function outcomesIn(api, hashes, from, to) {
  const want = new Set(hashes);
  const found = new Map();
  for (let n = from; n <= to; n++) {
    const blockHash = await api.rpc.chain.getBlockHash(n);
    const exts = (await api.rpc.chain.getBlock(blockHash)).block.extrinsics;
    let events = null;
    for (let i = 0; i < exts.length; i++) {
      const h = exts[i].hash.toHex();
      if (!want.has(h)) continue;
      if (!events) events = await (await api.at(blockHash)).query.system.events();
      found.set(h, outcomeOf(api, events, i, blockHash.toHex(), n));
    }
  }
  return found;
}
