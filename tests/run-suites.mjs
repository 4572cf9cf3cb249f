// Runs `node --test` files several at a time, each in its own process (every
// file starts its own dev node on free ports and temp dirs, so files are
// independent), and reports each file's wall time.
//
//   node run-suites.mjs [--jobs N] [--timings out.json] <dir or file>...
//
// Most of a file's time is spent waiting for blocks, not computing (a dev node
// between blocks uses a few percent of a core), so running files side by side
// shortens the whole run close to its longest file. The dev spec with the
// tests' block time (e2e/lib.mjs, `ZKMARKET_TEST_BLOCK_MS`) is written once here
// and handed to every file (`ZKMARKET_TEST_SPEC`). Files start longest
// first, by the durations of the last run when `--timings` names a file that
// holds them (else by size). Each file's output is printed whole when it ends,
// so the log reads file by file; the exit code is 1 when any file failed.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const args = process.argv.slice(2);
let jobs = 4;
let timingsFile = null;
const roots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs') jobs = Number(args[++i]);
  else if (args[i] === '--timings') timingsFile = args[++i];
  else roots.push(args[i]);
}
if (!Number.isInteger(jobs) || jobs < 1 || roots.length === 0) {
  console.error('usage: node run-suites.mjs [--jobs N] [--timings out.json] <dir or file>...');
  process.exit(2);
}

const files = roots.flatMap((r) => {
  const path = resolve(r);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(path, f));
});
const name = (f) => relative(process.cwd(), f);

let previous = {};
if (timingsFile && existsSync(timingsFile)) {
  try {
    previous = JSON.parse(readFileSync(timingsFile, 'utf8')).files || {};
  } catch {
    previous = {};
  }
}
// Longest first: the last run's seconds, or the file's size for a new file.
const expected = (f) => previous[name(f)]?.seconds ?? statSync(f).size / 1000;
const queue = [...files].sort((a, b) => expected(b) - expected(a));

// The dev spec with the tests' block time, written once for every file.
if (!process.env.ZKMARKET_TEST_SPEC) {
  const { writeDevSpec, TEST_BLOCK_MS } = await import('./e2e/lib.mjs');
  if (TEST_BLOCK_MS !== 2000) process.env.ZKMARKET_TEST_SPEC = writeDevSpec();
}

const results = {};
const t0 = Date.now();
const stamp = () => `[${Math.round((Date.now() - t0) / 1000)} s]`;

// Each file runs in its own process group (detached), stopped as a whole with
// this process: the test process and the dev nodes and agents it started.
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const p of running) {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

function runFile(file) {
  return new Promise((done) => {
    const start = Date.now();
    const proc = spawn(process.execPath, ['--test', '--test-reporter=spec', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(proc);
    const out = [];
    proc.stdout.on('data', (d) => out.push(d));
    proc.stderr.on('data', (d) => out.push(d));
    proc.on('close', (code, signal) => {
      running.delete(proc);
      const seconds = Math.round((Date.now() - start) / 1000);
      const ok = code === 0;
      results[name(file)] = { seconds, ok };
      const status = ok ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`;
      process.stdout.write(`\n──── ${name(file)}: ${status} in ${seconds} s ${stamp()}\n`);
      process.stdout.write(Buffer.concat(out));
      done();
    });
  });
}

console.log(`${files.length} files, ${jobs} at a time: ${queue.map(name).join(', ')}`);
async function worker() {
  for (let file = queue.shift(); file; file = queue.shift()) await runFile(file);
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));

const total = Math.round((Date.now() - t0) / 1000);
const failed = Object.entries(results).filter(([, r]) => !r.ok).map(([f]) => f);
console.log(`\n${files.length} files in ${total} s (${jobs} at a time)`);
for (const [f, r] of Object.entries(results).sort((a, b) => b[1].seconds - a[1].seconds)) {
  console.log(`  ${String(r.seconds).padStart(5)} s  ${r.ok ? 'ok    ' : 'FAILED'}  ${f}`);
}
if (timingsFile) writeFileSync(timingsFile, JSON.stringify({ total, jobs, files: results }, null, 2));
if (failed.length) {
  console.log(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
