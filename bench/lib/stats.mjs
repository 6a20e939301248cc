// @ts-check
/** Small statistics helpers shared by the benchmarks. */

/**
 * The median of some numbers (the mean of the two middle ones for an even count).
 *
 * @param {readonly number[]} values - at least one number.
 * @returns {number}
 */
export function median(values) {
  if (values.length === 0) throw new Error('median() of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/**
 * Median, minimum and maximum of some numbers.
 *
 * @param {readonly number[]} values - at least one number.
 * @returns {{ median: number, min: number, max: number }}
 */
export function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Rounds to a number of decimals, so tables and JSON show the same figures.
 *
 * @param {number} value
 * @param {number} [decimals] - default 1.
 * @returns {number}
 */
export function round(value, decimals = 1) {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * The `p`-th percentile of some numbers (nearest rank).
 *
 * @param {readonly number[]} values - at least one number.
 * @param {number} p - from 0 to 100.
 * @returns {number}
 */
export function percentile(values, p) {
  if (values.length === 0) throw new Error('percentile() of no values');
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
