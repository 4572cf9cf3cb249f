// Settings read from the page's URL: `?rpc=ws://host:port` (the node) and
// `?blocks=N` (how many recent blocks the Market page keeps).

export const DEFAULT_RPC = 'ws://127.0.0.1:9944';
export const DEFAULT_BLOCKS = 50;
export const MAX_BLOCKS = 200;

/** The node endpoint: `?rpc=` when it is a ws:// or wss:// URL, else the default. */
export function endpointFrom(search) {
  const rpc = new URLSearchParams(search).get('rpc');
  if (!rpc) return { endpoint: DEFAULT_RPC, error: null };
  try {
    const url = new URL(rpc);
    if (url.protocol === 'ws:' || url.protocol === 'wss:') return { endpoint: rpc, error: null };
  } catch (_) { /* reported below */ }
  return { endpoint: null, error: `?rpc=${rpc} is not a ws:// or wss:// URL` };
}

/** Recent blocks kept for the BaseFee chart and the auctions (`?blocks=`, 2..200). */
export function historySizeFrom(search) {
  const n = Number.parseInt(new URLSearchParams(search).get('blocks') ?? '', 10);
  return Number.isFinite(n) ? Math.min(MAX_BLOCKS, Math.max(2, n)) : DEFAULT_BLOCKS;
}
