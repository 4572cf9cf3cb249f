// zombienet js-script: a market flow submitted through alice's node must be
// seen identically on every node, and its proof verdict must come from more
// than one validator's off-chain worker (threshold 2 of 3 on `local`).
// Returns 1 on success; throws with a reason otherwise.
const { execFileSync } = require("child_process");

const ZK = 10n ** 18n;
const PROVER_BIN = process.env.ZKMARKET_PROVER;

function prover(...args) {
  return JSON.parse(execFileSync(PROVER_BIN, args.map(String), { encoding: "utf8" }));
}

async function connect(uri) {
  const provider = new zombie.WsProvider(uri);
  return zombie.ApiPromise.create({ provider, noInitWarn: true });
}

function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInBlock || status.isFinalized) {
        if (dispatchError) {
          const d = dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule) : null;
          reject(new Error(d ? `${d.section}.${d.name}` : dispatchError.toString()));
        } else if (status.isInBlock) resolve(events);
      } else if (status.isInvalid || status.isDropped) reject(new Error(status.type));
    }).catch(reject);
  });
}

function waitFor(api, pred, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("event not seen in time")), timeoutMs);
    const seen = [];
    api.query.system.events((events) => {
      for (const { event } of events) {
        seen.push(event);
        const r = pred(event, seen);
        if (r) {
          clearTimeout(timer);
          resolve(r);
        }
      }
    });
  });
}

async function run(nodeName, networkInfo) {
  const names = ["alice", "bob", "charlie", "dave"];
  const apis = {};
  for (const n of names) apis[n] = await connect(networkInfo.nodesByName[n].wsUri);
  const api = apis[nodeName];
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const k = {};
  for (const n of ["Alice", "Bob", "Eve", "Ferdie"]) k[n] = keyring.addFromUri(`//${n}`);

  await send(api, api.tx.provers.register(100n * ZK), k.Ferdie);
  const program = prover("program");
  // upgrade.js registers it first in smoke.zndsl.
  if ((await api.query.verifier.programs(program.programId)).isNone) {
    await send(api, api.tx.verifier.registerProgram(program.vk), k.Alice);
  }
  // The auction deals a bid only to provers that declared its program (issue 27).
  await send(api, api.tx.provers.setCapabilities([program.programId], [], 4), k.Ferdie);
  const y = prover("input", 3).y;
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const assigned = waitFor(api, (e) => e.section === "market" && e.method === "Assigned" && e, 120_000);
  await send(api, api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: 3n * ZK, maxBaseFee: ZK } }, best + 200), k.Eve);
  const a = await assigned;
  const id = a.data[0].toNumber();
  const proverAddr = a.data[1].toString();
  if (proverAddr !== k.Ferdie.address) throw new Error(`unexpected prover ${proverAddr}`);

  const votes = new Set();
  const settled = waitFor(api, (e) => {
    if (e.section === "verifier" && e.method === "VoteRecorded") votes.add(e.data[1].toString());
    return e.section === "market" && e.method === "RequestSettled" && e.data[0].toNumber() === id && e;
  }, 240_000);
  const proof = prover("prove", 3, id, k.Ferdie.address);
  await send(api, api.tx.verifier.submitProof(id, proof.proof), k.Ferdie);
  await settled;
  if (votes.size < 2) throw new Error(`verdict reached with votes from ${votes.size} verifier(s)`);

  // Wait until the settlement is finalized everywhere, then compare state at
  // one finalized block on all four nodes.
  const deadline = Date.now() + 240_000;
  let hash;
  for (;;) {
    hash = await api.rpc.chain.getFinalizedHead();
    const at = await api.at(hash);
    const r = await at.query.market.requests(id);
    if (r.isSome && r.unwrap().state.isSettled) break;
    if (Date.now() > deadline) throw new Error("settlement not finalized in time");
    await new Promise((r) => setTimeout(r, 2000));
  }
  const views = [];
  for (const n of names) {
    const other = apis[n];
    for (;;) {
      const fin = (await other.rpc.chain.getHeader(await other.rpc.chain.getFinalizedHead())).number.toNumber();
      const target = (await api.rpc.chain.getHeader(hash)).number.toNumber();
      if (fin >= target) break;
      if (Date.now() > deadline) throw new Error(`${n} did not finalize #${target}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const at = await other.at(hash);
    views.push(JSON.stringify({
      request: (await at.query.market.requests(id)).toJSON(),
      baseFee: (await at.query.baseFee.baseFee()).toString(),
      stake: (await at.query.provers.provers(k.Ferdie.address)).toJSON(),
      root: (await other.rpc.chain.getHeader(hash)).stateRoot.toHex(),
    }));
  }
  if (new Set(views).size !== 1) throw new Error(`nodes disagree:\n${views.join("\n")}`);
  for (const n of names) await apis[n].disconnect();
  return 1;
}

module.exports = { run };
