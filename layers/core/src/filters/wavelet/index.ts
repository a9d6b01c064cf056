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
 * - With `force2D`, PyRadiomics leaves out the axis of `force2Ddimension` (0 = z, 1 = y, 2 = x), so the
 *   sub-band names have two letters for the two remaining axes in x, y, z order ('wavelet-LH', 'wavelet-LL').
 */
import { RadiomicsError } from '../../errors';
import { indexToPhysical, type ImageVolume, type Vec3, type VoxelArray } from '../../image/volume';
import { padBoundingBox, type BoundingBox } from '../../roi';
import { scratchFloat32, scratchFloat64 } from '../../scratch';
import { getFilterBank, type WaveletFilterBank } from './filter-banks';
import { convolveAxis, type Block, type BlockRange } from './periodic-convolution';

type Dimensions = readonly [number, number, number];

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
  /**
   * The voxels to return, as an inclusive box of the image's voxel indices (default: the whole image). The
   * transform still covers the whole image, so the values equal those of the whole-image transform; only
   * the voxels these depend on are computed. The sub-bands lie on the box's grid.
   */
  readonly box?: BoundingBox;
  /**
   * Transforms in 2-D, leaving out one axis, as PyRadiomics does with `force2D`: the value is its
   * `force2Ddimension`, 0 for z (axial slices), 1 for y, 2 for x. Default: 3-D.
   */
  readonly force2DDimension?: number;
}

export interface WaveletSubBand {
  /** PyRadiomics image type name, for example 'wavelet-LLH' or 'wavelet2-HHH' at level 2. */
  readonly name: string;
  readonly image: ImageVolume<Float64Array>;
}

/**
 * The detail sub-bands of one level for `axisCount` axes in PyWavelets' `swtn` order (LLH, LHL, … HHH in 3-D:
 * the first axis varies slowest, L before H). The approximation, all L, is left out.
 */
function detailLetters(axisCount: number): string[] {
  const names: string[] = [];
  for (let code = 1; code < 2 ** axisCount; code++) {
    let letters = '';
    for (let position = axisCount - 1; position >= 0; position--) letters += (code >> position) & 1 ? 'H' : 'L';
    names.push(letters);
  }
  return names;
}

/**
 * Upper bound on startLevel + level. Every level is another full transform, so the bound stops a mistyped
 * setting from running for hours. PyRadiomics itself sets no bound.
 */
const MAX_TOTAL_LEVELS = 16;

interface ResolvedOptions {
  readonly bank: WaveletFilterBank;
  readonly startLevel: number;
  readonly level: number;
  readonly precision: WaveletPrecision;
  /** Axes transformed, in x, y, z order (0 = x). */
  readonly axes: readonly (0 | 1 | 2)[];
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

  const dimension = options.force2DDimension;
  if (dimension !== undefined && dimension !== 0 && dimension !== 1 && dimension !== 2) {
    throw new RadiomicsError('SETTINGS_INVALID', `force2Ddimension must be 0, 1 or 2; got ${String(dimension)}.`, {
      details: { setting: 'force2Ddimension', value: dimension },
    });
  }
  // force2Ddimension counts axes in z, y, x order, so dimension d leaves out image axis 2 − d.
  const axes = ([0, 1, 2] as const).filter((axis) => dimension === undefined || axis !== 2 - dimension);

  return { bank, startLevel, level, precision, axes };
}

/** PyRadiomics image type names of every sub-band, in the order PyRadiomics yields them. */
export function waveletImageTypes(options: WaveletOptions = {}): string[] {
  const { level, axes } = resolveOptions(options);
  const names: string[] = [];
  for (let index = 1; index <= level; index++) {
    for (const letters of detailLetters(axes.length)) names.push(`${levelPrefix(index)}${letters}`);
  }
  names.push(`${levelPrefix(level)}${'L'.repeat(axes.length)}`);
  return names;
}

function expectedNames(level: number, axisCount: number): string {
  return waveletImageTypes({ level, force2DDimension: axisCount === 2 ? 0 : undefined }).join(', ');
}

function levelPrefix(index: number): string {
  return index === 1 ? 'wavelet-' : `wavelet${index}-`;
}

/** Splits 'wavelet2-HLH' into its returned-level number (1-based) and filter letters; validates it. */
function parseSubBandName(name: string, level: number, axisCount: number): { index: number; letters: string } {
  const match = new RegExp(`^wavelet([1-9][0-9]*)?-([LH]{${axisCount}})$`).exec(name);
  const index = match?.[1] === undefined ? 1 : Number(match[1]);
  const letters = match?.[2] ?? '';
  const valid =
    match !== null &&
    index <= level &&
    // PyRadiomics never writes the number 1 ('wavelet1-…'), and only the last level has an approximation.
    match[1] !== '1' &&
    (letters !== 'L'.repeat(axisCount) || index === level);
  if (!valid) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Unknown wavelet sub-band "${name}" for ${level} level(s) over ${axisCount} axes; expected one of ${expectedNames(level, axisCount)}.`,
      { details: { setting: 'imageType', value: name } },
    );
  }
  return { index, letters };
}

/** Returns how far a sub-band voxel reaches into the input along each axis, in voxels before and after it. */
export function waveletSupport(options: WaveletOptions = {}): { before: number; after: number } {
  const { bank, startLevel, level } = resolveOptions(options);
  const half = bank.decLo.length / 2;
  const levels = startLevel + level;
  return { before: (half - 1) * levels, after: half * levels };
}

/** Computes every sub-band of the image, sharing the 1-D passes between sub-bands. */
export function applyWaveletSubBands(image: ImageVolume, options: WaveletOptions = {}): WaveletSubBand[] {
  const subBands: WaveletSubBand[] = [];
  forEachWaveletSubBand(image, options, (name, band) => subBands.push({ name, image: { ...band, data: Float64Array.from(band.data) } }));
  return subBands;
}

/**
 * Number of `forEachWaveletSubBand` visits running on this thread. A transform started inside a visit must not
 * take the work buffers, which the outer transform still needs for its next sub-bands.
 */
let visitsInProgress = 0;

/** A sub-band in the transform's own arithmetic: float32 or float64 (see `WaveletOptions.precision`). */
export type TransientSubBandVolume = ImageVolume<Float32Array | Float64Array>;

/**
 * Computes every sub-band like `applyWaveletSubBands` and hands each to `visit` as soon as it is complete, in
 * the same order. A detail sub-band lives in a per-thread work buffer that the next sub-band overwrites, so
 * `visit` must be done with it (or copy it) before it returns. This is how one extraction runs the feature
 * classes on nine image types without keeping nine volumes, or widening float32 sub-bands to float64, at once.
 */
export function forEachWaveletSubBand(image: ImageVolume, options: WaveletOptions, visit: (name: string, subBand: TransientSubBandVolume) => void): void {
  const visitOnce = (name: string, subBand: TransientSubBandVolume): void => {
    visitsInProgress++;
    try {
      visit(name, subBand);
    } finally {
      visitsInProgress--;
    }
  };
  const resolved = resolveOptions(options, image.data);
  const work = new WaveletComputation(image, resolved, options.box);
  const levels = resolved.startLevel + resolved.level;
  const ranges = work.levelOutputRanges(levels);

  let approximation = work.paddedInput(work.expand(ranges[0]));
  for (let skipped = 0; skipped < resolved.startLevel; skipped++) {
    approximation = work.filter(approximation, 'L'.repeat(resolved.axes.length), ranges[skipped]);
  }

  // The approximation feeds the next level (or is the last sub-band), so it gets a buffer of its own.
  const approximationLetters = 'L'.repeat(resolved.axes.length);
  for (let index = 1; index <= resolved.level; index++) {
    approximation = work.filterAll(approximation, ranges[resolved.startLevel + index - 1], approximationLetters, (letters, band) =>
      visitOnce(`${levelPrefix(index)}${letters}`, work.toVolume(band)),
    );
  }
  visitOnce(`${levelPrefix(resolved.level)}${approximationLetters}`, work.toVolume(approximation));
}

/** Computes one named sub-band, for a worker that owns a single sub-band. */
export function applyWaveletSubBand(image: ImageVolume, name: string, options: WaveletOptions = {}): WaveletSubBand {
  const band = computeWaveletSubBand(image, name, options);
  return { name, image: { ...band, data: band.data instanceof Float64Array ? band.data : Float64Array.from(band.data) } };
}

/** Computes one named sub-band like `applyWaveletSubBand`, in the transform's own arithmetic (float32 or float64). */
export function computeWaveletSubBand(image: ImageVolume, name: string, options: WaveletOptions = {}): TransientSubBandVolume {
  const resolved = resolveOptions(options, image.data);
  const { index, letters } = parseSubBandName(name, resolved.level, resolved.axes.length);
  const work = new WaveletComputation(image, resolved, options.box);
  const levels = resolved.startLevel + index;
  const ranges = work.levelOutputRanges(levels);

  let approximation = work.paddedInput(work.expand(ranges[0]));
  const approximationLetters = 'L'.repeat(resolved.axes.length);
  for (let skipped = 0; skipped < levels - 1; skipped++) approximation = work.filter(approximation, approximationLetters, ranges[skipped]);

  return work.toVolume(work.filter(approximation, letters, ranges[levels - 1]));
}

/**
 * Chooses the box to transform for an ROI bounding box inside an image of `imageSize`. A crop to the ROI box
 * plus `padDistance` (default: the filter reach) is returned when the padded box lies inside the image and
 * the padding covers the filter reach. Inside the ROI box its sub-bands then equal the whole-image ones bit
 * for bit, because every ROI voxel depends only on voxels of the crop, with the same terms in the same
 * order. Otherwise the whole image is returned, for example for an ROI at the border, which sees
 * wrap-around from the far side of the image.
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

  // An axis left out by force2D is never filtered, so a crop clipped along it changes nothing.
  const { axes } = resolveOptions(options);
  for (const axis of axes) {
    if (roiBox.lower[axis] - pad < 0 || roiBox.upper[axis] + pad > imageSize[axis] - 1) return whole;
  }
  return { box: padBoundingBox(roiBox, imageSize, pad), cropped: true };
}

/**
 * One transform of one image: the padded grid, the filters, and the blocks each pass must compute so that
 * the requested box comes out right.
 */
class WaveletComputation {
  /** Size of the working grid: each odd image dimension plus one wrap-around voxel. */
  readonly dims: Dimensions;
  private readonly source: ImageVolume;
  private readonly box: BlockRange;
  private readonly lowPass: ArrayLike<number>;
  private readonly highPass: ArrayLike<number>;
  private readonly float32: boolean;
  private readonly before: number;
  private readonly after: number;
  private readonly axes: readonly (0 | 1 | 2)[];
  /** False for a transform nested in a sub-band visit, which allocates its own buffers. */
  private readonly reuseBuffers = visitsInProgress === 0;

  constructor(image: ImageVolume, options: ResolvedOptions, box: BoundingBox | undefined) {
    this.source = image;
    this.float32 = options.precision === 'float32';
    this.lowPass = this.float32 ? options.bank.decLoFloat32 : options.bank.decLo;
    this.highPass = this.float32 ? options.bank.decHiFloat32 : options.bank.decHi;
    this.after = options.bank.decLo.length / 2;
    this.before = this.after - 1;
    this.axes = options.axes;

    const [nx, ny, nz] = image.size;
    if (image.data.length !== nx * ny * nz || nx < 1 || ny < 1 || nz < 1) {
      throw new RadiomicsError('DATA_INVALID', `Image data contains ${image.data.length} voxels but its size is ${nx} × ${ny} × ${nz}.`, {
        details: { size: image.size, length: image.data.length },
      });
    }
    this.dims = [nx + (nx % 2), ny + (ny % 2), nz + (nz % 2)];
    this.box = validateBox(box ?? { lower: [0, 0, 0], upper: [nx - 1, ny - 1, nz - 1] }, image.size);
  }

  /**
   * The range each level's outputs must cover, first level first: the last level needs only the requested
   * box, and every earlier level the inputs of the next one.
   */
  levelOutputRanges(levels: number): BlockRange[] {
    const ranges: BlockRange[] = [this.box];
    while (ranges.length < levels) ranges.unshift(this.expand(ranges[0]));
    return ranges;
  }

  /** Returns the inputs one level needs for `range`: o − (F/2 − 1) … o + F/2 on each axis, or the whole axis if that wraps. */
  expand(range: BlockRange): BlockRange {
    const start: number[] = [];
    const size: number[] = [];
    for (let axis = 0; axis < 3; axis++) {
      if (!this.axes.includes(axis as 0 | 1 | 2)) {
        start.push(range.start[axis]);
        size.push(range.size[axis]);
        continue;
      }
      const first = range.start[axis] - this.before;
      const last = range.start[axis] + range.size[axis] - 1 + this.after;
      const whole = first < 0 || last > this.dims[axis] - 1;
      start.push(whole ? 0 : first);
      size.push(whole ? this.dims[axis] : last - first + 1);
    }
    return { start: [start[0], start[1], start[2]], size: [size[0], size[1], size[2]] };
  }

  /**
   * Allocates a block. Intermediate blocks (the padded input, the passes before the last, and the detail
   * sub-bands handed to a visitor) take a per-thread work buffer named by `slot` instead, because they are
   * dropped as soon as the next step has read them. A fresh buffer of several megabytes for each slowed the two
   * workers of a local run down. A transform nested in a visit allocates every block afresh.
   */
  private allocate(range: BlockRange, slot?: string): Block {
    const count = range.size[0] * range.size[1] * range.size[2];
    if (slot === undefined || !this.reuseBuffers) return { range, data: this.float32 ? new Float32Array(count) : new Float64Array(count) };
    return { range, data: this.float32 ? scratchFloat32(`wavelet-${slot}`, count) : scratchFloat64(`wavelet-${slot}`, count) };
  }

  /** Copies the image on `range` of the padded grid, where an odd dimension's extra voxel repeats the first (index 0). */
  paddedInput(range: BlockRange): Block {
    const block = this.allocate(range, 'input');
    const [nx, ny, nz] = this.source.size;
    const [sx, sy, sz] = range.size;
    const [x0, y0, z0] = range.start;
    const data = this.source.data;
    let target = 0;
    for (let k = 0; k < sz; k++) {
      const sourceK = (z0 + k) % nz;
      for (let j = 0; j < sy; j++) {
        const row = nx * ((y0 + j) % ny + ny * sourceK);
        // Only the extra voxel of an odd x dimension lies past the source row; it repeats voxel 0.
        const inside = Math.min(sx, nx - x0);
        block.data.set(data.subarray(row + x0, row + x0 + inside), target);
        for (let i = inside; i < sx; i++) block.data[target + i] = data[row + ((x0 + i) % nx)];
        target += sx;
      }
    }
    return block;
  }

  /**
   * Runs the pass along transformed axis `n`. Its output is a work buffer unless it is the last pass, whose
   * output goes to `lastSlot` when given and to a new buffer otherwise.
   */
  private pass(input: Block, n: number, letter: string, range: BlockRange, lastSlot?: string): Block {
    const axis = this.axes[n];
    const output = this.allocate(range, n < this.axes.length - 1 ? `pass-${n}` : lastSlot);
    convolveAxis(input, output, this.dims[axis], axis, letter === 'L' ? this.lowPass : this.highPass);
    return output;
  }

  /** Computes one sub-band of one level on `range`; letter n gives the filter along the n-th transformed axis. */
  filter(input: Block, letters: string, range: BlockRange): Block {
    let current = input;
    for (let n = 0; n < this.axes.length; n++) {
      current = this.pass(current, n, letters[n], this.rangeAfter(n, input.range, range));
    }
    return current;
  }

  /**
   * Computes every sub-band of one level on `range`, sharing the passes along the first axes. Each detail
   * sub-band goes to `visit` in a work buffer that the next one reuses. The approximation (the sub-band named
   * `approximationLetters`) gets a new buffer and is returned instead.
   */
  filterAll(input: Block, range: BlockRange, approximationLetters: string, visit: (letters: string, block: Block) => void): Block {
    let approximation: Block | undefined;
    const descend = (block: Block, depth: number, letters: string): void => {
      if (depth === this.axes.length) {
        if (letters === approximationLetters) approximation = block;
        else visit(letters, block);
        return;
      }
      // The work buffer of pass `depth` is free again once both sub-trees below it are done, which is when the
      // other letter at this depth overwrites it.
      for (const letter of ['L', 'H']) {
        const next = letters + letter;
        const last = depth === this.axes.length - 1;
        const slot = last && next !== approximationLetters ? 'detail' : undefined;
        descend(this.pass(block, depth, letter, this.rangeAfter(depth, input.range, range), slot), depth + 1, next);
      }
    };
    descend(input, 0, '');
    return approximation!;
  }

  /**
   * Returns the range a block covers after the passes along transformed axes 0 … n: the output range on
   * those axes, the input range on the others.
   */
  private rangeAfter(n: number, input: BlockRange, output: BlockRange): BlockRange {
    const done = this.axes.slice(0, n + 1);
    const pick = (axis: 0 | 1 | 2) => (done.includes(axis) ? output : input);
    return {
      start: [pick(0).start[0], pick(1).start[1], pick(2).start[2]],
      size: [pick(0).size[0], pick(1).size[1], pick(2).size[2]],
    };
  }

  /**
   * Returns the requested box of a block as a volume placed where the box lies in space, in the block's own
   * arithmetic. A block that is exactly the box is returned without a copy.
   */
  toVolume(block: Block): TransientSubBandVolume {
    const box = this.box;
    const [bx, by, bz] = box.size;
    const [sx, sy] = block.range.size;
    const dx = box.start[0] - block.range.start[0];
    const dy = box.start[1] - block.range.start[1];
    const dz = box.start[2] - block.range.start[2];
    const whole = dx === 0 && dy === 0 && dz === 0 && bx === sx && by === sy && bz === block.range.size[2];
    let data = block.data;
    if (!whole) {
      data = block.data instanceof Float32Array ? new Float32Array(bx * by * bz) : new Float64Array(bx * by * bz);
      let target = 0;
      for (let k = 0; k < bz; k++) {
        for (let j = 0; j < by; j++) {
          const row = dx + sx * (dy + j + sy * (dz + k));
          data.set(block.data.subarray(row, row + bx), target);
          target += bx;
        }
      }
    }

    const { spacing, direction } = this.source;
    const origin = indexToPhysical(this.source, box.start[0], box.start[1], box.start[2]);
    return { size: [bx, by, bz], spacing, origin, direction, data };
  }
}

function validateBox(box: BoundingBox, size: Vec3): BlockRange {
  for (let axis = 0; axis < 3; axis++) {
    const lower = box.lower[axis];
    const upper = box.upper[axis];
    if (!Number.isInteger(lower) || !Number.isInteger(upper) || lower < 0 || upper >= size[axis] || lower > upper) {
      throw new RadiomicsError('INTERNAL_ERROR', `Wavelet output box [${box.lower.join(', ')}] – [${box.upper.join(', ')}] does not fit the image of size ${size.join(' × ')}.`, {
        details: { box, size },
      });
    }
  }
  return {
    start: [box.lower[0], box.lower[1], box.lower[2]],
    size: [box.upper[0] - box.lower[0] + 1, box.upper[1] - box.lower[1] + 1, box.upper[2] - box.lower[2] + 1],
  };
}
