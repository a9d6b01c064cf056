// Resampling of an image and its mask to a new spacing on the grid PyRadiomics builds (imageoperations.
// resampleImage with SimpleITK's ResampleImageFilter): the output grid is aligned on the corner of the
// first voxel, covers the ROI bounding box plus `padDistance` voxels of the new grid, and never extends
// beyond the input image.
import { RadiomicsError } from '../errors';
import type { ImageVolume, Matrix3, Vec3, VoxelArray } from '../image/volume';
import { indexToPhysical, voxelCount } from '../image/volume';
import { cropVolume, padBoundingBox, validateRoi, type BoundingBox } from '../roi';
import { cubicWeights, mirrorIndex, prefilterLines } from './bspline';

export type Interpolator = 'sitkBSpline' | 'sitkLinear' | 'sitkNearestNeighbor';

const INTERPOLATOR_ALIASES: Readonly<Record<string, Interpolator>> = {
  sitkbspline: 'sitkBSpline',
  sitkbspline3: 'sitkBSpline',
  bspline: 'sitkBSpline',
  sitklinear: 'sitkLinear',
  linear: 'sitkLinear',
  sitknearestneighbor: 'sitkNearestNeighbor',
  nearest: 'sitkNearestNeighbor',
  nearestneighbor: 'sitkNearestNeighbor',
};

/** Maps a PyRadiomics interpolator name (or a short alias) to the supported interpolators, or raises SETTINGS_INVALID. */
export function parseInterpolator(name: string): Interpolator {
  const interpolator = INTERPOLATOR_ALIASES[name.toLowerCase()];
  if (!interpolator) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Interpolator "${name}" is not supported; use sitkBSpline, sitkLinear or sitkNearestNeighbor.`,
    );
  }
  return interpolator;
}

/** Default voxel limit for a resampled volume: 2^27 voxels, 1 GiB as float64. */
export const DEFAULT_MAX_RESAMPLED_VOXELS = 2 ** 27;

export interface ResampleOptions {
  /** Target spacing in mm per axis; 0 keeps that axis' spacing (PyRadiomics `resampledPixelSpacing`). */
  readonly spacing: readonly number[];
  /** Image interpolator (PyRadiomics `interpolator`, default sitkBSpline). The mask always uses nearest neighbour. */
  readonly interpolator?: Interpolator | string;
  /** Label of the lesion whose bounding box sets the grid (default 1). */
  readonly label?: number;
  /** Padding around the ROI bounding box, in voxels of the new grid (default 5). */
  readonly padDistance?: number;
  /** VOLUME_TOO_LARGE is raised before allocation when the output would have more voxels. */
  readonly maxVoxels?: number;
  /** Minimum number of ROI axes with extent > 1 (PyRadiomics `minimumROIDimensions`, default 2). */
  readonly minimumDimensions?: number;
}

export interface ResampledRegion<I extends VoxelArray, M extends VoxelArray> {
  readonly image: ImageVolume<I>;
  readonly mask: ImageVolume<M>;
  /** The spacing actually used: axes with target 0, or where the ROI is one voxel thick, keep their spacing. */
  readonly spacing: Vec3;
  /** False when the target spacing equals the input spacing: then image and mask are only cropped. */
  readonly interpolated: boolean;
}

/**
 * Resamples image and mask to `spacing` on PyRadiomics' grid. The image keeps its voxel type: SimpleITK casts
 * interpolated values back to it, clamping to the type's range and truncating toward zero for integer types.
 * Points of the output grid outside the input image (beyond half a voxel from its edge voxels) get 0.
 */
export function resampleImageAndMask<I extends VoxelArray, M extends VoxelArray>(
  image: ImageVolume<I>,
  mask: ImageVolume<M>,
  options: ResampleOptions,
): ResampledRegion<I, M> {
  const label = options.label ?? 1;
  const padDistance = options.padDistance ?? 5;
  const interpolator = parseInterpolator(options.interpolator ?? 'sitkBSpline');
  const maxVoxels = options.maxVoxels ?? DEFAULT_MAX_RESAMPLED_VOXELS;
  if (options.spacing.length !== 3 || options.spacing.some((value) => !(value >= 0) || !Number.isFinite(value))) {
    throw new RadiomicsError('SETTINGS_INVALID', `Resampled spacing must be three non-negative numbers in mm, not ${JSON.stringify(options.spacing)}.`);
  }

  const roi = validateRoi(image, mask, { label, minimumDimensions: options.minimumDimensions ?? 2 });
  const roiSize = [0, 1, 2].map((axis) => roi.upper[axis] - roi.lower[axis] + 1);

  // An axis with target 0, or one along which the ROI is a single voxel thick, keeps its spacing.
  const spacing = [0, 1, 2].map((axis) =>
    options.spacing[axis] === 0 || roiSize[axis] === 1 ? mask.spacing[axis] : options.spacing[axis],
  ) as unknown as Vec3;

  if (spacing.every((value, axis) => isClose(mask.spacing[axis], value))) {
    const box = padBoundingBox(roi, image.size, padDistance);
    assertWithinLimit(box, maxVoxels);
    return { image: cropVolume(image, box), mask: cropVolume(mask, box), spacing: mask.spacing, interpolated: false };
  }

  const grid = resampledGrid(mask, roi, spacing, padDistance);
  const outputVoxels = voxelCount(grid.size);
  if (outputVoxels > maxVoxels) {
    throw new RadiomicsError(
      'VOLUME_TOO_LARGE',
      `Resampling to ${spacing.join(' × ')} mm would create ${grid.size.join(' × ')} = ${outputVoxels} voxels, above the limit of ${maxVoxels}.`,
      { details: { size: grid.size, voxels: outputVoxels, maxVoxels } },
    );
  }

  const imageOut = resampleVolume(image, grid, interpolator);
  const maskOut = resampleVolume(mask, grid, 'sitkNearestNeighbor');
  return { image: imageOut, mask: maskOut, spacing, interpolated: true };
}

/** numpy.allclose with its default tolerances (rtol 1e-5, atol 1e-8), as PyRadiomics compares spacings. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

function assertWithinLimit(box: BoundingBox, maxVoxels: number): void {
  const voxels = [0, 1, 2].reduce((product, axis) => product * (box.upper[axis] - box.lower[axis] + 1), 1);
  if (voxels > maxVoxels) {
    throw new RadiomicsError('VOLUME_TOO_LARGE', `The cropped region has ${voxels} voxels, above the limit of ${maxVoxels}.`, {
      details: { voxels, maxVoxels },
    });
  }
}

export interface OutputGrid {
  readonly size: Vec3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction: Matrix3;
}

/**
 * Computes the output grid of PyRadiomics' resampleImage. With r = old spacing / new spacing and the ROI box given as
 * start b and size n (old voxel indices):
 *   lower = max(0, floor((b − ½)·r − pad)),  upper = min(ceil(N·r) − 1, ceil((b + n − ½)·r + pad)),
 *   size = upper − lower + 1, and the origin is the old continuous index ½(new − old)/old + lower/r mapped to
 *   physical space, so that the corners of the first old and new voxels coincide.
 */
export function resampledGrid(reference: ImageVolume, roi: BoundingBox, spacing: Vec3, padDistance: number): OutputGrid {
  const lower: number[] = [];
  const size: number[] = [];
  const originIndex: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const ratio = reference.spacing[axis] / spacing[axis];
    const start = roi.lower[axis];
    const extent = roi.upper[axis] - roi.lower[axis] + 1;
    const maxUpper = Math.ceil(reference.size[axis] * ratio) - 1;
    const low = Math.max(0, Math.floor((start - 0.5) * ratio - padDistance));
    const high = Math.min(maxUpper, Math.ceil((start + extent - 0.5) * ratio + padDistance));
    lower.push(low);
    size.push(Math.trunc(high - low + 1));
    originIndex.push((0.5 * (spacing[axis] - reference.spacing[axis])) / reference.spacing[axis] + low / ratio);
  }

  const origin = indexToPhysical(reference, originIndex[0], originIndex[1], originIndex[2]) as unknown as Vec3;
  return { size: size as unknown as Vec3, spacing, origin, direction: reference.direction };
}

/**
 * Continuous input index along one axis for every output index along it. The output direction equals the
 * input direction, so each axis maps independently: x = (o_out − o_in)·d / s_in + i·s_out / s_in.
 */
function axisPositions(input: ImageVolume, grid: OutputGrid, axis: number): Float64Array {
  const d = input.direction;
  const delta = [grid.origin[0] - input.origin[0], grid.origin[1] - input.origin[1], grid.origin[2] - input.origin[2]];
  const offset = d[axis] * delta[0] + d[3 + axis] * delta[1] + d[6 + axis] * delta[2];
  const inverseSpacing = 1 / input.spacing[axis];
  const positions = new Float64Array(grid.size[axis]);
  for (let n = 0; n < positions.length; n++) positions[n] = (offset + n * grid.spacing[axis]) * inverseSpacing;
  return positions;
}

/** Resamples one volume onto `grid`, casting to the input's voxel type as ITK's ResampleImageFilter does. */
export function resampleVolume<T extends VoxelArray>(input: ImageVolume<T>, grid: OutputGrid, interpolator: Interpolator): ImageVolume<T> {
  const Constructor = input.data.constructor as new (length: number) => T;
  const output = new Constructor(voxelCount(grid.size));
  const positions = [0, 1, 2].map((axis) => axisPositions(input, grid, axis));
  const cast = castFunction(input.data);

  if (interpolator === 'sitkNearestNeighbor') resampleNearest(input, grid, positions, output);
  else if (interpolator === 'sitkLinear') resampleLinear(input, grid, positions, output, cast);
  else resampleBSpline(input, grid, positions, output, cast);

  return { size: grid.size, spacing: grid.spacing, origin: grid.origin, direction: grid.direction, data: output };
}

/** ITK's inside-buffer test for a continuous index: [−½, N − ½) along each axis. */
function insideBuffer(position: number, length: number): boolean {
  return position >= -0.5 && position < length - 0.5;
}

/** Converts an interpolated value to the voxel type: clamp to its range, truncate toward zero for integers. */
function castFunction(data: VoxelArray): (value: number) => number {
  if (data instanceof Float32Array || data instanceof Float64Array) return (value) => value;
  const ranges: Array<[new (...args: never[]) => VoxelArray, number, number]> = [
    [Int8Array, -128, 127],
    [Uint8Array, 0, 255],
    [Int16Array, -32768, 32767],
    [Uint16Array, 0, 65535],
    [Int32Array, -2147483648, 2147483647],
    [Uint32Array, 0, 4294967295],
  ];
  const [, min, max] = ranges.find(([Type]) => data instanceof Type) ?? [Float64Array, -Infinity, Infinity];
  return (value) => {
    if (value < min) return min;
    if (value > max) return max;
    return Math.trunc(value);
  };
}

function resampleNearest(input: ImageVolume, grid: OutputGrid, positions: Float64Array[], output: VoxelArray): void {
  const [nx, ny, nz] = input.size;
  // ITK rounds half up: floor(x + ½).
  const nearest = positions.map((axisPositions, axis) =>
    Int32Array.from(axisPositions, (x) => (insideBuffer(x, input.size[axis]) ? Math.floor(x + 0.5) : -1)),
  );
  let target = 0;
  for (let k = 0; k < grid.size[2]; k++) {
    const kk = nearest[2][k];
    for (let j = 0; j < grid.size[1]; j++) {
      const jj = nearest[1][j];
      for (let i = 0; i < grid.size[0]; i++, target++) {
        const ii = nearest[0][i];
        output[target] = ii < 0 || jj < 0 || kk < 0 ? 0 : input.data[ii + nx * (jj + ny * kk)];
      }
    }
  }
  void nz;
}

function resampleLinear(
  input: ImageVolume,
  grid: OutputGrid,
  positions: Float64Array[],
  output: VoxelArray,
  cast: (value: number) => number,
): void {
  const [nx, ny] = input.size;
  // Per axis: lower neighbour, upper neighbour (both clamped to the image as ITK does) and the upper weight.
  const axes = positions.map((axisPositions, axis) => {
    const length = input.size[axis];
    const low = new Int32Array(axisPositions.length);
    const high = new Int32Array(axisPositions.length);
    const weight = new Float64Array(axisPositions.length);
    const inside = new Uint8Array(axisPositions.length);
    axisPositions.forEach((x, n) => {
      const base = Math.floor(x);
      inside[n] = insideBuffer(x, length) ? 1 : 0;
      low[n] = Math.min(Math.max(base, 0), length - 1);
      high[n] = Math.min(Math.max(base + 1, 0), length - 1);
      weight[n] = x - base;
    });
    return { low, high, weight, inside };
  });

  let target = 0;
  for (let k = 0; k < grid.size[2]; k++) {
    const z = axes[2];
    for (let j = 0; j < grid.size[1]; j++) {
      const y = axes[1];
      for (let i = 0; i < grid.size[0]; i++, target++) {
        const x = axes[0];
        if (!x.inside[i] || !y.inside[j] || !z.inside[k]) {
          output[target] = 0;
          continue;
        }
        let value = 0;
        for (let c = 0; c < 8; c++) {
          const ii = c & 1 ? x.high[i] : x.low[i];
          const jj = c & 2 ? y.high[j] : y.low[j];
          const kk = c & 4 ? z.high[k] : z.low[k];
          const w = (c & 1 ? x.weight[i] : 1 - x.weight[i]) * (c & 2 ? y.weight[j] : 1 - y.weight[j]) * (c & 4 ? z.weight[k] : 1 - z.weight[k]);
          if (w !== 0) value += w * input.data[ii + nx * (jj + ny * kk)];
        }
        output[target] = cast(value);
      }
    }
  }
}

/**
 * Extra input voxels kept around the support of the output grid when B-spline coefficients are computed on a
 * sub-block instead of the whole image. A wrong boundary value decays as |z|^n = 0.268^n, so 32 voxels bring
 * its effect below 1e-18 of the signal, far under float64 resolution; blocks that reach the image edge use
 * the exact mirror boundary there, as ITK does.
 */
const COEFFICIENT_MARGIN = 32;

function resampleBSpline(
  input: ImageVolume,
  grid: OutputGrid,
  positions: Float64Array[],
  output: VoxelArray,
  cast: (value: number) => number,
): void {
  // Sub-block of the input that covers every support point, plus the margin.
  const blockLower: number[] = [];
  const blockSize: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const axisPositions = positions[axis];
    const first = Math.floor(axisPositions[0]) - 1;
    const last = Math.floor(axisPositions[axisPositions.length - 1]) + 2;
    const low = Math.max(0, Math.min(first, last) - COEFFICIENT_MARGIN);
    const high = Math.min(input.size[axis] - 1, Math.max(first, last) + COEFFICIENT_MARGIN);
    blockLower.push(Math.min(low, input.size[axis] - 1));
    blockSize.push(Math.max(1, high - Math.min(low, input.size[axis] - 1) + 1));
  }
  const coefficients = bsplineCoefficients(input, blockLower, blockSize);

  // Per axis and output index: four mirrored input indices (relative to the block) and four weights.
  const axes = positions.map((axisPositions, axis) => {
    const length = input.size[axis];
    const indices = new Int32Array(axisPositions.length * 4);
    const weights = new Float64Array(axisPositions.length * 4);
    const inside = new Uint8Array(axisPositions.length);
    axisPositions.forEach((x, n) => {
      inside[n] = insideBuffer(x, length) ? 1 : 0;
      const base = Math.floor(x);
      cubicWeights(x - base, weights, 4 * n);
      for (let tap = 0; tap < 4; tap++) {
        const mirrored = mirrorIndex(base - 1 + tap, length);
        indices[4 * n + tap] = Math.min(Math.max(mirrored - blockLower[axis], 0), blockSize[axis] - 1);
      }
    });
    return { indices, weights, inside };
  });

  // The interpolated value is Σ_tk Σ_tj (w_k·w_j) · row(tk, tj, i), where row = Σ_ti w_i · c along the block row
  // that (tj, tk) picks. A row sum depends on the output i and the input row only, so it is computed once and
  // shared by every output row whose support contains that input row, instead of 16 times per output voxel.
  // The sums and their order are those of the voxel-by-voxel form, so the result is the same to the last bit.
  const [bx, by, bz] = blockSize;
  const [outX, outY, outZ] = grid.size;
  const neededRow = new Int32Array(by * bz).fill(-1);
  for (let k = 0; k < outZ; k++) {
    if (!axes[2].inside[k]) continue;
    for (let j = 0; j < outY; j++) {
      if (!axes[1].inside[j]) continue;
      for (let tk = 0; tk < 4; tk++) {
        for (let tj = 0; tj < 4; tj++) neededRow[axes[1].indices[4 * j + tj] + by * axes[2].indices[4 * k + tk]] = 0;
      }
    }
  }
  let rowCount = 0;
  for (let row = 0; row < neededRow.length; row++) if (neededRow[row] === 0) neededRow[row] = rowCount++;

  // rowSums[r · outX + i] = Σ_ti w_i · c(row r), for the needed block rows r in block order.
  const rowSums = new Float64Array(rowCount * outX);
  for (let row = 0; row < neededRow.length; row++) {
    const compact = neededRow[row];
    if (compact < 0) continue;
    const source = row * bx;
    const target = compact * outX;
    for (let i = 0; i < outX; i++) {
      let sum = 0;
      for (let ti = 0; ti < 4; ti++) sum += axes[0].weights[4 * i + ti] * coefficients[source + axes[0].indices[4 * i + ti]];
      rowSums[target + i] = sum;
    }
  }

  const rowWeights = new Float64Array(16);
  const rowOffsets = new Int32Array(16);
  let target = 0;
  for (let k = 0; k < outZ; k++) {
    for (let j = 0; j < outY; j++) {
      if (!axes[2].inside[k] || !axes[1].inside[j]) {
        for (let i = 0; i < outX; i++, target++) output[target] = 0;
        continue;
      }
      for (let tk = 0; tk < 4; tk++) {
        const wk = axes[2].weights[4 * k + tk];
        const plane = by * axes[2].indices[4 * k + tk];
        for (let tj = 0; tj < 4; tj++) {
          rowWeights[4 * tk + tj] = wk * axes[1].weights[4 * j + tj];
          rowOffsets[4 * tk + tj] = neededRow[plane + axes[1].indices[4 * j + tj]] * outX;
        }
      }
      for (let i = 0; i < outX; i++, target++) {
        if (!axes[0].inside[i]) {
          output[target] = 0;
          continue;
        }
        let value = 0;
        for (let t = 0; t < 16; t++) value += rowWeights[t] * rowSums[rowOffsets[t] + i];
        output[target] = cast(value);
      }
    }
  }
}

/** Cubic B-spline coefficients of a sub-block of the input, prefiltered along x, then y, then z. */
function bsplineCoefficients(input: ImageVolume, lower: number[], size: number[]): Float64Array {
  const [nx, ny] = input.size;
  const [bx, by, bz] = size;
  const coefficients = new Float64Array(bx * by * bz);
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const source = lower[0] + nx * (lower[1] + j + ny * (lower[2] + k));
      const target = bx * (j + by * k);
      for (let i = 0; i < bx; i++) coefficients[target + i] = input.data[source + i];
    }
  }

  // Along x each line is contiguous. Along y the bx lines of one slice, and along z all bx · by lines, lie side
  // by side, so they are filtered together.
  const lengthX = lineLength(input, lower, size, 0);
  for (let k = 0; k < bz; k++) for (let j = 0; j < by; j++) prefilterLines(coefficients, bx * (j + by * k), 1, 1, bx, lengthX);
  const lengthY = lineLength(input, lower, size, 1);
  for (let k = 0; k < bz; k++) prefilterLines(coefficients, bx * by * k, bx, bx, by, lengthY);
  prefilterLines(coefficients, 0, bx * by, bx * by, bz, lineLength(input, lower, size, 2));
  return coefficients;
}

/**
 * The axis length ITK would see for the causal initialisation. A block that spans the whole axis is the
 * image line itself; a partial block carries the margin, so it is always
 * longer than the 18-term horizon. The truncated initialisation then applies, as it does in ITK for the long line.
 */
function lineLength(input: ImageVolume, lower: number[], size: number[], axis: number): number {
  return lower[axis] === 0 && size[axis] === input.size[axis] ? input.size[axis] : Number.MAX_SAFE_INTEGER;
}
