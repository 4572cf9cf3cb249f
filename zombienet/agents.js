// zombienet js-script: the Rust clients of issue 17 on the `local` network.
// Two prover agents (`zkmarket-prover run`) attached to two different nodes
// (bob and charlie) settle requests that requesters submit with the CLI
// (`zkmarket request submit`) through a third node (dave, the full node).
//
// `with "N"`: N requests (default 10; two of them reverse Dutch offers, the
// rest auction bids), one fresh requester account each, submitted in parallel;
// every CLI follows its request until it settles and fetches the proof
// (verified off-chain), which must equal the chain's `market_proof`.
//
// Provers registered earlier in the same network (market-check.js, burst.js)
// whose keys are known (dev accounts, `//burst//prover//i`) are paused first so
// that only the two agents win work, and resumed at the end; any other active
// prover is an error. Returns 1 on success; throws with the reason otherwise
// (the agents' logs are printed).
//
// Binaries: the agent is ZKMARKET_PROVER (exported by scripts/zombienet.sh),
// the CLI is `zkmarket` next to it unless ZKMARKET_CLI names another.
const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ZK = 10n ** 18n;
const PROVER_BIN = process.env.ZKMARKET_PROVER;
const CLI_BIN = process.env.ZKMARKET_CLI || path.join(path.dirname(PROVER_BIN || "."), "zkmarket");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (...a) => console.log(`  agents [${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

function prover(...args) {
  return JSON.parse(execFileSync(PROVER_BIN, args.map(String), { encoding: "utf8" }));
}

/** Runs the CLI to completion: { code, stdout, stderr }. */
function cli(args, timeoutMs) {
  return new Promise((resolve) => {
    const p = spawn(CLI_BIN, args.map(String), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("close", (code, signal) => { // after stdout and stderr are drained
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, args });
    });
  });
}

async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

function errorName(api, d) {
  if (!d.isModule) return d.toString();
  const m = api.registry.findMetaError(d.asModule);
  return `${m.section}.${m.name}`;
}

/** Signs `items` ([{ tx, signer }]) with locally counted nonces, submits them and waits until all are in; throws when one failed. */
async function sendAll(api, items, what) {
  const next = new Map();
  const hashes = [];
  const from = (await bestNumber(api)) + 1;
  for (const { tx, signer } of items) {
    if (!next.has(signer.address)) next.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
    const nonce = next.get(signer.address);
    next.set(signer.address, nonce + 1);
    const signed = await tx.signAsync(signer, { nonce, era: 0 });
    hashes.push((await api.rpc.author.submitExtrinsic(signed)).toHex());
  }
  const want = new Set(hashes);
  const deadline = Date.now() + 120_000;
  for (let n = from; want.size > 0; n++) {
    while ((await bestNumber(api)) < n) {
      if (Date.now() > deadline) throw new Error(`${what}: ${want.size} transactions not included`);
      await sleep(500);
    }
    const hash = await api.rpc.chain.getBlockHash(n);
    const exts = (await api.rpc.chain.getBlock(hash)).block.extrinsics;
    let evs = null;
    for (let i = 0; i < exts.length; i++) {
      if (!want.has(exts[i].hash.toHex())) continue;
      want.delete(exts[i].hash.toHex());
      if (!evs) evs = await (await api.at(hash)).query.system.events();
      const failed = evs.find(({ phase, event }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === i
        && event.section === "system" && event.method === "ExtrinsicFailed");
      if (failed) throw new Error(`${what}: ${errorName(api, failed.event.data[0])}`);
    }
  }
}

/** A prover agent with its config and log in `dir`. */
function startAgent(dir, name, cfg) {
  const config = path.join(dir, `${name}.toml`);
  const logFile = path.join(dir, `${name}.log`);
  const lines = Object.entries(cfg).filter(([k]) => k !== "programs").map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  for (const p of cfg.programs) {
    lines.push("", "[[programs]]", ...Object.entries(p).map(([k, v]) => `${k} = ${JSON.stringify(v)}`));
  }
  fs.writeFileSync(config, `${lines.join("\n")}\n`);
  const out = fs.openSync(logFile, "a");
  const proc = spawn(PROVER_BIN, ["run", "--config", config], { stdio: ["ignore", out, out] });
  const exited = new Promise((r) => proc.on("exit", (code, signal) => r({ code, signal })));
  let done = false;
  exited.then(() => { done = true; });
  return {
    name,
    log: () => fs.readFileSync(logFile, "utf8"),
    running: () => !done,
    async stop() {
      if (done) return exited;
      proc.kill("SIGINT");
      const t = setTimeout(() => proc.kill("SIGKILL"), 30_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

async function run(nodeName, networkInfo, args) {
  const N = Number((args && args[0]) || 10);
  const OFFERS = Math.min(2, N);
  if (!PROVER_BIN || !fs.existsSync(PROVER_BIN)) throw new Error(`ZKMARKET_PROVER not set or missing: ${PROVER_BIN}`);
  if (!fs.existsSync(CLI_BIN)) throw new Error(`the CLI is missing: ${CLI_BIN} (set ZKMARKET_CLI)`);
  const uri = (n) => networkInfo.nodesByName[n].wsUri;
  const provider = new zombie.WsProvider(uri(nodeName));
  const api = await zombie.ApiPromise.create({ provider, noInitWarn: true });
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const dev = {};
  for (const n of ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]) dev[n] = keyring.addFromUri(`//${n}`);
  const proverKeys = [0, 1].map((i) => keyring.addFromUri(`//agents//prover//${i}`));
  const requesters = [...Array(N)].map((_, i) => keyring.addFromUri(`//agents//requester//${i}`));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zkmarket-zn-agents-"));
  const agents = [];
  const paused = [];
  let ok = false;
  try {
    // ---- only our agents may win work: pause the other active provers.
    const known = new Map(Object.values(dev).map((k) => [k.address, k]));
    for (let i = 0; i < 256; i++) {
      const k = keyring.addFromUri(`//burst//prover//${i}`);
      known.set(k.address, k);
    }
    const mine = new Set(proverKeys.map((k) => k.address));
    const toPause = [];
    for (const [key, info] of await api.query.provers.provers.entries()) {
      const who = key.args[0].toString();
      if (mine.has(who) || info.unwrap().status.isPaused) continue;
      const k = known.get(who);
      if (!k) throw new Error(`active prover ${who} with an unknown key: it would win work and never prove`);
      toPause.push(k);
    }
    if (toPause.length) {
      await sendAll(api, toPause.map((k) => ({ tx: api.tx.provers.pause(), signer: k })), "pausing other provers");
      paused.push(...toPause);
    }
    log(`${paused.length} other prover(s) paused; logs in ${dir}`);

    // ---- funds for the two prover accounts and the requesters; the demo program.
    await sendAll(api, [
      ...proverKeys.map((k) => ({ tx: api.tx.balances.transferKeepAlive(k.address, 300n * ZK), signer: dev.Dave })),
      ...requesters.map((k) => ({ tx: api.tx.balances.transferKeepAlive(k.address, 50n * ZK), signer: dev.Dave })),
    ], "funding");
    const program = prover("program");
    if ((await api.query.verifier.programs(program.programId)).isNone) {
      const vk = path.join(dir, "demo.vk");
      fs.writeFileSync(vk, `${program.vk}\n`);
      const r = await cli(["--url", uri("dave"), "--suri", "//Alice", "program", "register", vk], 120_000);
      if (r.code !== 0 || r.stdout.trim() !== program.programId) throw new Error(`program register: ${r.code}\n${r.stdout}\n${r.stderr}`);
      log(`program registered with the CLI through dave`);
    }

    // ---- two agents, on bob's and charlie's nodes.
    for (const [i, node] of [[0, "bob"], [1, "charlie"]]) {
      agents.push(startAgent(dir, `agent-${node}`, {
        url: uri(node), suri: `//agents//prover//${i}`, stake: "100", max_jobs: 4, metrics_port: 0,
        pause_on_exit: true, lock_offers: true, take_bounties: true,
        programs: [{ id: "demo", backend: "demo", min_price: "0.001", max_collateral: "5", prove_secs: 2 }],
      }));
    }
    for (const k of proverKeys) {
      const deadline = Date.now() + 180_000;
      for (;;) {
        if (agents.some((a) => !a.running())) throw new Error("an agent exited during start-up");
        const p = await api.query.provers.provers(k.address);
        if (p.isSome && p.unwrap().status.isActive) break;
        if (Date.now() > deadline) throw new Error(`agent ${k.address} did not register`);
        await sleep(2000);
      }
    }
    log("both agents registered");

    // ---- N requests through dave with the CLI, in parallel, each followed to its proof.
    const results = await Promise.all(requesters.map(async (k, i) => {
      const x = 5000 + i;
      const pricing = i < OFFERS
        ? ["--offer", "0.001,0.01,60,180,420,0.5"]
        : ["--bid", String((10 + i) / 1000), "--max-base-fee", "1", "--expires-in", "200"];
      const out = path.join(dir, `proof-${i}.json`);
      const r = await cli(["--url", uri("dave"), "--suri", `//agents//requester//${i}`, "request", "submit",
        "--program", program.programId, "--demo-x", x, ...pricing, "--out", out, "--timeout", "480"], 500_000);
      if (r.code !== 0) throw new Error(`request ${i} (x=${x}): the CLI exited ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`);
      return { id: Number(r.stdout.split("\n")[0]), x, out };
    }));
    log(`all ${N} CLIs returned with a verified proof`);

    // ---- every proof: settled by one of the agents, equal to market_proof.
    const by = new Map();
    for (const { id, x, out } of results) {
      const file = JSON.parse(fs.readFileSync(out, "utf8"));
      const chain = await provider.send("market_proof", [id]);
      if (file.request !== id) throw new Error(`proof file of #${id} names request ${file.request}`);
      if (file.proof !== chain.proof) throw new Error(`#${id}: the CLI's proof differs from market_proof`);
      if (JSON.stringify(file.inputs) !== JSON.stringify([prover("input", x).y])) throw new Error(`#${id}: wrong inputs`);
      if (!mine.has(chain.prover)) throw new Error(`#${id} settled by ${chain.prover}, not by an agent`);
      by.set(chain.prover, (by.get(chain.prover) || 0) + 1);
    }
    const counts = proverKeys.map((k, i) => `${["bob", "charlie"][i]}'s agent ${by.get(k.address) || 0}`).join(", ");
    if (proverKeys.some((k) => !by.get(k.address))) throw new Error(`both agents must settle requests: ${counts}`);
    log(`settled: ${counts}`);
    ok = true;
    return 1;
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    if (!ok) {
      for (const a of agents) console.log(`----- ${a.name} log (last 60 lines)\n${a.log().split("\n").slice(-60).join("\n")}`);
    }
    if (paused.length) {
      try {
        await sendAll(api, paused.map((k) => ({ tx: api.tx.provers.resume(), signer: k })), "resuming the paused provers");
      } catch (e) {
        log(`resuming the paused provers: ${e.message}`);
      }
    }
    await api.disconnect();
  }
}

module.exports = { run };
