// Market page: the BaseFee over the recent blocks with each block's demand
// and capacity (chart + its data), and the last auctions: per block, the
// winners with their bid, GSP price and assigned prover.
import { h, replace, amount, account, blockNo, requestLink, table, note } from '../dom.js';
import { formatTime } from '../format.js';
import { baseFeeChart } from '../charts.js';

function stat(label, value, id) {
  return h('div', { class: 'stat', id }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
}

function summary(blocks) {
  const last = blocks[blocks.length - 1];
  const cleared = blocks.filter((b) => b.clearing);
  const winners = cleared.reduce((n, b) => n + b.winners.length, 0);
  return [
    stat('Best block', last ? blockNo(last.number) : '—', 'stat-best'),
    stat('BaseFee now', last ? amount(last.baseFee) : '—', 'stat-basefee'),
    stat(`Auctions (last ${blocks.length} blocks)`, String(cleared.length), 'stat-auctions'),
    stat('Winners', String(winners), 'stat-winners'),
  ];
}

function dataTable(blocks) {
  const rows = [...blocks].reverse().map((b) => h('tr', { dataset: { block: b.number } },
    h('td', {}, blockNo(b.number)),
    h('td', {}, b.time ? formatTime(b.time) : '—'), // genesis has no time
    h('td', { class: 'num basefee' }, amount(b.baseFee)),
    h('td', { class: 'num demand' }, b.clearing ? String(b.clearing.demand) : '0'),
    h('td', { class: 'num capacity' }, b.clearing ? String(b.clearing.capacity) : '—')));
  return table({ id: 'basefee-data' },
    [h('th', {}, 'Block'), h('th', {}, 'Time'), h('th', {}, 'BaseFee after the block'), h('th', {}, 'Demand'), h('th', {}, 'Capacity')],
    rows);
}

function auctionsTable(blocks) {
  const cleared = blocks.filter((b) => b.clearing).reverse();
  if (!cleared.length) return note(`No auction was cleared in the last ${blocks.length} blocks (no eligible bid).`);
  const rows = [];
  for (const b of cleared) {
    const c = b.clearing;
    rows.push(h('tr', { class: 'block-row', dataset: { block: b.number } },
      h('th', { colspan: 7, scope: 'rowgroup' },
        blockNo(b.number), ` · ${formatTime(b.time)} · BaseFee `, amount(c.baseFee),
        ` · ${c.demand} eligible bid${c.demand === 1 ? '' : 's'} · ${c.capacity} free slot${c.capacity === 1 ? '' : 's'} · ${c.winners} winner${c.winners === 1 ? '' : 's'}`)));
    for (const w of b.winners) {
      rows.push(h('tr', { class: 'winner', dataset: { block: b.number, request: w.id, rank: w.rank } },
        h('td', { class: 'num' }, String(w.rank + 1)),
        h('td', {}, requestLink(w.id)),
        h('td', { class: 'requester' }, account(w.requester)),
        h('td', { class: 'num bid' }, amount(w.bid)),
        h('td', { class: 'num price' }, amount(w.price)),
        h('td', { class: 'prover' }, account(w.prover)),
        h('td', { class: 'deadline' }, blockNo(w.deadline))));
    }
  }
  return table({ id: 'auctions' },
    [h('th', {}, 'Rank'), h('th', {}, 'Request'), h('th', {}, 'Requester'), h('th', {}, 'Bid'),
      h('th', {}, 'GSP price'), h('th', {}, 'Prover'), h('th', {}, 'Proof due')],
    rows);
}

export function mount(root, ctx) {
  const statsEl = h('div', { class: 'stats', id: 'market-stats' });
  const chartEl = h('div', { id: 'basefee-chart', class: 'chart', role: 'img', 'aria-label': 'BaseFee, demand and capacity per block' });
  const dataEl = h('div');
  const auctionsEl = h('div', { id: 'auctions-wrap' }, note('Loading…'));
  root.append(
    h('h1', {}, 'Market'),
    statsEl,
    h('section', {},
      h('h2', {}, 'BaseFee per block'),
      h('p', { class: 'hint' }, 'BaseFee after each block (line, left axis, ZK); eligible bids (bars) and free proving slots (dashed, where an auction was cleared) on the right axis.'),
      chartEl,
      h('details', { class: 'chart-data' }, h('summary', {}, 'Chart data'), dataEl)),
    h('section', {},
      h('h2', {}, 'Last auctions'),
      h('p', { class: 'hint' }, 'Winners of each block’s GSP auction: winner i pays the next bid plus the BaseFee (the GSP price).'),
      auctionsEl),
  );
  const chart = baseFeeChart(chartEl);
  const unsubscribe = ctx.recent.subscribe((blocks) => {
    replace(statsEl, summary(blocks));
    chart.update(blocks);
    replace(dataEl, dataTable(blocks));
    replace(auctionsEl, auctionsTable(blocks));
  });
  return () => {
    unsubscribe();
    chart.destroy();
  };
}
