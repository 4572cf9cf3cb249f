// Attack: decay escape by pause and resume (issue 15, item 6).
//
// Bob registers 100 ZK and never proves. To dodge the idle decay (1% per idle
// period; the dev chain's idle period is 30 blocks) he pauses and resumes in
// one block every 8 blocks, which used to restart his idle clock.
//
// What must hold:
// - pause + resume in one block changes nothing: Bob decays at the idle-period
//   boundary, in block registration + 30 (`provers.Decayed { amount: 1 ZK,
//   periods: 1 }`; `market_prover` shows an effective stake of 100 ZK in the
//   block before and 99 ZK in that block);
// - a real pause stops the idle clock and resume continues it: paused for d
//   blocks after the first decay, the next decay comes in block
//   registration + 60 + d (0.99 ZK), not earlier and not 30 blocks after the
//   resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, sendAll, trySend, eventsNamed, blockEvents, waitForBlock, rpc, holdOf,
} from '../e2e/lib.mjs';

/** Bob's `Decayed` events in blocks from..to: [{ n, amount, periods }]. */
async function decays(api, who, from, to) {
  const out = [];
  for (let n = from; n <= to; n++) {
    const evs = await blockEvents(api, await api.rpc.chain.getBlockHash(n));
    for (const e of eventsNamed(evs, 'provers', 'Decayed')) {
      if (e.data.who.toString() === who) out.push({ n, amount: e.data.amount.toBigInt(), periods: e.data.periods.toNumber() });
    }
  }
  return out;
}

test('pause and resume do not reset the idle clock', { timeout: 600_000 }, async (t) => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const idle = (await api.query.provers.idlePeriodOverride()).unwrap().toNumber();
    assert.equal(idle, 30, 'dev idle period');
    const reg = await trySend(api, api.tx.provers.register(100n * ZK), k.bob);
    assert.ok(reg.ok, reg.error);
    const R = reg.blockNumber;

    // Pause and resume in one block, three times within the first idle period.
    for (const at of [R + 8, R + 16, R + 24]) {
      await waitForBlock(api, at - 2);
      const [p, r] = await sendAll(api, [
        { tx: api.tx.provers.pause(), signer: k.bob },
        { tx: api.tx.provers.resume(), signer: k.bob },
      ]);
      assert.ok(p.ok && r.ok, `${p.error} ${r.error}`);
      assert.equal(p.blockNumber, r.blockNumber, 'pause and resume in one block');
      assert.ok(p.blockNumber < R + idle, 'within the first idle period');
    }
    // The effective stake (decay computed lazily) drops exactly at the boundary;
    // the `Decayed` event comes with the next touch or sweep (at most a block on).
    await waitForBlock(api, R + idle + 1);
    const stakeAt = async (n) => BigInt((await rpc(node, 'market_prover', [k.bob.address, (await api.rpc.chain.getBlockHash(n)).toHex()])).effectiveStake);
    assert.equal(await stakeAt(R + idle - 1), 100n * ZK, 'no decay before the boundary');
    assert.equal(await stakeAt(R + idle), 99n * ZK, 'decayed at the idle-period boundary');
    const first = await decays(api, k.bob.address, R, R + idle + 1);
    assert.equal(first.length, 1, 'one Decayed event');
    assert.ok(first[0].n === R + idle || first[0].n === R + idle + 1, `Decayed in block ${first[0].n}`);
    assert.equal(first[0].amount, ZK);
    assert.equal(first[0].periods, 1);

    // A real pause of d blocks: the clock stops, then continues.
    await waitForBlock(api, R + idle + 3);
    const pause = await trySend(api, api.tx.provers.pause(), k.bob);
    assert.ok(pause.ok, pause.error);
    await waitForBlock(api, pause.blockNumber + 4);
    const resume = await trySend(api, api.tx.provers.resume(), k.bob);
    assert.ok(resume.ok, resume.error);
    const d = resume.blockNumber - pause.blockNumber;
    assert.ok(d >= 5, `paused for ${d} blocks`);
    const expected = R + 2 * idle + d;
    await waitForBlock(api, expected + 1);
    assert.equal(await stakeAt(expected - 1), 99n * ZK, `no decay before block ${expected}`);
    assert.equal(await stakeAt(expected), 99n * ZK - (99n * ZK) / 100n, `decayed in block ${expected} (registration + 60 + ${d})`);
    const second = await decays(api, k.bob.address, R + idle + 2, expected + 1);
    assert.equal(second.length, 1, 'one more Decayed event');
    assert.ok(second[0].n === expected || second[0].n === expected + 1, `Decayed in block ${second[0].n}`);
    assert.equal(second[0].amount, (99n * ZK) / 100n);
    assert.equal(second[0].periods, 1);
    const info = (await api.query.provers.provers(k.bob.address)).unwrap();
    assert.equal(info.stake.toBigInt(), 99n * ZK - (99n * ZK) / 100n);
    assert.equal(await holdOf(api, k.bob.address, { provers: 'Stake' }), info.stake.toBigInt());
    t.diagnostic(`registered in block ${R}; decayed in blocks ${R + idle} and ${expected} (paused ${d} blocks)`);
  } finally {
    await node.stop();
  }
});
