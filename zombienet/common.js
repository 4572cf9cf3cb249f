// Helpers shared by zombienet/upgrade.js and zombienet/validators.js (js-scripts
// run inside zombienet, with the global `zombie`: ApiPromise, WsProvider,
// Keyring, util = @polkadot/util-crypto). `zombie` is read when a helper is
// called, not when this file is loaded.
const { execFileSync } = require("child_process");

const ZK = 10n ** 18n;
const NODES = ["alice", "bob", "charlie", "dave"];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A logger prefixed with the script's name and the seconds since it started. */
function logger(name) {
  const t0 = Date.now();
  return (...a) => console.log(`  ${name} [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);
}

/** Runs the demo prover CLI (ZKMARKET_PROVER) and parses its JSON. */
function prover(...args) {
  const bin = process.env.ZKMARKET_PROVER;
  if (!bin) throw new Error("ZKMARKET_PROVER is not set (run through scripts/zombienet.sh)");
  return JSON.parse(execFileSync(bin, args.map(String), { encoding: "utf8" }));
}

/** `0x`-prefixed hex of bytes. */
function hex(u8a) {
  return `0x${Buffer.from(u8a).toString("hex")}`;
}

/** An API on `uri`, with its provider (for RPC methods @polkadot/api does not decorate). */
async function connect(uri) {
  const provider = new zombie.WsProvider(uri);
  const api = await zombie.ApiPromise.create({ provider, noInitWarn: true });
  return { api, provider };
}

/** APIs on the four nodes of the network, by name: { alice: { api, provider }, ... }. */
async function connectAll(networkInfo) {
  const out = {};
  for (const n of NODES) {
    const node = networkInfo.nodesByName[n];
    if (!node) throw new Error(`the network has no node named ${n}`);
    out[n] = await connect(node.wsUri);
  }
  return out;
}

async function disconnectAll(conns) {
  for (const c of Object.values(conns)) {
    try { await c.api.disconnect(); } catch (_) { /* already gone */ }
  }
}

/** The dev accounts, by name: { Alice, Bob, ... }. */
function devKeys() {
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const k = {};
  for (const n of ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]) k[n] = keyring.addFromUri(`//${n}`);
  return k;
}

async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

async function finalizedNumber(api) {
  return (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
}

/** `section.Name` of a DispatchError. */
function errorName(api, d) {
  if (!d.isModule) return d.toString();
  const m = api.registry.findMetaError(d.asModule);
  return `${m.section}.${m.name}`;
}

/** Events of block `hash`. */
async function eventsAt(api, hash) {
  return (await (await api.at(hash)).query.system.events()).map((r) => r.event);
}

/** The first event `section.method` in `events` (plain events) whose data matches `pred`. */
function findEvent(events, name, pred = () => true) {
  const [section, method] = name.split(".");
  return events.find((e) => e.section === section && e.method === method && pred(e.data));
}

/**
 * Polls `check(seen)` every 2 s until it returns a truthy value, which is
 * returned. `seen(text)` records what was last observed, for the error when
 * `timeoutMs` passes first.
 */
async function waitUntil(what, timeoutMs, check) {
  const deadline = Date.now() + timeoutMs;
  let last = "nothing yet";
  const seen = (s) => { last = s; };
  for (;;) {
    const r = await check(seen);
    if (r) return r;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s (last seen: ${last})`);
    await sleep(2000);
  }
}

/**
 * Visits the blocks of `api`'s best chain from `from` on, waiting for new
 * ones, until `visit(number, hash, seen)` returns a truthy value, which is
 * returned; `seen` as in `waitUntil`.
 */
async function followBlocks(api, from, what, timeoutMs, visit) {
  const deadline = Date.now() + timeoutMs;
  let last = "nothing yet";
  const seen = (s) => { last = s; };
  const timeout = (n) => new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s (blocks #${from}..#${n - 1}; last seen: ${last})`);
  for (let n = from; ; n++) {
    while ((await bestNumber(api)) < n) {
      if (Date.now() > deadline) throw timeout(n);
      await sleep(1000);
    }
    const r = await visit(n, await api.rpc.chain.getBlockHash(n), seen);
    if (r) return r;
    if (Date.now() > deadline) throw timeout(n + 1);
  }
}

/**
 * Signs and sends `tx`; resolves when it is in a block with
 * { blockHash, blockNumber, events } (plain events of this extrinsic), or
 * rejects with the dispatch error's `section.Name`. A `sudo.Sudid` event with
 * an error (the root call failed although the sudo transaction succeeded)
 * rejects as well, with the inner error. `opts`: signing options (`nonce`).
 */
function send(api, tx, signer, what, opts = {}) {
  const label = what || `${tx.method.section}.${tx.method.method}`;
  return new Promise((resolve, reject) => {
    let unsub;
    let finished = false;
    const done = (f, v) => {
      finished = true;
      if (unsub) unsub();
      f(v);
    };
    tx.signAndSend(signer, opts, async ({ status, events, dispatchError }) => {
      try {
        if (status.isInBlock) {
          if (dispatchError) return done(reject, new Error(`${label}: ${errorName(api, dispatchError)}`));
          const own = events.map((r) => r.event);
          const sudid = findEvent(own, "sudo.Sudid");
          if (sudid && sudid.data[0].isErr) {
            return done(reject, new Error(`${label}: root call failed with ${errorName(api, sudid.data[0].asErr)}`));
          }
          const blockHash = status.asInBlock;
          const blockNumber = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
          done(resolve, { blockHash, blockNumber, events: own });
        } else if (status.isInvalid || status.isDropped || status.isUsurped) {
          done(reject, new Error(`${label}: transaction ${status.type}`));
        }
      } catch (err) {
        done(reject, err);
      }
    }).then((u) => {
      unsub = u;
      if (finished) u(); // the outcome came before the subscription did
    }).catch((err) => reject(new Error(`${label}: ${err.message}`)));
  });
}

/**
 * Sends `items` ([{ tx, signer, what }]) at once, nonces counted per signer
 * from its next index; resolves with their `send` results, in order.
 */
async function sendAll(api, items) {
  const next = new Map();
  const sends = [];
  for (const { tx, signer, what } of items) {
    if (!next.has(signer.address)) next.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
    const nonce = next.get(signer.address);
    next.set(signer.address, nonce + 1);
    sends.push(send(api, tx, signer, what, { nonce }));
  }
  return Promise.all(sends);
}

/** `call` as root: `sudo.sudo(call)` signed by the sudo key (Alice on `local`). */
function sudo(api, call, sudoKey) {
  return send(api, api.tx.sudo.sudo(call), sudoKey, `sudo(${call.method.section}.${call.method.method})`);
}

/** The chain's time (pallet-timestamp) in UNIX seconds, at the best block. */
async function chainSecs(api) {
  return Number((await api.query.timestamp.now()).toBigInt() / 1000n);
}

/**
 * Makes `pair` an active prover: registers it with `stake` if it is not one,
 * resumes it if it is paused. Returns whether it was changed.
 */
async function ensureProver(api, pair, stake) {
  const info = await api.query.provers.provers(pair.address);
  if (info.isNone) {
    await send(api, api.tx.provers.register(stake), pair, `provers.register(${pair.address})`);
    return true;
  }
  if (info.unwrap().status.isPaused) {
    await send(api, api.tx.provers.resume(), pair, `provers.resume(${pair.address})`);
    return true;
  }
  return false;
}

/** Registers the demo program (by `owner`) unless it is; returns { vk, programId }. */
async function ensureDemoProgram(api, owner) {
  const program = prover("program");
  if ((await api.query.verifier.programs(program.programId)).isNone) {
    await send(api, api.tx.verifier.registerProgram(program.vk), owner, "verifier.registerProgram(demo)");
  }
  return program;
}

/** The demo program's public input for `x`. */
function demoInput(x) {
  return prover("input", x).y;
}

/** A demo proof of `x` for request `id`, bound to `proverAddress`. */
function demoProof(x, id, proverAddress) {
  return prover("prove", x, id, proverAddress).proof;
}

/** The id of the request submitted in `sent` (the result of `send`). */
function submittedId(sent) {
  const e = findEvent(sent.events, "market.RequestSubmitted");
  if (!e) throw new Error("market.submitRequest: no RequestSubmitted event");
  return e.data.id.toNumber();
}

/** The request `id` at the best block (throws if it is gone). */
async function request(api, id) {
  const r = await api.query.market.requests(id);
  if (r.isNone) throw new Error(`request ${id} not found in market.requests`);
  return r.unwrap();
}

/**
 * Waits until each node's finalized height reaches `height`; returns the
 * block hash at `height` after checking that every node has the same block
 * there, with the same state root.
 */
async function nodesAgreeAt(conns, height, timeoutMs) {
  const names = Object.keys(conns);
  for (const n of names) {
    await waitUntil(`${n} finalizing #${height}`, timeoutMs, async (seen) => {
      const f = await finalizedNumber(conns[n].api);
      seen(`finalized #${f}`);
      return f >= height;
    });
  }
  const views = [];
  for (const n of names) {
    const api = conns[n].api;
    const hash = await api.rpc.chain.getBlockHash(height);
    views.push({ n, hash: hash.toHex(), root: (await api.rpc.chain.getHeader(hash)).stateRoot.toHex() });
  }
  if (new Set(views.map((v) => `${v.hash}/${v.root}`)).size !== 1) {
    throw new Error(`nodes disagree on finalized block #${height}:\n${views.map((v) => `${v.n}: ${v.hash} root ${v.root}`).join("\n")}`);
  }
  return views[0].hash;
}

module.exports = {
  ZK, NODES, sleep, logger, prover, hex, connect, connectAll, disconnectAll, devKeys,
  bestNumber, finalizedNumber, errorName, eventsAt, findEvent, waitUntil, followBlocks, send, sendAll, sudo,
  chainSecs, ensureProver, ensureDemoProgram, demoInput, demoProof, submittedId, request,
  nodesAgreeAt,
};
