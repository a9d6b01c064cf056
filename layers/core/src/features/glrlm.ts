/**
 * Grey level run length matrix (GLRLM) features, PyRadiomics definitions.
 *
 * For each of the 13 directions of distance 1 (4 with force2D), P_δ(i, j) counts runs: maximal sequences of
 * consecutive ROI voxels along δ with grey level i and length j. A direction in which no line through the
 * ROI bounding box holds two ROI voxels (a flat ROI seen edge-on) is dropped, as are empty directions. Each
 * feature is computed per direction and averaged (IBSI "3D, averaged"). With `weightingNorm` the matrices are
 * multiplied by the direction's length and summed instead: manhattan w = Σ|δ_d|s_d, euclidean
 * w = √Σ(|δ_d|s_d)², infinity w = max |δ_d|s_d, no_weighting w = 1 (IBSI "3D, merged" for no_weighting).
 * Note that these weights are distances, unlike the GLCM's exp(−distance²).
 *
 * With N_r = Σ P (runs) and N_p = Σ j·P (voxels, times the summed weights when merged), the features are those
 * of `sizeMatrixStatistics` with j the run length (IBSI codes in brackets, all equal to IBSI):
 * ShortRunEmphasis (22OV), LongRunEmphasis (W4KF), GrayLevelNonUniformity (R5YN),
 * GrayLevelNonUniformityNormalized (OVBL), RunLengthNonUniformity (W92Y), RunLengthNonUniformityNormalized
 * (IC23), RunPercentage = N_r / N_p (9ZK5), GrayLevelVariance (8CE5), RunVariance (SXLW), RunEntropy (HJ9O),
 * LowGrayLevelRunEmphasis (V3SW), HighGrayLevelRunEmphasis (G3QZ), ShortRunLowGrayLevelEmphasis (HTZT),
 * ShortRunHighGrayLevelEmphasis (GD3A), LongRunLowGrayLevelEmphasis (IVPO), LongRunHighGrayLevelEmphasis (3KUM).
 */
import { nanMean } from './numeric';
import { scratchInt32, scratchUint16 } from '../scratch';
import { halfDirections, type Direction, type TextureRegion } from './region';
import { denseToSizeMatrix, sizeMatrixStatistics, type SizeMatrixStatistics } from './size-matrix';
import { force2DAxisOf, scaledComponents, type TextureSettings } from './texture-settings';

export const GLRLM_FEATURE_NAMES = [
  'GrayLevelNonUniformity',
  'GrayLevelNonUniformityNormalized',
  'GrayLevelVariance',
  'HighGrayLevelRunEmphasis',
  'LongRunEmphasis',
  'LongRunHighGrayLevelEmphasis',
  'LongRunLowGrayLevelEmphasis',
  'LowGrayLevelRunEmphasis',
  'RunEntropy',
  'RunLengthNonUniformity',
  'RunLengthNonUniformityNormalized',
  'RunPercentage',
  'RunVariance',
  'ShortRunEmphasis',
  'ShortRunHighGrayLevelEmphasis',
  'ShortRunLowGrayLevelEmphasis',
] as const;

export type GlrlmFeatureName = (typeof GLRLM_FEATURE_NAMES)[number];

/** GLRLM distance weight of one direction for the given norm. */
export function glrlmWeight(norm: string, vector: readonly number[], spacing: readonly number[]): number {
  const scaled = scaledComponents(vector, spacing);
  switch (norm) {
    case 'infinity':
      return Math.max(...scaled);
    case 'euclidean':
      return Math.sqrt(scaled[0] ** 2 + scaled[1] ** 2 + scaled[2] ** 2);
    case 'manhattan':
      return scaled[0] + scaled[1] + scaled[2];
    default:
      return 1;
  }
}

/** Run length matrices per direction: L × R counts (R = longest possible run), zeroed for edge-on directions. */
export function glrlmMatrices(region: TextureRegion, settings: TextureSettings): { matrices: Float64Array[]; vectors: number[][]; columns: number } {
  const { matrices, vectors, columns } = glrlmCounts(region, settings, (length) => new Int32Array(length));
  return { matrices: matrices.map((counts) => Float64Array.from(counts)), vectors, columns };
}

/**
 * Returns the matrices of `glrlmMatrices` as integer views of one array of counts, which `allocate` supplies
 * zero filled. computeGlrlm passes a work buffer, because it drops the matrices once the features are computed.
 */
function glrlmCounts(
  region: TextureRegion,
  settings: TextureSettings,
  allocate: (length: number) => Int32Array,
): { matrices: Int32Array[]; vectors: number[][]; columns: number } {
  const directions = halfDirections(region.paddedSize, force2DAxisOf(settings));
  const columns = Math.max(region.extent[0], region.extent[1], region.extent[2]);
  const matrixSize = region.levels.length * columns;
  const counts = allocate(directions.length * matrixSize);
  if (directions.length === 13 && columns <= 0xffff) runCounts13(region, directions, columns, counts);
  else runCountsByDirection(region, directions, columns, counts);

  const matrices = directions.map((direction, d) => {
    const matrix = counts.subarray(d * matrixSize, (d + 1) * matrixSize);
    // Some run is longer than one voxel or touches another run exactly when some ROI voxel has a ROI neighbour
    // along δ. A run longer than one voxel shows in the matrix; otherwise the neighbours are looked up.
    if (!hasLongRun(matrix, columns) && !hasRoiNeighbourAlong(region, direction.offset) && !hasTwoRoiVoxelsOnALine(region, direction.vector)) {
      matrix.fill(0);
    }
    return matrix;
  });
  return { matrices, vectors: directions.map((direction) => [...direction.vector]), columns };
}

/**
 * Run counts of every direction, L × R per direction, one direction after the other: entry (level − 1, length − 1)
 * counts the runs of that level and length. The length of the run ending at each voxel is kept for the direction
 * being scanned. Every half-direction has a positive padded offset and the ROI indices ascend, so the voxel before
 * v along δ is always scanned before v. The buffer is reused between calls, and a stale value is only read where
 * `continues` is 0, which cancels it.
 */
function runCountsByDirection(region: TextureRegion, directions: readonly Direction[], columns: number, counts: Int32Array): void {
  const { levelCodes, roiIndices } = region;
  const matrixSize = region.levels.length * columns;
  const runLengths = scratchInt32('glrlm-run-lengths', levelCodes.length);
  directions.forEach((direction, d) => {
    const offset = direction.offset;
    const start = d * matrixSize - 1;
    for (let r = 0; r < roiIndices.length; r++) {
      const v = roiIndices[r];
      const code = levelCodes[v];
      // Branch-free: continues = 1 when the previous voxel has the same grey level, ends = 1 when the next differs.
      const fromPrevious = levelCodes[v - offset] - code;
      const continues = ((fromPrevious | -fromPrevious) >>> 31) ^ 1;
      const length = 1 + continues * runLengths[v - offset];
      runLengths[v] = length;
      const toNext = levelCodes[v + offset] - code;
      counts[start + (code - 1) * columns + length] += (toNext | -toNext) >>> 31;
    }
  });
}

/**
 * Counts the runs of the 13 directions of 3-D texture in one pass over the ROI, with a 16-bit ring buffer of run
 * lengths per direction, the offsets in local variables and the step of each direction written out. V8 does not
 * unroll loops, and this form took about 40 % less time on the PAT1 sub-bands than 13 passes. Run lengths fit 16
 * bits because the caller uses this only when no ROI extent exceeds 65,535 voxels.
 */
function runCounts13(region: TextureRegion, directions: readonly Direction[], columns: number, counts: Int32Array): void {
  const { offsets, rings, mask } = ringBuffers(directions);
  runCounts13Pass(region.levelCodes, region.roiIndices, offsets, rings, mask, region.levels.length * columns, columns, counts);
}

/**
 * Returns the offsets of the directions as an Int32Array and a ring buffer of run lengths for each. The run
 * length at v is read back only at v + δ, less than `ring` voxels later, so each direction keeps the last `ring`
 * values, a few hundred kilobytes in all that stay in the core's cache.
 */
function ringBuffers(directions: readonly Direction[]): { offsets: Int32Array; rings: Uint16Array[]; mask: number } {
  const offsets = Int32Array.from(directions, (direction) => direction.offset);
  let ring = 1;
  while (ring <= Math.max(...offsets)) ring *= 2;
  const rings = directions.map((_, d) => scratchUint16(`glrlm-run-lengths-${d}`, ring));
  return { offsets, rings, mask: ring - 1 };
}

/**
 * Runs the pass of runCounts13. It takes typed arrays and numbers only, and reads them by index: with array
 * destructuring and `map` here, V8 discarded the optimised code of this large function (25 ms to compile) three
 * times in the first extractions of a process.
 */
function runCounts13Pass(
  levelCodes: Uint16Array,
  roiIndices: Int32Array,
  offsets: Int32Array,
  rings: readonly Uint16Array[],
  mask: number,
  matrixSize: number,
  columns: number,
  counts: Int32Array,
): void {
  // The offsets, ring buffers and matrix starts of the 13 directions, in locals.
  const o0 = offsets[0];
  const o1 = offsets[1];
  const o2 = offsets[2];
  const o3 = offsets[3];
  const o4 = offsets[4];
  const o5 = offsets[5];
  const o6 = offsets[6];
  const o7 = offsets[7];
  const o8 = offsets[8];
  const o9 = offsets[9];
  const o10 = offsets[10];
  const o11 = offsets[11];
  const o12 = offsets[12];

  const r0 = rings[0];
  const r1 = rings[1];
  const r2 = rings[2];
  const r3 = rings[3];
  const r4 = rings[4];
  const r5 = rings[5];
  const r6 = rings[6];
  const r7 = rings[7];
  const r8 = rings[8];
  const r9 = rings[9];
  const r10 = rings[10];
  const r11 = rings[11];
  const r12 = rings[12];

  const m1 = matrixSize;
  const m2 = 2 * matrixSize;
  const m3 = 3 * matrixSize;
  const m4 = 4 * matrixSize;
  const m5 = 5 * matrixSize;
  const m6 = 6 * matrixSize;
  const m7 = 7 * matrixSize;
  const m8 = 8 * matrixSize;
  const m9 = 9 * matrixSize;
  const m10 = 10 * matrixSize;
  const m11 = 11 * matrixSize;
  const m12 = 12 * matrixSize;

  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const code = levelCodes[v];
    const row = (code - 1) * columns - 1;
    let fromPrevious: number;
    let toNext: number;
    let length: number;
    fromPrevious = levelCodes[v - o0] - code;
    toNext = levelCodes[v + o0] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r0[(v - o0) & mask];
    r0[v & mask] = length;
    counts[row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o1] - code;
    toNext = levelCodes[v + o1] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r1[(v - o1) & mask];
    r1[v & mask] = length;
    counts[m1 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o2] - code;
    toNext = levelCodes[v + o2] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r2[(v - o2) & mask];
    r2[v & mask] = length;
    counts[m2 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o3] - code;
    toNext = levelCodes[v + o3] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r3[(v - o3) & mask];
    r3[v & mask] = length;
    counts[m3 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o4] - code;
    toNext = levelCodes[v + o4] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r4[(v - o4) & mask];
    r4[v & mask] = length;
    counts[m4 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o5] - code;
    toNext = levelCodes[v + o5] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r5[(v - o5) & mask];
    r5[v & mask] = length;
    counts[m5 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o6] - code;
    toNext = levelCodes[v + o6] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r6[(v - o6) & mask];
    r6[v & mask] = length;
    counts[m6 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o7] - code;
    toNext = levelCodes[v + o7] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r7[(v - o7) & mask];
    r7[v & mask] = length;
    counts[m7 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o8] - code;
    toNext = levelCodes[v + o8] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r8[(v - o8) & mask];
    r8[v & mask] = length;
    counts[m8 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o9] - code;
    toNext = levelCodes[v + o9] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r9[(v - o9) & mask];
    r9[v & mask] = length;
    counts[m9 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o10] - code;
    toNext = levelCodes[v + o10] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r10[(v - o10) & mask];
    r10[v & mask] = length;
    counts[m10 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o11] - code;
    toNext = levelCodes[v + o11] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r11[(v - o11) & mask];
    r11[v & mask] = length;
    counts[m11 + row + length] += (toNext | -toNext) >>> 31;

    fromPrevious = levelCodes[v - o12] - code;
    toNext = levelCodes[v + o12] - code;
    length = 1 + (((fromPrevious | -fromPrevious) >>> 31) ^ 1) * r12[(v - o12) & mask];
    r12[v & mask] = length;
    counts[m12 + row + length] += (toNext | -toNext) >>> 31;
  }
}

/** Returns whether a direction's matrix counts a run of two voxels or more. */
function hasLongRun(matrix: Int32Array, columns: number): boolean {
  for (let e = 0; e < matrix.length; e++) if (matrix[e] !== 0 && e % columns !== 0) return true;
  return false;
}

/** Returns whether some ROI voxel has a ROI neighbour at padded offset `offset`. */
function hasRoiNeighbourAlong(region: TextureRegion, offset: number): boolean {
  for (let r = 0; r < region.roiIndices.length; r++) if (region.levelCodes[region.roiIndices[r] + offset] !== 0) return true;
  return false;
}

/** Whether any line along `vector` holds two ROI voxels, possibly separated by background. */
function hasTwoRoiVoxelsOnALine(region: TextureRegion, vector: readonly number[]): boolean {
  const [px, py, pz] = region.paddedSize;
  const offset = vector[0] + px * (vector[1] + py * vector[2]);
  for (let r = 0; r < region.roiIndices.length; r++) {
    const v = region.roiIndices[r];
    let i = v % px;
    let j = Math.floor(v / px) % py;
    let k = Math.floor(v / (px * py));
    let w = v;
    for (;;) {
      i += vector[0];
      j += vector[1];
      k += vector[2];
      if (i < 0 || j < 0 || k < 0 || i >= px || j >= py || k >= pz) break;
      w += offset;
      if (region.levelCodes[w] !== 0) return true;
    }
  }
  return false;
}

/** Computes the 16 GLRLM features. */
export function computeGlrlm(region: TextureRegion, settings: TextureSettings = {}): Record<GlrlmFeatureName, number> {
  const { matrices, vectors, columns } = glrlmCounts(region, settings, (length) => scratchInt32('glrlm-counts', length).fill(0));
  let combined: (Int32Array | Float64Array)[] = matrices;
  if (settings.weightingNorm) {
    const merged = new Float64Array(matrices[0]?.length ?? 0);
    matrices.forEach((counts, d) => {
      const weight = glrlmWeight(settings.weightingNorm as string, vectors[d], region.spacing);
      for (let e = 0; e < merged.length; e++) merged[e] += counts[e] * weight;
    });
    combined = [merged];
  }

  const rows: Float64Array[] = [];
  for (const counts of combined) {
    const matrix = denseToSizeMatrix(counts, region.levels, columns);
    if (matrix.count.length === 0 && combined.length > 1) continue;
    rows.push(glrlmRow(sizeMatrixStatistics(matrix)));
  }
  const result = {} as Record<GlrlmFeatureName, number>;
  const column = new Float64Array(rows.length);
  GLRLM_FEATURE_NAMES.forEach((name, f) => {
    for (let r = 0; r < rows.length; r++) column[r] = rows[r][f];
    result[name] = nanMean(column);
  });
  return result;
}

function glrlmRow(s: SizeMatrixStatistics): Float64Array {
  return Float64Array.of(
    s.greyLevelNonUniformity,
    s.greyLevelNonUniformityNormalised,
    s.greyLevelVariance,
    s.highGreyLevelEmphasis,
    s.largeEmphasis,
    s.largeHighGreyLevelEmphasis,
    s.largeLowGreyLevelEmphasis,
    s.lowGreyLevelEmphasis,
    s.entropy,
    s.sizeNonUniformity,
    s.sizeNonUniformityNormalised,
    s.total / s.coveredVoxels,
    s.sizeVariance,
    s.smallEmphasis,
    s.smallHighGreyLevelEmphasis,
    s.smallLowGreyLevelEmphasis,
  );
}
