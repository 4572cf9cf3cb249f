// zombienet js-script (issue 20): a runtime upgrade of a running network from
// release v101 (releases/v101/local-raw.json) to the node build's runtime
// (v102, ZKMARKET_UPGRADE_WASM), with market requests in flight.
//
// Before the upgrade (v101, market storage version 0): Bob and Charlie prove
// as registered provers; Eve makes requests in every state the migration has
// to carry: a bid settled and an offer cancelled (closed: their `closedAt` is
// derived from `market.pruneAt`), three bids assigned but not proven and a
// reverse Dutch offer nobody locked (open: `closedAt` None). Alice's sudo then
// sets the code. After it every node must run v102, the market's storage
// version must be 1 (0 at the upgrade block, 1 the block after: the migration
// ran at the first block of the new code), every request must decode exactly
// with v102's types and hold what it held before, and the open ones must
// settle: the assigned bids with proofs sent after the upgrade, the offer
// locked and proven, each paying its agreed price. Last, all four nodes agree
// on a finalized block after the settlements (hash and state root).
//
// Bob and Charlie are paused at the end, so that later scripts' bids go to
// their own provers (market-check.js expects Ferdie to win its bid).
// Returns 1; throws with the reason otherwise.
const fs = require("fs");
const c = require("./common.js");

const { ZK } = c;
const log = c.logger("upgrade");
const FROM = 101;
const TO = 102;

/** The WASM to upgrade to, from ZKMARKET_UPGRADE_WASM (exported by scripts/zombienet.sh). */
function upgradeWasm() {
  const path = process.env.ZKMARKET_UPGRADE_WASM;
  if (!path) throw new Error("ZKMARKET_UPGRADE_WASM is not set (run through scripts/zombienet.sh)");
  if (!fs.existsSync(path)) throw new Error(`the upgrade WASM ${path} is missing: build the node first (scripts/build.sh)`);
  return fs.readFileSync(path);
}

/** Each node's spec version at its best block (or at `hash`): { alice: 101, ... }. */
async function specVersions(conns, hash) {
  const out = {};
  for (const [n, { api }] of Object.entries(conns)) {
    const v = hash ? await api.rpc.state.getRuntimeVersion(hash) : await api.rpc.state.getRuntimeVersion();
    out[n] = v.specVersion.toNumber();
  }
  return out;
}

/**
 * The market pallet's on-chain storage version at the best block or at `hash`,
 * read raw (twox128("Market") ++ twox128(":__STORAGE_VERSION__:"), a u16; absent
 * = 0): `api.at(hash).query.market.palletVersion()` at the upgrade block once
 * returned a value without `toNumber` while the API switched metadata.
 */
async function marketVersion(api, hash) {
  const { xxhashAsHex } = zombie.util;
  const key = xxhashAsHex("Market", 128) + xxhashAsHex(":__STORAGE_VERSION__:", 128).slice(2);
  const raw = hash ? await api.rpc.state.getStorage(key, hash) : await api.rpc.state.getStorage(key);
  if (!raw || !raw.isSome) return 0;
  const b = raw.unwrap().toU8a(true);
  return b[0] | (b[1] << 8);
}

/** Checks the network runs release v101 with the market at storage version 0. */
async function expectV101(conns, api) {
  const versions = await specVersions(conns);
  if (Object.values(versions).some((v) => v !== FROM)) {
    throw new Error(`expected spec version ${FROM} on every node before the upgrade (releases/v101's spec), saw ${JSON.stringify(versions)}`);
  }
  const mv = await marketVersion(api);
  if (mv !== 0) throw new Error(`expected market storage version 0 before the upgrade, saw ${mv}`);
}

/** Waits until request `id` is in state `state` (e.g. "Assigned"); returns it. */
function waitState(api, id, state, timeoutMs) {
  return c.waitUntil(`request ${id} ${state}`, timeoutMs, async (seen) => {
    const r = await c.request(api, id);
    seen(r.state.type);
    return r.state.type === state && r;
  });
}

/** An auction bid for demo input `x`, cleared until block `expiresAt`. */
function bidTx(api, program, x, expiresAt) {
  return api.tx.market.submitRequest(program.programId, [c.demoInput(x)], { Auction: { bid: 2n * ZK, maxBaseFee: ZK } }, expiresAt);
}

/** An auction bid of Eve's for demo input `x`; returns its id. */
async function bid(api, eve, program, x) {
  const expiresAt = (await c.bestNumber(api)) + 200;
  return c.submittedId(await c.send(api, bidTx(api, program, x, expiresAt), eve, `bid x=${x}`));
}

/** A reverse Dutch offer of Eve's for `x`, its ramp-up starting `startIn` seconds from the chain's now. */
async function offer(api, eve, program, x, startIn) {
  const start = (await c.chainSecs(api)) + startIn;
  const pricing = {
    Offer: {
      minPrice: ZK, maxPrice: 2n * ZK, rampUpStart: start, rampUpPeriod: 300,
      // Long enough for the upgrade on a slow machine: it is locked after it.
      lockTimeout: 900, timeout: 1200, lockCollateral: ZK,
    },
  };
  return c.submittedId(await c.send(api, api.tx.market.submitRequest(program.programId, [c.demoInput(x)], pricing, 0), eve, `offer x=${x}`));
}

/** Submits the demo proof of `job` ({ id, x, prover }) signed by its prover's key. */
function proofTx(api, job, keyOf) {
  const signer = keyOf(job.prover);
  if (!signer) throw new Error(`request ${job.id} went to ${job.prover}, expected Bob or Charlie (the only active provers)`);
  job.proof = c.demoProof(job.x, job.id, job.prover);
  return { tx: api.tx.verifier.submitProof(job.id, job.proof), signer, what: `proof of request ${job.id}` };
}

/**
 * The requests of v101 (see the header): returns { closed: [{ id, event }],
 * assigned: [{ id, x, prover, price }], offer: { id, x } }.
 */
async function requestsBeforeUpgrade(api, k, program) {
  const keyOf = (addr) => [k.Bob, k.Charlie].find((p) => p.address === addr);
  // A bid proven and settled before the upgrade.
  const settled = { id: await bid(api, k.Eve, program, 21), x: 21 };
  const st = (await waitState(api, settled.id, "Assigned", 120_000)).state.asAssigned;
  settled.prover = st.prover.toString();
  const first = proofTx(api, settled, keyOf);
  await c.send(api, first.tx, first.signer, first.what);
  await waitState(api, settled.id, "Settled", 180_000);
  log(`request ${settled.id} settled before the upgrade`);

  // An offer cancelled before its ramp-up (an hour away).
  const cancelled = await offer(api, k.Eve, program, 22, 3600);
  await c.send(api, api.tx.market.cancelRequest(cancelled), k.Eve, `cancel request ${cancelled}`);

  // Three bids that win provers but are not proven before the upgrade, and
  // an offer left unlocked.
  const xs = [23, 24, 25];
  const expiresAt = (await c.bestNumber(api)) + 200;
  const sent = await c.sendAll(api, xs.map((x) => ({
    tx: bidTx(api, program, x, expiresAt),
    signer: k.Eve,
    what: `bid x=${x}`,
  })));
  const assigned = sent.map((s, i) => ({ id: c.submittedId(s), x: xs[i] }));
  const open = { id: await offer(api, k.Eve, program, 26, 0), x: 26 };
  for (const a of assigned) {
    const s = (await waitState(api, a.id, "Assigned", 120_000)).state.asAssigned;
    a.prover = s.prover.toString();
    a.price = s.price.toBigInt();
    a.deadline = s.deadline.toNumber();
  }
  const o = await c.request(api, open.id);
  if (!o.state.isOpen) throw new Error(`offer ${open.id} should be open before the upgrade, is ${o.state.type}`);
  log(`before the upgrade: ${settled.id} settled, ${cancelled} cancelled, ${assigned.map((a) => a.id)} assigned (deadlines ${assigned.map((a) => a.deadline)}), offer ${open.id} open`);
  return {
    closed: [{ id: settled.id, event: "market.RequestSettled" }, { id: cancelled, event: "market.RequestCancelled" }],
    assigned,
    offer: open,
  };
}

/** Each request as JSON (v101 types), to compare with the migrated values. */
async function snapshot(api, ids) {
  const out = new Map();
  for (const id of ids) out.set(id, (await c.request(api, id)).toJSON());
  return out;
}

/** Sets the code as root (weight unchecked: `setCode` weighs a whole block); returns the inclusion block. */
async function setCode(api, alice, wasm) {
  log(`setting the code (${wasm.length} bytes)`);
  const call = api.tx.system.setCode(c.hex(wasm));
  const sent = await c.send(api, api.tx.sudo.sudoUncheckedWeight(call, { refTime: 0, proofSize: 0 }), alice, "sudo(system.setCode)");
  if (!c.findEvent(sent.events, "system.CodeUpdated")) throw new Error(`system.setCode in #${sent.blockNumber} without a CodeUpdated event`);
  return sent.blockNumber;
}

/** Waits until every node (and `api`) runs spec `TO` and the market is at storage version 1. */
async function waitUpgraded(conns, api) {
  await c.waitUntil(`spec version ${TO} on every node`, 180_000, async (seen) => {
    const v = await specVersions(conns);
    seen(JSON.stringify(v));
    return Object.values(v).every((x) => x === TO);
  });
  // @polkadot/api reloads the metadata when it sees the new version.
  await c.waitUntil("the API on the new metadata", 60_000, async (seen) => {
    seen(`spec ${api.runtimeVersion.specVersion}`);
    return api.runtimeVersion.specVersion.toNumber() === TO;
  });
  await c.waitUntil("market storage version 1", 60_000, async (seen) => {
    const v = await marketVersion(api);
    seen(`version ${v}`);
    return v === 1;
  });
}

/**
 * The upgrade block on alice's chain: the first block from `near - 5` whose
 * state runs spec `TO` (the code changes with the block that sets it). Checks
 * its CodeUpdated event and that the migration ran at the next block.
 */
async function upgradeBlock(api, near) {
  let n = Math.max(1, near - 5);
  for (;; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    if ((await api.rpc.state.getRuntimeVersion(hash)).specVersion.toNumber() === TO) break;
    if (n > near + 5) throw new Error(`no block up to #${n} runs spec ${TO} (setCode was in #${near})`);
  }
  const hash = await api.rpc.chain.getBlockHash(n);
  const next = await api.rpc.chain.getBlockHash(n + 1);
  if (!c.findEvent(await c.eventsAt(api, hash), "system.CodeUpdated")) throw new Error(`#${n} runs spec ${TO} without a CodeUpdated event`);
  const [at, after] = [await marketVersion(api, hash), await marketVersion(api, next)];
  if (at !== 0 || after !== 1) throw new Error(`market storage version ${at} at the upgrade block #${n} and ${after} at #${n + 1}, expected 0 then 1`);
  return n;
}

/**
 * Request `id` read from its stored bytes with v102's `Request` type; throws
 * unless the type consumes exactly the stored bytes (an unmigrated v0 value
 * lacks `closedAt`).
 */
async function decodeExactly(conn, id) {
  const { api, provider } = conn;
  const raw = await provider.send("state_getStorage", [api.query.market.requests.key(id)]);
  if (!raw) throw new Error(`request ${id}: gone from market.requests after the upgrade`);
  const type = api.registry.createLookupType(api.query.market.requests.creator.meta.type.asMap.value);
  let value;
  try {
    value = api.registry.createType(type, raw);
  } catch (err) {
    throw new Error(`request ${id}: its ${(raw.length - 2) / 2} stored bytes do not decode as v102's Request: ${err.message}`);
  }
  if (value.toHex() !== raw) {
    throw new Error(`request ${id}: v102's Request reads ${value.encodedLength} of ${(raw.length - 2) / 2} stored bytes differently (not migrated?): stored ${raw}, re-encoded ${value.toHex()}`);
  }
  if (!("closedAt" in value.toJSON())) throw new Error(`request ${id}: v102's Request has no closedAt field: ${JSON.stringify(value.toJSON())}`);
  return value;
}

/** Checks every request decodes and holds what it held before; returns them (v102) by id. */
async function checkMigrated(conn, before, openIds) {
  const out = new Map();
  for (const [id, old] of before) {
    const r = await decodeExactly(conn, id);
    const json = r.toJSON();
    const closedAt = json.closedAt;
    delete json.closedAt;
    if (JSON.stringify(json) !== JSON.stringify(old)) {
      throw new Error(`request ${id} changed in the migration:\nbefore ${JSON.stringify(old)}\nafter  ${JSON.stringify(json)}`);
    }
    const open = openIds.includes(id);
    if (open && closedAt !== null) throw new Error(`open request ${id} got closedAt ${closedAt}, expected none`);
    if (!open && closedAt === null) throw new Error(`closed request ${id} (${r.state.type}) got no closedAt from the migration`);
    out.set(id, r);
  }
  return out;
}

/** Checks that block `closedAt` of the finalized chain holds the event that closed request `id`; returns the event. */
async function checkClosedAt(api, id, closedAt, eventName) {
  const hash = await api.rpc.chain.getBlockHash(closedAt);
  const e = c.findEvent(await c.eventsAt(api, hash), eventName, (d) => d.id.toNumber() === id);
  if (!e) throw new Error(`request ${id}: closedAt #${closedAt}, but that block has no ${eventName} for it`);
  return e;
}

/** Stake and collateral of each prover, by address. */
async function proverFunds(api, addrs) {
  const out = {};
  for (const a of addrs) {
    const p = (await api.query.provers.provers(a)).unwrap();
    out[a] = { stake: p.stake.toBigInt(), collateral: p.collateral.toBigInt(), jobs: p.activeJobs.toNumber() };
  }
  return out;
}

/**
 * After the upgrade: proves the assigned bids, locks and proves the offer;
 * waits until all settled. Returns the jobs ({ id, x, prover, price, escrow,
 * proof }).
 */
async function settleAfterUpgrade(api, k, pre, migrated) {
  const provers = [k.Bob, k.Charlie];
  const keyOf = (addr) => provers.find((p) => p.address === addr);
  const funds = await proverFunds(api, provers.map((p) => p.address));
  // The offer goes to the prover with a free slot (the bids took up to three).
  const locker = provers.reduce((a, b) => (funds[b.address].jobs < funds[a.address].jobs ? b : a));
  const locked = await c.send(api, api.tx.market.lockRequest(pre.offer.id), locker, `lock offer ${pre.offer.id}`);
  const lock = c.findEvent(locked.events, "market.RequestLocked");
  if (!lock) throw new Error(`lockRequest(${pre.offer.id}): no RequestLocked event`);
  const jobs = [
    ...pre.assigned.map((a) => ({ ...a })),
    { ...pre.offer, prover: locker.address, price: lock.data.price.toBigInt(), collateral: lock.data.collateral.toBigInt() },
  ];
  for (const j of jobs) j.escrow = migrated.get(j.id).escrow.toBigInt();
  await c.sendAll(api, jobs.map((j) => proofTx(api, j, keyOf)));
  log(`proofs of ${jobs.map((j) => j.id)} submitted after the upgrade (offer ${pre.offer.id} locked by ${locker.address} at ${lock.data.price})`);
  for (const j of jobs) await waitState(api, j.id, "Settled", 240_000);
  const after = await proverFunds(api, provers.map((p) => p.address));
  for (const p of provers) {
    const earned = jobs.filter((j) => j.prover === p.address).reduce((s, j) => s + j.price, 0n);
    const a = p.address;
    if (after[a].stake - funds[a].stake !== earned) {
      throw new Error(`prover ${a}: stake grew by ${after[a].stake - funds[a].stake}, expected the prices of its jobs, ${earned}`);
    }
    if (after[a].collateral !== 0n) throw new Error(`prover ${a}: collateral ${after[a].collateral} still held after the offer settled`);
  }
  return jobs;
}

/** Checks each settled job on the finalized chain: state, closedAt, payment, refund, proof. */
async function checkSettlements(api, jobs) {
  for (const j of jobs) {
    const r = await c.request(api, j.id);
    if (!r.state.isSettled) throw new Error(`request ${j.id}: ${r.state.type}, expected Settled`);
    const s = r.state.asSettled;
    if (s.prover.toString() !== j.prover || s.paid.toBigInt() !== j.price) {
      throw new Error(`request ${j.id}: settled to ${s.prover} for ${s.paid}, expected ${j.prover} for ${j.price}`);
    }
    if (r.closedAt.isNone) throw new Error(`request ${j.id}: settled with closedAt none`);
    const e = await checkClosedAt(api, j.id, r.closedAt.unwrap().toNumber(), "market.RequestSettled");
    const [paid, refund] = [e.data.paid.toBigInt(), e.data.refund.toBigInt()];
    if (paid !== j.price || paid + refund !== j.escrow) {
      throw new Error(`request ${j.id}: RequestSettled paid ${paid} refund ${refund}, expected ${j.price} paid and the rest of the escrow ${j.escrow} refunded`);
    }
    const proof = await api.query.market.proofs(j.id);
    if (proof.isNone || proof.unwrap().toHex() !== j.proof.toLowerCase()) throw new Error(`request ${j.id}: market.proofs does not hold the submitted proof`);
  }
}

/** Pauses Bob's and Charlie's provers (best effort: reported, not thrown). */
async function pauseProvers(api, k) {
  for (const p of [k.Bob, k.Charlie]) {
    try {
      const info = await api.query.provers.provers(p.address);
      if (info.isSome && info.unwrap().status.isActive) await c.send(api, api.tx.provers.pause(), p, `pause ${p.address}`);
    } catch (err) {
      log(`pausing ${p.address}: ${err.message}`);
    }
  }
}

async function run(nodeName, networkInfo) {
  const wasm = upgradeWasm();
  const conns = await c.connectAll(networkInfo);
  const api = conns[nodeName].api;
  const k = c.devKeys();
  try {
    await expectV101(conns, api);
    for (const p of [k.Bob, k.Charlie]) await c.ensureProver(api, p, 100n * ZK);
    const program = await c.ensureDemoProgram(api, k.Alice);

    const pre = await requestsBeforeUpgrade(api, k, program);
    const ids = [...pre.closed.map((r) => r.id), ...pre.assigned.map((a) => a.id), pre.offer.id];
    const before = await snapshot(api, ids);

    const setIn = await setCode(api, k.Alice, wasm);
    await waitUpgraded(conns, api);
    log(`every node runs spec ${TO}; the market is at storage version 1`);
    const migrated = await checkMigrated(conns[nodeName], before, [...pre.assigned.map((a) => a.id), pre.offer.id]);
    log(`requests ${ids} decode with v102's types, unchanged but for closedAt`);

    const jobs = await settleAfterUpgrade(api, k, pre, migrated);
    const last = Math.max(...await Promise.all(jobs.map(async (j) => (await c.request(api, j.id)).closedAt.unwrap().toNumber())));
    // Everything below reads the finalized chain, the same on every node.
    const hash = await c.nodesAgreeAt(conns, last, 240_000);
    const upgradedAt = await upgradeBlock(api, setIn);
    if (last <= upgradedAt) throw new Error(`the settlements (up to #${last}) should come after the upgrade block #${upgradedAt}`);
    const versions = await specVersions(conns, hash);
    if (Object.values(versions).some((v) => v !== TO)) throw new Error(`spec versions at finalized #${last}: ${JSON.stringify(versions)}`);
    for (const { id, event } of pre.closed) {
      await checkClosedAt(api, id, migrated.get(id).closedAt.unwrap().toNumber(), event);
    }
    await checkSettlements(api, jobs);
    const views = [];
    for (const n of Object.keys(conns)) {
      const at = await conns[n].api.at(hash);
      views.push(JSON.stringify(await Promise.all(ids.map(async (id) => (await at.query.market.requests(id)).toJSON()))));
    }
    if (new Set(views).size !== 1) throw new Error(`nodes disagree on the requests at finalized #${last}:\n${views.join("\n")}`);
    log(`upgrade at #${upgradedAt}; requests settled after it, finalized alike on all nodes at #${last}`);
    return 1;
  } catch (err) {
    // zombienet shows only the message: the stack says where.
    log(`failed: ${err.stack}`);
    throw err;
  } finally {
    await pauseProvers(api, k);
    await c.disconnectAll(conns);
  }
}

module.exports = { run };
