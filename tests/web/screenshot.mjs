// Screenshots of the market explorer on a livelier market, for the README
// (web/docs/*.png): a dev node, three provers, bids of varying demand in
// consecutive blocks (the BaseFee rises and falls), every winner proven, an offer.
//
//   cd tests && node web/screenshot.mjs [OUT_DIR]     (default ../web/docs)
//
// Needs the node and prover binaries (scripts/build.sh) and Debian's chromium.
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';
import {
  ROOT, ZK, startNode, devKeys, send, sendAll, prover, waitForBlock, bestNumber, freePort, sleep,
} from '../e2e/lib.mjs';

const OUT = process.argv[2] || join(ROOT, 'web', 'docs');
const DEMAND = [3, 9, 11, 10, 12, 8, 4, 0, 8, 12, 10, 2, 0, 0, 6, 9, 12, 11, 3, 1]; // bids per block

const node = await startNode();
const { api } = node;
const k = devKeys();
const port = await freePort();
const server = spawn(join(ROOT, 'scripts', 'explorer.sh'), ['--port', String(port)], { detached: true, stdio: 'inherit' });
const stopServer = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch (_) { /* gone */ } };
try {
  await waitForBlock(api, 2);
  const provers = [k.bob, k.charlie, k.dave];
  await sendAll(api, provers.map((who, i) => ({ tx: api.tx.provers.register(BigInt(100 - 20 * i) * ZK), signer: who })));
  const program = prover('program');
  await send(api, api.tx.verifier.registerProgram(program.vk), k.alice);
  await sendAll(api, provers.map((who) => ({ tx: api.tx.provers.setCapabilities([program.programId], [], 4), signer: who })));
  const y = prover('input', 3).y;
  const bidders = [k.alice, k.eve, k.ferdie];
  const byAddress = Object.fromEntries(provers.map((p) => [p.address, p]));
  // Each block: the proofs of the winners so far and the next round of bids.
  let proofs = [];
  let scanned = await bestNumber(api);
  const winnersSince = async () => {
    const out = [];
    for (const best = await bestNumber(api); scanned < best;) {
      const events = (await (await api.at(await api.rpc.chain.getBlockHash(++scanned))).query.system.events()).map((r) => r.event);
      for (const e of events.filter((x) => x.section === 'market' && x.method === 'Assigned')) {
        const [id, who] = [e.data.id.toNumber(), e.data.prover.toString()];
        out.push({ tx: api.tx.verifier.submitProof(id, prover('prove', 3, id, who).proof), signer: byAddress[who] });
      }
    }
    return out;
  };
  for (const [round, demand] of [...DEMAND, 0, 0].entries()) {
    const expires = (await bestNumber(api)) + 100;
    const bids = Array.from({ length: demand }, (_, i) => ({
      tx: api.tx.market.submitRequest(program.programId, [y], { Auction: { bid: BigInt(1 + ((i * 7 + round) % 9)) * ZK / 10n, maxBaseFee: ZK } }, expires),
      signer: bidders[i % bidders.length],
    }));
    proofs = [...proofs, ...(await winnersSince())];
    await sendAll(api, [...proofs, ...bids]);
    proofs = [];
  }
  const now = Number((await api.query.timestamp.now()).toBigInt() / 1000n);
  const offer = { minPrice: ZK / 2n, maxPrice: 2n * ZK, rampUpStart: now - 20, rampUpPeriod: 90, lockTimeout: 150, timeout: 240, lockCollateral: ZK };
  const sub = await send(api, api.tx.market.submitRequest(program.programId, [y], { Offer: offer }, 0), k.eve);
  const offerId = sub.events.find((e) => e.event.section === 'market' && e.event.method === 'RequestSubmitted').event.data.id.toNumber();
  await waitForBlock(api, (await bestNumber(api)) + 2);

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  page.on('console', (m) => console.log(`console ${m.type()}: ${m.text()}`));
  const base = `http://127.0.0.1:${port}/?rpc=${encodeURIComponent(node.url)}`;
  for (let i = 0; ; i++) {
    try { await page.goto(`${base}#/market`); break; } catch (e) { if (i > 300) throw e; await sleep(1000); }
  }
  await page.waitForSelector('#auctions tr.winner');
  await page.screenshot({ path: join(OUT, 'market.png'), fullPage: false });
  await page.goto(`${base}#/offer/${offerId}`);
  await page.waitForSelector('#offer-price-now');
  await page.screenshot({ path: join(OUT, 'offer.png'), fullPage: false });
  await browser.close();
  console.log(`screenshots in ${OUT}`);
} finally {
  stopServer();
  await node.stop();
}
