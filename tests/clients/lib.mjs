// Helpers of the client tests (issue 17): run the requester CLI `zkmarket`
// and prover agents (`zkmarket-prover run`) as child processes next to a node
// started with tests/e2e/lib.mjs.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, createWriteStream, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVER_BIN, sleep } from '../e2e/lib.mjs';

export * from '../e2e/lib.mjs';

const TARGET = process.env.CARGO_TARGET_DIR || '/var/tmp/zkmarket-target';
/** The requester CLI. */
export const ZKMARKET_BIN = process.env.ZKMARKET_BIN || join(TARGET, 'release', 'zkmarket');
/** The test's command backend (tests/clients/backend.mjs). */
export const BACKEND = join(dirname(fileURLToPath(import.meta.url)), 'backend.mjs');

for (const [name, bin] of [['ZKMARKET_BIN', ZKMARKET_BIN], ['PROVER_BIN', PROVER_BIN]]) {
  if (!existsSync(bin)) throw new Error(`${name}: ${bin} not found; run scripts/build.sh (or set ${name})`);
}

// Processes started here; killed if the test process exits early.
const children = new Set();
process.on('exit', () => { for (const p of children) { try { p.kill('SIGKILL'); } catch (_) { /* gone */ } } });

/**
 * Runs `zkmarket ...args` to completion: { code, signal, stdout, stderr, secs }.
 * `url` and `suri` become --url/--suri.
 */
export function cli(args, { url, suri, timeoutMs = 120_000 } = {}) {
  const full = [...(url ? ['--url', url] : []), ...(suri ? ['--suri', suri] : []), ...args.map(String)];
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(ZKMARKET_BIN, full, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => { // 'close': after stdout and stderr are drained ('exit' can come first)
      clearTimeout(timer);
      children.delete(p);
      resolve({ code, signal, stdout, stderr, secs: (Date.now() - t0) / 1000, args: full });
    });
  });
}

/** `cli`, throwing with the command and its output unless it exits 0. */
export async function cliOk(args, opts) {
  const r = await cli(args, opts);
  if (r.code !== 0) {
    throw new Error(`zkmarket ${r.args.join(' ')} exited ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

/** TOML text of a prover.toml from a plain object (strings, numbers, booleans, string arrays, `programs`). */
export function toml(cfg) {
  const val = (v) => {
    if (typeof v === 'string') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(val).join(', ')}]`;
    return String(v);
  };
  let out = '';
  for (const [k, v] of Object.entries(cfg)) if (k !== 'programs') out += `${k} = ${val(v)}\n`;
  for (const p of cfg.programs || []) {
    out += '\n[[programs]]\n';
    for (const [k, v] of Object.entries(p)) out += `${k} = ${val(v)}\n`;
  }
  return out;
}

/**
 * A prover agent `zkmarket-prover run --config <dir>/<name>.toml`; its stderr
 * and stdout go (appended over restarts) to <dir>/<name>.log.
 * Returns { name, config, logFile, log(), start(), kill(signal), stop(), waitForLog(re), exited }.
 */
export function agent(dir, name, cfg, { env = {} } = {}) {
  const config = join(dir, `${name}.toml`);
  const logFile = join(dir, `${name}.log`);
  writeFileSync(config, toml(cfg));
  writeFileSync(logFile, '');
  const a = {
    name, config, logFile, cfg, proc: null, exitPromise: null, runs: 0,
    log: () => readFileSync(logFile, 'utf8'),
    start() {
      a.runs += 1;
      const out = createWriteStream(logFile, { flags: 'a' });
      out.write(`---- start ${a.runs} at ${new Date().toISOString()}\n`);
      const p = spawn(PROVER_BIN, ['run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      children.add(p);
      p.stdout.pipe(out, { end: false });
      p.stderr.pipe(out, { end: false });
      a.proc = p;
      // The log ends once the pipes have closed ('close'), not at 'exit': output
      // still in a pipe when the process exits arrives after 'exit', and a write
      // to an ended stream throws (ERR_STREAM_WRITE_AFTER_END).
      p.on('close', (code, signal) => out.end(`---- exited ${code ?? signal} at ${new Date().toISOString()}\n`));
      a.exitPromise = new Promise((r) => p.on('exit', (code, signal) => {
        children.delete(p);
        r({ code, signal });
      }));
      return a;
    },
    kill(signal = 'SIGKILL') {
      if (a.proc && a.proc.exitCode === null && a.proc.signalCode === null) a.proc.kill(signal);
      return a.exitPromise;
    },
    /** SIGINT, then SIGKILL after `graceMs`. */
    async stop(graceMs = 15_000) {
      if (!a.proc || a.proc.exitCode !== null || a.proc.signalCode !== null) return a.exitPromise;
      a.proc.kill('SIGINT');
      const t = setTimeout(() => a.proc.kill('SIGKILL'), graceMs);
      const r = await a.exitPromise;
      clearTimeout(t);
      return r;
    },
    running: () => !!a.proc && a.proc.exitCode === null && a.proc.signalCode === null,
    /** Waits until the log (from offset `from`) matches `re`; resolves with the match. */
    async waitForLog(re, { timeoutMs = 60_000, from = 0, until = () => false } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = a.log().slice(from).match(re);
        if (m) return m;
        if (Date.now() > deadline || until()) throw new Error(`agent ${name}: ${re} not in its log within ${timeoutMs} ms`);
        await sleep(200);
      }
    },
  };
  return a;
}

/** GET http://127.0.0.1:<port>/metrics as { text, value(name, labels?) }. */
export async function metrics(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!res.ok) throw new Error(`metrics: HTTP ${res.status}`);
  const text = await res.text();
  const value = (name, labels = '') => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  return { text, value };
}

/** Runs `fn` over `items` with at most `n` at once; resolves with the results in order. */
export async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all([...Array(Math.min(n, items.length))].map(async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}
