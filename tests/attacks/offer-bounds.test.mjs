// Attack: offer deadline index abuse through unbounded start times (issue 15,
// item 8) and offers below the minimum escrow (item 1).
//
// A requester submits offers whose ramp-up starts far in the future (8 days
// ahead: deadline entries that sit in the index for ever) or far in the past
// (deadlines the offer clock has already passed), and offers with a max price
// below MinEscrow.
//
// What must hold:
// - `ramp_up_start` must lie in [now - MaxOfferStartSkew, now + MaxOfferDuration]:
//   now + 8 days, just past now + MaxOfferDuration, an hour ago and just before
//   now - MaxOfferStartSkew all fail with `market.RampStartOutOfRange`; starts
//   inside the window (a little in the past, almost MaxOfferDuration ahead) are
//   accepted;
// - `max_price < MinEscrow` fails with `market.EscrowBelowMinimum`;
// - an accepted offer's deadline index entries are removed when it is
//   cancelled; the offer clock keeps up with the chain's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, trySend, eventsNamed, waitForBlock, chainSecs, holdOf,
} from '../e2e/lib.mjs';

test('offer start times are bounded and offers hold at least MinEscrow', { timeout: 300_000 }, async () => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const maxDuration = api.consts.market.maxOfferDuration.toNumber();
    const skew = api.consts.market.maxOfferStartSkew.toNumber();
    const minEscrow = api.consts.market.minEscrow.toBigInt();
    assert.equal(maxDuration, 604_800);
    assert.equal(skew, 60);
    const program = prover('program');
    const y = prover('input', 3).y;
    const [reg] = await sendAll(api, [{ tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice }]);
    assert.ok(reg.ok, reg.error);

    // Offers last 2 hours (lock deadline after 1 hour): one that started an hour
    // ago is not expired, only its start is out of range.
    const offer = (start, maxPrice = ZK) => api.tx.market.submitRequest(program.programId, [y], {
      Offer: { minPrice: minEscrow / 2n, maxPrice, rampUpStart: start, rampUpPeriod: 30, lockTimeout: 3_600, timeout: 7_200, lockCollateral: ZK / 10n },
    }, 0);
    const now = await chainSecs(api);
    const DAY = 86_400;
    const cases = [
      ['now + 8 days', now + 8 * DAY, 'market.RampStartOutOfRange'],
      ['just past now + MaxOfferDuration', now + maxDuration + 30, 'market.RampStartOutOfRange'],
      ['an hour ago (still running)', now - 3_600, 'market.RampStartOutOfRange'],
      ['just before now - MaxOfferStartSkew', now - skew - 30, 'market.RampStartOutOfRange'],
      ['a little in the past', now - skew + 30, null],
      ['almost MaxOfferDuration ahead', now + maxDuration - 120, null],
    ];
    const out = await sendAll(api, [
      ...cases.map(([, start]) => ({ tx: offer(start), signer: k.alice })),
      { tx: offer(now + 60, minEscrow - 1n), signer: k.alice },
      { tx: offer(now + 60, minEscrow), signer: k.alice },
    ]);
    const execNow = await chainSecs(api, out[0].blockHash);
    assert.ok(execNow - now <= 20, 'the offers ran within 20 s of `now`');
    cases.forEach(([what, , error], i) => {
      if (error) assert.equal(out[i].error, error, what);
      else assert.ok(out[i].ok, `${what}: ${out[i].error}`);
    });
    assert.equal(out[cases.length].error, 'market.EscrowBelowMinimum', 'max_price below MinEscrow');
    assert.ok(out[cases.length + 1].ok, `max_price = MinEscrow: ${out[cases.length + 1].error}`);
    const idOf = (o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
    const far = idOf(out[cases.length - 1]);
    assert.equal(await holdOf(api, k.alice.address, { market: 'Escrow' }), 2n * ZK + minEscrow, 'only the accepted offers hold escrow');

    // The far offer's deadlines are indexed; cancelling removes them.
    const indexed = async (id) => {
      const secs = [];
      for (const [key, ids] of await api.query.market.offerDeadlines.entries()) {
        if (ids.some((x) => x.toNumber() === id)) secs.push(key.args[0].toNumber());
      }
      return secs;
    };
    assert.ok((await indexed(far)).length > 0, 'the far offer is indexed');
    const cancel = await trySend(api, api.tx.market.cancelRequest(far), k.alice);
    assert.ok(cancel.ok, cancel.error);
    assert.deepEqual(await indexed(far), [], 'cancelling removes its deadline entries');

    // The offer clock keeps up with the chain's time.
    const hash = (await api.rpc.chain.getHeader()).hash;
    const clock = (await (await api.at(hash)).query.market.offerClock()).unwrap().toNumber();
    assert.ok(clock >= (await chainSecs(api, hash)) - 2, `offer clock ${clock} within a block of the chain's time`);
  } finally {
    await node.stop();
  }
});
