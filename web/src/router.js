// Hash routes (the `?rpc=` query stays untouched):
//   #/market  #/requests  #/requests/ID  #/provers  #/offer  #/offer/ID

export const PAGES = ['market', 'requests', 'provers', 'offer'];

/** { page, id } of a location hash; unknown routes go to the Market page. */
export function parseRoute(hash) {
  const [page, id] = hash.replace(/^#\/?/, '').split('/');
  const known = PAGES.includes(page) ? page : 'market';
  const n = /^\d+$/.test(id ?? '') ? Number(id) : null;
  return { page: known, id: n };
}
