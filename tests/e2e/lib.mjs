// Helpers of the end-to-end tests: start the real node on free ports, connect
// @polkadot/api, send transactions and wait for their outcome.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

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
    p.on('exit', (code, signal) => {
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
export async function startNode({ args = ['--dev', '--tmp'], timeoutMs = 60_000 } = {}) {
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
