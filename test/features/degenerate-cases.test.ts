// Degenerate inputs and discretisation edge cases give the values PyRadiomics defines for them.
import { describe, expect, it } from 'vitest';

import {
  buildTextureRegion,
  computeFirstOrder,
  computeGlcm,
  computeGldm,
  computeGlrlm,
  computeGlszm,
  computeNgtdm,
  discretise,
  extractFeatures,
  glcmMatrices,
  glcmWeight,
  glrlmMatrices,
  glrlmWeight,
  ngtdmMatrix,
  parseParams,
  roiIntensities,
  type FeatureInput,
  type ImageVolume,
  type Vec3,
} from '@radiomics/core';
import { blockwiseMcc, generalMcc, maximalCorrelationCoefficient } from '@radiomics/core/features/glcm-mcc';

import { syntheticInput } from '../helpers/synthetic-input';

const LOG2_ONE_PLUS_EPS = Math.log2(1 + 2.220446049250313e-16);

/** Deterministic pseudo-random intensities in [0, 200). */
function noise(i: number, j: number, k: number): number {
  return (((i * 73856093) ^ (j * 19349663) ^ (k * 83492791)) >>> 0) % 200;
}

describe('single grey level', () => {
  const input = syntheticInput([4, 4, 3], () => 100, () => true);
  const region = buildTextureRegion(input, { binWidth: 25 });

  it('first order has zero spread', () => {
    const values = roiIntensities(input);
    const firstOrder = computeFirstOrder(values, discretise(values, { binWidth: 25 }), input.spacing);
    expect(firstOrder.Variance).toBe(0);
    expect(firstOrder.Skewness).toBe(0);
    expect(firstOrder.Kurtosis).toBe(0);
    expect(firstOrder.Range).toBe(0);
    expect(firstOrder.Uniformity).toBe(1);
    expect(firstOrder.Entropy).toBe(-LOG2_ONE_PLUS_EPS);
  });

  it('GLCM uses the PyRadiomics conventions', () => {
    const glcm = computeGlcm(region);
    expect(glcm.Correlation).toBe(1);
    expect(glcm.Imc1).toBe(0);
    expect(glcm.Imc2).toBe(0);
    expect(glcm.MCC).toBe(1);
    expect(glcm.JointEnergy).toBe(1);
    expect(glcm.MaximumProbability).toBe(1);
    // −log₂(1 + ε) per direction; averaging 13 directions may change the last bit.
    expect(Math.abs(glcm.JointEntropy + LOG2_ONE_PLUS_EPS)).toBeLessThan(1e-30);
    expect(glcm.Idmn).toBe(1);
    expect(glcm.InverseVariance).toBe(0);
    expect(glcm.ClusterShade).toBe(0);
    expect(glcm.SumAverage).toBe(2);
  });

  it('NGTDM falls back to its defined constants', () => {
    const ngtdm = computeNgtdm(region);
    expect(ngtdm.Coarseness).toBe(1e6);
    expect(ngtdm.Contrast).toBe(0);
    expect(ngtdm.Busyness).toBe(0);
    expect(ngtdm.Complexity).toBe(0);
    expect(ngtdm.Strength).toBe(0);
  });

  it('GLSZM sees one zone', () => {
    const glszm = computeGlszm(region);
    expect(glszm.ZonePercentage).toBe(1 / 48);
    expect(glszm.GrayLevelVariance).toBe(0);
    expect(glszm.ZoneVariance).toBe(0);
    expect(glszm.GrayLevelNonUniformityNormalized).toBe(1);
    expect(glszm.LargeAreaEmphasis).toBe(48 * 48);
  });

  it('GLRLM and GLDM have no grey-level variance', () => {
    expect(computeGlrlm(region).GrayLevelVariance).toBe(0);
    expect(computeGlrlm(region).GrayLevelNonUniformityNormalized).toBe(1);
    expect(computeGldm(region).GrayLevelVariance).toBe(0);
  });
});

describe('empty directions', () => {
  it('GLCM of a single-slice ROI averages the 4 in-plane directions', () => {
    const input = syntheticInput([6, 5, 3], noise, (_i, _j, k) => k === 1);
    const region = buildTextureRegion(input, { binWidth: 10 });
    const { matrices } = glcmMatrices(region, {});
    expect(matrices.filter((counts) => counts.some((value) => value > 0))).toHaveLength(4);
    expect(computeGlcm(region)).toEqual(computeGlcm(region, { force2D: true }));
  });

  it('GLRLM drops directions that see the ROI edge-on', () => {
    const input = syntheticInput([6, 5, 3], noise, (_i, _j, k) => k === 1);
    const region = buildTextureRegion(input, { binWidth: 10 });
    const { matrices } = glrlmMatrices(region, {});
    expect(matrices.filter((counts) => counts.some((value) => value > 0))).toHaveLength(4);
    expect(computeGlrlm(region)).toEqual(computeGlrlm(region, { force2D: true }));
  });

  it('GLRLM keeps a direction crossing two separated slices', () => {
    const input = syntheticInput([6, 5, 3], noise, (_i, _j, k) => k !== 1);
    const region = buildTextureRegion(input, { binWidth: 10 });
    const nonEmpty = glrlmMatrices(region, {}).matrices.filter((counts) => counts.some((value) => value > 0));
    expect(nonEmpty).toHaveLength(13);
    const glcmNonEmpty = glcmMatrices(region, {}).matrices.filter((counts) => counts.some((value) => value > 0));
    expect(glcmNonEmpty).toHaveLength(4);
  });
});

describe('NGTDM isolated voxels', () => {
  it('counts a voxel without ROI neighbours with a zero difference', () => {
    const input = syntheticInput([5, 1, 1], (i) => (i === 0 ? 0 : 100), (i) => i === 0 || i === 4);
    const region = buildTextureRegion(input, { binWidth: 25 });
    const { counts, differences } = ngtdmMatrix(region, {});
    expect([...counts]).toEqual([1, 1]);
    expect([...differences]).toEqual([0, 0]);
    const ngtdm = computeNgtdm(region);
    expect(ngtdm.Coarseness).toBe(1e6);
    expect(ngtdm.Contrast).toBe(0);
    expect(ngtdm.Strength).toBe(0);
    expect(ngtdm.Busyness).toBe(0);
  });
});

describe('discretisation', () => {
  it('fixed bin width edges from 0', () => {
    const values = Float64Array.of(-26, -25, -1, 0, 24, 25, 49.999, 50);
    expect([...discretise(values, { binWidth: 25 }).bins]).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
  });

  it('fixed bin count puts the maximum in the last bin', () => {
    const values = Float64Array.of(0, 1, 2, 3, 4);
    const result = discretise(values, { binCount: 2 });
    expect([...result.bins]).toEqual([1, 1, 2, 2, 2]);
    expect(result.maxBin).toBe(2);
  });

  it('a flat region falls in one bin with either method', () => {
    const values = Float64Array.of(7, 7, 7);
    // NumPy widens a flat range to [x − 0.5, x + 0.5], so x lands in the middle bin.
    expect([...discretise(values, { binCount: 16 }).bins]).toEqual([9, 9, 9]);
    expect([...discretise(values, { binCount: 1 }).bins]).toEqual([1, 1, 1]);
    expect([...discretise(values, { binWidth: 25 }).bins]).toEqual([1, 1, 1]);
  });

  it('rejects non-finite intensities', () => {
    expect(() => discretise(Float64Array.of(1, Number.NaN), { binWidth: 25 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });
});

describe('weightingNorm', () => {
  it('GLCM weights are exp(−distance²)', () => {
    expect(glcmWeight('manhattan', [1, 1, 0], [1, 2, 3])).toBeCloseTo(Math.exp(-9), 15);
    expect(glcmWeight('euclidean', [1, 1, 0], [1, 2, 3])).toBeCloseTo(Math.exp(-5), 15);
    expect(glcmWeight('infinity', [1, 1, 0], [1, 2, 3])).toBeCloseTo(Math.exp(-4), 15);
    expect(glcmWeight('no_weighting', [1, 1, 0], [1, 2, 3])).toBe(1);
  });

  it('GLRLM weights are distances', () => {
    expect(glrlmWeight('manhattan', [1, 1, 0], [1, 2, 3])).toBe(3);
    expect(glrlmWeight('euclidean', [1, 1, 0], [1, 2, 3])).toBe(Math.sqrt(5));
    expect(glrlmWeight('infinity', [1, 1, 0], [1, 2, 3])).toBe(2);
  });

  it('infinity norm on isotropic voxels equals no weighting', () => {
    const input = syntheticInput([7, 6, 5], noise, (i, j, k) => (i - 3) ** 2 + (j - 3) ** 2 + (k - 2) ** 2 <= 9);
    const region = buildTextureRegion(input, { binWidth: 20 });
    const merged = computeGlcm(region, { weightingNorm: 'no_weighting' });
    const infinity = computeGlcm(region, { weightingNorm: 'infinity' });
    for (const [name, value] of Object.entries(merged)) expect(infinity[name as keyof typeof infinity]).toBeCloseTo(value, 10);
    expect(computeGlrlm(region, { weightingNorm: 'infinity' })).toEqual(computeGlrlm(region, { weightingNorm: 'no_weighting' }));
  });

  it('merged GLRLM run percentage divides by the summed weights', () => {
    const input = syntheticInput([7, 6, 5], noise, () => true);
    const region = buildTextureRegion(input, { binWidth: 20 });
    const averaged = computeGlrlm(region).RunPercentage;
    expect(computeGlrlm(region, { weightingNorm: 'no_weighting' }).RunPercentage).toBeCloseTo(averaged, 12);
  });
});

describe('extraction errors', () => {
  const size: Vec3 = [6, 6, 4];
  const geometry = { size, spacing: [1, 1, 1] as Vec3, origin: [0, 0, 0] as Vec3, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as const };
  const input = syntheticInput(size, noise, (i, j, k) => i > 0 && i < 5 && j > 0 && j < 5 && k > 0 && k < 3);
  const image: ImageVolume = { ...geometry, data: input.image as Float64Array };
  const labels: ImageVolume = { ...geometry, data: input.mask as Uint8Array };

  it('a missing label raises LABEL_NOT_FOUND', () => {
    expect(() => extractFeatures(image, labels, parseParams('setting:\n  label: 2\n', 'p'))).toThrow(expect.objectContaining({ code: 'LABEL_NOT_FOUND' }));
  });

  it('re-segmentation that removes every voxel raises EMPTY_ROI', () => {
    const settings = parseParams('setting:\n  resegmentRange: [1000, 2000]\n', 'p');
    expect(() => extractFeatures(image, labels, settings)).toThrow(expect.objectContaining({ code: 'EMPTY_ROI' }));
  });

  it('records provenance beside the values', () => {
    const { features, provenance } = extractFeatures(image, labels, parseParams('featureClass:\n  firstorder:\n', 'p'));
    expect(Object.keys(features)).toHaveLength(18);
    expect(provenance.roiVoxelCount).toBe(32);
    expect(provenance.boundingBox).toEqual({ lower: [1, 1, 1], upper: [4, 4, 2] });
    expect(provenance.settingsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance.imageHash).toMatch(/^[0-9a-f]{64}$/);
    expect(provenance.maskHash).not.toBe(provenance.imageHash);
    expect(provenance.imageTypes).toEqual(['original']);
  });
});

describe('GLCM maximal correlation coefficient', () => {
  function normalisedSymmetric(n: number, entry: (a: number, b: number) => number): { p: Float64Array; px: Float64Array } {
    const p = new Float64Array(n * n);
    let total = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b <= a; b++) {
        const value = entry(a, b);
        p[a * n + b] = value;
        p[b * n + a] = value;
        total += a === b ? value : 2 * value;
      }
    }
    const px = new Float64Array(n);
    for (let e = 0; e < p.length; e++) {
      p[e] /= total;
      px[Math.floor(e / n)] += p[e];
    }
    return { p, px };
  }

  it('symmetric path equals the general eigenvalue path', () => {
    // Skewed counts with rare levels, so that the epsilon correction matters.
    const { p, px } = normalisedSymmetric(24, (a, b) => (a === b ? 5000 : 1 + ((a * 7 + b * 13) % 11) ** 3) / (1 + a * a));
    const fast = maximalCorrelationCoefficient(p, px, px, 24, true);
    const reference = generalMcc(p, px, px, 24);
    expect(Math.abs(fast - reference)).toBeLessThan(1e-12 * reference);
  });

  // Levels in groups that never neighbour each other, the last level alone with few voxels: every group has a top
  // eigenvalue near 1, and ε lowers the lone level's to about 1 − 1e−5.
  const threeGroups = (a: number): number => {
    if (a < 14) return 0;
    if (a < 21) return 1;
    return 2;
  };
  const blockCases = [
    { name: 'second eigenvalue from a second block', groupOf: threeGroups },
    { name: 'second eigenvalue from the lone level', groupOf: (a: number) => (a < 21 ? 0 : 2) },
  ];
  for (const { name, groupOf } of blockCases) {
    it(`splits levels into blocks: ${name}`, () => {
      const { p, px } = normalisedSymmetric(22, (a, b) => {
        if (groupOf(a) !== groupOf(b)) return 0;
        if (a === 21) return 0.3;
        return a === b ? 4000 : 1 + ((a * 7 + b * 13) % 11) ** 3 / (1 + a);
      });
      const reference = generalMcc(p, px, px, 22);
      const blockwise = blockwiseMcc(p, px, 22);
      expect(blockwise).not.toBeNull();
      expect(Math.abs((blockwise as number) - reference)).toBeLessThan(1e-12 * reference);
      expect(maximalCorrelationCoefficient(p, px, px, 22, true)).toBe(blockwise);
    });
  }

  it('solves a pair of levels that only neighbour each other', () => {
    // Levels 20 and 21 form a rare checkerboard of their own: their block of S has eigenvalues +1 and −1.
    const { p, px } = normalisedSymmetric(22, (a, b) => {
      if ((a >= 20) !== (b >= 20)) return 0;
      if (a >= 20) return a === b ? 0 : 0.4;
      return a === b ? 4000 : 1 + ((a * 7 + b * 13) % 11) ** 3 / (1 + a);
    });
    const reference = generalMcc(p, px, px, 22);
    expect(reference).toBeLessThan(1 - 1e-6);
    const blockwise = blockwiseMcc(p, px, 22);
    expect(blockwise).not.toBeNull();
    expect(Math.abs((blockwise as number) - reference)).toBeLessThan(1e-12 * reference);
  });

  it('degenerate eigenvalues fall back to the general path', () => {
    // A two-level checkerboard: every pair differs, so S has eigenvalues +1 and −1 and λ₁ = λ₂ = 1.
    const { p, px } = normalisedSymmetric(2, (a, b) => (a === b ? 0 : 1));
    expect(maximalCorrelationCoefficient(p, px, px, 2, true)).toBe(generalMcc(p, px, px, 2));
    expect(maximalCorrelationCoefficient(p, px, px, 2, true)).toBeCloseTo(1, 12);
  });
});

describe('grey-level limit', () => {
  it('too many grey levels raise SETTINGS_INVALID', () => {
    const input = syntheticInput([40, 40, 2], (i, j, k) => i + 40 * j + 1600 * k, () => true);
    expect(() => buildTextureRegion(input, { binWidth: 1 })).toThrow(expect.objectContaining({ code: 'SETTINGS_INVALID' }));
    expect(buildTextureRegion(input, { binCount: 1024 }).levels.length).toBeLessThanOrEqual(1024);
  });
});
