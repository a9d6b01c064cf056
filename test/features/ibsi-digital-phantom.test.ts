// IBSI 1 digital phantom: every PyRadiomics feature that maps to an IBSI feature reproduces the IBSI reference
// value at its 3 published significant digits, after the documented adjustments (excess kurtosis = kurtosis − 3,
// PCA axis lengths × √(N/(N−1))), and equals the PyRadiomics oracle value within 1e-9.
import { readFileSync } from 'node:fs';

import { beforeAll, describe, expect, it } from 'vitest';

import { extractFeatures, readNifti, validateParams } from '@radiomics/core';

import { describeWithReference, referencePath } from '../helpers/reference';
import { parseCsv } from './csv';

interface MappingRow {
  readonly pyradiomics_name: string;
  readonly pyradiomics_class: string;
  readonly pyradiomics_settings: string;
  readonly relation: string;
  readonly ibsi_code: string;
  readonly ibsi_value: string;
  readonly adjustment: string;
  readonly pyradiomics_value: string;
}

const ROI_VOXELS = 74;

function applyAdjustment(value: number, adjustment: string): number {
  if (adjustment === '') return value;
  if (adjustment === 'ibsi = pyradiomics - 3') return value - 3;
  if (adjustment.startsWith('ibsi = pyradiomics * sqrt(N/(N-1))')) return value * Math.sqrt(ROI_VOXELS / (ROI_VOXELS - 1));
  throw new Error(`unknown adjustment "${adjustment}"`);
}

function threeDigits(value: number): number {
  return Number(value.toPrecision(3));
}

describeWithReference(
  'IBSI 1 digital phantom',
  ['ibsi1/pyradiomics_vs_ibsi_digital_phantom.csv', 'ibsi1/digital_phantom/nifti/image/phantom.nii.gz'],
  () => {
    const rows = parseCsv(readFileSync(referencePath('ibsi1', 'pyradiomics_vs_ibsi_digital_phantom.csv'), 'utf8')) as unknown as MappingRow[];
    const mapped = rows.filter((row) => row.relation === 'equal' || row.relation === 'equal_after_adjustment');
    const runs: Record<string, Record<string, number>> = {};

    beforeAll(() => {
      const read = (path: string) => readNifti(new Uint8Array(readFileSync(referencePath(path))), path);
      const image = read('ibsi1/digital_phantom/nifti/image/phantom.nii.gz');
      const mask = read('ibsi1/digital_phantom/nifti/mask/mask.nii.gz');
      const setting = { binWidth: 1, minimumROIDimensions: 1 };
      const allClasses = { shape: null, firstorder: null, glcm: null, glrlm: null, glszm: null, gldm: null, ngtdm: null };
      runs.default = extractFeatures(image, mask, validateParams({ setting, featureClass: allClasses }, 'phantom')).features;
      runs['weightingNorm=no_weighting'] = extractFeatures(
        image,
        mask,
        validateParams({ setting: { ...setting, weightingNorm: 'no_weighting' }, featureClass: { glcm: null, glrlm: null } }, 'phantom'),
      ).features;
      runs.deprecated = extractFeatures(
        image,
        mask,
        validateParams(
          { setting, featureClass: { shape: ['Compactness1', 'Compactness2', 'SphericalDisproportion'], firstorder: ['StandardDeviation'] } },
          'phantom',
        ),
      ).features;
    });

    function valueOf(row: MappingRow): number {
      const run = runs[row.pyradiomics_settings]?.[row.pyradiomics_name] !== undefined ? runs[row.pyradiomics_settings] : runs.deprecated;
      return run[row.pyradiomics_name];
    }

    it('maps every default feature of the non-shape classes', () => {
      const names = new Set(mapped.map((row) => row.pyradiomics_name));
      expect(names.size).toBeGreaterThan(90);
    });

    for (const className of ['firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm', 'shape']) {
      describe(className, () => {
        const classRows = mapped.filter((row) => row.pyradiomics_class === className);

        it('matches the IBSI reference values after adjustment', () => {
          const failures = classRows
            .filter((row) => threeDigits(applyAdjustment(valueOf(row), row.adjustment)) !== threeDigits(Number(row.ibsi_value)))
            .map((row) => `${row.pyradiomics_name} (${row.ibsi_code}, ${row.pyradiomics_settings}): IBSI ${row.ibsi_value}, got ${applyAdjustment(valueOf(row), row.adjustment)}`);
          expect(classRows.length).toBeGreaterThan(0);
          expect(failures).toEqual([]);
        });

        it('equals the PyRadiomics oracle values', () => {
          const failures = classRows
            .filter((row) => {
              const expected = Number(row.pyradiomics_value);
              return !(Math.abs(valueOf(row) - expected) <= Math.max(1e-9 * Math.abs(expected), 1e-12));
            })
            .map((row) => `${row.pyradiomics_name} (${row.pyradiomics_settings}): expected ${row.pyradiomics_value}, got ${valueOf(row)}`);
          expect(failures).toEqual([]);
        });
      });
    }

    it('kurtosis needs the −3 adjustment', () => {
      const kurtosis = runs.default.original_firstorder_Kurtosis;
      expect(threeDigits(kurtosis)).not.toBe(-0.355);
      expect(threeDigits(kurtosis - 3)).toBe(-0.355);
    });
  },
);
