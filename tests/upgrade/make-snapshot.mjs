// A state snapshot of a running dev chain for the try-runtime test of the next
// release's migrations (runtime/tests/try_runtime.rs): drives market traffic
// so that requests are left in many states, then dumps the whole state (but
// `:code`) at one finalized block.
//
//   node upgrade/make-snapshot.mjs <ws-url> <out.json>
//
// Normally run by scripts/snapshot-dev-state.sh, which starts the node of the
// previous release's dev chain (Alice authors alone and verifies with her
// off-chain worker, sudo Alice, verdict threshold 1).
//
// Traffic (dev accounts; amounts fixed so that the snapshot reads the same
// from run to run, except for times, hashes and block numbers):
//   - Bob and Charlie register as provers (100 ZK), Alice registers the demo
//     program (`zkmarket-prover program`);
//   - four auction bids (Eve, Ferdie) are assigned; one proof per prover is
//     proven with `zkmarket-prover prove`, verified by Alice's off-chain worker
//     and settled (Settled, proof kept, pruning scheduled in `PruneAt`); the
//     other two stay Assigned (their 50-block deadline is after the snapshot);
//   - Dave's bid with `maxBaseFee` = MinBaseFee stays Queued (the BaseFee is
//     above its minimum for ~100 blocks after genesis), a second one is
//     cancelled (Cancelled), Ferdie's such bid with a short expiry expires
//     (Expired);
//   - Alice's offers: one with its ramp-up 10 min ahead stays Open, one is
//     locked by Charlie (Locked), one is locked by Bob with a 36 s lock
//     timeout that he misses (BountyOpen).
//
// Environment: SNAPSHOT_TIMEOUT (seconds, default 240), EXPECT_SPEC_VERSION
// (fail unless the chain runs this spec version).
import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  devKeys, ZK, prover, sleep, waitForBlock, bestNumber, sendAll, eventsNamed, chainSecs,
} from '../e2e/lib.mjs';

const [url, outArg] = process.argv.slice(2);
if (!url || !outArg) {
  console.error('usage: node upgrade/make-snapshot.mjs <ws-url> <out.json>');
  process.exit(2);
}
const OUT = resolve(outArg);
const TIMEOUT_S = Number(process.env.SNAPSHOT_TIMEOUT || 240);
const t0 = Date.now();
const deadline = t0 + TIMEOUT_S * 1000;
const log = (...a) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const CODE_KEY = '0x3a636f6465'; // `:code`

/** Connects to `url`, retrying while the node starts (60 s at most). */
async function connect() {
  const until = Date.now() + 60_000;
  for (;;) {
    const provider = new WsProvider(url, false);
    try {
      await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('connect timeout')), 2000);
        provider.on('connected', () => { clearTimeout(t); resolve(); });
        provider.on('error', () => { clearTimeout(t); reject(new Error('ws error')); });
        provider.connect().catch(reject);
      });
      return { provider, api: await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true }) };
    } catch (e) {
      try { await provider.disconnect(); } catch (_) { /* not connected */ }
      if (Date.now() > until) throw new Error(`node RPC not reachable at ${url}: ${e.message}`);
      await sleep(500);
    }
  }
}

/** Fails unless every named call/storage/constant exists in the chain's metadata. */
function checkMetadata(api) {
  const need = {
    tx: ['provers.register', 'verifier.registerProgram', 'verifier.submitProof', 'market.submitRequest',
      'market.cancelRequest', 'market.lockRequest'],
    query: ['market.requests', 'market.pruneAt', 'market.auctionQueue', 'baseFee.baseFee'],
    consts: ['baseFee.minBaseFee'],
  };
  const missing = [];
  for (const [kind, names] of Object.entries(need)) {
    for (const n of names) {
      const [s, m] = n.split('.');
      if (!api[kind][s] || !api[kind][s][m]) missing.push(`api.${kind}.${n}`);
    }
  }
  if (missing.length) throw new Error(`not in the chain's metadata: ${missing.join(', ')}`);
}

/** Alice's aura, gran and zkvf keys are in the node's keystore (`--alice`). */
async function checkKeystore(provider) {
  const sr = new Keyring({ type: 'sr25519' }).addFromUri('//Alice').publicKey;
  const ed = new Keyring({ type: 'ed25519' }).addFromUri('//Alice').publicKey;
  const missing = [];
  for (const [type, pk] of [['aura', sr], ['gran', ed], ['zkvf', sr]]) {
    if (!(await provider.send('author_hasKey', [u8aToHex(pk), type]))) missing.push(type);
  }
  if (missing.length) throw new Error(`the node's keystore lacks Alice's ${missing.join(', ')} key(s): start it with --alice`);
}

/** The request id of a `submitRequest` outcome. */
function idOf(o) {
  const [e] = eventsNamed(o.events, 'market', 'RequestSubmitted');
  if (!e) throw new Error(`no RequestSubmitted in block ${o.blockNumber}`);
  return e.data.id.toNumber();
}

/** Throws with `what` and the dispatch error unless every outcome succeeded. */
function allOk(outcomes, what) {
  outcomes.forEach((o, i) => {
    if (!o.ok) throw new Error(`${what}[${i}] failed in block ${o.blockNumber}: ${o.error}`);
  });
  return outcomes;
}

/** Requests by state name at block `at` (all of them): { Queued: [ids], ... }. */
async function requestsByState(api, at) {
  const q = await api.at(at);
  const by = {};
  for (const [key, r] of await q.query.market.requests.entries()) {
    const st = r.unwrap().state.type;
    (by[st] ||= []).push(key.args[0].toNumber());
  }
  for (const ids of Object.values(by)) ids.sort((a, b) => a - b);
  return by;
}

/** Ids scheduled for pruning at block `at`. */
async function pruneScheduled(api, at) {
  const q = await api.at(at);
  let n = 0;
  for (const [, ids] of await q.query.market.pruneAt.entries()) n += ids.length;
  return n;
}

/** Waits until `pred()` holds (polling every block time or so). */
async function until(what, pred, timeoutMs = deadline - Date.now()) {
  const end = Math.min(deadline, Date.now() + timeoutMs);
  for (;;) {
    if (await pred()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

async function stateOf(api, id, at) {
  const q = at ? await api.at(at) : api;
  const r = await q.query.market.requests(id);
  return r.isSome ? r.unwrap().state.type : 'None';
}

/** The whole state at `hash` but `:code`: sorted [key, value] hex pairs. */
async function dumpState(provider, hash) {
  const keys = [];
  let start = null;
  for (;;) {
    const page = await provider.send('state_getKeysPaged', ['0x', 1000, start, hash]);
    keys.push(...page);
    if (page.length < 1000) break;
    start = page[page.length - 1];
  }
  const wanted = keys.filter((k) => k !== CODE_KEY);
  const pairs = [];
  for (let i = 0; i < wanted.length; i += 500) {
    const batch = wanted.slice(i, i + 500);
    const sets = await provider.send('state_queryStorageAt', [batch, hash]);
    const got = new Map();
    for (const set of sets) for (const [k, v] of set.changes) got.set(k, v);
    for (const k of batch) {
      const v = got.get(k);
      if (v === undefined || v === null) throw new Error(`no value for key ${k} at ${hash}`);
      pairs.push([k, v]);
    }
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs;
}

async function main() {
  await cryptoWaitReady();
  const { api, provider } = await connect();
  try {
    const version = await api.rpc.state.getRuntimeVersion();
    log(`connected to ${url}: ${version.specName} spec_version ${version.specVersion}`);
    if (process.env.EXPECT_SPEC_VERSION && version.specVersion.toNumber() !== Number(process.env.EXPECT_SPEC_VERSION)) {
      throw new Error(`the chain runs spec_version ${version.specVersion}, expected ${process.env.EXPECT_SPEC_VERSION}`);
    }
    checkMetadata(api);
    await checkKeystore(provider);
    await waitForBlock(api, 1);
    const k = devKeys();
    const program = prover('program');
    const y = prover('input', 3).y;
    const minBaseFee = api.consts.baseFee.minBaseFee.toBigInt();

    // ---- provers and the program ---------------------------------------------------------
    // Runtimes with prover capabilities (issue 27) deal a bid only to provers
    // that declared its program: Bob and Charlie declare the demo program.
    const declare = api.tx.provers.setCapabilities
      ? [k.bob, k.charlie].map((p) => ({ tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: p }))
      : [];
    const [bobReg] = allOk(await sendAll(api, [
      { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
      { tx: api.tx.provers.register(100n * ZK), signer: k.charlie },
      { tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice },
      ...declare,
    ]), 'setup');
    log(`Bob and Charlie registered, program ${program.programId} registered (block ${bobReg.blockNumber})`);

    // ---- bids and offers in one block ------------------------------------------------------
    const best = await bestNumber(api);
    const now = await chainSecs(api);
    const baseFee = (await api.query.baseFee.baseFee()).toBigInt();
    if (baseFee <= minBaseFee) log(`warning: BaseFee ${baseFee} is at its minimum: the low bids are eligible (no Queued request)`);
    const auction = (bid, maxBaseFee) => ({ Auction: { bid, maxBaseFee } });
    const offer = (rampUpStart, rampUpPeriod, lockTimeout, timeout) => ({
      Offer: { minPrice: ZK / 100n, maxPrice: ZK / 10n, rampUpStart, rampUpPeriod, lockTimeout, timeout, lockCollateral: ZK / 10n },
    });
    const submit = (pricing, expiresAt, signer) => ({ tx: api.tx.market.submitRequest(program.programId, [y], pricing, expiresAt), signer });
    const subs = allOk(await sendAll(api, [
      // Eligible bids: all four are assigned in this block's clearing.
      submit(auction(5n * ZK, ZK), best + 1000, k.eve),
      submit(auction(4n * ZK, ZK), best + 1000, k.ferdie),
      submit(auction(3n * ZK, ZK), best + 1000, k.eve),
      submit(auction(2n * ZK, ZK), best + 1000, k.ferdie),
      // Below the BaseFee: stays queued / is cancelled / expires.
      submit(auction(ZK, minBaseFee), best + 1000, k.dave),
      submit(auction(ZK, minBaseFee), best + 1000, k.dave),
      submit(auction(ZK, minBaseFee), best + 6, k.ferdie),
      // Offers: open (ramp-up in 10 min), to lock, to lock and miss.
      submit(offer(now + 600, 60, 900, 1800), 0, k.alice),
      submit(offer(now, 60, 900, 1800), 0, k.alice),
      submit(offer(now, 6, 36, 1800), 0, k.alice),
    ]), 'requests');
    const ids = subs.map(idOf);
    const [, , , , queuedId, cancelId, expireId, openId, lockId, missId] = ids;
    const bidIds = ids.slice(0, 4);
    log(`requests ${ids.join(', ')} submitted (blocks ${[...new Set(subs.map((o) => o.blockNumber))].join(', ')})`);

    // The four bids are assigned (in the block of their submission).
    const assigned = new Map();
    await until('the bids to be assigned', async () => {
      for (const id of bidIds) {
        if (assigned.has(id)) continue;
        const r = await api.query.market.requests(id);
        const st = r.unwrap().state;
        if (st.isAssigned) assigned.set(id, st.asAssigned.prover.toString());
      }
      return assigned.size === bidIds.length;
    }, 30_000);
    // One proof per prover (the best bid of each); the rest stays Assigned.
    const toProve = new Map();
    for (const [id, who] of assigned) if (![...toProve.values()].includes(who)) toProve.set(id, who);
    if (toProve.size < 2) for (const [id, who] of assigned) if (toProve.size < 2 && !toProve.has(id)) toProve.set(id, who);
    const byAddress = { [k.bob.address]: k.bob, [k.charlie.address]: k.charlie };
    log(`assigned: ${[...assigned].map(([id, who]) => `${id} -> ${who === k.bob.address ? 'Bob' : 'Charlie'}`).join(', ')}`);

    // ---- locks, the cancel and the proofs in one block ---------------------------------------
    const proofs = [...toProve].map(([id, who]) => ({
      tx: api.tx.verifier.submitProof(id, prover('prove', 3, id, who).proof), signer: byAddress[who],
    }));
    const acts = allOk(await sendAll(api, [
      { tx: api.tx.market.lockRequest(lockId), signer: k.charlie },
      { tx: api.tx.market.lockRequest(missId), signer: k.bob },
      { tx: api.tx.market.cancelRequest(cancelId), signer: k.dave },
      ...proofs,
    ]), 'locks, cancel and proofs');
    log(`offers ${lockId} (Charlie) and ${missId} (Bob) locked, bid ${cancelId} cancelled, proofs for ${[...toProve.keys()].join(', ')} submitted (block ${acts[0].blockNumber})`);

    // ---- wait for the verdicts, the expiry and the missed lock --------------------------------
    const want = new Map([
      ...[...toProve.keys()].map((id) => [id, 'Settled']),
      [expireId, 'Expired'], [missId, 'BountyOpen'],
    ]);
    await until('settlement, expiry and the missed lock', async () => {
      for (const [id, st] of want) if ((await stateOf(api, id)) !== st) return false;
      return true;
    }, 90_000);
    const doneAt = await bestNumber(api);
    log(`proofs settled, bid ${expireId} expired, offer ${missId} open for a bounty (block ${doneAt})`);

    // ---- the snapshot block: finalized, with every expected state ----------------------------
    await waitForBlock(api, doneAt, { finalized: true, timeoutMs: Math.max(10_000, deadline - Date.now()) });
    const hash = (await api.rpc.chain.getFinalizedHead()).toHex();
    const number = (await api.rpc.chain.getHeader(hash)).number.toNumber();
    const expected = {
      Settled: [...toProve.keys()], Assigned: bidIds.filter((id) => !toProve.has(id)), Queued: [queuedId],
      Open: [openId], Locked: [lockId], BountyOpen: [missId], Cancelled: [cancelId], Expired: [expireId],
    };
    const byState = await requestsByState(api, hash);
    const pruning = await pruneScheduled(api, hash);
    const specVersion = (await api.rpc.state.getRuntimeVersion(hash)).specVersion.toNumber();
    for (const [st, list] of Object.entries(expected)) {
      for (const id of list) {
        if (!(byState[st] || []).includes(id)) log(`warning: request ${id} is not ${st} at block ${number} (${await stateOf(api, id, hash)})`);
      }
    }
    if (!(byState.Settled || []).length) throw new Error(`no Settled request at block ${number}`);
    if (pruning === 0) throw new Error(`no closed request scheduled in market.pruneAt at block ${number}`);

    // ---- dump ----------------------------------------------------------------------------------
    const pairs = await dumpState(provider, hash);
    const body = [
      '{',
      `  "spec_version": ${specVersion},`,
      `  "block": ${number},`,
      `  "block_hash": "${hash}",`,
      '  "pairs": [',
      pairs.map((p) => `    ${JSON.stringify(p)}`).join(',\n'),
      '  ]',
      '}',
      '',
    ].join('\n');
    JSON.parse(body); // well-formed
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(`${OUT}.tmp`, body);
    renameSync(`${OUT}.tmp`, OUT);

    const counts = Object.entries(byState).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([st, list]) => `${st} ${list.length} [${list.join(',')}]`).join(', ');
    console.error(`snapshot: ${OUT}`);
    console.error(`  spec_version ${specVersion}, block ${number} ${hash}`);
    console.error(`  ${pairs.length} pairs (without :code), ${(body.length / 1024).toFixed(0)} KiB`);
    console.error(`  requests by state: ${counts}`);
    console.error(`  closed requests scheduled in market.pruneAt: ${pruning}`);
    console.error(`  took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await api.disconnect();
  }
}

const timer = setTimeout(() => {
  console.error(`make-snapshot: timed out after ${TIMEOUT_S} s`);
  process.exit(1);
}, TIMEOUT_S * 1000 + 30_000);
main().then(() => { clearTimeout(timer); process.exit(0); }, (e) => {
  console.error(`make-snapshot: ${e.stack || e.message}`);
  process.exit(1);
});
