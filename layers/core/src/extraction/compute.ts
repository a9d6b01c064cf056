/**
 * Runs the enabled feature classes on one image (original or a sub-band) over the prepared ROI, cropping to
 * the ROI's bounding box first so that every loop touches only the voxels that matter.
 */
import { RadiomicsError } from '../errors';
import type { ImageVolume, Vec3 } from '../image/volume';
import { computeFirstOrder } from '../features/firstorder';
import { computeGlcm } from '../features/glcm';
import { computeGldm } from '../features/gldm';
import { computeGlrlm } from '../features/glrlm';
import { computeGlszm } from '../features/glszm';
import { computeNgtdm } from '../features/ngtdm';
import { discretise } from '../features/discretisation';
import { buildTextureRegion, roiIntensities, roiLayout, type FeatureInput, type RoiLayout } from '../features/region';
import { computeShape } from '../features/shape';
import { scanVoxelBox } from '../roi';
import { scratchFloat64, scratchInt32, scratchUint16 } from '../scratch';
import { DEFAULT_FEATURES, DEPRECATED_FEATURES, type ExtractionSettings, type FeatureClassName, type GeneralSettings } from '../settings';

/** Inclusive voxel box of the non-zero voxels of a mask. */
export function maskBoundingBox(mask: ImageVolume<Uint8Array>): { lower: Vec3; upper: Vec3 } {
  const box = new Int32Array(7);
  scanVoxelBox(mask.data, mask.size, null, false, box);
  return { lower: [box[0], box[1], box[2]], upper: [box[3], box[4], box[5]] };
}

/** Copies the box out of a flat volume; the result is i-fastest like the input. */
function cropArray<T extends Float64Array | Uint8Array>(data: T, size: Vec3, box: { lower: Vec3; upper: Vec3 }, make: (length: number) => T): T {
  const cropped = [box.upper[0] - box.lower[0] + 1, box.upper[1] - box.lower[1] + 1, box.upper[2] - box.lower[2] + 1];
  const out = make(cropped[0] * cropped[1] * cropped[2]);
  let target = 0;
  for (let k = 0; k < cropped[2]; k++) {
    for (let j = 0; j < cropped[1]; j++) {
      const source = box.lower[0] + size[0] * (box.lower[1] + j + size[1] * (box.lower[2] + k));
      out.set(data.subarray(source, source + cropped[0]), target);
      target += cropped[0];
    }
  }
  return out;
}

/** The ROI's tight box inside the prepared region and the mask cropped to it, shared by every image type. */
export interface FeatureGrid {
  readonly box: { lower: Vec3; upper: Vec3 };
  readonly size: Vec3;
  readonly mask: Uint8Array;
  readonly spacing: Vec3;
  /** ROI voxel positions in `mask`, shared by the feature inputs of every image type. */
  readonly layout: RoiLayout;
}

const featureGrids = new WeakMap<ImageVolume<Uint8Array>, FeatureGrid>();

/** Returns the tight ROI grid of a feature mask, computed once per mask. */
export function featureGridOf(mask: ImageVolume<Uint8Array>): FeatureGrid {
  let grid = featureGrids.get(mask);
  if (!grid) {
    const box = maskBoundingBox(mask);
    const size: Vec3 = [box.upper[0] - box.lower[0] + 1, box.upper[1] - box.lower[1] + 1, box.upper[2] - box.lower[2] + 1];
    const cropped = cropArray(mask.data, mask.size, box, (length) => new Uint8Array(length));
    grid = { box, size, mask: cropped, spacing: mask.spacing, layout: roiLayout(cropped, size) };
    featureGrids.set(mask, grid);
  }
  return grid;
}

/**
 * Builds the feature input of an image given on a grid of size `dataSize`, where the prepared region starts at
 * `regionOffset`, cropped to the ROI's tight box.
 */
export function featureInputOn(grid: FeatureGrid, data: Float64Array, dataSize: Vec3, regionOffset: readonly number[] = [0, 0, 0]): FeatureInput {
  const lower: Vec3 = [grid.box.lower[0] + regionOffset[0], grid.box.lower[1] + regionOffset[1], grid.box.lower[2] + regionOffset[2]];
  const upper: Vec3 = [grid.box.upper[0] + regionOffset[0], grid.box.upper[1] + regionOffset[1], grid.box.upper[2] + regionOffset[2]];
  return {
    image: cropArray(data, dataSize, { lower, upper }, (length) => new Float64Array(length)),
    mask: grid.mask,
    size: grid.size,
    spacing: grid.spacing,
    layout: grid.layout,
  };
}

/** Builds the feature input of an image computed on exactly the ROI's tight box, without copying it. */
export function featureInputOnBox(grid: FeatureGrid, image: ImageVolume<Float32Array | Float64Array>): FeatureInput {
  if (!image.size.every((extent, axis) => extent === grid.size[axis])) {
    throw new RadiomicsError('INTERNAL_ERROR', `An image of ${image.size.join(' × ')} voxels was given for a ROI box of ${grid.size.join(' × ')}.`);
  }
  return { image: image.data, mask: grid.mask, size: grid.size, spacing: grid.spacing, layout: grid.layout };
}

/** Builds the feature input of an image over a mask, cropped to the mask's bounding box. */
export function croppedFeatureInput(image: Float64Array, mask: ImageVolume<Uint8Array>, box = maskBoundingBox(mask)): FeatureInput {
  const size: Vec3 = [box.upper[0] - box.lower[0] + 1, box.upper[1] - box.lower[1] + 1, box.upper[2] - box.lower[2] + 1];
  return {
    image: cropArray(image, mask.size, box, (length) => new Float64Array(length)),
    mask: cropArray(mask.data, mask.size, box, (length) => new Uint8Array(length)),
    size,
    spacing: mask.spacing,
  };
}

/** Feature names enabled for a class: the listed ones, or every default feature when none is listed. */
export function enabledFeatureNames(settings: ExtractionSettings, className: FeatureClassName): readonly string[] {
  const listed = settings.featureClass[className];
  if (listed === undefined) return [];
  return listed ?? DEFAULT_FEATURES[className];
}

const TEXTURE_CLASSES = ['glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'] as const;

/**
 * Computes the enabled non-shape classes of one image and writes them as `<prefix>_<class>_<feature>`.
 * `input` is the image cropped to the ROI box.
 */
export function computeIntensityClasses(
  input: FeatureInput,
  general: GeneralSettings,
  settings: ExtractionSettings,
  prefix: string,
  output: Record<string, number>,
): void {
  // The ROI intensities, bins and level grid of one image type are dropped when it is done, so they live in
  // per-thread work buffers instead of about 4 MB of new arrays per image type of a 1 mm lesion.
  const values = roiIntensities(input, (length) => scratchFloat64('roi-intensities', length));
  const discretisation = discretise(values, general, (length) => scratchInt32('roi-bins', length));

  const firstOrderNames = enabledFeatureNames(settings, 'firstorder');
  if (firstOrderNames.length > 0) {
    const firstOrder = computeFirstOrder(values, discretisation, input.spacing, general) as Record<string, number>;
    for (const name of firstOrderNames) output[`${prefix}_firstorder_${name}`] = firstOrder[name];
  }

  const textureClasses = TEXTURE_CLASSES.filter((className) => enabledFeatureNames(settings, className).length > 0);
  if (textureClasses.length === 0) return;
  const region = buildTextureRegion(input, general, values, discretisation, (length) => scratchUint16('texture-level-codes', length).fill(0));
  for (const className of textureClasses) {
    const computed = computeTextureClass(className, region, general);
    for (const name of enabledFeatureNames(settings, className)) output[`${prefix}_${className}_${name}`] = computed[name];
  }
}

function computeTextureClass(
  className: (typeof TEXTURE_CLASSES)[number],
  region: ReturnType<typeof buildTextureRegion>,
  general: GeneralSettings,
): Record<string, number> {
  switch (className) {
    case 'glcm':
      return computeGlcm(region, general);
    case 'glrlm':
      return computeGlrlm(region, general);
    case 'glszm':
      return computeGlszm(region, general);
    case 'gldm':
      return computeGldm(region, general);
    case 'ngtdm':
      return computeNgtdm(region, general);
  }
}

/** Computes the enabled shape features of the shape mask as `original_shape_<feature>`. */
export function computeShapeClass(shapeMask: ImageVolume<Uint8Array>, settings: ExtractionSettings, output: Record<string, number>): void {
  const names = enabledFeatureNames(settings, 'shape');
  if (names.length === 0) return;
  const grid = featureGridOf(shapeMask);
  const cropped: ImageVolume<Uint8Array> = {
    size: grid.size,
    spacing: shapeMask.spacing,
    origin: shapeMask.origin,
    direction: shapeMask.direction,
    data: grid.mask,
  };
  const includeDeprecated = names.some((name) => DEPRECATED_FEATURES.shape.includes(name));
  const shape = computeShape(cropped, shapeMask.spacing, { includeDeprecated });
  for (const name of names) output[`original_shape_${name}`] = shape[name];
}
