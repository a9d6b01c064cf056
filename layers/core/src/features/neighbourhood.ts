/**
 * One pass over every pair of neighbouring ROI voxels, each pair visited once along the 13 half-directions of
 * distance 1 (4 in-plane with force2D). It collects the GLCM counts per direction, the number of dependent
 * neighbours of each voxel (GLDM) and the number and grey-level sum of each voxel's ROI neighbours (NGTDM).
 * The result is cached per texture region, so the three classes share the pass.
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

function computeSummary(region: TextureRegion, directions: Direction[], alpha: number): NeighbourhoodSummary {
  const { bins, levelCodes, roiIndices } = region;
  const levelCount = region.levels.length;
  const cooccurrence = directions.map(() => new Float64Array(levelCount * levelCount));
  const neighbourCounts = new Uint8Array(bins.length);
  const dependentCounts = new Uint8Array(bins.length);
  const neighbourSums = new Float64Array(bins.length);

  for (let d = 0; d < directions.length; d++) {
    const offset = directions[d].offset;
    const counts = cooccurrence[d];
    for (let r = 0; r < roiIndices.length; r++) {
      const v = roiIndices[r];
      const w = v + offset;
      const neighbourBin = bins[w];
      if (neighbourBin === 0) continue;
      const bin = bins[v];
      counts[(levelCodes[v] - 1) * levelCount + levelCodes[w] - 1]++;
      neighbourCounts[v]++;
      neighbourCounts[w]++;
      neighbourSums[v] += neighbourBin;
      neighbourSums[w] += bin;
      const difference = neighbourBin - bin;
      if (difference <= alpha && difference >= -alpha) {
        dependentCounts[v]++;
        dependentCounts[w]++;
      }
    }
  }

  const columns = 2 * directions.length + 1;
  const dependence = new Float64Array(levelCount * columns);
  const voxelCounts = new Float64Array(levelCount);
  const differences = new Float64Array(levelCount);
  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const code = levelCodes[v] - 1;
    dependence[code * columns + dependentCounts[v]]++;
    voxelCounts[code]++;
    const neighbours = neighbourCounts[v];
    if (neighbours > 0) differences[code] += Math.abs(bins[v] - neighbourSums[v] / neighbours);
  }
  return { directions, cooccurrence, dependence, dependenceColumns: columns, voxelCounts, differences };
}
