// Display formats: ZK amounts (18 decimals, exact), reputation, times.

export const DECIMALS = 18;
const UNIT = 10n ** BigInt(DECIMALS);

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * An amount in planck (bigint, or a decimal string) as ZK, exact: the
 * integer part grouped by thousands, the fraction without trailing zeros.
 * 3001000000000000000n -> "3.001 ZK".
 */
export function formatZK(planck) {
  const v = BigInt(planck);
  const abs = v < 0n ? -v : v;
  let s = groupThousands((abs / UNIT).toString());
  const frac = abs % UNIT;
  if (frac) s += `.${frac.toString().padStart(DECIMALS, '0').replace(/0+$/, '')}`;
  return `${v < 0n ? '-' : ''}${s} ZK`;
}

/** An amount in planck as a float number of ZK (for charts only). */
export function zkFloat(planck) {
  const v = BigInt(planck);
  return Number(v / UNIT) + Number(v % UNIT) / 1e18;
}

/** Reputation (parts per billion) as a percentage. */
export function formatPerbill(ppb) {
  return `${(Number(ppb) / 1e7).toFixed(1)}%`;
}

/** A UNIX time (seconds) as local time of day, with the date when not today. */
export function formatTime(secs) {
  const d = new Date(Number(secs) * 1000);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

/** Seconds as a short duration: "45 s", "2 min 5 s", "3 h 10 min". */
export function formatDuration(secs) {
  const s = Math.max(0, Math.round(Number(secs)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86400)} d${s % 86400 >= 3600 ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}

/** 0x1234…abcd */
export function shortHex(hex, keep = 6) {
  return hex.length <= 2 + keep * 2 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}
