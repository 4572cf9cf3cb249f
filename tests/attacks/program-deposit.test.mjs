// Attack surface: program deposits (issue 15, item 9).
//
// Dave registers programs (the demo key and a fresh key derived from it: the
// same key with its alpha point negated, a different valid key) and tries to
// take his deposit back while requests name the program; others try to remove
// his program.
//
// What must hold:
// - registering holds ProgramDepositBase + ProgramDepositPerByte * len
//   (`verifier.ProgramDeposit` hold); a key already registered gives
//   `verifier.ProgramExists`;
// - `unregister_program` by another account fails with `verifier.NotProgramOwner`,
//   of an unknown id with `verifier.UnknownProgram`; while an open request
//   (offer or queued bid) names the program with `verifier.ProgramInUse`;
// - with no open request the owner unregisters: `ProgramUnregistered { id,
//   owner, deposit }`, the hold is released (free balance + deposit - fee),
//   the program is gone and can be registered again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startNode, devKeys, ZK, prover, sendAll, trySend, eventsNamed, bestNumber, waitForBlock, chainSecs,
  freeOf, holdOf,
} from '../e2e/lib.mjs';

const DEPOSIT = { verifier: 'ProgramDeposit' };

/** The demo key with its alpha (first G1 point, compressed) negated: flip the y-sign flag. */
function freshVk(vkHex) {
  const bytes = Buffer.from(vkHex.slice(2), 'hex');
  bytes[31] ^= 0x80;
  return `0x${bytes.toString('hex')}`;
}

test('program deposits come back once no open request names the program', { timeout: 300_000 }, async () => {
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  try {
    await waitForBlock(api, 1);
    const base = api.consts.verifier.programDepositBase.toBigInt();
    const perByte = api.consts.verifier.programDepositPerByte.toBigInt();
    const program = prover('program');
    const vk2 = freshVk(program.vk);
    const len = BigInt((program.vk.length - 2) / 2);
    const deposit = base + perByte * len;
    const y = prover('input', 3).y;

    // Dave registers both keys; the demo key a second time is refused.
    const regs = await sendAll(api, [
      { tx: api.tx.verifier.registerProgram(program.vk), signer: k.dave },
      { tx: api.tx.verifier.registerProgram(vk2), signer: k.dave },
    ]);
    assert.ok(regs[0].ok, regs[0].error);
    assert.ok(regs[1].ok, `the fresh key is a valid, different key: ${regs[1].error}`);
    assert.equal((await trySend(api, api.tx.verifier.registerProgram(program.vk), k.eve)).error, 'verifier.ProgramExists');
    const ev = eventsNamed(regs[0].events, 'verifier', 'ProgramRegistered')[0];
    assert.equal(ev.data.id.toHex(), program.programId);
    assert.equal(ev.data.deposit.toBigInt(), deposit);
    const id2 = eventsNamed(regs[1].events, 'verifier', 'ProgramRegistered')[0].data.id.toHex();
    assert.notEqual(id2, program.programId);
    assert.equal(await holdOf(api, k.dave.address, DEPOSIT), 2n * deposit);

    // Nobody else may remove it; unknown ids are refused.
    const wrong = await sendAll(api, [
      { tx: api.tx.verifier.unregisterProgram(program.programId), signer: k.eve },
      { tx: api.tx.verifier.unregisterProgram(`0x${'ab'.repeat(32)}`), signer: k.dave },
    ]);
    assert.equal(wrong[0].error, 'verifier.NotProgramOwner');
    assert.equal(wrong[1].error, 'verifier.UnknownProgram');

    // With no open request: the deposit comes back.
    const free0 = await freeOf(api, k.dave.address);
    const un = await trySend(api, api.tx.verifier.unregisterProgram(id2), k.dave);
    assert.ok(un.ok, un.error);
    const u = eventsNamed(un.events, 'verifier', 'ProgramUnregistered')[0];
    assert.equal(u.data.id.toHex(), id2);
    assert.equal(u.data.owner.toString(), k.dave.address);
    assert.equal(u.data.deposit.toBigInt(), deposit);
    assert.equal(await freeOf(api, k.dave.address), free0 + deposit - un.fee, 'deposit released');
    assert.equal(await holdOf(api, k.dave.address, DEPOSIT), deposit);
    assert.ok((await api.query.verifier.programs(id2)).isNone, 'program removed');
    const again = await trySend(api, api.tx.verifier.registerProgram(vk2), k.dave);
    assert.ok(again.ok, `registered again: ${again.error}`);

    // While requests name the demo program, it stays.
    const now = await chainSecs(api);
    const expiresAt = (await bestNumber(api)) + 500;
    const reqs = await sendAll(api, [
      { tx: api.tx.market.submitRequest(program.programId, [y], { Offer: { minPrice: ZK / 10n, maxPrice: ZK, rampUpStart: now + 120, rampUpPeriod: 30, lockTimeout: 60, timeout: 300, lockCollateral: ZK / 10n } }, 0), signer: k.alice },
      { tx: api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), signer: k.alice },
    ]);
    for (const o of reqs) assert.ok(o.ok, o.error);
    const [offerId, bidId] = reqs.map((o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber());
    assert.equal((await api.query.market.programRequests(program.programId)).toNumber(), 2);
    const inUse = await trySend(api, api.tx.verifier.unregisterProgram(program.programId), k.dave);
    assert.equal(inUse.error, 'verifier.ProgramInUse');
    // One request closed, one still open: still in use.
    const c1 = await trySend(api, api.tx.market.cancelRequest(offerId), k.alice);
    assert.ok(c1.ok, c1.error);
    assert.equal((await trySend(api, api.tx.verifier.unregisterProgram(program.programId), k.dave)).error, 'verifier.ProgramInUse');
    const c2 = await trySend(api, api.tx.market.cancelRequest(bidId), k.alice);
    assert.ok(c2.ok, c2.error);
    assert.equal((await api.query.market.programRequests(program.programId)).toNumber(), 0);
    const done = await trySend(api, api.tx.verifier.unregisterProgram(program.programId), k.dave);
    assert.ok(done.ok, done.error);
    assert.equal(eventsNamed(done.events, 'verifier', 'ProgramUnregistered')[0].data.deposit.toBigInt(), deposit);
    assert.equal(await holdOf(api, k.dave.address, DEPOSIT), deposit, 'only the fresh key is still held');
    // A request for the removed program is refused.
    const gone = await trySend(api, api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: ZK, maxBaseFee: ZK } }, expiresAt), k.alice);
    assert.equal(gone.error, 'market.UnknownProgram');
  } finally {
    await node.stop();
  }
});
