/**
 * Preprocessing before feature extraction, in PyRadiomics' order: normalisation of the whole image, ROI checks,
 * resampling (or cropping to the ROI bounding box plus `padDistance`), then re-segmentation of the mask.
 */
import { RadiomicsError } from '../errors';
import type { ImageVolume, LabelVolume, Vec3 } from '../image/volume';
import { assertSameGeometry, cropVolume, padBoundingBox, scanVoxelBox, validateRoi, type BoundingBox, type ValidateRoiOptions } from '../roi';
import { DEFAULT_GEOMETRY_TOLERANCE } from '../geometry';
import { resampleImageAndMask } from '../resample';
import { planWaveletRegion } from '../filters/wavelet';
import { pairwiseSum } from '../features/numeric';
import type { ExtractionSettings, GeneralSettings } from '../settings';

export interface PreparedRegion {
  readonly label: number;
  /** Intensities of the region features are computed on: the padded ROI box, or the resampled region. */
  readonly image: ImageVolume<Float64Array>;
  /** ROI after re-segmentation (1 inside), used by every class except shape. */
  readonly mask: ImageVolume<Uint8Array>;
  /** ROI used by shape: the mask before re-segmentation unless `resegmentShape` is set. */
  readonly shapeMask: ImageVolume<Uint8Array>;
  /** ROI bounding box in the input image's voxel indices, inclusive. */
  readonly roiBox: BoundingBox;
  /** Voxels in `mask`. */
  readonly roiVoxelCount: number;
  readonly resampled: boolean;
  /**
   * Image the wavelet transform runs on, chosen so that sub-band values equal PyRadiomics': the region itself after
   * resampling or with preCrop, otherwise the whole image (or a box that provably gives the same values).
   * `regionBox` locates `image` inside `source`.
   */
  readonly waveletSource: { readonly source: ImageVolume; readonly regionBox: BoundingBox };
}

/** Validates the ROI and builds the region that every image type of one lesion shares. */
export function prepareRegion(image: ImageVolume, labelMap: LabelVolume | ImageVolume, settings: ExtractionSettings, label = settings.setting.label): PreparedRegion {
  const general = settings.setting;
  const normalised = general.normalize ? normaliseImage(image, general) : image;
  const validation = {
    label,
    minimumDimensions: general.minimumROIDimensions,
    minimumVoxels: general.minimumROISize ?? undefined,
    geometryTolerance: general.geometryTolerance === null ? undefined : { spacingRelative: general.geometryTolerance, originMm: general.geometryTolerance, direction: general.geometryTolerance },
  };
  const roiBox = locateRoi(normalised, labelMap, validation);

  let regionImage: ImageVolume;
  let regionLabels: ImageVolume;
  let waveletSource: () => PreparedRegion['waveletSource'];
  const resampling = general.resampledPixelSpacing !== null && general.interpolator !== null;
  if (resampling) {
    const resampled = resampleImageAndMask(normalised, labelMap, {
      spacing: general.resampledPixelSpacing as number[],
      interpolator: general.interpolator as string,
      label,
      padDistance: general.padDistance,
      minimumDimensions: general.minimumROIDimensions,
    });
    regionImage = resampled.image;
    regionLabels = resampled.mask;
    const whole = { source: regionImage, regionBox: wholeBox(regionImage.size) };
    waveletSource = () => whole;
  } else {
    const box = padBoundingBox(roiBox, normalised.size, general.padDistance);
    regionImage = cropVolume(normalised, box);
    regionLabels = cropVolume(labelMap, box);
    if (general.preCrop) {
      const whole = { source: regionImage, regionBox: wholeBox(regionImage.size) };
      waveletSource = () => whole;
    } else {
      const plan = planWaveletRegion(normalised.size, roiBox, { wavelet: general.wavelet, level: general.level, startLevel: general.start_level });
      const regionBox = shiftBox(box, plan.cropped ? plan.box.lower : [0, 0, 0]);
      // Cropped on first use, so an extraction without wavelet sub-bands skips the copy.
      let planned: PreparedRegion['waveletSource'] | undefined;
      waveletSource = () => {
        planned ??= { source: plan.cropped ? cropVolume(normalised, plan.box) : normalised, regionBox };
        return planned;
      };
    }
  }

  const intensities = Float64Array.from(regionImage.data as ArrayLike<number>);
  const shapeData = new Uint8Array(intensities.length);
  for (let v = 0; v < shapeData.length; v++) shapeData[v] = regionLabels.data[v] === label ? 1 : 0;
  const geometry = { size: regionImage.size, spacing: regionImage.spacing, origin: regionImage.origin, direction: regionImage.direction };
  const originalMask: ImageVolume<Uint8Array> = { ...geometry, data: shapeData };
  const featureMask = general.resegmentRange ? resegmentMask(intensities, originalMask, general) : originalMask;

  let roiVoxelCount = 0;
  for (let v = 0; v < featureMask.data.length; v++) roiVoxelCount += featureMask.data[v];
  return {
    label,
    image: { ...geometry, data: intensities },
    mask: featureMask,
    shapeMask: general.resegmentShape ? featureMask : originalMask,
    roiBox,
    roiVoxelCount,
    resampled: resampling,
    get waveletSource() {
      return waveletSource();
    },
  };
}

/**
 * Returns the bounding box of the label after the checks of `validateRoi`, in one pass over the label map.
 * Any failed check is handed to `validateRoi`, which raises the catalogue error with its full explanation
 * (labels present, extents). The fast path skips only the connected-component count of every label.
 */
function locateRoi(image: ImageVolume, labelMap: ImageVolume, options: ValidateRoiOptions & { label: number }): BoundingBox {
  assertSameGeometry(image, labelMap, options.geometryTolerance ?? DEFAULT_GEOMETRY_TOLERANCE);
  const data = labelMap.data as ArrayLike<number>;
  // Unsigned integer arrays hold only valid labels, so only other types need the per-voxel label check.
  const checkLabels = !(data instanceof Uint8Array || data instanceof Uint16Array || data instanceof Uint32Array);
  const scan = new Int32Array(7);
  const count = scanVoxelBox(data, labelMap.size, options.label, checkLabels, scan);
  const lower = [scan[0], scan[1], scan[2]];
  const upper = [scan[3], scan[4], scan[5]];
  const integerLabels = scan[6] === 1;

  const spannedAxes = [0, 1, 2].filter((axis) => upper[axis] > lower[axis]).length;
  const valid = integerLabels && count >= Math.max(2, options.minimumVoxels ?? 2) && spannedAxes >= (options.minimumDimensions ?? 2);
  if (!valid) return validateRoi(image, labelMap, options);
  return { lower: lower as unknown as Vec3, upper: upper as unknown as Vec3 };
}

function wholeBox(size: Vec3): BoundingBox {
  return { lower: [0, 0, 0], upper: [size[0] - 1, size[1] - 1, size[2] - 1] };
}

function shiftBox(box: BoundingBox, origin: readonly number[]): BoundingBox {
  return {
    lower: [box.lower[0] - origin[0], box.lower[1] - origin[1], box.lower[2] - origin[2]],
    upper: [box.upper[0] - origin[0], box.upper[1] - origin[1], box.upper[2] - origin[2]],
  };
}

/**
 * Whole-image normalisation as SimpleITK's Normalize, which PyRadiomics calls: (x − mean) · (1 / SD) with the
 * sample SD (N − 1), then clipping to ± `removeOutliers` and multiplying by `normalizeScale`.
 */
export function normaliseImage(image: ImageVolume, settings: Pick<GeneralSettings, 'normalizeScale' | 'removeOutliers'>): ImageVolume<Float64Array> {
  const data = image.data as ArrayLike<number>;
  const count = data.length;
  // Compensated sums, as ITK's StatisticsImageFilter accumulates them.
  let sum = 0;
  let sumCompensation = 0;
  let squares = 0;
  let squaresCompensation = 0;
  for (let v = 0; v < count; v++) {
    const value = data[v];
    let next = sum + value;
    sumCompensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
    const square = value * value;
    next = squares + square;
    squaresCompensation += Math.abs(squares) >= Math.abs(square) ? squares - next + square : square - next + squares;
    squares = next;
  }

  sum += sumCompensation;
  squares += squaresCompensation;
  const mean = sum / count;
  const variance = (squares - (sum * sum) / count) / (count - 1);
  const scale = 1 / Math.sqrt(variance);
  if (!Number.isFinite(scale)) {
    throw new RadiomicsError('DATA_INVALID', 'The image has a single intensity, so it cannot be normalised; disable normalize.');
  }

  const outliers = settings.removeOutliers;
  const output = new Float64Array(count);
  for (let v = 0; v < count; v++) {
    let value = (data[v] - mean) * scale;
    if (outliers !== null) {
      if (value > outliers) value = outliers;
      else if (value < -outliers) value = -outliers;
    }
    output[v] = value * settings.normalizeScale;
  }
  return { size: image.size, spacing: image.spacing, origin: image.origin, direction: image.direction, data: output };
}

/**
 * Re-segmentation as PyRadiomics' resegmentMask: keeps ROI voxels with intensity ≥ the lower threshold and
 * (when given) ≤ the upper one. Thresholds are the range itself ('absolute'), the range times the ROI maximum
 * ('relative'), or the ROI mean plus the range times the ROI SD ('sigma', population SD).
 */
export function resegmentMask(
  intensities: Float64Array,
  mask: ImageVolume<Uint8Array>,
  settings: Pick<GeneralSettings, 'resegmentRange' | 'resegmentMode' | 'label'>,
): ImageVolume<Uint8Array> {
  const range = [...(settings.resegmentRange ?? [])].sort((a, b) => a - b);
  const values: number[] = [];
  for (let v = 0; v < mask.data.length; v++) if (mask.data[v]) values.push(intensities[v]);
  let thresholds = range;
  if (settings.resegmentMode === 'relative') {
    const maximum = values.reduce((a, b) => Math.max(a, b), -Infinity);
    thresholds = range.map((bound) => maximum * bound);
  } else if (settings.resegmentMode === 'sigma') {
    const mean = pairwiseSum(Float64Array.from(values)) / values.length;
    const squared = Float64Array.from(values, (value) => Math.abs(value - mean) ** 2);
    const sd = Math.sqrt(pairwiseSum(squared) / values.length);
    thresholds = range.map((bound) => mean + sd * bound);
  }

  const data = new Uint8Array(mask.data.length);
  let kept = 0;
  for (let v = 0; v < data.length; v++) {
    if (!mask.data[v]) continue;
    const value = intensities[v];
    if (value < thresholds[0]) continue;
    if (thresholds.length > 1 && value > thresholds[1]) continue;
    data[v] = 1;
    kept++;
  }
  if (kept === 0) {
    throw new RadiomicsError(
      'EMPTY_ROI',
      `Re-segmentation to [${thresholds.join(', ')}] (${settings.resegmentMode}) removed every voxel of label ${settings.label}.`,
      { details: { thresholds, mode: settings.resegmentMode } },
    );
  }
  return { ...mask, data };
}
