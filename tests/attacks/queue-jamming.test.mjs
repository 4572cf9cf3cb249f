// Attack: queue jamming (issue 15, item 1).
//
// Four accounts fill the whole auction queue (MaxQueueLength = 2,048 bids,
// 512 each, sent with explicit nonces as fast as the pool takes them) with the
// cheapest junk the chain accepts: escrow exactly MinEscrow and a max BaseFee
// just above MinBaseFee, so that the bids can never win while the BaseFee is
// above it. Their bids are all different and submitted in scrambled rank order.
//
// What must hold:
// - a bid that can never win is refused: `max_base_fee < MinBaseFee`
//   (`market.MaxBaseFeeBelowMinimum`), escrow below MinEscrow
//   (`market.EscrowBelowMinimum`);
// - the pool and the chain take all 2,048 junk bids; each costs the spammer
//   MinEscrow held (and a fee); the queue is kept in rank order;
// - with the queue full, a bid that does not rank above the worst one gets
//   `market.QueueFull`;
// - an honest competitive bid is accepted: it evicts the worst queued bid
//   (`BidEvicted { id, by, refund }`, its requester refunded MinEscrow in full,
//   the request closed as Expired) and is `Assigned` to the registered prover
//   within 2 blocks of its inclusion; that block's clearing saw exactly one
//   eligible bid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, trySend, signOffline, outcomesIn,
  keyFromUri, freeOf, holdOf, eventsNamed, blockEvents, bestNumber, waitForBlock, rpc,
} from '../e2e/lib.mjs';

const ESCROW = { market: 'Escrow' };

/**
 * Sends `per` transactions from each of `senders` (`makeTx(a, i)` is sender a's
 * i-th, nonce i), signed offline and pushed into the pool one after the other
 * per sender, all senders at once, right after a block import; nothing waits
 * for inclusion. Should the pool drop some of them (it accepted them, but no
 * block includes them and nothing is pending), what is missing is signed again
 * and resubmitted, as a spammer would. Returns the outcome of each
 * transaction (sender-major order) and how many rounds that took.
 */
async function flood(api, senders, per, makeTx) {
  const owner = new Map();
  const from = (await bestNumber(api)) + 1;
  const nonces = () => Promise.all(senders.map(async (s) => (await api.query.system.account(s.address)).nonce.toNumber()));
  let resubmitted = 0;
  for (let round = 1; round <= 4; round++) {
    const start = round === 1 ? senders.map(() => 0) : await nonces();
    const lists = await Promise.all(senders.map(async (s, a) => {
      const list = [];
      for (let i = start[a]; i < per; i++) list.push({ i, ext: await signOffline(makeTx(a, i), s, i) });
      return list;
    }));
    if (round > 1) resubmitted += lists.reduce((n, l) => n + l.length, 0);
    await waitForBlock(api, (await bestNumber(api)) + 1);
    await Promise.all(lists.map(async (list, a) => {
      for (const { i, ext } of list) {
        try {
          owner.set((await api.rpc.author.submitExtrinsic(ext)).toHex(), { a, i });
        } catch (e) {
          // Resubmitting: the earlier transaction with this nonce may still be pooled.
          if (round === 1) throw e;
        }
      }
    }));
    let last = -1;
    let still = 0;
    for (;;) {
      const done = await nonces();
      if (done.every((n) => n >= per)) {
        const found = await outcomesIn(api, [...owner.keys()], from, await bestNumber(api));
        const out = new Array(senders.length * per);
        for (const [h, o] of found) {
          const { a, i } = owner.get(h);
          assert.equal(out[a * per + i], undefined, 'one transaction per nonce');
          out[a * per + i] = o;
        }
        assert.ok(out.every(Boolean), 'every junk transaction found in a block');
        return { outcomes: out, rounds: round, resubmitted };
      }
      const total = done.reduce((x, y) => x + y, 0);
      if (total === last) still += 1;
      else [last, still] = [total, 0];
      if (still >= 5 && (await api.rpc.author.pendingExtrinsics()).length === 0) break;
      if (still >= 60) throw new Error(`junk stuck at nonces ${done}`);
      await waitForBlock(api, (await bestNumber(api)) + 1);
    }
  }
  throw new Error('junk still missing after 4 rounds');
}

test('2,048 junk bids from 4 accounts do not keep an honest bid from being assigned', { timeout: 600_000 }, async (t) => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const minBaseFee = api.consts.baseFee.minBaseFee.toBigInt();
    const minEscrow = api.consts.market.minEscrow.toBigInt();
    const queueLen = api.consts.market.maxQueueLength.toNumber();
    const maxOpen = api.consts.market.maxOpenRequestsPerAccount.toNumber();
    const ACCOUNTS = 4;
    const PER = queueLen / ACCOUNTS;
    assert.equal(queueLen, 2048, 'MaxQueueLength');
    assert.ok(PER <= maxOpen, 'each spammer may hold its share of the queue');
    assert.ok(minEscrow > minBaseFee + BigInt(queueLen), 'junk bids fit MinEscrow');

    const program = prover('program');
    const y = prover('input', 3).y;
    const junkKeys = Array.from({ length: ACCOUNTS }, (_, i) => keyFromUri(`//Junk${i + 1}`));
    const bidTx = (bid, maxBaseFee, expiresAt) =>
      api.tx.market.submitRequest(program.programId, [y], { Auction: { bid, maxBaseFee } }, expiresAt);

    // What one junk bid costs in fees, to fund the spammers.
    const expiresAt = (await bestNumber(api)) + 2_000;
    const info = await bidTx(minEscrow - minBaseFee, minBaseFee, expiresAt).paymentInfo(junkKeys[0]);
    const fee = info.partialFee.toBigInt();
    const funding = BigInt(PER) * (minEscrow + 2n * fee) + ZK;

    // Setup in one block: the program, the honest prover, the spammers' funds.
    const setup = await sendAll(api, [
      { tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice },
      ...junkKeys.map((j) => ({ tx: api.tx.balances.transferKeepAlive(j.address, funding), signer: k.alice })),
      { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
      { tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: k.bob },
    ]);
    for (const o of setup) assert.ok(o.ok, `setup: ${o.error}`);

    // Bids that can never win are refused.
    const refused = await sendAll(api, [
      { tx: bidTx(0n, 0n, expiresAt), signer: k.charlie },
      { tx: bidTx(0n, minBaseFee - 1n, expiresAt), signer: k.charlie },
      { tx: bidTx(0n, minBaseFee, expiresAt), signer: k.charlie },
      { tx: bidTx(minEscrow - minBaseFee - 1n, minBaseFee, expiresAt), signer: k.charlie },
    ], { freshBlock: false });
    assert.deepEqual(refused.map((o) => o.error), [
      'market.MaxBaseFeeBelowMinimum',
      'market.MaxBaseFeeBelowMinimum',
      'market.EscrowBelowMinimum',
      'market.EscrowBelowMinimum',
    ]);
    assert.equal(await holdOf(api, k.charlie.address, ESCROW), 0n);

    // ---- the junk: 2,048 bids, escrow exactly MinEscrow, scrambled ranks ------
    // Bid j has max BaseFee MinBaseFee + r(j) (r a permutation of 0..2047), so
    // bid = MinEscrow - MinBaseFee - r(j): the worst bid is the one with r = 2047,
    // submitted somewhere in the middle.
    const rankKey = (j) => (j * 7919) % queueLen;
    const junk = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      for (let i = 0; i < PER; i++) {
        const j = a * PER + i;
        const maxBaseFee = minBaseFee + BigInt(rankKey(j));
        junk.push({ j, who: junkKeys[a].address, bid: minEscrow - maxBaseFee, maxBaseFee });
      }
    }
    const t0 = Date.now();
    const { outcomes, rounds, resubmitted } = await flood(api, junkKeys, PER,
      (a, i) => bidTx(junk[a * PER + i].bid, junk[a * PER + i].maxBaseFee, expiresAt));
    const blocks = new Set(outcomes.map((o) => o.blockNumber));
    t.diagnostic(`junk: included in ${blocks.size} blocks (${Math.min(...blocks)}..${Math.max(...blocks)}) after ${Date.now() - t0} ms`);
    if (rounds > 1) t.diagnostic(`the pool silently dropped junk: ${resubmitted} transactions signed again and resubmitted (${rounds} rounds)`);
    const failed = outcomes.filter((o) => !o.ok);
    assert.equal(failed.length, 0, `junk refused: ${failed.slice(0, 3).map((o) => o.error)}`);
    const junkFees = outcomes.reduce((s, o) => s + o.fee, 0n);
    t.diagnostic(`junk cost: ${junkFees} base units of fees plus ${BigInt(queueLen) * minEscrow} held`);

    // The queue is full, in rank order (bid desc, then id asc), and each spammer
    // holds exactly MinEscrow per bid.
    const queue = (await api.query.market.auctionQueue()).map((x) => x.toNumber());
    assert.equal(queue.length, queueLen, 'the junk fills the queue');
    const reqs = new Map();
    for (const [key, r] of await api.query.market.requests.entries()) {
      const v = r.unwrap();
      reqs.set(key.args[0].toNumber(), { bid: v.pricing.asAuction.bid.toBigInt(), maxBaseFee: v.pricing.asAuction.maxBaseFee.toBigInt(), requester: v.requester.toString(), escrow: v.escrow.toBigInt() });
    }
    for (let i = 1; i < queue.length; i++) {
      const a = reqs.get(queue[i - 1]);
      const b = reqs.get(queue[i]);
      assert.ok(a.bid > b.bid || (a.bid === b.bid && queue[i - 1] < queue[i]), `queue in rank order at ${i}`);
    }
    for (const j of junkKeys) {
      assert.equal(await holdOf(api, j.address, ESCROW), BigInt(PER) * minEscrow, 'MinEscrow held per junk bid');
      assert.equal((await api.query.market.openRequests(j.address)).toNumber(), PER);
    }
    // The per-account cap holds too.
    const over = await trySend(api, bidTx(minEscrow - minBaseFee, minBaseFee, expiresAt), junkKeys[0]);
    assert.equal(over.error, 'market.TooManyOpenRequests');

    // A bid that does not rank above the worst queued bid is refused.
    const worstId = queue[queue.length - 1];
    const worst = reqs.get(worstId);
    assert.equal(worst.maxBaseFee, minBaseFee + BigInt(queueLen - 1), 'the worst bid is the one with the lowest bid');
    const tie = await trySend(api, bidTx(worst.bid, worst.maxBaseFee, expiresAt), k.charlie);
    assert.equal(tie.error, 'market.QueueFull', 'an equal bid ranks behind (later id)');
    assert.equal(await holdOf(api, k.charlie.address, ESCROW), 0n);

    // ---- the honest bid -------------------------------------------------------
    const honestBid = ZK / 100n;
    const honestMax = ZK;
    const honest = await trySend(api, bidTx(honestBid, honestMax, expiresAt), k.charlie);
    assert.ok(honest.ok, `honest bid accepted: ${honest.error}`);
    const at = honest.blockNumber;
    const events = await blockEvents(api, honest.blockHash);
    const submitted = eventsNamed(honest.events, 'market', 'RequestSubmitted')[0];
    assert.ok(submitted, 'RequestSubmitted');
    const honestId = submitted.data.id.toNumber();
    assert.equal(submitted.data.escrow.toBigInt(), honestBid + honestMax);
    const evicted = eventsNamed(honest.events, 'market', 'BidEvicted');
    assert.equal(evicted.length, 1, 'one bid evicted');
    assert.equal(evicted[0].data.id.toNumber(), worstId, 'the worst bid is evicted');
    assert.equal(evicted[0].data.by.toNumber(), honestId);
    assert.equal(evicted[0].data.refund.toBigInt(), minEscrow, 'refunded in full');
    // The evicted requester got its escrow back (it sent nothing in that block).
    const parent = (await api.rpc.chain.getHeader(honest.blockHash)).parentHash.toHex();
    assert.equal(await freeOf(api, worst.requester, honest.blockHash) - await freeOf(api, worst.requester, parent), minEscrow);
    assert.equal(await holdOf(api, worst.requester, ESCROW, parent) - await holdOf(api, worst.requester, ESCROW, honest.blockHash), minEscrow);
    const closed = (await (await api.at(honest.blockHash)).query.market.requests(worstId)).unwrap();
    assert.ok(closed.state.isExpired, 'the evicted bid is closed as Expired');
    assert.equal(closed.escrow.toBigInt(), 0n);

    // Assigned within 2 blocks of its inclusion.
    await waitForBlock(api, at + 2);
    let assigned = null;
    for (let n = at; n <= at + 2 && !assigned; n++) {
      const hash = n === at ? honest.blockHash : (await api.rpc.chain.getBlockHash(n)).toHex();
      const evs = n === at ? events : await blockEvents(api, hash);
      const a = eventsNamed(evs, 'market', 'Assigned').find((e) => e.data.id.toNumber() === honestId);
      if (a) assigned = { event: a, n, hash };
    }
    assert.ok(assigned, `honest bid ${honestId} assigned within 2 blocks of block ${at}`);
    assert.equal(assigned.event.data.prover.toString(), k.bob.address);
    t.diagnostic(`honest bid included in block ${at}, assigned in block ${assigned.n}`);
    // The clearing saw every queued bid and exactly one eligible bid.
    const cleared = eventsNamed(await blockEvents(api, assigned.hash), 'market', 'AuctionCleared')[0];
    assert.ok(cleared.data.baseFee.toBigInt() > minBaseFee + BigInt(queueLen), 'the junk is ineligible at this BaseFee');
    assert.equal(cleared.data.demand.toNumber(), 1, 'one eligible bid');
    assert.equal(cleared.data.winners.toNumber(), 1);
    const after = (await (await api.at(assigned.hash)).query.market.auctionQueue()).map((x) => x.toNumber());
    assert.equal(after.length, queueLen - 1, 'junk minus the evicted bid');
    assert.ok(!after.includes(honestId) && !after.includes(worstId));
    assert.equal((await rpc(node, 'market_request', [honestId])).state.status, 'Assigned');
    // The GSP price (no other eligible bid: the BaseFee) stays held, the rest of
    // the honest escrow is released at the assignment.
    const price = assigned.event.data.price.toBigInt();
    assert.equal(price, cleared.data.baseFee.toBigInt(), 'pays the BaseFee');
    assert.equal(await holdOf(api, k.charlie.address, ESCROW, assigned.hash), price);
  } catch (e) {
    // How the node filled its blocks, for a failure under load.
    const proposed = node.logs().split('\n').filter((l) => l.includes('Prepared block')).slice(-15);
    for (const l of proposed) t.diagnostic(l.trim());
    throw e;
  } finally {
    await node.stop();
  }
});
