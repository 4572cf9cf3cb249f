// The Rust clients of issue 17 against a dev node: prover agents
// (`zkmarket-prover run`) earn on their own while requesters use the CLI
// (`zkmarket`).
//
// - A (//Bob): demo backend, low min price, locks offers and takes bounties;
// - B (//Charlie): demo backend, min price above every offer's max price: it
//   locks nothing but still proves its auction assignments;
// - C (//Dave): a `command` backend that never answers. The agent checks every
//   proof before submitting it, so a garbage proof is never sent (and a
//   failing backend only makes it decline, which costs no slash); a backend
//   that hangs makes it miss its lock deadlines (collateral forfeited, the
//   bounty goes to A) and its auction deadlines (slashed, re-queued);
// - D (//SlowProver): a slow `command` backend (sleeps, then proves for real);
//   it is killed with SIGKILL while proving an assignment and restarted with
//   the same configuration: the request still settles by D, with one proof.
//
// The requesters (//Alice, //Eve, //Ferdie) submit 10 offers, then 50 auction
// bids with the CLI (one stream per account), every request settles, and the
// CLI fetches each proof (verified off-chain), which must equal `market_proof`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startNode, devKeys, keyFromUri, send, ZK, prover, waitForBlock, bestNumber, sleep, tmpDir, freePort,
  rpc, PROVER_BIN, ZKMARKET_BIN, BACKEND, cli, cliOk, agent, metrics, pool,
} from './lib.mjs';

const t0 = Date.now();
const log = (...a) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

/** Offer terms of the CLI: min,max,ramp,lock,timeout,collateral. */
const OFFER_A = '0.001,0.01,30,60,150,0.5'; // A locks it at once (collateral <= 1)
const OFFER_C = '0.001,0.01,30,40,150,2'; // only C pledges 2 ZK; C locks at price >= 0.005
const BIDS = 50;
const SLOW_SECS = 8;

test('prover agents and the requester CLI on a dev node', { timeout: 600_000 }, async () => {
  const dir = tmpDir('zkmarket-agents-');
  const markers = join(dir, 'backend');
  mkdirSync(markers);
  log(`logs and files in ${dir}`);
  const node = await startNode();
  const { api, url } = node;
  const k = devKeys();
  const slow = keyFromUri('//SlowProver');
  const agents = {};
  let passed = false;
  let finished = false; // stops background waits when the test ends early
  try {
    await waitForBlock(api, 1);
    // Alice's CLI calls follow at once: the CLI must count this (unfinalized) transaction.
    await send(api, api.tx.balances.transferKeepAlive(slow.address, 1000n * ZK), k.alice);

    // ---- the demo program, registered with the CLI -----------------------------
    const program = prover('program');
    const vkFile = join(dir, 'demo.vk');
    writeFileSync(vkFile, `${program.vk}\n`);
    const reg = await cliOk(['program', 'register', vkFile], { url, suri: '//Alice' });
    assert.equal(reg.stdout.trim(), program.programId, 'program register prints the program id');
    const again = await cli(['program', 'register', vkFile], { url, suri: '//Alice' });
    assert.equal(again.code, 4, `registering twice is refused by the chain: ${again.stderr}`);
    log(`program ${program.programId} registered`);

    // ---- four agents ---------------------------------------------------------
    const ports = { A: await freePort(), B: await freePort(), C: await freePort(), D: await freePort() };
    const base = (suri, port, extra) => ({
      url, suri, stake: '100', max_jobs: 4, metrics_port: port, pause_on_exit: false, ...extra,
    });
    // A locks up to 4 offers of one requester at once (the default, 1, would
    // lock each requester's offers one after the other: slow enough here for C
    // to lock some of them first).
    agents.A = agent(dir, 'A', base('//Bob', ports.A, {
      lock_offers: true, take_bounties: true, requester_max_locks: 4,
      programs: [{ id: 'demo', backend: 'demo', min_price: '0.001', max_collateral: '1', prove_secs: 2 }],
    }));
    agents.B = agent(dir, 'B', base('//Charlie', ports.B, {
      lock_offers: true, take_bounties: true,
      programs: [{ id: 'demo', backend: 'demo', min_price: '5', max_collateral: '10', prove_secs: 2 }],
    }));
    // C keeps locking: its requester record is off (a lock it forfeits would
    // otherwise block that requester's other offers, docs/prover-agent.md;
    // tests/clients/preflight.test.mjs tests the record).
    agents.C = agent(dir, 'C', base('//Dave', ports.C, {
      lock_offers: true, take_bounties: false, requester_block_secs: 0, requester_max_locks: 4,
      programs: [{
        id: program.programId, backend: 'command', command: [process.execPath, BACKEND, 'hang', markers],
        min_price: '0.005', max_collateral: '10', prove_secs: 1,
      }],
    }));
    agents.D = agent(dir, 'D', base('//SlowProver', ports.D, {
      stake: '150', max_jobs: 2, lock_offers: false, take_bounties: false,
      programs: [{
        id: 'demo', backend: 'command', command: [process.execPath, BACKEND, 'slow', String(SLOW_SECS), PROVER_BIN, markers],
        min_price: '0.001', max_collateral: '1', prove_secs: SLOW_SECS + 2,
      }],
    }));
    for (const a of Object.values(agents)) a.start();
    const who = { A: k.bob.address, B: k.charlie.address, C: k.dave.address, D: slow.address };
    const nameOf = Object.fromEntries(Object.entries(who).map(([n, a]) => [a, n]));
    for (const [n, address] of Object.entries(who)) {
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (!agents[n].running()) throw new Error(`agent ${n} exited during start-up`);
        const p = await rpc(node, 'market_prover', [address]).catch(() => null);
        if (p && p.eligible) break;
        if (Date.now() > deadline) throw new Error(`agent ${n} did not register`);
        await sleep(500);
      }
    }
    log('agents A, B, C, D registered');

    // ---- 10 offers: 7 that A locks, 3 that only C locks (and then misses) ---------
    const streams = [['//Alice', k.alice], ['//Eve', k.eve], ['//Ferdie', k.ferdie]];
    const submitted = []; // { id, kind, requester, x }
    const submit = async (suri, x, pricing, wait) => {
      const r = await cli(['request', 'submit', '--program', program.programId, '--demo-x', x, ...pricing,
        ...(wait ? ['--out', join(dir, `proof-wait-${x}.json`), '--timeout', '420'] : ['--no-wait'])],
      { url, suri, timeoutMs: wait ? 450_000 : 60_000 });
      const id = Number(r.stdout.split('\n')[0]);
      if (!Number.isInteger(id) || (!wait && r.code !== 0)) {
        throw new Error(`submit by ${suri} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      return { id, r };
    };
    const offerPlan = [
      ['//Alice', [OFFER_A, OFFER_A, OFFER_A, OFFER_C]],
      ['//Eve', [OFFER_A, OFFER_A, OFFER_C]],
      ['//Ferdie', [OFFER_A, OFFER_A, OFFER_C]],
    ];
    let x = 1000;
    await Promise.all(offerPlan.map(async ([suri, offers]) => {
      for (const terms of offers) {
        const myX = x++;
        const { id } = await submit(suri, myX, ['--offer', terms, '--start-in', '0'], false);
        submitted.push({ id, kind: terms === OFFER_A ? 'offerA' : 'offerC', requester: suri, x: myX });
      }
    }));
    const stateOf = async (id) => (await rpc(node, 'market_request', [id])).state;
    {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const states = await Promise.all(submitted.map((s) => stateOf(s.id)));
        if (states.every((s) => s.status !== 'Open')) break;
        if (Date.now() > deadline) throw new Error(`offers not all locked: ${JSON.stringify(states)}`);
        await sleep(1000);
      }
    }
    log(`10 offers submitted and locked: ${submitted.map((s) => `#${s.id} ${s.kind}`).join(', ')}`);

    // ---- SIGKILL of D while it proves an assignment, then a restart ------------
    const killed = (async () => {
      const m = await agents.D.waitForLog(/assignment #(\d+): proving/, { timeoutMs: 240_000, until: () => finished });
      const id = Number(m[1]);
      const deadline = Date.now() + 30_000;
      while (!readdirSync(markers).some((f) => f.startsWith(`slow-${id}-`))) {
        if (Date.now() > deadline || finished) throw new Error(`D's backend never started on #${id}`);
        await sleep(100);
      }
      await sleep(2000); // mid-proof: the backend sleeps SLOW_SECS
      const before = await stateOf(id);
      assert.equal(before.status, 'Assigned', `#${id} is still being proven by D when it is killed`);
      assert.equal(before.prover, slow.address);
      const exit = await agents.D.kill('SIGKILL');
      assert.equal(exit.signal, 'SIGKILL');
      log(`D killed with SIGKILL while proving #${id}; restarting it`);
      const logLength = agents.D.log().length;
      await sleep(1000);
      agents.D.start();
      await agents.D.waitForLog(new RegExp(`assignment #${id}: proving`), { timeoutMs: 60_000, from: logLength, until: () => finished });
      return { id, deadline: before.deadline };
    })();
    killed.catch(() => {}); // awaited below

    // ---- 50 auction bids, one CLI stream per requester -----------------------------
    const perStream = [17, 17, 16];
    const waited = [];
    await Promise.all(streams.map(async ([suri], s) => {
      for (let i = 0; i < perStream[s]; i++) {
        const myX = 2000 + s * 100 + i;
        const bid = (10 + s * 20 + i) / 1000;
        const last = i === perStream[s] - 1; // the last bid of a stream waits for its proof
        const { id, r } = await submit(suri, myX, ['--bid', String(bid), '--max-base-fee', '1', '--expires-in', '600'], last);
        submitted.push({ id, kind: 'bid', requester: suri, x: myX });
        if (last) waited.push({ id, r, x: myX });
      }
    }));
    assert.equal(submitted.length, 10 + BIDS);
    log(`${BIDS} bids submitted; the 3 waiting CLIs returned`);
    for (const { id, r, x: wx } of waited) {
      assert.equal(r.code, 0, `the waiting CLI of #${id} ends when its request settles: ${r.stderr}`);
      assert.match(r.stderr, /verified: settled/, 'progress on stderr');
      const file = JSON.parse(readFileSync(join(dir, `proof-wait-${wx}.json`), 'utf8'));
      assert.equal(file.request, id);
    }

    // ---- every request settles ---------------------------------------------------------
    {
      const deadline = Date.now() + 300_000;
      let lastLog = 0;
      for (;;) {
        const states = await Promise.all(submitted.map((s) => stateOf(s.id)));
        const open = submitted.filter((s, i) => states[i].status !== 'Settled');
        if (open.length === 0) break;
        const bad = submitted.filter((s, i) => ['Expired', 'Cancelled'].includes(states[i].status));
        if (bad.length) throw new Error(`requests closed without a proof: ${bad.map((b) => b.id)}`);
        if (Date.now() > deadline) throw new Error(`not settled: ${open.map((o) => `#${o.id} ${JSON.stringify(states[submitted.indexOf(o)])}`).join('; ')}`);
        if (Date.now() - lastLog > 20_000) {
          lastLog = Date.now();
          log(`${submitted.length - open.length} of ${submitted.length} settled; open: ${open.map((o) => `#${o.id}`).join(' ')}`);
        }
        await sleep(2000);
      }
    }
    log(`all ${submitted.length} requests settled`);
    const kill = await killed;

    // ---- the CLI: status and proofs, checked against market_proof -------------------
    await pool(submitted, 6, async (s) => {
      const st = JSON.parse((await cliOk(['request', 'status', s.id, '--json'], { url })).stdout);
      assert.equal(st.id, s.id);
      assert.equal(st.state.status, 'Settled', `request status ${s.id}`);
      const out = join(dir, `proof-${s.id}.json`);
      await cliOk(['request', 'proof', s.id, '--out', out], { url });
      const file = JSON.parse(readFileSync(out, 'utf8'));
      const chain = await rpc(node, 'market_proof', [s.id]);
      assert.equal(file.proof, chain.proof, `proof of #${s.id} from the CLI = market_proof`);
      assert.equal(file.prover, chain.prover);
      assert.equal(file.prover, st.state.prover);
      assert.deepEqual(file.inputs, chain.inputs);
      assert.deepEqual(file.inputs, [prover('input', s.x).y], `#${s.id} proves y(${s.x})`);
      assert.equal(file.program, program.programId);
      s.prover = chain.prover;
    });
    for (const { id, x: wx } of waited) {
      const file = JSON.parse(readFileSync(join(dir, `proof-wait-${wx}.json`), 'utf8'));
      assert.equal(file.proof, (await rpc(node, 'market_proof', [id])).proof, `the waiting CLI's proof of #${id}`);
    }
    const missing = await cli(['request', 'proof', 999_999, '--out', join(dir, 'none.json')], { url });
    assert.equal(missing.code, 5, 'no such request: exit code 5');
    log('CLI status and proofs checked against market_proof');

    // ---- the chain's record: every block's events and proof extrinsics ------------------
    const best = await bestNumber(api);
    const blocks = await pool([...Array(best).keys()].map((i) => i + 1), 8, async (n) => {
      const hash = await api.rpc.chain.getBlockHash(n);
      const [block, events] = await Promise.all([api.rpc.chain.getBlock(hash), api.query.system.events.at(hash)]);
      return { n, block: block.block, events: events.map((r) => r.event) };
    });
    const ev = (method) => blocks.flatMap(({ n, events }) => events
      .filter((e) => e.section === 'market' && e.method === method)
      .map((e) => ({ n, id: e.data.id.toNumber(), prover: e.data.prover ? e.data.prover.toString() : undefined, e })));
    const locked = ev('RequestLocked');
    const settled = ev('RequestSettled');
    const assigned = ev('Assigned');
    const proofSubmitted = ev('ProofSubmitted');
    const ours = new Set(submitted.map((s) => s.id));
    const byName = (list, n) => list.filter((e) => e.prover === who[n] && ours.has(e.id));
    const count = (list) => Object.fromEntries(Object.keys(who).map((n) => [n, byName(list, n).length]));
    log(`locks ${JSON.stringify(count(locked))}, assignments ${JSON.stringify(count(assigned))}, settled ${JSON.stringify(count(settled))}`);
    assert.equal(ev('ProofRejected').length, 0, 'agents check proofs before submitting: no invalid proof on chain');

    // A locks offers; B locks none but proves auction assignments.
    assert.ok(byName(locked, 'A').length >= 1, 'A locked offers');
    assert.equal(byName(locked, 'B').length, 0, 'B (min price above every max price) locked no offer');
    assert.ok(byName(settled, 'B').length >= 1, 'B proved auction assignments');
    assert.ok(byName(settled, 'B').every((e) => submitted.find((s) => s.id === e.id).kind === 'bid'), 'B settled only bids');

    // C: slashed, and its jobs settled through other provers.
    const cSlashes = [...byName(ev('LockMissed'), 'C'), ...byName(ev('DeadlineMissed'), 'C'), ...byName(ev('ProofRejected'), 'C')];
    assert.ok(cSlashes.length >= 1, 'C was slashed');
    for (const s of submitted.filter((o) => o.kind === 'offerC')) {
      assert.ok(byName(locked, 'C').some((e) => e.id === s.id), `C locked the offer #${s.id} only it accepts`);
      assert.ok(byName(ev('LockMissed'), 'C').some((e) => e.id === s.id), `C missed the lock of #${s.id}`);
      assert.equal(s.prover, who.A, `the bounty of #${s.id} went to A`);
    }
    const cJobs = new Set([...byName(locked, 'C'), ...byName(assigned, 'C')].map((e) => e.id));
    for (const id of cJobs) {
      const s = settled.find((e) => e.id === id);
      assert.notEqual(s.prover, who.C, `C's job #${id} was settled by another prover`);
    }
    assert.equal(byName(settled, 'C').length, 0, 'C settled nothing');
    const cStake = (await api.query.provers.provers(who.C)).unwrap().stake.toBigInt();
    assert.ok(cStake < 100n * ZK, `C's stake fell (${cStake})`);
    log(`C: ${cSlashes.length} slash(es) (${cSlashes.map((e) => `#${e.id} ${e.e.method}`).join(', ')}), ${cJobs.size} job(s) all settled by others, stake ${Number(cStake / 10n ** 15n) / 1000} ZK`);

    // D after SIGKILL: the request settled by D before its deadline, one proof.
    const dSubmits = blocks.flatMap(({ n, block }) => block.extrinsics
      .filter((x) => x.isSigned && x.signer.toString() === who.D && x.method.section === 'verifier'
        && x.method.method === 'submitProof' && x.method.args[0].toNumber() === kill.id)
      .map(() => n));
    const dEvents = proofSubmitted.filter((e) => e.id === kill.id && e.prover === who.D);
    assert.equal(dSubmits.length, 1, `one submitProof of #${kill.id} from D (blocks ${dSubmits})`);
    assert.equal(dEvents.length, 1, `one ProofSubmitted of #${kill.id} by D`);
    assert.ok(dEvents[0].n <= kill.deadline, `#${kill.id}: proof in block ${dEvents[0].n}, deadline ${kill.deadline}`);
    assert.equal(settled.find((e) => e.id === kill.id).prover, who.D, `#${kill.id} settled by D after its restart`);
    log(`#${kill.id}: D killed mid-proof, restarted, proof in block ${dEvents[0].n} (deadline ${kill.deadline}), settled by D`);

    // ---- metrics ---------------------------------------------------------------------
    const mA = await metrics(ports.A);
    for (const [name, labels] of [['zkprover_proofs_submitted_total'], ['zkprover_proofs_verified_total'],
      ['zkprover_jobs_taken_total', 'kind="lock"'], ['zkprover_earnings_planck_total'], ['zkprover_best_block'],
      ['zkprover_proof_seconds_count']]) {
      assert.ok(mA.value(name, labels) > 0, `A: ${name}${labels ? `{${labels}}` : ''} > 0:\n${mA.text}`);
    }
    const mB = await metrics(ports.B);
    assert.equal(mB.value('zkprover_jobs_taken_total', 'kind="lock"'), 0, 'B took no lock');
    assert.ok(mB.value('zkprover_decisions_total', 'action="lock",reason="price_below_cost"') > 0, `B skipped offers as below cost:\n${mB.text}`);
    const mC = await metrics(ports.C);
    assert.ok(mC.value('zkprover_backend_failures_total') > 0, 'C: backend failures counted');
    assert.ok(mC.value('zkprover_slashes_total') > 0, `C: slashes counted:\n${mC.text}`);
    log('metrics checked');
    passed = true;
  } finally {
    finished = true;
    await Promise.all(Object.values(agents).map((a) => a.stop()));
    if (!passed) {
      for (const a of Object.values(agents)) {
        console.error(`\n===== agent ${a.name} (${a.cfg.suri}) log, last 80 lines =====`);
        console.error(a.log().split('\n').slice(-80).join('\n'));
      }
      console.error(`\n===== node log, last 40 lines =====\n${node.logs().split('\n').slice(-40).join('\n')}`);
      console.error(`(files in ${dir})`);
    }
    await node.stop();
    log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
});

// Keep the binaries' paths in the output for whoever reads a failure.
log(`ZKMARKET_BIN=${ZKMARKET_BIN} PROVER_BIN=${PROVER_BIN}`);
