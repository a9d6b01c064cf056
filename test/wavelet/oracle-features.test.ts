// All 851 features (original + the eight coif1 sub-bands) against PyRadiomics' own output on PAT1 (bin width
// 25 and bin count 32), brain1 and breast1, through the public extraction API.
//
// Pass criterion: |value − reference| ≤ 1e-9 · |reference|, plus, for the features listed in
// DIFFERENCE_FEATURES, an absolute allowance of 1e-9 times the largest magnitude that feature takes over the
// nine image types of the same case. Those features are sums of terms of both signs (central moments, means of
// zero-mean detail sub-bands, covariances and entropy differences), so near zero their relative error is
// set by the size of the terms, not by the result.
import { readFileSync } from 'node:fs';

import { expect, it } from 'vitest';

import { extractFeatures, parseParams } from '@radiomics/core';

import { describeWithReference } from '../helpers/reference';
import { ORACLE_CASES, loadVolume, readOracle } from './oracle-cases';

const RELATIVE_TOLERANCE = 1e-9;

/** Feature names (without the image type) whose value is a difference of nearly equal numbers, and why. */
const DIFFERENCE_FEATURES: Record<string, string> = {
  firstorder_Mean: 'the mean of a detail sub-band is a sum of positive and negative responses that nearly cancel',
  firstorder_Median: 'the median of a detail sub-band sits near zero between positive and negative responses',
  firstorder_Skewness: 'the third central moment is a sum of cubed deviations of both signs',
  glcm_ClusterShade: 'a sum of cubed deviations from the grey-level means, of both signs',
  glcm_Correlation: 'a covariance: Σ p(i, j) i j − μx μy',
  glcm_MCC: 'the square root of an eigenvalue of a matrix built from co-occurrence products, near zero when uncorrelated',
  glcm_Imc1: 'HXY − HXY1, a difference of two entropies',
  glcm_Imc2: 'depends on HXY2 − HXY, a difference of two entropies',
};

const parameterText = readFileSync(new URL('../../params/pyradiomics-default.yaml', import.meta.url), 'utf8');

const cases = [
  ...ORACLE_CASES.map((oracleCase) => ({ ...oracleCase, parameters: parameterText })),
  {
    ...ORACLE_CASES[0],
    name: 'pat1 with bin count 32',
    csv: 'oracle/pat1_bincount32.csv',
    parameters: parameterText.replace(/^(\s*)binWidth: 25$/m, '$1binCount: 32'),
  },
];

const required = cases.flatMap((oracleCase) => [oracleCase.csv, oracleCase.image, oracleCase.mask]);

/** Largest |value| of each unprefixed feature name over the image types of one case. */
function magnitudeByFeature(reference: Map<string, number>): Map<string, number> {
  const magnitudes = new Map<string, number>();
  for (const [name, value] of reference) {
    const feature = name.slice(name.indexOf('_') + 1);
    magnitudes.set(feature, Math.max(magnitudes.get(feature) ?? 0, Math.abs(value)));
  }
  return magnitudes;
}

describeWithReference('851 features against the PyRadiomics reference', required, () => {
  it('uses the bin count variant of the parameter file', () => {
    expect(cases[3].parameters).toMatch(/binCount: 32/);
    expect(cases[3].parameters).not.toMatch(/binWidth/);
  });

  for (const oracleCase of cases) {
    it(`reproduces every value of ${oracleCase.name}`, () => {
      const reference = readOracle(oracleCase.csv);
      expect(reference.size).toBe(851);

      const settings = parseParams(oracleCase.parameters, `${oracleCase.name}.yaml`);
      const { features } = extractFeatures(loadVolume(oracleCase.image), loadVolume(oracleCase.mask), settings, { label: 1 });
      expect(Object.keys(features).sort()).toEqual([...reference.keys()].sort());

      const magnitudes = magnitudeByFeature(reference);
      const failures: string[] = [];
      for (const [name, expected] of reference) {
        const feature = name.slice(name.indexOf('_') + 1);
        const allowance = feature in DIFFERENCE_FEATURES ? RELATIVE_TOLERANCE * magnitudes.get(feature)! : 0;
        const deviation = Math.abs(features[name] - expected);
        if (!(deviation <= RELATIVE_TOLERANCE * Math.abs(expected) + allowance)) {
          failures.push(`${name}: ${features[name]} vs ${expected}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
