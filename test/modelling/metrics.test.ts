import { describe, expect, it } from 'vitest';

import {
  bootstrapAucCi,
  calibrationCurve,
  chiSquareSurvival,
  compareGroups,
  evaluateScores,
  evaluationToJson,
  normalCdf,
  normalQuantile,
  parsePredictions,
  rocAuc,
  studentTTwoSidedP,
} from '@radiomics/core';

import { parseCsv } from '../../layers/core/src/modelling/csv';
import { codeOf } from './error-code';

describe('distribution functions', () => {
  it('normal quantile and CDF', () => {
    expect(Math.abs(normalQuantile(0.975) - 1.959963984540054)).toBeLessThan(1e-15);
    expect(Math.abs(normalQuantile(0.5))).toBeLessThan(1e-16);
    expect(Math.abs(normalQuantile(1e-10) + 6.361340902404056)).toBeLessThan(1e-12);
    expect(Math.abs(normalCdf(normalQuantile(0.3)) - 0.3)).toBeLessThan(1e-14);
  });

  it('Student t and chi-square tails', () => {
    // Textbook critical values: t(10) = 2.228139 and χ²(1) = 3.841459 at 5 %, χ²(4) = 13.276704 at 1 %.
    expect(Math.abs(studentTTwoSidedP(2.2281388519649385, 10) - 0.05)).toBeLessThan(1e-9);
    expect(Math.abs(chiSquareSurvival(3.841458820694124, 1) - 0.05)).toBeLessThan(1e-9);
    expect(Math.abs(chiSquareSurvival(13.276704135987622, 4) - 0.01)).toBeLessThan(1e-9);
    expect(studentTTwoSidedP(0, 5)).toBe(1);
  });
});

describe('metric input checks', () => {
  const cases: [string, number[], number[]][] = [
    ['length mismatch', [0, 1], [0.1]],
    ['label outside 0/1', [0, 2], [0.1, 0.2]],
    ['non-finite score', [0, 1], [0.1, Number.NaN]],
    ['one class only', [1, 1], [0.1, 0.2]],
    ['no rows', [], []],
  ];
  for (const [name, labels, scores] of cases) {
    it(`rejects ${name}`, () => expect(codeOf(() => rocAuc(labels, scores))).toBe('DATA_INVALID'));
  }

  it('calibration rejects non-probabilities', () => {
    expect(codeOf(() => calibrationCurve([0, 1], [-0.5, 2]))).toBe('DATA_INVALID');
  });

  it('evaluation of margins skips Brier and calibration', () => {
    const summary = evaluateScores([0, 0, 1, 1], [-2, -0.5, 0.3, 4]);
    expect(summary.auc).toBe(1);
    expect(summary.brier).toBeNull();
    expect(summary.calibration).toBeNull();
    expect(evaluationToJson(summary).brier).toBeNull();
  });
});

describe('bootstrap AUC interval', () => {
  const labels = Array.from({ length: 80 }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const scores = labels.map((label, i) => ((i * 37) % 100) / 100 + 0.3 * label);

  it('is reproducible from its seed', () => {
    const first = bootstrapAucCi(labels, scores, { seed: 12, replicates: 500 });
    expect(bootstrapAucCi(labels, scores, { seed: 12, replicates: 500 })).toEqual(first);
    expect(bootstrapAucCi(labels, scores, { seed: 13, replicates: 500 })).not.toEqual(first);
  });

  it('brackets the AUC', () => {
    const interval = bootstrapAucCi(labels, scores, { seed: 1, replicates: 1000 });
    const auc = rocAuc(labels, scores);
    expect(interval.lower).toBeLessThan(auc);
    expect(interval.upper).toBeGreaterThan(auc);
    expect(interval.upper).toBeLessThanOrEqual(1);
  });
});

describe('predictions table', () => {
  it('reads id,label,score', () => {
    const table = parsePredictions('id,label,score\na,1,0.9\nb,0,0.2\n');
    expect(table).toEqual({ ids: ['a', 'b'], labels: [1, 0], scores: [0.9, 0.2] });
  });

  it('selects a part', () => {
    const table = parsePredictions('lesionId,patientId,part,label,score\na,P1,train,1,0.9\nb,P2,test,0,0.2\n', 'p.csv', 'test');
    expect(table.ids).toEqual(['b']);
  });

  it('rejects a bad score', () => {
    expect(codeOf(() => parsePredictions('id,label,score\na,1,high\n'))).toBe('DATA_INVALID');
  });
});

describe('CSV reader', () => {
  it('quotes, CRLF and byte-order mark', () => {
    const table = parseCsv('\uFEFFa,b\r\n"x, ""y""",2\r\n\r\nz,3', 'test.csv');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      ['x, "y"', '2'],
      ['z', '3'],
    ]);
  });

  it('rejects an unclosed quote', () => {
    expect(codeOf(() => parseCsv('a,b\n"x,2\n', 'test.csv'))).toBe('DATA_INVALID');
  });
});

describe('group comparison', () => {
  it('tests age by t and sex by chi-square', () => {
    const training = [
      { age: '40', sex: 'male' },
      { age: '50', sex: 'female' },
      { age: '60', sex: 'female' },
    ];
    const test = [
      { age: '45', sex: 'male' },
      { age: '55', sex: 'male' },
    ];
    const rows = compareGroups(training, test, ['age', 'sex', 'absent']);
    expect(rows.map((row) => row.method)).toEqual(["Student's t", "Pearson's chi-square"]);
    expect(rows[0].statistic).toBeCloseTo(0, 12);
    expect(rows[0].degreesOfFreedom).toBe(3);
    expect(rows[1].training).toEqual({ female: 2, male: 1 });
    // 2 × 2 table [[2, 1], [0, 2]] with expected counts [[1.2, 1.8], [0.8, 1.2]]: χ² = 2.2222.
    expect(rows[1].statistic).toBeCloseTo(20 / 9, 12);
  });
});
