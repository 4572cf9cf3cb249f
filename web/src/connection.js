// Connecting to the node: one WebSocket attempt at a time, retried with a
// growing delay while the node is unreachable or its chain cannot be read
// (not a zkmarket node, an RPC error or timeout), reported through `onStatus`.
// The provider is created without auto-reconnect (which would log every
// failed attempt to the console); the app reconnects itself.
import { ApiPromise, WsProvider } from '@polkadot/api';
import rpcDefinitions from '../../docs/rpc-definitions.json';

// The market_* methods; their expected errors (an unknown or pruned request)
// are shown in the page, so @polkadot/api must not log them to the console.
const MARKET_RPC = {
  market: Object.fromEntries(Object.entries(rpcDefinitions.market).map(([name, def]) => [name, { ...def, noErrorLog: true }])),
};

const RETRY_MS = [1000, 2000, 3000, 5000, 10000];
const OPEN_TIMEOUT_MS = 8000;
const INIT_TIMEOUT_MS = 30000;
const READY_TIMEOUT_MS = 60000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Opens a socket to `endpoint`; resolves with the connected provider. */
async function openProvider(endpoint) {
  const provider = new WsProvider(endpoint, false);
  const opened = new Promise((resolve, reject) => {
    const offs = [
      provider.on('connected', () => { offs.forEach((off) => off()); resolve(); }),
      provider.on('error', () => { offs.forEach((off) => off()); reject(new Error('connection refused')); }),
      provider.on('disconnected', () => { offs.forEach((off) => off()); reject(new Error('connection closed')); }),
    ];
  });
  try {
    await provider.connect();
    await withTimeout(opened, OPEN_TIMEOUT_MS, 'connecting');
    return provider;
  } catch (e) {
    opened.catch(() => {});
    await provider.disconnect().catch(() => {});
    throw e;
  }
}

// The storage the explorer reads (with every market_* method): a node
// without them is not a zkmarket node.
const STORAGE = ['baseFee.baseFee', 'market.nextRequestId', 'provers.provers', 'verifier.programs', 'timestamp.now'];

function missingParts(api) {
  return [
    ...STORAGE.filter((name) => { const [pallet, item] = name.split('.'); return !api.query[pallet]?.[item]; }),
    ...Object.keys(rpcDefinitions.market).filter((m) => !api.rpc.market?.[m]).map((m) => `market_${m}`),
  ];
}

/**
 * Connects to `endpoint`, builds the API (the node's metadata plus the
 * `market_*` RPC definitions), checks that it is a zkmarket node and runs
 * `ready(api, provider)`; any failure disconnects and retries, with a growing
 * delay, until it all succeeds. Resolves with { api, provider, value } (value:
 * what `ready` resolved with).
 * `onStatus({ state, endpoint, error, retryInMs })`, state: 'connecting',
 * 'unreachable' (no connection) or 'failed' (connected, but the chain could
 * not be read; `notZkmarket` when the node lacks the market).
 */
export async function connect(endpoint, onStatus, ready = async () => {}) {
  for (let attempt = 0; ; attempt++) {
    onStatus({ state: 'connecting', endpoint, attempt });
    let provider = null;
    let api = null;
    let notZkmarket = false;
    try {
      provider = await openProvider(endpoint);
      api = await withTimeout(
        ApiPromise.create({ provider, rpc: MARKET_RPC, noInitWarn: true, throwOnConnect: true, initWasm: false }),
        INIT_TIMEOUT_MS, 'loading the metadata');
      const missing = missingParts(api);
      if (missing.length) {
        notZkmarket = true;
        throw new Error(`no ${missing.join(', ')}`);
      }
      const value = await withTimeout(ready(api, provider), READY_TIMEOUT_MS, 'reading the chain');
      return { api, provider, value };
    } catch (e) {
      if (provider) await (api ?? provider).disconnect().catch(() => {});
      const retryInMs = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      onStatus({ state: api ? 'failed' : 'unreachable', endpoint, error: e.message, notZkmarket, retryInMs });
      await sleep(retryInMs);
    }
  }
}
