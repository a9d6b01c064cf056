/**
 * Parsing and validation of PyRadiomics-format parameter files (YAML or JSON with the sections `setting`,
 * `imageType` and `featureClass`). Every problem raises SETTINGS_INVALID naming the file, the key and what is
 * accepted, so that a wrong file fails before any image is read.
 */
import { parse as parseYaml } from 'yaml';

import { RadiomicsError } from '../errors';
import { DEFAULT_GENERAL_SETTINGS } from './defaults';
import { DEFAULT_FEATURES, DEPRECATED_FEATURES } from './feature-names';
import { FEATURE_CLASSES, IMAGE_TYPES, type ExtractionSettings, type FeatureClassName, type GeneralSettings, type ImageTypeName } from './types';

type Validator = (value: unknown, where: string) => unknown;

const INTERPOLATOR_CODES: Readonly<Record<number, string>> = { 1: 'sitkNearestNeighbor', 2: 'sitkLinear', 3: 'sitkBSpline' };
const INTERPOLATORS = ['sitkBSpline', 'sitkLinear', 'sitkNearestNeighbor'];
const WEIGHTING_NORMS = ['manhattan', 'euclidean', 'infinity', 'no_weighting'];

/** PyRadiomics settings that exist but that this product does not implement. */
const UNSUPPORTED_SETTINGS: Readonly<Record<string, string>> = {
  sigma: 'the LoG filter is not available',
  gradientUseSpacing: 'the Gradient filter is not available',
  lbp2Dradius: 'LBP filters are not available',
  lbp2Dsamples: 'LBP filters are not available',
  lbp2Dmethod: 'LBP filters are not available',
  lbp3DLevels: 'LBP filters are not available',
  lbp3DIcosphereRadius: 'LBP filters are not available',
  lbp3DIcosphereSubdivision: 'LBP filters are not available',
  label_channel: 'multi-channel masks are not supported',
  dtype: 'features are always computed in float64',
  initValue: 'voxel-based extraction is not available',
  kernelRadius: 'voxel-based extraction is not available',
  maskedKernel: 'voxel-based extraction is not available',
  voxelBatch: 'voxel-based extraction is not available',
};

const UNSUPPORTED_IMAGE_TYPES = ['LoG', 'Square', 'SquareRoot', 'Logarithm', 'Exponential', 'Gradient', 'LBP2D', 'LBP3D'];

function fail(where: string, message: string): never {
  throw new RadiomicsError('SETTINGS_INVALID', `${where}: ${message}`, { details: { where } });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `list ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const integer =
  (minimum: number, maximum = Number.MAX_SAFE_INTEGER): Validator =>
  (value, where) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
      fail(where, `expected an integer from ${minimum}${maximum === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${maximum}`}, got ${describe(value)}.`);
    }
    return value;
  };

const finiteNumber: Validator = (value, where) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(where, `expected a number, got ${describe(value)}.`);
  return value;
};

const positiveNumber: Validator = (value, where) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(where, `expected a positive number, got ${describe(value)}.`);
  return value;
};

const boolean: Validator = (value, where) => {
  if (typeof value !== 'boolean') fail(where, `expected true or false, got ${describe(value)}.`);
  return value;
};

const nullable =
  (inner: Validator): Validator =>
  (value, where) =>
    value === null ? null : inner(value, where);

const oneOf =
  (choices: readonly string[]): Validator =>
  (value, where) => {
    if (typeof value !== 'string' || !choices.includes(value)) fail(where, `expected one of ${choices.join(', ')}, got ${describe(value)}.`);
    return value;
  };

const numberList =
  (minimumLength: number, maximumLength: number, element: Validator): Validator =>
  (value, where) => {
    if (!Array.isArray(value) || value.length < minimumLength || value.length > maximumLength) {
      const length = minimumLength === maximumLength ? `${minimumLength}` : `${minimumLength} to ${maximumLength}`;
      fail(where, `expected a list of ${length} numbers, got ${describe(value)}.`);
    }
    return value.map((item, index) => element(item, `${where}[${index}]`));
  };

const interpolator: Validator = (value, where) => {
  if (value === null) return null;
  if (typeof value === 'number' && INTERPOLATOR_CODES[value]) return INTERPOLATOR_CODES[value];
  return oneOf(INTERPOLATORS)(value, where);
};

const distances: Validator = (value, where) => {
  const list = numberList(1, 16, integer(1))(value, where) as number[];
  if (list.some((distance) => distance !== 1)) {
    fail(where, `only distance 1 is supported (IBSI and PyRadiomics default), got ${JSON.stringify(list)}.`);
  }
  return [1];
};

const nonNegativeNumber: Validator = (value, where) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(where, `expected a number ≥ 0, got ${describe(value)}.`);
  return value;
};

const SETTING_VALIDATORS: Readonly<Record<keyof GeneralSettings, Validator>> = {
  label: integer(1),
  binWidth: positiveNumber,
  binCount: nullable(integer(1)),
  voxelArrayShift: finiteNumber,
  normalize: boolean,
  normalizeScale: positiveNumber,
  removeOutliers: nullable(positiveNumber),
  resampledPixelSpacing: nullable(numberList(3, 3, nonNegativeNumber)),
  interpolator,
  padDistance: integer(0),
  preCrop: boolean,
  resegmentRange: nullable(numberList(1, 2, finiteNumber)),
  resegmentMode: oneOf(['absolute', 'relative', 'sigma']),
  resegmentShape: boolean,
  force2D: boolean,
  force2Ddimension: integer(0, 2),
  distances,
  symmetricalGLCM: boolean,
  weightingNorm: nullable(oneOf(WEIGHTING_NORMS)),
  gldm_a: integer(0),
  minimumROIDimensions: integer(1, 3),
  minimumROISize: nullable(integer(1)),
  geometryTolerance: nullable(positiveNumber),
  correctMask: boolean,
  additionalInfo: boolean,
  wavelet: (value, where) => {
    if (typeof value !== 'string' || value.length === 0) fail(where, `expected a wavelet name such as coif1, got ${describe(value)}.`);
    return value;
  },
  level: integer(1, 8),
  start_level: integer(0, 7),
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a `setting`-like mapping and returns only the keys it contains. */
function validateSettingMap(value: unknown, where: string): Partial<GeneralSettings> {
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) fail(where, `expected a mapping of setting names to values, got ${describe(value)}.`);
  const result: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const keyWhere = `${where}.${key}`;
    if (Object.hasOwn(UNSUPPORTED_SETTINGS, key)) {
      fail(keyWhere, `this PyRadiomics setting is not supported (${UNSUPPORTED_SETTINGS[key]}); remove it.`);
    }
    const validator = SETTING_VALIDATORS[key as keyof GeneralSettings];
    if (!validator) {
      fail(keyWhere, `unknown setting. Known settings: ${Object.keys(SETTING_VALIDATORS).sort().join(', ')}.`);
    }
    result[key] = validator(raw, keyWhere);
  }
  if (result.resegmentRange && (result.resegmentRange as number[]).length === 2) {
    const [low, high] = result.resegmentRange as number[];
    if (low > high) fail(`${where}.resegmentRange`, `the lower bound ${low} exceeds the upper bound ${high}.`);
  }
  return result as Partial<GeneralSettings>;
}

function validateImageTypes(value: unknown, where: string): ExtractionSettings['imageType'] {
  if (value === undefined) return { Original: {} };
  if (!isPlainObject(value)) fail(where, `expected a mapping of image types (Original, Wavelet) to settings, got ${describe(value)}.`);
  const result: Partial<Record<ImageTypeName, Partial<GeneralSettings>>> = {};
  for (const [name, overrides] of Object.entries(value)) {
    const typeWhere = `${where}.${name}`;
    if (UNSUPPORTED_IMAGE_TYPES.includes(name)) fail(typeWhere, `the ${name} image type is not supported; use Original and Wavelet.`);
    if (!(IMAGE_TYPES as readonly string[]).includes(name)) fail(typeWhere, `unknown image type; use Original or Wavelet.`);
    result[name as ImageTypeName] = validateSettingMap(overrides, typeWhere);
  }
  if (Object.keys(result).length === 0) fail(where, 'no image type is enabled; enable at least Original.');
  return result;
}

function validateFeatureClasses(value: unknown, where: string): ExtractionSettings['featureClass'] {
  if (value === undefined) {
    return Object.fromEntries(FEATURE_CLASSES.map((name) => [name, null])) as ExtractionSettings['featureClass'];
  }
  if (!isPlainObject(value)) fail(where, `expected a mapping of feature classes to feature lists, got ${describe(value)}.`);
  const result: Partial<Record<FeatureClassName, readonly string[] | null>> = {};
  for (const [name, features] of Object.entries(value)) {
    const classWhere = `${where}.${name}`;
    if (!(FEATURE_CLASSES as readonly string[]).includes(name)) {
      fail(classWhere, `unknown or unsupported feature class; use ${FEATURE_CLASSES.join(', ')}.`);
    }
    const className = name as FeatureClassName;
    if (features === null || (Array.isArray(features) && features.length === 0)) {
      result[className] = null;
      continue;
    }
    if (!Array.isArray(features) || features.some((feature) => typeof feature !== 'string')) {
      fail(classWhere, `expected a list of feature names or nothing (all features), got ${describe(features)}.`);
    }
    const known = [...DEFAULT_FEATURES[className], ...DEPRECATED_FEATURES[className]];
    for (const feature of features as string[]) {
      if (!known.includes(feature)) fail(classWhere, `unknown feature "${feature}". Features of ${className}: ${known.join(', ')}.`);
    }
    result[className] = [...new Set(features as string[])];
  }
  if (Object.keys(result).length === 0) fail(where, 'no feature class is enabled.');
  return result;
}

/** Validates an already-parsed parameter object (from YAML or JSON). */
export function validateParams(document: unknown, sourceName: string): ExtractionSettings {
  if (document === null || document === undefined) {
    return { setting: { ...DEFAULT_GENERAL_SETTINGS }, imageType: { Original: {} }, featureClass: validateFeatureClasses(undefined, sourceName) };
  }
  if (!isPlainObject(document)) fail(sourceName, `expected a mapping with setting, imageType and featureClass, got ${describe(document)}.`);
  for (const key of Object.keys(document)) {
    if (key === 'voxelSetting') fail(`${sourceName}: voxelSetting`, 'voxel-based extraction is not supported; remove the section.');
    if (!['setting', 'imageType', 'featureClass'].includes(key)) {
      fail(`${sourceName}: ${key}`, 'unknown section; a parameter file has only setting, imageType and featureClass.');
    }
  }
  const setting = { ...DEFAULT_GENERAL_SETTINGS, ...validateSettingMap(document.setting, `${sourceName}: setting`) };
  return {
    setting,
    imageType: validateImageTypes(document.imageType, `${sourceName}: imageType`),
    featureClass: validateFeatureClasses(document.featureClass, `${sourceName}: featureClass`),
  };
}

/** Parses and validates a PyRadiomics-format parameter file (YAML, of which JSON is a subset). */
export function parseParams(yamlText: string, sourceName: string): ExtractionSettings {
  let document: unknown;
  try {
    document = parseYaml(yamlText);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RadiomicsError('SETTINGS_INVALID', `${sourceName}: not valid YAML (${reason}).`, { cause: error });
  }
  return validateParams(document, sourceName);
}

/** Settings for one image type: the general settings with that type's overrides applied. */
export function settingsForImageType(settings: ExtractionSettings, imageType: ImageTypeName): GeneralSettings {
  return { ...settings.setting, ...(settings.imageType[imageType] ?? {}) };
}
