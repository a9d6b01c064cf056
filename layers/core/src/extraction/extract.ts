/**
 * The extraction API: which image types a parameter file enables, the features of one image type of a
 * prepared lesion, and a whole extraction with provenance.
 */
import { createHash } from 'node:crypto';

import corePackage from '../../package.json' with { type: 'json' };
import { RadiomicsError } from '../errors';
import type { ImageVolume, LabelVolume, Vec3 } from '../image/volume';
import { computeWaveletSubBand, forEachWaveletSubBand, waveletImageTypes, type TransientSubBandVolume, type WaveletOptions } from '../filters/wavelet';
import type { BoundingBox } from '../roi';
import { settingsForImageType, settingsHash, type ExtractionSettings } from '../settings';
import { computeIntensityClasses, computeShapeClass, featureGridOf, featureInputOn, featureInputOnBox } from './compute';
import { prepareRegion, type PreparedRegion } from './prepare';

/** Version of the core library, recorded in every extraction's provenance. */
export const CORE_VERSION: string = corePackage.version;

/** Image type names in PyRadiomics spelling: 'original', then the wavelet sub-bands ('wavelet-LLH', …). */
export function enabledImageTypes(settings: ExtractionSettings): string[] {
  const types: string[] = [];
  if (settings.imageType.Original) types.push('original');
  if (settings.imageType.Wavelet) types.push(...waveletImageTypes(waveletOptions(settings)));
  return types;
}

function waveletOptions(settings: ExtractionSettings): WaveletOptions {
  const general = settingsForImageType(settings, 'Wavelet');
  return { wavelet: general.wavelet, level: general.level, startLevel: general.start_level };
}

/**
 * Wavelet options that ask only for the ROI's tight box, in the wavelet source's voxel indices. The transform
 * then reads just the inputs that box needs (the whole axis where the filter would wrap around), so the
 * sub-band values in the box are those of the full transform.
 */
function roiBoxWaveletOptions(prepared: PreparedRegion, settings: ExtractionSettings): WaveletOptions {
  const { box } = featureGridOf(prepared.mask);
  const offset = prepared.waveletSource.regionBox.lower;
  const shift = (corner: Vec3): Vec3 => [corner[0] + offset[0], corner[1] + offset[1], corner[2] + offset[2]];
  return { ...waveletOptions(settings), box: { lower: shift(box.lower), upper: shift(box.upper) } };
}

/** Features of one sub-band image computed on the ROI's tight box (see roiBoxWaveletOptions). */
function extractSubBand(prepared: PreparedRegion, settings: ExtractionSettings, name: string, subBand: TransientSubBandVolume): Record<string, number> {
  const output: Record<string, number> = {};
  const input = featureInputOnBox(featureGridOf(prepared.mask), subBand);
  computeIntensityClasses(input, settingsForImageType(settings, 'Wavelet'), settings, name, output);
  return output;
}

/**
 * Features of one image type of a prepared lesion, keyed `<imageType>_<class>_<feature>`. Shape features are
 * computed for 'original' only, as in PyRadiomics.
 */
export function extractImageType(prepared: PreparedRegion, settings: ExtractionSettings, imageType: string): Record<string, number> {
  if (imageType === 'original') {
    if (!settings.imageType.Original) {
      throw new RadiomicsError('SETTINGS_INVALID', 'The Original image type is not enabled in the settings.');
    }
    const output: Record<string, number> = {};
    computeShapeClass(prepared.shapeMask, settings, output);
    const input = featureInputOn(featureGridOf(prepared.mask), prepared.image.data, prepared.image.size);
    computeIntensityClasses(input, settingsForImageType(settings, 'Original'), settings, 'original', output);
    return output;
  }
  if (!enabledImageTypes(settings).includes(imageType)) {
    throw new RadiomicsError('SETTINGS_INVALID', `Image type "${imageType}" is not enabled; enabled: ${enabledImageTypes(settings).join(', ')}.`);
  }
  const subBand = computeWaveletSubBand(prepared.waveletSource.source, imageType, roiBoxWaveletOptions(prepared, settings));
  return extractSubBand(prepared, settings, imageType, subBand);
}

export interface ExtractionProvenance {
  readonly productVersion: string;
  readonly settings: ExtractionSettings;
  readonly settingsHash: string;
  /** SHA-256 (hex) of the image voxel buffer as loaded, in its stored type. */
  readonly imageHash: string;
  /** SHA-256 (hex) of the label-map voxel buffer as loaded. */
  readonly maskHash: string;
  readonly label: number;
  /** ROI voxels used by the intensity and texture classes (after resampling and re-segmentation). */
  readonly roiVoxelCount: number;
  /** ROI bounding box in the input image's voxel indices (i, j, k), inclusive. */
  readonly boundingBox: BoundingBox;
  readonly imageTypes: readonly string[];
  /** Voxel spacing (mm) the features were computed at. */
  readonly spacing: readonly number[];
}

export interface ExtractionResult {
  readonly features: Record<string, number>;
  readonly provenance: ExtractionProvenance;
}

export interface ExtractOptions {
  /** Lesion label; defaults to the `label` setting. */
  readonly label?: number;
  /** Product version for the provenance; defaults to the core library version. */
  readonly productVersion?: string;
}

/** SHA-256 of a typed array's bytes. */
export function voxelBufferHash(data: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/** Extracts every enabled feature of one lesion, sharing one wavelet decomposition between the sub-bands. */
export function extractFeatures(
  image: ImageVolume,
  labelMap: LabelVolume | ImageVolume,
  settings: ExtractionSettings,
  options: ExtractOptions = {},
): ExtractionResult {
  const label = options.label ?? settings.setting.label;
  const prepared = prepareRegion(image, labelMap, settings, label);
  const imageTypes = enabledImageTypes(settings);
  const features: Record<string, number> = {};
  if (settings.imageType.Original) Object.assign(features, extractImageType(prepared, settings, 'original'));
  if (settings.imageType.Wavelet) {
    forEachWaveletSubBand(prepared.waveletSource.source, roiBoxWaveletOptions(prepared, settings), (name, subBand) => {
      Object.assign(features, extractSubBand(prepared, settings, name, subBand));
    });
  }
  return {
    features,
    provenance: {
      productVersion: options.productVersion ?? CORE_VERSION,
      settings,
      settingsHash: settingsHash(settings),
      imageHash: voxelBufferHash(image.data),
      maskHash: voxelBufferHash(labelMap.data),
      label,
      roiVoxelCount: prepared.roiVoxelCount,
      boundingBox: prepared.roiBox,
      imageTypes,
      spacing: [...prepared.image.spacing],
    },
  };
}
