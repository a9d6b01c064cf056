/**
 * Grey level size zone matrix (GLSZM) features, PyRadiomics definitions.
 *
 * P(i, j) counts zones: groups of ROI voxels with grey level i connected through their 26 neighbours
 * (8 in-plane neighbours with force2D), of size j voxels. With N_z = Σ P zones and N_p ROI voxels, the features
 * are those of `sizeMatrixStatistics` with j the zone size (IBSI 3D codes in brackets, all equal to IBSI):
 * SmallAreaEmphasis (5QRC), LargeAreaEmphasis (48P8), GrayLevelNonUniformity (JNSA),
 * GrayLevelNonUniformityNormalized (Y1RO), SizeZoneNonUniformity (4JP3), SizeZoneNonUniformityNormalized
 * (VB3A), ZonePercentage = N_z / N_p (P30P), GrayLevelVariance (BYLV), ZoneVariance (3NSA), ZoneEntropy (GU8N),
 * LowGrayLevelZoneEmphasis (XMSY), HighGrayLevelZoneEmphasis (5GN9), SmallAreaLowGrayLevelEmphasis (5RAI),
 * SmallAreaHighGrayLevelEmphasis (HW1V), LargeAreaLowGrayLevelEmphasis (YH51), LargeAreaHighGrayLevelEmphasis
 * (J17V).
 */
import { neighbourOffsets, type TextureRegion } from './region';
import { scratchInt32, scratchUint16 } from '../scratch';
import { sizeMatrixStatistics, type SizeMatrix } from './size-matrix';
import { force2DAxisOf, type TextureSettings } from './texture-settings';

export const GLSZM_FEATURE_NAMES = [
  'GrayLevelNonUniformity',
  'GrayLevelNonUniformityNormalized',
  'GrayLevelVariance',
  'HighGrayLevelZoneEmphasis',
  'LargeAreaEmphasis',
  'LargeAreaHighGrayLevelEmphasis',
  'LargeAreaLowGrayLevelEmphasis',
  'LowGrayLevelZoneEmphasis',
  'SizeZoneNonUniformity',
  'SizeZoneNonUniformityNormalized',
  'SmallAreaEmphasis',
  'SmallAreaHighGrayLevelEmphasis',
  'SmallAreaLowGrayLevelEmphasis',
  'ZoneEntropy',
  'ZonePercentage',
  'ZoneVariance',
] as const;

export type GlszmFeatureName = (typeof GLSZM_FEATURE_NAMES)[number];

/** Zones of the ROI as a size matrix: connected components of equal grey level. */
export function glszmMatrix(region: TextureRegion, settings: TextureSettings): SizeMatrix {
  const offsets = neighbourOffsets(region.paddedSize, force2DAxisOf(settings));
  const { roiIndices } = region;
  // A private copy of the level codes doubles as the visited marker: a voxel's code is cleared when queued.
  const unvisited = scratchUint16('glszm-unvisited', region.levelCodes.length);
  unvisited.set(region.levelCodes);
  const stack = scratchInt32('glszm-stack', roiIndices.length);
  const zoneCodes: number[] = [];
  let maxSize = 0;
  const zoneLevels: number[] = [];
  const zoneSizes: number[] = [];
  for (let r = 0; r < roiIndices.length; r++) {
    const seed = roiIndices[r];
    const code = unvisited[seed];
    if (code === 0) continue;
    unvisited[seed] = 0;
    let top = 0;
    stack[top++] = seed;
    let size = 0;
    while (top > 0) {
      const v = stack[--top];
      size++;
      for (let o = 0; o < offsets.length; o++) {
        const w = v + offsets[o];
        if (unvisited[w] === code) {
          unvisited[w] = 0;
          stack[top++] = w;
        }
      }
    }
    zoneLevels.push(code);
    zoneSizes.push(size);
    if (size > maxSize) maxSize = size;
  }

  // Order zones by (level, size) so that entries group by level, then count equal pairs.
  for (let z = 0; z < zoneLevels.length; z++) zoneCodes.push(zoneLevels[z] * (maxSize + 1) + zoneSizes[z]);
  const sorted = Float64Array.from(zoneCodes).sort();
  const level: number[] = [];
  const size: number[] = [];
  const count: number[] = [];
  for (let z = 0; z < sorted.length; z++) {
    if (z > 0 && sorted[z] === sorted[z - 1]) {
      count[count.length - 1]++;
      continue;
    }
    const code = sorted[z];
    const levelCode = Math.floor(code / (maxSize + 1));
    level.push(region.levels[levelCode - 1]);
    size.push(code - levelCode * (maxSize + 1));
    count.push(1);
  }
  return { level: Float64Array.from(level), size: Float64Array.from(size), count: Float64Array.from(count) };
}

/** Computes the 16 GLSZM features. */
export function computeGlszm(region: TextureRegion, settings: TextureSettings = {}): Record<GlszmFeatureName, number> {
  const s = sizeMatrixStatistics(glszmMatrix(region, settings));
  const voxelCount = region.roiIndices.length;
  return {
    GrayLevelNonUniformity: s.greyLevelNonUniformity,
    GrayLevelNonUniformityNormalized: s.greyLevelNonUniformityNormalised,
    GrayLevelVariance: s.greyLevelVariance,
    HighGrayLevelZoneEmphasis: s.highGreyLevelEmphasis,
    LargeAreaEmphasis: s.largeEmphasis,
    LargeAreaHighGrayLevelEmphasis: s.largeHighGreyLevelEmphasis,
    LargeAreaLowGrayLevelEmphasis: s.largeLowGreyLevelEmphasis,
    LowGrayLevelZoneEmphasis: s.lowGreyLevelEmphasis,
    SizeZoneNonUniformity: s.sizeNonUniformity,
    SizeZoneNonUniformityNormalized: s.sizeNonUniformityNormalised,
    SmallAreaEmphasis: s.smallEmphasis,
    SmallAreaHighGrayLevelEmphasis: s.smallHighGreyLevelEmphasis,
    SmallAreaLowGrayLevelEmphasis: s.smallLowGreyLevelEmphasis,
    ZoneEntropy: s.entropy,
    ZonePercentage: s.total / voxelCount,
    ZoneVariance: s.sizeVariance,
  };
}
