// Attack: proof flood (issue 15, item 2).
//
// A prover (Bob) floods the verifier with proofs of unlocked offers (more than
// it has job slots, all sent for the same block) while another prover
// (Charlie) holds an auction assignment and submits its proof in that same
// block.
//
// What must hold:
// - an open-offer proof takes one job slot of its prover until its verdict:
//   Bob gets MaxJobsPerProver proofs in, every further one fails with
//   `provers.NoFreeSlot`; Bob never has more pending proofs than job slots;
// - a block takes at most MaxOpenProofsPerBlock proofs of open offers and
//   bounties, and a proof of an obligation (assignment, locked offer) is never
//   refused for room (a full verification list passes it to the next block's):
//   Charlie's proof is accepted, verified and settled (`RequestSettled`, paid
//   the GSP price into its stake), Charlie is never slashed (the bounds are
//   tested to the limit in the verifier's pallet tests);
// - once Bob's proofs are verified its slots are free again and its remaining
//   open-offer proofs go in and settle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, eventsNamed, blockEvents, bestNumber, waitForBlock,
  waitForEvent, chainSecs, holdOf,
} from '../e2e/lib.mjs';

test('an open-offer proof flood neither exceeds job slots nor hurts an assigned prover', { timeout: 600_000 }, async (t) => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const jobs = api.consts.provers.maxJobsPerProver.toNumber();
    const perBlock = api.consts.verifier.maxProofsPerBlock.toNumber();
    const openPerBlock = api.consts.verifier.maxOpenProofsPerBlock.toNumber();
    const assignments = api.consts.market.maxAssignmentsPerBlock.toNumber();
    assert.ok(openPerBlock + assignments <= perBlock, 'a block of assignments fits in a list beside the open proofs');
    assert.ok(api.consts.verifier.maxVerdictsPerTx.toNumber() >= perBlock, 'one verdict batch covers a block');
    const FLOOD = 2 * jobs;

    const program = prover('program');
    const y = prover('input', 3).y;
    // Charlie has the larger stake: the auction's single winner slot is his.
    const setup = await sendAll(api, [
      { tx: api.tx.verifier.registerProgram(program.vk), signer: k.alice },
      { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
      { tx: api.tx.provers.register(200n * ZK), signer: k.charlie },
      { tx: api.tx.provers.setCapabilities([program.programId], [], jobs), signer: k.bob },
      { tx: api.tx.provers.setCapabilities([program.programId], [], jobs), signer: k.charlie },
    ]);
    for (const o of setup) assert.ok(o.ok, `setup: ${o.error}`);

    // Alice's open offers, their ramp-up started; Dave's auction bid.
    const now = await chainSecs(api);
    const offer = (i) => ({
      Offer: {
        minPrice: ZK / 100n, maxPrice: ZK / 50n, rampUpStart: now, rampUpPeriod: 60 + i,
        lockTimeout: 120 + i, timeout: 600 + i, lockCollateral: ZK / 100n,
      },
    });
    const expiresAt = (await bestNumber(api)) + 1_000;
    const reqs = await sendAll(api, [
      ...Array.from({ length: FLOOD }, (_, i) => ({ tx: api.tx.market.submitRequest(program.programId, [y], offer(i), 0), signer: k.alice })),
      { tx: api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), signer: k.dave },
    ]);
    for (const o of reqs) assert.ok(o.ok, `request: ${o.error}`);
    const idOf = (o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
    const offerIds = reqs.slice(0, FLOOD).map(idOf);
    const auctionId = idOf(reqs[FLOOD]);

    // The auction assigns Dave's bid to Charlie.
    let assigned = eventsNamed(await blockEvents(api, reqs[FLOOD].blockHash), 'market', 'Assigned').find((e) => e.data.id.toNumber() === auctionId);
    if (!assigned) {
      assigned = (await waitForEvent(api, (e) => e.section === 'market' && e.method === 'Assigned' && e.data.id.toNumber() === auctionId, { timeoutMs: 30_000 })).event;
    }
    assert.equal(assigned.data.prover.toString(), k.charlie.address, 'Charlie holds the assignment');
    const price = assigned.data.price.toBigInt();
    const charlieStake = (await api.query.provers.provers(k.charlie.address)).unwrap().stake.toBigInt();

    // ---- the flood: Bob's 2 x MaxJobsPerProver open-offer proofs and Charlie's
    // assigned proof, all sent for the same block.
    const bobProofs = offerIds.map((id) => prover('prove', 3, id, k.bob.address).proof);
    const charlieProof = prover('prove', 3, auctionId, k.charlie.address).proof;
    const settledIds = new Set();
    const charlieSettled = waitForEvent(api, (e) => {
      if (e.section === 'market' && e.method === 'RequestSettled') settledIds.add(e.data.id.toNumber());
      return settledIds.has(auctionId) && offerIds.slice(0, jobs).every((id) => settledIds.has(id));
    }, { timeoutMs: 120_000 });
    const flood = await sendAll(api, [
      ...offerIds.map((id, i) => ({ tx: api.tx.verifier.submitProof(id, bobProofs[i]), signer: k.bob })),
      { tx: api.tx.verifier.submitProof(auctionId, charlieProof), signer: k.charlie },
    ]);
    const blocks = new Set(flood.map((o) => o.blockNumber));
    assert.equal(blocks.size, 1, 'the flood and the assigned proof are in one block');
    const bob = flood.slice(0, FLOOD);
    assert.ok(flood[FLOOD].ok, `the assigned prover's proof is accepted: ${flood[FLOOD].error}`);
    assert.equal(bob.filter((o) => o.ok).length, jobs, 'Bob gets one proof in per job slot');
    assert.deepEqual(bob.slice(jobs).map((o) => o.error), Array(FLOOD - jobs).fill('provers.NoFreeSlot'));
    // In that block Bob holds all its slots with pending proofs, no more.
    const at = await api.at(flood[0].blockHash);
    assert.equal((await at.query.provers.provers(k.bob.address)).unwrap().activeJobs.toNumber(), jobs);
    let bobPending = 0;
    for (const [, p] of await at.query.verifier.pending.entries()) if (p.unwrap().prover.toString() === k.bob.address) bobPending += 1;
    assert.equal(bobPending, jobs, 'Bob has as many pending proofs as job slots');

    // Charlie is settled at the GSP price, not slashed; Bob's proofs settle too.
    await charlieSettled;
    const end = await bestNumber(api);
    for (let n = flood[0].blockNumber; n <= end; n++) {
      const evs = await blockEvents(api, await api.rpc.chain.getBlockHash(n));
      for (const e of eventsNamed(evs, 'market', 'RequestSettled')) {
        if (e.data.id.toNumber() === auctionId) {
          assert.equal(e.data.prover.toString(), k.charlie.address);
          assert.equal(e.data.paid.toBigInt(), price, 'paid the GSP price');
        }
      }
      for (const e of [...eventsNamed(evs, 'provers', 'Slashed'), ...eventsNamed(evs, 'market', 'DeadlineMissed')]) {
        assert.notEqual((e.data.who || e.data.prover).toString(), k.charlie.address, 'Charlie is never slashed');
      }
    }
    const charlie = (await api.query.provers.provers(k.charlie.address)).unwrap();
    assert.equal(charlie.stake.toBigInt(), charlieStake + price, 'the fee grew the stake');
    assert.equal(charlie.failures.toNumber(), 0);
    assert.equal(charlie.activeJobs.toNumber(), 0);
    assert.equal(await holdOf(api, k.charlie.address, { provers: 'Stake' }), charlieStake + price);

    // Bob's slots are free again after the verdicts: the rest of its proofs go in.
    const bobInfo = (await api.query.provers.provers(k.bob.address)).unwrap();
    assert.equal(bobInfo.activeJobs.toNumber(), 0, 'verdicts release the slots');
    const rest = offerIds.slice(jobs);
    const restSettled = waitForEvent(api, (e) => {
      if (e.section === 'market' && e.method === 'RequestSettled') settledIds.add(e.data.id.toNumber());
      return rest.every((id) => settledIds.has(id));
    }, { timeoutMs: 120_000 });
    const second = await sendAll(api, rest.map((id) => ({ tx: api.tx.verifier.submitProof(id, bobProofs[offerIds.indexOf(id)]), signer: k.bob })));
    for (const o of second) assert.ok(o.ok, `second round: ${o.error}`);
    await restSettled;
    assert.equal((await api.query.provers.provers(k.bob.address)).unwrap().proofsVerified.toNumber(), FLOOD);
    t.diagnostic(`flood block ${flood[0].blockNumber}: ${jobs} accepted, ${FLOOD - jobs} NoFreeSlot; assigned proof settled`);
  } finally {
    await node.stop();
  }
});
