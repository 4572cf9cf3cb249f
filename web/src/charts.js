// uPlot charts: the BaseFee per block (with demand and capacity) and an
// offer's price curve (with its deadlines marked). Both follow their
// container's width (phones too).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatZK, formatTime } from './format.js';

const COLORS = { fee: '#2563eb', demand: '#d97706', capacity: '#059669', price: '#7c3aed', mark: '#64748b', now: '#dc2626' };

/** A short axis label for a float amount of ZK. */
function shortZK(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  return Number(v.toPrecision(3)).toString();
}

/** A time axis tick: 09:41 on whole minutes, else 09:41:30 (local time). */
function clock(secs) {
  const d = new Date(secs * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${d.getSeconds() ? `:${pad(d.getSeconds())}` : ''}`;
}

function chartHeight(width) {
  return width < 480 ? 220 : 280;
}

/** Creates a uPlot in `el` that resizes with it; returns the chart. */
function responsive(el, opts, data) {
  const width = Math.max(240, el.clientWidth || 600);
  const chart = new uPlot({ ...opts, width, height: chartHeight(width) }, data, el);
  const ro = new ResizeObserver(() => {
    const w = Math.max(240, el.clientWidth);
    if (w !== chart.width) chart.setSize({ width: w, height: chartHeight(w) });
  });
  ro.observe(el);
  const destroy = chart.destroy.bind(chart);
  chart.destroy = () => { ro.disconnect(); destroy(); };
  return chart;
}

/**
 * The BaseFee chart: x = block number; BaseFee (after the block, ZK) on the
 * left axis, the block's demand (eligible bids, bars) and capacity (free
 * slots, where an auction was cleared) on the right axis.
 */
export function baseFeeChart(el) {
  let fees = [];
  const opts = {
    class: 'basefee-chart',
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false },
      fee: { range: (u, min, max) => (min === max ? [min * 0.9, max * 1.1 || 1] : [Math.max(0, min - (max - min) * 0.1), max + (max - min) * 0.1]) },
      count: { range: (u, min, max) => [0, Math.max(4, (max ?? 0) + 1)] },
    },
    axes: [
      { values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? `#${v}` : '')) },
      { scale: 'fee', label: 'BaseFee (ZK)', labelSize: 20, size: 60, values: (u, vals) => vals.map(shortZK) },
      { scale: 'count', label: 'bids / slots', labelSize: 20, side: 1, size: 36, grid: { show: false }, values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? v : '')) },
    ],
    series: [
      { label: 'block', value: (u, v) => (v == null ? '—' : `#${v}`) },
      {
        label: 'BaseFee', scale: 'fee', stroke: COLORS.fee, width: 2, points: { show: true, size: 5, fill: COLORS.fee },
        value: (u, v, si, i) => (i == null || fees[i] === undefined ? '—' : formatZK(fees[i])),
      },
      {
        label: 'demand', scale: 'count', stroke: COLORS.demand, fill: 'rgba(217,119,6,0.3)', width: 1,
        paths: uPlot.paths.bars({ size: [0.5, 24] }), points: { show: false }, value: (u, v, si, i) => (i == null ? '—' : (v ?? 0)),
      },
      {
        label: 'capacity', scale: 'count', stroke: COLORS.capacity, width: 2, dash: [5, 4], spanGaps: false,
        points: { show: true, size: 4, fill: COLORS.capacity }, value: (u, v) => (v == null ? '—' : v),
      },
    ],
  };
  const chart = responsive(el, opts, [[], [], [], []]);
  return {
    chart,
    /** blocks: [{ number, baseFee, clearing }] oldest first. */
    update(blocks) {
      fees = blocks.map((b) => b.baseFee);
      chart.setData([
        blocks.map((b) => b.number),
        blocks.map((b) => Number(b.baseFee) / 1e18),
        blocks.map((b) => (b.clearing ? b.clearing.demand : null)), // no auction: demand 0, no bar
        blocks.map((b) => (b.clearing ? b.clearing.capacity : null)),
      ]);
      el.dataset.points = String(blocks.length);
      el.dataset.first = blocks.length ? String(blocks[0].number) : '';
      el.dataset.last = blocks.length ? String(blocks[blocks.length - 1].number) : '';
    },
    destroy: () => chart.destroy(),
  };
}

/** A uPlot plugin drawing labelled vertical lines at x values. */
function marksPlugin(getMarks) {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
        for (const m of getMarks()) {
          const x = Math.round(u.valToPos(m.x, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.color ?? COLORS.mark;
          ctx.fillStyle = m.color ?? COLORS.mark;
          ctx.lineWidth = devicePixelRatio;
          ctx.setLineDash(m.dash ?? [4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.textAlign = x > u.bbox.left + u.bbox.width * 0.8 ? 'right' : 'left';
          ctx.fillText(m.label, x + (ctx.textAlign === 'right' ? -3 : 3) * devicePixelRatio, top + (m.row ?? 0) * 13 * devicePixelRatio + 11 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

/**
 * An offer's price curve: x = UNIX time, y = price (ZK); vertical marks
 * [{ x, label, color? }] (ramp-up, lock deadline, timeout, now).
 */
export function offerChart(el) {
  let marks = [];
  let prices = [];
  const opts = {
    class: 'offer-chart',
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, price: { range: (u, min, max) => [0, (max || 1) * 1.1] } },
    axes: [
      { space: 70, values: (u, vals) => vals.map(clock) },
      { scale: 'price', label: 'price (ZK)', labelSize: 20, size: 60, values: (u, vals) => vals.map(shortZK) },
    ],
    series: [
      { label: 'time', value: (u, v) => (v == null ? '—' : formatTime(v)) },
      {
        label: 'price', scale: 'price', stroke: COLORS.price, width: 2, fill: 'rgba(124,58,237,0.08)',
        points: { show: false }, value: (u, v, si, i) => (i == null || prices[i] === undefined ? '—' : formatZK(prices[i])),
      },
    ],
    plugins: [marksPlugin(() => marks)],
  };
  const chart = responsive(el, opts, [[], []]);
  return {
    chart,
    /** points: [{ t, price (bigint) }]; newMarks: [{ x, label, color? }]. */
    update(points, newMarks) {
      marks = newMarks;
      prices = points.map((p) => p.price);
      chart.setData([points.map((p) => p.t), points.map((p) => Number(p.price) / 1e18)]);
      el.dataset.points = String(points.length);
      el.dataset.curve = JSON.stringify(points.map((p) => [p.t, String(p.price)])); // [[t, planck]], for tests and tools
    },
    destroy: () => chart.destroy(),
  };
}
