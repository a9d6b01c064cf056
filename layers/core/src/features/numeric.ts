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
export function pairwiseSum(values: Float64Array, start = 0, count = values.length - start): number {
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
export function numpyMean(values: Float64Array): number {
  return pairwiseSum(values) / values.length;
}

/** Ranks (0-based positions in ascending order) and weight of NumPy's 'linear' percentile of n values. */
export function percentileRanks(n: number, percent: number): { previous: number; next: number; gamma: number } {
  const quantile = percent / 100;
  // NumPy: n * q + (alpha + q * (1 - alpha - beta)) - 1 with alpha = beta = 1.
  const virtualIndex = n * quantile + (1 + quantile * -1) - 1;
  const floor = Math.floor(virtualIndex);
  const gamma = virtualIndex - floor;
  const previous = Math.min(Math.max(floor, 0), n - 1);
  const next = Math.min(Math.max(floor + 1, 0), n - 1);
  return { previous, next, gamma };
}

/** NumPy's _lerp: interpolates from the nearer end so that the result stays inside [low, high]. */
export function interpolatePercentile(low: number, high: number, gamma: number): number {
  const difference = high - low;
  return gamma >= 0.5 ? high - difference * (1 - gamma) : low + difference * gamma;
}

/** Percentile of ascending-sorted values with NumPy's default 'linear' method. */
export function sortedPercentile(sorted: ArrayLike<number>, percent: number): number {
  const { previous, next, gamma } = percentileRanks(sorted.length, percent);
  return interpolatePercentile(sorted[previous], sorted[next], gamma);
}

/**
 * Rearranges `values` so that each listed rank has the value it would have after sorting (quickselect),
 * which costs a few passes instead of a full sort. `ranks` must be ascending. The middle rank is selected
 * first and the ranks below and above it are then selected inside the two sides only, so k ranks cost about
 * log₂ k passes instead of k; a rank right after a selected one is the minimum of the side above it.
 */
export function selectRanks(values: Float64Array, ranks: readonly number[]): void {
  selectRankRange(values, 0, values.length - 1, ranks, 0, ranks.length - 1);
}

function selectRankRange(values: Float64Array, low: number, high: number, ranks: readonly number[], first: number, last: number): void {
  while (first <= last && ranks[first] < low) first++;
  while (last >= first && ranks[last] > high) last--;
  if (first > last || low >= high) return;
  const middle = (first + last) >>> 1;
  const rank = ranks[middle];
  selectRank(values, low, high, rank);
  let below = middle - 1;
  let above = middle + 1;
  // Consecutive ranks after the selected one: each is the minimum of what lies above the previous.
  let selected = rank;
  while (above <= last && ranks[above] === selected + 1 && selected + 1 <= high) {
    moveMinimumTo(values, selected + 1, high);
    selected++;
    above++;
  }
  while (below >= first && ranks[below] === rank) below--;
  selectRankRange(values, low, rank - 1, ranks, first, below);
  selectRankRange(values, selected + 1, high, ranks, above, last);
}

/** Swaps the smallest of values[start .. end] into values[start]. */
function moveMinimumTo(values: Float64Array, start: number, end: number): void {
  let at = start;
  let minimum = values[start];
  for (let i = start + 1; i <= end; i++) {
    if (values[i] < minimum) {
      minimum = values[i];
      at = i;
    }
  }
  values[at] = values[start];
  values[start] = minimum;
}

function selectRank(values: Float64Array, low: number, high: number, rank: number): void {
  while (high > low) {
    // Median of three as pivot keeps sorted and constant runs linear.
    const middle = (low + high) >>> 1;
    const a = values[low];
    const b = values[middle];
    const c = values[high];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (rank <= j) high = j;
    else if (rank >= i) low = i;
    else return;
  }
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
