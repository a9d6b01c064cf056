// The workflow splits a lesion into nine extraction units that run apart (other Lambdas or worker threads)
// on a region stored in the blob store. Their merged result must equal one in-process extraction.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { extractFeatures, parseParams, readNifti } from '@radiomics/core';

import { runLocal } from '../../local/runner';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { DEFAULT_PARAMS_YAML, writeSyntheticStudy } from './synthetic-study';

// The default test parameters plus resampling, so that the stored region differs from the input grid.
const RESAMPLING_PARAMS_YAML = `${DEFAULT_PARAMS_YAML.trimEnd()}
  resampledPixelSpacing: [1, 1, 1]
  interpolator: sitkBSpline
`;

const scratch = mkdtempSync(join(tmpdir(), 'radiomics-equivalence-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('workflow features', () => {
  it('equal one in-process extraction', async () => {
    const study = writeSyntheticStudy(join(scratch, 'study'), { siteId: 'site-a', studyId: 'eq-1' });
    const paramsPath = join(scratch, 'params.yaml');
    writeFileSync(paramsPath, RESAMPLING_PARAMS_YAML);

    const report = await runLocal([study], { storeDir: join(scratch, 'store'), paramsPath, workers: 0 });
    expect(report.studies[0]?.status).toBe('COMPLETED');

    const settings = parseParams(RESAMPLING_PARAMS_YAML, 'params.yaml');
    const image = readNifti(readFileSync(join(study, 'image.nii.gz')), 'image.nii.gz');
    const labelMap = readNifti(readFileSync(join(study, 'masks', 'lesions.nii.gz')), 'lesions.nii.gz');
    const results = new SqliteResultStore(join(scratch, 'store', 'results.sqlite'));
    try {
      const featureSets = await results.listFeatureSets({ siteId: 'site-a', studyId: 'eq-1' });
      expect(featureSets).toHaveLength(2);

      for (const featureSet of featureSets) {
        const expected = extractFeatures(image, labelMap as never, settings, { label: featureSet.label }).features;
        expect(Object.keys(featureSet.features).sort()).toEqual(Object.keys(expected).sort());

        // Same code on the same voxels: only the NIfTI round trip of the region lies between them.
        const mismatches = Object.entries(expected).filter(([name, value]) => {
          const stored = featureSet.features[name]!;
          if (Number.isNaN(value)) return !Number.isNaN(stored);
          return Math.abs(stored - value) > 1e-12 * Math.max(1, Math.abs(value));
        });
        expect(mismatches, `lesion ${featureSet.lesionId}`).toEqual([]);
      }
    } finally {
      results.close();
    }
  });
});
