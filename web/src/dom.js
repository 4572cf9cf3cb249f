// A tiny DOM builder and the elements every page uses (amounts, accounts,
// block numbers, request links, tables).
import { formatZK } from './format.js';
import { accountLabel } from './accounts.js';

/**
 * h('a', { href: '#/x', class: 'y', dataset: { id: 3 }, onclick: fn }, 'text', child)
 * Attributes: `class`, `dataset`, `on*` handlers, booleans, everything else
 * as an attribute; null/undefined/false children are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An amount in ZK; the exact planck value in `data-planck`. */
export function amount(planck) {
  const v = BigInt(planck);
  return h('span', { class: 'amount', dataset: { planck: v.toString() }, title: `${v} planck` }, formatZK(v));
}

/** An account: its dev name or short address, the full address as title. */
export function account(ss58) {
  if (!ss58) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'account', title: ss58, dataset: { account: ss58 } }, accountLabel(ss58));
}

/** A block number as #123. */
export function blockNo(n) {
  return h('span', { class: 'block-no', dataset: { block: n } }, `#${n}`);
}

/** A link to a request's page. */
export function requestLink(id) {
  return h('a', { href: `#/requests/${id}`, class: 'request-link' }, `#${id}`);
}

/** A table in a horizontally scrolling wrapper (phones). */
export function table(attrs, head, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
}

/** A short note in a page (loading, empty, errors). */
export function note(text, kind = 'info') {
  return h('p', { class: `note note-${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}
