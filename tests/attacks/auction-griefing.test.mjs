// Attack: auction griefing (issue 27, item 4): one dev node for the whole file,
// two real prover agents (`zkmarket-prover run`, demo backend, //Bob and
// //Charlie, `max_jobs` 4 each: 8 auction slots in all) and provers driven
// with @polkadot/api (//Dave, //Ferdie, //Third, //Decliner). The tests run in
// order on the same chain (each leaves no bid anyone serves behind).
//
// Programs: A = the demo program (`zkmarket-prover program`, served by the
// agents); B, C and D = the demo key with one of its points negated (valid,
// different keys nobody can prove): B served by Ferdie only, C by nobody, D by
// Dave (and later Ferdie and Third).
//
// What must hold (each test performs the attack and checks the chain):
// - set_capabilities: a declaration is stored, evented and shown by
//   `market_prover`; refused ones (`provers.KindNotServable`,
//   `InvalidMaxJobs`, `DuplicateCapability`, `NotRegistered`, over the bounds)
//   change nothing; the agents declare their [[programs]] and `max_jobs`;
// - (c) a bid for a program nobody serves is never assigned, is no demand
//   (the BaseFee falls by the full step every block, no `AuctionCleared`) and
//   is refunded in full at expiry;
// - a prover that declines a request for free (early) loses reputation, not
//   stake, once another prover proves it (`market.DeclineDisproved`);
// - (d) an agent that serves only A is never dealt B: B bids go to Ferdie, at
//   most his declared 2 at once; declined by him they stay queued while the
//   agents have free slots; A bids settle through the agents;
// - (b) the top-ranked prover (Dave) declining in its deadline block pays what
//   a miss costs (5% slash, reputation rule, failure counted, the retry fee
//   not charged to the requester) and is never dealt the request again; a
//   prover that never declared gets nothing; the third distinct decliner
//   closes the request as unprovable with the rest of its escrow refunded;
// - (a) 64 unprovable bids of 1 ZK (demo inputs of x >= 2^20: the demo backend
//   finds no witness, the agents decline) against the 8 agent slots, 4 honest
//   bids of 0.1 ZK three blocks later: all 4 settle within 30 blocks of their
//   inclusion, or the attacker has paid at least 5 ZK (retry fees + fees) by
//   then; the measurements are printed as diagnostics;
// - throughout (a block monitor from block 1): every `Assigned` names a
//   prover that declared the request's program (or its kind), is not excluded
//   from the request, and holds at most its declared jobs.
//
//   cd tests && node --test attacks/auction-griefing.test.mjs     (about 6 minutes)
// GRIEFING_TRACE=1 prints (a)'s block-by-block trace (BaseFee, dealt,
// declined, demand, capacity); agent logs are in the temp dir printed first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  startNode, devKeys, keyFromUri, ZK, prover, sendAll, signOffline, submitSigned, txOutcomes,
  eventsNamed, bestNumber, waitForBlock, freeOf, holdOf, rpc, treasuryAddress, tmpDir, sleep, PROVER_BIN,
} from '../e2e/lib.mjs';

const ESCROW = { market: 'Escrow' };
const PERBILL = 1_000_000_000n;
const t0 = Date.now();
const log = (...a) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

/** The demo key with the point ending at byte `last` negated (flip its y-sign flag): a valid, different key. */
function negated(vkHex, last) {
  const bytes = Buffer.from(vkHex.slice(2), 'hex');
  bytes[last] ^= 0x80;
  return `0x${bytes.toString('hex')}`;
}

/** SPEC section 4 for no served demand (`on_demand(0, 0)`): the BaseFee falls by 1/8, not below the minimum. */
const fallen = (fee, min) => {
  const next = fee - fee / 8n;
  return next < min ? min : next;
};

/** reputation::on_failure: r - ceil(beta * r), in parts per billion. */
const afterFailure = (r, beta) => r - (beta * r + PERBILL - 1n) / PERBILL;

/** A prover.toml from a plain object (strings, numbers, booleans, `programs`). */
function toml(cfg) {
  const val = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  let out = '';
  for (const [k, v] of Object.entries(cfg)) if (k !== 'programs') out += `${k} = ${val(v)}\n`;
  for (const p of cfg.programs || []) {
    out += '\n[[programs]]\n';
    for (const [k, v] of Object.entries(p)) out += `${k} = ${val(v)}\n`;
  }
  return out;
}

/** A prover agent process, its log in `dir`. */
function startAgent(dir, name, cfg) {
  const config = join(dir, `${name}.toml`);
  const logFile = join(dir, `${name}.log`);
  writeFileSync(config, toml(cfg));
  const fd = openSync(logFile, 'a');
  const proc = spawn(PROVER_BIN, ['run', '--config', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = null;
  const exit = new Promise((r) => proc.on('exit', (code, signal) => { exited = { code, signal }; r(exited); }));
  process.on('exit', () => { if (!exited) proc.kill('SIGKILL'); });
  return {
    name,
    logFile,
    log: () => readFileSync(logFile, 'utf8'),
    running: () => !exited,
    async stop() {
      if (exited) return exited;
      proc.kill('SIGINT');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const r = await exit;
      clearTimeout(t);
      return r;
    },
  };
}

/**
 * Reads every block from 1 on as it is imported (the dev node prunes state
 * after 256 blocks, so the checks run while it is there): keeps each block's
 * events and BaseFee, and checks every `Assigned` against the chain's state
 * at that block: the prover declared the request's program or its kind, is
 * not excluded from the request, and holds at most its declared jobs.
 */
class Monitor {
  constructor(api) {
    this.api = api;
    this.next = 1;
    this.blocks = new Map();
    this.violations = [];
    this.assigned = 0;
    this.stopped = false;
    this.error = null;
    this.kinds = new Map();
  }

  start() {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          const best = await bestNumber(this.api);
          while (this.next <= best && !this.stopped) {
            await this.read(this.next);
            this.next += 1;
          }
        } catch (e) {
          if (!this.stopped) this.error = e;
          return;
        }
        await sleep(200);
      }
    })();
  }

  async stop() {
    this.stopped = true;
    await this.loop;
  }

  async read(n) {
    const { api } = this;
    const hash = (await api.rpc.chain.getBlockHash(n)).toHex();
    const at = await api.at(hash);
    const [records, baseFee] = await Promise.all([at.query.system.events(), at.query.baseFee.baseFee()]);
    const events = records.map((r) => r.event);
    for (const e of eventsNamed(events, 'market', 'Assigned')) {
      this.assigned += 1;
      const id = e.data.id.toNumber();
      const who = e.data.prover.toString();
      const [req, caps, ex, info] = await Promise.all([
        at.query.market.requests(id), at.query.provers.capabilities(who), at.query.market.requestExclusions(id),
        at.query.provers.provers(who),
      ]);
      const program = req.unwrap().program.toHex();
      if (!this.kinds.has(program)) this.kinds.set(program, (await at.query.verifier.programs(program)).unwrap().kind.index);
      const kind = this.kinds.get(program);
      const bad = (why) => this.violations.push(`block ${n}: request ${id} dealt to ${who}: ${why}`);
      if (caps.isNone) {
        bad('the prover declared nothing');
        continue;
      }
      const c = caps.unwrap();
      if (!c.programs.some((p) => p.toHex() === program) && ![...c.kinds].map(Number).includes(kind)) {
        bad(`program ${program} (kind ${kind}) not declared (programs ${c.programs.map((p) => p.toHex())}, kinds ${[...c.kinds]})`);
      }
      if (ex.isSome && ex.unwrap().provers.some(([a]) => a.toString() === who)) bad('the prover is excluded from it');
      const jobs = info.unwrap().activeJobs.toNumber();
      if (jobs > c.maxJobs.toNumber()) bad(`${jobs} active jobs, declared ${c.maxJobs.toNumber()}`);
    }
    this.blocks.set(n, { n, hash, records, events, baseFee: baseFee.toBigInt() });
  }

  /** Block `n` once read (waits for it). */
  async block(n, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.blocks.has(n)) {
      if (this.error) throw this.error;
      if (Date.now() > deadline) throw new Error(`block ${n} not read in time (monitor at ${this.next})`);
      await sleep(100);
    }
    return this.blocks.get(n);
  }

  /** The first block from `from` on (up to `to`) whose events satisfy `pred(events, block)`; null past `to`. */
  async find(from, pred, { to = Infinity, timeoutMs = 240_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (let n = from; n <= to; n++) {
      const b = await this.block(n, Math.max(1, deadline - Date.now()));
      if (pred(b.events, b)) return b;
    }
    return null;
  }
}

/** `section.method` events of request `id` in `events`. */
const ofId = (events, section, method, id) => eventsNamed(events, section, method).filter((e) => e.data.id.toNumber() === id);
const idOf = (o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
/** Capabilities as plain JSON: { programs: [hex], kinds: [n], maxJobs }, or null. */
const capsOf = async (api, who, at) => {
  const q = at ? await api.at(at) : api;
  const c = await q.query.provers.capabilities(who);
  if (c.isNone) return null;
  const v = c.unwrap();
  return { programs: v.programs.map((p) => p.toHex()), kinds: [...v.kinds].map(Number), maxJobs: v.maxJobs.toNumber() };
};
const infoOf = async (api, who, at) => (await (at ? await api.at(at) : api).query.provers.provers(who)).unwrap();
const exclusionsOf = async (api, id, at) => {
  const ex = await (at ? await api.at(at) : api).query.market.requestExclusions(id);
  if (ex.isNone) return null;
  const v = ex.unwrap();
  return { provers: v.provers.map(([a, r]) => [a.toString(), r.type]), declines: v.declines.toNumber() };
};
const stateOf = async (api, id, at) => (await (at ? await api.at(at) : api).query.market.requests(id)).unwrap().state;
const zk = (x) => `${Number(x) / 1e18} ZK`;

// ---- the shared chain ------------------------------------------------------------------
let node;
let api;
let k;
let monitor;
const agents = [];
let dir;
const P = {}; // program ids: A, B, C, D
const acct = {};

before(async () => {
  dir = tmpDir('zkmarket-griefing-');
  log(`agent logs in ${dir}`);
  node = await startNode();
  api = node.api;
  k = devKeys();
  acct.griefer = keyFromUri('//Griefer');
  acct.honest = keyFromUri('//Honest');
  acct.third = keyFromUri('//Third');
  acct.decliner = keyFromUri('//Decliner');
  await waitForBlock(api, 1);
  monitor = new Monitor(api);
  monitor.start();

  const demo = prover('program');
  const keys = { A: demo.vk, B: negated(demo.vk, 31), C: negated(demo.vk, 95), D: negated(demo.vk, 159) };
  const setup = await sendAll(api, [
    ...Object.values(keys).map((vk) => ({ tx: api.tx.verifier.registerProgram(vk), signer: k.alice })),
    { tx: api.tx.balances.transferKeepAlive(acct.griefer.address, 300n * ZK), signer: k.alice },
    { tx: api.tx.balances.transferKeepAlive(acct.honest.address, 10n * ZK), signer: k.alice },
    { tx: api.tx.balances.transferKeepAlive(acct.third.address, 200n * ZK), signer: k.alice },
    { tx: api.tx.balances.transferKeepAlive(acct.decliner.address, 1_100n * ZK), signer: k.alice },
    { tx: api.tx.provers.register(500n * ZK), signer: k.dave },
    { tx: api.tx.provers.register(50n * ZK), signer: k.ferdie },
  ]);
  for (const o of setup) assert.ok(o.ok, `setup: ${o.error}`);
  Object.keys(keys).forEach((name, i) => {
    P[name] = eventsNamed(setup[i].events, 'verifier', 'ProgramRegistered')[0].data.id.toHex();
  });
  assert.equal(P.A, demo.programId);
  assert.equal(new Set(Object.values(P)).size, 4, 'four different programs');

  // The two agents: the demo program only, 4 jobs at once each.
  for (const [name, suri] of [['bob', '//Bob'], ['charlie', '//Charlie']]) {
    agents.push(startAgent(dir, name, {
      url: node.url, suri, stake: '100', max_jobs: 4, metrics_port: 0, pause_on_exit: false,
      lock_offers: false, take_bounties: false,
      programs: [{ id: 'demo', backend: 'demo', min_price: '0.001', max_collateral: '1', prove_secs: 2 }],
    }));
  }
  for (const [a, who] of [[agents[0], k.bob], [agents[1], k.charlie]]) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!a.running()) throw new Error(`agent ${a.name} exited:\n${a.log().slice(-3000)}`);
      const p = await rpc(node, 'market_prover', [who.address]).catch(() => null);
      if (p && p.eligible && p.capabilities && p.capabilities.programs.length > 0) break;
      if (Date.now() > deadline) throw new Error(`agent ${a.name} did not register and declare:\n${a.log().slice(-3000)}`);
      await sleep(500);
    }
  }
  log(`programs A ${P.A}, B ${P.B}, C ${P.C}, D ${P.D}; agents registered and declared (block ${await bestNumber(api)})`);
}, { timeout: 300_000 });

after(async () => {
  for (const a of agents) await a.stop();
  if (monitor) await monitor.stop();
  if (node) await node.stop();
});

// ---- set_capabilities ---------------------------------------------------------------------
test('set_capabilities: declarations are stored and shown; refused ones change nothing', { timeout: 300_000 }, async (t) => {
  const maxJobs = api.consts.provers.maxJobsPerProver.toNumber();
  const maxPrograms = api.consts.provers.maxCapabilityPrograms.toNumber();
  const maxKinds = api.consts.provers.maxCapabilityKinds.toNumber();
  assert.equal(maxJobs, 4);
  assert.equal(maxPrograms, 16);
  assert.equal(maxKinds, 2);

  // The agents declared their [[programs]] and max_jobs at start.
  for (const who of [k.bob, k.charlie]) {
    assert.deepEqual(await capsOf(api, who.address), { programs: [P.A], kinds: [], maxJobs: 4 }, 'the agent declared its config');
    assert.deepEqual((await rpc(node, 'market_prover', [who.address])).capabilities, { programs: [P.A], kinds: [], maxJobs: 4 });
  }
  // A registered prover that declared nothing: no entry; the RPC shows nothing served.
  assert.equal(await capsOf(api, k.dave.address), null);
  assert.deepEqual((await rpc(node, 'market_prover', [k.dave.address])).capabilities, { programs: [], kinds: [], maxJobs });
  await assert.rejects(rpc(node, 'market_prover', [k.eve.address]), /not a registered prover/);

  const [first] = await sendAll(api, [{ tx: api.tx.provers.setCapabilities([P.D], [3], 2), signer: k.dave }]);
  assert.ok(first.ok, first.error);
  const set = eventsNamed(first.events, 'provers', 'CapabilitiesSet')[0];
  assert.equal(set.data.who.toString(), k.dave.address);
  assert.deepEqual(set.data.programs.map((p) => p.toHex()), [P.D]);
  assert.deepEqual([...set.data.kinds].map(Number), [3]);
  assert.equal(set.data.maxJobs.toNumber(), 2);
  const declared = { programs: [P.D], kinds: [3], maxJobs: 2 };
  assert.deepEqual(await capsOf(api, k.dave.address), declared);
  assert.deepEqual((await rpc(node, 'market_prover', [k.dave.address])).capabilities, declared);

  // Refused declarations, all in one block: each names its error and changes nothing.
  const indexBefore = (await api.query.provers.capabilityIndex.keys()).map((x) => x.toHex()).sort();
  const refused = await sendAll(api, [
    { tx: api.tx.provers.setCapabilities([P.D], [0], 2), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.D], [2], 2), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.D], [5], 2), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.D], [3], 0), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.D], [3], maxJobs + 1), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.D, P.D], [], 2), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.D], [3, 3], 2), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.A], [], 2), signer: k.eve },
  ]);
  assert.deepEqual(refused.map((o) => o.error), [
    'provers.KindNotServable', 'provers.KindNotServable', 'provers.KindNotServable',
    'provers.InvalidMaxJobs', 'provers.InvalidMaxJobs',
    'provers.DuplicateCapability', 'provers.DuplicateCapability',
    'provers.NotRegistered',
  ]);
  for (const o of refused) assert.equal(eventsNamed(o.events, 'provers', 'CapabilitiesSet').length, 0);
  assert.deepEqual(await capsOf(api, k.dave.address), declared, 'unchanged');
  assert.deepEqual((await rpc(node, 'market_prover', [k.dave.address])).capabilities, declared);
  assert.equal(await capsOf(api, k.eve.address), null);
  assert.deepEqual((await api.query.provers.capabilityIndex.keys()).map((x) => x.toHex()).sort(), indexBefore, 'capability index unchanged');

  // Over the bounds (17 programs, 3 kinds): the call does not even decode.
  const nonce = (await api.rpc.system.accountNextIndex(k.dave.address)).toNumber();
  const programs17 = Array.from({ length: maxPrograms + 1 }, (_, i) => `0x${(i + 1).toString(16).padStart(64, '0')}`);
  for (const tx of [api.tx.provers.setCapabilities(programs17, [], 2), api.tx.provers.setCapabilities([P.D], [3, 4, 3], 2)]) {
    const signed = await signOffline(tx, k.dave, nonce);
    await assert.rejects(rpc(node, 'author_submitExtrinsic', [signed.toHex()]), (e) => {
      t.diagnostic(`over the bounds, refused by the pool: ${e.message.split('\n')[0].slice(0, 100)}`);
      return true;
    });
  }
  assert.deepEqual(await capsOf(api, k.dave.address), declared, 'unchanged');

  // A new declaration replaces the old one (kinds sorted); Ferdie serves B only, 2 jobs at once.
  const [again, ferdie] = await sendAll(api, [
    { tx: api.tx.provers.setCapabilities([P.D], [4, 3], 3), signer: k.dave },
    { tx: api.tx.provers.setCapabilities([P.B], [], 2), signer: k.ferdie },
  ]);
  assert.ok(again.ok && ferdie.ok, `${again.error} ${ferdie.error}`);
  assert.deepEqual([...eventsNamed(again.events, 'provers', 'CapabilitiesSet')[0].data.kinds].map(Number), [3, 4]);
  assert.deepEqual(await capsOf(api, k.dave.address), { programs: [P.D], kinds: [3, 4], maxJobs: 3 });
  assert.deepEqual((await rpc(node, 'market_prover', [k.dave.address])).capabilities, { programs: [P.D], kinds: [3, 4], maxJobs: 3 });
  assert.deepEqual(await capsOf(api, k.ferdie.address), { programs: [P.B], kinds: [], maxJobs: 2 });
});

// ---- (c) a program nobody serves ------------------------------------------------------------
test('(c) a bid for a program nobody serves is never assigned, is no demand, and is refunded at expiry', { timeout: 300_000 }, async (t) => {
  const minBaseFee = api.consts.baseFee.minBaseFee.toBigInt();
  assert.deepEqual((await api.query.market.auctionQueue()).map((x) => x.toNumber()), [], 'no other bid queued');
  const bid = ZK;
  const maxBaseFee = ZK;
  const free0 = await freeOf(api, k.eve.address);
  const hold0 = await holdOf(api, k.eve.address, ESCROW);
  const expiresAt = (await bestNumber(api)) + 14;
  const [sub] = await sendAll(api, [{ tx: api.tx.market.submitRequest(P.C, [prover('input', 3).y], { Auction: { bid, maxBaseFee } }, expiresAt), signer: k.eve }]);
  assert.ok(sub.ok, sub.error);
  const id = idOf(sub);
  const S = sub.blockNumber;
  assert.ok(expiresAt - S >= 8, 'queued for several blocks');
  assert.equal(await holdOf(api, k.eve.address, ESCROW, sub.blockHash), hold0 + bid + maxBaseFee);

  // Every block until the expiry: not assigned, no clearing, the BaseFee falls by the full step.
  const fees = [];
  let prev = (await monitor.block(S - 1)).baseFee;
  for (let n = S; n < expiresAt; n++) {
    const b = await monitor.block(n);
    assert.equal(ofId(b.events, 'market', 'Assigned', id).length, 0, `not assigned in block ${n}`);
    assert.equal(eventsNamed(b.events, 'market', 'AuctionCleared').length, 0, `no demand cleared in block ${n}`);
    for (const e of eventsNamed(b.events, 'baseFee', 'BaseFeeChanged')) assert.equal(e.data.demand.toNumber(), 0);
    assert.equal(b.baseFee, fallen(prev, minBaseFee), `BaseFee after block ${n}: ${prev} - 1/8`);
    assert.ok((await stateOf(api, id, b.hash)).isQueued, `queued in block ${n}`);
    fees.push(b.baseFee);
    prev = b.baseFee;
  }
  assert.ok(fees[fees.length - 1] < fees[0] || fees[0] === minBaseFee, 'the BaseFee fell');
  assert.equal((await rpc(node, 'market_request', [id])).state.status, 'Queued');

  // Refunded in full at the expiry (cleared in block expires_at).
  const end = await monitor.block(expiresAt);
  const expired = ofId(end.events, 'market', 'RequestExpired', id);
  assert.equal(expired.length, 1, `RequestExpired in block ${expiresAt}`);
  assert.equal(expired[0].data.refund.toBigInt(), bid + maxBaseFee, 'full refund');
  assert.ok((await stateOf(api, id, end.hash)).isExpired);
  assert.equal(await holdOf(api, k.eve.address, ESCROW, end.hash), hold0);
  assert.equal(await freeOf(api, k.eve.address, end.hash), free0 - sub.fee, 'Eve lost only the fee');
  assert.equal(await exclusionsOf(api, id, end.hash), null);
  t.diagnostic(`(c) request ${id} (program C) queued blocks ${S}..${expiresAt - 1}, BaseFee ${fees[0]} -> ${fees[fees.length - 1]} (falling 1/8 a block), refunded ${zk(bid + maxBaseFee)} in block ${expiresAt}`);
  log(`(c) done: BaseFee ${fees[0]} -> ${fees[fees.length - 1]} while the unserved bid was queued`);
});

// ---- a free decline of a provable request ----------------------------------------------------
test('a free decline of a request another prover then proves costs the decliner reputation', { timeout: 300_000 }, async (t) => {
  const beta = BigInt(api.consts.provers.reputationLoss.toNumber());
  const decliner = acct.decliner;
  // The best-ranked prover of A (the agents' reputation, 10x their stake), one job at once.
  const reg = await sendAll(api, [
    { tx: api.tx.provers.register(1_000n * ZK), signer: decliner },
    { tx: api.tx.provers.setCapabilities([P.A], [], 1), signer: decliner },
  ]);
  for (const o of reg) assert.ok(o.ok, o.error);
  const [sub] = await sendAll(api, [{ tx: api.tx.market.submitRequest(P.A, [prover('input', 7).y], { Auction: { bid: ZK / 10n, maxBaseFee: ZK } }, (await bestNumber(api)) + 100), signer: k.eve }]);
  assert.ok(sub.ok, sub.error);
  const id = idOf(sub);
  const S = await monitor.block(sub.blockNumber);
  const [a] = ofId(S.events, 'market', 'Assigned', id);
  assert.equal(a.data.prover.toString(), decliner.address, 'dealt to the best-ranked prover of A');
  const rep0 = BigInt((await infoOf(api, decliner.address, S.hash)).reputation.toNumber());
  const stake0 = (await infoOf(api, decliner.address, S.hash)).stake.toBigInt();

  // It declines at once (free); the request goes to an agent in the same block, which proves it.
  const [dec] = await sendAll(api, [{ tx: api.tx.market.declineAssignment(id), signer: decliner }]);
  assert.ok(dec.ok, dec.error);
  const X = await monitor.block(dec.blockNumber);
  const posX = (name) => X.events.findIndex((e) => `${e.section}.${e.method}` === name && e.data.id.toNumber() === id);
  const order = ['market.AssignmentDeclined', 'market.DeclineCharged', 'market.Requeued', 'market.Assigned'].map(posX);
  assert.ok(order[0] >= 0 && order.every((p, i) => i === 0 || p > order[i - 1]), `AssignmentDeclined, DeclineCharged, Requeued, Assigned: ${order}`);
  const [charged] = ofId(X.events, 'market', 'DeclineCharged', id);
  assert.equal(charged.data.slashed.toBigInt(), 0n);
  assert.equal(charged.data.retryFee.toBigInt(), (await monitor.block(X.n - 1)).baseFee);
  const [again] = ofId(X.events, 'market', 'Assigned', id);
  assert.ok([k.bob.address, k.charlie.address].includes(again.data.prover.toString()), 're-dealt to an agent');
  const infoX = await infoOf(api, decliner.address, X.hash);
  assert.equal(BigInt(infoX.reputation.toNumber()), rep0, 'no reputation loss yet');
  assert.equal(infoX.failures.toNumber(), 0);

  // The agent's proof settles it: the decline is disproved.
  const settledBlock = await monitor.find(X.n, (events) => ofId(events, 'market', 'RequestSettled', id).length > 0, { to: X.n + 30 });
  assert.ok(settledBlock, 'settled by the agent');
  const disproved = ofId(settledBlock.events, 'market', 'DeclineDisproved', id);
  assert.equal(disproved.length, 1, 'DeclineDisproved');
  assert.equal(disproved[0].data.prover.toString(), decliner.address);
  const info = await infoOf(api, decliner.address, settledBlock.hash);
  assert.equal(BigInt(info.reputation.toNumber()), afterFailure(rep0, beta), 'the reputation rule of a failure');
  assert.equal(info.failures.toNumber(), 1);
  assert.equal(info.stake.toBigInt(), stake0, 'no slash');
  assert.equal(eventsNamed(settledBlock.events, 'provers', 'Slashed').filter((e) => e.data.who.toString() === decliner.address).length, 0);
  // It leaves the auction (paused) so that the agents keep A to themselves.
  const [pause] = await sendAll(api, [{ tx: api.tx.provers.pause(), signer: decliner }]);
  assert.ok(pause.ok, pause.error);
  t.diagnostic(`#${id}: declined for free in block ${X.n}, settled by ${again.data.prover} in block ${settledBlock.n}: decliner's reputation ${rep0} -> ${info.reputation.toNumber()}`);
});

// ---- (d) an agent serving A is never dealt B -------------------------------------------------
test('(d) an agent that serves only program A is never dealt program B', { timeout: 300_000 }, async (t) => {
  const treasury = treasuryAddress(api);
  const best = await bestNumber(api);
  const bBid = 2n * ZK;
  const aBid = ZK / 2n;
  const subs = await sendAll(api, [
    ...[0, 1, 2, 3].map(() => ({ tx: api.tx.market.submitRequest(P.B, [prover('input', 3).y], { Auction: { bid: bBid, maxBaseFee: ZK } }, best + 30), signer: k.eve })),
    ...[3, 4, 5, 6].map((x) => ({ tx: api.tx.market.submitRequest(P.A, [prover('input', x).y], { Auction: { bid: aBid, maxBaseFee: ZK } }, best + 200), signer: k.eve })),
  ]);
  for (const o of subs) assert.ok(o.ok, o.error);
  assert.equal(new Set(subs.map((o) => o.blockNumber)).size, 1, 'all bids in one block');
  const S = subs[0].blockNumber;
  const bIds = subs.slice(0, 4).map(idOf);
  const aIds = subs.slice(4).map(idOf);
  const agentSet = new Set([k.bob.address, k.charlie.address]);

  // The clearing of block S: B's top 2 to Ferdie (his declared 2 jobs), the A bids to the agents.
  const b0 = await monitor.block(S);
  const cleared = eventsNamed(b0.events, 'market', 'AuctionCleared')[0];
  assert.ok(cleared, 'AuctionCleared');
  const baseFee = cleared.data.baseFee.toBigInt();
  assert.equal(cleared.data.demand.toNumber(), 8, 'every bid is served');
  assert.equal(cleared.data.capacity.toNumber(), 2 + 4 + 4, "Ferdie's 2 slots and the agents' 8");
  assert.equal(cleared.data.winners.toNumber(), 6);
  const assigned = new Map(eventsNamed(b0.events, 'market', 'Assigned').map((e) => [e.data.id.toNumber(), e.data]));
  assert.deepEqual([...assigned.keys()].filter((id) => bIds.includes(id)), bIds.slice(0, 2), 'the two best B bids');
  for (const id of bIds.slice(0, 2)) {
    assert.equal(assigned.get(id).prover.toString(), k.ferdie.address, `B request ${id} to Ferdie`);
    assert.equal(assigned.get(id).price.toBigInt(), bBid + baseFee, 'next served bid (B) + BaseFee');
  }
  const perAgent = new Map();
  aIds.forEach((id, i) => {
    const a = assigned.get(id);
    assert.ok(a, `A request ${id} assigned`);
    assert.ok(agentSet.has(a.prover.toString()), `A request ${id} to an agent`);
    perAgent.set(a.prover.toString(), (perAgent.get(a.prover.toString()) || 0) + 1);
    assert.equal(a.price.toBigInt(), (i < 3 ? aBid : 0n) + baseFee, `GSP price of A request ${id}`);
  });
  assert.deepEqual([...perAgent.values()], [2, 2], 'two A jobs per agent');
  for (const id of bIds.slice(2)) assert.ok((await stateOf(api, id, b0.hash)).isQueued, `B request ${id} waits for Ferdie`);

  // Ferdie cannot prove B: he declines both (free, early); the other two B bids go to him, not to the agents.
  const dec1 = await sendAll(api, bIds.slice(0, 2).map((id) => ({ tx: api.tx.market.declineAssignment(id), signer: k.ferdie })));
  for (const o of dec1) assert.ok(o.ok, o.error);
  const X = await monitor.block(dec1[0].blockNumber);
  const parentFee = (await monitor.block(X.n - 1)).baseFee;
  let retry = 0n;
  for (const id of bIds.slice(0, 2)) {
    const [charged] = ofId(X.events, 'market', 'DeclineCharged', id);
    assert.equal(charged.data.slashed.toBigInt(), 0n, 'an early decline is not slashed');
    assert.equal(charged.data.retryFee.toBigInt(), parentFee, 'the requester pays the BaseFee');
    retry += parentFee;
    assert.equal(ofId(X.events, 'market', 'Requeued', id).length, 1);
    assert.equal(ofId(X.events, 'market', 'Assigned', id).length, 0, 'not dealt back to its decliner');
    assert.deepEqual(await exclusionsOf(api, id, X.hash), { provers: [[k.ferdie.address, 'Declined']], declines: 1 });
  }
  const parent = (await api.rpc.chain.getHeader(X.hash)).parentHash.toHex();
  // Retry fees are burned (SPEC 8): issuance falls by them (and by the block's burned fees).
  const issuance = async (h) => (await (await api.at(h)).query.balances.totalIssuance()).toBigInt();
  assert.ok(await issuance(parent) - await issuance(X.hash) >= retry, 'retry fees are burned');
  for (const id of bIds.slice(2)) {
    const [a] = ofId(X.events, 'market', 'Assigned', id);
    assert.ok(a, `B request ${id} assigned once Ferdie's slots are free`);
    assert.equal(a.data.prover.toString(), k.ferdie.address);
  }
  const dec2 = await sendAll(api, bIds.slice(2).map((id) => ({ tx: api.tx.market.declineAssignment(id), signer: k.ferdie })));
  for (const o of dec2) assert.ok(o.ok, o.error);
  const Y = dec2[0].blockNumber;

  // The A bids settle through the agents; meanwhile the B bids stay queued, nobody left to serve them.
  const settled = new Map();
  const done = await monitor.find(S, (events, b) => {
    for (const e of eventsNamed(events, 'market', 'RequestSettled')) if (aIds.includes(e.data.id.toNumber())) settled.set(e.data.id.toNumber(), { n: b.n, prover: e.data.prover.toString() });
    return settled.size === aIds.length && b.n >= Y + 3;
  }, { timeoutMs: 180_000 });
  for (const [id, s] of settled) assert.ok(agentSet.has(s.prover), `A request ${id} settled by an agent`);
  for (let n = Y; n <= done.n; n++) {
    const b = await monitor.block(n);
    for (const id of bIds) assert.equal(ofId(b.events, 'market', 'Assigned', id).length, 0, `B request ${id} not dealt in block ${n}`);
  }
  for (const id of bIds) {
    assert.ok((await stateOf(api, id, done.hash)).isQueued, `B request ${id} queued`);
    assert.deepEqual(await exclusionsOf(api, id, done.hash), { provers: [[k.ferdie.address, 'Declined']], declines: 1 });
  }
  const jobs = await Promise.all([k.bob, k.charlie].map(async (w) => (await infoOf(api, w.address, done.hash)).activeJobs.toNumber()));
  assert.deepEqual(jobs, [0, 0], 'the agents had free slots all along');
  // No agent was ever dealt a B request (the monitor checks every assignment of the file too).
  for (let n = S; n <= done.n; n++) {
    for (const e of eventsNamed((await monitor.block(n)).events, 'market', 'Assigned')) {
      if (bIds.includes(e.data.id.toNumber())) assert.equal(e.data.prover.toString(), k.ferdie.address);
    }
  }
  t.diagnostic(`(d) block ${S}: B ${bIds} (2 to Ferdie, 2 waiting), A ${aIds} to the agents; A settled by block ${Math.max(...[...settled.values()].map((s) => s.n))}; B declined by Ferdie in blocks ${X.n} and ${Y}, then queued with the agents free through block ${done.n}`);
  log(`(d) done in block ${done.n}`);
});

// ---- (b) declining in the deadline block ------------------------------------------------------
test('(b) a top-ranked prover declining in its deadline block pays what a miss costs and is never dealt the request again', { timeout: 600_000 }, async (t) => {
  const treasury = treasuryAddress(api);
  const deadlineBlocks = api.consts.market.proofDeadline.toNumber();
  const freePeriod = api.consts.market.freeDeclinePeriod.toNumber();
  const maxDeclines = api.consts.market.maxDeclines.toNumber();
  const slashRate = BigInt(api.consts.provers.missedDeadlineSlash.toNumber());
  const beta = BigInt(api.consts.provers.reputationLoss.toNumber());
  assert.equal(deadlineBlocks, 50);
  assert.equal(freePeriod, 25);
  assert.equal(maxDeclines, 3);
  assert.equal(slashRate, 50_000_000n, '5%');

  // Ferdie now serves D; Third registers and declares nothing (yet).
  const setup = await sendAll(api, [
    { tx: api.tx.provers.setCapabilities([P.D], [], 2), signer: k.ferdie },
    { tx: api.tx.provers.register(100n * ZK), signer: acct.third },
  ]);
  for (const o of setup) assert.ok(o.ok, o.error);
  const before = { dave: await infoOf(api, k.dave.address), ferdie: await infoOf(api, k.ferdie.address) };
  assert.ok(before.dave.reputation.toNumber() >= before.ferdie.reputation.toNumber() && before.dave.stake.toBigInt() > before.ferdie.stake.toBigInt(), 'Dave ranks first');

  // Eve's two bids for D: the better one to Dave (top-ranked), the other to Ferdie.
  const best = await bestNumber(api);
  const subs = await sendAll(api, [
    { tx: api.tx.market.submitRequest(P.D, [prover('input', 3).y], { Auction: { bid: 2n * ZK, maxBaseFee: ZK } }, best + 72), signer: k.eve },
    { tx: api.tx.market.submitRequest(P.D, [prover('input', 4).y], { Auction: { bid: ZK, maxBaseFee: ZK } }, best + 72), signer: k.eve },
  ]);
  for (const o of subs) assert.ok(o.ok, o.error);
  assert.equal(subs[0].blockNumber, subs[1].blockNumber);
  const [id1, id2] = subs.map(idOf);
  const expiresAt = best + 72;
  const S = await monitor.block(subs[0].blockNumber);
  const [a1] = ofId(S.events, 'market', 'Assigned', id1);
  const [a2] = ofId(S.events, 'market', 'Assigned', id2);
  assert.equal(a1.data.prover.toString(), k.dave.address, 'the better bid to the top-ranked prover');
  assert.equal(a2.data.prover.toString(), k.ferdie.address);
  const D = a1.data.deadline.toNumber();
  assert.equal(D, S.n + deadlineBlocks);
  assert.equal(a2.data.deadline.toNumber(), D);

  // Dave declines in his deadline block D (signed ahead, sent once block D - 1 is in).
  const nonce = (await api.rpc.system.accountNextIndex(k.dave.address)).toNumber();
  const signed = await signOffline(api.tx.market.declineAssignment(id1), k.dave, nonce);
  await waitForBlock(api, D - 1, { timeoutMs: (D - S.n + 10) * 3_000 });
  const [decline] = await txOutcomes(api, await submitSigned(api, [signed]), { fromBlock: D - 1 });
  assert.equal(decline.blockNumber, D, `the decline landed in the deadline block (${decline.blockNumber}, deadline ${D})`);
  assert.ok(decline.ok, decline.error);
  const bD = await monitor.block(D);
  const names = bD.events.map((e) => `${e.section}.${e.method}`);
  const pos = (name, id) => bD.events.findIndex((e) => `${e.section}.${e.method}` === name && (id === undefined || e.data.id.toNumber() === id));
  assert.ok(pos('market.AssignmentDeclined', id1) < pos('market.DeclineCharged', id1) && pos('market.DeclineCharged', id1) < pos('market.Requeued', id1), `event order: ${names}`);
  const [charged] = ofId(bD.events, 'market', 'DeclineCharged', id1);
  const daveSlash = eventsNamed(bD.events, 'provers', 'Slashed').find((e) => e.data.who.toString() === k.dave.address);
  assert.ok(daveSlash, 'Dave is slashed');
  assert.equal(daveSlash.data.reason.toString(), 'MissedDeadline');
  assert.equal(charged.data.retryFee.toBigInt(), 0n, 'a late decline charges the requester nothing');
  assert.equal(charged.data.slashed.toBigInt(), daveSlash.data.amount.toBigInt());
  const parentD = (await monitor.block(D - 1)).hash;
  const daveD = await infoOf(api, k.dave.address, bD.hash);
  const daveBacking = daveD.stake.toBigInt() + daveSlash.data.amount.toBigInt();
  assert.equal(daveSlash.data.amount.toBigInt(), (daveBacking * slashRate) / PERBILL, 'MissedDeadlineSlash: 5% of the stake');
  const daveRep0 = BigInt((await infoOf(api, k.dave.address, parentD)).reputation.toNumber());
  assert.equal(BigInt(daveD.reputation.toNumber()), afterFailure(daveRep0, beta), 'reputation as after a miss');
  assert.equal(daveD.failures.toNumber(), before.dave.failures.toNumber() + 1);
  assert.equal(await freeOf(api, treasury, bD.hash) - await freeOf(api, treasury, parentD), daveSlash.data.amount.toBigInt(), 'the slash to the treasury');
  // Dealt again in the same block, to Ferdie, not to Dave.
  const [re1] = ofId(bD.events, 'market', 'Assigned', id1);
  assert.ok(re1, 're-dealt in block D');
  assert.equal(re1.data.prover.toString(), k.ferdie.address, 'not dealt back to Dave');
  assert.deepEqual(await exclusionsOf(api, id1, bD.hash), { provers: [[k.dave.address, 'DeclinedLate']], declines: 1 });

  // Ferdie just misses bid 2: slashed in block D + 1, the same rule.
  const bM = await monitor.block(D + 1);
  const [missed] = ofId(bM.events, 'market', 'DeadlineMissed', id2);
  assert.ok(missed, 'Ferdie missed the deadline');
  const ferdieSlash = eventsNamed(bM.events, 'provers', 'Slashed').find((e) => e.data.who.toString() === k.ferdie.address);
  assert.equal(ferdieSlash.data.reason.toString(), 'MissedDeadline');
  const ferdieM = await infoOf(api, k.ferdie.address, bM.hash);
  const ferdieBacking = ferdieM.stake.toBigInt() + ferdieSlash.data.amount.toBigInt();
  assert.equal(ferdieSlash.data.amount.toBigInt(), (ferdieBacking * slashRate) / PERBILL, 'the same 5%');
  const ferdieRep0 = BigInt((await infoOf(api, k.ferdie.address, bD.hash)).reputation.toNumber());
  assert.equal(BigInt(ferdieM.reputation.toNumber()), afterFailure(ferdieRep0, beta), 'the same reputation rule');
  assert.equal(ferdieM.failures.toNumber(), before.ferdie.failures.toNumber() + 1);
  const [re2] = ofId(bM.events, 'market', 'Assigned', id2);
  assert.equal(re2.data.prover.toString(), k.dave.address, 'the missed bid goes to Dave, not back to Ferdie');
  assert.deepEqual(await exclusionsOf(api, id2, bM.hash), { provers: [[k.ferdie.address, 'Missed']], declines: 0 });
  t.diagnostic(`(b) Dave declined #${id1} in its deadline block ${D}: slashed ${zk(daveSlash.data.amount.toBigInt())} of ${zk(daveBacking)}, reputation ${daveRep0} -> ${daveD.reputation.toNumber()}; Ferdie missed #${id2}: slashed ${zk(ferdieSlash.data.amount.toBigInt())} of ${zk(ferdieBacking)}, reputation ${ferdieRep0} -> ${ferdieM.reputation.toNumber()}`);

  // Early declines (free, the requester pays the BaseFee): Ferdie gives back #1, Dave #2.
  const early = await sendAll(api, [
    { tx: api.tx.market.declineAssignment(id1), signer: k.ferdie },
    { tx: api.tx.market.declineAssignment(id2), signer: k.dave },
  ]);
  for (const o of early) assert.ok(o.ok, o.error);
  const E = await monitor.block(early[0].blockNumber);
  assert.equal(early[1].blockNumber, E.n);
  const feeE = (await monitor.block(E.n - 1)).baseFee;
  for (const id of [id1, id2]) {
    const [c] = ofId(E.events, 'market', 'DeclineCharged', id);
    assert.equal(c.data.slashed.toBigInt(), 0n, 'early: no slash');
    assert.equal(c.data.retryFee.toBigInt(), feeE, 'early: the BaseFee as retry fee');
    assert.equal(ofId(E.events, 'market', 'Assigned', id).length, 0, 'nobody left to deal it to');
  }
  assert.deepEqual(await exclusionsOf(api, id1, E.hash), { provers: [[k.dave.address, 'DeclinedLate'], [k.ferdie.address, 'Declined']], declines: 2 });
  assert.deepEqual(await exclusionsOf(api, id2, E.hash), { provers: [[k.ferdie.address, 'Missed'], [k.dave.address, 'Declined']], declines: 1 });

  // Two more blocks: Dave is free and serves D, Third is registered and eligible but declared nothing: no assignment.
  for (const n of [E.n + 1, E.n + 2]) {
    const b = await monitor.block(n);
    for (const id of [id1, id2]) assert.equal(ofId(b.events, 'market', 'Assigned', id).length, 0, `#${id} not dealt in block ${n}`);
  }
  const third = await rpc(node, 'market_prover', [acct.third.address]);
  assert.equal(third.eligible, true);
  assert.deepEqual(third.capabilities, { programs: [], kinds: [], maxJobs: 4 });
  assert.ok((await stateOf(api, id1)).isQueued && (await stateOf(api, id2)).isQueued);

  // Third declares D: both are dealt to it at once.
  const [decl] = await sendAll(api, [{ tx: api.tx.provers.setCapabilities([P.D], [], 4), signer: acct.third }]);
  assert.ok(decl.ok, decl.error);
  const F = await monitor.block(decl.blockNumber);
  for (const id of [id1, id2]) {
    const [a] = ofId(F.events, 'market', 'Assigned', id);
    assert.ok(a, `#${id} dealt once Third declared D`);
    assert.equal(a.data.prover.toString(), acct.third.address);
  }
  const escrowF = (await (await api.at(F.hash)).query.market.requests(id1)).unwrap().escrow.toBigInt();
  const eveHoldF = await holdOf(api, k.eve.address, ESCROW, F.hash);

  // Third declines both: #1 has its third distinct decliner and closes as unprovable, refunded.
  const third2 = await sendAll(api, [
    { tx: api.tx.market.declineAssignment(id1), signer: acct.third },
    { tx: api.tx.market.declineAssignment(id2), signer: acct.third },
  ]);
  for (const o of third2) assert.ok(o.ok, o.error);
  const G = await monitor.block(third2[0].blockNumber);
  assert.equal(third2[1].blockNumber, G.n);
  const feeG = (await monitor.block(G.n - 1)).baseFee;
  const posG = (name, id) => G.events.findIndex((e) => `${e.section}.${e.method}` === name && e.data.id.toNumber() === id);
  const ord = ['market.AssignmentDeclined', 'market.DeclineCharged', 'market.ClosedUnprovable'].map((n) => posG(n, id1));
  assert.ok(ord[0] >= 0 && ord[0] < ord[1] && ord[1] < ord[2], `AssignmentDeclined, DeclineCharged, ClosedUnprovable: ${ord}`);
  assert.equal(posG('market.Requeued', id1), -1, 'not re-queued');
  const [closed] = ofId(G.events, 'market', 'ClosedUnprovable', id1);
  assert.equal(closed.data.declines.toNumber(), maxDeclines);
  const [c1] = ofId(G.events, 'market', 'DeclineCharged', id1);
  assert.equal(c1.data.retryFee.toBigInt(), feeG);
  assert.equal(closed.data.refund.toBigInt(), escrowF - feeG, 'the rest of the escrow refunded');
  const r1 = (await (await api.at(G.hash)).query.market.requests(id1)).unwrap();
  assert.ok(r1.state.isExpired, 'closed as Expired');
  assert.equal(r1.escrow.toBigInt(), 0n);
  assert.equal(await exclusionsOf(api, id1, G.hash), null, 'exclusions removed with the request');
  // #2: its second decline, re-queued; all three D provers are excluded now.
  assert.equal(posG('market.Requeued', id2) >= 0, true);
  assert.deepEqual(await exclusionsOf(api, id2, G.hash), {
    provers: [[k.ferdie.address, 'Missed'], [k.dave.address, 'Declined'], [acct.third.address, 'Declined']], declines: 2,
  });
  const [c2] = ofId(G.events, 'market', 'DeclineCharged', id2);
  // Eve's escrow: #1's refund released, #2's retry fee taken (then topped up again on its re-queue).
  const req2F = (await (await api.at(F.hash)).query.market.requests(id2)).unwrap().escrow.toBigInt();
  const req2G = (await (await api.at(G.hash)).query.market.requests(id2)).unwrap().escrow.toBigInt();
  assert.equal(c2.data.retryFee.toBigInt(), feeG);
  assert.equal(await holdOf(api, k.eve.address, ESCROW, G.hash), eveHoldF - escrowF - req2F + req2G);

  // #2 stays queued, dealt to nobody, until its expiry refunds it.
  const end = await monitor.find(G.n + 1, (events) => ofId(events, 'market', 'RequestExpired', id2).length > 0, { to: expiresAt, timeoutMs: 120_000 });
  assert.ok(end, `#${id2} expired by block ${expiresAt}`);
  for (let n = D + 1; n <= end.n; n++) {
    for (const e of eventsNamed((await monitor.block(n)).events, 'market', 'Assigned')) {
      const id = e.data.id.toNumber();
      if (id === id1) assert.notEqual(e.data.prover.toString(), k.dave.address, 'Dave never gets #1 again');
      if (id === id2 && n > F.n) assert.fail(`#${id2} dealt again in block ${n}`);
    }
  }
  assert.equal(ofId(end.events, 'market', 'RequestExpired', id2)[0].data.refund.toBigInt(), req2G);
  t.diagnostic(`(b) #${id1} closed unprovable in block ${G.n} (3 decliners, refund ${zk(closed.data.refund.toBigInt())}); #${id2} expired in block ${end.n}`);
  log(`(b) done in block ${end.n}`);
});

// ---- (a) 64 unprovable bids against two agents ------------------------------------------------
test('(a) 64 unprovable bids do not hold the 8 agent slots for free: 4 honest bids settle within 30 blocks or the attacker pays 5 ZK', { timeout: 900_000 }, async (t) => {
  const ATTACK = 64;
  const HONEST = 4;
  const WINDOW = 30;
  const griefer = acct.griefer;
  const honest = acct.honest;
  const agentSet = new Set([k.bob.address, k.charlie.address]);
  const queued = (await api.query.market.auctionQueue()).map((x) => x.toNumber());
  assert.deepEqual(queued, [], 'no bid queued before the attack');

  // The attacker's inputs: y = x^3 + x + 5 for x >= 2^20, beyond the demo backend's search.
  const ys = Array.from({ length: ATTACK }, (_, i) => prover('input', 2 ** 20 + 1 + i).y);
  const start = await bestNumber(api);
  const at0 = (await monitor.block(start)).hash;
  const wealth = async (who, at) => (await freeOf(api, who, at)) + (await holdOf(api, who, ESCROW, at));
  const griefer0 = await wealth(griefer.address, at0);
  const fee0 = (await monitor.block(start)).baseFee;
  const attack = await sendAll(api, ys.map((y) => ({
    tx: api.tx.market.submitRequest(P.A, [y], { Auction: { bid: ZK, maxBaseFee: ZK } }, start + 60), signer: griefer,
  })));
  for (const o of attack) assert.ok(o.ok, `attack bid: ${o.error}`);
  const attackIds = attack.map(idOf);
  const attackSet = new Set(attackIds);
  const A0 = Math.max(...attack.map((o) => o.blockNumber));
  log(`(a) ${ATTACK} attack bids in block(s) ${[...new Set(attack.map((o) => o.blockNumber))]}`);

  // Three blocks later: the honest bids (provable inputs), 0.1 ZK each.
  await waitForBlock(api, A0 + 2);
  const honestSubs = await sendAll(api, [0, 1, 2, 3].map((i) => ({
    tx: api.tx.market.submitRequest(P.A, [prover('input', 200 + i).y], { Auction: { bid: ZK / 10n, maxBaseFee: ZK } }, A0 + 300), signer: honest,
  })), { freshBlock: false });
  for (const o of honestSubs) assert.ok(o.ok, `honest bid: ${o.error}`);
  const H0 = Math.max(...honestSubs.map((o) => o.blockNumber));
  const honestIds = honestSubs.map(idOf);
  t.diagnostic(`(a) attack bids in block ${A0}, honest bids ${honestIds} in block ${H0} (${H0 - A0} blocks later)`);

  // Follow every block until the honest bids settled (and at least the 30-block window passed).
  const settled = new Map();
  const assignedHonest = new Map();
  const dealt = new Map(); // `${id}/${prover}` -> count
  let declines = 0;
  let lateDeclines = 0;
  let retryFees = 0n;
  let maxFee = 0n;
  let attackAssignments = 0;
  const retryByBlock = new Map();
  const agentFees = new Map([[k.bob.address, 0n], [k.charlie.address, 0n]]);
  let griefFees = 0n;
  const perBlock = [];
  let last = null;
  for (let n = A0 - 1; ; n++) {
    const b = await monitor.block(n, 180_000);
    last = b;
    maxFee = b.baseFee > maxFee ? b.baseFee : maxFee;
    let assignedN = 0;
    let declinedN = 0;
    for (const e of eventsNamed(b.events, 'market', 'Assigned')) {
      const id = e.data.id.toNumber();
      const who = e.data.prover.toString();
      if (attackSet.has(id)) {
        attackAssignments += 1;
        assignedN += 1;
        assert.ok(agentSet.has(who), `attack request ${id} dealt to an agent`);
        const key = `${id}/${who}`;
        dealt.set(key, (dealt.get(key) || 0) + 1);
        assert.equal(dealt.get(key), 1, `attack request ${id} dealt to ${who} once only`);
      }
      if (honestIds.includes(id) && !assignedHonest.has(id)) assignedHonest.set(id, n);
    }
    for (const e of eventsNamed(b.events, 'market', 'DeclineCharged')) {
      const id = e.data.id.toNumber();
      if (!attackSet.has(id)) continue;
      declines += 1;
      declinedN += 1;
      if (e.data.slashed.toBigInt() > 0n) lateDeclines += 1;
      retryFees += e.data.retryFee.toBigInt();
      retryByBlock.set(n, (retryByBlock.get(n) || 0n) + e.data.retryFee.toBigInt());
      if (e.data.slashed.toBigInt() === 0n) assert.equal(e.data.retryFee.toBigInt(), (await monitor.block(n - 1)).baseFee, 'retry fee = the BaseFee');
    }
    for (const e of eventsNamed(b.events, 'transactionPayment', 'TransactionFeePaid')) {
      const who = e.data.who.toString();
      if (agentFees.has(who)) agentFees.set(who, agentFees.get(who) + e.data.actualFee.toBigInt());
      if (who === griefer.address) griefFees += e.data.actualFee.toBigInt();
    }
    for (const e of eventsNamed(b.events, 'market', 'RequestSettled')) {
      const id = e.data.id.toNumber();
      if (honestIds.includes(id)) settled.set(id, { n, prover: e.data.prover.toString(), paid: e.data.paid.toBigInt() });
      assert.ok(!attackSet.has(id), 'an attack request never settles');
    }
    const cleared = eventsNamed(b.events, 'market', 'AuctionCleared')[0];
    perBlock.push(`${n}: fee ${b.baseFee} dealt ${assignedN} declined ${declinedN}${cleared ? ` demand ${cleared.data.demand} cap ${cleared.data.capacity}` : ''}`);
    for (const w of [k.bob, k.charlie]) {
      const jobs = (await infoOf(api, w.address, b.hash)).activeJobs.toNumber();
      assert.ok(jobs <= 4, `agent ${w.address} holds ${jobs} jobs in block ${n}`);
    }
    if (settled.size === HONEST && n >= H0 + WINDOW) break;
    if (n >= H0 + 120) break;
  }
  const allSettledAt = settled.size === HONEST ? Math.max(...[...settled.values()].map((s) => s.n)) : null;
  const checkAt = allSettledAt !== null && allSettledAt <= H0 + WINDOW ? allSettledAt : H0 + WINDOW;
  const atCheck = (await monitor.block(checkAt)).hash;
  const paid = griefer0 - await wealth(griefer.address, atCheck);
  const paidWindow = griefer0 - await wealth(griefer.address, (await monitor.block(H0 + WINDOW)).hash);
  // What the attacker paid is exactly its fees and the retry fees (up to the window's end).
  let retryToWindow = 0n;
  for (const [n, f] of retryByBlock) if (n <= H0 + WINDOW) retryToWindow += f;
  const feesAttack = attack.reduce((s, o) => s + o.fee, 0n);
  assert.equal(paidWindow, feesAttack + retryToWindow, 'the attacker paid its fees and the retry fees, nothing else');

  const report = [
    `attack bids in block ${A0}, honest in block ${H0}; BaseFee ${fee0} before, max ${maxFee}`,
    `honest assigned in blocks ${honestIds.map((id) => assignedHonest.get(id) ?? '-')}, settled in blocks ${honestIds.map((id) => settled.get(id)?.n ?? '-')} (${allSettledAt === null ? 'not all settled' : `all within ${allSettledAt - H0} blocks of H0`})`,
    `attack: ${attackAssignments} assignments, ${declines} declines (${lateDeclines} late), retry fees ${zk(retryFees)}, fees ${zk(feesAttack)}; paid by block ${checkAt}: ${zk(paid)}, by H0+${WINDOW}: ${zk(paidWindow)}`,
    `agents' fees in the window (declines, proofs): Bob ${zk(agentFees.get(k.bob.address))}, Charlie ${zk(agentFees.get(k.charlie.address))}`,
  ];
  for (const r of report) t.diagnostic(`(a) ${r}`);
  for (const r of report) log(`(a) ${r}`);
  if (!(allSettledAt !== null && allSettledAt <= H0 + WINDOW) || process.env.GRIEFING_TRACE) for (const l of perBlock) t.diagnostic(`(a) block ${l}`);
  for (const [id, s] of settled) assert.ok(agentSet.has(s.prover), `honest ${id} settled by an agent`);
  assert.ok(
    (allSettledAt !== null && allSettledAt <= H0 + WINDOW) || paid >= 5n * ZK,
    `within ${WINDOW} blocks of block ${H0} the honest bids settled (${settled.size}/${HONEST}, last in block ${allSettledAt}) or the attacker paid >= 5 ZK (paid ${zk(paid)})`,
  );
  assert.equal(lateDeclines, 0, 'the agents decline early (no slash)');

  // Each attack request was dealt to each agent at most once; once both declined it, nobody serves it: it waits for its expiry.
  const expiry = start + 60;
  let refunds = 0n;
  let expired = 0;
  const end = await monitor.find(A0, (events) => {
    for (const e of eventsNamed(events, 'market', 'RequestExpired')) {
      if (attackSet.has(e.data.id.toNumber())) {
        expired += 1;
        refunds += e.data.refund.toBigInt();
      }
    }
    return expired === ATTACK;
  }, { to: expiry + 5, timeoutMs: 300_000 });
  assert.ok(end, `attack bids expired by block ${expiry + 5}: ${expired}`);
  const expiredIn = end.n;
  assert.equal(expired, ATTACK, 'every attack bid expires and is refunded');
  assert.equal(refunds, BigInt(ATTACK) * 2n * ZK, 'full escrow back (the retry fees were topped up from the free balance)');
  const total = griefer0 - await wealth(griefer.address, end.hash);
  t.diagnostic(`(a) all ${ATTACK} attack bids expired by block ${expiredIn} (expiry ${expiry}); the attacker's total cost ${zk(total)} (fees ${zk(griefFees)}, retry fees ${zk(retryFees)})`);
  log(`(a) done in block ${end.n}: attacker's total cost ${zk(total)}`);
});

// ---- every assignment of the file --------------------------------------------------------------
test('no prover was dealt a program it did not declare, a request it was excluded from, or more jobs than it declared', { timeout: 120_000 }, async (t) => {
  const best = await bestNumber(api);
  await monitor.block(best);
  assert.equal(monitor.error, null);
  assert.deepEqual(monitor.violations, []);
  assert.ok(monitor.assigned > 100, `assignments checked: ${monitor.assigned}`);
  t.diagnostic(`${monitor.assigned} assignments in blocks 1..${best} checked; ${((Date.now() - t0) / 1000).toFixed(0)} s for the file`);
});
