/**
 * Numeric helpers that reproduce NumPy's floating-point behaviour where PyRadiomics relies on it, so that
 * sums, means and percentiles agree with PyRadiomics to the last few bits rather than only approximately.
 */

/** NumPy's `spacing(1)`: the gap between 1 and the next double. PyRadiomics adds it inside every log2. */
export const EPSILON = 2.220446049250313e-16;

/** Block size below which NumPy's pairwise summation switches to an unrolled loop of 8 accumulators. */
const PAIRWISE_BLOCK = 128;

/**
 * Sums `values[start .. start + count)` in the order NumPy's pairwise summation uses for a contiguous float64
 * array (`np.sum`, `np.mean`), so that rounding matches NumPy.
 */
export function pairwiseSum(values: ArrayLike<number>, start = 0, count = values.length - start): number {
  if (count < 8) {
    let total = 0;
    for (let i = 0; i < count; i++) total += values[start + i];
    return total;
  }
  if (count <= PAIRWISE_BLOCK) {
    let r0 = values[start];
    let r1 = values[start + 1];
    let r2 = values[start + 2];
    let r3 = values[start + 3];
    let r4 = values[start + 4];
    let r5 = values[start + 5];
    let r6 = values[start + 6];
    let r7 = values[start + 7];
    const unrolledEnd = count - (count % 8);
    let i = 8;
    for (; i < unrolledEnd; i += 8) {
      const at = start + i;
      r0 += values[at];
      r1 += values[at + 1];
      r2 += values[at + 2];
      r3 += values[at + 3];
      r4 += values[at + 4];
      r5 += values[at + 5];
      r6 += values[at + 6];
      r7 += values[at + 7];
    }
    let total = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < count; i++) total += values[start + i];
    return total;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/** Mean as `np.mean` computes it: pairwise sum divided by the count. */
export function numpyMean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

/**
 * Percentile of ascending-sorted values with NumPy's default 'linear' method, including NumPy's
 * virtual-index arithmetic and its two-sided interpolation formula.
 */
export function sortedPercentile(sorted: ArrayLike<number>, percent: number): number {
  const n = sorted.length;
  const quantile = percent / 100;
  // NumPy: n * q + (alpha + q * (1 - alpha - beta)) - 1 with alpha = beta = 1.
  const virtualIndex = n * quantile + (1 + quantile * -1) - 1;
  let previous = Math.floor(virtualIndex);
  let next = previous + 1;
  const gamma = virtualIndex - previous;
  if (previous < 0) previous = 0;
  if (previous > n - 1) previous = n - 1;
  if (next > n - 1) next = n - 1;
  if (next < 0) next = 0;
  const low = sorted[previous];
  const high = sorted[next];
  const difference = high - low;
  // NumPy's _lerp evaluates from the nearer end to keep the result inside [low, high].
  return gamma >= 0.5 ? high - difference * (1 - gamma) : low + difference * gamma;
}

/** Median as `np.median`: the middle value, or the mean of the two middle values. */
export function sortedMedian(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const middle = n >> 1;
  return n % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Python's float modulo: the result takes the sign of the divisor. */
export function pythonModulo(value: number, divisor: number): number {
  let remainder = value % divisor;
  if (remainder !== 0 && remainder < 0 !== divisor < 0) remainder += divisor;
  return remainder;
}

/** Mean of the finite entries, as `np.nanmean`; NaN when there is none. */
export function nanMean(values: ArrayLike<number>): number {
  let total = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isNaN(value)) {
      total += value;
      count++;
    }
  }
  return count === 0 ? Number.NaN : total / count;
}
