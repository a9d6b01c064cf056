/**
 * One pass over the ROI voxels and their neighbours at distance 1: 26 in 3-D (8 in-plane with force2D), of which
 * the 13 half-directions (4 with force2D) give each unordered pair once. It collects the GLCM counts per direction,
 * the number of dependent neighbours of each voxel (GLDM) and the number and grey-level sum of each voxel's ROI
 * neighbours (NGTDM). The result is cached per texture region, so the three classes share the pass.
 */
import { halfDirections, type Direction, type TextureRegion } from './region';
import { force2DAxisOf, type TextureSettings } from './texture-settings';

export interface NeighbourhoodSummary {
  readonly directions: readonly Direction[];
  /** Asymmetric GLCM counts per direction: L × L, row = level index of v, column = level index of v + δ. */
  readonly cooccurrence: readonly Float64Array[];
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

  const summary = computeSummary(region, halfDirections(region.paddedSize, axis), alpha);
  if (!perRegion) {
    perRegion = new Map();
    cache.set(region, perRegion);
  }
  perRegion.set(key, summary);
  return summary;
}

/**
 * Gathers the neighbours of each ROI voxel v at once, so that the GLDM and NGTDM tallies of v stay in local
 * variables instead of being written to both voxels of each pair. GLCM counts take (v, v + δ) along the
 * half-directions only, so each unordered pair counts once per direction. Bin differences are integers, so
 * |i − j| ≤ α equals |i − j| ≤ ⌊α⌋, which is tested without a branch.
 */
function computeSummary(region: TextureRegion, directions: Direction[], alpha: number): NeighbourhoodSummary {
  const { levelCodes, roiIndices } = region;
  const levelCount = region.levels.length;
  // Bin number of each level code (0 for background), so the pass reads the 16-bit codes only.
  const binOfCode = new Int32Array(levelCount + 1);
  for (let code = 1; code <= levelCount; code++) binOfCode[code] = region.levels[code - 1];
  const matrixSize = levelCount * levelCount;
  const halfCount = directions.length;
  const flatCounts = new Float64Array(halfCount * matrixSize);
  const cooccurrence = directions.map((_, d) => flatCounts.subarray(d * matrixSize, (d + 1) * matrixSize));
  const offsets = new Int32Array(2 * halfCount);
  for (let d = 0; d < halfCount; d++) {
    offsets[d] = directions[d].offset;
    offsets[halfCount + d] = -directions[d].offset;
  }
  const tolerance = alpha >= 0 ? Math.min(Math.floor(alpha), 0x3fffffff) : -1;

  const columns = 2 * halfCount + 1;
  const dependence = new Float64Array(levelCount * columns);
  const voxelCounts = new Float64Array(levelCount);
  const differences = new Float64Array(levelCount);
  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const code = levelCodes[v] - 1;
    const bin = binOfCode[code + 1];
    const row = code * levelCount - 1;
    let neighbours = 0;
    let dependent = 0;
    let neighbourSum = 0;
    for (let d = 0; d < halfCount; d++) {
      const neighbourCode = levelCodes[v + offsets[d]];
      if (neighbourCode === 0) continue;
      flatCounts[d * matrixSize + row + neighbourCode]++;
      const neighbourBin = binOfCode[neighbourCode];
      neighbours++;
      neighbourSum += neighbourBin;
      const difference = neighbourBin - bin;
      const magnitude = (difference ^ (difference >> 31)) - (difference >> 31);
      dependent += ((tolerance - magnitude) >>> 31) ^ 1;
    }
    for (let d = halfCount; d < offsets.length; d++) {
      const neighbourCode = levelCodes[v + offsets[d]];
      if (neighbourCode === 0) continue;
      const neighbourBin = binOfCode[neighbourCode];
      neighbours++;
      neighbourSum += neighbourBin;
      const difference = neighbourBin - bin;
      const magnitude = (difference ^ (difference >> 31)) - (difference >> 31);
      dependent += ((tolerance - magnitude) >>> 31) ^ 1;
    }
    dependence[code * columns + dependent]++;
    voxelCounts[code]++;
    if (neighbours > 0) differences[code] += Math.abs(bin - neighbourSum / neighbours);
  }
  return { directions, cooccurrence, dependence, dependenceColumns: columns, voxelCounts, differences };
}
