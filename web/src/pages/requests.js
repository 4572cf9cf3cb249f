// Requests page: the open requests and a lookup by id (#/requests), and one
// request (#/requests/ID) with its timeline (queued, assigned, proof
// submitted, verdict, settled or expired, with block numbers) and, once
// settled, the download of its proof.
import { h, replace, amount, account, blockNo, requestLink, table, note } from '../dom.js';
import { formatTime, shortHex } from '../format.js';
import { onNewBlocks } from '../live.js';
import { requestAt, openRequests, isClosed, scanSteps, proofFile } from '../requests-data.js';

// Blocks of events a timeline reads at most: below the 256 blocks of state
// a node keeps by default (an archive node keeps them all).
const MAX_SCAN = 240;
const REFRESH_MS = 4000;

export function pricingSummary(pricing) {
  if (pricing.type === 'auction') return ['bid ', amount(pricing.bid), ' + BaseFee (max ', amount(pricing.maxBaseFee), ')'];
  return ['offer ', amount(pricing.minPrice), ' → ', amount(pricing.maxPrice)];
}

export function stateSummary(state) {
  const badge = h('span', { class: `status status-${state.status.toLowerCase()}` }, state.status);
  switch (state.status) {
    case 'Assigned': return [badge, ' to ', account(state.prover), ' at ', amount(state.price), ', due ', blockNo(state.deadline)];
    case 'Locked': return [badge, ' by ', account(state.prover), ' at ', amount(state.price)];
    case 'BountyOpen': return [badge, ' bounty ', amount(state.bounty)];
    case 'ProofSubmitted': return [badge, ' by ', account(state.prover)];
    case 'Settled': return [badge, ' ', account(state.prover), ' paid ', amount(state.paid)];
    default: return [badge];
  }
}

// ---- #/requests ----------------------------------------------------------

function lookupForm() {
  const input = h('input', { id: 'request-id', type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'id', required: true, 'aria-label': 'Request id' });
  return h('form', {
    class: 'lookup',
    onsubmit: (ev) => {
      ev.preventDefault();
      if (input.value !== '') location.hash = `#/requests/${Number(input.value)}`;
    },
  }, h('label', { for: 'request-id' }, 'Request'), input, h('button', { type: 'submit' }, 'Show'));
}

function openTable(list) {
  if (!list.length) return note('No open request.');
  const rows = [...list].reverse().map((r) => h('tr', { dataset: { request: r.id } },
    h('td', {}, requestLink(r.id)),
    h('td', {}, r.pricing.type),
    h('td', {}, account(r.requester)),
    h('td', { class: 'num' }, pricingSummary(r.pricing)),
    h('td', {}, stateSummary(r.state)),
    h('td', {}, blockNo(r.submittedAt))));
  return table({ id: 'open-requests' },
    [h('th', {}, 'Request'), h('th', {}, 'Type'), h('th', {}, 'Requester'), h('th', {}, 'Price'), h('th', {}, 'State'), h('th', {}, 'Submitted')],
    rows);
}

function mountList(root, ctx) {
  const listEl = h('div', { id: 'open-requests-wrap' }, note('Loading…'));
  const countEl = h('p', { class: 'hint' });
  root.append(h('h1', {}, 'Requests'), lookupForm(), h('h2', {}, 'Open requests'), countEl, listEl);
  return onNewBlocks(ctx, async (last, isStopped) => {
    const { requests, next } = await openRequests(ctx.api, last.hash);
    if (isStopped()) return;
    replace(countEl, `${requests.length} open at block #${last.number} (newest first; ${next} requests so far).`);
    replace(listEl, openTable(requests));
  }, REFRESH_MS);
}

// ---- #/requests/ID -------------------------------------------------------

function stepView(s, pricing) {
  const e = s.event;
  const what = {
    submitted: () => [
      ...(pricing.type === 'auction' ? ['Queued: ', account(e.requester), ' bid ', amount(pricing.bid)] : ['Open: offer by ', account(e.requester)]),
      ...(e.escrow === undefined ? [] : [', escrow ', amount(e.escrow)]),
    ],
    assigned: () => ['Assigned to ', account(e.prover), ' at ', amount(e.price), ` (rank ${e.rank + 1}), proof due by `, blockNo(e.deadline)],
    locked: () => ['Locked by ', account(e.prover), ' at ', amount(e.price), ', collateral ', amount(e.collateral)],
    proof: () => ['Proof submitted by ', account(e.prover)],
    verdict: () => [`Verdict: ${e.valid ? 'valid' : 'invalid'} (proof ${e.proof} of `, account(e.prover), ')'],
    settled: () => ['Settled: ', account(e.prover), ' paid ', amount(e.paid), ', refund ', amount(e.refund)],
    rejected: () => ['Proof rejected: ', account(e.prover), ' slashed ', amount(e.slashed)],
    undecided: () => ['No verdict in time: back to the market (no slash)'],
    requeued: () => ['Back in the auction queue'],
    'deadline-missed': () => ['Deadline missed: ', account(e.prover), ' slashed ', amount(e.slashed)],
    'lock-missed': () => ['Lock deadline missed: ', account(e.prover), ' forfeited ', amount(e.collateral), ', bounty ', amount(e.bounty)],
    declined: () => ['Assignment given back by ', account(e.prover)],
    expired: () => ['Expired: refund ', amount(e.refund)],
    evicted: () => ['Evicted from the full queue by ', requestLink(e.by), ': refund ', amount(e.refund)],
    cancelled: () => ['Cancelled: refund ', amount(e.refund)],
    pruned: () => ['Removed from storage'],
  }[s.step];
  const name = s.step === 'submitted' ? (pricing.type === 'auction' ? 'queued' : 'open') : s.step;
  return h('li', { class: `step step-${name}`, dataset: { step: name, block: s.block } },
    h('span', { class: 'step-when' }, blockNo(s.block), s.time ? ` ${formatTime(s.time)}` : ''),
    h('span', { class: 'step-what' }, what ? what() : s.step));
}

function summaryList(r) {
  const row = (label, ...value) => [h('dt', {}, label), h('dd', {}, value)];
  return h('dl', { class: 'summary', id: 'request-summary' },
    row('State', h('span', { id: 'request-state', dataset: { status: r.state.status } }, stateSummary(r.state))),
    row('Requester', account(r.requester)),
    row('Pricing', pricingSummary(r.pricing)),
    row('Escrow', amount(r.escrow)),
    row('Program', h('code', { title: r.program }, shortHex(r.program))),
    row('Inputs', r.inputs.map((i) => h('code', { title: i, class: 'input' }, shortHex(i)))),
    row('Submitted', blockNo(r.submittedAt)),
    r.pricing.type === 'auction' ? row('Expires', 'at ', blockNo(r.expiresAt)) : row('Price curve', h('a', { href: `#/offer/${r.id}` }, 'offer page')));
}

function mountOne(root, ctx, id) {
  const summaryEl = h('div', {}, note('Loading…'));
  const timelineEl = h('ol', { id: 'request-timeline', class: 'timeline' });
  const scanEl = h('p', { class: 'hint', id: 'timeline-scan' });
  const proofEl = h('div', { id: 'proof-wrap' });
  root.append(
    h('p', {}, h('a', { href: '#/requests' }, '← Requests')),
    h('h1', {}, `Request #${id}`),
    summaryEl,
    h('h2', {}, 'Timeline'), scanEl, timelineEl,
    h('h2', {}, 'Proof'), proofEl);
  let request = null;
  let scannedTo = null; // last block scanned
  let scannedFrom = null;
  const gaps = [];
  const steps = [];
  let proofUrl = null;

  const showProof = async (at, isStopped) => {
    if (proofUrl || request.state.status !== 'Settled') {
      if (!proofUrl) replace(proofEl, note(isClosed(request.state) ? 'Closed without a proof.' : 'Not settled yet.'));
      return;
    }
    const file = await proofFile(ctx.api, id, at);
    if (isStopped()) return; // no blob URL after the page is left (its cleanup has run)
    proofUrl = URL.createObjectURL(new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: 'application/json' }));
    replace(proofEl,
      h('p', {}, `Verified proof by `, account(file.prover), ` (${file.kind} program, ${(file.proof.length - 2) / 2} bytes).`),
      h('a', { id: 'proof-download', class: 'button', href: proofUrl, download: `proof-${id}.json` }, `Download proof-${id}.json`));
  };

  const stop = onNewBlocks(ctx, async (last, isStopped) => {
    if (request && isClosed(request.state) && scannedTo !== null && steps.some((s) => ['settled', 'expired', 'evicted', 'cancelled'].includes(s.step))) return;
    const r = await requestAt(ctx.api, id, last.hash);
    if (isStopped()) return;
    if (!r) {
      replace(summaryEl, note(`Request ${id} does not exist at block #${last.number} (or was pruned after its retention period).`));
      return;
    }
    request = r;
    replace(summaryEl, summaryList(r));
    const from = scannedTo === null ? Math.max(r.submittedAt, last.number - MAX_SCAN + 1) : scannedTo + 1;
    if (scannedFrom === null) scannedFrom = from;
    if (from <= last.number) {
      const found = await scanSteps(ctx.chain, id, from, last.number);
      if (isStopped()) return;
      steps.push(...found.steps);
      gaps.push(...found.unavailable);
      scannedTo = last.number;
    }
    const shown = [...steps];
    if (scannedFrom > r.submittedAt) shown.unshift({ step: 'submitted', block: r.submittedAt, time: null, event: { requester: r.requester } });
    replace(timelineEl, shown.map((s) => stepView(s, r.pricing)));
    const notes = [`Events of blocks #${scannedFrom}–#${scannedTo}.`];
    if (scannedFrom > r.submittedAt) notes.push(`Blocks before #${scannedFrom} not read.`);
    if (gaps.length) notes.push(`${gaps.length} block(s) no longer kept by the node (from #${gaps[0]}); run it with --state-pruning archive for older history.`);
    replace(scanEl, notes.join(' '));
    await showProof(last.hash, isStopped);
  });
  return () => {
    stop();
    if (proofUrl) URL.revokeObjectURL(proofUrl);
  };
}

export function mount(root, ctx, route) {
  return route.id === null ? mountList(root, ctx) : mountOne(root, ctx, route.id);
}

