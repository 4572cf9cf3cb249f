// A copy of a raw chain spec whose genesis sets another block time (the
// `block_time` pallet's `BlockTimeMillis`, which Aura's slot duration and the
// timestamp pallet read from genesis on). Test networks run the release's or
// the dev chain's own genesis with shorter blocks: sessions, deadlines and
// verification rounds are counted in blocks, so the tests check the same
// behaviour in less time. Used by scripts/zombienet.sh (release v101's `local`
// spec at 2 s instead of 6 s) and by e2e/lib.mjs (`ZKMARKET_TEST_BLOCK_MS`).
//
//   node fast-spec.mjs <raw spec in> <raw spec out> [block time ms, default 2000]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** twox128("BlockTime") ++ twox128("BlockTimeMillis"): a u64, little endian. */
export const BLOCK_TIME_KEY = '0x0d8f5a04d57b5bf86142d0ed0af722cc65664a235ac551b9199b208eff445b6e';

/** `spec` (a parsed raw chain spec) with its genesis block time set to `ms`; throws on a bad value or spec. */
export function withBlockTime(spec, ms) {
  const millis = BigInt(ms);
  if (millis < 1000n || millis % 2n !== 0n) throw new Error(`block time ${ms} ms: the runtime needs an even number >= 1000`);
  const top = spec?.genesis?.raw?.top;
  if (!top || !(BLOCK_TIME_KEY in top)) throw new Error(`not a raw spec with a genesis block time (${BLOCK_TIME_KEY})`);
  const le = Buffer.alloc(8);
  le.writeBigUInt64LE(millis);
  top[BLOCK_TIME_KEY] = `0x${le.toString('hex')}`;
  return spec;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output, ms = '2000'] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node fast-spec.mjs <raw spec in> <raw spec out> [block time ms]');
    process.exit(2);
  }
  try {
    writeFileSync(output, JSON.stringify(withBlockTime(JSON.parse(readFileSync(input, 'utf8')), ms)));
  } catch (e) {
    console.error(`${input}: ${e.message}`);
    process.exit(1);
  }
}
