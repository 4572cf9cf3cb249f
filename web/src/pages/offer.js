// Offer page: the reverse Dutch price curve of an offer over time, with the
// ramp-up, the lock deadline and the timeout marked, and the price now (the
// chain's market_offerPrice at the best block). #/offer lists the open offers.
import { h, replace, amount, account, blockNo, requestLink, table, note } from '../dom.js';
import { formatTime, formatDuration } from '../format.js';
import { offerChart } from '../charts.js';
import { curveOf, curvePoints, lockDeadline, finalDeadline } from '../offer-curve.js';
import { onNewBlocks } from '../live.js';
import { requestAt, openRequests } from '../requests-data.js';
import { stateSummary } from './requests.js';

function lookupForm() {
  const input = h('input', { id: 'offer-id', type: 'number', min: 0, step: 1, inputmode: 'numeric', placeholder: 'id', required: true, 'aria-label': 'Offer request id' });
  return h('form', {
    class: 'lookup',
    onsubmit: (ev) => {
      ev.preventDefault();
      if (input.value !== '') location.hash = `#/offer/${Number(input.value)}`;
    },
  }, h('label', { for: 'offer-id' }, 'Offer'), input, h('button', { type: 'submit' }, 'Show'));
}

function mountList(root, ctx) {
  const listEl = h('div', { id: 'offers-wrap' }, note('Loading…'));
  root.append(h('h1', {}, 'Offers'), lookupForm(), h('h2', {}, 'Open offers'), listEl);
  return onNewBlocks(ctx, async (last, isStopped) => {
    const offers = (await openRequests(ctx.api, last.hash)).requests.filter((r) => r.pricing.type === 'offer').reverse();
    if (isStopped()) return;
    if (!offers.length) {
      replace(listEl, note('No open offer. Look one up by id.'));
      return;
    }
    replace(listEl, table({ id: 'offers' },
      [h('th', {}, 'Offer'), h('th', {}, 'Requester'), h('th', {}, 'Min → max'), h('th', {}, 'Lock deadline'), h('th', {}, 'State')],
      offers.map((r) => {
        const c = curveOf(r.pricing);
        return h('tr', { dataset: { request: r.id } },
          h('td', {}, h('a', { href: `#/offer/${r.id}` }, `#${r.id}`)),
          h('td', {}, account(r.requester)),
          h('td', { class: 'num' }, amount(c.minPrice), ' → ', amount(c.maxPrice)),
          h('td', {}, formatTime(lockDeadline(c))),
          h('td', {}, stateSummary(r.state)));
      })));
  }, 4000);
}

/** The marks of a curve: ramp-up start and end, lock deadline, timeout. */
function marksOf(c) {
  const marks = [{ key: 'ramp-start', x: c.rampUpStart, label: 'ramp-up', row: 0 }];
  if (c.rampUpPeriod > 0) marks.push({ key: 'ramp-end', x: c.rampUpStart + c.rampUpPeriod, label: 'max price', row: 1 });
  marks.push({ key: 'lock-deadline', x: lockDeadline(c), label: 'lock deadline', row: 0, color: '#b45309' });
  marks.push({ key: 'timeout', x: finalDeadline(c), label: 'timeout', row: 1, color: '#b91c1c' });
  return marks;
}

const MARK_TEXT = {
  'ramp-start': 'Ramp-up starts (min price until then)',
  'ramp-end': 'Ramp-up ends (max price from then)',
  'lock-deadline': 'Lock deadline (price 0 after it)',
  timeout: 'Timeout (final deadline)',
};

function mountOne(root, ctx, id) {
  const summaryEl = h('div', {}, note('Loading…'));
  const nowEl = h('p', { class: 'price-now' });
  const chartEl = h('div', { id: 'offer-chart', class: 'chart', role: 'img', 'aria-label': `Price curve of offer ${id}` });
  const marksEl = h('ul', { id: 'offer-marks', class: 'marks' });
  root.append(
    h('p', {}, h('a', { href: '#/offer' }, '← Offers')),
    h('h1', {}, `Offer #${id}`),
    nowEl, chartEl, marksEl, summaryEl);
  let chart = null;
  let curve = null;
  const stop = onNewBlocks(ctx, async (last, isStopped) => {
    const r = await requestAt(ctx.api, id, last.hash);
    if (isStopped()) return; // no chart after the page is left
    if (!r || r.pricing.type !== 'offer') {
      replace(summaryEl, note(r ? `Request ${id} is an auction bid, not an offer: see its request page.` : `Request ${id} does not exist at block #${last.number} (or was pruned).`));
      replace(nowEl);
      return;
    }
    if (!curve) {
      curve = curveOf(r.pricing);
      chart = offerChart(chartEl);
      replace(marksEl, marksOf(curve).map((m) => h('li', { dataset: { mark: m.key, time: m.x } },
        h('strong', {}, formatTime(m.x)), ` ${MARK_TEXT[m.key]}`)));
    }
    // The price at the block's time (what market_offerPrice gives without a time).
    const { price } = (await ctx.api.rpc.market.offerPrice(id, last.time, last.hash)).toJSON();
    if (isStopped()) return;
    const marks = [...marksOf(curve), { key: 'now', x: last.time, label: 'now', row: 2, color: '#dc2626', dash: [] }];
    chart.update(curvePoints(curve), marks);
    replace(nowEl, 'Price now: ',
      h('strong', { id: 'offer-price-now', dataset: { planck: BigInt(price).toString(), block: last.number, time: last.time } }, amount(price)),
      ' at block ', blockNo(last.number), ` (${formatTime(last.time)})`);
    const c = curve;
    const row = (label, ...value) => [h('dt', {}, label), h('dd', {}, value)];
    replace(summaryEl, h('dl', { class: 'summary', id: 'offer-summary' },
      row('Request', requestLink(id)),
      row('State', h('span', { id: 'offer-state', dataset: { status: r.state.status } }, stateSummary(r.state))),
      row('Requester', account(r.requester)),
      row('Min price', amount(c.minPrice)),
      row('Max price', amount(c.maxPrice)),
      row('Ramp-up', `${formatTime(c.rampUpStart)}, over ${formatDuration(c.rampUpPeriod)}`),
      row('Lock deadline', `${formatTime(lockDeadline(c))} (${formatDuration(c.lockTimeout)} after the ramp-up starts)`),
      row('Timeout', `${formatTime(finalDeadline(c))} (${formatDuration(c.timeout)} after the ramp-up starts)`),
      row('Lock collateral', amount(c.lockCollateral)),
      row('Escrow', amount(r.escrow))));
  });
  return () => {
    stop();
    if (chart) chart.destroy();
  };
}

export function mount(root, ctx, route) {
  return route.id === null ? mountList(root, ctx) : mountOne(root, ctx, route.id);
}
