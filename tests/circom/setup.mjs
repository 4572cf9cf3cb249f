#!/usr/bin/env node
// Builds the circom test program of zkmarket (tests/circuits/preimage.circom)
// from scratch: compiles it with circom2, runs a fresh powers-of-tau ceremony
// and a Groth16 setup with snarkjs, and exports the verifying key.
//
//   node tests/circom/setup.mjs OUTDIR [POWER]      standalone (prints the paths as JSON)
//   import { setupCircuit } from './setup.mjs'      from a test
//
// Everything is generated locally; nothing is downloaded. The ceremony has ONE
// contributor per phase (with fixed entropy text, mixed by snarkjs with random
// bytes): it is a test ceremony, NOT a trusted setup (docs/circom.md).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TESTS = join(HERE, '..');
const require = createRequire(import.meta.url);
/** The circuit's source (it includes binding.circom and circomlib's Poseidon). */
export const CIRCUIT = join(TESTS, 'circuits', 'preimage.circom');
/** circom2's command line (circom 2.2 compiled to WASM). */
const CIRCOM2 = require.resolve('circom2/cli.js');

/** Runs `node args...` to completion; rejects with its output unless it exits 0. */
function run(args, { cwd }) {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', rej);
    p.on('close', (code, signal) => {
      if (code === 0) res(out);
      else rej(new Error(`node ${args.join(' ')} exited ${code ?? signal}:\n${out}`));
    });
  });
}

/**
 * Compiles the circuit into `dir` and makes its keys. Resolves with
 * `{ wasm, zkey, vkJson, r1cs, nPublic, constraints, times }` (absolute paths;
 * `times` in seconds per step). `power`: the ceremony's size, 2^power must be
 * at least constraints + public signals + 1 (416 + 3 here: power 9 fits).
 * `circuit`: another .circom file (default tests/circuits/preimage.circom).
 * `log(text)` gets one line per step.
 */
export async function setupCircuit({ dir, power = 10, circuit = CIRCUIT, log = (s) => console.log(`  [circom setup] ${s}`) } = {}) {
  if (!dir) throw new Error('setupCircuit: dir is required');
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const times = {};
  const step = async (name, fn) => {
    const t0 = Date.now();
    const r = await fn();
    times[name] = (Date.now() - t0) / 1000;
    log(`${name}: ${times[name].toFixed(1)} s`);
    return r;
  };
  const name = basename(circuit, '.circom');
  const r1cs = join(dir, `${name}.r1cs`);
  const wasm = join(dir, `${name}_js`, `${name}.wasm`);
  const ptau = (n) => join(dir, `pot${power}_${n}.ptau`);
  const zkey0 = join(dir, `${name}_0000.zkey`);
  const zkey = join(dir, `${name}_final.zkey`);
  const vkJson = join(dir, 'verification_key.json');
  const t0 = Date.now();
  try {
    // `-l node_modules` resolves `include "circomlib/..."`; binding.circom is
    // found next to preimage.circom. circom2 runs under WASI and makes every
    // path relative to its working directory; includes are not found through
    // `..`, so it runs in `/`.
    const compiled = await step('compile (circom2)', () => run(
      [CIRCOM2, resolve(circuit), '--r1cs', '--wasm', '-l', join(TESTS, 'node_modules'), '-o', dir], { cwd: '/' },
    ));
    const constraints = [...compiled.matchAll(/(?:non-linear|linear) constraints: (\d+)/g)]
      .reduce((s, m) => s + Number(m[1]), 0);
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    await step(`powers of tau: new (2^${power})`, () => snarkjs.powersOfTau.newAccumulator(curve, power, ptau(0)));
    await step('powers of tau: contribute', () => snarkjs.powersOfTau.contribute(ptau(0), ptau(1), 'zkmarket test', 'zkmarket test ceremony, phase 1'));
    await step('powers of tau: prepare phase 2', () => snarkjs.powersOfTau.preparePhase2(ptau(1), ptau('final')));
    await step('groth16 setup', () => snarkjs.zKey.newZKey(r1cs, ptau('final'), zkey0));
    await step('zkey contribute', () => snarkjs.zKey.contribute(zkey0, zkey, 'zkmarket test', 'zkmarket test ceremony, phase 2'));
    const vk = await step('export verification key', () => snarkjs.zKey.exportVerificationKey(zkey));
    writeFileSync(vkJson, `${JSON.stringify(vk, null, 1)}\n`);
    times.total = (Date.now() - t0) / 1000;
    log(`total: ${times.total.toFixed(1)} s (${constraints} constraints, ${vk.nPublic} public signals) in ${dir}`);
    return { wasm, zkey, vkJson, r1cs, nPublic: vk.nPublic, constraints, times };
  } finally {
    // snarkjs keeps the curve's worker threads alive (and would keep this
    // process running): end them.
    if (globalThis.curve_bn128) await globalThis.curve_bn128.terminate();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, power] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node tests/circom/setup.mjs OUTDIR [POWER]');
    process.exit(2);
  }
  setupCircuit({ dir: out, power: power ? Number(power) : undefined, log: (s) => console.error(s) })
    .then((r) => { console.log(JSON.stringify(r, null, 1)); process.exit(0); })
    .catch((e) => { console.error(e.stack || e.message); process.exit(1); });
}
