// Provers page: every registered prover (up to MAX_PROVERS) with its stake,
// effective stake (pending idle decay applied), collateral, reputation, open
// jobs, verified proofs and failures; sortable by any column.
import { h, replace, amount, account, table, note } from '../dom.js';
import { formatPerbill } from '../format.js';
import { accountLabel } from '../accounts.js';
import { mapLimit } from '../recent-blocks.js';
import { onNewBlocks } from '../live.js';

const MAX_PROVERS = 500;
const PAGE_SIZE = 100;

const COLUMNS = [
  { key: 'who', label: 'Prover', value: (p) => accountLabel(p.who).toLowerCase(), cell: (p) => account(p.who) },
  { key: 'stake', label: 'Stake', num: true, value: (p) => p.stake, cell: (p) => amount(p.stake) },
  { key: 'effectiveStake', label: 'Effective stake', num: true, value: (p) => p.effectiveStake, cell: (p) => amount(p.effectiveStake) },
  { key: 'collateral', label: 'Collateral', num: true, value: (p) => p.collateral, cell: (p) => amount(p.collateral) },
  { key: 'reputation', label: 'Reputation', num: true, value: (p) => p.reputation, cell: (p) => formatPerbill(p.reputation) },
  { key: 'jobs', label: 'Jobs', num: true, value: (p) => p.jobs, cell: (p) => String(p.jobs) },
  { key: 'proofs', label: 'Proofs', num: true, value: (p) => p.proofs, cell: (p) => String(p.proofs) },
  { key: 'failures', label: 'Failures', num: true, value: (p) => p.failures, cell: (p) => String(p.failures) },
  {
    key: 'status', label: 'Status', value: (p) => p.status,
    cell: (p) => h('span', { class: `status status-${p.status}` }, p.status),
  },
];

/** The registered provers (at most MAX_PROVERS) at block `hash`. */
async function loadProvers(api, hash) {
  const at = await api.at(hash);
  const entries = [];
  let startKey;
  while (entries.length < MAX_PROVERS) {
    const page = await at.query.provers.provers.entriesPaged({ args: [], pageSize: PAGE_SIZE, startKey });
    entries.push(...page);
    if (page.length < PAGE_SIZE) break;
    startKey = page[page.length - 1][0].toHex();
  }
  return mapLimit(entries.slice(0, MAX_PROVERS), 8, async ([key, value]) => {
    const who = key.args[0].toString();
    const info = value.unwrap();
    const view = (await api.rpc.market.prover(who, hash)).toJSON();
    const paused = info.status.isPaused;
    return {
      who,
      stake: info.stake.toBigInt(),
      effectiveStake: BigInt(view.effectiveStake),
      collateral: info.collateral.toBigInt(),
      reputation: info.reputation.toNumber(),
      jobs: info.activeJobs.toNumber(),
      proofs: info.proofsVerified.toNumber(),
      failures: info.failures.toNumber(),
      status: paused ? 'paused' : view.eligible ? 'eligible' : 'ineligible',
    };
  });
}

function compare(a, b) {
  if (typeof a === 'string') return a.localeCompare(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function mount(root, ctx) {
  const sort = { key: 'effectiveStake', desc: true };
  let provers = [];
  let atBlock = null;
  const countEl = h('p', { class: 'hint' });
  const tableEl = h('div', { id: 'provers-wrap' }, note('Loading…'));
  root.append(h('h1', {}, 'Provers'), countEl, tableEl);

  const render = () => {
    if (!provers.length) {
      replace(tableEl, note('No registered prover.'));
      return;
    }
    const col = COLUMNS.find((c) => c.key === sort.key);
    const sorted = [...provers].sort((a, b) => (sort.desc ? -1 : 1) * compare(col.value(a), col.value(b)) || compare(a.who, b.who));
    const head = COLUMNS.map((c) => h('th', {
      class: c.num ? 'num' : null,
      'aria-sort': c.key === sort.key ? (sort.desc ? 'descending' : 'ascending') : 'none',
    }, h('button', {
      type: 'button', class: 'sort', dataset: { sort: c.key },
      onclick: () => {
        sort.desc = sort.key === c.key ? !sort.desc : c.num === true;
        sort.key = c.key;
        render();
      },
    }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, c.key === sort.key ? (sort.desc ? ' ▼' : ' ▲') : ''))));
    const rows = sorted.map((p) => h('tr', { dataset: { prover: p.who } },
      COLUMNS.map((c) => h('td', { class: c.num ? 'num' : null, dataset: { col: c.key } }, c.cell(p)))));
    replace(tableEl, table({ id: 'provers', dataset: { block: atBlock } }, head, rows));
  };

  return onNewBlocks(ctx, async (last, isStopped) => {
    const loaded = await loadProvers(ctx.api, last.hash);
    if (isStopped()) return;
    provers = loaded;
    atBlock = last.number;
    replace(countEl, `${provers.length} registered prover${provers.length === 1 ? '' : 's'} at block #${last.number}${provers.length >= MAX_PROVERS ? ` (the first ${MAX_PROVERS})` : ''}. Click a column to sort.`);
    render();
  }, 6000);
}
