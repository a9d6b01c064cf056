/**
 * One pass over the ROI voxels and their neighbours at distance 1: 26 in 3-D (8 in-plane with force2D), of which
 * the 13 half-directions (4 with force2D) give each unordered pair once. It collects the GLCM counts per direction,
 * the number of dependent neighbours of each voxel (GLDM) and the number and grey-level sum of each voxel's ROI
 * neighbours (NGTDM). The result is cached per texture region, so the three classes share it.
 */
import { halfDirections, type Direction, type TextureRegion } from './region';
import { scratchFloat64, scratchInt32 } from '../scratch';
import { force2DAxisOf, type TextureSettings } from './texture-settings';

export interface NeighbourhoodSummary {
  readonly directions: readonly Direction[];
  /** Asymmetric GLCM counts per direction: L × L, row = level index of v, column = level index of v + δ. */
  readonly cooccurrence: readonly Int32Array[];
  /** GLDM counts: row = level index, column = number of dependent neighbours (0 … 2 × directions). */
  readonly dependence: Float64Array;
  readonly dependenceColumns: number;
  /** NGTDM n_i: ROI voxels per level index. */
  readonly voxelCounts: Float64Array;
  /** NGTDM s_i: Σ |i − mean neighbour grey level| per level index; voxels without ROI neighbours add 0. */
  readonly differences: Float64Array;
}

const cache = new WeakMap<TextureRegion, Map<string, NeighbourhoodSummary>>();

export function neighbourhoodSummary(region: TextureRegion, settings: TextureSettings): NeighbourhoodSummary {
  const axis = force2DAxisOf(settings);
  const alpha = settings.gldm_a ?? 0;
  const key = `${axis}:${alpha}`;
  let perRegion = cache.get(region);
  const cached = perRegion?.get(key);
  if (cached) return cached;

  const summary = computeSummary(region, halfDirections(region.paddedSize, axis), alpha, axis);
  if (!perRegion) {
    perRegion = new Map();
    cache.set(region, perRegion);
  }
  perRegion.set(key, summary);
  return summary;
}

/**
 * Gathers the neighbours of each ROI voxel v at once, so that the GLDM tally of v stays in a local variable
 * instead of being written to both voxels of each pair. GLCM counts take (v, v + δ) along the half-directions
 * only, so each unordered pair counts once per direction. The NGTDM sums come from box sums (see
 * `neighbourSums`), which cost a few additions per voxel instead of 26 look-ups.
 */
function computeSummary(region: TextureRegion, directions: Direction[], alpha: number, force2DAxis: number | null): NeighbourhoodSummary {
  const { levelCodes, roiIndices, levels } = region;
  const levelCount = levels.length;
  const matrixSize = levelCount * levelCount;
  const halfCount = directions.length;
  // Integer counts are exact and take half the memory of float64 counts.
  const flatCounts = scratchInt32('glcm-counts', halfCount * matrixSize).fill(0);
  const offsets = new Int32Array(2 * halfCount);
  for (let d = 0; d < halfCount; d++) {
    offsets[d] = directions[d].offset;
    offsets[halfCount + d] = -directions[d].offset;
  }

  // Bin differences are integers, so |i − j| ≤ α equals |i − j| ≤ ⌊α⌋. Level codes ascend with the bin number,
  // so the dependent neighbours of a voxel with code c are those whose code lies in [lowCode[c], highCode[c]].
  // The range test needs no branch, and background (code 0) always lies below it. A negative α makes it empty.
  const tolerance = alpha >= 0 ? Math.min(Math.floor(alpha), 0x3fffffff) : -1;
  const lowCode = new Int32Array(levelCount + 1);
  const highCode = new Int32Array(levelCount + 1);
  for (let code = 1; code <= levelCount; code++) {
    let low = code;
    while (low > 1 && levels[code - 1] - levels[low - 2] <= tolerance) low--;
    let high = code;
    while (high < levelCount && levels[high] - levels[code - 1] <= tolerance) high++;
    lowCode[code] = tolerance < 0 ? 1 : low;
    highCode[code] = tolerance < 0 ? 0 : high;
  }

  const columns = 2 * halfCount + 1;
  const dependence = new Float64Array(levelCount * columns);
  const voxelCounts = new Float64Array(levelCount);
  const tally: NeighbourTally = { levelCodes, roiIndices, offsets, lowCode, highCode, levelCount, matrixSize, flatCounts, dependence, voxelCounts };
  if (halfCount === 13) tallyNeighbours26(tally);
  else tallyNeighbours(tally);

  // One copy out of the work buffer, since the summary is cached with the region.
  const keptCounts = flatCounts.slice();
  const cooccurrence = directions.map((_, d) => keptCounts.subarray(d * matrixSize, (d + 1) * matrixSize));
  const differences = neighbourhoodDifferences(region, force2DAxis);
  return { directions, cooccurrence, dependence, dependenceColumns: columns, voxelCounts, differences };
}

/** Inputs and outputs of the neighbour tally: GLCM counts per half-direction, GLDM dependences, voxels per level. */
interface NeighbourTally {
  readonly levelCodes: Uint16Array;
  readonly roiIndices: Int32Array;
  /** The half-direction offsets, then their negatives. */
  readonly offsets: Int32Array;
  readonly lowCode: Int32Array;
  readonly highCode: Int32Array;
  readonly levelCount: number;
  readonly matrixSize: number;
  readonly flatCounts: Int32Array;
  readonly dependence: Float64Array;
  readonly voxelCounts: Float64Array;
}

/** Tallies the neighbours of each ROI voxel over any set of directions (the 4 in-plane ones with force2D). */
function tallyNeighbours(tally: NeighbourTally): void {
  const { levelCodes, roiIndices, offsets, lowCode, highCode, levelCount, matrixSize, flatCounts, dependence, voxelCounts } = tally;
  const halfCount = offsets.length / 2;
  const columns = offsets.length + 1;
  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const code = levelCodes[v];
    const low = lowCode[code];
    const high = highCode[code];
    const row = (code - 1) * levelCount - 1;
    let dependent = 0;
    for (let d = 0; d < halfCount; d++) {
      const neighbourCode = levelCodes[v + offsets[d]];
      if (neighbourCode !== 0) flatCounts[d * matrixSize + row + neighbourCode]++;
      dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    }
    for (let d = halfCount; d < offsets.length; d++) {
      const neighbourCode = levelCodes[v + offsets[d]];
      dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    }
    dependence[(code - 1) * columns + dependent]++;
    voxelCounts[code - 1]++;
  }
}

/**
 * Tallies the neighbours for the 13 directions of 3-D texture, with the offsets and matrix starts in local
 * variables and the neighbour loop written out. V8 does not unroll the loop over an offset array, and this form
 * took about a third less time on the PAT1 sub-bands. Each group of three lines reads neighbour v + δ_d, which
 * counts in GLCM d when it is in the ROI and in the GLDM tally when dependent. The last 13 pairs read v − δ_d for
 * the GLDM tally only.
 */
function tallyNeighbours26(tally: NeighbourTally): void {
  const { levelCodes, roiIndices, offsets, lowCode, highCode, levelCount, matrixSize, flatCounts, dependence, voxelCounts } = tally;
  const [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12] = offsets;
  const [m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12] = [1 * matrixSize, 2 * matrixSize, 3 * matrixSize, 4 * matrixSize, 5 * matrixSize, 6 * matrixSize, 7 * matrixSize, 8 * matrixSize, 9 * matrixSize, 10 * matrixSize, 11 * matrixSize, 12 * matrixSize];
  const columns = 27;
  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const code = levelCodes[v];
    const low = lowCode[code];
    const high = highCode[code];
    const row = (code - 1) * levelCount - 1;
    let dependent = 0;
    let neighbourCode: number;
    neighbourCode = levelCodes[v + o0];
    if (neighbourCode !== 0) flatCounts[row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o1];
    if (neighbourCode !== 0) flatCounts[m1 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o2];
    if (neighbourCode !== 0) flatCounts[m2 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o3];
    if (neighbourCode !== 0) flatCounts[m3 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o4];
    if (neighbourCode !== 0) flatCounts[m4 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o5];
    if (neighbourCode !== 0) flatCounts[m5 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o6];
    if (neighbourCode !== 0) flatCounts[m6 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o7];
    if (neighbourCode !== 0) flatCounts[m7 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o8];
    if (neighbourCode !== 0) flatCounts[m8 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o9];
    if (neighbourCode !== 0) flatCounts[m9 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o10];
    if (neighbourCode !== 0) flatCounts[m10 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o11];
    if (neighbourCode !== 0) flatCounts[m11 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v + o12];
    if (neighbourCode !== 0) flatCounts[m12 + row + neighbourCode]++;
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o0];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o1];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o2];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o3];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o4];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o5];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o6];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o7];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o8];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o9];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o10];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o11];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    neighbourCode = levelCodes[v - o12];
    dependent += (((neighbourCode - low) | (high - neighbourCode)) >>> 31) ^ 1;
    dependence[(code - 1) * columns + dependent]++;
    voxelCounts[code - 1]++;
  }
}

/**
 * NGTDM s_i = Σ |i − Ā(v)| over the ROI voxels v of level i, with Ā(v) the mean bin number of the ROI voxels among
 * v's 26 neighbours (8 in-plane with force2D); voxels without ROI neighbours add nothing. Each padded voxel
 * carries bin · 32 + 1 (0 outside the ROI). The sum over a 3 × 3 × 3 box around v, minus v's own value, then
 * gives the neighbours' bin sum as its quotient by 32 and their number (at most 26) as the remainder. The box sum is
 * separable: a 3-voxel sum along i, then along j, then along k. Float64 sums are exact below 2⁵³, and int32 ones
 * serve whenever 27 · (largest bin · 32 + 1) stays below 2³¹, that is for bin numbers up to 2.4 million.
 */
function neighbourhoodDifferences(region: TextureRegion, force2DAxis: number | null): Float64Array {
  const { levelCodes, roiIndices, levels, paddedSize } = region;
  const levelCount = levels.length;
  const exactInInt32 = 27 * (region.maxBin * 32 + 1) < 2 ** 31;
  const packedOfCode = exactInInt32 ? new Int32Array(levelCount + 1) : new Float64Array(levelCount + 1);
  for (let code = 1; code <= levelCount; code++) packedOfCode[code] = levels[code - 1] * 32 + 1;

  // Strides of the axes the neighbourhood spans: force2D numbers axes as (k, j, i), so axis a is index 2 − a.
  const strides = [1, paddedSize[0], paddedSize[0] * paddedSize[1]].filter((_, index) => force2DAxis === null || index !== 2 - force2DAxis);
  const total = levelCodes.length;
  // Reused buffers: the few positions at either end that no pass writes are never read for a ROI voxel.
  let sums = exactInInt32 ? scratchInt32('ngtdm-box-sums', total) : scratchFloat64('ngtdm-box-sums', total);
  let next = exactInInt32 ? scratchInt32('ngtdm-box-sums-next', total) : scratchFloat64('ngtdm-box-sums-next', total);

  // Every pass but the last fills the grid. A result is valid wherever the three voxels it adds lie on one line
  // of the padded grid. That is true at every position that the later passes read for a ROI voxel.
  const first = strides[0];
  for (let v = first; v < total - first; v++) {
    sums[v] = packedOfCode[levelCodes[v - first]] + packedOfCode[levelCodes[v]] + packedOfCode[levelCodes[v + first]];
  }
  for (let pass = 1; pass < strides.length - 1; pass++) {
    const stride = strides[pass];
    for (let v = stride; v < total - stride; v++) next[v] = sums[v - stride] + sums[v] + sums[v + stride];
    [sums, next] = [next, sums];
  }

  const last = strides[strides.length - 1];
  const differences = new Float64Array(levelCount);
  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const code = levelCodes[v];
    const packed = sums[v - last] + sums[v] + sums[v + last] - packedOfCode[code];
    const neighbours = packed % 32;
    if (neighbours > 0) differences[code - 1] += Math.abs(levels[code - 1] - (packed - neighbours) / 32 / neighbours);
  }
  return differences;
}
