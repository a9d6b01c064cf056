import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { ImageVolume, VoxelArray } from '@radiomics/core';
import { readNrrd, resampledGrid, resampleImageAndMask, resampleVolume } from '@radiomics/core/io';

import { describeWithReference, referencePath } from '../helpers/reference';
import { errorCodeOf } from './error-code';

function volume<T extends VoxelArray>(size: [number, number, number], spacing: [number, number, number], data: T): ImageVolume<T> {
  return { size, spacing, origin: [10, -20, 30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
}

/** Builds a mask with label 1 on the box [lower, upper] (inclusive). */
function boxMask(size: [number, number, number], spacing: [number, number, number], lower: number[], upper: number[]): ImageVolume<Uint8Array> {
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  for (let k = lower[2]; k <= upper[2]; k++)
    for (let j = lower[1]; j <= upper[1]; j++) for (let i = lower[0]; i <= upper[0]; i++) data[i + size[0] * (j + size[1] * k)] = 1;
  return volume(size, spacing, data);
}

describe('resampledGrid', () => {
  it('aligns the first voxel corners', () => {
    const mask = boxMask([20, 20, 10], [1, 1, 3], [5, 5, 3], [9, 9, 5]);
    const grid = resampledGrid(mask, { lower: [5, 5, 3], upper: [9, 9, 5] }, [2, 2, 2], 1);
    // x: r = 0.5, lower = floor(4.5 · 0.5 − 1) = 1, upper = ceil(9.5 · 0.5 + 1) = 6.
    expect(grid.size[0]).toBe(6);
    // Corner of the new voxel 0 = corner of old voxel 2 (index 1 / r): centre at old index 1.5 + 0.5 = 2.
    expect(grid.origin[0]).toBeCloseTo(10 + 2.5, 12);
    // z: r = 1.5, lower = floor(2.5 · 1.5 − 1) = 2, upper = min(ceil(10 · 1.5) − 1, ceil(5.5 · 1.5 + 1)) = 10.
    expect(grid.size[2]).toBe(9);
    expect(grid.origin[2]).toBeCloseTo(30 + 3 * (0.5 * (2 - 3) / 3 + 2 / 1.5), 12);
  });
});

describe('resampleImageAndMask', () => {
  const size: [number, number, number] = [24, 22, 12];
  const spacing: [number, number, number] = [0.8, 0.8, 2.5];
  const mask = boxMask(size, spacing, [8, 8, 4], [14, 13, 7]);

  it('keeps a constant image constant', () => {
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12).fill(42));
    for (const interpolator of ['sitkBSpline', 'sitkLinear', 'sitkNearestNeighbor']) {
      const result = resampleImageAndMask(image, mask, { spacing: [1, 1, 1], interpolator });
      expect(result.interpolated).toBe(true);
      for (let n = 0; n < result.image.data.length; n++) expect(result.image.data[n]).toBeCloseTo(42, 9);
    }
  });

  it('interpolates a linear ramp exactly inside', () => {
    // A cubic B-spline reproduces linear functions. The mirror boundary bends them near the image edges
    // (the error decays as 0.268^n with the distance n in voxels), so the ROI sits 14 or more voxels inside.
    const rampSize: [number, number, number] = [40, 40, 36];
    const data = new Float64Array(40 * 40 * 36);
    for (let k = 0; k < 36; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) data[i + 40 * (j + 40 * k)] = 3 * i - 2 * j + 5 * k;
    const image = volume(rampSize, spacing, data);
    const centred = boxMask(rampSize, spacing, [17, 17, 16], [23, 22, 20]);
    const result = resampleImageAndMask(image, centred, { spacing: [1.1, 1.1, 1.1], padDistance: 2 });
    const { origin } = result.image;
    for (let k = 0; k < result.image.size[2]; k++) {
      for (let j = 0; j < result.image.size[1]; j++) {
        for (let i = 0; i < result.image.size[0]; i++) {
          const x = (origin[0] + i * 1.1 - 10) / 0.8;
          const y = (origin[1] + j * 1.1 + 20) / 0.8;
          const z = (origin[2] + k * 1.1 - 30) / 2.5;
          const n = i + result.image.size[0] * (j + result.image.size[1] * k);
          expect(result.image.data[n]).toBeCloseTo(3 * x - 2 * y + 5 * z, 6);
        }
      }
    }
  });

  it('truncates integer images toward zero', () => {
    const data = new Int16Array(24 * 22 * 12);
    for (let n = 0; n < data.length; n++) data[n] = n % 2 === 0 ? 0 : 1;
    const image = volume(size, spacing, data);
    const result = resampleImageAndMask(image, mask, { spacing: [1, 1, 1], interpolator: 'sitkLinear' });
    expect(result.image.data).toBeInstanceOf(Int16Array);
    expect(result.mask.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(result.image.data).every((value) => value === 0 || value === 1)).toBe(true);
  });

  it('only crops when spacing is unchanged', () => {
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12).map((_, n) => n));
    const result = resampleImageAndMask(image, mask, { spacing: [0.8, 0.8, 2.5], padDistance: 1 });
    expect(result.interpolated).toBe(false);
    expect(result.image.size).toEqual([9, 8, 6]);
    expect(result.image.data[0]).toBe(7 + 24 * (7 + 22 * 3));
  });

  it('keeps spacing where the ROI is one slice thick', () => {
    const flat = boxMask(size, spacing, [8, 8, 4], [14, 13, 4]);
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12));
    const result = resampleImageAndMask(image, flat, { spacing: [1, 1, 1] });
    expect(result.spacing).toEqual([1, 1, 2.5]);
  });

  it('keeps spacing for a zero target', () => {
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12));
    expect(resampleImageAndMask(image, mask, { spacing: [1, 1, 0] }).spacing).toEqual([1, 1, 2.5]);
  });

  it('rejects outputs above maxVoxels', () => {
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12));
    expect(errorCodeOf(() => resampleImageAndMask(image, mask, { spacing: [0.1, 0.1, 0.1], maxVoxels: 100_000 }))).toBe('VOLUME_TOO_LARGE');
  });

  it('rejects unknown interpolators', () => {
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12));
    expect(errorCodeOf(() => resampleImageAndMask(image, mask, { spacing: [1, 1, 1], interpolator: 'sitkLanczosWindowedSinc' }))).toBe('SETTINGS_INVALID');
  });

  it('checks the ROI first', () => {
    const image = volume(size, spacing, new Float32Array(24 * 22 * 12));
    expect(errorCodeOf(() => resampleImageAndMask(image, mask, { spacing: [1, 1, 1], label: 4 }))).toBe('LABEL_NOT_FOUND');
  });
});

describe('resampleVolume', () => {
  it('returns 0 outside the input', () => {
    const input = volume([4, 4, 4], [1, 1, 1], new Float32Array(64).fill(7));
    const grid = { size: [8, 1, 1] as const, spacing: [1, 1, 1] as const, origin: [8, -20, 30] as const, direction: input.direction };
    const output = resampleVolume(input, grid, 'sitkBSpline');
    expect(Array.from(output.data)).toEqual([7, 7, 7, 7, 0, 0, 0, 0].map((_, n) => (8 + n - 10 >= -0.5 && 8 + n - 10 < 3.5 ? 7 : 0)));
  });

  it('rounds half indices up for nearest neighbour', () => {
    const input = volume([4, 1, 1], [1, 1, 1], Uint8Array.from([1, 2, 3, 4]));
    const grid = { size: [3, 1, 1] as const, spacing: [1, 1, 1] as const, origin: [10.5, -20, 30] as const, direction: input.direction };
    expect(Array.from(resampleVolume(input, grid, 'sitkNearestNeighbor').data)).toEqual([2, 3, 4]);
  });
});

describeWithReference('resampling against PyRadiomics baselines', ['pyradiomics/data/baseline/baseline_firstorder.csv', 'pyradiomics/data/brain1_image.nrrd'], () => {
  // First-order statistics of the ROI after resampling to 2 × 2 × 2 mm with sitkBSpline (the `_resampling`
  // columns): identical voxel count, mean, energy, minimum and maximum mean the same voxels and values.
  const csv = readFileSync(referencePath('pyradiomics/data/baseline/baseline_firstorder.csv'), 'utf8').split('\n').map((line) => line.split(','));
  const header = csv[0];
  const baseline = (feature: string, column: string): number => {
    const row = csv.find((cells) => cells[0] === `original_firstorder_${feature}`);
    return Number(row?.[header.indexOf(column)]);
  };

  for (const name of ['brain1', 'brain2', 'breast1']) {
    it(`reproduces ${name}_resampling`, () => {
      const image = readNrrd(readFileSync(referencePath(`pyradiomics/data/${name}_image.nrrd`)));
      const mask = readNrrd(readFileSync(referencePath(`pyradiomics/data/${name}_label.nrrd`)));
      const result = resampleImageAndMask(image, mask, { spacing: [2, 2, 2], interpolator: 'sitkBSpline', label: 1, padDistance: 5 });

      const values: number[] = [];
      for (let n = 0; n < result.mask.data.length; n++) if (result.mask.data[n] === 1) values.push(result.image.data[n]);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      const energy = values.reduce((sum, value) => sum + value * value, 0);

      expect(energy).toBe(baseline('Energy', `${name}_resampling`));
      expect(mean).toBeCloseTo(baseline('Mean', `${name}_resampling`), 9);
      expect(Math.min(...values)).toBe(baseline('Minimum', `${name}_resampling`));
      expect(Math.max(...values)).toBe(baseline('Maximum', `${name}_resampling`));
    });
  }
});
