// Burst test of the node's transaction pool (issue 28, item 8): does the pool
// keep every transaction it accepted until the transaction is included, invalid
// or replaced, with a status the client sees?
//
//   node load/pool-burst.mjs [rounds=20] [options]
//
// Each round sends a burst of `--accounts` x `--per` (default 4 x 512 = 2,048)
// signed transactions, explicit nonces 0.. (or the accounts' next nonces on a
// reused chain), signed offline first and then pushed into the pool right after
// a block import, one after the other per account and all accounts at once,
// nothing waiting for inclusion (as tests/attacks/queue-jamming.test.mjs does).
// Then it follows the chain until every transaction is accounted for:
//   included   in a block of the best chain (whatever its dispatch outcome);
//   status     the client was told Invalid, Dropped, Usurped or FinalityTimeout
//              (only with --watch: author_submitAndWatchExtrinsic);
//   lost       none of these: no block includes it for `--stall` blocks in a
//              row and no status came. Split into `gone` (the pool forgot it:
//              submitting the same bytes again is accepted as new) and `stuck`
//              (still pooled, e.g. a future transaction behind a gone nonce:
//              the pool answers "already imported"); a gone one the pool
//              refuses again (e.g. banned) is counted gone, with the error.
// A summary line per round, a total at the end; exits 1 if any transaction was
// lost (or a round could not finish).
//
// Options:
//   --pool-type fork-aware|single-state   passed to the node (default: the
//                                         node's own default, no flag)
//   --call remark|transfer|bid            what to send (default bid: a market
//                                         auction bid as in queue-jamming)
//   --watch                               submit with author_submitAndWatchExtrinsic
//   --accounts N, --per N                 burst shape (default 4 x 512; the
//                                         accounts are //Alice, //Bob, ... for
//                                         N <= 6, else //Burst1..)
//   --same-chain                          one node for every round (default: a
//                                         fresh `--dev --tmp` node per round)
//   --url ws://...                        use a running dev node (implies
//                                         --same-chain; --pool-type is then up
//                                         to that node)
//   --offset MS|random                    start the burst MS ms after a block
//                                         import (default 0, as queue-jamming
//                                         does; `random`: 0..block time, so that
//                                         some bursts straddle the next import)
//   --stall N                             blocks without an inclusion before the
//                                         rest counts as lost (default 10)
//   --node-log DIR                        write each node's output to DIR/round-K.log
//   --json FILE                           also write the per-round results as JSON
//   -- <node args...>                     extra node flags (also POOL_BURST_NODE_ARGS),
//                                         e.g. -- --pool-limit 16384 -ltxpool=debug
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import {
  startNode, keyFromUri, ZK, prover, sleep, waitForBlock, bestNumber, sendAll, signOffline,
} from '../e2e/lib.mjs';

// ---- arguments --------------------------------------------------------------
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash < 0 ? argv : argv.slice(0, dash);
const passthrough = [
  ...(process.env.POOL_BURST_NODE_ARGS || '').split(/\s+/).filter(Boolean),
  ...(dash < 0 ? [] : argv.slice(dash + 1)),
];
const opt = { rounds: 20, poolType: null, call: 'bid', watch: false, accounts: 4, per: 512, sameChain: false, url: null, stall: 10, nodeLog: null, json: null, offset: '0' };
for (let i = 0; i < own.length; i++) {
  const a = own[i];
  const val = () => {
    if (i + 1 >= own.length) throw new Error(`${a} needs a value`);
    return own[++i];
  };
  if (a === '--pool-type') opt.poolType = val();
  else if (a === '--call') opt.call = val();
  else if (a === '--watch') opt.watch = true;
  else if (a === '--accounts') opt.accounts = Number(val());
  else if (a === '--per') opt.per = Number(val());
  else if (a === '--same-chain') opt.sameChain = true;
  else if (a === '--url') { opt.url = val(); opt.sameChain = true; }
  else if (a === '--stall') opt.stall = Number(val());
  else if (a === '--offset') opt.offset = val();
  else if (a === '--node-log') opt.nodeLog = val();
  else if (a === '--json') opt.json = val();
  else if (/^\d+$/.test(a)) opt.rounds = Number(a);
  else throw new Error(`unknown argument ${a}`);
}
if (!['remark', 'transfer', 'bid'].includes(opt.call)) throw new Error(`--call ${opt.call}?`);
if (opt.poolType && !['fork-aware', 'single-state'].includes(opt.poolType)) throw new Error(`--pool-type ${opt.poolType}?`);
if (opt.watch && opt.per > 1000) throw new Error('--watch opens one subscription per transaction: at most 1,000 per account (the node allows 1,024 a connection)');
const nodeArgs = ['--dev', '--tmp', ...(opt.poolType ? ['--pool-type', opt.poolType] : []), ...passthrough];
if (opt.nodeLog) mkdirSync(opt.nodeLog, { recursive: true });

const t0 = Date.now();
const log = (...a) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const DEV = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

// ---- a node -------------------------------------------------------------------
async function connect(round) {
  if (opt.url) {
    await cryptoWaitReady();
    const provider = new WsProvider(opt.url);
    const api = await ApiPromise.create({ provider, noInitWarn: true });
    return { api, provider, url: opt.url, stop: async () => api.disconnect(), logs: () => '' };
  }
  const node = await startNode({ args: nodeArgs });
  if (opt.nodeLog) {
    const out = createWriteStream(join(opt.nodeLog, `round-${round}.log`));
    node.proc.stdout.pipe(out);
    node.proc.stderr.pipe(out);
  }
  return node;
}

// ---- what to send ------------------------------------------------------------
/** Prepares the chain for the call kind; returns makeTx(accountIndex, nonce). */
async function prepare(api, senders, prepared) {
  if (opt.call === 'remark') return (a, n) => api.tx.system.remark(`burst ${a} ${n}`);
  if (opt.call === 'transfer') {
    const dest = keyFromUri('//BurstSink').address;
    return (a, n) => api.tx.balances.transferKeepAlive(dest, ZK + BigInt(n));
  }
  // bid: a program to bid for (registered once per chain), bids that can never
  // win (max BaseFee just above MinBaseFee, escrow MinEscrow) in scrambled rank
  // order, as the queue-jamming attack sends them.
  if (!prepared.program) {
    const program = prover('program');
    const [o] = await sendAll(api, [{ tx: api.tx.verifier.registerProgram(program.vk), signer: keyFromUri('//Eve') }]);
    if (!o.ok) throw new Error(`registerProgram: ${o.error}`);
    prepared.program = program;
    prepared.y = prover('input', 3).y;
  }
  const minBaseFee = api.consts.baseFee.minBaseFee.toBigInt();
  const minEscrow = api.consts.market.minEscrow.toBigInt();
  const queueLen = api.consts.market.maxQueueLength.toNumber();
  const expiresAt = (await bestNumber(api)) + 2_000;
  return (a, n) => {
    const rank = ((a * opt.per + n) * 7919) % queueLen;
    const maxBaseFee = minBaseFee + BigInt(rank);
    return api.tx.market.submitRequest(prepared.program.programId, [prepared.y],
      { Auction: { bid: minEscrow - maxBaseFee, maxBaseFee } }, expiresAt);
  };
}

// ---- one round ----------------------------------------------------------------
async function round(k, node, prepared) {
  const { api } = node;
  await waitForBlock(api, 1);
  const senders = Array.from({ length: opt.accounts }, (_, i) =>
    keyFromUri(opt.accounts <= DEV.length ? `//${DEV[i]}` : `//Burst${i + 1}`));
  if (opt.accounts > DEV.length && !prepared.funded) {
    const r = await sendAll(api, senders.map((s) => ({ tx: api.tx.balances.transferKeepAlive(s.address, 10_000n * ZK), signer: keyFromUri('//Ferdie') })));
    if (r.some((o) => !o.ok)) throw new Error('funding failed');
    prepared.funded = true;
  }
  const makeTx = await prepare(api, senders, prepared);

  // Sign everything first (no RPC round trip), nonces from the chain.
  const start = await Promise.all(senders.map(async (s) => (await api.rpc.system.accountNextIndex(s.address)).toNumber()));
  const txs = []; // { a, nonce, hex, hash }
  for (let a = 0; a < senders.length; a++) {
    for (let i = 0; i < opt.per; i++) {
      const ext = await signOffline(makeTx(a, start[a] + i), senders[a], start[a] + i);
      txs.push({ a, nonce: start[a] + i, hex: ext.toHex(), hash: ext.hash.toHex(), status: null, block: null });
    }
  }
  const byHash = new Map(txs.map((t) => [t.hash, t]));

  // Watch mode: one connection per account (the node allows 1,024
  // subscriptions a connection).
  const watchers = opt.watch
    ? await Promise.all(senders.map(async () => { const p = new WsProvider(node.url, false); await p.connect(); await p.isReady; return p; }))
    : [];
  const TERMINAL = ['invalid', 'dropped', 'usurped', 'finalityTimeout'];
  const statusCount = {};

  // The burst, right after a block import.
  const from = (await bestNumber(api)) + 1;
  await waitForBlock(api, from);
  const slotMs = Number((await api.call.auraApi.slotDuration()).toString());
  const offsetMs = opt.offset === 'random' ? Math.floor(Math.random() * slotMs) : Number(opt.offset);
  if (offsetMs > 0) await sleep(offsetMs);
  const tSubmit = Date.now();
  const rejected = [];
  await Promise.all(senders.map(async (_, a) => {
    for (const t of txs.filter((x) => x.a === a)) {
      try {
        if (opt.watch) {
          await watchers[a].subscribe('author_extrinsicUpdate', 'author_submitAndWatchExtrinsic', [t.hex], (err, st) => {
            if (err || !st) return;
            const kind = typeof st === 'string' ? st : Object.keys(st)[0];
            statusCount[kind] = (statusCount[kind] || 0) + 1;
            if (TERMINAL.includes(kind) && !t.block) t.status = kind;
            if (kind === 'inBlock' || kind === 'finalized') t.seenInBlock = true;
          });
        } else {
          await api.rpc.author.submitExtrinsic(t.hex);
        }
      } catch (e) {
        t.status = 'refused';
        rejected.push(`${a}/${t.nonce}: ${e.message}`);
      }
    }
  }));
  const submitMs = Date.now() - tSubmit;

  // Follow the best chain until everything is accounted for or `stall` blocks
  // in a row include none of the burst.
  let next = from;
  let quiet = 0;
  let lastBlock = from;
  const open = () => txs.filter((t) => !t.block && !t.status);
  while (open().length > 0 && quiet < opt.stall) {
    const best = await bestNumber(api);
    if (best < next) { await sleep(300); continue; }
    for (; next <= best; next++) {
      const hash = await api.rpc.chain.getBlockHash(next);
      const exts = (await api.rpc.chain.getBlock(hash)).block.extrinsics;
      let found = 0;
      for (const e of exts) {
        const t = byHash.get(e.hash.toHex());
        if (t && !t.block) { t.block = next; found += 1; }
      }
      if (found > 0) { quiet = 0; lastBlock = next; } else quiet += 1;
    }
  }
  const included = txs.filter((t) => t.block).length;
  // Burst transactions per block: a block carrying only a few, between full
  // ones, is the pool catching up with a gap.
  const perBlock = {};
  for (const t of txs) if (t.block) perBlock[t.block] = (perBlock[t.block] || 0) + 1;
  const withStatus = txs.filter((t) => !t.block && t.status && t.status !== 'refused').length;
  const refused = txs.filter((t) => t.status === 'refused').length;
  // Refused at submission, yet in a block: the client was told the wrong thing.
  const refusedIncluded = txs.filter((t) => t.status === 'refused' && t.block).length;

  // What is left got no status: tell `gone` from `stuck` by submitting the same
  // bytes again, in nonce order per account ("already imported" = still pooled).
  let gone = 0;
  let stuck = 0;
  const probeErrors = {};
  const lostNonces = {};
  const lostList = open();
  if (lostList.length > 0) {
    const ready = new Set((await api.rpc.author.pendingExtrinsics()).map((e) => e.hash.toHex()));
    for (const t of lostList) {
      (lostNonces[t.a] ||= []).push(t.nonce);
      if (ready.has(t.hash)) { t.lost = 'stuck'; stuck += 1; continue; }
      try {
        // The provider's own call: api.rpc would log every refusal.
        await node.provider.send('author_submitExtrinsic', [t.hex]);
        t.lost = 'gone';
        gone += 1;
      } catch (e) {
        if (/already imported|1013/i.test(e.message)) { t.lost = 'stuck'; stuck += 1; } else {
          // Gone, and the pool refuses it again (e.g. 1012 temporarily banned).
          t.lost = 'gone';
          gone += 1;
          probeErrors[e.message] = (probeErrors[e.message] || 0) + 1;
        }
      }
    }
  }
  for (const w of watchers) await w.disconnect();
  const lost = lostList.length;
  const ranges = Object.entries(lostNonces).map(([a, ns]) => `${senders[a].address.slice(0, 6)}:${ns[0]}..${ns[ns.length - 1]}(${ns.length})`).join(' ');
  const result = {
    round: k, submitted: txs.length, submitMs, offsetMs, refused, refusedIncluded, included, withStatus, lost, gone, stuck,
    blocks: `${from}..${lastBlock}`, perBlock, statuses: opt.watch ? statusCount : undefined, lostRanges: ranges || undefined, probeErrors,
    rejected: rejected.slice(0, 3),
  };
  console.log(`round ${k}: submitted ${txs.length} in ${submitMs} ms (+${offsetMs} ms after import), refused ${refused}${refusedIncluded ? ` (${refusedIncluded} of them included anyway)` : ''}, included ${included} (blocks ${from}..${lastBlock}: ${Object.values(perBlock).join('/')}), with status ${withStatus}, LOST ${lost} (gone ${gone}, stuck ${stuck})${ranges ? ` ${ranges}` : ''}${Object.keys(probeErrors).length ? ` resubmitting the gone ones: ${JSON.stringify(probeErrors)}` : ''}${opt.watch ? ` statuses ${JSON.stringify(statusCount)}` : ''}`);
  if (rejected.length) log(`refused at submission: ${rejected.slice(0, 3).join('; ')}`);

  // On a reused chain the next round needs this one finished: wait until every
  // account's nonce is past its burst (the probes above resubmitted what was gone).
  if (opt.sameChain && lost > 0) {
    const until = Date.now() + 120_000;
    for (;;) {
      const n = await Promise.all(senders.map(async (s) => (await api.query.system.account(s.address)).nonce.toNumber()));
      if (n.every((x, a) => x >= start[a] + opt.per)) break;
      if (Date.now() > until) throw new Error(`round ${k}: the chain did not catch up (nonces ${n}); cannot reuse it`);
      await sleep(1000);
    }
  }
  return result;
}

// ---- main ---------------------------------------------------------------------
log(`pool burst: ${opt.rounds} rounds of ${opt.accounts} x ${opt.per} ${opt.call}${opt.watch ? ' (watched)' : ''}, ${opt.url ? `node ${opt.url}` : `node args: ${nodeArgs.join(' ')}`}, ${opt.sameChain ? 'one chain' : 'a fresh chain per round'}`);
const results = [];
let failed = null;
let shared = null;
const prepared = {};
try {
  for (let k = 1; k <= opt.rounds; k++) {
    let node = shared;
    if (!node) {
      node = await connect(k);
      if (opt.sameChain) shared = node;
    }
    try {
      results.push(await round(k, node, opt.sameChain ? prepared : {}));
    } finally {
      if (!opt.sameChain) await node.stop();
    }
  }
} catch (e) {
  failed = e;
  console.error(e);
} finally {
  if (shared) await shared.stop();
}
const total = results.reduce((s, r) => ({ lost: s.lost + r.lost, gone: s.gone + r.gone, stuck: s.stuck + r.stuck, included: s.included + r.included, submitted: s.submitted + r.submitted, refused: s.refused + r.refused }), { lost: 0, gone: 0, stuck: 0, included: 0, submitted: 0, refused: 0 });
const badRounds = results.filter((r) => r.lost > 0).length;
console.log(`TOTAL: ${results.length}/${opt.rounds} rounds, ${total.submitted} submitted, ${total.refused} refused, ${total.included} included, LOST ${total.lost} (gone ${total.gone}, stuck ${total.stuck}) in ${badRounds} rounds; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
if (opt.json) writeFileSync(opt.json, JSON.stringify({ options: opt, nodeArgs, results, total }, null, 2));
process.exit(failed || total.lost > 0 || total.refused > 0 ? 1 : 0);
