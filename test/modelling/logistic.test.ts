import { describe, expect, it } from 'vitest';

import { fitLogistic, recursiveFeatureElimination, univariateLogisticFilter, waldPValues } from '@radiomics/core';

import { createRandom, randomNormal } from '../../layers/core/src/modelling/random';

function simulate(rowCount: number, featureCount: number, seed: number, effect = 1.5): { rows: number[][]; labels: number[] } {
  const random = createRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < rowCount; i++) {
    const label = i % 3 === 0 ? 1 : 0;
    rows.push(Array.from({ length: featureCount }, (_, j) => randomNormal(random, j < 3 ? effect * label : 0, 1)));
    labels.push(label);
  }
  return { rows, labels };
}

describe('penalised logistic regression', () => {
  it('wide solver equals the dense solver', () => {
    const { rows, labels } = simulate(40, 90, 2);
    const wide = fitLogistic(rows, labels);
    // Asking for the covariance forces the dense (p + 1)² Hessian path.
    const dense = fitLogistic(rows, labels, { computeCovariance: true });
    expect(wide.converged).toBe(true);
    expect(wide.covariance).toBeNull();
    expect(dense.covariance).not.toBeNull();
    wide.coefficients.forEach((value, j) => expect(Math.abs(value - dense.coefficients[j])).toBeLessThan(1e-9));
    expect(Math.abs(wide.intercept - dense.intercept)).toBeLessThan(1e-9);
  });

  it('gradient vanishes at the optimum', () => {
    const { rows, labels } = simulate(50, 4, 5);
    const fit = fitLogistic(rows, labels, { inverseRegularization: 0.5 });
    const residuals = rows.map((row, i) => 1 / (1 + Math.exp(-(fit.intercept + row.reduce((s, v, j) => s + v * fit.coefficients[j], 0)))) - labels[i]);
    expect(Math.abs(residuals.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
    for (let j = 0; j < 4; j++) {
      const gradient = 0.5 * rows.reduce((s, row, i) => s + row[j] * residuals[i], 0) + fit.coefficients[j];
      expect(Math.abs(gradient)).toBeLessThan(1e-9);
    }
  });

  it('Wald p-values flag informative features', () => {
    const { rows, labels } = simulate(120, 5, 8);
    const fit = fitLogistic(rows, labels, { inverseRegularization: Infinity, computeCovariance: true });
    const pValues = waldPValues(fit);
    pValues.slice(0, 3).forEach((p) => expect(p).toBeLessThan(0.05));
    pValues.slice(3).forEach((p) => expect(p).toBeGreaterThan(0.05));
    expect(univariateLogisticFilter(rows, labels).kept).toEqual(expect.arrayContaining([0, 1, 2]));
  });
});

describe('recursive feature elimination', () => {
  it('fractional step reaches the same survivors', () => {
    const { rows, labels } = simulate(60, 120, 4, 2.5);
    const coarse = recursiveFeatureElimination(rows, labels, 3, { step: 0.1, stepUntil: 20 });
    const fine = recursiveFeatureElimination(rows, labels, 3, { step: 1 });
    expect(coarse.eliminationOrder.length).toBe(120);
    expect(new Set(coarse.eliminationOrder).size).toBe(120);
    expect(coarse.selected).toEqual([0, 1, 2]);
    expect(fine.selected).toEqual([0, 1, 2]);
  });

  it('rejects an invalid step', () => {
    const { rows, labels } = simulate(20, 4, 1);
    expect(() => recursiveFeatureElimination(rows, labels, 2, { step: 1.5 })).toThrow(/RFE step/);
  });
});
