// The last N blocks of the best chain, loaded at start and then followed
// through new heads (one subscription for the whole app; a head that arrives
// while one is loading replaces any other waiting head; a head whose parent
// is not the last block is a re-org or a gap, filled by its parent hashes).
// Listeners get the blocks, oldest first, after every change.

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

const headOf = (header) => ({ number: header.number.toNumber(), hash: header.hash.toHex(), parentHash: header.parentHash.toHex() });

export class RecentBlocks {
  constructor(chain, size, { onError } = {}) {
    this.chain = chain;
    this.size = size;
    this.blocks = []; // oldest first, a chain: consecutive numbers, each the parent of the next
    this.listeners = new Set();
    this.onError = onError ?? (() => {});
    this.unsubscribe = null;
    this.pending = null; // the newest head not handled yet (older ones are skipped)
    this.busy = false;
    this.stopped = false;
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
      this.pending = headOf(header);
      this.#follow();
    });
  }

  stop() {
    this.stopped = true;
    this.pending = null;
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

  /** Handles the pending head, one at a time; heads arriving meanwhile replace each other. */
  async #follow() {
    if (this.busy) return;
    this.busy = true;
    while (this.pending && !this.stopped) {
      const head = this.pending;
      this.pending = null;
      try {
        await this.#onHead(head);
      } catch (e) {
        if (!this.stopped) this.onError(e);
      }
    }
    this.busy = false;
  }

  async #onHead(head) {
    const kept = new Set(this.blocks.map((b) => b.hash));
    if (kept.has(head.hash)) return;
    // The new blocks: from the head back by parent hashes to a kept block (a
    // re-org when that is not the last one) or to the start of the window.
    const fresh = [head];
    const lowest = Math.max(0, head.number - this.size + 1);
    while (fresh[0].number > lowest && !kept.has(fresh[0].parentHash)) {
      fresh.unshift(headOf(await this.chain.api.rpc.chain.getHeader(fresh[0].parentHash)));
    }
    const base = kept.has(fresh[0].parentHash) ? this.blocks.filter((b) => b.number < fresh[0].number) : [];
    const added = await mapLimit(fresh, LOAD_CONCURRENCY, (b) => this.chain.block(b.hash, b.number));
    if (this.stopped) return;
    this.blocks = [...base, ...added].slice(-this.size);
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
