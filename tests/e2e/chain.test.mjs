// The dev chain: blocks, finality, a transfer with fees and issuance, clean
// shutdown on SIGINT, and state surviving a restart on a persistent base path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, devKeys, waitForBlock, send, ZK, tmpDir, bestNumber } from './lib.mjs';

const GENESIS_ISSUANCE = 21_000_000_000n * ZK;

test('dev chain produces and finalizes blocks; a transfer pays fees and burns them', async () => {
  const node = await startNode();
  const { api } = node;
  try {
    const k = devKeys();
    // Token properties for Polkadot.js.
    const props = await api.rpc.system.properties();
    assert.equal(props.tokenSymbol.unwrap()[0].toString(), 'ZK');
    assert.equal(props.tokenDecimals.unwrap()[0].toNumber(), 18);
    assert.equal(props.ss58Format.unwrap().toNumber(), 42);
    // Genesis issuance is exactly 21,000,000,000 ZK.
    const genesis = await api.rpc.chain.getBlockHash(0);
    const atGenesis = await api.at(genesis);
    assert.equal((await atGenesis.query.balances.totalIssuance()).toBigInt(), GENESIS_ISSUANCE);

    await waitForBlock(api, 3);
    await waitForBlock(api, 1, { finalized: true });

    const free = async (who) => (await api.query.system.account(who.address)).data.free.toBigInt();
    const aliceBefore = await free(k.alice);
    const bobBefore = await free(k.bob);
    const amount = 12_345n * ZK;
    const { fee, blockHash } = await send(api, api.tx.balances.transferKeepAlive(k.bob.address, amount), k.alice);
    assert.ok(fee > 0n, 'a fee was paid');
    const at = await api.at(blockHash);
    const aliceAfter = (await at.query.system.account(k.alice.address)).data.free.toBigInt();
    const bobAfter = (await at.query.system.account(k.bob.address)).data.free.toBigInt();
    assert.equal(bobAfter - bobBefore, amount);
    assert.equal(aliceBefore - aliceAfter, amount + fee);
    // Fees are burned: issuance drops by exactly the fee.
    assert.equal((await at.query.balances.totalIssuance()).toBigInt(), GENESIS_ISSUANCE - fee);
  } finally {
    const { code, signal } = await node.stop();
    assert.equal(signal, null, 'exited on its own after SIGINT');
    assert.equal(code, 0, `clean exit after SIGINT:\n${node.logs().slice(-2000)}`);
  }
});

test('state survives a restart on a persistent base path', async () => {
  const base = tmpDir();
  const args = ['--dev', '--base-path', base];
  const k = devKeys();
  const amount = 777n * ZK;
  let first = await startNode({ args });
  let bobBalance;
  let reached;
  try {
    const { api } = first;
    await waitForBlock(api, 2);
    const { blockHash } = await send(api, api.tx.balances.transferKeepAlive(k.charlie.address, amount), k.bob);
    const n = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
    await waitForBlock(api, n, { finalized: true });
    bobBalance = (await api.query.system.account(k.bob.address)).data.free.toBigInt();
    reached = await bestNumber(api);
  } finally {
    const { code } = await first.stop();
    assert.equal(code, 0);
  }
  const second = await startNode({ args });
  try {
    const { api } = second;
    const now = await bestNumber(api);
    assert.ok(now >= reached - 1, `chain kept its blocks (${now} >= ${reached - 1})`);
    assert.equal((await api.query.system.account(k.bob.address)).data.free.toBigInt(), bobBalance);
    assert.equal((await api.query.system.account(k.charlie.address)).data.free.toBigInt(), 1_000_000n * ZK + amount);
    await waitForBlock(api, now + 2);
  } finally {
    await second.stop();
  }
});
