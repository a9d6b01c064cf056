/**
 * Undecimated (stationary) 3-D wavelet transform, PyRadiomics-compatible.
 *
 * PyRadiomics 3.x (`getWaveletImage`) does the following, and this module does the same:
 * - Each odd dimension of the region gets one extra voxel at its end, a copy of the first (wrap-around).
 * - For each level it runs PyWavelets `swtn(data, wavelet, level=1, axes=(x, y, z))`: separable 1-D passes
 *   with periodic extension, along x, then y, then z. The next level filters the approximation of the
 *   previous one with the same, undilated filters (PyRadiomics calls `swtn` with level 1 every time).
 * - The first `startLevel` levels only produce the approximation for the next one.
 * - Each sub-band is trimmed back to the region's size. Its name lists the filters in axis order x, y, z
 *   (L = low-pass, H = high-pass): 'wavelet-LLH' is high-pass along z. Levels after the first returned one
 *   carry their number ('wavelet2-HHH'), and the approximation of the last level is 'wavelet-LLL' (or
 *   'wavelet<level>-LLL').
 * - PyWavelets computes in float32 for a float32 image and in float64 for every integer or float64 image;
 *   `precision` follows that rule unless set.
 */
import { RadiomicsError } from '../../errors';
import type { ImageVolume, Vec3, VoxelArray } from '../../image/volume';
import { cropVolume, padBoundingBox, type BoundingBox } from '../../roi';
import { getFilterBank, type WaveletFilterBank } from './filter-banks';
import { convolveAxis, type Dimensions, type WorkArray } from './periodic-convolution';

export { getFilterBank, listWavelets, type WaveletFilterBank } from './filter-banks';

export type WaveletPrecision = 'float32' | 'float64';

export interface WaveletOptions {
  /** Filter bank name as PyWavelets spells it: 'coif1' (default), 'haar', 'db2', 'sym4', 'bior1.3', … */
  readonly wavelet?: string;
  /** First decomposition level whose sub-bands are returned (PyRadiomics `start_level`, default 0). */
  readonly startLevel?: number;
  /** Number of levels computed (PyRadiomics `level`, default 1). */
  readonly level?: number;
  /**
   * Arithmetic of the transform. Default: 'float32' when the image data is a Float32Array, else 'float64',
   * as PyWavelets does. Set it to 'float32' when the data was converted to float64 from a float32 image
   * and PyRadiomics' values are wanted.
   */
  readonly precision?: WaveletPrecision;
}

export interface WaveletSubBand {
  /** PyRadiomics image type name, for example 'wavelet-LLH' or 'wavelet2-HHH' at level 2. */
  readonly name: string;
  readonly image: ImageVolume<Float64Array>;
}

/** The detail sub-bands of one level in PyWavelets' `swtn` order; the approximation 'LLL' comes last. */
const DETAIL_LETTERS = ['LLH', 'LHL', 'LHH', 'HLL', 'HLH', 'HHL', 'HHH'] as const;

/**
 * Upper bound on startLevel + level. Each level multiplies the filter reach, and beyond a handful of levels
 * the sub-bands of a CT lesion are flat; the bound stops a mistyped setting from running for hours.
 */
const MAX_TOTAL_LEVELS = 16;

interface ResolvedOptions {
  readonly bank: WaveletFilterBank;
  readonly startLevel: number;
  readonly level: number;
  readonly precision: WaveletPrecision;
}

function resolveOptions(options: WaveletOptions, data?: VoxelArray): ResolvedOptions {
  const bank = getFilterBank(options.wavelet ?? 'coif1');
  const startLevel = options.startLevel ?? 0;
  const level = options.level ?? 1;

  if (!Number.isInteger(startLevel) || startLevel < 0) {
    throw new RadiomicsError('SETTINGS_INVALID', `Wavelet start_level must be an integer ≥ 0; got ${String(startLevel)}.`, {
      details: { setting: 'start_level', value: startLevel },
    });
  }
  if (!Number.isInteger(level) || level < 1) {
    throw new RadiomicsError('SETTINGS_INVALID', `Wavelet level must be an integer ≥ 1; got ${String(level)}.`, {
      details: { setting: 'level', value: level },
    });
  }
  if (startLevel + level > MAX_TOTAL_LEVELS) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Wavelet start_level + level is ${startLevel + level}; at most ${MAX_TOTAL_LEVELS} levels are supported.`,
      { details: { setting: 'level', value: level, startLevel } },
    );
  }

  const precision = options.precision ?? (data instanceof Float32Array ? 'float32' : 'float64');
  if (precision !== 'float32' && precision !== 'float64') {
    throw new RadiomicsError('SETTINGS_INVALID', `Wavelet precision must be 'float32' or 'float64'; got ${String(precision)}.`, {
      details: { setting: 'precision', value: precision },
    });
  }

  return { bank, startLevel, level, precision };
}

/** PyRadiomics image type names of every sub-band, in the order PyRadiomics yields them. */
export function waveletImageTypes(options: WaveletOptions = {}): string[] {
  const { level } = resolveOptions(options);
  const names: string[] = [];
  for (let index = 1; index <= level; index++) {
    for (const letters of DETAIL_LETTERS) names.push(`${levelPrefix(index)}${letters}`);
  }
  names.push(`${levelPrefix(level)}LLL`);
  return names;
}

function levelPrefix(index: number): string {
  return index === 1 ? 'wavelet-' : `wavelet${index}-`;
}

/** Splits 'wavelet2-HLH' into its returned-level number (1-based) and filter letters; validates it. */
function parseSubBandName(name: string, level: number): { index: number; letters: string } {
  const match = /^wavelet([1-9][0-9]*)?-([LH]{3})$/.exec(name);
  const index = match?.[1] === undefined ? 1 : Number(match[1]);
  const letters = match?.[2] ?? '';
  const valid =
    match !== null &&
    index <= level &&
    // PyRadiomics never writes the number 1 ('wavelet1-…'), and only the last level has an approximation.
    match[1] !== '1' &&
    (letters !== 'LLL' || index === level);
  if (!valid) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Unknown wavelet sub-band "${name}" for ${level} level(s); expected one of ${waveletImageTypes({ level }).join(', ')}.`,
      { details: { setting: 'imageType', value: name } },
    );
  }
  return { index, letters };
}

/** How far, in voxels along each axis, a sub-band voxel reaches into the input: before and after it. */
export function waveletSupport(options: WaveletOptions = {}): { before: number; after: number } {
  const { bank, startLevel, level } = resolveOptions(options);
  const half = bank.decLo.length / 2;
  const levels = startLevel + level;
  return { before: (half - 1) * levels, after: half * levels };
}

/** Computes every sub-band of the image, sharing the 1-D passes between sub-bands. */
export function applyWaveletSubBands(image: ImageVolume, options: WaveletOptions = {}): WaveletSubBand[] {
  const resolved = resolveOptions(options, image.data);
  const work = new WorkVolume(image, resolved);

  let approximation = work.padded;
  for (let skipped = 0; skipped < resolved.startLevel; skipped++) approximation = work.filter(approximation, 'LLL');

  const subBands: WaveletSubBand[] = [];
  for (let index = 1; index <= resolved.level; index++) {
    const bands = work.filterAll(approximation);
    for (const letters of DETAIL_LETTERS) {
      subBands.push({ name: `${levelPrefix(index)}${letters}`, image: work.trim(bands.get(letters)!) });
    }
    approximation = bands.get('LLL')!;
  }

  subBands.push({ name: `${levelPrefix(resolved.level)}LLL`, image: work.trim(approximation) });
  return subBands;
}

/** Computes one named sub-band, for a worker that owns a single sub-band. */
export function applyWaveletSubBand(image: ImageVolume, name: string, options: WaveletOptions = {}): WaveletSubBand {
  const resolved = resolveOptions(options, image.data);
  const { index, letters } = parseSubBandName(name, resolved.level);
  const work = new WorkVolume(image, resolved);

  let approximation = work.padded;
  const levelsBefore = resolved.startLevel + index - 1;
  for (let skipped = 0; skipped < levelsBefore; skipped++) approximation = work.filter(approximation, 'LLL');

  return { name, image: work.trim(work.filter(approximation, letters)) };
}

/**
 * Chooses the box to transform for an ROI bounding box inside an image of `imageSize`. Cropping to the ROI
 * box plus `padDistance` (default: the filter reach) gives the same sub-band values inside the ROI box as
 * transforming the whole image, bit for bit, when the padded box lies inside the image and the padding covers
 * the filter reach. Every ROI voxel then depends only on voxels of the box, with the same terms in the same
 * order. Otherwise, for example for an ROI at the image border that sees wrap-around from the far side, the
 * whole image is returned.
 */
export function planWaveletRegion(
  imageSize: Vec3,
  roiBox: BoundingBox,
  options: WaveletOptions & { readonly padDistance?: number } = {},
): { box: BoundingBox; cropped: boolean } {
  const support = waveletSupport(options);
  const pad = options.padDistance ?? support.after;
  const whole = { box: { lower: [0, 0, 0] as Vec3, upper: imageSize.map((n) => n - 1) as unknown as Vec3 }, cropped: false };
  if (!Number.isInteger(pad) || pad < support.after) return whole;

  for (let axis = 0; axis < 3; axis++) {
    if (roiBox.lower[axis] - pad < 0 || roiBox.upper[axis] + pad > imageSize[axis] - 1) return whole;
  }
  return { box: padBoundingBox(roiBox, imageSize, pad), cropped: true };
}

/**
 * Computes every sub-band for one ROI, transforming the smallest box that provably gives PyRadiomics' values
 * inside the ROI bounding box (see planWaveletRegion). The sub-bands lie on the grid of the returned box.
 */
export function applyWaveletSubBandsAroundRoi(
  image: ImageVolume,
  roiBox: BoundingBox,
  options: WaveletOptions & { readonly padDistance?: number } = {},
): { box: BoundingBox; cropped: boolean; subBands: WaveletSubBand[] } {
  const plan = planWaveletRegion(image.size, roiBox, options);
  const source = plan.cropped ? cropVolume(image, plan.box) : image;
  return { ...plan, subBands: applyWaveletSubBands(source, withPrecision(options, image.data)) };
}

/** Computes one named sub-band for one ROI, like applyWaveletSubBandsAroundRoi. */
export function applyWaveletSubBandAroundRoi(
  image: ImageVolume,
  roiBox: BoundingBox,
  name: string,
  options: WaveletOptions & { readonly padDistance?: number } = {},
): { box: BoundingBox; cropped: boolean; subBand: WaveletSubBand } {
  const plan = planWaveletRegion(image.size, roiBox, options);
  const source = plan.cropped ? cropVolume(image, plan.box) : image;
  return { ...plan, subBand: applyWaveletSubBand(source, name, withPrecision(options, image.data)) };
}

function withPrecision(options: WaveletOptions, data: VoxelArray): WaveletOptions {
  return { ...options, precision: options.precision ?? (data instanceof Float32Array ? 'float32' : 'float64') };
}

/** The padded working copy of one image and the 1-D passes over it. */
class WorkVolume {
  readonly padded: WorkArray;
  readonly dims: Dimensions;
  private readonly source: ImageVolume;
  private readonly lowPass: ArrayLike<number>;
  private readonly highPass: ArrayLike<number>;
  private readonly float32: boolean;

  constructor(image: ImageVolume, options: ResolvedOptions) {
    this.source = image;
    this.float32 = options.precision === 'float32';
    this.lowPass = this.float32 ? options.bank.decLoFloat32 : options.bank.decLo;
    this.highPass = this.float32 ? options.bank.decHiFloat32 : options.bank.decHi;

    const [nx, ny, nz] = image.size;
    if (image.data.length !== nx * ny * nz || nx < 1 || ny < 1 || nz < 1) {
      throw new RadiomicsError('DATA_INVALID', `Image data holds ${image.data.length} voxels but its size is ${nx} × ${ny} × ${nz}.`, {
        details: { size: image.size, length: image.data.length },
      });
    }

    this.dims = [nx + (nx % 2), ny + (ny % 2), nz + (nz % 2)];
    this.padded = this.allocate();
    this.padWrapAround(image.data);
  }

  private allocate(): WorkArray {
    const count = this.dims[0] * this.dims[1] * this.dims[2];
    return this.float32 ? new Float32Array(count) : new Float64Array(count);
  }

  /** Copies the image into the padded grid; an odd dimension's extra voxel repeats the first (index 0). */
  private padWrapAround(data: VoxelArray): void {
    const [nx, ny, nz] = this.source.size;
    const [px, py, pz] = this.dims;
    for (let k = 0; k < pz; k++) {
      const sk = k % nz;
      for (let j = 0; j < py; j++) {
        const sj = j % ny;
        const from = nx * (sj + ny * sk);
        const to = px * (j + py * k);
        for (let i = 0; i < nx; i++) this.padded[to + i] = data[from + i];
        if (px > nx) this.padded[to + nx] = data[from];
      }
    }
  }

  private pass(input: WorkArray, axis: 0 | 1 | 2, letter: string): WorkArray {
    const output = this.allocate();
    convolveAxis(input, output, this.dims, axis, letter === 'L' ? this.lowPass : this.highPass);
    return output;
  }

  /** One sub-band of one level: letters give the filter along x, y and z. */
  filter(input: WorkArray, letters: string): WorkArray {
    const alongX = this.pass(input, 0, letters[0]);
    const alongY = this.pass(alongX, 1, letters[1]);
    return this.pass(alongY, 2, letters[2]);
  }

  /** All eight sub-bands of one level, sharing the x and y passes. */
  filterAll(input: WorkArray): Map<string, WorkArray> {
    const bands = new Map<string, WorkArray>();
    for (const x of ['L', 'H']) {
      const alongX = this.pass(input, 0, x);
      for (const y of ['L', 'H']) {
        const alongY = this.pass(alongX, 1, y);
        for (const z of ['L', 'H']) bands.set(x + y + z, this.pass(alongY, 2, z));
      }
    }
    return bands;
  }

  /** Removes the wrap-around padding and returns a float64 volume on the source image's grid. */
  trim(band: WorkArray): ImageVolume<Float64Array> {
    const [nx, ny, nz] = this.source.size;
    const [px, py] = this.dims;
    const data = new Float64Array(nx * ny * nz);
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        const from = px * (j + py * k);
        const to = nx * (j + ny * k);
        for (let i = 0; i < nx; i++) data[to + i] = band[from + i];
      }
    }
    const { size, spacing, origin, direction } = this.source;
    return { size, spacing, origin, direction, data };
  }
}
