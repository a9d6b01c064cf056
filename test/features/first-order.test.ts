// First-order order statistics against a plain reference: sort a copy, then NumPy's 'linear' percentile. The
// extraction finds the ranks in fine buckets between the minimum and the maximum. The cases below stress those
// buckets: heavy tails that put most voxels in a few buckets, many equal values, two values, tiny and huge
// ranges, and very small ROIs.
import { describe, expect, it } from 'vitest';

import { computeFirstOrder, discretise, MAX_BINS, RadiomicsError } from '@radiomics/core';

/** Deterministic uniform numbers in [0, 1) (a linear congruential generator). */
function uniformSequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** `np.percentile(values, percent)` with the default 'linear' method, written as NumPy evaluates it. */
function numpyPercentile(sorted: Float64Array, percent: number): number {
  const n = sorted.length;
  const quantile = percent / 100;
  // NumPy's virtual index n·q + (α + q(1 − α − β)) − 1 with α = β = 1, in the same order of operations.
  const virtualIndex = n * quantile + (1 + quantile * -1) - 1;
  const below = Math.min(Math.max(Math.floor(virtualIndex), 0), n - 1);
  const above = Math.min(below + 1, n - 1);
  const gamma = virtualIndex - below;
  const difference = sorted[above] - sorted[below];
  return gamma >= 0.5 ? sorted[above] - difference * (1 - gamma) : sorted[below] + difference * gamma;
}

function referenceStatistics(values: Float64Array): Record<string, number> {
  const sorted = Float64Array.from(values).sort();
  const p10 = numpyPercentile(sorted, 10);
  const p90 = numpyPercentile(sorted, 90);
  const robust = Array.from(values).filter((value) => value >= p10 && value <= p90);
  const robustMean = robust.reduce((total, value) => total + value, 0) / robust.length;
  return {
    '10Percentile': p10,
    '90Percentile': p90,
    Median: numpyPercentile(sorted, 50),
    InterquartileRange: numpyPercentile(sorted, 75) - numpyPercentile(sorted, 25),
    Minimum: sorted[0],
    Maximum: sorted[sorted.length - 1],
    RobustMeanAbsoluteDeviation: robust.reduce((total, value) => total + Math.abs(value - robustMean), 0) / robust.length,
  };
}

const next = uniformSequence(17);
const cases: Record<string, Float64Array> = {
  'uniform floats': Float64Array.from({ length: 20_001 }, () => next() * 400 - 200),
  // A high-pass sub-band: most values near 0, a few far out, so a handful of buckets hold nearly everything.
  'heavy tails': Float64Array.from({ length: 30_000 }, () => Math.tan((next() - 0.5) * Math.PI * 0.999)),
  'integer HU with many repeats': Float64Array.from({ length: 25_000 }, () => Math.round(next() * 60) - 30),
  'two values': Float64Array.from({ length: 1_001 }, (_, v) => (v % 3 === 0 ? -5 : 7)),
  'one voxel': Float64Array.of(42),
  'two voxels': Float64Array.of(3, -1),
  'seven voxels': Float64Array.of(5, 1, 4, 1, 5, 9, 2),
  'tiny range': Float64Array.from({ length: 5_000 }, () => 1 + next() * 1e-12),
  'huge range': Float64Array.from({ length: 5_000 }, () => (next() - 0.5) * 1e300),
  'maximum repeated at the top bucket': Float64Array.from({ length: 4_000 }, (_, v) => (v % 2 === 0 ? 10 : v / 400)),
};

describe('first-order order statistics', () => {
  for (const [name, values] of Object.entries(cases)) {
    it(`match sorting for ${name}`, () => {
      // A fixed bin count: a bin width of 25 would need about 10²⁹⁸ bins for the huge range.
      const features = computeFirstOrder(values, discretise(values, { binCount: 32 }), [1, 1, 1]);
      const expected = referenceStatistics(values);
      for (const [feature, value] of Object.entries(expected)) {
        if (feature === 'RobustMeanAbsoluteDeviation') {
          // The extraction sums pairwise as NumPy does and the reference in order, so they may differ in the last
          // digits. The tolerance is on the scale of the intensities, because the deviations are differences of
          // them, which lose digits in a narrow range such as 1 + 10⁻¹². With no value inside [P10, P90] both are
          // NaN, as NumPy's nanmean of nothing is.
          const actual = features[feature as keyof typeof features];
          const scale = Math.max(Math.abs(expected.Minimum), Math.abs(expected.Maximum));
          if (Number.isNaN(value)) expect(actual, feature).toBeNaN();
          else expect(Math.abs(actual - value), feature).toBeLessThanOrEqual(1e-12 * scale);
        } else {
          expect(features[feature as keyof typeof features], feature).toBe(value);
        }
      }
    });
  }

  it('constant ROI gives its value', () => {
    const values = new Float64Array(500).fill(-3.5);
    const features = computeFirstOrder(values, discretise(values, { binWidth: 25 }), [1, 1, 1]);
    expect(features['10Percentile']).toBe(-3.5);
    expect(features.Median).toBe(-3.5);
    expect(features['90Percentile']).toBe(-3.5);
    expect(features.InterquartileRange).toBe(0);
    expect(features.Range).toBe(0);
  });

  it('mismatched discretisation: extremes from values', () => {
    const values = Float64Array.of(4, 8, 15, 16, 23, 42);
    const other = discretise(Float64Array.of(-100, 100), { binWidth: 25 });
    const features = computeFirstOrder(values, other, [1, 1, 1]);
    expect(features.Minimum).toBe(4);
    expect(features.Maximum).toBe(42);
    expect(features.Median).toBe(15.5);
  });
});

describe('discretisation bin limit', () => {
  it('rejects too many bins', () => {
    const values = Float64Array.of(-1e300, 0, 1e300);
    const error = (() => {
      try {
        discretise(values, { binWidth: 25 });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RadiomicsError);
    expect((error as RadiomicsError).code).toBe('SETTINGS_INVALID');
    expect((error as RadiomicsError).message).toMatch(/at most 10000000 are supported\. Use a larger binWidth/);
  });

  it('accepts exactly the limit', () => {
    const values = Float64Array.of(0, MAX_BINS - 1);
    expect(discretise(values, { binWidth: 1 }).maxBin).toBe(MAX_BINS);
    expect(() => discretise(Float64Array.of(0, MAX_BINS), { binWidth: 1 })).toThrow(RadiomicsError);
  });
});
