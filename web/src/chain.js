// Reading blocks: each block's market, BaseFee and verifier events, its
// BaseFee and time, in one storage query at the block's hash; cached by hash
// (a bounded LRU), so the Market page, the request timelines and the
// following of new heads read each block once.

const KEPT_SECTIONS = new Set(['market', 'baseFee', 'verifier']);
const CACHE_SIZE = 2000;

/** A codec value as plain JS: accounts as SS58, 128-bit numbers as bigint. */
function plainValue(v) {
  const type = v.toRawType();
  if (type.startsWith('AccountId')) return v.toString();
  if (type === 'bool') return v.isTrue;
  if (typeof v.toBigInt === 'function') {
    const big = v.toBigInt();
    return v.bitLength() > 64 ? big : Number(big);
  }
  return v.toJSON();
}

/** An event as { section, method, ...fields }. */
export function plainEvent(event) {
  const out = { section: event.section, method: event.method };
  const names = event.data.names ?? [];
  event.data.forEach((v, i) => { out[names[i] ?? i] = plainValue(v); });
  return out;
}

/** The request id an event is about (market events: `id`, verifier: `request`). */
export function requestIdOf(e) {
  if (e.section === 'market') return e.id;
  if (e.section === 'verifier') return e.request;
  return undefined;
}

export class Chain {
  constructor(api) {
    this.api = api;
    this.cache = new Map(); // hash -> Promise<Block>
  }

  /** The best block's header as { number, hash }. */
  async best() {
    const header = await this.api.rpc.chain.getHeader();
    return { number: header.number.toNumber(), hash: header.hash.toHex() };
  }

  /** The hash of block `n` of the best chain (null when there is none yet). */
  async hashOf(n) {
    const hash = await this.api.rpc.chain.getBlockHash(n);
    return hash.isEmpty ? null : hash.toHex();
  }

  /**
   * Block `hash` (number `n`) as
   * { number, hash, time (UNIX s), baseFee (after the block), events,
   *   clearing: { baseFee, demand, capacity, winners } | null,
   *   winners: [{ id, prover, price, rank, deadline, requester, bid }] }.
   */
  block(hash, n) {
    let p = this.cache.get(hash);
    if (p) {
      this.cache.delete(hash); // LRU: move to the end
    } else {
      p = this.#load(hash, n);
      p.catch(() => this.cache.delete(hash));
    }
    this.cache.set(hash, p);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value);
    return p;
  }

  /** Block number `n` of the best chain, or null. */
  async blockAt(n) {
    const hash = await this.hashOf(n);
    return hash ? this.block(hash, n) : null;
  }

  async #load(hash, n) {
    const q = this.api.query;
    const [records, baseFee, now] = await this.api.rpc.state.queryStorageAt(
      [q.system.events.creator, q.baseFee.baseFee.creator, q.timestamp.now.creator], hash);
    const events = [];
    for (const { event } of records) {
      if (KEPT_SECTIONS.has(event.section)) events.push(plainEvent(event));
    }
    const cleared = events.find((e) => e.section === 'market' && e.method === 'AuctionCleared');
    const assigned = events.filter((e) => e.section === 'market' && e.method === 'Assigned');
    const winners = await Promise.all(assigned.map(async (e) => {
      const r = (await this.api.rpc.market.request(e.id, hash)).toJSON();
      return { id: e.id, prover: e.prover, price: e.price, rank: e.rank, deadline: e.deadline, requester: r.requester, bid: BigInt(r.pricing.bid) };
    }));
    winners.sort((a, b) => a.rank - b.rank);
    return {
      number: n,
      hash,
      time: Number(now.toBigInt() / 1000n),
      baseFee: baseFee.toBigInt(),
      events,
      clearing: cleared ? { baseFee: cleared.baseFee, demand: cleared.demand, capacity: cleared.capacity, winners: cleared.winners } : null,
      winners,
    };
  }
}
