// Command line: checked-in chain specs match what the node generates, and bad
// input gives one clear line and a non-zero exit, never a panic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { runNode, ROOT, tmpDir, freePort } from './lib.mjs';

/** The spec without the runtime code blob (WASM bytes embed build paths). */
function withoutCode(spec) {
  const s = JSON.parse(JSON.stringify(spec));
  if (s.genesis?.runtimeGenesis) delete s.genesis.runtimeGenesis.code;
  if (s.genesis?.raw?.top) delete s.genesis.raw.top['0x3a636f6465'];
  return s;
}

for (const chain of ['dev', 'local']) {
  for (const raw of [false, true]) {
    const file = `${chain}${raw ? '-raw' : ''}.json`;
    test(`chain-specs/${file} matches what the node generates`, async () => {
      const args = ['build-spec', '--chain', chain, '--disable-default-bootnode'];
      if (raw) args.push('--raw');
      const { code, stdout, stderr } = await runNode(args);
      assert.equal(code, 0, stderr);
      const generated = JSON.parse(stdout);
      const committed = JSON.parse(readFileSync(join(ROOT, 'chain-specs', file), 'utf8'));
      assert.deepEqual(withoutCode(committed), withoutCode(generated),
        `chain-specs/${file} drifted: run scripts/build-specs.sh`);
      assert.equal(generated.properties.tokenSymbol, 'ZK');
      assert.equal(generated.properties.tokenDecimals, 18);
    });
  }
}

test('clients/zkmarket-client/metadata/zkmarket.scale matches what the node generates', async () => {
  const out = join(tmpDir(), 'metadata.scale');
  const { code, stderr } = await runNode(['export-metadata', '--output', out]);
  assert.equal(code, 0, stderr);
  const generated = readFileSync(out);
  assert.equal(generated.subarray(0, 4).toString(), 'meta', 'metadata magic');
  assert.equal(generated[4], 16, 'metadata V16');
  const committed = readFileSync(join(ROOT, 'clients/zkmarket-client/metadata/zkmarket.scale'));
  assert.ok(committed.equals(generated),
    'clients/zkmarket-client/metadata/zkmarket.scale drifted: run scripts/build-metadata.sh');
});

test('export-metadata refuses a version the runtime does not have', async () => {
  assertCleanError(await runNode(['export-metadata', '--version', '99', '--output', join(tmpDir(), 'x')]),
    /no metadata version 99/);
});

function assertCleanError({ code, stderr }, pattern) {
  assert.notEqual(code, 0, 'non-zero exit');
  assert.ok(!/panicked|RUST_BACKTRACE|stack backtrace/.test(stderr), `no panic:\n${stderr}`);
  const last = stderr.trim().split('\n').pop();
  assert.match(last, /^Error: /, `one clear error line, got:\n${stderr}`);
  assert.match(last, pattern);
}

test('unknown --chain value', async () => {
  assertCleanError(await runNode(['--chain', 'nosuchchain', '--tmp']), /unknown chain `nosuchchain`/);
});

test('unreadable chain spec file', async () => {
  const dir = tmpDir();
  const f = join(dir, 'broken.json');
  writeFileSync(f, '{ this is not json');
  assertCleanError(await runNode(['--chain', f, '--tmp']), /cannot read chain spec/);
});

test('RPC port already in use', async () => {
  const port = await freePort();
  const server = createServer().listen(port, '127.0.0.1');
  await new Promise((r) => server.on('listening', r));
  try {
    const p2p = await freePort();
    const r = await runNode(['--dev', '--tmp', '--rpc-port', String(port), '--port', String(p2p), '--no-prometheus'], { timeoutMs: 60_000 });
    assertCleanError(r, /in use|Address already in use|bind/i);
  } finally {
    server.close();
  }
});
