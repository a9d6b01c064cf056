// PyRadiomics 3.x outputs (Original and the eight wavelet sub-bands, 851 features) on PAT1, brain1 and breast1
// reproduced within 1e-9 relative (1e-12 absolute near zero).
import { readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import { extractFeatures, parseParams, readNifti, readNrrd, type ImageVolume } from '@radiomics/core';

import { describeWithReference, referencePath } from '../helpers/reference';

interface OracleCase {
  readonly title?: string;
  readonly file: string;
  readonly image: string;
  readonly mask: string;
  readonly params: string;
}

const DEFAULT_PARAMS = 'imageType:\n  Original: {}\n  Wavelet: {}\n';

const CASES: OracleCase[] = [
  { file: 'pat1_default.csv', image: 'oracle/cases/pat1_image_int16.nii.gz', mask: 'oracle/cases/pat1_mask.nii.gz', params: DEFAULT_PARAMS },
  {
    file: 'pat1_bincount32.csv',
    image: 'oracle/cases/pat1_image_int16.nii.gz',
    mask: 'oracle/cases/pat1_mask.nii.gz',
    params: `${DEFAULT_PARAMS}setting:\n  binCount: 32\n`,
  },
  { file: 'brain1_default.csv', image: 'pyradiomics/data/brain1_image.nrrd', mask: 'pyradiomics/data/brain1_label.nrrd', params: DEFAULT_PARAMS },
  { file: 'breast1_default.csv', image: 'pyradiomics/data/breast1_image.nrrd', mask: 'pyradiomics/data/breast1_label.nrrd', params: DEFAULT_PARAMS },
  // With preCrop the wavelet transforms only the padded ROI box, which gives equal values for an ROI away from the border.
  {
    title: 'brain1_default.csv with preCrop',
    file: 'brain1_default.csv',
    image: 'pyradiomics/data/brain1_image.nrrd',
    mask: 'pyradiomics/data/brain1_label.nrrd',
    params: `${DEFAULT_PARAMS}setting:\n  preCrop: true\n`,
  },
];

function readVolume(relativePath: string): ImageVolume {
  const bytes = new Uint8Array(readFileSync(referencePath(relativePath)));
  return relativePath.includes('.nii') ? readNifti(bytes, relativePath) : readNrrd(bytes, relativePath);
}

function readOracle(file: string): Map<string, number> {
  const lines = readFileSync(referencePath('oracle', file), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((line) => {
    const [name, value] = line.split(',');
    return [name, Number(value)];
  }));
}

function mismatches(expected: Map<string, number>, actual: Record<string, number>, select: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const [name, value] of expected) {
    if (!select(name)) continue;
    const got = actual[name];
    if (!(Math.abs(got - value) <= Math.max(1e-9 * Math.abs(value), 1e-12))) found.push(`${name}: expected ${value}, got ${got}`);
  }
  return found;
}

describeWithReference('PyRadiomics oracle outputs', ['oracle/pat1_default.csv', 'oracle/cases/pat1_image_int16.nii.gz', 'pyradiomics/data/brain1_image.nrrd'], () => {
  for (const oracleCase of CASES) {
    describe(oracleCase.title ?? oracleCase.file, () => {
      const expected = readOracle(oracleCase.file);
      let features: Record<string, number> = {};

      beforeAll(() => {
        const settings = parseParams(oracleCase.params, oracleCase.file);
        features = extractFeatures(readVolume(oracleCase.image), readVolume(oracleCase.mask), settings).features;
      });

      it('returns every oracle feature and no other', () => {
        expect(Object.keys(features).sort()).toEqual([...expected.keys()].sort());
      });

      for (const className of ['firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm']) {
        it(`reproduces original ${className}`, () => {
          expect(mismatches(expected, features, (name) => name.startsWith(`original_${className}_`))).toEqual([]);
        });
      }

      it('reproduces original shape', () => {
        expect(mismatches(expected, features, (name) => name.startsWith('original_shape_'))).toEqual([]);
      });

      it('reproduces the wavelet sub-bands', () => {
        expect(mismatches(expected, features, (name) => name.startsWith('wavelet'))).toEqual([]);
      });
    });
  }
});

describeWithReference('per-image-type settings', ['pyradiomics/data/breast1_image.nrrd'], () => {
  it('Wavelet overrides apply to sub-bands only', () => {
    const image = readVolume('pyradiomics/data/breast1_image.nrrd');
    const mask = readVolume('pyradiomics/data/breast1_label.nrrd');
    const classes = 'featureClass:\n  firstorder:\n  glcm:\n';
    const overridden = extractFeatures(image, mask, parseParams(`imageType:\n  Original: {}\n  Wavelet:\n    binWidth: 5\n${classes}`, 'a')).features;
    const defaults = extractFeatures(image, mask, parseParams(`imageType:\n  Original: {}\n  Wavelet: {}\n${classes}`, 'b')).features;
    const everywhere = extractFeatures(image, mask, parseParams(`imageType:\n  Original: {}\n  Wavelet: {}\n${classes}setting:\n  binWidth: 5\n`, 'c')).features;
    expect(overridden.original_glcm_Contrast).toBe(defaults.original_glcm_Contrast);
    expect(overridden['wavelet-LLH_glcm_Contrast']).toBe(everywhere['wavelet-LLH_glcm_Contrast']);
    expect(overridden['wavelet-LLH_glcm_Contrast']).not.toBe(defaults['wavelet-LLH_glcm_Contrast']);
  });
});
