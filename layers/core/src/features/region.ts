/**
 * The ROI as the feature classes consume it: intensities in scan order and, for texture, a discretised copy on
 * a grid padded by one voxel of background on every side, so that neighbour look-ups need no bounds checks.
 */
import { RadiomicsError } from '../errors';
import type { Vec3 } from '../image/volume';
import { discretise, type Discretisation, type DiscretisationSettings } from './discretisation';

/** A (usually cropped) image block with its ROI mask, i fastest as in ImageVolume. */
export interface FeatureInput {
  /** Intensities; only voxels inside the mask are read. */
  readonly image: ArrayLike<number>;
  /** 1 inside the ROI, 0 outside. */
  readonly mask: ArrayLike<number>;
  readonly size: Vec3;
  /** Voxel spacing in mm along i, j, k. */
  readonly spacing: Vec3;
  /** Positions of the ROI voxels of `mask`, when computed once and shared by every image of one lesion. */
  readonly layout?: RoiLayout;
}

/** Positions of the ROI voxels of a mask, which every image type of a lesion shares. */
export interface RoiLayout {
  /** Linear index in the (unpadded) input grid of every ROI voxel, in scan order. */
  readonly inputIndices: Int32Array;
  /** Linear index in the grid padded by one voxel on every side, in scan order. */
  readonly paddedIndices: Int32Array;
  /** Extent of the ROI bounding box in voxels along i, j, k. */
  readonly extent: Vec3;
}

/** Lists the ROI voxels of a mask of the given size, in scan order (k slowest, i fastest). */
export function roiLayout(mask: ArrayLike<number>, size: Vec3): RoiLayout {
  const [nx, ny, nz] = size;
  const px = nx + 2;
  const py = ny + 2;
  let count = 0;
  for (let v = 0; v < nx * ny * nz; v++) if (mask[v]) count++;
  const inputIndices = new Int32Array(count);
  const paddedIndices = new Int32Array(count);
  let next = 0;
  let minI = nx;
  let minJ = ny;
  let minK = nz;
  let maxI = -1;
  let maxJ = -1;
  let maxK = -1;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      const paddedRow = 1 + px * (j + 1 + py * (k + 1));
      for (let i = 0; i < nx; i++) {
        if (!mask[row + i]) continue;
        inputIndices[next] = row + i;
        paddedIndices[next++] = paddedRow + i;
        if (i < minI) minI = i;
        if (i > maxI) maxI = i;
        if (j < minJ) minJ = j;
        if (j > maxJ) maxJ = j;
        if (k < minK) minK = k;
        if (k > maxK) maxK = k;
      }
    }
  }
  return { inputIndices, paddedIndices, extent: [maxI - minI + 1, maxJ - minJ + 1, maxK - minK + 1] };
}

/**
 * Intensities of the ROI voxels in scan order (k slowest, i fastest), as PyRadiomics' `image[mask]`. `allocate`
 * supplies the output array, which is written in full (a caller may pass a reused work buffer).
 */
export function roiIntensities(input: FeatureInput, allocate: (length: number) => Float64Array = (length) => new Float64Array(length)): Float64Array {
  const { image, mask } = input;
  const total = input.size[0] * input.size[1] * input.size[2];
  if (image.length !== total || mask.length !== total) {
    throw new RadiomicsError('INTERNAL_ERROR', `Feature input arrays hold ${image.length} and ${mask.length} voxels, expected ${total}.`);
  }
  if (input.layout) {
    const { inputIndices } = input.layout;
    if (inputIndices.length === 0) throw new RadiomicsError('EMPTY_ROI', 'The ROI has no voxels, so no feature can be computed.');
    const gathered = allocate(inputIndices.length);
    for (let r = 0; r < inputIndices.length; r++) gathered[r] = image[inputIndices[r]];
    return gathered;
  }
  let count = 0;
  for (let v = 0; v < total; v++) if (mask[v]) count++;
  if (count === 0) throw new RadiomicsError('EMPTY_ROI', 'The ROI has no voxels, so no feature can be computed.');
  const values = allocate(count);
  let next = 0;
  for (let v = 0; v < total; v++) if (mask[v]) values[next++] = image[v];
  return values;
}

/**
 * Largest number of grey levels present in the ROI that the texture classes accept. The GLCM keeps an L × L
 * matrix per direction (13 × 1024² doubles = 109 MB at the limit) and the GLRLM an L × (longest run) one, so a
 * bin width far too small for the intensity range would exhaust a worker's memory. PyRadiomics has no such limit.
 */
export const MAX_TEXTURE_GREY_LEVELS = 1024;

/** Discretised ROI on a padded grid, shared by the texture classes of one image type. */
export interface TextureRegion {
  /** Padded grid size (input size + 2 along each axis). */
  readonly paddedSize: Vec3;
  /** Index into `levels` plus 1 for each padded voxel, 0 outside the ROI. */
  readonly levelCodes: Uint16Array;
  /** Padded linear index of every ROI voxel, in scan order. */
  readonly roiIndices: Int32Array;
  /** Bin numbers present in the ROI, ascending; the matrices are indexed by position in this list. */
  readonly levels: Float64Array;
  /** Largest bin number (PyRadiomics' Ng), used by Idmn and Idn. */
  readonly maxBin: number;
  readonly spacing: Vec3;
  /** Extent of the ROI bounding box in voxels along i, j, k. */
  readonly extent: Vec3;
}

/**
 * Discretises the ROI and lays it on a padded grid. `roiValues` and `discretisation` may be passed when the
 * first-order features already computed them. `allocateGrid` supplies the zero-filled grid of level codes.
 */
export function buildTextureRegion(
  input: FeatureInput,
  settings: DiscretisationSettings,
  roiValues = roiIntensities(input),
  discretisation: Discretisation = discretise(roiValues, settings),
  allocateGrid: (length: number) => Uint16Array = (length) => new Uint16Array(length),
): TextureRegion {
  const [nx, ny, nz] = input.size;
  const px = nx + 2;
  const py = ny + 2;
  const pz = nz + 2;
  const layout = input.layout ?? roiLayout(input.mask, input.size);
  const roiIndices = layout.paddedIndices;
  if (roiIndices.length !== roiValues.length || discretisation.bins.length !== roiValues.length) {
    throw new RadiomicsError('INTERNAL_ERROR', `The ROI has ${roiIndices.length} voxels but ${roiValues.length} values and ${discretisation.bins.length} bins.`);
  }
  const codeOfBin = new Int32Array(discretisation.maxBin + 1);
  const levelList: number[] = [];
  for (let bin = 1; bin <= discretisation.maxBin; bin++) {
    if (discretisation.binCounts[bin] > 0) {
      levelList.push(bin);
      codeOfBin[bin] = levelList.length;
    }
  }
  if (levelList.length > MAX_TEXTURE_GREY_LEVELS) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Discretisation gives ${levelList.length} grey levels in the ROI; texture features accept at most ${MAX_TEXTURE_GREY_LEVELS}. Use a larger binWidth or a binCount of at most ${MAX_TEXTURE_GREY_LEVELS}.`,
      { details: { greyLevels: levelList.length, limit: MAX_TEXTURE_GREY_LEVELS } },
    );
  }
  // At most MAX_TEXTURE_GREY_LEVELS levels, so the codes fit 16 bits and the grid stays small in cache.
  const levelCodes = allocateGrid(px * py * pz);
  for (let r = 0; r < roiIndices.length; r++) {
    levelCodes[roiIndices[r]] = codeOfBin[discretisation.bins[r]];
  }

  return {
    paddedSize: [px, py, pz],
    levelCodes,
    roiIndices,
    levels: Float64Array.from(levelList),
    maxBin: discretisation.maxBin,
    spacing: input.spacing,
    extent: layout.extent,
  };
}

/** A neighbour direction (di, dj, dk) and its padded-grid index offset. */
export interface Direction {
  readonly vector: Vec3;
  readonly offset: number;
}

/**
 * The 13 directions of distance 1 with the first non-zero component of (dk, dj, di) positive; each stands for
 * itself and its opposite. With force2D, directions moving along the excluded axis are dropped (4 remain).
 * `force2DAxis` uses PyRadiomics' numbering of the (z, y, x) array: 0 = k, 1 = j, 2 = i.
 */
export function halfDirections(paddedSize: Vec3, force2DAxis: number | null): Direction[] {
  const directions: Direction[] = [];
  for (let dk = 0; dk <= 1; dk++) {
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const firstNonZeroPositive = dk > 0 || (dk === 0 && (dj > 0 || (dj === 0 && di > 0)));
        if (!firstNonZeroPositive) continue;
        const vector: Vec3 = [di, dj, dk];
        if (force2DAxis !== null && vector[2 - force2DAxis] !== 0) continue;
        directions.push({ vector, offset: di + paddedSize[0] * (dj + paddedSize[1] * dk) });
      }
    }
  }
  return directions;
}

/** Padded-grid offsets of all neighbours at Chebyshev distance 1 (26 in 3-D, 8 with force2D). */
export function neighbourOffsets(paddedSize: Vec3, force2DAxis: number | null): Int32Array {
  const half = halfDirections(paddedSize, force2DAxis);
  const offsets = new Int32Array(half.length * 2);
  half.forEach((direction, index) => {
    offsets[index] = direction.offset;
    offsets[half.length + index] = -direction.offset;
  });
  return offsets;
}
