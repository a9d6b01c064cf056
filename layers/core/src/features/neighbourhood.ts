/**
 * One pass over every ROI voxel's neighbourhood (26 neighbours, 8 in-plane with force2D) that collects what
 * both the GLDM and the NGTDM need: the number of dependent neighbours and the sum of the neighbours' grey
 * levels. The result is cached per texture region, so the two classes share the pass.
 */
import { neighbourOffsets, type TextureRegion } from './region';
import { force2DAxisOf, type TextureSettings } from './texture-settings';

export interface NeighbourhoodSummary {
  /** GLDM counts: row = level index, column = number of dependent neighbours (0 … neighbours). */
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

  const offsets = neighbourOffsets(region.paddedSize, axis);
  const { bins, levelCodes, roiIndices } = region;
  const levelCount = region.levels.length;
  const columns = offsets.length + 1;
  const dependence = new Float64Array(levelCount * columns);
  const voxelCounts = new Float64Array(levelCount);
  const differences = new Float64Array(levelCount);
  const offsetCount = offsets.length;

  for (let r = 0; r < roiIndices.length; r++) {
    const v = roiIndices[r];
    const bin = bins[v];
    let neighbours = 0;
    let sum = 0;
    let dependent = 0;
    for (let o = 0; o < offsetCount; o++) {
      const neighbour = bins[v + offsets[o]];
      if (neighbour === 0) continue;
      neighbours++;
      sum += neighbour;
      const difference = neighbour - bin;
      if (difference <= alpha && difference >= -alpha) dependent++;
    }
    const code = levelCodes[v] - 1;
    dependence[code * columns + dependent]++;
    voxelCounts[code]++;
    if (neighbours > 0) differences[code] += Math.abs(bin - sum / neighbours);
  }

  const summary = { dependence, dependenceColumns: columns, voxelCounts, differences };
  if (!perRegion) {
    perRegion = new Map();
    cache.set(region, perRegion);
  }
  perRegion.set(key, summary);
  return summary;
}
