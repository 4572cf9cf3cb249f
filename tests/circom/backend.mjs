#!/usr/bin/env node
// A `command` proving backend of the zkmarket prover agent (docs/prover-agent.md,
// docs/circom.md) for the circom test program tests/circuits/preimage.circom
// (the prover knows x with Poseidon(x) == hash), proving with snarkjs.
//
//   node backend.mjs WASM ZKEY SECRETS_JSON [OUT_DIR]
//
// stdin:  ONE job as JSON, {"request": 12, "program": "0x..", "kind": "snarkjs",
//         "inputs": ["0x<32 bytes LE>"], "binding": "0x<32 bytes LE>", "prover": "0x<account id>"}
// stdout: {"proof": "0x<arkworks compressed Groth16 proof, 128 bytes>"}
// SECRETS_JSON: {"<hash, decimal>": "<x, decimal>", ...}, the witnesses it knows.
// OUT_DIR: also writes OUT_DIR/<request>-proof.json and <request>-public.json
// (snarkjs formats, for `snarkjs groth16 verify`).
// Exit codes: 0 proof printed, 1 failure, 2 bad usage or job, 3 no witness for the input.
// With ZKMARKET_PREFLIGHT=1 in its environment (the agent's `preflight`), it
// only computes the witness (snarkjs wtns calculate: the circuit's constraints
// are checked) and exits 0, or 3 when it has none.
//
// Also a module: the conversions snarkjs <-> arkworks (arkworksProof,
// snarkjsProof), the binding and a buyer's public signals (binding,
// publicSignals), used by tests/clients/circom.test.mjs and docs/circom.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';

/** BN254 base field modulus p (coordinates). */
export const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** BN254 scalar field modulus r (public signals). */
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const HALF = (P - 1n) / 2n;

/** A 0x hex string of 32 bytes, little-endian, as a BigInt. */
export function fromLeHex(hex) {
  const s = String(hex).replace(/^0x/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw new Error(`not 32 bytes of hex: ${hex}`);
  const b = Buffer.from(s, 'hex');
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** 32 bytes little-endian of `v` (0 <= v < 2^256). */
export function toLe(v) {
  v = BigInt(v);
  const b = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) { b[i] = Number(v & 0xffn); v >>= 8n; }
  return b;
}

/** `v` as 0x + 64 hex digits, 32 bytes little-endian (a request input). */
export const toLeHex = (v) => `0x${toLe(v).toString('hex')}`;

function coord(s) {
  const v = BigInt(s);
  if (v < 0n || v >= P) throw new Error(`coordinate not below p: ${s}`);
  return v;
}

/** arkworks compressed G1 of a snarkjs affine point ["x","y","1"]: x LE, 0x80 in byte 31 iff y > (p-1)/2. */
export function g1Compressed(pt) {
  const [x, y, z] = pt.map(coord);
  if (z !== 1n) throw new Error('G1 point not affine (z != 1)');
  const b = toLe(x);
  if (y > HALF) b[31] |= 0x80;
  return b;
}

/**
 * arkworks compressed G2 of a snarkjs affine point [[x.c0,x.c1],[y.c0,y.c1],["1","0"]]
 * (snarkjs' Fq2 order [c0, c1] is arkworks'): x.c0 LE || x.c1 LE, 0x80 in byte 63
 * iff y > -y, which on Fq2 compares c1 first: y.c1 > (p-1)/2, or y.c0 > (p-1)/2 when y.c1 = 0.
 */
export function g2Compressed(pt) {
  const [[x0, x1], [y0, y1], [z0, z1]] = pt.map((c) => c.map(coord));
  if (z0 !== 1n || z1 !== 0n) throw new Error('G2 point not affine (z != 1)');
  const neg = y1 !== 0n ? y1 > HALF : y0 > HALF;
  const b = Buffer.concat([toLe(x0), toLe(x1)]);
  if (neg) b[63] |= 0x80;
  return b;
}

/** A snarkjs Groth16 proof.json as the 128-byte arkworks compressed proof (a, b, c), 0x hex. */
export function arkworksProof(proof) {
  if (proof.protocol !== 'groth16' || proof.curve !== 'bn128') throw new Error('not a groth16 bn128 proof');
  return `0x${Buffer.concat([g1Compressed(proof.pi_a), g2Compressed(proof.pi_b), g1Compressed(proof.pi_c)]).toString('hex')}`;
}

// ---- the way back, for buyers: arkworks bytes -> snarkjs JSON ------------------

const mod = (a) => ((a % P) + P) % P;
function pow(b, e) {
  let r = 1n;
  b = mod(b);
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
  }
  return r;
}
// Fq2 = Fq[u]/(u^2 + 1), elements [c0, c1].
const f2add = (a, b) => [mod(a[0] + b[0]), mod(a[1] + b[1])];
const f2mul = (a, b) => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])];
const f2eq = (a, b) => a[0] === b[0] && a[1] === b[1];
function f2pow(b, e) {
  let r = [1n, 0n];
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = f2mul(r, b);
    b = f2mul(b, b);
  }
  return r;
}
/** BN254 G2 curve coefficient b = 3 / (9 + u). */
const B2 = [19485874751759354771024239261021720505790618469301721065564631296452457478373n,
  266929791119991161246907387137283842545076965332900288569378510910307636690n];

function sqrtFq(a) {
  const r = pow(a, (P + 1n) / 4n); // p = 3 mod 4
  if ((r * r) % P !== mod(a)) throw new Error('point not on the curve');
  return r;
}
function sqrtFq2(a) { // p = 3 mod 4 (Adj, Rodriguez-Henriquez, algorithm 9)
  const a1 = f2pow(a, (P - 3n) / 4n);
  const alpha = f2mul(f2mul(a1, a1), a);
  const x0 = f2mul(a1, a);
  const x = f2eq(alpha, [P - 1n, 0n]) ? f2mul([0n, 1n], x0) : f2mul(f2pow(f2add([1n, 0n], alpha), (P - 1n) / 2n), x0);
  if (!f2eq(f2mul(x, x), a)) throw new Error('point not on the curve');
  return x;
}
function flags(b, last) {
  if (b[last] & 0x40) throw new Error('point at infinity in a proof');
  const neg = (b[last] & 0x80) !== 0;
  const x = Buffer.from(b);
  x[last] &= 0x3f;
  return { neg, x };
}
/** A 32-byte arkworks compressed G1 point as snarkjs ["x", "y", "1"]. */
export function g1Decompressed(bytes) {
  const { neg, x: xb } = flags(bytes, 31);
  const x = fromLeHex(xb.toString('hex'));
  if (x >= P) throw new Error('coordinate not below p');
  let y = sqrtFq(x * x * x + 3n);
  if ((y > HALF) !== neg) y = mod(-y);
  return [x.toString(), y.toString(), '1'];
}
/** A 64-byte arkworks compressed G2 point as snarkjs [["x.c0","x.c1"],["y.c0","y.c1"],["1","0"]]. */
export function g2Decompressed(bytes) {
  const { neg, x: xb } = flags(bytes, 63);
  const x = [fromLeHex(xb.subarray(0, 32).toString('hex')), fromLeHex(xb.subarray(32).toString('hex'))];
  if (x[0] >= P || x[1] >= P) throw new Error('coordinate not below p');
  let y = sqrtFq2(f2add(f2mul(f2mul(x, x), x), B2));
  const isNeg = (v) => (v[1] !== 0n ? v[1] > HALF : v[0] > HALF);
  if (isNeg(y) !== neg) y = [mod(-y[0]), mod(-y[1])];
  return [x.map(String), y.map(String), ['1', '0']];
}
/** The 128-byte arkworks compressed proof (0x hex, as the chain keeps it) as a snarkjs proof.json. */
export function snarkjsProof(hex) {
  const b = Buffer.from(String(hex).replace(/^0x/, ''), 'hex');
  if (b.length !== 128) throw new Error(`a proof is 128 bytes, not ${b.length}`);
  return {
    pi_a: g1Decompressed(b.subarray(0, 32)), pi_b: g2Decompressed(b.subarray(32, 96)), pi_c: g1Decompressed(b.subarray(96)),
    protocol: 'groth16', curve: 'bn128',
  };
}
/**
 * zkmarket's binding of request `request` and prover `account` (SS58 address or
 * 0x account id): blake2b-256(u64 LE request id || 32-byte account id), read
 * little-endian, mod r. Resolves with a BigInt.
 */
export async function binding(request, account) {
  const { blake2AsU8a, decodeAddress } = await import('@polkadot/util-crypto');
  const data = new Uint8Array(40);
  new DataView(data.buffer).setBigUint64(0, BigInt(request), true);
  data.set(decodeAddress(account), 8);
  return fromLeHex(Buffer.from(blake2AsU8a(data, 256)).toString('hex')) % R;
}
/**
 * The snarkjs public.json of a proof file of `zkmarket request proof`
 * ({request, prover, inputs, ...}): the inputs as decimals, then the binding.
 */
export async function publicSignals(file) {
  return [...file.inputs.map((i) => fromLeHex(i).toString()), (await binding(file.request, file.prover)).toString()];
}

async function main() {
  const [wasm, zkey, secretsFile, outDir] = process.argv.slice(2);
  if (!secretsFile) {
    console.error('usage: node backend.mjs WASM ZKEY SECRETS_JSON [OUT_DIR]  (job JSON on stdin)');
    process.exit(2);
  }
  let job;
  try {
    job = JSON.parse(readFileSync(0, 'utf8'));
    if (!Number.isInteger(job.request) || !Array.isArray(job.inputs) || job.inputs.length !== 1 || !job.binding) {
      throw new Error('expected {"request", "inputs": [hash], "binding", ...}');
    }
  } catch (e) {
    console.error(`bad job on stdin: ${e.message}`);
    process.exit(2);
  }
  if (job.kind !== undefined && job.kind !== 'snarkjs') console.error(`warning: job kind ${job.kind}, expected snarkjs`);
  const hash = fromLeHex(job.inputs[0]).toString();
  const binding = fromLeHex(job.binding).toString();
  const secrets = JSON.parse(readFileSync(secretsFile, 'utf8'));
  if (!Object.hasOwn(secrets, hash)) {
    console.error(`request ${job.request}: no preimage known for hash ${hash}`);
    process.exit(3);
  }
  const t0 = Date.now();
  if (process.env.ZKMARKET_PREFLIGHT === '1') {
    try {
      await snarkjs.wtns.calculate({ x: secrets[hash], hash, binding }, wasm, { type: 'mem' });
    } catch (e) {
      console.error(`request ${job.request}: the witness does not satisfy the circuit: ${e.message}`);
      process.exit(3);
    }
    console.error(`request ${job.request}: witness computed in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
    return;
  }
  const { proof, publicSignals } = await snarkjs.groth16.fullProve({ x: secrets[hash], hash, binding }, wasm, zkey);
  // The circuit must expose exactly [request inputs..., binding] (binding.circom).
  const want = [hash, binding];
  if (JSON.stringify(publicSignals) !== JSON.stringify(want)) {
    console.error(`request ${job.request}: public signals ${JSON.stringify(publicSignals)} != inputs ++ [binding] ${JSON.stringify(want)}`);
    process.exit(1);
  }
  if (outDir) {
    writeFileSync(join(outDir, `${job.request}-proof.json`), `${JSON.stringify(proof, null, 1)}\n`);
    writeFileSync(join(outDir, `${job.request}-public.json`), `${JSON.stringify(publicSignals, null, 1)}\n`);
  }
  console.error(`request ${job.request}: proven in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  process.stdout.write(`${JSON.stringify({ proof: arkworksProof(proof) })}\n`);
}

// Run as a program (the module is also imported by the test for the conversion).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0), // snarkjs leaves worker threads alive
    (e) => { console.error(e.stack || e.message); process.exit(1); },
  );
}
