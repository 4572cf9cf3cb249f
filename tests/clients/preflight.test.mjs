// Issue 28 (item 3): a prover agent with a `command` backend and a
// `preflight` against a requester whose offers cannot be proven.
//
// //Bob's agent proves the demo program through tests/clients/backend.mjs
// (`slow 0`: proves for real at once) with the preflight `backend.mjs witness`
// (exit 3 when the input has no small demo witness), at most one lock per
// requester and `requester_failure_limit = 2`. //Eve posts 3 offers of an
// input without a witness (y = 6), at Bob's max collateral; //Ferdie posts one
// that can be proven. Checks: Eve's first two offers fail the preflight (run
// once each, never locked), Eve is blocked and her third offer is skipped
// without a preflight; Ferdie's offer is locked and settled by Bob; the
// agent's log and metrics say so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startNode, devKeys, prover, waitForBlock, sleep, tmpDir, freePort, rpc, cli, cliOk, agent, metrics,
  BACKEND, PROVER_BIN,
} from './lib.mjs';

const t0 = Date.now();
const log = (...a) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

/** Offer terms of the CLI: min,max,ramp,lock,timeout,collateral (= Bob's max_collateral). */
const OFFER = '0.001,0.01,30,60,150,1';

test('an agent with a preflight skips a requester whose offers cannot be proven', { timeout: 180_000 }, async () => {
  const dir = tmpDir('zkmarket-preflight-');
  const markers = join(dir, 'backend');
  mkdirSync(markers);
  log(`logs and files in ${dir}`);
  const node = await startNode();
  const { api, url } = node;
  const k = devKeys();
  let bob;
  let passed = false;
  try {
    await waitForBlock(api, 1);
    const program = prover('program');
    const vkFile = join(dir, 'demo.vk');
    writeFileSync(vkFile, `${program.vk}\n`);
    await cliOk(['program', 'register', vkFile], { url, suri: '//Alice' });
    const port = await freePort();
    bob = agent(dir, 'bob', {
      url, suri: '//Bob', stake: '100', max_jobs: 2, metrics_port: port, pause_on_exit: false,
      lock_offers: true, take_bounties: false, requester_failure_limit: 2,
      programs: [{
        id: program.programId, backend: 'command',
        command: [process.execPath, BACKEND, 'slow', '0', PROVER_BIN, markers],
        preflight: [process.execPath, BACKEND, 'witness', markers], preflight_timeout_secs: 20,
        min_price: '0.001', max_collateral: '1', prove_secs: 3,
      }],
    }).start();
    for (const deadline = Date.now() + 60_000; ;) {
      if (!bob.running()) throw new Error('the agent exited during start-up');
      const p = await rpc(node, 'market_prover', [k.bob.address]).catch(() => null);
      if (p && p.eligible) break;
      if (Date.now() > deadline) throw new Error('the agent did not register');
      await sleep(500);
    }
    log('program registered, agent registered');

    const submit = async (suri, inputs) => {
      const r = await cli(['request', 'submit', '--program', program.programId, ...inputs,
        '--offer', OFFER, '--start-in', '0', '--no-wait'], { url, suri, timeoutMs: 60_000 });
      const id = Number(r.stdout.split('\n')[0]);
      if (r.code !== 0 || !Number.isInteger(id)) throw new Error(`submit by ${suri} failed (${r.code}): ${r.stderr}`);
      return id;
    };
    const [eve, ferdie] = await Promise.all([
      (async () => {
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push(await submit('//Eve', ['--inputs', '6'])); // no x: x^3 + x + 5 = 6
        return ids;
      })(),
      submit('//Ferdie', ['--demo-x', '7']),
    ]);
    log(`Eve's offers ${eve.join(', ')} (no witness), Ferdie's offer ${ferdie}`);

    const stateOf = async (id) => (await rpc(node, 'market_request', [id])).state;
    await bob.waitForLog(new RegExp(`lock #${eve[2]}: skipped: requester blocked`), { timeoutMs: 60_000 });
    for (const deadline = Date.now() + 60_000; ;) {
      const s = await stateOf(ferdie);
      if (s.status === 'Settled') {
        assert.equal(s.prover, k.bob.address, `Ferdie's offer #${ferdie} settled by Bob`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`Ferdie's offer #${ferdie} not settled: ${JSON.stringify(s)}`);
      await sleep(1000);
    }
    log(`Eve blocked, her third offer skipped; Ferdie's offer #${ferdie} settled by Bob`);

    for (const id of eve) assert.equal((await stateOf(id)).status, 'Open', `Eve's offer #${id} was never locked`);
    const ran = (mode, id) => readdirSync(markers).filter((f) => f.startsWith(`${mode}-${id}-`)).length;
    assert.deepEqual(eve.map((id) => ran('witness', id)), [1, 1, 0], 'one preflight per offer, none once Eve is blocked');
    assert.deepEqual(eve.map((id) => ran('slow', id)), [0, 0, 0], 'no proving of Eve\'s offers');
    assert.equal(ran('witness', ferdie), 1, 'Ferdie\'s offer passed its preflight');
    const text = bob.log();
    assert.match(text, new RegExp(`lock #${eve[0]}: cannot be proven, not taken: preflight: .*exited with status 3`));
    assert.match(text, new RegExp(`requester ${k.eve.address}: blocked until .* \\(2 failure\\(s\\)`));
    const m = await metrics(port);
    for (const [name, labels, want] of [
      ['zkprover_preflights_total', 'result="fail"', 2],
      ['zkprover_preflights_total', 'result="pass"', 1],
      ['zkprover_requesters_blocked_total', '', 1],
      ['zkprover_blocked_requesters', '', 1],
      ['zkprover_jobs_taken_total', 'kind="lock"', 1],
      ['zkprover_decisions_total', 'action="lock",reason="requester_blocked"', 1],
    ]) {
      assert.equal(m.value(name, labels), want, `${name}{${labels}}:\n${m.text}`);
    }
    log('log, backend runs and metrics checked');
    passed = true;
  } finally {
    if (bob) await bob.stop();
    if (!passed && bob) {
      console.error(`\n===== agent log, last 60 lines =====\n${bob.log().split('\n').slice(-60).join('\n')}`);
      console.error(`(files in ${dir})`);
    }
    await node.stop();
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
});
