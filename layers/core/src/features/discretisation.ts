/**
 * Grey-level discretisation of the ROI intensities, as PyRadiomics' `binImage` does it.
 *
 * - Fixed bin width W: edges lie on multiples of W counted from 0, starting at the multiple just below the ROI
 *   minimum, e_k = low + k·W with low = min − (min mod W). The bin of x is the number of edges ≤ x, so x on an
 *   edge starts a new bin; in closed form bin(x) = ⌊x/W⌋ − ⌊min/W⌋ + 1. IBSI instead starts the first bin at the
 *   re-segmentation lower bound; both agree when that bound is a multiple of W.
 * - Fixed bin count N: N equal-width bins between the ROI minimum and maximum (NumPy's histogram edges), the
 *   top edge raised by 1 so that the maximum falls in bin N. Matches IBSI's fixed bin number except at values
 *   exactly on an inner edge.
 */
import { RadiomicsError } from '../errors';
import { pythonModulo } from './numeric';

export interface DiscretisationSettings {
  /** Fixed bin width in intensity units; used when `binCount` is not set. PyRadiomics default 25. */
  readonly binWidth?: number;
  /** Fixed number of bins; takes precedence over `binWidth` when set. */
  readonly binCount?: number | null;
}

export interface Discretisation {
  /** Bin number (1-based) of each input value, in input order. */
  readonly bins: Int32Array;
  /** Largest bin number that occurs (PyRadiomics' Ng). */
  readonly maxBin: number;
  /** Number of values in each bin, indexed by bin number (0 … maxBin; bin 0 is always empty). */
  readonly binCounts: Int32Array;
  /** Smallest and largest of the values. */
  readonly minimum: number;
  readonly maximum: number;
  /** Edge k of the bins, as NumPy would compute it. */
  readonly edge: (k: number) => number;
}

export const DEFAULT_BIN_WIDTH = 25;

/**
 * Largest number of bins a discretisation may have. Each bin takes about 20 bytes of working memory (its edge and
 * its counts), so the limit keeps a discretisation within about 200 MB. CT at a bin width of 25 HU needs a few
 * hundred bins. Only the grey levels present in the ROI count for the texture classes (MAX_TEXTURE_GREY_LEVELS).
 */
export const MAX_BINS = 10_000_000;

/**
 * Discretises `values` with fixed bin count when `binCount` is set, else with fixed bin width. `allocate`
 * supplies the array of bin numbers, which is written in full.
 */
export function discretise(
  values: Float64Array,
  settings: DiscretisationSettings,
  allocate: (length: number) => Int32Array = (length) => new Int32Array(length),
): Discretisation {
  if (values.length === 0) {
    throw new RadiomicsError('EMPTY_ROI', 'Cannot discretise an empty ROI.');
  }
  // Written without branches; x − x is 0 for a finite x and NaN for NaN or ±infinity, and NaN stays in the sum.
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    min = Math.min(min, value);
    max = Math.max(max, value);
    nonFinite += value - value;
  }
  if (nonFinite !== 0) {
    throw new RadiomicsError('DATA_INVALID', 'The ROI contains non-finite intensities (NaN or infinity); they cannot be binned.');
  }

  const edge = settings.binCount != null ? fixedCountEdges(min, max, settings.binCount) : fixedWidthEdges(min, settings.binWidth ?? DEFAULT_BIN_WIDTH);
  const first = edge(0);
  const step = edge(1) - first;

  // A bin width far too small for the intensity range (or a float image with extreme values) would otherwise
  // build an edge list of billions of entries before anything else could object.
  const binsNeeded = Math.floor((max - first) / step) + 1;
  if (!(binsNeeded <= MAX_BINS)) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Discretising intensities from ${min} to ${max} would need ${binsNeeded > 1e15 ? binsNeeded.toExponential(2) : binsNeeded} bins; at most ${MAX_BINS} are supported. Use a larger binWidth, a binCount, or check the image's intensity scaling.`,
      { details: { minimum: min, maximum: max, bins: binsNeeded, limit: MAX_BINS } },
    );
  }

  // Edges up to the first one above the maximum; the bin of a value is the number of edges ≤ value. The estimate
  // above may be off by one either way through rounding, so the array has room for two more edges.
  const edgeStore = new Float64Array(binsNeeded + 3);
  let edgeCount = 0;
  do {
    edgeStore[edgeCount] = edge(edgeCount);
    edgeCount++;
  } while (edgeStore[edgeCount - 1] <= max && edgeCount < edgeStore.length);
  const edges = edgeStore.subarray(0, edgeCount);
  const lastEdge = edges.length - 1;

  const bins = allocate(values.length);
  for (let i = 0; i < values.length; i++) bins[i] = binOf(values[i], edges, first, 1 / step);
  // The bin never decreases with the value, so the largest bin is the maximum's.
  const maxBin = binOf(max, edges, first, 1 / step);
  return { bins, maxBin, binCounts: countBins(bins, maxBin), minimum: min, maximum: max, edge };
}

/**
 * Bin number of a value: the number of edges at or below it. The estimate from the first edge and the reciprocal
 * of the step (a multiplication costs much less than a division) is corrected against the exact edges. The value
 * is at least the first edge and at most ten million steps above it, so truncation to an integer is the floor.
 */
function binOf(value: number, edges: Float64Array, first: number, inverseStep: number): number {
  const lastEdge = edges.length - 1;
  let k = Math.min(((value - first) * inverseStep) | 0, lastEdge);
  while (k < lastEdge && edges[k + 1] <= value) k++;
  while (k > 0 && edges[k] > value) k--;
  return k + 1;
}

/** Bin count up to which countBins keeps four partial histograms (64 KB in all). */
const INTERLEAVED_BINS = 4096;

/**
 * Histogram of the bin numbers. Neighbouring voxels often share a bin, so one counter is often incremented twice
 * in a row, and the second increment waits for the first. Four interleaved histograms, summed at the end, avoid it
 * for the usual few hundred bins. Beyond INTERLEAVED_BINS one histogram is kept, to save memory.
 */
function countBins(bins: Int32Array, maxBin: number): Int32Array {
  const stride = maxBin + 1;
  if (stride > INTERLEAVED_BINS) {
    const counts = new Int32Array(stride);
    for (let v = 0; v < bins.length; v++) counts[bins[v]]++;
    return counts;
  }
  const partial = new Int32Array(4 * stride);
  const n = bins.length;
  let v = 0;
  for (; v + 3 < n; v += 4) {
    partial[bins[v]]++;
    partial[stride + bins[v + 1]]++;
    partial[2 * stride + bins[v + 2]]++;
    partial[3 * stride + bins[v + 3]]++;
  }
  for (; v < n; v++) partial[bins[v]]++;
  const counts = partial.slice(0, stride);
  for (let bin = 0; bin < stride; bin++) counts[bin] += partial[stride + bin] + partial[2 * stride + bin] + partial[3 * stride + bin];
  return counts;
}

/** Edges of `np.arange(low, max + 2W, W)` with low = min − (min mod W): start + k·(second − first) for k ≥ 2. */
function fixedWidthEdges(min: number, binWidth: number): (k: number) => number {
  if (!(binWidth > 0) || !Number.isFinite(binWidth)) {
    throw new RadiomicsError('SETTINGS_INVALID', `binWidth must be a positive number, got ${binWidth}.`);
  }
  const low = min - pythonModulo(min, binWidth);
  const second = low + binWidth;
  const delta = second - low;
  return (k) => {
    if (k === 0) return low;
    if (k === 1) return second;
    return low + k * delta;
  };
}

/** Edges of `np.histogram(values, binCount)` (linspace over [min, max]) with the top edge raised by 1. */
function fixedCountEdges(min: number, max: number, binCount: number): (k: number) => number {
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new RadiomicsError('SETTINGS_INVALID', `binCount must be a positive integer, got ${binCount}.`);
  }
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / binCount;
  const top = last + 1;
  return (k) => {
    if (k < binCount) return k * step + first;
    return k === binCount ? top : Infinity;
  };
}
