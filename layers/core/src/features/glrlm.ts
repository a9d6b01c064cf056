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
import { scratchInt32 } from '../scratch';
import { halfDirections, type TextureRegion } from './region';
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
  const directions = halfDirections(region.paddedSize, force2DAxisOf(settings));
  const levelCount = region.levels.length;
  const columns = Math.max(region.extent[0], region.extent[1], region.extent[2]);
  const { levelCodes, roiIndices } = region;
  const matrices: Float64Array[] = [];
  // Length of the run ending at each voxel, for the direction being scanned. Every half-direction has a positive
  // padded offset and roiIndices ascend, so the voxel before v along δ is always scanned before v.
  // Reused between calls: a stale value is only read where `continues` is 0, which cancels it.
  const runLengths = scratchInt32('glrlm-run-lengths', levelCodes.length);
  for (const direction of directions) {
    const counts = new Float64Array(levelCount * columns);
    const offset = direction.offset;
    let neighbourInRoi = 0;
    for (let r = 0; r < roiIndices.length; r++) {
      const v = roiIndices[r];
      const code = levelCodes[v];
      // Branch-free: continues = 1 when the previous voxel has the same grey level, ends = 1 when the next differs.
      const fromPrevious = levelCodes[v - offset] - code;
      const continues = ((fromPrevious | -fromPrevious) >>> 31) ^ 1;
      const length = 1 + continues * runLengths[v - offset];
      runLengths[v] = length;
      const next = levelCodes[v + offset];
      const toNext = next - code;
      const ends = (toNext | -toNext) >>> 31;
      counts[(code - 1) * columns + length - 1] += ends;
      neighbourInRoi |= next;
    }
    // Some run is longer than one voxel or touches another run exactly when some ROI voxel has a ROI neighbour along δ.
    const multiElement = neighbourInRoi !== 0;
    if (!multiElement && !hasTwoRoiVoxelsOnALine(region, direction.vector)) counts.fill(0);
    matrices.push(counts);
  }
  return { matrices, vectors: directions.map((direction) => [...direction.vector]), columns };
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
  const { matrices, vectors, columns } = glrlmMatrices(region, settings);
  let combined = matrices;
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
