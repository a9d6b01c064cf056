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

  for (let v = 0; v < count; v++) {
    const shifted = values[v] + shift;
    scratch[v] = shifted * shifted;
  }
  const energy = pairwiseSum(scratch);

  const mean = pairwiseSum(values) / count;
  for (let v = 0; v < count; v++) scratch[v] = Math.abs(values[v] - mean);
  const meanAbsoluteDeviation = pairwiseSum(scratch) / count;
  for (let v = 0; v < count; v++) {
    const deviation = values[v] - mean;
    scratch[v] = deviation * deviation;
  }
  const m2 = pairwiseSum(scratch) / count;
  for (let v = 0; v < count; v++) {
    const deviation = values[v] - mean;
    scratch[v] = deviation * deviation * deviation;
  }
  const m3 = pairwiseSum(scratch) / count;
  for (let v = 0; v < count; v++) {
    const deviation = values[v] - mean;
    const squared = deviation * deviation;
    scratch[v] = squared * squared;
  }
  const m4 = pairwiseSum(scratch) / count;

  const { p10, p25, median, p75, p90 } = orderStatistics(values, discretisation);
  let minimum = Infinity;
  let maximum = -Infinity;
  for (let v = 0; v < count; v++) {
    const value = values[v];
    if (value < minimum) minimum = value;
    if (value > maximum) maximum = value;
  }

  // Robust MAD: NumPy's nanmean over the full-length array with excluded values set to 0.
  let robustCount = 0;
  for (let v = 0; v < count; v++) {
    const value = values[v];
    const inside = value >= p10 && value <= p90;
    scratch[v] = inside ? value : 0;
    if (inside) robustCount++;
  }
  const robustMean = pairwiseSum(scratch) / robustCount;
  for (let v = 0; v < count; v++) {
    const value = values[v];
    scratch[v] = value >= p10 && value <= p90 ? Math.abs(value - robustMean) : 0;
  }
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

/**
 * Percentiles 10, 25, 75, 90 (NumPy 'linear') and the median. The grey-level bins are monotone in intensity
 * (a voxel's bin is the number of bin edges at or below its value), so the voxel of rank r lies in the bin where
 * the cumulative bin count passes r, and only the few bins holding a requested rank are copied and searched by
 * quickselect.
 */
function orderStatistics(values: Float64Array, discretisation: Discretisation): { p10: number; p25: number; median: number; p75: number; p90: number } {
  const n = values.length;
  const percents = [10, 25, 75, 90];
  const ranks = percents.map((percent) => percentileRanks(n, percent));
  const middle = n >> 1;
  const wanted = new Set<number>([middle, Math.max(middle - 1, 0)]);
  for (const { previous, next } of ranks) {
    wanted.add(previous);
    wanted.add(next);
  }

  if (discretisation.bins.length !== n) {
    // Not the discretisation of these values: select on a copy of them all.
    const work = Float64Array.from(values);
    selectRanks(work, [...wanted].sort((a, b) => a - b));
    return percentilesOf((rank) => work[rank], ranks, n);
  }

  const { bins, maxBin } = discretisation;
  const binStart = new Int32Array(maxBin + 2);
  for (let v = 0; v < n; v++) binStart[bins[v] + 1]++;
  for (let bin = 1; bin <= maxBin + 1; bin++) binStart[bin] += binStart[bin - 1];
  // binStart[b] = number of voxels in bins below b, so bin b holds ranks binStart[b] … binStart[b + 1] − 1.
  const binOfRank = new Map<number, number>();
  const bucketBins: number[] = [];
  for (const rank of wanted) {
    let bin = 1;
    while (binStart[bin + 1] <= rank) bin++;
    binOfRank.set(rank, bin);
    if (!bucketBins.includes(bin)) bucketBins.push(bin);
  }
  // The buckets are consecutive views of one reused buffer, written in full below before they are searched.
  const bucketStore = scratchFloat64('first-order-buckets', bucketBins.reduce((total, bin) => total + binStart[bin + 1] - binStart[bin], 0));
  const buckets = new Map<number, Float64Array>();
  let bucketStart = 0;
  for (const bin of bucketBins) {
    const size = binStart[bin + 1] - binStart[bin];
    buckets.set(bin, bucketStore.subarray(bucketStart, bucketStart + size));
    bucketStart += size;
  }
  // Next free position in the store for each bucket's bin, −1 for the other bins; one typed look-up per voxel.
  const nextSlot = new Int32Array(maxBin + 1).fill(-1);
  let slotStart = 0;
  for (const bin of bucketBins) {
    nextSlot[bin] = slotStart;
    slotStart += binStart[bin + 1] - binStart[bin];
  }
  for (let v = 0; v < n; v++) {
    const slot = nextSlot[bins[v]];
    if (slot < 0) continue;
    bucketStore[slot] = values[v];
    nextSlot[bins[v]] = slot + 1;
  }
  for (const [bin, bucket] of buckets) {
    const local = [...wanted].filter((rank) => binOfRank.get(rank) === bin).map((rank) => rank - binStart[bin]);
    selectRanks(bucket, local.sort((a, b) => a - b));
  }
  const valueAt = (rank: number): number => {
    const bin = binOfRank.get(rank)!;
    return buckets.get(bin)![rank - binStart[bin]];
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

/** Entropy and uniformity of the discretised intensity histogram. */
function histogramStatistics(discretisation: Discretisation): { entropy: number; uniformity: number } {
  const counts = new Float64Array(discretisation.maxBin + 1);
  for (let v = 0; v < discretisation.bins.length; v++) counts[discretisation.bins[v]]++;
  const probabilities: number[] = [];
  for (let bin = 1; bin <= discretisation.maxBin; bin++) {
    if (counts[bin] > 0) probabilities.push(counts[bin] / discretisation.bins.length);
  }
  const entropyTerms = Float64Array.from(probabilities, (p) => p * Math.log2(p + EPSILON));
  const squares = Float64Array.from(probabilities, (p) => p * p);
  return { entropy: -pairwiseSum(entropyTerms), uniformity: pairwiseSum(squares) };
}
