// Attack: reputation reset by deregistering (issue 15, item 4).
//
// Bob, the only prover, wins an auction job and submits an invalid proof
// (`zkmarket-prover prove --tamper`): slashed 10% and his reputation falls from
// 50% to 40%. He pauses (so that the re-queued request is not given back to
// him), unbonds everything, withdraws after the unbonding period (which
// deregisters him) and registers again, hoping for a fresh 50%.
//
// What must hold:
// - after deregistration the account's record is kept (`provers.proverHistory`:
//   reputation 40%, 1 failure);
// - registering again restores it: reputation 40% (on chain and through the
//   `market_prover` RPC), failures 1, not the initial 50%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, trySend, eventsNamed, blockEvents, bestNumber, waitForBlock,
  waitForEvent, rpc, holdOf,
} from '../e2e/lib.mjs';

test('deregistering and registering again keeps the lowered reputation', { timeout: 600_000 }, async (t) => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const initial = api.consts.provers.initialReputation.toNumber();
    const loss = api.consts.provers.reputationLoss.toNumber();
    assert.equal(initial, 500_000_000);
    // reputation::on_failure: r - ceil(beta * r)
    const lowered = initial - Math.ceil((loss * initial) / 1e9);
    assert.equal(lowered, 400_000_000);

    const program = prover('program');
    const y = prover('input', 3).y;
    const setup = await sendAll(api, [
      { tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice },
      { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
      { tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: k.bob },
    ]);
    for (const o of setup) assert.ok(o.ok, `setup: ${o.error}`);
    assert.equal((await rpc(node, 'market_prover', [k.bob.address])).reputation, initial);

    // Bob wins Alice's bid and fails it with an invalid proof, then pauses.
    const expiresAt = (await bestNumber(api)) + 1_000;
    const [bid] = await sendAll(api, [{ tx: api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), signer: k.alice }]);
    assert.ok(bid.ok, bid.error);
    const id = eventsNamed(bid.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
    let assigned = eventsNamed(await blockEvents(api, bid.blockHash), 'market', 'Assigned').find((e) => e.data.id.toNumber() === id);
    if (!assigned) assigned = (await waitForEvent(api, (e) => e.section === 'market' && e.method === 'Assigned' && e.data.id.toNumber() === id, { timeoutMs: 30_000 })).event;
    assert.equal(assigned.data.prover.toString(), k.bob.address);
    const bad = prover('prove', 3, id, k.bob.address, '--tamper').proof;
    const rejected = waitForEvent(api, (e) => e.section === 'market' && e.method === 'ProofRejected' && e.data.id.toNumber() === id, { timeoutMs: 60_000 });
    const [proof, pause] = await sendAll(api, [
      { tx: api.tx.verifier.submitProof(id, bad), signer: k.bob },
      { tx: api.tx.provers.pause(), signer: k.bob },
    ]);
    assert.ok(proof.ok && pause.ok, `${proof.error} ${pause.error}`);
    const r = await rejected;
    assert.equal(r.event.data.slashed.toBigInt(), 10n * ZK, '10% of 100 ZK');
    const changed = eventsNamed(await blockEvents(api, r.blockHash), 'provers', 'ReputationChanged').find((e) => e.data.who.toString() === k.bob.address);
    assert.equal(changed.data[2].toNumber(), lowered, "ReputationChanged.new");
    let info = (await api.query.provers.provers(k.bob.address)).unwrap();
    assert.equal(info.reputation.toNumber(), lowered);
    assert.equal(info.failures.toNumber(), 1);
    assert.equal(info.activeJobs.toNumber(), 0);
    assert.equal(info.stake.toBigInt(), 90n * ZK);

    // Leave: unbond everything, withdraw after the unbonding period.
    const unbond = await trySend(api, api.tx.provers.unbond(90n * ZK), k.bob);
    assert.ok(unbond.ok, unbond.error);
    const unlockAt = eventsNamed(unbond.events, 'provers', 'Unbonded')[0].data.unlockAt.toNumber();
    await waitForBlock(api, unlockAt);
    const out = await trySend(api, api.tx.provers.withdrawUnbonded(), k.bob);
    assert.ok(out.ok, out.error);
    assert.equal(eventsNamed(out.events, 'provers', 'Withdrawn')[0].data.amount.toBigInt(), 90n * ZK);
    assert.equal(eventsNamed(out.events, 'provers', 'Deregistered').length, 1, 'deregistered');
    assert.ok((await api.query.provers.provers(k.bob.address)).isNone);
    assert.equal(await holdOf(api, k.bob.address, { provers: 'Stake' }), 0n);
    const history = (await api.query.provers.proverHistory(k.bob.address)).unwrap();
    assert.equal(history.reputation.toNumber(), lowered, 'the record survives deregistration');
    assert.equal(history.failures.toNumber(), 1);

    // Register again: the lowered reputation is back, not 50%.
    const again = await trySend(api, api.tx.provers.register(100n * ZK), k.bob);
    assert.ok(again.ok, again.error);
    info = (await api.query.provers.provers(k.bob.address)).unwrap();
    assert.equal(info.reputation.toNumber(), lowered, 'reputation restored, not reset');
    assert.equal(info.failures.toNumber(), 1);
    assert.equal(info.stake.toBigInt(), 100n * ZK);
    assert.equal((await rpc(node, 'market_prover', [k.bob.address])).reputation, lowered);
    t.diagnostic(`reputation after re-registering: ${info.reputation.toNumber()} ppb`);
  } finally {
    await node.stop();
  }
});
