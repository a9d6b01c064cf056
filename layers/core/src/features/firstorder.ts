/**
 * First-order (intensity) features, PyRadiomics definitions.
 *
 * X are the N_p ROI intensities (not discretised), c = `voxelArrayShift` (default 0), V the voxel volume,
 * m_k = (1/N_p) Σ (X − X̄)^k, P_q the q-th percentile (NumPy 'linear' interpolation) and p(i) the fraction of
 * voxels in grey level bin i after discretisation. IBSI codes in brackets; "IS" marks IBSI's intensity-based
 * statistics family, "IH" its intensity-histogram family.
 *
 * - Energy = Σ (X + c)² (IS N8CA; equal for c = 0). TotalEnergy = V · Energy (no IBSI equivalent).
 * - Entropy = −Σ p(i) log₂(p(i) + ε) (IH TLU2). Uniformity = Σ p(i)² (IH BJ5W).
 * - Minimum (1GSF), 10Percentile (QG58), 90Percentile (8DWT), Maximum (84IY), Mean (Q4LE),
 *   Median (Y12H), InterquartileRange = P75 − P25 (SALO), Range = max − min (2OJQ).
 * - MeanAbsoluteDeviation = mean |X − X̄| (4FUA).
 * - RobustMeanAbsoluteDeviation = mean |X' − X̄'| over X' = the values in [P10, P90] (1128).
 * - RootMeanSquared = √(Σ (X + c)² / N_p) (5ZWQ; equal for c = 0).
 * - Skewness = m₃ / m₂^1.5, 0 when m₂ = 0 (KE2A).
 * - Kurtosis = m₄ / m₂², 0 when m₂ = 0 (IS IPH6 + 3: PyRadiomics reports plain, IBSI excess kurtosis).
 * - Variance = m₂ (ECT3). StandardDeviation = √m₂ (deprecated; computed only when requested by name).
 */
import { EPSILON, interpolatePercentile, pairwiseSum, percentileRanks, selectRanks } from './numeric';
import type { Discretisation } from './discretisation';
import { scratchFloat64 } from '../scratch';

export const FIRST_ORDER_FEATURE_NAMES = [
  '10Percentile',
  '90Percentile',
  'Energy',
  'Entropy',
  'InterquartileRange',
  'Kurtosis',
  'Maximum',
  'MeanAbsoluteDeviation',
  'Mean',
  'Median',
  'Minimum',
  'Range',
  'RobustMeanAbsoluteDeviation',
  'RootMeanSquared',
  'Skewness',
  'TotalEnergy',
  'Uniformity',
  'Variance',
] as const;

/** Deprecated first-order features, computed only when named in the settings. */
export const FIRST_ORDER_DEPRECATED_NAMES = ['StandardDeviation'] as const;

export type FirstOrderFeatureName = (typeof FIRST_ORDER_FEATURE_NAMES)[number] | (typeof FIRST_ORDER_DEPRECATED_NAMES)[number];

export interface FirstOrderSettings {
  /** Constant added to intensities before Energy, TotalEnergy and RootMeanSquared (default 0). */
  readonly voxelArrayShift?: number;
}

/**
 * Computes the first-order features from the ROI intensities in scan order, their discretisation and the
 * voxel spacing in mm.
 */
export function computeFirstOrder(
  values: Float64Array,
  discretisation: Discretisation,
  spacing: readonly number[],
  settings: FirstOrderSettings = {},
): Record<FirstOrderFeatureName, number> {
  const count = values.length;
  const shift = settings.voxelArrayShift ?? 0;
  const scratch = scratchFloat64('first-order-terms', count);

  // Each sum is NumPy's pairwise sum over an array of terms. The loops that write the terms are small functions of
  // their own. As loops of this function, which runs once per image type, V8 compiled them on the fly and threw
  // the code away at the next call after them, six times in the first extractions of a process.
  writeShiftedSquares(values, shift, scratch);
  const energy = pairwiseSum(scratch);

  const mean = pairwiseSum(values) / count;
  writeDeviationTerms(values, mean, 'absolute', scratch);
  const meanAbsoluteDeviation = pairwiseSum(scratch) / count;
  writeDeviationTerms(values, mean, 'square', scratch);
  const m2 = pairwiseSum(scratch) / count;
  writeDeviationTerms(values, mean, 'cube', scratch);
  const m3 = pairwiseSum(scratch) / count;
  writeDeviationTerms(values, mean, 'fourth', scratch);
  const m4 = pairwiseSum(scratch) / count;

  const { minimum, maximum } = discretisation.bins.length === count ? discretisation : extremes(values);
  const { p10, p25, median, p75, p90 } = orderStatistics(values, minimum, maximum);

  // Robust MAD: NumPy's nanmean over the full-length array with excluded values set to 0.
  const robustCount = writeValuesInside(values, p10, p90, scratch);
  const robustMean = pairwiseSum(scratch) / robustCount;
  writeDeviationsInside(values, p10, p90, robustMean, scratch);
  const robustMeanAbsoluteDeviation = pairwiseSum(scratch) / robustCount;

  const { entropy, uniformity } = histogramStatistics(discretisation);
  const voxelVolume = spacing[0] * spacing[1] * spacing[2];

  return {
    '10Percentile': p10,
    '90Percentile': p90,
    Energy: energy,
    Entropy: entropy,
    InterquartileRange: p75 - p25,
    Kurtosis: m2 === 0 ? 0 : m4 / (m2 * m2),
    Maximum: maximum,
    MeanAbsoluteDeviation: meanAbsoluteDeviation,
    Mean: mean,
    Median: median,
    Minimum: minimum,
    Range: maximum - minimum,
    RobustMeanAbsoluteDeviation: robustMeanAbsoluteDeviation,
    RootMeanSquared: Math.sqrt(energy / count),
    Skewness: m2 === 0 ? 0 : m3 / Math.pow(m2, 1.5),
    TotalEnergy: voxelVolume * energy,
    Uniformity: uniformity,
    Variance: m2,
    StandardDeviation: Math.sqrt(m2),
  };
}

/** Writes (x + shift)² for every value x. */
function writeShiftedSquares(values: Float64Array, shift: number, terms: Float64Array): void {
  for (let v = 0; v < values.length; v++) {
    const shifted = values[v] + shift;
    terms[v] = shifted * shifted;
  }
}

/** Writes |x − mean|, (x − mean)², (x − mean)³ or (x − mean)⁴ for every value x. */
function writeDeviationTerms(values: Float64Array, mean: number, term: 'absolute' | 'square' | 'cube' | 'fourth', terms: Float64Array): void {
  const count = values.length;
  if (term === 'absolute') {
    for (let v = 0; v < count; v++) terms[v] = Math.abs(values[v] - mean);
  } else if (term === 'square') {
    for (let v = 0; v < count; v++) {
      const deviation = values[v] - mean;
      terms[v] = deviation * deviation;
    }
  } else if (term === 'cube') {
    for (let v = 0; v < count; v++) {
      const deviation = values[v] - mean;
      terms[v] = deviation * deviation * deviation;
    }
  } else {
    for (let v = 0; v < count; v++) {
      const deviation = values[v] - mean;
      const squared = deviation * deviation;
      terms[v] = squared * squared;
    }
  }
}

/**
 * Writes x for the values in [low, high] and 0 for the others, and returns how many are inside. About a fifth of
 * the voxels lie outside [P10, P90] in no particular order, and the CPU would often mispredict a branch on it.
 * So the test has none: inside is 1 or 0, and 0 · x adds nothing to a sum (x is finite).
 */
function writeValuesInside(values: Float64Array, low: number, high: number, terms: Float64Array): number {
  let inside = 0;
  for (let v = 0; v < values.length; v++) {
    const value = values[v];
    const isInside = Number(value >= low) & Number(value <= high);
    terms[v] = isInside * value;
    inside += isInside;
  }
  return inside;
}

/** Writes |x − centre| for the values in [low, high] and 0 for the others, without a branch. */
function writeDeviationsInside(values: Float64Array, low: number, high: number, centre: number, terms: Float64Array): void {
  for (let v = 0; v < values.length; v++) {
    const value = values[v];
    const isInside = Number(value >= low) & Number(value <= high);
    terms[v] = isInside * Math.abs(value - centre);
  }
}

/** Number of equal-width buckets between the ROI minimum and maximum in which the order statistics are sought. */
const ORDER_BUCKETS = 4096;

/**
 * Percentiles 10, 25, 75, 90 (NumPy 'linear') and the median, from ten ranks at most. The values are counted in
 * equal-width buckets between the minimum and the maximum; bucket(x) = ⌊(x − min) · scale⌋ never decreases with x,
 * because floating-point subtraction and multiplication by a positive number are monotone, so the value of rank
 * r lies in the bucket where the cumulative count passes r. Only the values of those few buckets are copied and
 * searched by quickselect. The grey-level bins would do as buckets, but they are wide: a high-pass sub-band puts
 * half of its voxels in one bin, and the search through them cost more than all the other first-order features.
 */
function orderStatistics(values: Float64Array, minimum: number, maximum: number): { p10: number; p25: number; median: number; p75: number; p90: number } {
  const n = values.length;
  const percents = [10, 25, 75, 90];
  const ranks = percents.map((percent) => percentileRanks(n, percent));
  if (maximum === minimum) return percentilesOf(() => minimum, ranks, n);

  const middle = n >> 1;
  const wanted = new Set<number>([middle, Math.max(middle - 1, 0)]);
  for (const { previous, next } of ranks) {
    wanted.add(previous);
    wanted.add(next);
  }

  // Four interleaved histograms, summed afterwards, so that neighbouring voxels in one bucket do not wait for
  // each other's increment. The product stays below ORDER_BUCKETS: rounding makes it at most about (ORDER_BUCKETS − 1)(1 + 2⁻⁵²).
  const scale = (ORDER_BUCKETS - 1) / (maximum - minimum);
  const partial = new Int32Array(4 * ORDER_BUCKETS);
  let v = 0;
  for (; v + 3 < n; v += 4) {
    partial[((values[v] - minimum) * scale) | 0]++;
    partial[ORDER_BUCKETS + (((values[v + 1] - minimum) * scale) | 0)]++;
    partial[2 * ORDER_BUCKETS + (((values[v + 2] - minimum) * scale) | 0)]++;
    partial[3 * ORDER_BUCKETS + (((values[v + 3] - minimum) * scale) | 0)]++;
  }
  for (; v < n; v++) partial[((values[v] - minimum) * scale) | 0]++;
  // bucketStart[b] = number of values in the buckets below b, so bucket b contains ranks bucketStart[b] … bucketStart[b + 1] − 1.
  const bucketStart = new Int32Array(ORDER_BUCKETS + 1);
  for (let b = 0; b < ORDER_BUCKETS; b++) {
    bucketStart[b + 1] = bucketStart[b] + partial[b] + partial[ORDER_BUCKETS + b] + partial[2 * ORDER_BUCKETS + b] + partial[3 * ORDER_BUCKETS + b];
  }

  const bucketOfRank = new Map<number, number>();
  const rankBuckets: number[] = [];
  for (const rank of wanted) {
    let low = 0;
    let high = ORDER_BUCKETS - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (bucketStart[mid + 1] <= rank) low = mid + 1;
      else high = mid;
    }
    bucketOfRank.set(rank, low);
    if (!rankBuckets.includes(low)) rankBuckets.push(low);
  }

  // Next free position in one reused store for each bucket of a requested rank, −1 for the others. Those buckets
  // contain few of the voxels, so the test below is rarely true and well predicted.
  const nextSlot = new Int32Array(ORDER_BUCKETS).fill(-1);
  const storeOffset = new Map<number, number>();
  let storeSize = 0;
  for (const bucket of rankBuckets) {
    nextSlot[bucket] = storeSize;
    storeOffset.set(bucket, storeSize);
    storeSize += bucketStart[bucket + 1] - bucketStart[bucket];
  }
  const store = scratchFloat64('first-order-buckets', storeSize);
  for (let v = 0; v < n; v++) {
    const value = values[v];
    const bucket = ((value - minimum) * scale) | 0;
    const slot = nextSlot[bucket];
    if (slot < 0) continue;
    store[slot] = value;
    nextSlot[bucket] = slot + 1;
  }

  for (const bucket of rankBuckets) {
    const offset = storeOffset.get(bucket)!;
    const contents = store.subarray(offset, offset + bucketStart[bucket + 1] - bucketStart[bucket]);
    const local = [...wanted].filter((rank) => bucketOfRank.get(rank) === bucket).map((rank) => rank - bucketStart[bucket]);
    selectRanks(contents, local.sort((a, b) => a - b));
  }
  const valueAt = (rank: number): number => {
    const bucket = bucketOfRank.get(rank)!;
    return store[storeOffset.get(bucket)! + rank - bucketStart[bucket]];
  };

  return percentilesOf(valueAt, ranks, n);
}

function percentilesOf(
  valueAt: (rank: number) => number,
  ranks: ReturnType<typeof percentileRanks>[],
  n: number,
): { p10: number; p25: number; median: number; p75: number; p90: number } {
  const middle = n >> 1;
  const [p10, p25, p75, p90] = ranks.map(({ previous, next, gamma }) => interpolatePercentile(valueAt(previous), valueAt(next), gamma));
  const median = n % 2 === 1 ? valueAt(middle) : (valueAt(middle - 1) + valueAt(middle)) / 2;
  return { p10, p25, median, p75, p90 };
}

function extremes(values: Float64Array): { minimum: number; maximum: number } {
  let minimum = Infinity;
  let maximum = -Infinity;
  for (let v = 0; v < values.length; v++) {
    minimum = Math.min(minimum, values[v]);
    maximum = Math.max(maximum, values[v]);
  }
  return { minimum, maximum };
}

/** Entropy and uniformity of the discretised intensity histogram. */
function histogramStatistics(discretisation: Discretisation): { entropy: number; uniformity: number } {
  const counts = discretisation.binCounts;
  const probabilities: number[] = [];
  for (let bin = 1; bin <= discretisation.maxBin; bin++) {
    if (counts[bin] > 0) probabilities.push(counts[bin] / discretisation.bins.length);
  }
  const entropyTerms = Float64Array.from(probabilities, (p) => p * Math.log2(p + EPSILON));
  const squares = Float64Array.from(probabilities, (p) => p * p);
  return { entropy: -pairwiseSum(entropyTerms), uniformity: pairwiseSum(squares) };
}
