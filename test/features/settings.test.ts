import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  DEFAULT_FEATURES,
  enabledImageTypes,
  loadParamsFile,
  parseParams,
  RadiomicsError,
  settingsHash,
  type ExtractionSettings,
} from '@radiomics/core';

const paramsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'params');

function countFeatures(settings: ExtractionSettings): number {
  let total = 0;
  for (const imageType of enabledImageTypes(settings)) {
    for (const [className, names] of Object.entries(settings.featureClass)) {
      if (className === 'shape' && imageType !== 'original') continue;
      total += (names ?? DEFAULT_FEATURES[className as keyof typeof DEFAULT_FEATURES]).length;
    }
  }
  return total;
}

function settingsError(text: string): RadiomicsError {
  try {
    parseParams(text, 'params.yaml');
  } catch (error) {
    if (error instanceof RadiomicsError) return error;
    throw error;
  }
  throw new Error('expected SETTINGS_INVALID');
}

describe('bundled parameter files', () => {
  it('pyradiomics-default enables 851 features', () => {
    const settings = loadParamsFile(join(paramsFolder, 'pyradiomics-default.yaml'));
    expect(enabledImageTypes(settings)).toHaveLength(9);
    expect(enabledImageTypes(settings)[0]).toBe('original');
    expect(countFeatures(settings)).toBe(851);
    expect(settings.setting.binWidth).toBe(25);
    expect(settings.setting.resampledPixelSpacing).toBeNull();
  });

  it('study-protocol resamples to 1 mm with B-spline', () => {
    const settings = loadParamsFile(join(paramsFolder, 'study-protocol.yaml'));
    expect(settings.setting.resampledPixelSpacing).toEqual([1, 1, 1]);
    expect(settings.setting.interpolator).toBe('sitkBSpline');
    expect(settings.setting.binWidth).toBe(25);
    expect(countFeatures(settings)).toBe(851);
  });

  it('missing parameter file raises FILE_NOT_FOUND', () => {
    expect(() => loadParamsFile(join(paramsFolder, 'no-such-file.yaml'))).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });
});

describe('parseParams', () => {
  it('applies PyRadiomics defaults', () => {
    const settings = parseParams('setting:\n  binCount: 32\n', 'params.yaml');
    expect(settings.setting.binCount).toBe(32);
    expect(settings.setting.binWidth).toBe(25);
    expect(settings.setting.voxelArrayShift).toBe(0);
    expect(settings.setting.symmetricalGLCM).toBe(true);
    expect(settings.imageType).toEqual({ Original: {} });
    expect(Object.keys(settings.featureClass)).toHaveLength(7);
  });

  it('keeps per-image-type overrides and feature lists', () => {
    const settings = parseParams(
      'imageType:\n  Original: {}\n  Wavelet:\n    binWidth: 10\nfeatureClass:\n  glcm: [Contrast, Idmn]\n  firstorder: []\n',
      'params.yaml',
    );
    expect(settings.imageType.Wavelet).toEqual({ binWidth: 10 });
    expect(settings.featureClass.glcm).toEqual(['Contrast', 'Idmn']);
    expect(settings.featureClass.firstorder).toBeNull();
    expect(settings.featureClass.shape).toBeUndefined();
  });

  it('maps SimpleITK interpolator codes to names', () => {
    expect(parseParams('setting:\n  interpolator: 3\n', 'p').setting.interpolator).toBe('sitkBSpline');
  });

  it('rejects an unknown setting key', () => {
    const error = settingsError('setting:\n  binwidth: 25\n');
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.message).toContain('params.yaml: setting.binwidth');
    expect(error.message).toContain('unknown setting');
  });

  it('rejects a wrong type', () => {
    const error = settingsError('setting:\n  binWidth: "25"\n');
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.message).toContain('setting.binWidth');
    expect(error.message).toContain('positive number');
  });

  it('rejects a non-boolean flag', () => {
    expect(settingsError('setting:\n  normalize: yes please\n').message).toContain('expected true or false');
  });

  it('rejects an unknown weightingNorm', () => {
    expect(settingsError('setting:\n  weightingNorm: chebyshev\n').message).toContain('manhattan, euclidean, infinity, no_weighting');
  });

  it('rejects distances other than 1', () => {
    expect(settingsError('setting:\n  distances: [1, 2]\n').message).toContain('only distance 1');
  });

  it('rejects an unknown section', () => {
    expect(settingsError('settings:\n  binWidth: 25\n').message).toContain('unknown section');
  });

  it('rejects an unsupported image type', () => {
    expect(settingsError('imageType:\n  LoG: {sigma: [1.0]}\n').message).toContain('LoG image type is not supported');
  });

  it('rejects an unsupported PyRadiomics setting', () => {
    expect(settingsError('setting:\n  kernelRadius: 2\n').message).toContain('voxel-based extraction is not available');
  });

  it('rejects an unknown feature name', () => {
    const error = settingsError('featureClass:\n  glcm: [Contrasts]\n');
    expect(error.message).toContain('unknown feature "Contrasts"');
  });

  it('rejects an unknown feature class', () => {
    expect(settingsError('featureClass:\n  shape2D:\n').message).toContain('unknown or unsupported feature class');
  });

  it('rejects a reversed re-segmentation range', () => {
    expect(settingsError('setting:\n  resegmentRange: [400, -1000]\n').message).toContain('exceeds the upper bound');
  });

  it('rejects invalid YAML', () => {
    expect(settingsError('setting: [unclosed\n').message).toContain('not valid YAML');
  });
});

describe('settingsHash', () => {
  it('ignores key order and spelled-out defaults', () => {
    const a = parseParams('setting:\n  binWidth: 25\n  label: 1\n', 'a');
    const b = parseParams('setting:\n  label: 1\n', 'b');
    expect(settingsHash(a)).toBe(settingsHash(b));
    expect(settingsHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any setting', () => {
    const a = parseParams('setting:\n  binWidth: 25\n', 'a');
    const b = parseParams('setting:\n  binWidth: 20\n', 'b');
    expect(settingsHash(a)).not.toBe(settingsHash(b));
  });

  it('is stable for the bundled study protocol', () => {
    const text = readFileSync(join(paramsFolder, 'study-protocol.yaml'), 'utf8');
    expect(settingsHash(parseParams(text, 'x'))).toBe(settingsHash(parseParams(text, 'y')));
  });
});
