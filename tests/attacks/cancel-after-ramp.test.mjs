// Attack: cancel after the proof is public (issue 15, item 5).
//
// A requester sees a prover's proof of its open offer in the pool and sends
// `market.cancelRequest` with a higher tip for the same block, to get the proof
// for free and its escrow back.
//
// What must hold:
// - an `Open` offer can be cancelled only before its ramp-up starts (full
//   refund); from `ramp_up_start` on, `market.RampUpStarted`, also when the
//   cancel is ordered before the proof in the same block: the prover's proof is
//   accepted and paid;
// - an auction bid can be cancelled while `Queued` (full refund), not once
//   `Assigned` (`market.InvalidState`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, trySend, eventsNamed, blockEvents, bestNumber, waitForBlock,
  waitForEvent, chainSecs, waitForChainSecs, holdOf,
} from '../e2e/lib.mjs';

const ESCROW = { market: 'Escrow' };

test('offers cannot be cancelled once their ramp-up started, bids once assigned', { timeout: 600_000 }, async (t) => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const program = prover('program');
    const y = prover('input', 3).y;
    const [reg] = await sendAll(api, [{ tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice }]);
    assert.ok(reg.ok, reg.error);
    const submit = (pricing, expiresAt = 0) => api.tx.market.submitRequest(program.programId, [y], pricing, expiresAt);
    const idOf = (o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
    const expiresAt = (await bestNumber(api)) + 1_000;

    // An auction bid while queued (no prover yet): cancelled, refunded in full.
    const [queued] = await sendAll(api, [{ tx: submit({ Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), signer: k.alice }]);
    assert.ok(queued.ok, queued.error);
    const c0 = await trySend(api, api.tx.market.cancelRequest(idOf(queued)), k.alice);
    assert.ok(c0.ok, c0.error);
    assert.equal(eventsNamed(c0.events, 'market', 'RequestCancelled')[0].data.refund.toBigInt(), 2n * ZK);
    assert.equal(await holdOf(api, k.alice.address, ESCROW), 0n);

    // Three offers: ramp-up in 30 s, started now, starting in 8 s.
    const now = await chainSecs(api);
    const offer = (start) => ({
      Offer: { minPrice: ZK / 10n, maxPrice: ZK, rampUpStart: start, rampUpPeriod: 30, lockTimeout: 60, timeout: 300, lockCollateral: ZK / 10n },
    });
    const offers = await sendAll(api, [
      { tx: submit(offer(now + 30)), signer: k.alice },
      { tx: submit(offer(now)), signer: k.alice },
      { tx: submit(offer(now + 8)), signer: k.alice },
    ]);
    for (const o of offers) assert.ok(o.ok, o.error);
    const [later, started, soon] = offers.map(idOf);
    assert.equal(await holdOf(api, k.alice.address, ESCROW), 3n * ZK);

    // Before its ramp-up: cancelled, refunded in full.
    const c1 = await trySend(api, api.tx.market.cancelRequest(later), k.alice);
    assert.ok(c1.ok, c1.error);
    assert.ok(await chainSecs(api, c1.blockHash) < now + 30);
    assert.equal(eventsNamed(c1.events, 'market', 'RequestCancelled')[0].data.refund.toBigInt(), ZK);
    // Ramp-up started: refused.
    const c2 = await trySend(api, api.tx.market.cancelRequest(started), k.alice);
    assert.equal(c2.error, 'market.RampUpStarted');
    // Refused once the chain's clock reaches ramp_up_start.
    await waitForChainSecs(api, now + 8);
    const c3 = await trySend(api, api.tx.market.cancelRequest(soon), k.alice);
    assert.equal(c3.error, 'market.RampUpStarted');
    assert.equal(await holdOf(api, k.alice.address, ESCROW), 2n * ZK, 'the two started offers are still funded');

    // The race: Bob's proof of the started offer and Alice's cancel with a
    // higher tip in the same block. The cancel goes first and fails.
    const [bobReg, bobCaps] = await sendAll(api, [
      { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
      { tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: k.bob },
    ]);
    assert.ok(bobReg.ok, bobReg.error);
    assert.ok(bobCaps.ok, bobCaps.error);
    const proof = prover('prove', 3, started, k.bob.address).proof;
    const settled = waitForEvent(api, (e) => e.section === 'market' && e.method === 'RequestSettled' && e.data.id.toNumber() === started, { timeoutMs: 60_000 });
    const [cancel, submitted] = await sendAll(api, [
      { tx: api.tx.market.cancelRequest(started), signer: k.alice, tip: ZK / 10n },
      { tx: api.tx.verifier.submitProof(started, proof), signer: k.bob },
    ]);
    assert.equal(cancel.blockNumber, submitted.blockNumber, 'same block');
    assert.equal(cancel.error, 'market.RampUpStarted');
    assert.ok(submitted.ok, submitted.error);
    const block = await api.rpc.chain.getBlock(cancel.blockHash);
    const pos = (h) => block.block.extrinsics.findIndex((x) => x.hash.toHex() === h);
    const cancelHash = block.block.extrinsics.find((x) => x.method.section === 'market' && x.method.method === 'cancelRequest').hash.toHex();
    const proofHash = block.block.extrinsics.find((x) => x.method.section === 'verifier' && x.method.method === 'submitProof').hash.toHex();
    assert.ok(pos(cancelHash) < pos(proofHash), 'the higher tip put the cancel first');
    const s = await settled;
    assert.equal(s.event.data.prover.toString(), k.bob.address);
    assert.ok(s.event.data.paid.toBigInt() >= ZK / 10n, 'Bob is paid');

    // An assigned auction bid cannot be cancelled.
    const [bid] = await sendAll(api, [{ tx: submit({ Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), signer: k.alice }]);
    assert.ok(bid.ok, bid.error);
    const bidId = idOf(bid);
    if (!eventsNamed(await blockEvents(api, bid.blockHash), 'market', 'Assigned').some((e) => e.data.id.toNumber() === bidId)) {
      await waitForEvent(api, (e) => e.section === 'market' && e.method === 'Assigned' && e.data.id.toNumber() === bidId, { timeoutMs: 30_000 });
    }
    const c4 = await trySend(api, api.tx.market.cancelRequest(bidId), k.alice);
    assert.equal(c4.error, 'market.InvalidState');
  } finally {
    await node.stop();
  }
});
