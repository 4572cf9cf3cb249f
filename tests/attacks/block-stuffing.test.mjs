// Attack: block stuffing (issue 28, items 1 and 2): one dev node for the whole
// file. An attacker fills the Normal dispatch class of every block with heavily
// tipped transactions for about 55 blocks, to keep out what the market needs to
// land in time: the validators' verdicts (their off-chain workers' unsigned
// `verifier.submitVerdicts`) and the provers' proofs and declines.
//
// The stuffing: //Alice (the sudo key on --dev) sends pairs of
// `sudo.sudoUncheckedWeight(system.remark)` declaring Normal-class weight, the
// first the largest one extrinsic may have (`maxExtrinsic`), the second the
// rest of the class (`maxTotal`), so that one pair fills a block's Normal class
// exactly; tip 10 ZK each: a tip priority of 1e19 and more, above
// u64::MAX / 2 (the verdicts' and, before the fix, every fee-paying proof's
// ceiling). All pairs are sent at once with consecutive nonces, right after
// the proof of property 1 is in a block. A second, ordinary stuffer (//Eve)
// sends 300 tipped `balances.transferKeepAlive` at a priority just under
// u64::MAX / 4 (the cap of a tip's priority after the fix): far above any
// untipped transaction, below the sudo stuffer (so it never breaks the fill).
//
// Requests: three auction bids in one block A, each dealt to one of the
// JS-driven provers //Bob and //Charlie (demo program, real proofs made with
// `zkmarket-prover prove`): R1 by //Ferdie (proven and in a block P before the
// stuffing starts), R2 and R3 by //Dave.
//
// What must hold:
// - the attack happened: every pair is included, one after the other, every
//   block of the window (first to last stuffed block, at least 50 blocks)
//   except session-boundary blocks holds a stuffer, and the Normal class is
//   full (no room for one more extrinsic) in at least 80% of them;
// - (1) a proof submitted before the stuffing is decided and settled: R1's
//   proof gets `verifier.VerdictReached` (valid) in its first verification
//   round and `market.RequestSettled`, never `VerificationTimedOut` or
//   `VerificationUndecided`, nothing is refunded (no `RequestCancelled`,
//   `RequestExpired`), and //Ferdie's `market.cancelRequest` sent with an
//   11 ZK tip for the block in which the verification would time out
//   (`VerificationTimeout` blocks after P) fails; //Ferdie's free balance plus
//   holds fell by exactly the price, its fees and the tip;
// - (2) an honest, online prover misses no deadline: R2's prover submits its
//   proof (tip 0) once the stuffing is seen, a request dealt again during the
//   stuffing (R3 after its decline) is proven by its new prover (tip 0) at
//   once; each such proof is included before its deadline and settles, and no
//   `market.DeadlineMissed` or `provers.Slashed` happens in the whole run;
// - (3) a free decline is not crowded out: R3's first prover declines it
//   (tip 0) once the stuffing is seen: included during the stuffing, within
//   `FreeDeclinePeriod` of the assignment, no slash, no fee.
// Before the fix (u64::MAX / 2 for verdicts, uncapped tips) the attack
// succeeds: (1), (2) and (3) fail; the stuffing check holds either way.
//
//   cd tests && node --test attacks/block-stuffing.test.mjs     (about 2.5 minutes)
// NODE_BIN=... picks the node binary; diagnostics print the priorities seen by
// the pool and the block-by-block fill of the window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, keyFromUri, ZK, prover, sendAll, signOffline, submitSigned, eventsNamed, bestNumber,
  waitForBlock, sleep, rpc, outcomeOf,
} from '../e2e/lib.mjs';

const U64_MAX = 2n ** 64n - 1n;
const PAIRS = 52;
const STUFF_TIP = 10n * ZK;
const EVE_TXS = 300;
/** The ordinary stuffer's priority: just under u64::MAX / 4. */
const EVE_PRIORITY = U64_MAX / 4n - U64_MAX / 64n;
const CANCEL_TIP = 11n * ZK;
const t0 = Date.now();
const log = (...a) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);
const zk = (x) => `${Number(x) / 1e18} ZK`;
const frac = (p) => (p === undefined ? '-' : `${(Number(p) / Number(U64_MAX)).toFixed(3)} x u64::MAX`);

/**
 * Every block from 1 on as it is imported: its events, extrinsic hashes and
 * the Normal class's weight (`system.BlockWeight`), read while the dev node
 * still has the state.
 */
class Chain {
  constructor(api) {
    this.api = api;
    this.next = 1;
    this.blocks = new Map();
    this.txAt = new Map();
    this.stopped = false;
    this.error = null;
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
        await sleep(100);
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
    const [block, at] = await Promise.all([api.rpc.chain.getBlock(hash), api.at(hash)]);
    const [records, weight] = await Promise.all([at.query.system.events(), at.query.system.blockWeight()]);
    const exts = block.block.extrinsics.map((x) => x.hash.toHex());
    exts.forEach((h, index) => { if (!this.txAt.has(h)) this.txAt.set(h, { n, index }); });
    this.blocks.set(n, {
      n, hash, records, events: records.map((r) => r.event), exts, normal: weight.normal.refTime.toBigInt(),
    });
  }

  /** Block `n` once read (waits for it). */
  async block(n, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.blocks.has(n)) {
      if (this.error) throw this.error;
      if (Date.now() > deadline) throw new Error(`block ${n} not read in time (at ${this.next})`);
      await sleep(50);
    }
    return this.blocks.get(n);
  }

  /** The outcome of extrinsic `h` if it is in a block read so far: { n, ok, error, fee, events }, else null. */
  outcome(h) {
    const at = this.txAt.get(h);
    if (!at) return null;
    const b = this.blocks.get(at.n);
    const { ok, error, fee, events } = outcomeOf(this.api, b.records, at.index);
    return { n: at.n, ok, error, fee, events };
  }

  /** Waits until extrinsic `h` is in a block; its outcome. */
  async waitTx(h, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = this.outcome(h);
      if (o) return o;
      if (this.error) throw this.error;
      if (Date.now() > deadline) throw new Error(`transaction ${h} not included in time (read to block ${this.next - 1})`);
      await sleep(50);
    }
  }

  /** Events `section.method` of blocks `from..to` (read so far), as [{ n, event }]. */
  eventsIn(from, to, section, method) {
    const out = [];
    for (let n = from; n <= to; n++) {
      const b = this.blocks.get(n);
      if (b) for (const e of eventsNamed(b.events, section, method)) out.push({ n, event: e });
    }
    return out;
  }
}

/** The pool's view of a signed extrinsic (`TaggedTransactionQueue_validate_transaction` at the best block). */
async function validity(api, ext) {
  const best = await api.rpc.chain.getBlockHash();
  const input = api.createType('(TransactionSource, Extrinsic, BlockHash)', ['External', ext, best]);
  const out = await api.rpc.state.call('TaggedTransactionQueue_validate_transaction', input.toHex(), best);
  const v = api.createType('TransactionValidity', out);
  if (v.isErr) return { error: v.asErr.toString() };
  return { priority: v.asOk.priority.toBigInt() };
}

// ---- the shared chain and what the attack run recorded ---------------------------------------
let node;
let api;
let k;
let chain;
const signers = new Map();
/** What happened: filled in by `before`, checked by the tests. */
const R = { priorities: {}, proofs: [], declines: [] };

/** Sends `tx` signed by `who` (tip 0 unless given) to the pool: its hash and the priority the pool gives it. */
async function submit(tx, who, tip = 0n) {
  const nonce = (await api.rpc.system.accountNextIndex(who.address)).toNumber();
  const ext = await signOffline(tx, who, nonce, { tip });
  const { priority } = await validity(api, ext);
  const [h] = await submitSigned(api, [ext]);
  return { h, priority };
}

before(async () => {
  node = await startNode();
  api = node.api;
  k = devKeys();
  const sink = keyFromUri('//Sink');
  for (const who of [k.bob, k.charlie]) signers.set(who.address, who);
  await waitForBlock(api, 1);
  chain = new Chain(api);
  chain.start();

  const timeout = api.consts.verifier.verificationTimeout.toNumber();
  const proofDeadline = api.consts.market.proofDeadline.toNumber();
  const freeDecline = api.consts.market.freeDeclinePeriod.toNumber();
  Object.assign(R, { timeout, proofDeadline, freeDecline });

  // Setup: the demo program, two provers declaring it (4 jobs at once each).
  const demo = prover('program');
  const y = prover('input', 3).y;
  const setup = await sendAll(api, [
    { tx: api.tx.verifier.registerProgram(demo.vk), signer: k.alice },
    { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
    { tx: api.tx.provers.register(60n * ZK), signer: k.charlie },
  ]);
  for (const o of setup) assert.ok(o.ok, `setup: ${o.error}`);
  const decl = await sendAll(api, [k.bob, k.charlie].map((who) => ({ tx: api.tx.provers.setCapabilities([demo.programId], [], 4), signer: who })));
  for (const o of decl) assert.ok(o.ok, `setCapabilities: ${o.error}`);

  // The sudo stuffer: pairs that fill the Normal class exactly.
  const bw = api.consts.system.blockWeights;
  const normal = bw.perClass.normal;
  const maxExtrinsic = normal.maxExtrinsic.unwrap().refTime.toBigInt();
  const maxTotal = normal.maxTotal.unwrap().refTime.toBigInt();
  const base = normal.baseExtrinsic.refTime.toBigInt();
  const stuffer = (refTime) => api.tx.sudo.sudoUncheckedWeight(api.tx.system.remark('0x'), { refTime, proofSize: 0 });
  const probe = 10n ** 12n;
  const extWeight = (await stuffer(probe).paymentInfo(k.alice, { tip: STUFF_TIP })).weight.refTime.toBigInt() - probe;
  const big = maxExtrinsic - extWeight;
  const small = maxTotal - big - 2n * (extWeight + base);
  assert.ok(small > 0n, 'room for the second stuffer');
  Object.assign(R, { maxTotal, base, extWeight, big, small });
  const aliceNonce = (await api.rpc.system.accountNextIndex(k.alice.address)).toNumber();
  const stuffers = [];
  for (let i = 0; i < PAIRS; i++) {
    stuffers.push(await signOffline(stuffer(big), k.alice, aliceNonce + 2 * i, { tip: STUFF_TIP }));
    stuffers.push(await signOffline(stuffer(small), k.alice, aliceNonce + 2 * i + 1, { tip: STUFF_TIP }));
  }
  R.priorities.stufferBig = (await validity(api, stuffers[0])).priority;
  R.priorities.stufferSmall = (await validity(api, stuffers[1])).priority;

  // The ordinary stuffer: tipped for a priority just under u64::MAX / 4.
  const eveNonce = (await api.rpc.system.accountNextIndex(k.eve.address)).toNumber();
  // (A fresh call each time: signing fills in the extrinsic it is called on.)
  const transfer = () => api.tx.balances.transferKeepAlive(sink.address, ZK);
  const perTip = (await validity(api, await signOffline(transfer(), k.eve, eveNonce, { tip: 0n }))).priority;
  const eveTip = EVE_PRIORITY / perTip - 1n;
  const eves = [];
  for (let i = 0; i < EVE_TXS; i++) eves.push(await signOffline(transfer(), k.eve, eveNonce + i, { tip: eveTip }));
  R.priorities.eve = (await validity(api, eves[0])).priority;
  R.eveTip = eveTip;
  log(`stuffer weights ${big} + ${small} ps (extension weight ${extWeight}, base ${base}); Eve's tip ${zk(eveTip)}`);

  // Three bids in one block: R1 (Ferdie, property 1), R2 and R3 (Dave).
  const start = await bestNumber(api);
  const maxBaseFee = ZK / 10n;
  const bid = (who, amount) => ({
    tx: api.tx.market.submitRequest(demo.programId, [y], { Auction: { bid: amount, maxBaseFee } }, start + 400), signer: who,
  });
  const bids = await sendAll(api, [bid(k.ferdie, 3n * ZK), bid(k.dave, 2n * ZK), bid(k.dave, ZK)]);
  for (const o of bids) assert.ok(o.ok, `bid: ${o.error}`);
  const A = bids[0].blockNumber;
  assert.ok(bids.every((o) => o.blockNumber === A), 'the three bids in one block');
  const [id1, id2, id3] = bids.map((o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber());
  const blockA = await chain.block(A);
  const assigned = new Map();
  for (const e of eventsNamed(blockA.events, 'market', 'Assigned')) {
    assigned.set(e.data.id.toNumber(), { prover: e.data.prover.toString(), price: e.data.price.toBigInt(), deadline: e.data.deadline.toNumber(), at: A });
  }
  for (const id of [id1, id2, id3]) assert.ok(assigned.has(id), `request ${id} dealt in block ${A}`);
  const preA = await chain.block(A - 1);
  const wealth = async (who, hash) => {
    const d = (await (await api.at(hash)).query.system.account(who)).data;
    return d.free.toBigInt() + d.reserved.toBigInt();
  };
  Object.assign(R, {
    A, id1, id2, id3, assigned, ferdie0: await wealth(k.ferdie.address, preA.hash), bidFee: bids[0].fee,
  });
  log(`bids ${id1}, ${id2}, ${id3} dealt in block ${A}: ${[id1, id2, id3].map((id) => `${id} -> ${assigned.get(id).prover.slice(0, 6)} at ${zk(assigned.get(id).price)}`).join(', ')}`);

  // R1 is proven before the stuffing.
  const a1 = assigned.get(id1);
  const p1 = await submit(api.tx.verifier.submitProof(id1, prover('prove', 3, id1, a1.prover).proof), signers.get(a1.prover));
  R.priorities.proofBefore = p1.priority;
  R.proofs.push({ id: id1, h: p1.h, prover: a1.prover, deadline: a1.deadline, sentAt: await bestNumber(api) });
  const o1 = await chain.waitTx(p1.h);
  assert.ok(o1.ok, `R1's proof: ${o1.error}`);
  const P = o1.n;
  R.P = P;

  // The stuffing starts at once: every pair, then Eve's transfers.
  const stuffHashes = await submitSigned(api, stuffers);
  R.stuffSentBy = await bestNumber(api);
  await submitSigned(api, eves);
  Object.assign(R, { stuffHashes, eveHashes: eves.map((x) => x.hash.toHex()) });
  log(`R1's proof in block ${P}; ${stuffers.length} stuffers sent (best block ${R.stuffSentBy}), ${EVE_TXS} transfers of Eve sent`);

  // Follow the blocks: act as the honest provers and the requester.
  const a2 = assigned.get(id2);
  const a3 = assigned.get(id3);
  let S = null;
  let cancel = null;
  for (let n = P + 1; ; n++) {
    const b = await chain.block(n);
    if (S === null && eventsNamed(b.events, 'sudo', 'Sudid').length > 0) {
      S = n;
      R.S = S;
      // R2's prover proves now, with no tip.
      const tx2 = api.tx.verifier.submitProof(id2, prover('prove', 3, id2, a2.prover).proof);
      const s2 = await submit(tx2, signers.get(a2.prover));
      R.proofs.push({ id: id2, h: s2.h, prover: a2.prover, deadline: a2.deadline, sentAt: n });
      R.priorities.proof = s2.priority;
      // R3's prover declines now, with no tip.
      const txd = api.tx.market.declineAssignment(id3);
      const d3 = await submit(txd, signers.get(a3.prover));
      R.priorities.decline = d3.priority;
      R.declines.push({ id: id3, h: d3.h, prover: a3.prover, assignedAt: a3.at, deadline: a3.deadline, sentAt: n });
      log(`first stuffed block ${S}: R2's proof and R3's decline sent`);
    }
    // A request dealt (again) during the run is proven at once by its new prover.
    if (n > A) {
      for (const e of eventsNamed(b.events, 'market', 'Assigned')) {
        const id = e.data.id.toNumber();
        if (![id1, id2, id3].includes(id)) continue;
        const who = e.data.prover.toString();
        const s = await submit(api.tx.verifier.submitProof(id, prover('prove', 3, id, who).proof), signers.get(who));
        R.proofs.push({ id, h: s.h, prover: who, deadline: e.data.deadline.toNumber(), sentAt: n, redealt: true });
        log(`block ${n}: request ${id} dealt again to ${who.slice(0, 6)}, proof sent`);
      }
    }
    // Ferdie tries to take R1's escrow back in the block where its verification would time out.
    if (n === P + timeout - 1) {
      const c = await submit(api.tx.market.cancelRequest(id1), k.ferdie, CANCEL_TIP);
      cancel = { h: c.h, sentAt: n };
      R.cancel = cancel;
      R.priorities.cancel = c.priority;
      log(`block ${n}: Ferdie's tipped cancelRequest(${id1}) sent`);
    }
    const included = stuffHashes.filter((h) => chain.outcome(h)).length;
    if (included === stuffHashes.length && R.E === undefined) R.E = Math.max(...stuffHashes.map((h) => chain.outcome(h).n));
    const cancelIn = cancel && chain.outcome(cancel.h);
    if (R.E !== undefined && n >= R.E + 3 && n >= P + timeout + 3 && cancelIn) break;
    if (n >= P + 75) break;
    if (n % 10 === 0) log(`block ${n}: ${included}/${stuffHashes.length} stuffers in`);
  }
  R.end = chain.next - 1;
  if (R.E === undefined) R.E = Math.max(...stuffHashes.map((h) => chain.outcome(h)?.n ?? 0));
  R.ferdieEnd = await wealth(k.ferdie.address, (await chain.block(R.end)).hash);
  const req1 = (await (await api.at((await chain.block(R.end)).hash)).query.market.requests(id1)).unwrap();
  R.state1 = req1.state.type;
  log(`run done at block ${R.end} (stuffed ${R.S}..${R.E})`);
}, { timeout: 400_000 });

after(async () => {
  if (chain) await chain.stop();
  if (node) await node.stop();
});

// ---- the attack happened ---------------------------------------------------------------------
test('the attack: tipped stuffers fill the Normal class of every block for 50 blocks', (t) => {
  const p = R.priorities;
  t.diagnostic(`pool priorities: sudo stuffer ${frac(p.stufferBig)} / ${frac(p.stufferSmall)} (tip ${zk(STUFF_TIP)}), Eve ${frac(p.eve)} (tip ${zk(R.eveTip)}), R1's proof ${frac(p.proofBefore)}, R2's proof ${frac(p.proof)}, R3's decline ${frac(p.decline)} (tip 0), Ferdie's cancel ${frac(p.cancel)} (tip ${zk(CANCEL_TIP)})`);
  assert.ok(R.S !== undefined && R.S !== null, 'a stuffed block');
  assert.ok(R.S <= R.P + 2, `the stuffing starts right after R1's proof (block ${R.P}), not at ${R.S}`);
  const outs = R.stuffHashes.map((h) => chain.outcome(h));
  assert.equal(outs.filter(Boolean).length, R.stuffHashes.length, 'every stuffer included');
  for (const o of outs) {
    assert.ok(o.ok, `stuffer: ${o.error}`);
    assert.equal(eventsNamed(o.events, 'sudo', 'Sudid').length, 1);
  }
  const E = R.E;
  assert.ok(E - R.S + 1 >= 50, `stuffed blocks ${R.S}..${E}: at least 50`);
  let blocks = 0;
  let full = 0;
  const rows = [];
  for (let n = R.S; n <= E; n++) {
    const b = chain.blocks.get(n);
    const stuffed = outs.filter((o) => o && o.n === n).length;
    const session = eventsNamed(b.events, 'session', 'NewSession').length > 0;
    const left = R.maxTotal - b.normal;
    rows.push(`${n}: ${stuffed} stuffers, Normal room ${left} ps${session ? ' (session block)' : ''}`);
    if (session) continue;
    blocks += 1;
    assert.ok(stuffed > 0, `a stuffer in block ${n}`);
    if (left < R.base) full += 1;
  }
  t.diagnostic(`window ${R.S}..${E}: ${blocks} blocks with transactions, ${full} with the Normal class full (room < one base extrinsic, ${R.base} ps)`);
  if (process.env.STUFFING_TRACE || full < 0.8 * blocks) for (const r of rows) t.diagnostic(r);
  assert.ok(full >= 0.8 * blocks, `Normal class full in ${full} of ${blocks} blocks`);
});

// ---- (1) proofs submitted before the stuffing are decided --------------------------------------
test('(1) a proof submitted before the stuffing is decided and settled; nothing goes back to its requester', (t) => {
  const { id1, P, E } = R;
  const ofReq = (section, method, field = 'id') => chain.eventsIn(R.A, R.end, section, method).filter(({ event }) => event.data[field].toNumber() === id1);
  const timedOut = ofReq('verifier', 'VerificationTimedOut', 'request');
  const undecided = ofReq('market', 'VerificationUndecided');
  const extended = chain.eventsIn(R.A, R.end, 'verifier', 'VerificationExtended').filter(({ event }) => event.data.request.toNumber() === id1);
  const verdicts = ofReq('verifier', 'VerdictReached', 'request');
  const settled = ofReq('market', 'RequestSettled');
  const refunds = [...ofReq('market', 'RequestCancelled'), ...ofReq('market', 'RequestExpired'), ...ofReq('market', 'ClosedUnprovable')];
  const cancel = R.cancel && chain.outcome(R.cancel.h);
  const paid = R.ferdie0 - R.ferdieEnd;
  t.diagnostic(`R1 (#${id1}): proof in block ${P}, verdict in ${verdicts.map((v) => v.n)}, settled in ${settled.map((v) => v.n)}, timed out in ${timedOut.map((v) => v.n)}, undecided in ${undecided.map((v) => v.n)}, re-listed in ${extended.map((v) => v.n)}, refunds ${refunds.map((r) => `${r.event.method}@${r.n}`)}; state ${R.state1}`);
  t.diagnostic(`Ferdie's cancelRequest (sent at block ${R.cancel?.sentAt}): ${cancel ? `block ${cancel.n}, ${cancel.ok ? 'succeeded' : cancel.error}, fee ${zk(cancel.fee)}` : 'not included'}; Ferdie paid ${zk(paid)} in all`);
  assert.equal(timedOut.length, 0, `R1's verdict was crowded out: VerificationTimedOut in block ${timedOut.map((v) => v.n)}`);
  assert.equal(undecided.length, 0, `VerificationUndecided for R1 in block ${undecided.map((v) => v.n)}`);
  assert.equal(verdicts.length, 1, 'one final verdict');
  assert.equal(verdicts[0].event.data.valid.isTrue, true, 'valid');
  assert.ok(verdicts[0].n > P && verdicts[0].n <= P + R.timeout, `decided in its first round (block ${verdicts[0].n})`);
  assert.ok(verdicts[0].n <= E, 'decided during the stuffing');
  assert.equal(settled.length, 1, 'settled');
  assert.equal(settled[0].event.data.paid.toBigInt(), R.assigned.get(id1).price, 'paid the GSP price');
  assert.equal(R.state1, 'Settled');
  assert.equal(refunds.length, 0, `R1's escrow went back to its requester: ${refunds.map((r) => `${r.event.method} in block ${r.n}`)}`);
  assert.ok(cancel, 'the cancel attempt was included');
  assert.equal(cancel.ok, false, `Ferdie's cancelRequest succeeded in block ${cancel.n}`);
  assert.equal(cancel.error, 'market.InvalidState');
  assert.equal(paid, R.bidFee + R.assigned.get(id1).price + cancel.fee, 'Ferdie paid the price, its fees and its tip: no escrow back');
});

// ---- (2) an honest prover's proof lands before its deadline --------------------------------------
test('(2) the stuffing does not make an honest, online prover miss a deadline', (t) => {
  const { S, E } = R;
  const missed = chain.eventsIn(R.A, R.end, 'market', 'DeadlineMissed');
  const slashed = chain.eventsIn(1, R.end, 'provers', 'Slashed');
  const rows = R.proofs.map((p) => {
    const o = chain.outcome(p.h);
    const settled = chain.eventsIn(R.A, R.end, 'market', 'RequestSettled').find(({ event }) => event.data.id.toNumber() === p.id);
    return { ...p, o, settled };
  });
  for (const r of rows) {
    t.diagnostic(`request ${r.id}${r.redealt ? ' (dealt again)' : ''}: proof sent at block ${r.sentAt}, ${r.o ? `in block ${r.o.n} (${r.o.ok ? 'ok' : r.o.error})` : 'not included'}, deadline ${r.deadline}, settled ${r.settled ? `in block ${r.settled.n}` : 'no'}`);
  }
  t.diagnostic(`DeadlineMissed ${missed.map((m) => `#${m.event.data.id}@${m.n}`)}; Slashed ${slashed.map((s) => `${s.event.data.who.toString().slice(0, 6)}@${s.n}`)}`);
  // Proofs sent during the stuffing (not in its last two blocks) must land in it.
  const during = rows.filter((r) => r.sentAt >= S && r.sentAt <= E - 2);
  assert.ok(during.some((r) => r.id === R.id2), "R2's proof was sent during the stuffing");
  for (const r of during) {
    assert.ok(r.o, `request ${r.id}: the proof sent at block ${r.sentAt} is not in a block by block ${R.end} (deadline ${r.deadline})`);
    assert.ok(r.o.n <= r.deadline, `request ${r.id}: the proof sent at block ${r.sentAt} (tip 0) was crowded out until block ${r.o.n}, past its deadline ${r.deadline}${r.o.ok ? '' : ` (then ${r.o.error})`}`);
    assert.ok(r.o.ok, `request ${r.id}: ${r.o.error}`);
    assert.ok(r.o.n <= E, `request ${r.id}: included during the stuffing (block ${r.o.n}, stuffing to ${E})`);
    assert.ok(r.settled, `request ${r.id} settled`);
  }
  const r2 = rows.find((r) => r.id === R.id2);
  assert.equal(r2.settled.event.data.paid.toBigInt(), R.assigned.get(R.id2).price);
  assert.equal(missed.length, 0, `DeadlineMissed: ${missed.map((m) => `#${m.event.data.id} in block ${m.n}`)}`);
  assert.equal(slashed.length, 0, `provers.Slashed: ${slashed.map((s) => `${s.event.data.who} in block ${s.n}`)}`);
});

// ---- (3) a free decline is not crowded out --------------------------------------------------------
test('(3) a decline sent during the stuffing is included early in the window, free', (t) => {
  const d = R.declines[0];
  assert.ok(d, 'a decline was sent');
  const o = chain.outcome(d.h);
  t.diagnostic(`R3 (#${d.id}) assigned in block ${d.assignedAt}, decline sent at block ${d.sentAt}: ${o ? `block ${o.n}, ${o.ok ? 'ok' : o.error}, fee ${zk(o.fee)}` : 'not included'} (free until block ${d.assignedAt + R.freeDecline}, stuffing ${R.S}..${R.E})`);
  assert.ok(o, `the decline sent at block ${d.sentAt} is not in a block by block ${R.end}`);
  assert.ok(o.n <= d.assignedAt + R.freeDecline, `the decline sent at block ${d.sentAt} (tip 0) was crowded out until block ${o.n}, past the free period (to block ${d.assignedAt + R.freeDecline})${o.ok ? '' : `, then ${o.error}`}`);
  assert.ok(o.ok, o.error);
  assert.ok(o.n <= R.E, 'during the stuffing');
  const [c] = eventsNamed(o.events, 'market', 'DeclineCharged');
  assert.ok(c, 'DeclineCharged');
  assert.equal(c.data.slashed.toBigInt(), 0n, 'no slash');
  assert.equal(o.fee, 0n, 'no fee');
  t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(0)} s for the file`);
});

// ---- issue 28, item 4: one `state_call` cannot pin the node ---------------------------------
// The verification benchmark APIs are not in the production runtime: a call
// with a 640 KiB key (what a bench call took before and parsed once per proof)
// is answered with an error at once. The time is printed, not asserted.
test('(4) state_call of the benchmark APIs with a 640 KiB key answers an error', async () => {
  const vk = `0x${'ab'.repeat(640 * 1024)}`;
  // SCALE (engine u8, vk Vec<u8>, proofs Vec<_> = empty): compact length prefix of 640 KiB is 4 bytes.
  const len = api.createType('Compact<u32>', 640 * 1024).toHex().slice(2);
  const args = { Groth16Bench_verify_batch: `0x01${len}${vk.slice(2)}00`,
    Groth16ProgramBench_verify_program_batch: `0x0000${len}${vk.slice(2)}00` };
  for (const [method, data] of Object.entries(args)) {
    const started = Date.now();
    await assert.rejects(rpc(node, 'state_call', [method, data]), (e) => {
      log(`${method}: ${String(e.message).slice(0, 120)} (${Date.now() - started} ms)`);
      return true;
    });
  }
  // The node still serves: a block after the calls.
  const before = await bestNumber(api);
  await waitForBlock(api, before + 1);
});
