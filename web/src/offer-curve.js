// The reverse Dutch price curve of an offer, as primitives/market/src/dutch.rs
// computes it (BigInt, rounded down). Times are UNIX seconds; the durations
// count from rampUpStart; deadlines are inclusive.

/** The curve of a request's `pricing` JSON (market_request). */
export function curveOf(pricing) {
  return {
    minPrice: BigInt(pricing.minPrice),
    maxPrice: BigInt(pricing.maxPrice),
    rampUpStart: Number(pricing.rampUpStart),
    rampUpPeriod: Number(pricing.rampUpPeriod),
    lockTimeout: Number(pricing.lockTimeout),
    timeout: Number(pricing.timeout),
    lockCollateral: BigInt(pricing.lockCollateral),
  };
}

export const lockDeadline = (c) => c.rampUpStart + c.lockTimeout;
export const finalDeadline = (c) => c.rampUpStart + c.timeout;

/**
 * Price at time t: minPrice until rampUpStart; then linear to maxPrice over
 * rampUpPeriod (rounded down); maxPrice until the lock deadline (inclusive);
 * 0 after it.
 */
export function priceAt(c, t) {
  if (t > lockDeadline(c)) return 0n;
  if (t <= c.rampUpStart) return c.minPrice;
  const elapsed = t - c.rampUpStart;
  const top = c.maxPrice > c.minPrice ? c.maxPrice : c.minPrice;
  if (elapsed >= c.rampUpPeriod) return top;
  const rise = c.maxPrice > c.minPrice ? c.maxPrice - c.minPrice : 0n;
  return c.minPrice + (rise * BigInt(elapsed)) / BigInt(c.rampUpPeriod);
}

/**
 * Points of the curve to draw from a little before the ramp-up to a little
 * after the final deadline: every breakpoint plus ~`samples` steps.
 */
export function curvePoints(c, samples = 120) {
  const end = finalDeadline(c);
  const pad = Math.max(5, Math.round((end - c.rampUpStart) * 0.08));
  const from = c.rampUpStart - pad;
  const to = end + pad;
  const ts = new Set([from, c.rampUpStart, c.rampUpStart + c.rampUpPeriod, lockDeadline(c), lockDeadline(c) + 1, end, to]);
  const step = Math.max(1, Math.floor((to - from) / samples));
  for (let t = from; t <= to; t += step) ts.add(t);
  return [...ts].sort((a, b) => a - b).map((t) => ({ t, price: priceAt(c, t) }));
}
