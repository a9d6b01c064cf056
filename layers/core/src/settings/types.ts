import type { WeightingNorm } from '../features/texture-settings';

/** Interpretation of `resegmentRange`: absolute intensities, fractions of the ROI maximum, or ROI mean ± k·SD. */
export type ResegmentMode = 'absolute' | 'relative' | 'sigma';

/** PyRadiomics' general settings (the `setting` section), every key resolved to its value or default. */
export interface GeneralSettings {
  /** Label value of the lesion in the label map. */
  readonly label: number;
  readonly binWidth: number;
  /** Fixed bin count; when set it replaces binWidth. */
  readonly binCount: number | null;
  readonly voxelArrayShift: number;
  /** Normalise the whole image to mean 0 and SD 1 before anything else, then multiply by normalizeScale. */
  readonly normalize: boolean;
  readonly normalizeScale: number;
  /** After normalising, clip intensities to ± this many SD. */
  readonly removeOutliers: number | null;
  /** Target spacing in mm (0 keeps an axis); null disables resampling. */
  readonly resampledPixelSpacing: readonly number[] | null;
  /** Image interpolator for resampling: sitkBSpline, sitkLinear or sitkNearestNeighbor. */
  readonly interpolator: string | null;
  /** Voxels of padding kept around the ROI bounding box when cropping or resampling. */
  readonly padDistance: number;
  /** Crop to the padded ROI bounding box before filtering even without resampling. */
  readonly preCrop: boolean;
  readonly resegmentRange: readonly number[] | null;
  readonly resegmentMode: ResegmentMode;
  /** Use the re-segmented mask for shape too (PyRadiomics default false). */
  readonly resegmentShape: boolean;
  readonly force2D: boolean;
  readonly force2Ddimension: number;
  readonly distances: readonly number[];
  readonly symmetricalGLCM: boolean;
  readonly weightingNorm: WeightingNorm | null;
  readonly gldm_a: number;
  readonly minimumROIDimensions: number;
  readonly minimumROISize: number | null;
  /** Accepted difference between image and mask geometry; null uses the strict default. */
  readonly geometryTolerance: number | null;
  readonly correctMask: boolean;
  readonly additionalInfo: boolean;
  /** Wavelet filter bank (PyWavelets name). */
  readonly wavelet: string;
  /** Number of wavelet decomposition levels. */
  readonly level: number;
  /** First wavelet level whose sub-bands are used. */
  readonly start_level: number;
}

/** Names of the feature classes this product computes. */
export const FEATURE_CLASSES = ['shape', 'firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'] as const;
export type FeatureClassName = (typeof FEATURE_CLASSES)[number];

/** Image types this product computes, spelled as in PyRadiomics parameter files. */
export const IMAGE_TYPES = ['Original', 'Wavelet'] as const;
export type ImageTypeName = (typeof IMAGE_TYPES)[number];

/** A validated parameter file. */
export interface ExtractionSettings {
  readonly setting: GeneralSettings;
  /** Enabled image types with their own setting overrides (empty object for none). */
  readonly imageType: Readonly<Partial<Record<ImageTypeName, Readonly<Partial<GeneralSettings>>>>>;
  /** Enabled feature classes: null enables every default feature of the class, a list enables those named. */
  readonly featureClass: Readonly<Partial<Record<FeatureClassName, readonly string[] | null>>>;
}
