// A circom program on the market (issue 18, docs/circom.md): compiled with
// circom2, keys from a fresh snarkjs ceremony, registered with
// `zkmarket program register --kind snarkjs`, proven by a prover agent whose
// `command` backend runs snarkjs (tests/circom/backend.mjs), bought with the
// requester CLI, verified by the off-chain worker, and checked with snarkjs.
//
// - the program: tests/circuits/preimage.circom, "I know x with
//   Poseidon(x) = hash"; public signals [hash, binding] (binding last);
// - //Bob's agent proves an auction bid (//Alice) and a reverse-Dutch offer
//   (//Eve); both settle; the proof the chain kept is the arkworks form of the
//   snarkjs proof, `snarkjs groth16 verify` accepts it (the backend's files,
//   and the files a buyer rebuilds from chain data) with the request's binding
//   and rejects it with another prover's binding;
// - the copy attack: //Charlie submits Bob's proof for an open offer of the
//   SAME statement (same hash, another request and prover, so another
//   binding): the off-chain worker rejects it, Charlie is slashed, the request
//   is not settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPoseidon } from 'circomlibjs';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import {
  startNode, devKeys, send, ZK, bestNumber, sleep, tmpDir, rpc, cli, cliOk, agent, waitForEvent, pool,
  ROOT, ZKMARKET_BIN, PROVER_BIN,
} from './lib.mjs';
import { setupCircuit } from '../circom/setup.mjs';
import { arkworksProof, snarkjsProof, publicSignals, toLeHex, R } from '../circom/backend.mjs';

const t0 = Date.now();
const log = (...a) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

const BACKEND = join(ROOT, 'tests', 'circom', 'backend.mjs');
const SNARKJS = join(ROOT, 'tests', 'node_modules', 'snarkjs', 'build', 'cli.cjs');
/** Offer terms of the CLI: min,max,ramp,lock,timeout,collateral. Bob locks it at once. */
const OFFER = '0.001,0.01,30,60,150,0.5';
/** An offer Bob's agent skips (collateral 20 ZK > its max_collateral 10 ZK): it stays open. */
const OPEN_OFFER = '0.001,0.01,30,120,300,20';

/** zkmarket's binding of request `id` and prover `address`: blake2b-256(u64 LE id || account id), LE, mod r. */
function binding(id, address) {
  const data = new Uint8Array(40);
  new DataView(data.buffer).setBigUint64(0, BigInt(id), true);
  data.set(decodeAddress(address), 8);
  const h = blake2AsU8a(data, 256);
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(h[i]);
  return v % R;
}

/** `snarkjs groth16 verify VK PUBLIC PROOF`: its exit code and output. */
function snarkjsVerify(vk, pub, proof) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SNARKJS, 'groth16', 'verify', vk, pub, proof], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out }); });
  });
}

/** The JSON summary a `--json` CLI prints last on stdout. */
const lastJson = (r) => JSON.parse(r.stdout.trim().split('\n').pop());

test('a circom program: snarkjs backend, CLI, off-chain verification, copied proof rejected', { timeout: 600_000 }, async () => {
  const dir = tmpDir('zkmarket-circom-');
  const outDir = join(dir, 'proofs'); // the backend's snarkjs proof.json / public.json
  mkdirSync(outDir);
  log(`files in ${dir}`);
  // The ceremony runs while the node starts.
  const nodeStarting = startNode();
  nodeStarting.catch(() => {}); // awaited below, after the setup
  let node;
  let circuit;
  try {
    circuit = await setupCircuit({ dir: join(dir, 'circuit'), log: (s) => log(`setup: ${s}`) });
    node = await nodeStarting;
  } catch (e) {
    const n = await nodeStarting.catch(() => null);
    if (n) await n.stop();
    throw e;
  }
  assert.equal(circuit.nPublic, 2, 'public signals: hash, binding');
  const { api, url } = node;
  const k = devKeys();
  let bob;
  let passed = false;
  try {
    // ---- the witnesses: x and Poseidon(x) -----------------------------------------
    const poseidon = await buildPoseidon();
    const xs = [42n, 4242n];
    const hashes = xs.map((x) => poseidon.F.toObject(poseidon([x])));
    const secrets = join(dir, 'secrets.json');
    writeFileSync(secrets, JSON.stringify(Object.fromEntries(xs.map((x, i) => [hashes[i].toString(), x.toString()])), null, 1));
    const inputHex = hashes.map(toLeHex); // request inputs: 32-byte little-endian

    // ---- the program, registered from snarkjs's verification_key.json -------------
    const reg = await cliOk(['program', 'register', '--kind', 'snarkjs', circuit.vkJson, '--json'], { url, suri: '//Alice' });
    const registered = lastJson(reg);
    const program = registered.program;
    assert.match(program, /^0x[0-9a-f]{64}$/, `program id: ${reg.stdout}`);
    assert.equal(registered.inputs, 1, 'request inputs = nPublic - 1 (the binding is appended by the chain)');
    assert.match(registered.deposit, /^\d+$/);
    log(`program ${program} registered (${registered.inputs} input)`);

    // ---- //Bob's agent with the snarkjs command backend ------------------------------
    bob = agent(dir, 'bob', {
      url, suri: '//Bob', stake: '100', max_jobs: 2, metrics_port: 0, pause_on_exit: false,
      lock_offers: true, take_bounties: false,
      programs: [{
        id: program, backend: 'command',
        command: [process.execPath, BACKEND, circuit.wasm, circuit.zkey, secrets, outDir],
        // The same script computes only the witness (ZKMARKET_PREFLIGHT=1)
        // before the offer is locked and the bid proven.
        preflight: [process.execPath, BACKEND, circuit.wasm, circuit.zkey, secrets],
        min_price: '0.001', max_collateral: '10', prove_secs: 10,
      }],
    });
    bob.start();
    {
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (!bob.running()) throw new Error('the agent exited during start-up');
        const p = await rpc(node, 'market_prover', [k.bob.address]).catch(() => null);
        if (p && p.eligible) break;
        if (Date.now() > deadline) throw new Error('the agent did not register');
        await sleep(500);
      }
    }
    log('agent //Bob registered');

    // ---- one auction bid (//Alice) and one reverse-Dutch offer (//Eve) ----------------
    const buy = (suri, input, pricing, name) => cli(['request', 'submit', '--program', program, '--inputs', input, ...pricing,
      '--out', join(dir, `${name}.json`), '--timeout', '240', '--json'], { url, suri, timeoutMs: 300_000 });
    const [bidRun, offerRun] = await Promise.all([
      buy('//Alice', inputHex[0], ['--bid', '1', '--max-base-fee', '1'], 'bid'),
      buy('//Eve', inputHex[1], ['--offer', OFFER, '--start-in', '0'], 'offer'),
    ]);
    const bought = [];
    for (const [r, i, name] of [[bidRun, 0, 'bid'], [offerRun, 1, 'offer']]) {
      assert.equal(r.code, 0, `the ${name} CLI ends when its request settles:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /verified: settled/, `${name}: progress on stderr`);
      const s = lastJson(r);
      assert.equal(s.status, 'settled', `${name}: ${r.stdout}`);
      assert.equal(s.prover, k.bob.address, `${name} settled by Bob`);
      bought.push({ id: s.request, name, hash: hashes[i], input: inputHex[i], file: join(dir, `${name}.json`), secs: r.secs });
    }
    log(`bid #${bought[0].id} settled in ${bought[0].secs.toFixed(0)} s, offer #${bought[1].id} in ${bought[1].secs.toFixed(0)} s`);

    // ---- what the chain kept = the snarkjs proof, verified by snarkjs ----------------
    for (const b of bought) {
      const req = await rpc(node, 'market_request', [b.id]);
      assert.equal(req.state.status, 'Settled', `#${b.id} settled`);
      assert.equal(req.state.prover, k.bob.address);
      assert.equal(req.program, program);
      assert.deepEqual(req.inputs, [b.input]);
      const kept = await rpc(node, 'market_proof', [b.id]);
      const proofJson = join(outDir, `${b.id}-proof.json`);
      const publicJson = join(outDir, `${b.id}-public.json`);
      assert.ok(existsSync(proofJson) && existsSync(publicJson), `the backend wrote the snarkjs files of #${b.id}`);
      assert.equal(kept.proof, arkworksProof(JSON.parse(readFileSync(proofJson, 'utf8'))), `#${b.id}: market_proof = arkworks form of the snarkjs proof`);
      assert.equal(kept.prover, k.bob.address);
      const bound = binding(b.id, k.bob.address);
      assert.deepEqual(JSON.parse(readFileSync(publicJson, 'utf8')), [b.hash.toString(), bound.toString()],
        `#${b.id}: public signals = [hash, binding(request, Bob)]`);
      // The CLI's files: the one `request submit` wrote, and `request proof`.
      const fetched = join(dir, `${b.name}-fetched.json`);
      await cliOk(['request', 'proof', b.id, '--out', fetched], { url });
      for (const f of [b.file, fetched]) {
        const p = JSON.parse(readFileSync(f, 'utf8'));
        assert.equal(p.request, b.id);
        assert.equal(p.proof, kept.proof, `${f}: the proof = market_proof`);
        assert.equal(p.prover, k.bob.address);
        assert.equal(p.program, program);
        assert.deepEqual(p.inputs, [b.input]);
        assert.equal(p.kind, 'snarkjs');
      }
      // The CLI's proof file carries snarkjs' proof.json and public.json: snarkjs accepts them.
      const cliFile = JSON.parse(readFileSync(fetched, 'utf8'));
      assert.deepEqual(cliFile.snarkjs.publicSignals, [b.hash.toString(), bound.toString()], 'the CLI file: public signals end with the binding');
      const cliFiles = [join(dir, `${b.id}-cli-proof.json`), join(dir, `${b.id}-cli-public.json`)];
      writeFileSync(cliFiles[0], JSON.stringify(cliFile.snarkjs.proof));
      writeFileSync(cliFiles[1], JSON.stringify(cliFile.snarkjs.publicSignals));
      const viaCli = await snarkjsVerify(circuit.vkJson, cliFiles[1], cliFiles[0]);
      assert.equal(viaCli.code, 0, `snarkjs groth16 verify #${b.id} (the CLI's snarkjs JSON): ${viaCli.out}`);
      // snarkjs accepts the backend's files.
      const ok = await snarkjsVerify(circuit.vkJson, publicJson, proofJson);
      assert.equal(ok.code, 0, `snarkjs groth16 verify #${b.id} (the backend's files): ${ok.out}`);
      // A buyer's check from chain data alone (docs/circom.md): the kept bytes back
      // to snarkjs JSON, the public signals from the CLI's proof file.
      const buyerProof = snarkjsProof(kept.proof);
      const made = JSON.parse(readFileSync(proofJson, 'utf8'));
      for (const pt of ['pi_a', 'pi_b', 'pi_c']) assert.deepEqual(buyerProof[pt], made[pt], `#${b.id}: ${pt} decompressed`);
      const buyerSignals = await publicSignals(JSON.parse(readFileSync(fetched, 'utf8')));
      assert.deepEqual(buyerSignals, [b.hash.toString(), bound.toString()]);
      const buyerFiles = [join(dir, `${b.id}-buyer-proof.json`), join(dir, `${b.id}-buyer-public.json`)];
      writeFileSync(buyerFiles[0], JSON.stringify(buyerProof));
      writeFileSync(buyerFiles[1], JSON.stringify(buyerSignals));
      const buyer = await snarkjsVerify(circuit.vkJson, buyerFiles[1], buyerFiles[0]);
      assert.equal(buyer.code, 0, `snarkjs groth16 verify #${b.id} (from chain data): ${buyer.out}`);
      // ... and not with another prover's binding.
      const other = join(dir, `${b.id}-public-charlie.json`);
      writeFileSync(other, JSON.stringify([b.hash.toString(), binding(b.id, k.charlie.address).toString()]));
      const bad = await snarkjsVerify(circuit.vkJson, other, buyerFiles[0]);
      assert.notEqual(bad.code, 0, `snarkjs rejects #${b.id}'s proof with Charlie's binding: ${bad.out}`);
    }
    log('kept proofs = arkworks form of the snarkjs proofs; snarkjs accepts them (also rebuilt from chain data), and rejects them with another binding');

    // ---- the copy attack: Charlie submits Bob's proof for an open offer of the same hash ----
    await send(api, api.tx.provers.register(100n * ZK), k.charlie);
    const charlieStake = (await api.query.provers.provers(k.charlie.address)).unwrap().stake.toBigInt();
    const openRun = await cliOk(['request', 'submit', '--program', program, '--inputs', inputHex[0],
      '--offer', OPEN_OFFER, '--start-in', '0', '--no-wait', '--json'], { url, suri: '//Alice' });
    const copyId = lastJson(openRun).request;
    assert.ok(Number.isInteger(copyId), `open offer: ${openRun.stdout}`);
    await bob.waitForLog(new RegExp(`lock #${copyId}: skipped: collateral above max`), { timeoutMs: 30_000 });
    assert.equal((await rpc(node, 'market_request', [copyId])).state.status, 'Open', `#${copyId} is an open offer`);
    const copied = (await rpc(node, 'market_proof', [bought[0].id])).proof; // Bob's proof of the same hash
    const verdict = waitForEvent(api, (e) => e.section === 'market' && ['ProofRejected', 'RequestSettled'].includes(e.method)
      && e.data.id.toNumber() === copyId, { timeoutMs: 120_000 });
    await send(api, api.tx.verifier.submitProof(copyId, copied), k.charlie);
    const { event: outcome, blockHash: verdictBlock } = await verdict;
    assert.equal(outcome.method, 'ProofRejected', `the copied proof is rejected (${outcome.method})`);
    assert.equal(outcome.data.prover.toString(), k.charlie.address);
    const slashed = outcome.data.slashed.toBigInt();
    assert.equal(slashed, charlieStake / 10n, 'an invalid proof slashes 10%');
    const charlieAfter = (await (await api.at(verdictBlock)).query.provers.provers(k.charlie.address)).unwrap().stake.toBigInt();
    assert.equal(charlieAfter, charlieStake - slashed, "Charlie's stake");
    const after = await rpc(node, 'market_request', [copyId]);
    assert.notEqual(after.state.status, 'Settled', `#${copyId} is not settled by the copy`);
    assert.equal(after.state.status, 'Open', `#${copyId} is open again`);
    await assert.rejects(rpc(node, 'market_proof', [copyId]), /./, 'no proof kept for the copy');
    log(`copy attack: Charlie's copy of #${bought[0].id}'s proof for #${copyId} rejected, slashed ${Number(slashed / 10n ** 15n) / 1000} ZK`);

    // ---- the verdicts came from the off-chain worker ----------------------------------
    const best = await bestNumber(api);
    const blocks = await pool([...Array(best).keys()].map((i) => i + 1), 6, async (n) => {
      const hash = await api.rpc.chain.getBlockHash(n);
      const [block, records] = await Promise.all([api.rpc.chain.getBlock(hash), api.query.system.events.at(hash)]);
      return { n, extrinsics: block.block.extrinsics, records };
    });
    const verdicts = new Map(); // request id -> [{ valid, prover, call, signed }]
    for (const { extrinsics, records } of blocks) {
      for (const { event, phase } of records) {
        if (event.section !== 'verifier' || event.method !== 'VerdictReached') continue;
        const ext = phase.isApplyExtrinsic ? extrinsics[phase.asApplyExtrinsic.toNumber()] : null;
        const id = event.data.request.toNumber();
        if (!verdicts.has(id)) verdicts.set(id, []);
        verdicts.get(id).push({
          valid: event.data.valid.isTrue,
          prover: event.data.prover.toString(),
          call: ext ? `${ext.method.section}.${ext.method.method}` : phase.type,
          signed: ext ? ext.isSigned : null,
        });
      }
    }
    const expect = [
      ...bought.map((b) => [b.id, { valid: true, prover: k.bob.address }]),
      [copyId, { valid: false, prover: k.charlie.address }],
    ];
    for (const [id, want] of expect) {
      const got = verdicts.get(id) || [];
      assert.equal(got.length, 1, `one verdict for #${id}: ${JSON.stringify(got)}`);
      assert.equal(got[0].valid, want.valid, `#${id} verdict`);
      assert.equal(got[0].prover, want.prover);
      assert.equal(got[0].call, 'verifier.submitVerdicts', `#${id}: the verdict is the off-chain worker's transaction`);
      assert.equal(got[0].signed, false, `#${id}: unsigned (signed with the verifier key inside)`);
    }
    const rejectedBob = blocks.flatMap(({ records }) => records.map((r) => r.event)
      .filter((e) => e.section === 'market' && e.method === 'ProofRejected' && e.data.prover.toString() === k.bob.address));
    assert.equal(rejectedBob.length, 0, 'the agent never submitted an invalid proof');
    log('verdicts: valid for Bob, invalid for the copy, all from the off-chain worker');
    passed = true;
  } finally {
    if (bob) await bob.stop();
    if (!passed && bob) {
      console.error(`\n===== agent //Bob log, last 80 lines =====\n${bob.log().split('\n').slice(-80).join('\n')}`);
    }
    if (!passed) {
      console.error(`\n===== node log, last 40 lines =====\n${node.logs().split('\n').slice(-40).join('\n')}`);
      console.error(`(files in ${dir})`);
    }
    await node.stop();
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
});

log(`ZKMARKET_BIN=${ZKMARKET_BIN} PROVER_BIN=${PROVER_BIN}`);
