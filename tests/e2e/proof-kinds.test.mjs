// Proofs of real zkVMs on the market (issue 18, docs/archive/plans/proof-systems.md
// §2-§4): the SP1 v6.0.1 Fibonacci fixture and the RISC Zero v3.0.1 receipt of
// primitives/groth16-formats/fixtures, on a dev node.
//
// - programs of kind Sp1 (SP1's gnark `groth16_vk.bin`, converted on chain) and
//   Risc0 (RISC Zero's snarkjs key, converted here to arkworks' compressed
//   encoding): `ProgramRegistered` with the kind, 1 and 2 request inputs, the
//   id and the deposit of the stored key; a truncated key
//   (`verifier.InvalidVerifyingKey`) and a vkey_hash that is not a scalar
//   (`verifier.InvalidKindParameter`) register nothing;
// - auction bids (//Bob the only prover, so he gets them): the SP1 request
//   carrying the digest of the fixture's public values and the RISC Zero
//   request carrying the journal digest's halves settle to Bob with the
//   fixture's proof (`VerdictReached { valid: true }`, `RequestSettled`), and
//   `market_proof` returns the bytes submitted; a RISC Zero request whose input
//   is not a 128-bit half is refused (`market.InvalidPublicInput`); the same SP1
//   proof for a request with the digest of OTHER public values is rejected by
//   the verifiers (`ProofRejected`, Bob slashed 10%); before the good proofs,
//   malformed ones are refused with named errors and change nothing
//   (`WrongSelector`, `NonZeroExitCode`, `WrongVkRoot`, `WrongProofLength`,
//   the RISC Zero seal with its selector included);
// - the unbound copy attack: //Charlie submits the fixture proof for an
//   unlocked SP1 offer (`market.ProgramNeedsLock`), then once Bob locked it
//   (`market.NotAssignedProver`); Bob's proof settles the offer to Bob.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { u8aToHex, hexToU8a, u8aConcat, compactToU8a } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import {
  startNode, devKeys, ZK, sendAll, eventsNamed, blockEvents, bestNumber, waitForBlock, chainSecs,
  holdOf, rpc, sleep, ROOT,
} from './lib.mjs';

const t0 = Date.now();
const log = (...a) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

const FIXTURES = join(ROOT, 'primitives', 'groth16-formats', 'fixtures');
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const HALF = (P - 1n) / 2n;
const DEPOSIT = { verifier: 'ProgramDeposit' };

const sha256 = (b) => new Uint8Array(createHash('sha256').update(b).digest());

/** 32 bytes little-endian of `v`. */
function le32(v) {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) { out[i] = Number(v & 0xffn); v >>= 8n; }
  return out;
}

/** arkworks compressed G1 from snarkjs [x, y, "1"]. */
function arkG1([x, y, z]) {
  assert.equal(z, '1', 'affine point');
  const out = le32(BigInt(x));
  if (BigInt(y) > HALF) out[31] |= 0x80;
  return out;
}

/** arkworks compressed G2 from snarkjs [[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]. */
function arkG2([[x0, x1], [y0, y1], z]) {
  assert.deepEqual(z, ['1', '0'], 'affine point');
  const out = u8aConcat(le32(BigInt(x0)), le32(BigInt(x1)));
  const c1 = BigInt(y1);
  const negative = c1 === 0n ? BigInt(y0) > HALF : c1 > HALF;
  if (negative) out[63] |= 0x80;
  return out;
}

/** A snarkjs `verification_key.json` as an arkworks compressed key. */
function snarkjsVkToArkworks(vk) {
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(vk.IC.length), true);
  return u8aConcat(arkG1(vk.vk_alpha_1), arkG2(vk.vk_beta_2), arkG2(vk.vk_gamma_2), arkG2(vk.vk_delta_2), count, ...vk.IC.map(arkG1));
}

/** gnark compressed point -> arkworks compressed (proof-systems.md §2.2). */
function gnarkPointToArk(b) {
  const flag = { 0x80: 0x00, 0xc0: 0x80, 0x40: 0x40 }[b[0] & 0xc0];
  assert.notEqual(flag, undefined, 'gnark point flag');
  const out = Uint8Array.from(b);
  out[0] &= 0x3f;
  out.reverse();
  out[out.length - 1] |= flag;
  return out;
}

/** SP1's gnark `groth16_vk.bin` as the arkworks key the chain stores. */
function gnarkVkToArkworks(b) {
  const nk = new DataView(b.buffer, b.byteOffset).getUint32(288, false);
  assert.equal(b.length, 292 + 32 * nk + 8);
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(nk), true);
  const ks = [];
  for (let i = 0; i < nk; i++) ks.push(gnarkPointToArk(b.subarray(292 + 32 * i, 324 + 32 * i)));
  return u8aConcat(gnarkPointToArk(b.subarray(0, 32)), gnarkPointToArk(b.subarray(64, 128)), gnarkPointToArk(b.subarray(128, 192)),
    gnarkPointToArk(b.subarray(224, 288)), count, ...ks);
}

/** SP1's request input: sha256(public values), top 3 bits cleared, as a little-endian scalar. */
function sp1Digest(publicValues) {
  const d = sha256(publicValues);
  d[0] &= 0x1f;
  return u8aToHex(d.reverse());
}

/** RISC Zero's request inputs: sha256(journal) as two little-endian 128-bit halves. */
function risc0Inputs(journal) {
  const d = sha256(journal);
  const lo = new Uint8Array(32);
  const hi = new Uint8Array(32);
  lo.set(d.subarray(0, 16));
  hi.set(d.subarray(16, 32));
  return [u8aToHex(lo), u8aToHex(hi)];
}

/** abi.encode(uint32 n, uint32 a, uint32 b), as the Fibonacci guest commits. */
function fibPublicValues(n, a, b) {
  return u8aConcat(...[n, a, b].map((v) => le32(BigInt(v)).reverse()));
}

/** The program id of a non-arkworks kind: blake2-256 of SCALE (kind, stored key, selector). */
function programId(kindIndex, params, vk, selector) {
  const option = selector ? u8aConcat(Uint8Array.of(1), selector) : Uint8Array.of(0);
  return u8aToHex(blake2AsU8a(u8aConcat(Uint8Array.of(kindIndex), ...params, compactToU8a(vk.length), vk, option), 256));
}

/** Flips bits of byte `i` of a hex string's bytes. */
function flip(hex, i, mask = 0x01) {
  const b = hexToU8a(hex);
  b[i] ^= mask;
  return u8aToHex(b);
}

/**
 * Scans the blocks of the best chain from `from` on until an event with
 * `pred(event)` appears; resolves with { event, blockHash, number, events }.
 * (Scanning by number, an event in a block imported before the call is not missed.)
 */
async function findEvent(api, pred, { from, timeoutMs = 60_000, what = 'event' }) {
  const deadline = Date.now() + timeoutMs;
  let n = from;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`${what} not seen in blocks ${from}..${n - 1}`);
    if ((await bestNumber(api)) < n) {
      await sleep(250);
      continue;
    }
    const blockHash = (await api.rpc.chain.getBlockHash(n)).toHex();
    const events = await blockEvents(api, blockHash);
    const event = events.find(pred);
    if (event) return { event, blockHash, number: n, events };
    n += 1;
  }
}

const is = (section, method, id) => (e) => e.section === section && e.method === method
  && (id === undefined || (e.data.id ?? e.data.request).toNumber() === id);

test('SP1 and RISC Zero proofs: registered, settled, rejected, not copyable', { timeout: 300_000 }, async () => {
  // ---- fixtures ----------------------------------------------------------------------------
  const sp1Vk = new Uint8Array(readFileSync(join(FIXTURES, 'sp1-v6.0.1-groth16_vk.bin')));
  const sp1 = JSON.parse(readFileSync(join(FIXTURES, 'sp1-fibonacci-groth16-fixture.json'), 'utf8'));
  const r0Vk = JSON.parse(readFileSync(join(FIXTURES, 'risc0-groth16-vk.json'), 'utf8'));
  const r0 = JSON.parse(readFileSync(join(FIXTURES, 'risc0-v3.0.1-receipt.json'), 'utf8'));
  const sp1Proof = sp1.proof.toLowerCase();
  const sp1ProofBytes = hexToU8a(sp1Proof);
  assert.equal(sp1ProofBytes.length, 356);
  const vkRoot = u8aToHex(sp1ProofBytes.subarray(36, 68));
  const sp1Kind = { Sp1: { vkeyHash: sp1.vkey, vkRoot } };
  const sp1Ark = gnarkVkToArkworks(sp1Vk);
  assert.equal(sp1Ark.length, 424);
  const sp1Id = programId(3, [hexToU8a(sp1.vkey), hexToU8a(vkRoot)], sp1Ark, sp1ProofBytes.subarray(0, 4));
  const sp1Input = sp1Digest(hexToU8a(sp1.publicValues));
  assert.equal(u8aToHex(fibPublicValues(sp1.n, sp1.a, sp1.b)), sp1.publicValues.toLowerCase(), 'the public values are abi.encode(n, a, b)');
  const otherInput = sp1Digest(fibPublicValues(21, 10946, 17711));

  const r0Ark = snarkjsVkToArkworks(r0Vk);
  assert.equal(r0Ark.length, 424);
  const r0Kind = { Risc0: { imageId: r0.image_id, controlRoot: r0.control_root, bn254ControlId: r0.bn254_control_id } };
  const r0Id = programId(4, [r0.image_id, r0.control_root, r0.bn254_control_id].map((h) => hexToU8a(h)), r0Ark, null);
  const seal = hexToU8a(r0.seal);
  assert.equal(seal.length, 260);
  const r0Proof = u8aToHex(seal.subarray(4));
  const r0Inputs = risc0Inputs(hexToU8a(r0.journal));
  // The lower half with a byte above bit 128: a scalar, but no sha256 half.
  const r0Wide = [flip(r0Inputs[0], 16), r0Inputs[1]];

  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  const request = async (id) => (await api.query.market.requests(id)).unwrap();
  const proverInfo = async (who, at) => (await (at ? await api.at(at) : api).query.provers.provers(who.address)).unwrap();
  try {
    await waitForBlock(api, 1);
    log(`node up at ${node.url}`);

    // ---- 1. programs -------------------------------------------------------------------------
    const reg = await sendAll(api, [
      { tx: api.tx.verifier.registerProgramOfKind(sp1Kind, u8aToHex(sp1Vk)), signer: k.alice },
      { tx: api.tx.verifier.registerProgramOfKind(r0Kind, u8aToHex(r0Ark)), signer: k.alice },
      { tx: api.tx.verifier.registerProgramOfKind(sp1Kind, u8aToHex(sp1Vk.subarray(0, sp1Vk.length - 1))), signer: k.dave },
      { tx: api.tx.verifier.registerProgramOfKind({ Sp1: { vkeyHash: `0x${'ff'.repeat(32)}`, vkRoot } }, u8aToHex(sp1Vk)), signer: k.eve },
      { tx: api.tx.provers.register(100n * ZK), signer: k.bob },
      // Bob serves every SP1 and RISC Zero program (whole zkVM kinds 3 and 4).
      { tx: api.tx.provers.setCapabilities([], [3, 4], 4), signer: k.bob },
    ]);
    log(`programs registered in block ${reg[0].blockNumber}`);
    const [regSp1, regR0, truncated, badHash, bobReg, bobCaps] = reg;
    assert.ok(regSp1.ok, `SP1 program: ${regSp1.error}`);
    assert.ok(regR0.ok, `RISC Zero program: ${regR0.error}`);
    assert.ok(bobReg.ok, `Bob: ${bobReg.error}`);
    assert.ok(bobCaps.ok, `Bob's capabilities: ${bobCaps.error}`);
    assert.equal(truncated.error, 'verifier.InvalidVerifyingKey', 'a truncated SP1 key');
    assert.equal(badHash.error, 'verifier.InvalidKindParameter', 'a vkey_hash above the scalar field');
    const base = api.consts.verifier.programDepositBase.toBigInt();
    const perByte = api.consts.verifier.programDepositPerByte.toBigInt();
    const deposit = base + perByte * 424n;
    for (const [o, id, kindName, inputs] of [[regSp1, sp1Id, 'sp1', 1], [regR0, r0Id, 'risc0', 2]]) {
      const [e] = eventsNamed(o.events, 'verifier', 'ProgramRegistered');
      assert.ok(e, `${kindName}: ProgramRegistered`);
      assert.equal(e.data.id.toHex(), id, `${kindName}: id = blake2(kind, arkworks key, selector)`);
      assert.equal(e.data.owner.toString(), k.alice.address);
      assert.ok(e.data.kind[`is${kindName === 'sp1' ? 'Sp1' : 'Risc0'}`], `${kindName}: kind`);
      assert.equal(e.data.inputs.toNumber(), inputs, `${kindName}: request inputs`);
      assert.equal(e.data.deposit.toBigInt(), deposit, `${kindName}: deposit of the 424-byte stored key`);
    }
    const sp1Event = eventsNamed(regSp1.events, 'verifier', 'ProgramRegistered')[0].data.kind.asSp1;
    assert.equal(sp1Event.vkeyHash.toHex(), sp1.vkey);
    assert.equal(sp1Event.vkRoot.toHex(), vkRoot);
    const r0Event = eventsNamed(regR0.events, 'verifier', 'ProgramRegistered')[0].data.kind.asRisc0;
    assert.equal(r0Event.imageId.toHex(), r0.image_id);
    assert.equal(r0Event.controlRoot.toHex(), r0.control_root);
    assert.equal(r0Event.bn254ControlId.toHex(), r0.bn254_control_id);
    // What the chain stores: the arkworks keys, SP1's selector.
    const storedSp1 = (await api.query.verifier.programs(sp1Id)).unwrap();
    assert.equal(storedSp1.vk.toHex(), u8aToHex(sp1Ark), 'the SP1 key converted from gnark to arkworks');
    assert.equal(storedSp1.selector.unwrap().toHex(), u8aToHex(sha256(sp1Vk).subarray(0, 4)));
    assert.equal(storedSp1.selector.unwrap().toHex(), u8aToHex(sp1ProofBytes.subarray(0, 4)), "the key's selector is the proof's");
    const storedR0 = (await api.query.verifier.programs(r0Id)).unwrap();
    assert.equal(storedR0.vk.toHex(), u8aToHex(r0Ark));
    assert.ok(storedR0.selector.isNone);
    // The refused registrations changed nothing.
    for (const o of [truncated, badHash]) assert.equal(eventsNamed(o.events, 'verifier', 'ProgramRegistered').length, 0);
    assert.equal((await api.query.verifier.programs.keys()).length, 2, 'two programs');
    assert.equal(await holdOf(api, k.dave.address, DEPOSIT), 0n);
    assert.equal(await holdOf(api, k.eve.address, DEPOSIT), 0n);
    assert.equal(await holdOf(api, k.alice.address, DEPOSIT), 2n * deposit);

    // ---- 2./3. auction bids, assigned to Bob, the only prover ---------------------------------
    const best = await bestNumber(api);
    // The bid with another statement expires before its verdict can come (it is
    // submitted in block best + 2 at the earliest, its proof a block later), so
    // the rejection closes it instead of giving it back to Bob.
    const shortExpiry = best + 4;
    const bid = { Auction: { bid: ZK, maxBaseFee: ZK } };
    const bids = await sendAll(api, [
      { tx: api.tx.market.submitRequest(sp1Id, [sp1Input], bid, best + 1000), signer: k.alice },
      { tx: api.tx.market.submitRequest(sp1Id, [otherInput], bid, shortExpiry), signer: k.alice },
      { tx: api.tx.market.submitRequest(r0Id, r0Inputs, bid, best + 1000), signer: k.alice },
      { tx: api.tx.market.submitRequest(r0Id, r0Wide, bid, best + 1000), signer: k.alice },
    ]);
    const [bidSp1, bidOther, bidR0, bidWide] = bids;
    for (const o of [bidSp1, bidOther, bidR0]) assert.ok(o.ok, `bid: ${o.error}`);
    assert.equal(bidWide.error, 'market.InvalidPublicInput', 'a RISC Zero input that is not a 128-bit half');
    assert.equal(eventsNamed(bidWide.events, 'market', 'RequestSubmitted').length, 0);
    const idOf = (o) => eventsNamed(o.events, 'market', 'RequestSubmitted')[0].data.id.toNumber();
    const [sp1Req, otherReq, r0Req] = [bidSp1, bidOther, bidR0].map(idOf);
    assert.ok(bidOther.blockNumber < shortExpiry);
    const assigned = new Map();
    for (const id of [sp1Req, otherReq, r0Req]) {
      const w = await findEvent(api, is('market', 'Assigned', id), { from: bidSp1.blockNumber, timeoutMs: 30_000, what: `Assigned ${id}` });
      assert.equal(w.event.data.prover.toString(), k.bob.address, `request ${id} goes to Bob`);
      assigned.set(id, w.event.data.price.toBigInt());
    }
    log(`requests ${sp1Req} (SP1), ${otherReq} (SP1, other values), ${r0Req} (RISC Zero) assigned to Bob; wide input refused`);

    // Malformed proofs while Bob holds the assignments: named errors, nothing changes.
    // With them: Bob's fixture proof for the request of other values, Charlie
    // registers (after the auction, so the bids went to Bob), Alice's SP1 offer.
    const now = await chainSecs(api);
    const offer = {
      Offer: {
        minPrice: ZK / 100n, maxPrice: ZK / 10n, rampUpStart: now, rampUpPeriod: 60,
        lockTimeout: 120, timeout: 240, lockCollateral: ZK / 10n,
      },
    };
    const bobBefore = await proverInfo(k.bob);
    // The pool holds one proof per obligation at a time (issue 28: a proof of a
    // live assignment ranks above any tip, once per request), so the malformed
    // proofs of one request go in successive blocks.
    const proof = (req, bytes) => ({ tx: api.tx.verifier.submitProof(req, bytes), signer: k.bob });
    const [selector, fullSeal] = await sendAll(api, [
      proof(sp1Req, flip(sp1Proof, 0)), proof(r0Req, u8aToHex(seal)),
    ]);
    const [exitCode, shortSeal] = await sendAll(api, [
      proof(sp1Req, flip(sp1Proof, 35)), proof(r0Req, u8aToHex(seal.subarray(4, 259))),
    ]);
    const [root] = await sendAll(api, [proof(sp1Req, flip(sp1Proof, 67))]);
    const [short, otherProof, charlieReg, offerSub] = await sendAll(api, [
      proof(sp1Req, u8aToHex(sp1ProofBytes.subarray(0, 355))),
      proof(otherReq, sp1Proof),
      { tx: api.tx.provers.register(100n * ZK), signer: k.charlie },
      { tx: api.tx.market.submitRequest(sp1Id, [sp1Input], offer, 0), signer: k.alice },
    ]);
    assert.equal(selector.error, 'verifier.WrongSelector', 'a flipped selector byte');
    assert.equal(exitCode.error, 'verifier.NonZeroExitCode', 'a flipped exit code byte');
    assert.equal(root.error, 'verifier.WrongVkRoot', 'a flipped vk_root byte');
    assert.equal(short.error, 'verifier.WrongProofLength', 'an SP1 proof of 355 bytes');
    assert.equal(fullSeal.error, 'verifier.WrongProofLength', 'a RISC Zero seal with its selector (260 bytes)');
    assert.equal(shortSeal.error, 'verifier.WrongProofLength', 'a RISC Zero proof of 255 bytes');
    assert.ok(otherProof.ok, `the proof of other values goes in: ${otherProof.error}`);
    assert.ok(charlieReg.ok, `Charlie: ${charlieReg.error}`);
    assert.ok(offerSub.ok, `offer: ${offerSub.error}`);
    const offerReq = idOf(offerSub);
    for (const o of [selector, exitCode, root, short, fullSeal, shortSeal]) {
      assert.equal(eventsNamed(o.events, 'verifier', 'ProofSubmitted').length, 0);
      assert.equal(eventsNamed(o.events, 'market', 'ProofSubmitted').length, 0);
    }
    const atBad = await api.at(otherProof.blockHash);
    for (const id of [sp1Req, r0Req]) {
      const st = (await atBad.query.market.requests(id)).unwrap().state;
      assert.ok(st.isAssigned && st.asAssigned.prover.toString() === k.bob.address, `request ${id} still assigned to Bob`);
    }
    const pending = await atBad.query.verifier.pending.entries();
    assert.deepEqual(pending.map(([, p]) => p.unwrap().request.toNumber()), [otherReq], 'only the proof of other values is pending');
    const bobAfterBad = await proverInfo(k.bob, otherProof.blockHash);
    assert.equal(bobAfterBad.stake.toBigInt(), bobBefore.stake.toBigInt(), 'no slash for refused proofs');
    assert.equal(bobAfterBad.activeJobs.toNumber(), 3);
    log(`malformed proofs refused in block ${otherProof.blockNumber}; proof of other values pending; offer ${offerReq}`);

    // The good proofs; Charlie's copy for the unlocked offer.
    const good = await sendAll(api, [
      { tx: api.tx.verifier.submitProof(sp1Req, sp1Proof), signer: k.bob },
      { tx: api.tx.verifier.submitProof(r0Req, r0Proof), signer: k.bob },
      { tx: api.tx.verifier.submitProof(offerReq, sp1Proof), signer: k.charlie },
    ]);
    const [goodSp1, goodR0, charlieOpen] = good;
    assert.ok(goodSp1.ok, `SP1 proof: ${goodSp1.error}`);
    assert.ok(goodR0.ok, `RISC Zero proof: ${goodR0.error}`);
    assert.equal(charlieOpen.error, 'market.ProgramNeedsLock', 'an unbound proof for an unlocked offer');
    assert.equal(eventsNamed(charlieOpen.events, 'verifier', 'ProofSubmitted').length, 0);
    const atGood = await api.at(charlieOpen.blockHash);
    assert.ok((await atGood.query.market.requests(offerReq)).unwrap().state.isOpen, 'the offer is still open');
    assert.equal((await atGood.query.provers.provers(k.charlie.address)).unwrap().activeJobs.toNumber(), 0, 'Charlie holds no slot');
    log(`good proofs submitted in block ${goodSp1.blockNumber}; Charlie's unlocked copy refused`);

    // The proof of other values: rejected by the verifiers, Bob slashed 10%.
    const rej = await findEvent(api, is('market', 'ProofRejected', otherReq), { from: otherProof.blockNumber + 1, what: `ProofRejected ${otherReq}` });
    assert.equal(rej.event.data.prover.toString(), k.bob.address);
    const parent = (await api.rpc.chain.getHeader(rej.blockHash)).parentHash.toHex();
    const stakeBefore = (await proverInfo(k.bob, parent)).stake.toBigInt();
    assert.equal(rej.event.data.slashed.toBigInt(), stakeBefore / 10n, 'an invalid proof slashes 10%');
    const verdict = eventsNamed(rej.events, 'verifier', 'VerdictReached').find((e) => e.data.request.toNumber() === otherReq);
    assert.equal(verdict.data.valid.isTrue, false, 'the verifiers found it invalid');
    const slashedEv = eventsNamed(rej.events, 'provers', 'Slashed').find((e) => e.data.who.toString() === k.bob.address);
    assert.equal(slashedEv.data.reason.toString(), 'InvalidProof');
    const expired = eventsNamed(rej.events, 'market', 'RequestExpired').find((e) => e.data.id.toNumber() === otherReq);
    assert.ok(expired, 'past its expiry the rejected bid closes (not re-queued)');
    assert.ok((await (await api.at(rej.blockHash)).query.market.requests(otherReq)).unwrap().state.isExpired);
    log(`proof of other public values rejected in block ${rej.number}, Bob slashed ${rej.event.data.slashed.toBigInt()}`);

    // The good proofs: valid, settled to Bob at the GSP price, kept.
    for (const [id, proof, what] of [[sp1Req, sp1Proof, 'SP1'], [r0Req, r0Proof, 'RISC Zero']]) {
      const s = await findEvent(api, (e) => e.section === 'market' && ['RequestSettled', 'ProofRejected'].includes(e.method) && e.data.id.toNumber() === id,
        { from: goodSp1.blockNumber + 1, what: `${what} verdict` });
      assert.equal(s.event.method, 'RequestSettled', `${what}: settled`);
      assert.equal(s.event.data.prover.toString(), k.bob.address);
      assert.equal(s.event.data.paid.toBigInt(), assigned.get(id), `${what}: paid the GSP price`);
      const v = eventsNamed(s.events, 'verifier', 'VerdictReached').find((e) => e.data.request.toNumber() === id);
      assert.ok(v && v.data.valid.isTrue, `${what}: VerdictReached valid`);
      const kept = await rpc(node, 'market_proof', [id]);
      assert.equal(kept.proof, proof, `${what}: market_proof returns the submitted bytes`);
      assert.equal(hexToU8a(kept.proof).length, what === 'SP1' ? 356 : 256);
      assert.equal(kept.prover, k.bob.address);
      assert.equal(kept.program, what === 'SP1' ? sp1Id : r0Id);
      assert.deepEqual(kept.inputs, what === 'SP1' ? [sp1Input] : r0Inputs);
      log(`${what} request ${id} settled to Bob in block ${s.number} (paid ${s.event.data.paid.toBigInt()})`);
    }

    // ---- 4. the unbound copy attack on an offer --------------------------------------------
    const [lock] = await sendAll(api, [{ tx: api.tx.market.lockRequest(offerReq), signer: k.bob }]);
    assert.ok(lock.ok, `Bob's lock: ${lock.error}`);
    const locked = eventsNamed(lock.events, 'market', 'RequestLocked')[0];
    assert.equal(locked.data.prover.toString(), k.bob.address);
    const [copy] = await sendAll(api, [{ tx: api.tx.verifier.submitProof(offerReq, sp1Proof), signer: k.charlie }]);
    assert.equal(copy.error, 'market.NotAssignedProver', "Charlie's copy for Bob's lock");
    const st = (await (await api.at(copy.blockHash)).query.market.requests(offerReq)).unwrap().state;
    assert.ok(st.isLocked && st.asLocked.prover.toString() === k.bob.address, 'still locked by Bob');
    log(`offer ${offerReq} locked by Bob in block ${lock.blockNumber}; Charlie's copy refused in block ${copy.blockNumber}`);
    const [bobOffer] = await sendAll(api, [{ tx: api.tx.verifier.submitProof(offerReq, sp1Proof), signer: k.bob }]);
    assert.ok(bobOffer.ok, `Bob's offer proof: ${bobOffer.error}`);
    const so = await findEvent(api, (e) => e.section === 'market' && ['RequestSettled', 'ProofRejected'].includes(e.method) && e.data.id.toNumber() === offerReq,
      { from: bobOffer.blockNumber + 1, what: 'offer verdict' });
    assert.equal(so.event.method, 'RequestSettled', 'the offer settled');
    assert.equal(so.event.data.prover.toString(), k.bob.address);
    assert.equal(so.event.data.paid.toBigInt(), locked.data.price.toBigInt(), 'paid the locked price');
    const charlie = await proverInfo(k.charlie);
    assert.equal(charlie.failures.toNumber(), 0, 'Charlie was not slashed');
    assert.equal(charlie.proofsVerified.toNumber(), 0, 'nor paid');
    assert.equal(charlie.activeJobs.toNumber(), 0);
    log(`offer ${offerReq} settled to Bob in block ${so.number}; done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    await node.stop();
  }
});
