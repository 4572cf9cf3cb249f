// The requester CLI on bad input: one clear `error: ...` line on stderr, the
// documented exit code (clients/zkmarket-cli/src/main.rs), never a panic, and
// nothing sent to the chain. Also the agent's config errors (exit 2, the key
// never echoed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  cli, startNode, waitForBlock, prover, tmpDir, freePort, PROVER_BIN, ZK, keyFromUri, send, devKeys, ROOT,
} from './lib.mjs';

function assertError(r, code, pattern) {
  assert.equal(r.code, code, `exit code ${code} expected, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.ok(!/panicked|RUST_BACKTRACE|stack backtrace/.test(r.stderr), `no panic:\n${r.stderr}`);
  // One `error: ...` line (clap adds its usage lines after a usage error).
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(lines.length, 1, `one clear error line, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
}

test('zkmarket: unreachable node -> exit 3', async () => {
  const port = await freePort();
  assertError(await cli(['quote', '--bid', '1'], { url: `ws://127.0.0.1:${port}` }), 3, /127\.0\.0\.1/);
});

test('zkmarket: bad input, unknown ids, too little balance', { timeout: 180_000 }, async () => {
  const dir = tmpDir('zkmarket-cli-');
  const node = await startNode();
  const { api, url } = node;
  try {
    await waitForBlock(api, 1);
    const program = prover('program');
    const vkFile = join(dir, 'demo.vk');
    writeFileSync(vkFile, `${program.vk}\n`);
    const unknown = `0x${'11'.repeat(32)}`;

    // Usage errors: exit 2, before anything is sent.
    assertError(await cli(['quote', '--bid', '1.2.3'], { url }), 2, /amount|1\.2\.3/);
    assertError(await cli(['quote', '--bid', '-1'], { url }), 2, /./);
    assertError(await cli(['quote', '--bid', '0.0000000000000000001'], { url }), 2, /decimal/);
    assertError(await cli(['request', 'cancel', '0'], { url }), 2, /--suri/);
    assertError(await cli(['account'], { url, suri: 'not a key' }), 2, /./);
    assertError(await cli(['request', 'submit', '--program', '0x12', '--demo-x', '3', '--bid', '1', '--max-base-fee', '1'],
      { url, suri: '//Alice' }), 2, /program id/);
    assertError(await cli(['request', 'submit', '--program', unknown, '--inputs', '0xzz', '--bid', '1', '--max-base-fee', '1'],
      { url, suri: '//Alice' }), 2, /public input/);
    assertError(await cli(['program', 'register', join(dir, 'missing.vk')], { url, suri: '//Alice' }), 2, /missing\.vk/);
    const bad = join(dir, 'bad.vk');
    writeFileSync(bad, '0x0102');
    assertError(await cli(['program', 'register', bad], { url, suri: '//Alice' }), 2, /verifying key/);

    // Unknown program and request: exit 5.
    assertError(await cli(['request', 'submit', '--program', unknown, '--demo-x', '3', '--bid', '1', '--max-base-fee', '1'],
      { url, suri: '//Alice' }), 5, /unknown program|not registered/);
    assertError(await cli(['request', 'status', '999'], { url }), 5, /999/);
    assertError(await cli(['request', 'proof', '999'], { url }), 5, /999/);

    // Too little balance: a fresh account cannot pay the fee (exit 4), a poor
    // one cannot hold the escrow (exit 4, the chain's error named).
    const reg = await cli(['program', 'register', vkFile], { url, suri: '//Alice' });
    assert.equal(reg.code, 0, reg.stderr);
    assertError(await cli(['request', 'submit', '--program', program.programId, '--demo-x', '3', '--bid', '1', '--max-base-fee', '1'],
      { url, suri: '//NobodyHasFunds' }), 4, /./);
    const poor = keyFromUri('//Poor');
    await send(api, api.tx.balances.transferKeepAlive(poor.address, ZK), devKeys().alice);
    assertError(await cli(['request', 'submit', '--program', program.programId, '--demo-x', '3', '--bid', '100', '--max-base-fee', '1', '--no-wait'],
      { url, suri: '//Poor' }), 4, /Balance|balance|funds/);
    // Program kinds: bad kinds and parameters are usage errors; zkVM inputs are
    // only for programs of that kind; the chain is never asked.
    const sp1Vk = join(ROOT, 'primitives/groth16-formats/fixtures/sp1-v6.0.1-groth16_vk.bin');
    const word = `0x${'00'.repeat(32)}`;
    assertError(await cli(['program', 'register', vkFile, '--kind', 'plonk'], { url, suri: '//Alice' }), 2, /unknown --kind plonk/);
    assertError(await cli(['program', 'register', sp1Vk, '--kind', 'sp1', '--vk-root', word], { url, suri: '//Alice' }), 2, /--vkey-hash/);
    assertError(await cli(['program', 'register', sp1Vk, '--kind', 'gnark', '--image-id', word], { url, suri: '//Alice' }), 2, /--image-id does not apply/);
    assertError(await cli(['program', 'register', sp1Vk, '--kind', 'sp1', '--vkey-hash', `0x${'ff'.repeat(32)}`, '--vk-root', word],
      { url, suri: '//Alice' }), 2, /KindParameter/);
    assertError(await cli(['program', 'register', vkFile, '--kind', 'sp1', '--vkey-hash', word, '--vk-root', word],
      { url, suri: '//Alice' }), 2, /sp1 program/);
    const badJson = join(dir, 'vk.json');
    writeFileSync(badJson, JSON.stringify({ protocol: 'groth16', curve: 'bn128', nPublic: 1, IC: [] }));
    assertError(await cli(['program', 'register', badJson, '--kind', 'snarkjs'], { url, suri: '//Alice' }), 2, /snarkjs/);
    const pv = join(dir, 'public-values.bin');
    writeFileSync(pv, 'values');
    assertError(await cli(['request', 'submit', '--program', program.programId, '--public-values', pv, '--bid', '1', '--max-base-fee', '1'],
      { url, suri: '//Alice' }), 2, /arkworks program/);
    assertError(await cli(['request', 'submit', '--program', program.programId, '--public-values', pv, '--journal', pv, '--bid', '1', '--max-base-fee', '1'],
      { url, suri: '//Alice' }), 2, /cannot be used with/);
    assert.equal((await api.query.verifier.programs.entries()).length, 1, 'only the demo program was registered');

    // Nothing was submitted by any of these.
    assert.equal((await api.query.market.nextRequestId()).toNumber(), 0, 'no request was created');

    // A request that is not settled has no proof (exit 5), and cancel works.
    const sub = await cli(['request', 'submit', '--program', program.programId, '--demo-x', '3', '--bid', '0.01', '--max-base-fee', '0.001', '--no-wait'],
      { url, suri: '//Alice' });
    assert.equal(sub.code, 0, sub.stderr);
    const id = sub.stdout.trim().split('\n')[0];
    assertError(await cli(['request', 'proof', id], { url }), 5, new RegExp(id));
    assertError(await cli(['request', 'cancel', id], { url, suri: '//Bob' }), 4, /NotRequester/);
  } finally {
    await node.stop();
  }
});

test('zkmarket-prover run: config errors exit 2 and never echo the key', () => {
  const dir = tmpDir('zkmarket-agent-config-');
  const cases = [
    ['url = "ws://127.0.0.1:9944"\nsuri = bottom drive obey secret words\n', /suri/],
    ['url = "http://x"\nsuri = "//Bob"\nstake = "100"\n[[programs]]\nid = "demo"\nbackend = "demo"\nmin_price = "1"\nmax_collateral = "1"\nprove_secs = 1\n', /url/],
    ['url = "ws://127.0.0.1:9944"\nsuri = "//Bob"\nstake = "1.2.3"\n', /stake/],
  ];
  for (const [text, pattern] of cases) {
    const file = join(dir, 'prover.toml');
    writeFileSync(file, text);
    const r = spawnSync(PROVER_BIN, ['run', '--config', file], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, `exit 2 for:\n${text}\n${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!/bottom drive/.test(r.stderr), `the key is not echoed:\n${r.stderr}`);
  }
  const r = spawnSync(PROVER_BIN, ['run', '--config', join(dir, 'missing.toml')], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
});
