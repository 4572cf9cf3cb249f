// The market explorer (web/) in headless Chromium against a dev node: a small
// market is driven (provers, three bids cleared in one block, real proofs
// verified by the off-chain worker, a reverse Dutch offer), the page is built
// and served by scripts/explorer.sh, and every page is checked against the
// chain: a BaseFee point for each recent block, the auction winners with the
// prices the chain emitted, a request's timeline up to "settled" and its proof
// download, the provers, the offer's curve (against market_offerPrice) and
// price now; at phone width too, with no console errors; the messages when the
// node is not a zkmarket node, fails an RPC call or is unreachable, and the
// reconnection after a lost connection.
// Screenshots go to $ZKMARKET_TEST_OUTPUT/explorer (default
// /var/tmp/zkmarket-test-output/explorer).
//
// Needs Debian's chromium (apt-get install -y chromium) or CHROMIUM=/path;
// nothing is downloaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  ROOT, ZK, startNode, devKeys, send, prover, waitForEvent, waitForBlock, bestNumber, freePort, sleep, rpc, blockEvents,
} from '../e2e/lib.mjs';

const OUT = join(process.env.ZKMARKET_TEST_OUTPUT || '/var/tmp/zkmarket-test-output', 'explorer');
// Blocks the Market page keeps (?blocks=, at most web/src/config.js MAX_BLOCKS):
// 200 blocks (200 s at the tests' 1 s blocks), so the auctions stay in the window until both checks.
const HISTORY = 200;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

function findChromium() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`Chromium not found (looked for ${candidates.join(', ')}): install Debian's package `
      + '(apt-get install -y chromium) or set CHROMIUM=/path/to/chromium');
  }
  return found;
}

/** ZK with 18 decimals, written independently of web/src/format.js. */
function zk(planck) {
  const s = BigInt(planck).toString().padStart(19, '0');
  const frac = s.slice(-18).replace(/0+$/, '');
  return `${BigInt(s.slice(0, -18)).toLocaleString('en-US')}${frac ? `.${frac}` : ''} ZK`;
}

const NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/** Starts scripts/explorer.sh (builds web/ when needed) on a free port. */
async function startExplorer() {
  const port = await freePort();
  let log = '';
  const proc = spawn(join(ROOT, 'scripts', 'explorer.sh'), ['--port', String(port)], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  const kill = () => { try { process.kill(-proc.pid, 'SIGTERM'); } catch (_) { /* gone */ } };
  process.on('exit', kill);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 300_000; // a cold npm ci + vite build
  for (;;) {
    if (exited !== null) throw new Error(`scripts/explorer.sh exited (${exited}):\n${log}`);
    if (Date.now() > deadline) { kill(); throw new Error(`explorer not served at ${url}:\n${log}`); }
    try {
      const res = await fetch(url);
      if (res.ok && (await res.text()).includes('zkmarket explorer')) break;
    } catch (_) { /* not listening yet */ }
    await sleep(300);
  }
  return { url, stop: kill, log: () => log };
}

/** Console errors and uncaught exceptions of a page. */
function watchErrors(page, errors) {
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
}

async function shot(page, name) {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fails when the page is wider than the viewport (phones). */
async function assertNoOverflow(page, what) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  assert.ok(scroll <= inner + 1, `${what}: page ${scroll}px wide in a ${inner}px viewport`);
}

const planck = (locator) => locator.getAttribute('data-planck').then((v) => BigInt(v));

test('market explorer in headless Chromium', { timeout: 600_000 }, async (t) => {
  const started = Date.now();
  const executablePath = findChromium();
  rmSync(OUT, { recursive: true, force: true }); // this run's screenshots only
  mkdirSync(OUT, { recursive: true });
  console.log(`# explorer screenshots: ${OUT}`);
  const explorer = await startExplorer();
  const node = await startNode();
  const { api } = node;
  const k = devKeys();
  const nameOf = (address) => NAMES.find((n) => k[n.toLowerCase()].address === address);
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const errors = [];
  try {
    const base = `${explorer.url}?rpc=${encodeURIComponent(node.url)}`;
    const desktop = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    const page = await desktop.newPage();
    watchErrors(page, errors);
    // Opened before the market runs: the page follows the new blocks live.
    await page.goto(`${base}&blocks=${HISTORY}#/market`);
    await page.waitForSelector('body[data-connection="connected"]', { timeout: 60_000 });

    // ---- drive a small market --------------------------------------------
    await waitForBlock(api, 2);
    await Promise.all([
      send(api, api.tx.provers.register(100n * ZK), k.bob),
      send(api, api.tx.provers.register(60n * ZK), k.charlie),
    ]);
    const program = prover('program');
    await send(api, api.tx.verifier.registerProgram(program.vk), k.alice);
    // The auction deals bids only to provers that declared the program.
    await Promise.all([k.bob, k.charlie].map((who) => send(api, api.tx.provers.setCapabilities([program.programId], [], 4), who)));
    const y = prover('input', 3).y;
    const expiresAt = (await bestNumber(api)) + 300;
    const bidders = [[k.alice, 5n * ZK], [k.eve, 3n * ZK], [k.ferdie, 2n * ZK]];
    await waitForBlock(api, (await bestNumber(api)) + 1); // all bids in one block
    const sent = await Promise.all(bidders.map(([who, bid]) =>
      send(api, api.tx.market.submitRequest(program.programId, [y], { Auction: { bid, maxBaseFee: ZK } }, expiresAt), who)));
    const assignments = []; // { id, block, prover, price, requester, bid }
    for (const [i, s] of sent.entries()) {
      const block = (await api.rpc.chain.getHeader(s.blockHash)).number.toNumber();
      const id = s.events.find((e) => e.event.section === 'market' && e.event.method === 'RequestSubmitted').event.data.id.toNumber();
      // Assigned is emitted by the block's clearing (on_finalize), not by the bid.
      const assigned = (await blockEvents(api, s.blockHash)).find((e) => e.section === 'market' && e.method === 'Assigned' && e.data.id.toNumber() === id);
      assert.ok(assigned, `bid ${id} won in the block of the bids`);
      assignments.push({ id, block, prover: assigned.data.prover.toString(), price: assigned.data.price.toBigInt(), requester: bidders[i][0].address, bid: bidders[i][1] });
    }
    // Real proofs; the verdicts settle the requests.
    const byAddress = { [k.bob.address]: k.bob, [k.charlie.address]: k.charlie };
    const settled = new Map(); // id -> block of RequestSettled (and VerdictReached)
    const verdicts = new Map();
    const allSettled = waitForEvent(api, (e, hash) => {
      if (e.section === 'verifier' && e.method === 'VerdictReached') verdicts.set(e.data.request.toNumber(), hash);
      if (e.section === 'market' && e.method === 'RequestSettled') settled.set(e.data.id.toNumber(), hash);
      return settled.size >= assignments.length;
    }, { timeoutMs: 120_000 });
    allSettled.catch(() => {}); // awaited below; no unhandled rejection if a proof fails first
    const nonces = {};
    for (const a of assignments) {
      const pr = prover('prove', 3, a.id, a.prover);
      // A prover with two jobs sends both proofs at once: explicit nonces.
      nonces[a.prover] ??= (await api.rpc.system.accountNextIndex(a.prover)).toNumber();
      a.proofBlock = send(api, api.tx.verifier.submitProof(a.id, pr.proof), byAddress[a.prover], { nonce: nonces[a.prover]++ });
    }
    for (const a of assignments) a.proofBlock = (await api.rpc.chain.getHeader((await a.proofBlock).blockHash)).number.toNumber();
    await allSettled;
    for (const a of assignments) {
      a.settledBlock = (await api.rpc.chain.getHeader(settled.get(a.id))).number.toNumber();
      a.verdictBlock = (await api.rpc.chain.getHeader(verdicts.get(a.id))).number.toNumber();
    }
    // A reverse Dutch offer, ramping up while the pages are checked (10 min: a slow machine too).
    const now = Number((await api.query.timestamp.now()).toBigInt() / 1000n);
    const offer = { minPrice: 1n * ZK, maxPrice: 2n * ZK, rampUpStart: now + 6, rampUpPeriod: 600, lockTimeout: 800, timeout: 900, lockCollateral: 1n * ZK };
    const offerSub = await send(api, api.tx.market.submitRequest(program.programId, [y], { Offer: offer }, 0), k.alice);
    const offerId = offerSub.events.find((e) => e.event.section === 'market' && e.event.method === 'RequestSubmitted').event.data.id.toNumber();
    t.diagnostic(`market driven in ${Math.round((Date.now() - started) / 1000)} s: requests ${assignments.map((a) => a.id)} settled, offer ${offerId}`);

    // ---- Market page ---------------------------------------------------------
    const checkMarket = async (what) => {
      const best = await bestNumber(api);
      await page.waitForFunction((n) => Number(document.querySelector('#basefee-chart')?.dataset.last) >= n, best, { timeout: 30_000 });
      // Chart and data rows read at once (the page may take a new block between two reads).
      const { chart, rows } = await page.evaluate(() => ({
        chart: { ...document.querySelector('#basefee-chart').dataset, canvas: !!document.querySelector('#basefee-chart canvas') },
        rows: [...document.querySelectorAll('#basefee-data tr[data-block]')].map((tr) => ({
          block: Number(tr.dataset.block), planck: tr.querySelector('.basefee .amount').dataset.planck, text: tr.querySelector('.basefee').textContent,
        })),
      }));
      assert.ok(chart.canvas, `${what}: the chart is drawn`);
      const first = Number(chart.first);
      const last = Number(chart.last);
      assert.equal(last - first + 1, Math.min(HISTORY, last + 1), `${what}: the last ${HISTORY} blocks (from genesis on a young chain)`);
      assert.equal(Number(chart.points), last - first + 1, `${what}: a chart point per block`);
      assert.deepEqual(rows.map((r) => r.block).sort((a, b) => a - b), Array.from({ length: last - first + 1 }, (_, i) => first + i), `${what}: one data row per block`);
      for (const r of rows) {
        const at = await api.at(await api.rpc.chain.getBlockHash(r.block));
        const fee = (await at.query.baseFee.baseFee()).toBigInt();
        assert.equal(BigInt(r.planck), fee, `${what}: BaseFee after block ${r.block}`);
        assert.equal(r.text, zk(fee));
      }
      for (const a of assignments) {
        const row = page.locator(`#auctions tr.winner[data-request="${a.id}"]`);
        assert.equal(await row.count(), 1, `${what}: auction row of request ${a.id}`);
        assert.equal(Number(await row.getAttribute('data-block')), a.block);
        assert.equal(await planck(row.locator('.price .amount')), a.price, `${what}: GSP price of ${a.id}`);
        assert.equal(await row.locator('.price').textContent(), zk(a.price));
        assert.equal(await planck(row.locator('.bid .amount')), a.bid);
        assert.equal(await row.locator('.prover').textContent(), nameOf(a.prover));
        assert.equal(await row.locator('.requester').textContent(), nameOf(a.requester));
      }
    };
    await checkMarket('live');
    await shot(page, 'market');
    await page.reload();
    await page.waitForSelector('body[data-connection="connected"]');
    await checkMarket('reloaded');

    // ---- Requests: open list, lookup, timeline, proof download -------------
    await page.goto(`${base}#/requests`);
    await page.waitForSelector(`#open-requests tr[data-request="${offerId}"]`, { timeout: 30_000 });
    const target = assignments[0];
    await page.fill('#request-id', String(target.id));
    await page.click('.lookup button');
    await page.waitForSelector('#request-timeline li[data-step="settled"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('#request-state', 'data-status'), 'Settled');
    const steps = await page.$$eval('#request-timeline li', (lis) => lis.map((li) => [li.dataset.step, Number(li.dataset.block)]));
    assert.deepEqual(steps, [
      ['queued', target.block], ['assigned', target.block], ['proof', target.proofBlock],
      ['verdict', target.verdictBlock], ['settled', target.settledBlock],
    ], 'timeline with block numbers');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#proof-download')]);
    assert.equal(download.suggestedFilename(), `proof-${target.id}.json`);
    const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
    copyFileSync(await download.path(), join(OUT, `proof-${target.id}.json`));
    const kept = await rpc(node, 'market_proof', [target.id]);
    assert.deepEqual(file, { request: target.id, program: kept.program, kind: 'arkworks', prover: kept.prover, inputs: kept.inputs, proof: kept.proof });
    await shot(page, 'request');

    // ---- Provers -------------------------------------------------------------
    await page.goto(`${base}#/provers`);
    await page.waitForSelector('#provers tr[data-prover]', { timeout: 30_000 });
    const atBlock = Number(await page.getAttribute('#provers', 'data-block'));
    const atProvers = await api.at(await api.rpc.chain.getBlockHash(atBlock));
    for (const who of [k.bob, k.charlie]) {
      const info = (await atProvers.query.provers.provers(who.address)).unwrap();
      const row = page.locator(`#provers tr[data-prover="${who.address}"]`);
      assert.equal(await row.locator('td[data-col="who"]').textContent(), nameOf(who.address));
      assert.equal(await planck(row.locator('td[data-col="stake"] .amount')), info.stake.toBigInt(), `stake of ${nameOf(who.address)}`);
      assert.equal(Number(await row.locator('td[data-col="proofs"]').textContent()), info.proofsVerified.toNumber());
      assert.equal(Number(await row.locator('td[data-col="failures"]').textContent()), info.failures.toNumber());
    }
    const stakeOrder = async () => page.$$eval('#provers tbody td[data-col="stake"] .amount', (els) => els.map((e) => BigInt(e.dataset.planck)));
    await page.click('button[data-sort="stake"]'); // descending first
    await page.waitForSelector('th[aria-sort="descending"] button[data-sort="stake"]');
    const desc = await stakeOrder();
    assert.deepEqual(desc, [...desc].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)), 'sorted by stake, descending');
    await page.click('button[data-sort="stake"]');
    await page.waitForSelector('th[aria-sort="ascending"] button[data-sort="stake"]');
    const asc = await stakeOrder();
    assert.deepEqual(asc, [...desc].reverse(), 'sorted by stake, ascending');
    await shot(page, 'provers');

    // ---- Offer ---------------------------------------------------------------
    await page.goto(`${base}#/offer/${offerId}`);
    await page.waitForSelector('#offer-price-now', { timeout: 30_000 });
    const marks = Object.fromEntries(await page.$$eval('#offer-marks li', (lis) => lis.map((li) => [li.dataset.mark, Number(li.dataset.time)])));
    assert.deepEqual(marks, {
      'ramp-start': offer.rampUpStart, 'ramp-end': offer.rampUpStart + offer.rampUpPeriod,
      'lock-deadline': offer.rampUpStart + offer.lockTimeout, timeout: offer.rampUpStart + offer.timeout,
    });
    assert.ok(Number(await page.getAttribute('#offer-chart', 'data-points')) > 10, 'the curve is drawn');
    assert.ok(await page.$('#offer-chart canvas'));
    // The price now follows the chain: wait for a block in the ramp-up.
    await page.waitForFunction((start) => Number(document.querySelector('#offer-price-now')?.dataset.time) > start, offer.rampUpStart, { timeout: 60_000 });
    const nowEl = page.locator('#offer-price-now');
    const nowBlock = Number(await nowEl.getAttribute('data-block'));
    const chainPrice = await rpc(node, 'market_offerPrice', [offerId, null, (await api.rpc.chain.getBlockHash(nowBlock)).toHex()]);
    assert.equal(await planck(nowEl), BigInt(chainPrice.price), 'price now = market_offerPrice at that block');
    assert.ok(BigInt(chainPrice.price) > offer.minPrice && BigInt(chainPrice.price) < offer.maxPrice, 'in the ramp-up');
    assert.equal(await nowEl.textContent(), zk(chainPrice.price));
    // The page's curve (web/src/offer-curve.js) is the chain's: market_offerPrice at its points.
    const curve = new Map(JSON.parse(await page.getAttribute('#offer-chart', 'data-curve')).map(([t, p]) => [t, BigInt(p)]));
    const rampEnd = offer.rampUpStart + offer.rampUpPeriod;
    const lockAt = offer.rampUpStart + offer.lockTimeout;
    const inRamp = [...curve.keys()].filter((t) => t > offer.rampUpStart && t < rampEnd);
    const mid = inRamp[Math.floor(inRamp.length / 2)];
    assert.ok(curve.get(mid) > offer.minPrice && curve.get(mid) < offer.maxPrice, `a point in the ramp-up (${mid})`);
    assert.equal(curve.get(lockAt), offer.maxPrice, 'max price at the lock deadline');
    assert.equal(curve.get(lockAt + 1), 0n, 'price 0 after the lock deadline');
    for (const t of [offer.rampUpStart, mid, rampEnd, lockAt, lockAt + 1, offer.rampUpStart + offer.timeout]) {
      const { price } = await rpc(node, 'market_offerPrice', [offerId, t]);
      assert.equal(curve.get(t), BigInt(price), `curve at ${t} = market_offerPrice`);
    }
    await shot(page, 'offer');

    // ---- phone width -----------------------------------------------------------
    const phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    watchErrors(small, errors);
    for (const [name, hash, ready] of [
      ['market', '#/market', '#basefee-data tr[data-block]'],
      ['request', `#/requests/${target.id}`, '#proof-download'],
      ['provers', '#/provers', '#provers tr[data-prover]'],
      ['offer', `#/offer/${offerId}`, '#offer-price-now'],
    ]) {
      await small.goto(`${base}${hash}`);
      await small.waitForSelector(ready, { state: 'attached', timeout: 30_000 });
      await assertNoOverflow(small, `phone ${name}`);
      await shot(small, `phone-${name}`);
    }
    await phone.close();
    await desktop.close();
    assert.deepEqual(errors, [], 'no console errors');

    // ---- not a zkmarket node, a failing RPC, a lost connection -------------------
    // The page's socket goes through a route: first the node's rpc_methods lose
    // market_*, then chain_getHeader fails, then all passes; at last it is closed.
    const routed = await browser.newContext({ viewport: DESKTOP });
    const flaky = await routed.newPage();
    const flakyErrors = [];
    watchErrors(flaky, flakyErrors);
    let mode = 'no-market';
    let sockets = null;
    await flaky.routeWebSocket((url) => url.port === String(node.rpcPort), (ws) => {
      const server = ws.connectToServer();
      sockets = [ws, server];
      ws.onMessage((msg) => {
        const { id, method } = JSON.parse(msg);
        if (mode === 'rpc-error' && method === 'chain_getHeader') ws.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32603, message: 'injected failure' } }));
        else server.send(msg);
      });
      server.onMessage((msg) => {
        const m = JSON.parse(msg);
        if (mode === 'no-market' && Array.isArray(m.result?.methods)) m.result.methods = m.result.methods.filter((x) => !x.startsWith('market_'));
        ws.send(JSON.stringify(m));
      });
    });
    await flaky.addInitScript(() => {
      window.connectionStates = [];
      new MutationObserver(() => window.connectionStates.push(document.body.dataset.connection))
        .observe(document, { subtree: true, attributes: true, attributeFilter: ['data-connection'] });
    });
    const banner = (re) => flaky.waitForFunction((src) => new RegExp(src).test(document.querySelector('#connection').textContent), re.source, { timeout: 30_000 });
    await flaky.goto(`${base}#/market`);
    await banner(/Not a zkmarket node: .*market_request.*Retrying in/);
    await shot(flaky, 'not-zkmarket');
    mode = 'rpc-error';
    await banner(/Cannot read the chain .*injected failure.*Retrying in/);
    mode = 'pass';
    await flaky.waitForSelector('body[data-connection="connected"]', { timeout: 30_000 });
    await flaky.waitForSelector('#basefee-data tr[data-block]', { state: 'attached' });
    await flaky.evaluate(() => { window.connectionStates = []; });
    for (const s of sockets) s.close();
    await flaky.waitForFunction(() => window.connectionStates.includes('unreachable') && document.body.dataset.connection === 'connected', null, { timeout: 30_000 });
    const bestNow = await bestNumber(api);
    await flaky.waitForFunction((n) => Number(document.querySelector('#basefee-chart')?.dataset.last) >= n, bestNow, { timeout: 30_000 });
    await routed.close();
    // @polkadot/api logs the injected RPC error and its subscriptions cut by the close; nothing else.
    assert.deepEqual(flakyErrors.filter((e) => !/injected failure|disconnected from ws:/.test(e)), [], 'no other console errors');

    // ---- node unreachable --------------------------------------------------------
    const offline = await browser.newContext({ viewport: DESKTOP });
    const lost = await offline.newPage();
    const offlineErrors = [];
    watchErrors(lost, offlineErrors);
    await lost.goto(`${explorer.url}?rpc=ws://127.0.0.1:${await freePort()}#/market`);
    await lost.waitForSelector('#connection:not([hidden])', { timeout: 30_000 });
    assert.match(await lost.textContent('#connection'), /Cannot reach the node at ws:\/\/127\.0\.0\.1:\d+/);
    await shot(lost, 'unreachable');
    // Chromium itself reports the refused WebSocket; the page logs nothing else.
    assert.deepEqual(offlineErrors.filter((e) => !/WebSocket connection to .* failed/.test(e)), []);
    await offline.close();
    t.diagnostic(`explorer test took ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${OUT}`);
  } catch (e) {
    // What the pages showed, for the failure report.
    for (const [i, p] of browser.contexts().flatMap((c) => c.pages()).entries()) {
      await p.screenshot({ path: join(OUT, `failure-${i}.png`), fullPage: true }).catch(() => {});
      const text = await p.evaluate(() => document.body.innerText).catch(() => '');
      t.diagnostic(`page ${i} (${p.url()}), saved as failure-${i}.png:`);
      for (const line of text.slice(0, 3000).split('\n')) t.diagnostic(`  ${line}`);
    }
    for (const line of errors) t.diagnostic(`console error: ${line}`);
    throw e;
  } finally {
    await browser.close().catch(() => {});
    explorer.stop();
    await node.stop();
  }
});
