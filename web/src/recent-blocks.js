// The last N blocks of the best chain, loaded at start and then followed
// through new heads (one subscription for the whole app). Listeners get the
// blocks, oldest first, after every change.

const LOAD_CONCURRENCY = 8;

/** Runs `fn` over `items` with at most `limit` at once; results in order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class RecentBlocks {
  constructor(chain, size, { onError } = {}) {
    this.chain = chain;
    this.size = size;
    this.blocks = []; // oldest first, consecutive numbers
    this.listeners = new Set();
    this.onError = onError ?? (() => {});
    this.unsubscribe = null;
    this.queue = Promise.resolve();
    this.ready = false;
  }

  /** Loads the last `size` blocks, then follows new heads. */
  async start() {
    const best = await this.chain.best();
    const first = Math.max(0, best.number - this.size + 1); // genesis included: the initial BaseFee
    const numbers = [];
    for (let n = first; n <= best.number; n++) numbers.push(n);
    const blocks = await mapLimit(numbers, LOAD_CONCURRENCY, (n) =>
      (n === best.number ? this.chain.block(best.hash, n) : this.chain.blockAt(n)));
    this.blocks = blocks.filter(Boolean);
    this.ready = true;
    this.#emit();
    this.unsubscribe = await this.chain.api.rpc.chain.subscribeNewHeads((header) => {
      const head = { number: header.number.toNumber(), hash: header.hash.toHex() };
      this.queue = this.queue.then(() => this.#onHead(head)).catch((e) => this.onError(e));
    });
  }

  stop() {
    if (this.unsubscribe) this.unsubscribe();
    this.unsubscribe = null;
    this.listeners.clear();
  }

  /** Calls `fn(blocks)` now (when loaded) and after every change; returns the unsubscribe. */
  subscribe(fn) {
    this.listeners.add(fn);
    if (this.ready) fn(this.blocks);
    return () => this.listeners.delete(fn);
  }

  get last() {
    return this.blocks[this.blocks.length - 1] ?? null;
  }

  async #onHead(head) {
    const last = this.last;
    if (last && head.number <= last.number) {
      if (this.blocks.some((b) => b.hash === head.hash)) return;
      // A re-org: drop the replaced blocks.
      this.blocks = this.blocks.filter((b) => b.number < head.number);
    }
    const from = Math.max(this.last ? this.last.number + 1 : head.number, head.number - this.size + 1);
    const missing = [];
    for (let n = from; n < head.number; n++) missing.push(n);
    const filled = await mapLimit(missing, LOAD_CONCURRENCY, (n) => this.chain.blockAt(n));
    const headBlock = await this.chain.block(head.hash, head.number);
    const added = [...filled.filter(Boolean), headBlock];
    this.blocks = [...this.blocks.filter((b) => b.number < from), ...added].slice(-this.size);
    this.#emit();
  }

  #emit() {
    for (const fn of this.listeners) {
      try {
        fn(this.blocks);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
