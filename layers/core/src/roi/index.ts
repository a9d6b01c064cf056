// Region-of-interest checks run before any feature is computed: geometry agreement, label inventory,
// ROI size, and cropping to the ROI bounding box.
import { RadiomicsError } from '../errors';
import type { ImageGeometry, ImageVolume, Vec3, VoxelArray } from '../image/volume';
import { compareGeometry, DEFAULT_GEOMETRY_TOLERANCE, formatVector, type GeometryTolerance } from '../geometry';
import { indexToPhysical } from '../image/volume';

/** Inclusive voxel-index bounds of a region. */
export interface BoundingBox {
  readonly lower: Vec3;
  readonly upper: Vec3;
}

export interface LabelSummary {
  readonly label: number;
  readonly voxelCount: number;
  readonly boundingBox: BoundingBox;
  /** Number of 26-connected components (face, edge or corner neighbours join). */
  readonly components: number;
}

/**
 * Lists every non-zero label in a mask: voxel count, bounding box and number of 26-connected components.
 * Raises NON_INTEGER_LABELS when a voxel holds a fractional, negative or non-finite value.
 */
export function labelInventory(mask: ImageVolume): LabelSummary[] {
  assertIntegerLabels(mask.data);
  const boxes = new Map<number, { count: number; lower: number[]; upper: number[] }>();
  const [nx, ny, nz] = mask.size;

  let index = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, index++) {
        const label = mask.data[index];
        if (label === 0) continue;
        let box = boxes.get(label);
        if (!box) {
          box = { count: 0, lower: [i, j, k], upper: [i, j, k] };
          boxes.set(label, box);
        }
        box.count++;
        if (i < box.lower[0]) box.lower[0] = i;
        if (i > box.upper[0]) box.upper[0] = i;
        if (j < box.lower[1]) box.lower[1] = j;
        if (j > box.upper[1]) box.upper[1] = j;
        box.upper[2] = k; // k only grows in this scan order
      }
    }
  }

  return [...boxes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([label, box]) => {
      const boundingBox = { lower: box.lower as unknown as Vec3, upper: box.upper as unknown as Vec3 };
      return { label, voxelCount: box.count, boundingBox, components: countComponents(mask, label, boundingBox) };
    });
}

function assertIntegerLabels(data: VoxelArray): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int8Array || data instanceof Int16Array || data instanceof Int32Array)) {
    return;
  }
  let fractional = 0;
  let negative = 0;
  for (let n = 0; n < data.length; n++) {
    const value = data[n];
    if (value < 0) negative++;
    else if (!Number.isInteger(value)) fractional++;
  }
  if (fractional > 0 || negative > 0) {
    throw new RadiomicsError(
      'NON_INTEGER_LABELS',
      `The mask is not an integer label map: ${fractional} voxels hold fractional or non-finite values and ${negative} hold negative values.`,
      { details: { fractionalVoxels: fractional, negativeVoxels: negative } },
    );
  }
}

/**
 * Counts 26-connected components of one label inside its bounding box, by depth-first flood fill. The label's
 * voxels are marked on the box padded by one background voxel on every side, so that each of the 26 neighbour
 * offsets needs no bounds test, and a voxel's mark is cleared when it is queued.
 */
function countComponents(mask: ImageVolume, label: number, box: BoundingBox): number {
  const [nx, ny] = mask.size;
  const data = mask.data;
  const bx = box.upper[0] - box.lower[0] + 1;
  const by = box.upper[1] - box.lower[1] + 1;
  const bz = box.upper[2] - box.lower[2] + 1;
  const px = bx + 2;
  const py = by + 2;
  const unvisited = new Uint8Array(px * py * (bz + 2));
  let labelled = 0;
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const source = box.lower[0] + nx * (box.lower[1] + j + ny * (box.lower[2] + k));
      const target = 1 + px * (j + 1 + py * (k + 1));
      for (let i = 0; i < bx; i++) {
        if (data[source + i] !== label) continue;
        unvisited[target + i] = 1;
        labelled++;
      }
    }
  }

  const offsets: number[] = [];
  for (let dk = -1; dk <= 1; dk++) {
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) if (di !== 0 || dj !== 0 || dk !== 0) offsets.push(di + px * (dj + py * dk));
    }
  }
  const neighbourOffsets = Int32Array.from(offsets);

  const stack = new Int32Array(labelled);
  let components = 0;
  for (let seed = 0; seed < unvisited.length; seed++) {
    if (!unvisited[seed]) continue;
    components++;
    unvisited[seed] = 0;
    let top = 0;
    stack[top++] = seed;
    while (top > 0) {
      const voxel = stack[--top];
      for (let o = 0; o < neighbourOffsets.length; o++) {
        const neighbour = voxel + neighbourOffsets[o];
        if (!unvisited[neighbour]) continue;
        unvisited[neighbour] = 0;
        stack[top++] = neighbour;
      }
    }
  }
  return components;
}

export interface ValidateRoiOptions {
  /** Label value of the lesion (PyRadiomics `label`, default 1). */
  readonly label?: number;
  readonly geometryTolerance?: GeometryTolerance;
  /** Minimum number of axes along which the ROI spans more than one voxel (PyRadiomics `minimumROIDimensions`, default 2). */
  readonly minimumDimensions?: number;
  /** Minimum voxel count (PyRadiomics `minimumROISize`); at least 2, because a single voxel has no texture. */
  readonly minimumVoxels?: number;
}

/**
 * Checks that a mask fits its image and that one label forms a usable ROI, and returns its bounding box.
 *
 * Raises GEOMETRY_MISMATCH (with the measured size, spacing, origin and direction deltas), NON_INTEGER_LABELS,
 * EMPTY_ROI (no non-zero voxel at all), LABEL_NOT_FOUND (listing the labels present) and ROI_TOO_SMALL
 * (one voxel, fewer voxels than `minimumVoxels`, or fewer than `minimumDimensions` axes with extent > 1).
 */
export function validateRoi(image: ImageGeometry, mask: ImageVolume, options: ValidateRoiOptions = {}): BoundingBox {
  const label = options.label ?? 1;
  assertSameGeometry(image, mask, options.geometryTolerance ?? DEFAULT_GEOMETRY_TOLERANCE);

  const inventory = labelInventory(mask);
  if (inventory.length === 0) {
    throw new RadiomicsError('EMPTY_ROI', `The mask contains no non-zero voxel, so label ${label} has no ROI.`, { details: { label } });
  }

  const summary = inventory.find((entry) => entry.label === label);
  if (!summary) {
    const present = inventory.map((entry) => entry.label);
    throw new RadiomicsError(
      'LABEL_NOT_FOUND',
      `Label ${label} is not in the mask; labels present: ${present.join(', ')}.`,
      { details: { label, labelsPresent: present } },
    );
  }

  const minimumVoxels = Math.max(2, options.minimumVoxels ?? 2);
  if (summary.voxelCount < minimumVoxels) {
    throw new RadiomicsError(
      'ROI_TOO_SMALL',
      `Label ${label} has ${summary.voxelCount} voxel${summary.voxelCount === 1 ? '' : 's'}; at least ${minimumVoxels} are required.`,
      { details: { label, voxelCount: summary.voxelCount, minimumVoxels } },
    );
  }

  const extent = [0, 1, 2].map((axis) => summary.boundingBox.upper[axis] - summary.boundingBox.lower[axis] + 1);
  const spannedAxes = extent.filter((value) => value > 1).length;
  const minimumDimensions = options.minimumDimensions ?? 2;
  if (spannedAxes < minimumDimensions) {
    throw new RadiomicsError(
      'ROI_TOO_SMALL',
      `Label ${label} spans ${extent.join(' × ')} voxels, so only ${spannedAxes} axes have extent > 1; at least ${minimumDimensions} are required.`,
      { details: { label, extent, minimumDimensions } },
    );
  }
  return summary.boundingBox;
}

/** Raises GEOMETRY_MISMATCH when the mask grid differs from the image grid beyond the tolerance. */
export function assertSameGeometry(image: ImageGeometry, mask: ImageGeometry, tolerance = DEFAULT_GEOMETRY_TOLERANCE): void {
  const comparison = compareGeometry(image, mask, tolerance);
  if (comparison.withinTolerance) return;

  const parts: string[] = [];
  if (!comparison.sameSize) parts.push(`size ${mask.size.join(' × ')} vs image ${image.size.join(' × ')}`);
  if (comparison.spacingDelta > tolerance.spacingRelative) {
    parts.push(
      `spacing ${formatVector(mask.spacing, 6)} mm vs ${formatVector(image.spacing, 6)} mm (relative difference ${comparison.spacingDelta.toExponential(2)}, tolerance ${tolerance.spacingRelative})`,
    );
  }
  if (comparison.originDeltaMm > tolerance.originMm) {
    parts.push(`origin ${comparison.originDeltaMm.toFixed(4)} mm apart (tolerance ${tolerance.originMm} mm)`);
  }
  if (comparison.directionDelta > tolerance.direction) {
    parts.push(`direction cosines differ by up to ${comparison.directionDelta.toFixed(5)} (tolerance ${tolerance.direction})`);
  }
  throw new RadiomicsError('GEOMETRY_MISMATCH', `The mask grid does not match the image grid: ${parts.join('; ')}.`, {
    details: {
      sizeMatches: comparison.sameSize,
      spacingDeltaRelative: comparison.spacingDelta,
      originDeltaMm: comparison.originDeltaMm,
      directionDelta: comparison.directionDelta,
    },
  });
}

/**
 * Counts the voxels equal to `label` (non-zero voxels when `label` is null) and writes their box into `scan`:
 * lower i, j, k, then upper i, j, k, lower above upper when there are none. With `checkLabels`, scan[6] is 1
 * when every other value is a non-negative integer, else 0. It returns a number and writes into a typed
 * array, so V8 optimises the loop once. As part of a function that builds objects after the loop and runs once
 * per extraction, the loop was compiled on the fly and thrown away again, several times over.
 */
export function scanVoxelBox(data: ArrayLike<number>, size: Vec3, label: number | null, checkLabels: boolean, scan: Int32Array): number {
  const nx = size[0];
  const ny = size[1];
  const nz = size[2];
  const anyNonZero = label === null;
  const matchedLabel = label ?? 0;

  let lowerI = nx;
  let lowerJ = ny;
  let lowerK = nz;
  let upperI = -1;
  let upperJ = -1;
  let upperK = -1;
  let count = 0;
  let integerLabels = 1;
  let v = 0;

  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const value = data[v];
        if (anyNonZero ? value !== 0 : value === matchedLabel) {
          count++;
          if (i < lowerI) lowerI = i;
          if (i > upperI) upperI = i;
          if (j < lowerJ) lowerJ = j;
          if (j > upperJ) upperJ = j;
          if (k < lowerK) lowerK = k;
          upperK = k;
        } else if (checkLabels && (value < 0 || value !== Math.floor(value))) {
          integerLabels = 0;
        }
      }
    }
  }

  scan[0] = lowerI;
  scan[1] = lowerJ;
  scan[2] = lowerK;
  scan[3] = upperI;
  scan[4] = upperJ;
  scan[5] = upperK;
  scan[6] = integerLabels;
  return count;
}

/** Pads a bounding box by `padDistance` voxels on every side, clipped to the image. */
export function padBoundingBox(box: BoundingBox, size: Vec3, padDistance: number): BoundingBox {
  const lower = [0, 1, 2].map((axis) => Math.max(0, box.lower[axis] - padDistance));
  const upper = [0, 1, 2].map((axis) => Math.min(size[axis] - 1, box.upper[axis] + padDistance));
  return { lower: lower as unknown as Vec3, upper: upper as unknown as Vec3 };
}

/** Copies the voxels of `box` into a new volume whose origin is the physical position of the box's first voxel. */
export function cropVolume<T extends VoxelArray>(volume: ImageVolume<T>, box: BoundingBox): ImageVolume<T> {
  const [nx, ny] = volume.size;
  const size = [0, 1, 2].map((axis) => box.upper[axis] - box.lower[axis] + 1) as unknown as Vec3;
  const Constructor = volume.data.constructor as new (length: number) => T;
  const data = new Constructor(size[0] * size[1] * size[2]);

  let target = 0;
  for (let k = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      const sourceRow = box.lower[0] + nx * (box.lower[1] + j + ny * (box.lower[2] + k));
      data.set(volume.data.subarray(sourceRow, sourceRow + size[0]) as never, target);
      target += size[0];
    }
  }

  const origin = indexToPhysical(volume, box.lower[0], box.lower[1], box.lower[2]) as unknown as Vec3;
  return { size, spacing: volume.spacing, origin, direction: volume.direction, data };
}

export interface CroppedRoi<I extends VoxelArray, M extends VoxelArray> {
  readonly image: ImageVolume<I>;
  readonly mask: ImageVolume<M>;
  /** The padded box in the input image's voxel indices. */
  readonly box: BoundingBox;
  /** The ROI's own bounding box in the input image's voxel indices. */
  readonly roiBox: BoundingBox;
}

/**
 * Crops image and mask to the bounding box of `label` plus `padDistance` voxels on each side, clipped at the
 * image border (as PyRadiomics' cropToTumorMask does). The mask keeps its label values. Validates the ROI first.
 */
export function cropToRoi<I extends VoxelArray, M extends VoxelArray>(
  image: ImageVolume<I>,
  mask: ImageVolume<M>,
  label = 1,
  padDistance = 5,
): CroppedRoi<I, M> {
  const roiBox = validateRoi(image, mask, { label, minimumDimensions: 1 });
  const box = padBoundingBox(roiBox, image.size, padDistance);
  return { image: cropVolume(image, box), mask: cropVolume(mask, box), box, roiBox };
}
