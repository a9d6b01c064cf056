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
  // Zones are counted per (level, size) as they are found, in order of level, then size. Sizes up to
  // DENSE_SIZES go to a table, the rare larger zones are sorted by level · (maxSize + 1) + size.
  const levelCount = region.levels.length;
  const zones: Zones = { table: new Int32Array((levelCount + 1) * DENSE_SIZES), large: [] };
  if (offsets.length === 26) fillZones26(roiIndices, offsets, unvisited, stack, zones);
  else fillZones(roiIndices, offsets, unvisited, stack, zones);
  const { table } = zones;
  let maxSize = 0;
  for (let z = 1; z < zones.large.length; z += 2) maxSize = Math.max(maxSize, zones.large[z]);
  const largeZones: number[] = [];
  for (let z = 0; z < zones.large.length; z += 2) largeZones.push(zones.large[z] * (maxSize + 1) + zones.large[z + 1]);
  largeZones.sort((x, y) => x - y);

  const level: number[] = [];
  const size: number[] = [];
  const count: number[] = [];
  let nextLarge = 0;
  for (let code = 1; code <= levelCount; code++) {
    for (let zoneSize = 1; zoneSize <= DENSE_SIZES; zoneSize++) {
      const zonesOfSize = table[code * DENSE_SIZES + zoneSize - 1];
      if (zonesOfSize === 0) continue;
      level.push(region.levels[code - 1]);
      size.push(zoneSize);
      count.push(zonesOfSize);
    }
    while (nextLarge < largeZones.length && Math.floor(largeZones[nextLarge] / (maxSize + 1)) === code) {
      const zoneSize = largeZones[nextLarge] - code * (maxSize + 1);
      if (size.length > 0 && level[level.length - 1] === region.levels[code - 1] && size[size.length - 1] === zoneSize) {
        count[count.length - 1]++;
      } else {
        level.push(region.levels[code - 1]);
        size.push(zoneSize);
        count.push(1);
      }
      nextLarge++;
    }
  }
  return { level: Float64Array.from(level), size: Float64Array.from(size), count: Float64Array.from(count) };
}

/** Largest zone size counted in the dense table of each level; the few larger zones are sorted instead. */
const DENSE_SIZES = 64;

/**
 * The zones found: those of up to DENSE_SIZES voxels counted in `table` at code · DENSE_SIZES + size − 1, and the
 * level code and size of each larger one in `large`, as pairs. A list of every zone would grow to tens of
 * thousands of entries for a high-pass sub-band.
 */
interface Zones {
  readonly table: Int32Array;
  readonly large: number[];
}

/** Counts one zone in the dense table, or lists it when it is larger than DENSE_SIZES voxels. */
function countZone(zones: Zones, code: number, size: number): void {
  if (size <= DENSE_SIZES) zones.table[code * DENSE_SIZES + size - 1]++;
  else zones.large.push(code, size);
}

/**
 * Finds the zones by depth-first flood fill from each ROI voxel not yet reached, in scan order, over any set of
 * neighbour offsets (the 8 in-plane ones with force2D).
 */
function fillZones(roiIndices: Int32Array, offsets: Int32Array, unvisited: Uint16Array, stack: Int32Array, zones: Zones): void {
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
    countZone(zones, code, size);
  }
}

/**
 * Finds the zones by the same flood fill for the 26 neighbours of 3-D texture, with the 13 offset pairs held in
 * local variables and the neighbour loop written out. V8 does not unroll the loop over an offset array, and this
 * form took about a third less time on the PAT1 sub-bands. `offsets` lists the 13 half-direction offsets, then
 * their negatives.
 */
function fillZones26(roiIndices: Int32Array, offsets: Int32Array, unvisited: Uint16Array, stack: Int32Array, zones: Zones): void {
  const [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12] = offsets;
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
      let w: number;
      w = v + o0;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o0;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o1;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o1;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o2;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o2;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o3;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o3;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o4;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o4;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o5;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o5;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o6;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o6;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o7;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o7;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o8;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o8;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o9;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o9;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o10;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o10;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o11;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o11;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v + o12;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
      w = v - o12;
      if (unvisited[w] === code) {
        unvisited[w] = 0;
        stack[top++] = w;
      }
    }
    countZone(zones, code, size);
  }
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
