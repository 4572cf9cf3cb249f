#!/usr/bin/env node
// A `command` proving backend for the agent tests (clients/zkmarket-prover/prover.example.toml):
// reads ONE job as JSON on stdin, {"request", "program", "inputs", "binding", "prover"},
// and writes {"proof": "0x.."} on stdout.
//
//   node backend.mjs hang MARKER_DIR             never answers (the agent's timeout kills it)
//   node backend.mjs slow SECS PROVER_BIN MARKER_DIR
//                                                sleeps SECS, then proves the demo
//                                                program for real with `PROVER_BIN prove`
//   node backend.mjs garbage MARKER_DIR          answers with a proof that does not verify
//   node backend.mjs witness MARKER_DIR          a preflight (`preflight` in prover.toml):
//                                                exits 0 if the demo witness x is small,
//                                                3 (with the reason on stderr) if not
//
// Each run creates MARKER_DIR/<mode>-<request>-<pid> when it starts (so a test
// can see that a job is being proven) and exits when its parent agent dies.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [mode, ...rest] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const parent = process.ppid;

async function readJob() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text);
}

/** The demo witness x with x^3 + x + 5 = y (y: 32 bytes little-endian hex), x < 2^20. */
function demoX(yHex) {
  const bytes = Buffer.from(yHex.replace(/^0x/, ''), 'hex');
  let y = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i]);
  const guess = Math.round(Math.cbrt(Number(y)));
  for (let x = Math.max(0, guess - 3); x <= guess + 3; x++) {
    const b = BigInt(x);
    if (b * b * b + b + 5n === y) return x;
  }
  throw new Error(`no small demo witness for y = ${yHex}`);
}

/** Sleeps `ms`, exiting as soon as the agent that started us is gone (SIGKILL). */
async function sleepWatchingParent(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (process.ppid !== parent) process.exit(9);
    await sleep(Math.min(200, end - Date.now()));
  }
}

const job = await readJob();
const markerDir = mode === 'slow' ? rest[2] : rest[0];
if (markerDir) writeFileSync(join(markerDir, `${mode}-${job.request}-${process.pid}`), JSON.stringify(job));
process.stderr.write(`backend ${mode}: request ${job.request}\n`);
if (mode === 'hang') {
  await sleepWatchingParent(3_600_000);
  process.exit(1);
} else if (mode === 'slow') {
  const [secs, proverBin] = rest;
  await sleepWatchingParent(Number(secs) * 1000);
  const x = demoX(job.inputs[0]);
  const out = JSON.parse(execFileSync(proverBin, ['prove', String(x), String(job.request), job.prover], { encoding: 'utf8' }));
  process.stdout.write(`${JSON.stringify({ proof: out.proof })}\n`);
} else if (mode === 'witness') {
  try {
    demoX(job.inputs[0]);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(3);
  }
} else if (mode === 'garbage') {
  process.stdout.write(`${JSON.stringify({ proof: `0x${'ab'.repeat(128)}` })}\n`);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
