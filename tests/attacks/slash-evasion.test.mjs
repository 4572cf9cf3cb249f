// Attack: slash evasion by unbonding (issue 15, item 3).
//
// Bob, the only prover, registers 1,000 ZK and wins an auction job. Right after
// the assignment he unbonds 968 ZK (everything above the 32 ZK minimum), pauses
// (so that no idle decay blurs the accounting), tries to withdraw the unbonded
// stake before and after the unbonding period while the job is open, and never
// proves.
//
// What must hold:
// - unbonding below MinProverStake with a job open is refused
//   (`provers.StakeNeededForJobs`);
// - before maturity `withdrawUnbonded` fails with `provers.NothingToWithdraw`;
//   after the unbonding period, while the job is open, with
//   `provers.ObligationsOutstanding` (the chunk backs the job);
// - the missed deadline is slashed in block deadline + 1 (inclusive deadline):
//   `Slashed { amount: 50 ZK, reason: MissedDeadline }`, i.e. 5% of the 1,000 ZK
//   that backed the job, 32 ZK from the active stake and 18 ZK from the chunk;
//   the treasury's free balance grows by exactly 50 ZK in that block;
// - afterwards the rest of the chunk (950 ZK) is withdrawable and Bob is
//   deregistered; his free balance moved by exactly -50 ZK minus his fees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, trySend, eventsNamed, blockEvents, bestNumber, waitForBlock,
  waitForEvent, freeOf, holdOf, treasuryAddress,
} from '../e2e/lib.mjs';

const STAKE = { provers: 'Stake' };

test('unbonding after winning a job does not shrink the slash', { timeout: 600_000 }, async (t) => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const proofDeadline = api.consts.market.proofDeadline.toNumber();
    const minStake = api.consts.provers.minProverStake.toBigInt();
    const slashRate = api.consts.provers.missedDeadlineSlash.toNumber(); // parts per billion
    const unbondingPeriod = (await api.query.provers.unbondingPeriodOverride()).unwrap().toNumber();
    assert.equal(minStake, 32n * ZK);
    assert.equal(slashRate, 50_000_000, '5%');

    let bobFees = 0n;
    const bobFree0 = await freeOf(api, k.bob.address);
    const program = prover('program');
    const y = prover('input', 3).y;
    const setup = await sendAll(api, [
      { tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice },
      { tx: api.tx.provers.register(1_000n * ZK), signer: k.bob },
      { tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: k.bob },
    ]);
    for (const o of setup) assert.ok(o.ok, `setup: ${o.error}`);
    bobFees += setup[1].fee + setup[2].fee;

    // Alice's bid; Bob, the only prover, wins it.
    const expiresAt = (await bestNumber(api)) + 1_000;
    const [bid] = await sendAll(api, [{ tx: api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), signer: k.alice }]);
    assert.ok(bid.ok, bid.error);
    const id = eventsNamed(bid.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
    let assigned = eventsNamed(await blockEvents(api, bid.blockHash), 'market', 'Assigned').find((e) => e.data.id.toNumber() === id);
    let assignedAt = bid.blockNumber;
    if (!assigned) {
      const w = await waitForEvent(api, (e) => e.section === 'market' && e.method === 'Assigned' && e.data.id.toNumber() === id, { timeoutMs: 30_000 });
      assigned = w.event;
      assignedAt = w.number;
    }
    assert.equal(assigned.data.prover.toString(), k.bob.address);
    const deadline = assigned.data.deadline.toNumber();
    assert.equal(deadline, assignedAt + proofDeadline);

    // Unbond: not below the minimum while the job is open; 968 ZK is fine.
    const tooMuch = await trySend(api, api.tx.provers.unbond(969n * ZK), k.bob);
    assert.equal(tooMuch.error, 'provers.StakeNeededForJobs');
    bobFees += tooMuch.fee;
    const [unbond, pause] = await sendAll(api, [
      { tx: api.tx.provers.unbond(968n * ZK), signer: k.bob },
      { tx: api.tx.provers.pause(), signer: k.bob },
    ]);
    assert.ok(unbond.ok && pause.ok, `${unbond.error} ${pause.error}`);
    bobFees += unbond.fee + pause.fee;
    const unlockAt = eventsNamed(unbond.events, 'provers', 'Unbonded')[0].data.unlockAt.toNumber();
    assert.equal(unlockAt, unbond.blockNumber + unbondingPeriod);
    assert.ok(unlockAt < deadline, 'the chunk matures before the deadline');
    let info = (await api.query.provers.provers(k.bob.address)).unwrap();
    assert.equal(info.stake.toBigInt(), 32n * ZK);
    assert.equal(info.unbonding.length, 1);
    assert.equal(info.unbonding[0].amount.toBigInt(), 968n * ZK);

    // Withdrawing: nothing matured yet, then held back by the open job.
    const early = await trySend(api, api.tx.provers.withdrawUnbonded(), k.bob);
    assert.equal(early.error, 'provers.NothingToWithdraw');
    bobFees += early.fee;
    await waitForBlock(api, unlockAt);
    const held = await trySend(api, api.tx.provers.withdrawUnbonded(), k.bob);
    assert.ok(held.blockNumber >= unlockAt && held.blockNumber < deadline);
    assert.equal(held.error, 'provers.ObligationsOutstanding');
    bobFees += held.fee;
    assert.equal(await holdOf(api, k.bob.address, STAKE), 1_000n * ZK, 'all 1,000 ZK still held');

    // Bob never proves. The slash comes in block deadline + 1.
    const slashed = await waitForEvent(api, (e) => e.section === 'provers' && e.method === 'Slashed' && e.data.who.toString() === k.bob.address, { timeoutMs: (deadline - (await bestNumber(api)) + 20) * 3_000 });
    assert.equal(slashed.number, deadline + 1, 'slashed in block deadline + 1');
    assert.equal(slashed.event.data.reason.toString(), 'MissedDeadline');
    assert.equal(slashed.event.data.amount.toBigInt(), 50n * ZK, '5% of the 1,000 ZK that backed the job');
    const events = await blockEvents(api, slashed.blockHash);
    const missed = eventsNamed(events, 'market', 'DeadlineMissed')[0];
    assert.equal(missed.data.id.toNumber(), id);
    assert.equal(missed.data.slashed.toBigInt(), 50n * ZK);
    // The treasury got it (nothing else moved its balance in that block).
    const treasury = treasuryAddress(api);
    const parent = (await api.rpc.chain.getHeader(slashed.blockHash)).parentHash.toHex();
    assert.equal(await freeOf(api, treasury, slashed.blockHash) - await freeOf(api, treasury, parent), 50n * ZK, 'the treasury received the slash');
    // 32 ZK from the active stake, 18 ZK from the chunk.
    info = (await (await api.at(slashed.blockHash)).query.provers.provers(k.bob.address)).unwrap();
    assert.equal(info.stake.toBigInt(), 0n);
    assert.equal(info.unbonding.length, 1);
    assert.equal(info.unbonding[0].amount.toBigInt(), 950n * ZK);
    assert.equal(info.activeJobs.toNumber(), 0);
    assert.equal(info.failures.toNumber(), 1);
    assert.equal(await holdOf(api, k.bob.address, STAKE, slashed.blockHash), 950n * ZK);

    // The job is over: the rest of the chunk comes back and Bob leaves.
    const out = await trySend(api, api.tx.provers.withdrawUnbonded(), k.bob);
    assert.ok(out.ok, out.error);
    bobFees += out.fee;
    assert.equal(eventsNamed(out.events, 'provers', 'Withdrawn')[0].data.amount.toBigInt(), 950n * ZK);
    assert.equal(eventsNamed(out.events, 'provers', 'Deregistered').length, 1);
    assert.ok((await api.query.provers.provers(k.bob.address)).isNone);
    assert.equal(await holdOf(api, k.bob.address, STAKE), 0n);
    assert.equal(await freeOf(api, k.bob.address), bobFree0 - 50n * ZK - bobFees, 'Bob lost exactly 50 ZK (plus fees)');
    t.diagnostic(`assigned in block ${assignedAt}, deadline ${deadline}, slashed 50 ZK in block ${slashed.number}`);
  } finally {
    await node.stop();
  }
});
