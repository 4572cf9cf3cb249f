// The whole market on a running dev node, driven with @polkadot/api:
// provers, a GSP auction block, real proofs verified by the off-chain worker,
// a reverse Dutch offer with a missed lock and a bounty, idle decay, and a final
// reconciliation of issuance, fees and holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, send, ZK, prover, waitForEvent, blockEvents, eventsNamed, bestNumber, waitForBlock, waitForChainSecs,
} from './lib.mjs';

const GENESIS_ISSUANCE = 21_000_000_000n * ZK;
const PERBILL = 1_000_000_000n;

/** SPEC section 4 in BigInt: the BaseFee after a block. */
function nextBaseFee(fee, demand, capacity, { min, max }) {
  const t = BigInt(Math.max(1, Math.floor(capacity * 0.5)));
  const d = BigInt(Math.min(demand, Number(2n * t)));
  let next = fee;
  if (d > t) {
    let delta = (fee * (d - t)) / (t * 8n);
    if (delta < 1n) delta = 1n;
    next = fee + delta;
  } else if (d < t) {
    next = fee - (fee * (t - d)) / (t * 8n);
  }
  if (next < min) next = min;
  if (next > max) next = max;
  return next;
}

/** SPEC section 5 in BigInt: the price of an offer at time t. */
function offerPrice(o, t) {
  const start = BigInt(o.rampUpStart);
  t = BigInt(t);
  if (t > start + BigInt(o.lockTimeout)) return 0n;
  if (t <= start) return o.minPrice;
  const e = t - start;
  if (e >= BigInt(o.rampUpPeriod)) return o.maxPrice;
  return o.minPrice + ((o.maxPrice - o.minPrice) * e) / BigInt(o.rampUpPeriod);
}

async function rpc(node, method, params) {
  return node.provider.send(method, params);
}

test('the whole market on a dev node', { timeout: 900_000 }, async () => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  const stake = async (who) => (await api.query.provers.provers(who.address)).unwrap().stake.toBigInt();
  /** What idle decay took from `who` in blocks `from`..best (`provers.Decayed`). */
  const decayedSince = async (who, from) => {
    let sum = 0n;
    for (let n = from, to = await bestNumber(api); n <= to; n++) {
      for (const e of eventsNamed(await blockEvents(api, await api.rpc.chain.getBlockHash(n)), 'provers', 'Decayed')) {
        if (e.data.who.toString() === who.address) sum += e.data.amount.toBigInt();
      }
    }
    return sum;
  };
  try {
    await waitForBlock(api, 2);
    // ---- 1. provers ------------------------------------------------------
    await Promise.all([
      send(api, api.tx.provers.register(100n * ZK), k.bob),
      send(api, api.tx.provers.register(60n * ZK), k.charlie),
      send(api, api.tx.provers.register(40n * ZK), k.dave),
    ]);
    await assert.rejects(send(api, api.tx.provers.register(31n * ZK), k.ferdie), /provers\.StakeBelowMinimum/);
    // Ferdie registers the minimum and never proves: the idle prover.
    const ferdieReg = await send(api, api.tx.provers.register(32n * ZK), k.ferdie);
    const ferdieBlock = (await api.rpc.chain.getHeader(ferdieReg.blockHash)).number.toNumber();
    const p = await rpc(node, 'market_prover', [k.bob.address]);
    assert.equal(p.effectiveStake, (100n * ZK).toString());
    assert.equal(p.eligible, true);
    assert.equal(p.reputation, 500_000_000);

    // The demo program.
    const program = prover('program');
    await send(api, api.tx.verifier.registerProgram(program.vk), k.alice);
    // Every prover declares the demo program (4 jobs at once): the auction deals
    // a bid only to provers that declared its program.
    await Promise.all([k.bob, k.charlie, k.dave, k.ferdie].map((who) =>
      send(api, api.tx.provers.setCapabilities([program.programId], [], 4), who)));

    // ---- 2. auction bids in one block --------------------------------------
    const y = prover('input', 3).y;
    const expiresAt = (await bestNumber(api)) + 300;
    const bids = [
      [k.alice, 5n * ZK, ZK],
      [k.eve, 3n * ZK, ZK],
      [k.ferdie, 2n * ZK, ZK],
    ];
    const eveNonce = (await api.rpc.system.accountNextIndex(k.eve.address)).toNumber();
    // Wait for a fresh block so all bids land in the same one.
    const h0 = await bestNumber(api);
    await waitForBlock(api, h0 + 1);
    const sent = await Promise.all([
      ...bids.map(([who, bid, maxFee]) =>
        send(api, api.tx.market.submitRequest(program.programId, [y], { Auction: { bid, maxBaseFee: maxFee } }, expiresAt), who,
          who === k.eve ? { nonce: eveNonce } : {})),
      // A bid whose max BaseFee is below the BaseFee: not eligible, stays queued.
      send(api, api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: 9n * ZK, maxBaseFee: api.consts.baseFee.minBaseFee.toBigInt() } }, expiresAt), k.eve, { nonce: eveNonce + 1 }),
    ]);
    const blocks = [...new Set(sent.map((s) => s.blockHash))];
    const assignments = new Map();
    const bidOf = new Map();
    for (const hash of blocks) {
      const events = await blockEvents(api, hash);
      const submitted = events.filter((e) => e.section === 'market' && e.method === 'RequestSubmitted')
        .map((e) => e.data.id.toNumber());
      const cleared = events.find((e) => e.section === 'market' && e.method === 'AuctionCleared');
      assert.ok(cleared, 'the auction was cleared in the block of the bids');
      const baseFee = cleared.data.baseFee.toBigInt();
      // Ranking: eligible bids (max BaseFee >= BaseFee), bid desc, earlier first.
      const parent = (await api.rpc.chain.getHeader(hash)).parentHash;
      const atParent = await api.at(parent);
      const queued = (await atParent.query.market.auctionQueue()).map((x) => x.toNumber());
      const atBlock = await api.at(hash);
      const eligible = [];
      for (const id of [...queued, ...submitted]) {
        const r = (await atBlock.query.market.requests(id)).unwrap();
        const a = r.pricing.asAuction;
        bidOf.set(id, a.bid.toBigInt());
        if (a.maxBaseFee.toBigInt() >= baseFee) eligible.push({ id, bid: a.bid.toBigInt() });
      }
      eligible.sort((a, b) => (a.bid === b.bid ? a.id - b.id : a.bid > b.bid ? -1 : 1));
      assert.equal(cleared.data.demand.toNumber(), eligible.length);
      // Slots: eligible provers by reputation desc, stake desc, account; round-robin.
      const provers = [];
      for (const [key, info] of await atParent.query.provers.provers.entries()) {
        const v = info.unwrap();
        provers.push({ who: key.args[0].toString(), rep: v.reputation.toNumber(), stake: v.stake.toBigInt(), jobs: v.activeJobs.toNumber(), paused: v.status.isPaused });
      }
      const elig = provers.filter((x) => !x.paused && x.stake >= 32n * ZK && x.rep >= 100_000_000 && x.jobs < 4);
      elig.sort((a, b) => (b.rep - a.rep) || (a.stake === b.stake ? (a.who < b.who ? -1 : 1) : (a.stake > b.stake ? -1 : 1)));
      const capacity = elig.reduce((s, x) => s + (4 - x.jobs), 0);
      assert.equal(cleared.data.capacity.toNumber(), Math.min(capacity, 64));
      const assigned = events.filter((e) => e.section === 'market' && e.method === 'Assigned');
      assert.equal(assigned.length, Math.min(eligible.length, capacity));
      assigned.forEach((e, i) => {
        const next = eligible[i + 1] ? eligible[i + 1].bid : 0n;
        assert.equal(e.data.id.toNumber(), eligible[i].id, `rank ${i}`);
        assert.equal(e.data.price.toBigInt(), next + baseFee, `GSP price of rank ${i}`);
        assert.equal(e.data.prover.toString(), elig[i % elig.length].who, `slot of rank ${i}`);
        assignments.set(e.data.id.toNumber(), { prover: e.data.prover.toString(), price: e.data.price.toBigInt() });
      });
      // The BaseFee moved as SPEC section 4 says.
      const change = events.find((e) => e.section === 'baseFee' && e.method === 'BaseFeeChanged');
      const expected = nextBaseFee(baseFee, eligible.length, Math.min(capacity, 64), { min: 1_000_000_000n, max: 1000n * ZK });
      if (expected === baseFee) assert.equal(change, undefined);
      else assert.equal(change.data[1].toBigInt(), expected, "BaseFee after the block");
    }
    assert.equal(assignments.size, 3, 'three winners');
    // The ineligible bid stays queued.
    const lowId = sent[3].events.find((e) => e.event.section === 'market' && e.event.method === 'RequestSubmitted').event.data.id.toNumber();
    assert.equal((await rpc(node, 'market_request', [lowId])).state.status, 'Queued');
    const quote = await rpc(node, 'market_quoteBid', [(4n * ZK).toString()]);
    assert.equal(typeof quote.rank, 'number');

    // ---- 3. real proofs, off-chain verification, one tampered ----------------
    const byAddress = { [k.bob.address]: k.bob, [k.charlie.address]: k.charlie, [k.dave.address]: k.dave, [k.ferdie.address]: k.ferdie };
    const stakesBefore = {};
    for (const a of Object.keys(byAddress)) stakesBefore[a] = await stake(byAddress[a]);
    let tamperedId;
    const proofs = [];
    for (const [id, { prover: who }] of assignments) {
      const tamper = who === k.charlie.address;
      if (tamper) tamperedId = id;
      const pr = prover('prove', 3, id, who, ...(tamper ? ['--tamper'] : []));
      proofs.push(send(api, api.tx.verifier.submitProof(id, pr.proof), byAddress[who]));
    }
    assert.notEqual(tamperedId, undefined, 'Charlie got a job');
    const settledSeen = new Map();
    const verdicts = waitForEvent(api, (e) => {
      if (e.section === 'market' && (e.method === 'RequestSettled' || e.method === 'ProofRejected')) settledSeen.set(e.data.id.toNumber(), e);
      return settledSeen.size >= 3;
    }, { timeoutMs: 120_000 });
    await Promise.all(proofs);
    await verdicts;
    for (const [id, { prover: who, price }] of assignments) {
      const e = settledSeen.get(id);
      if (id === tamperedId) {
        assert.equal(e.method, 'ProofRejected');
        assert.equal(e.data.slashed.toBigInt(), stakesBefore[who] / 10n, 'invalid proof slashes 10%');
        assert.equal(await stake(byAddress[who]), stakesBefore[who] - stakesBefore[who] / 10n);
      } else {
        assert.equal(e.method, 'RequestSettled', `request ${id} settled`);
        assert.equal(e.data.paid.toBigInt(), price);
        assert.equal(await stake(byAddress[who]), stakesBefore[who] + price, 'the fee grew the stake');
      }
    }
    // The tampered request went back to the queue and is assigned again.
    const reassigned = await waitForEvent(api, (e) => e.section === 'market' && e.method === 'Assigned' && e.data.id.toNumber() === tamperedId, { timeoutMs: 60_000 });
    const again = reassigned.event.data.prover.toString();
    const pr = prover('prove', 3, tamperedId, again);
    const done = waitForEvent(api, (e) => e.section === 'market' && e.method === 'RequestSettled' && e.data.id.toNumber() === tamperedId, { timeoutMs: 120_000 });
    await send(api, api.tx.verifier.submitProof(tamperedId, pr.proof), byAddress[again]);
    await done;
    // The settled request keeps the proof that was verified (not the rejected one).
    const kept = await rpc(node, 'market_proof', [tamperedId]);
    assert.equal(kept.proof, pr.proof, 'market_proof returns the verified proof');
    assert.equal(kept.prover, again);
    assert.deepEqual(kept.inputs, [y]);
    assert.equal(kept.program, program.programId);
    await assert.rejects(rpc(node, 'market_proof', [123456]), /does not exist/);

    // ---- 4. a reverse Dutch offer ---------------------------------------------
    const now = Number((await api.query.timestamp.now()).toBigInt() / 1000n);
    const offer = {
      minPrice: 1n * ZK, maxPrice: 2n * ZK, rampUpStart: now + 6, rampUpPeriod: 20, lockTimeout: 30, timeout: 80, lockCollateral: 2n * ZK,
    };
    const sub = await send(api, api.tx.market.submitRequest(program.programId, [y], { Offer: offer }, 0), k.alice);
    const offerId = sub.events.find((e) => e.event.section === 'market' && e.event.method === 'RequestSubmitted').event.data.id.toNumber();
    for (const dt of [-1, 0, 5, 10, 19, 20, 30, 31]) {
      const t = offer.rampUpStart + dt;
      const r = await rpc(node, 'market_offerPrice', [offerId, t]);
      assert.equal(r.price, offerPrice(offer, t).toString(), `price at start${dt >= 0 ? '+' : ''}${dt}`);
    }
    // The price read "now" rises with the chain's time during the ramp-up.
    const seen = [];
    for (let i = 0; i < 3; i++) {
      await waitForChainSecs(api, offer.rampUpStart + 2 + 4 * i);
      const hash = (await api.rpc.chain.getHeader()).hash;
      const at = await api.at(hash);
      const t = Number((await at.query.timestamp.now()).toBigInt() / 1000n);
      const r = await rpc(node, 'market_offerPrice', [offerId, null, hash.toHex()]);
      assert.equal(r.price, offerPrice(offer, t).toString());
      seen.push(BigInt(r.price));
    }
    assert.ok(seen[2] > seen[0], `price rose: ${seen}`);
    // Dave locks and then misses the lock deadline.
    const daveBefore = await stake(k.dave);
    const daveFrom = await bestNumber(api);
    const lock = await send(api, api.tx.market.lockRequest(offerId), k.dave);
    const locked = lock.events.find((e) => e.event.section === 'market' && e.event.method === 'RequestLocked').event;
    assert.equal(await stake(k.dave), daveBefore - 2n * ZK - await decayedSince(k.dave, daveFrom));
    assert.ok(locked.data.price.toBigInt() > ZK && locked.data.price.toBigInt() < 2n * ZK);
    const aliceFreeBefore = (await api.query.system.account(k.alice.address)).data.free.toBigInt();
    const missed = await waitForEvent(api, (e) => e.section === 'market' && e.method === 'LockMissed' && e.data.id.toNumber() === offerId, { timeoutMs: 120_000 });
    assert.equal(missed.event.data.collateral.toBigInt(), 2n * ZK);
    assert.equal(missed.event.data.bounty.toBigInt(), ZK / 2n, '25% of the collateral is the bounty');
    // Offers run on the chain's clock, idle decay on blocks: with short test
    // blocks Dave may also have decayed while waiting; that is counted apart.
    const decayed = await decayedSince(k.dave, daveFrom);
    assert.equal(await stake(k.dave), daveBefore - 2n * ZK - decayed, 'the collateral is lost');
    const aliceFreeAfter = (await api.query.system.account(k.alice.address)).data.free.toBigInt();
    assert.equal(aliceFreeAfter - aliceFreeBefore, 2n * ZK, 'the requester is refunded in full');
    // Bob earns the bounty before the final deadline.
    const bobBefore = await stake(k.bob);
    const bountyProof = prover('prove', 3, offerId, k.bob.address);
    const settled = waitForEvent(api, (e) => e.section === 'market' && e.method === 'RequestSettled' && e.data.id.toNumber() === offerId, { timeoutMs: 120_000 });
    await send(api, api.tx.verifier.submitProof(offerId, bountyProof.proof), k.bob);
    const s = await settled;
    assert.equal(s.event.data.paid.toBigInt(), ZK / 2n);
    assert.equal(await stake(k.bob), bobBefore + ZK / 2n);

    // ---- 5. idle decay ------------------------------------------------------
    await waitForBlock(api, ferdieBlock + 31);
    const f = await rpc(node, 'market_prover', [k.ferdie.address]);
    assert.equal(f.effectiveStake, ((32n * ZK * 99n) / 100n).toString(), '1% after one idle period');
    assert.equal(f.eligible, false, 'below 32 ZK: no new work');

    // ---- 6. reconciliation -------------------------------------------------
    const best = await api.rpc.chain.getHeader();
    const at = await api.at(best.hash);
    let fees = 0n;
    for (let n = 1; n <= best.number.toNumber(); n++) {
      const hash = await api.rpc.chain.getBlockHash(n);
      for (const e of await blockEvents(api, hash)) {
        if (e.section === 'transactionPayment' && e.method === 'TransactionFeePaid') fees += e.data.actualFee.toBigInt();
      }
    }
    const issuance = (await at.query.balances.totalIssuance()).toBigInt();
    assert.equal(issuance, GENESIS_ISSUANCE - fees, 'issuance = genesis - burned fees');
    let total = 0n;
    for (const [, acc] of await at.query.system.account.entries()) total += acc.data.free.toBigInt() + acc.data.reserved.toBigInt();
    assert.equal(total, issuance, 'every ZK is in some account');
    // Holds by reason equal what the pallets recorded.
    const holds = {};
    for (const [key, list] of await at.query.balances.holds.entries()) {
      for (const h of list) {
        const r = JSON.stringify(h.id.toJSON());
        holds[r] = (holds[r] || 0n) + h.amount.toBigInt();
        holds[`${key.args[0]}:${r}`] = h.amount.toBigInt();
      }
    }
    let stakeSum = 0n;
    let collSum = 0n;
    for (const [, info] of await at.query.provers.provers.entries()) {
      const v = info.unwrap();
      stakeSum += v.stake.toBigInt() + v.unbonding.reduce((s, c) => s + c.amount.toBigInt(), 0n);
      collSum += v.collateral.toBigInt() + v.reservedBounty.toBigInt();
    }
    let escrow = 0n;
    for (const [, r] of await at.query.market.requests.entries()) escrow += r.unwrap().escrow.toBigInt();
    let deposits = 0n;
    for (const [, p] of await at.query.verifier.programs.entries()) deposits += p.unwrap().deposit.toBigInt();
    const reason = (pallet, r) => holds[JSON.stringify({ [pallet]: r })] || 0n;
    assert.equal(reason('provers', 'Stake'), stakeSum, 'stake holds');
    assert.equal(reason('provers', 'Collateral'), collSum, 'collateral holds');
    assert.equal(reason('market', 'Escrow'), escrow, 'escrow holds');
    assert.equal(reason('verifier', 'ProgramDeposit'), deposits, 'program deposits');
    assert.ok(escrow > 0n, 'the ineligible bid still holds its escrow');
  } finally {
    const { code } = await node.stop();
    assert.equal(code, 0);
  }
});

test('market RPC rejects bad input with JSON-RPC errors and survives dropped clients', async () => {
  const node = await startNode();
  const { api } = node;
  try {
    await assert.rejects(rpc(node, 'market_request', [123456]), /does not exist/);
    await assert.rejects(rpc(node, 'market_prover', ['not-an-address']), /not an SS58 address/);
    await assert.rejects(rpc(node, 'market_quoteBid', ['12abc']), /not a balance/);
    await assert.rejects(rpc(node, 'market_openRequests', [0, 1000]), /limit/);
    await assert.rejects(rpc(node, 'market_offerPrice', ['x']), /invalid|parse/i);
    // A client that drops its connection does not affect the node.
    const { WsProvider } = await import('@polkadot/api');
    for (let i = 0; i < 5; i++) {
      const p = new WsProvider(node.url);
      await p.isReady;
      p.send('market_baseFee', []).catch(() => {});
      await p.disconnect();
    }
    const fee = await rpc(node, 'market_baseFee', []);
    assert.match(fee.baseFee, /^\d+$/);
    // The RPC definitions shipped for Polkadot.js (docs/rpc-definitions.json).
    const { ApiPromise } = await import('@polkadot/api');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { ROOT } = await import('./lib.mjs');
    const definitions = JSON.parse(readFileSync(join(ROOT, 'docs', 'rpc-definitions.json'), 'utf8'));
    const api2 = await ApiPromise.create({ provider: new WsProvider(node.url), rpc: definitions, noInitWarn: true });
    try {
      const viaApi = (await api2.rpc.market.baseFee()).toJSON();
      assert.match(viaApi.baseFee, /^\d+$/);
      const quote = (await api2.rpc.market.quoteBid('1000')).toJSON();
      assert.equal(typeof quote.capacity, 'number');
      await assert.rejects(api2.rpc.market.request(424242), /does not exist/);
    } finally {
      await api2.disconnect();
    }
    const n = await bestNumber(api);
    await waitForBlock(api, n + 1);
  } finally {
    await node.stop();
  }
});
