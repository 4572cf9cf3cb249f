// zombienet js-script: after charlie restarted, finality continues, charlie
// catches up and every node agrees on the state of a finalized block.
async function connect(uri) {
  const provider = new zombie.WsProvider(uri);
  return zombie.ApiPromise.create({ provider, noInitWarn: true });
}

async function finalized(api) {
  const hash = await api.rpc.chain.getFinalizedHead();
  return { hash, number: (await api.rpc.chain.getHeader(hash)).number.toNumber() };
}

async function run(nodeName, networkInfo) {
  const names = ["alice", "bob", "charlie", "dave"];
  const apis = {};
  for (const n of names) apis[n] = await connect(networkInfo.nodesByName[n].wsUri);
  const start = await finalized(apis.alice);
  const deadline = Date.now() + 240_000;
  // Finality moves on by at least 3 blocks on every node, charlie included.
  for (const n of names) {
    for (;;) {
      const f = await finalized(apis[n]);
      if (f.number >= start.number + 3) break;
      if (Date.now() > deadline) throw new Error(`${n} stuck at finalized #${f.number}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const target = await apis.alice.rpc.chain.getBlockHash(start.number + 3);
  const roots = [];
  for (const n of names) roots.push((await apis[n].rpc.chain.getHeader(target)).stateRoot.toHex());
  if (new Set(roots).size !== 1) throw new Error(`state roots differ: ${roots}`);
  for (const n of names) await apis[n].disconnect();
  return 1;
}

module.exports = { run };
