// The explorer's shell: connects to the node (`?rpc=`), keeps the recent
// blocks, shows the connection state and mounts the page of the route.
import './style.css';
import { endpointFrom, historySizeFrom } from './config.js';
import { connect } from './connection.js';
import { Chain } from './chain.js';
import { RecentBlocks } from './recent-blocks.js';
import { parseRoute } from './router.js';
import { h, replace, note } from './dom.js';
import * as marketPage from './pages/market.js';
import * as requestsPage from './pages/requests.js';
import * as proversPage from './pages/provers.js';
import * as offerPage from './pages/offer.js';

const PAGES = { market: marketPage, requests: requestsPage, provers: proversPage, offer: offerPage };

const pageEl = document.getElementById('page');
const bannerEl = document.getElementById('connection');
const chainStatusEl = document.getElementById('chain-status');
const navEl = document.getElementById('nav');

let session = null; // { api, provider, chain, recent, closed, endpoint, name }
let unmountPage = null;

function setConnection(state, message) {
  document.body.dataset.connection = state;
  bannerEl.hidden = !message;
  replace(bannerEl, message ?? '');
  bannerEl.className = `connection connection-${state}`;
}

function showError(e) {
  if (!session || session.closed) return; // the connection is gone: the banner says it
  const box = document.getElementById('page-error') ?? pageEl.insertBefore(h('div', { id: 'page-error' }), pageEl.firstChild);
  replace(box, note(`Error: ${e?.message ?? e}`, 'error'));
}

function render() {
  if (unmountPage) {
    try { unmountPage(); } catch (_) { /* page already gone */ }
    unmountPage = null;
  }
  const route = parseRoute(location.hash);
  for (const a of navEl.querySelectorAll('a')) {
    if (a.dataset.page === route.page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  pageEl.replaceChildren();
  document.body.dataset.page = route.page;
  if (!session) {
    pageEl.append(note('Waiting for the node…'));
    return;
  }
  const ctx = { ...session, fail: showError };
  unmountPage = PAGES[route.page].mount(pageEl, ctx, route);
}

function showChainStatus(name, blocks) {
  const last = blocks[blocks.length - 1];
  replace(chainStatusEl, last ? `${name} · block #${last.number}` : name);
}

/** Reads the chain's name and the recent blocks: the session, once they are loaded. */
async function openSession(api, provider, endpoint, historySize) {
  const name = (await api.rpc.system.chain()).toString();
  const chain = new Chain(api);
  const recent = new RecentBlocks(chain, historySize, { onError: showError });
  try {
    await recent.start();
  } catch (e) {
    recent.stop();
    throw e;
  }
  return { api, provider, chain, recent, closed: false, endpoint, name };
}

function showStatus({ state, endpoint, error, notZkmarket, retryInMs }) {
  const retry = `Retrying in ${Math.round(retryInMs / 1000)} s…`;
  if (state === 'connecting') {
    if (bannerEl.hidden) setConnection('connecting', null); // a problem stays shown until connected
    replace(chainStatusEl, `connecting to ${endpoint}…`);
  } else if (state === 'unreachable') {
    setConnection('unreachable', [
      h('strong', {}, 'Cannot reach the node'), ` at ${endpoint} (${error}). `,
      'Is it running? Start one with ', h('code', {}, './scripts/run-dev.sh'),
      ' or open this page with ', h('code', {}, '?rpc=ws://host:port'), '. ', retry,
    ]);
    replace(chainStatusEl, 'node unreachable');
  } else if (notZkmarket) {
    setConnection('failed', [
      h('strong', {}, 'Not a zkmarket node'), `: the node at ${endpoint} has ${error}. `,
      'Open this page with ', h('code', {}, '?rpc=ws://host:port'), ' of a zkmarket node. ', retry,
    ]);
    replace(chainStatusEl, 'not a zkmarket node');
  } else {
    setConnection('failed', [h('strong', {}, 'Cannot read the chain'), ` at ${endpoint} (${error}). `, retry]);
    replace(chainStatusEl, 'chain unreadable');
  }
}

/** Connects (retrying until the chain is read), then shows the page; reconnects when the connection is lost. */
async function start(endpoint, historySize) {
  const { value: current } = await connect(endpoint, showStatus, (api, provider) => openSession(api, provider, endpoint, historySize));
  const { api, provider, recent } = current;
  const lost = () => {
    if (current.closed) return;
    current.closed = true;
    recent.stop();
    session = null;
    render();
    setConnection('unreachable', [h('strong', {}, 'Lost the connection to the node'), ` at ${endpoint}; reconnecting…`]);
    api.disconnect().catch(() => {});
    run(endpoint, historySize);
  };
  provider.on('disconnected', lost);
  recent.subscribe((blocks) => showChainStatus(current.name, blocks));
  session = current;
  setConnection('connected', null);
  render();
  if (!provider.isConnected) lost();
}

function run(endpoint, historySize) {
  start(endpoint, historySize).catch((e) => { // a bug: connect() retries every failure of the node
    setConnection('failed', `Cannot show the chain at ${endpoint}: ${e.message}`);
  });
}

const { endpoint, error } = endpointFrom(location.search);
window.addEventListener('hashchange', render);
if (error) {
  setConnection('unreachable', error);
  pageEl.append(note(error, 'error'));
} else {
  render();
  run(endpoint, historySizeFrom(location.search));
}
