// Requests read from the chain: the open ones (market_openRequests, newest
// first, bounded), one by id (market_request), its timeline from the events
// of its blocks, and its proof file (market_proof).
import { requestIdOf } from './chain.js';
import { mapLimit } from './recent-blocks.js';

const WINDOW = 1000; // ids one market_openRequests call scans
const PAGE = 100; // its largest page

// Every call names its block: @polkadot/api turns an omitted middle or
// trailing optional parameter into a zero value, not "none".

/** A request's JSON at block `at`, or null if unknown/pruned. */
export async function requestAt(api, id, at) {
  try {
    return (await api.rpc.market.request(id, at)).toJSON();
  } catch (e) {
    if (/does not exist/.test(e.message)) return null;
    throw e;
  }
}

/**
 * The newest open requests (at most `max`), scanning windows of ids back from
 * Market::NextRequestId (at most `windows` x 1,000 ids), at block `at`.
 * Oldest first.
 */
export async function openRequests(api, at, { max = 100, windows = 10 } = {}) {
  const [nextId] = await api.rpc.state.queryStorageAt([api.query.market.nextRequestId.creator], at);
  const next = Number(nextId.toBigInt());
  const found = [];
  for (let hi = next, w = 0; hi > 0 && w < windows && found.length < max; hi -= WINDOW, w++) {
    const lo = Math.max(0, hi - WINDOW);
    const inWindow = [];
    for (let from = lo; ;) {
      // A Json codec keeps a top-level array as an object keyed "0", "1", ...
      const page = Object.values((await api.rpc.market.openRequests(from, PAGE, at)).toJSON()).sort((a, b) => a.id - b.id);
      const mine = page.filter((r) => r.id < hi);
      inWindow.push(...mine);
      if (page.length < PAGE || mine.length < page.length) break;
      from = page[page.length - 1].id + 1;
    }
    found.unshift(...inWindow);
  }
  return { requests: found.slice(-max), next };
}

/** Whether a request state is final. */
export const isClosed = (state) => ['Settled', 'Expired', 'Cancelled'].includes(state.status);

const STEPS = {
  'market.RequestSubmitted': 'submitted',
  'market.Assigned': 'assigned',
  'market.RequestLocked': 'locked',
  'market.ProofSubmitted': 'proof',
  'verifier.VerdictReached': 'verdict',
  'market.RequestSettled': 'settled',
  'market.ProofRejected': 'rejected',
  'market.VerificationUndecided': 'undecided',
  'market.Requeued': 'requeued',
  'market.DeadlineMissed': 'deadline-missed',
  'market.LockMissed': 'lock-missed',
  'market.AssignmentDeclined': 'declined',
  'market.RequestExpired': 'expired',
  'market.BidEvicted': 'evicted',
  'market.RequestCancelled': 'cancelled',
  'market.RequestPruned': 'pruned',
};

/** The timeline steps of request `id` in `block`: [{ step, block, time, event }]. */
export function stepsIn(block, id) {
  const out = [];
  for (const e of block.events) {
    const step = STEPS[`${e.section}.${e.method}`];
    if (step && requestIdOf(e) === id) out.push({ step, block: block.number, time: block.time, event: e });
  }
  return out;
}

/**
 * Scans blocks `from..to` (numbers, inclusive) for the steps of request `id`.
 * Blocks whose state the node no longer keeps are reported in `unavailable`.
 */
export async function scanSteps(chain, id, from, to) {
  const numbers = [];
  for (let n = from; n <= to; n++) numbers.push(n);
  const unavailable = [];
  const perBlock = await mapLimit(numbers, 8, async (n) => {
    try {
      const block = await chain.blockAt(n);
      return block ? stepsIn(block, id) : [];
    } catch (e) {
      if (/discarded|pruned|unknown block|not found/i.test(e.message)) {
        unavailable.push(n);
        return [];
      }
      throw e;
    }
  });
  return { steps: perBlock.flat(), unavailable: unavailable.sort((a, b) => a - b) };
}

/**
 * The proof file of request `id`, settled at block `at`, as `zkmarket request
 * proof` writes it (without its snarkjs conversion):
 * { request, program, kind, prover, inputs, proof }.
 */
export async function proofFile(api, id, at) {
  const p = (await api.rpc.market.proof(id, at)).toJSON();
  const program = await (await api.at(at)).query.verifier.programs(p.program);
  const kind = program.isSome ? program.unwrap().kind.type.toLowerCase() : 'unknown';
  return { request: id, program: p.program, kind, prover: p.prover, inputs: p.inputs, proof: p.proof };
}
