// The shared neighbour pass (GLCM counts, GLDM dependences, NGTDM sums) against a direct count over every voxel
// and each of its neighbours, written from the definitions with no shared code.
import { describe, expect, it } from 'vitest';

import { buildTextureRegion, discretise, roiIntensities, type FeatureInput, type TextureSettings, type Vec3 } from '@radiomics/core';
import { neighbourhoodSummary } from '@radiomics/core/features/neighbourhood';

import { syntheticInput } from '../helpers/synthetic-input';

interface Case {
  readonly name: string;
  readonly settings: TextureSettings;
  /** Intensity of voxel (i, j, k). */
  readonly value: (i: number, j: number, k: number) => number;
}

const SIZE: Vec3 = [9, 8, 7];

/** Deterministic pseudo-random integers in [0, 200). */
function noise(i: number, j: number, k: number): number {
  return (((i * 73856093) ^ (j * 19349663) ^ (k * 83492791)) >>> 0) % 200;
}

/** Returns whether voxel (i, j, k) is in the ROI: an irregular shape with holes that reaches the block's border. */
function inside(i: number, j: number, k: number): boolean {
  return (i + 2 * j + 3 * k) % 7 !== 0 && !(i > 6 && k < 2);
}

function inputOf(value: Case['value']): FeatureInput {
  return syntheticInput(SIZE, value, inside);
}

/** Neighbour vectors (di, dj, dk) at Chebyshev distance 1, in-plane only when force2D drops an axis. */
function neighbourVectors(settings: TextureSettings): Vec3[] {
  const dropped = settings.force2D ? 2 - (settings.force2Ddimension ?? 0) : -1;
  const vectors: Vec3[] = [];
  for (let dk = -1; dk <= 1; dk++) {
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const vector: Vec3 = [di, dj, dk];
        if ((di === 0 && dj === 0 && dk === 0) || (dropped >= 0 && vector[dropped] !== 0)) continue;
        vectors.push(vector);
      }
    }
  }
  return vectors;
}

/** GLDM dependence counts, NGTDM n_i and s_i, and the GLCM count of each direction, by definition. */
function directCounts(input: FeatureInput, settings: TextureSettings) {
  const values = roiIntensities(input);
  const { bins } = discretise(values, settings);
  const binAt = new Map<string, number>();
  let r = 0;
  for (let k = 0; k < SIZE[2]; k++) {
    for (let j = 0; j < SIZE[1]; j++) {
      for (let i = 0; i < SIZE[0]; i++) if (inside(i, j, k)) binAt.set(`${i},${j},${k}`, bins[r++]);
    }
  }

  const alpha = settings.gldm_a ?? 0;
  const dependence = new Map<string, number>();
  const voxelCounts = new Map<number, number>();
  const differences = new Map<number, number>();
  const pairs = new Map<string, number>();
  for (const [key, bin] of binAt) {
    const [i, j, k] = key.split(',').map(Number);
    let dependent = 0;
    let neighbours = 0;
    let neighbourSum = 0;
    for (const [di, dj, dk] of neighbourVectors(settings)) {
      const other = binAt.get(`${i + di},${j + dj},${k + dk}`);
      if (other === undefined) continue;
      neighbours++;
      neighbourSum += other;
      if (Math.abs(other - bin) <= alpha) dependent++;
      const direction = `${di},${dj},${dk}`;
      pairs.set(`${direction}:${bin}:${other}`, (pairs.get(`${direction}:${bin}:${other}`) ?? 0) + 1);
    }
    dependence.set(`${bin}:${dependent}`, (dependence.get(`${bin}:${dependent}`) ?? 0) + 1);
    voxelCounts.set(bin, (voxelCounts.get(bin) ?? 0) + 1);
    if (neighbours > 0) differences.set(bin, (differences.get(bin) ?? 0) + Math.abs(bin - neighbourSum / neighbours));
  }
  return { dependence, voxelCounts, differences, pairs };
}

const CASES: Case[] = [
  { name: 'bin width 25, defaults', settings: { binWidth: 25 }, value: noise },
  { name: 'GLDM alpha 1', settings: { binWidth: 25, gldm_a: 1 }, value: noise },
  { name: 'GLDM alpha 2.5', settings: { binWidth: 10, gldm_a: 2.5 }, value: noise },
  { name: 'force2D across k', settings: { binWidth: 25, force2D: true }, value: noise },
  { name: 'force2D across i, alpha 1', settings: { binWidth: 25, force2D: true, force2Ddimension: 2, gldm_a: 1 }, value: noise },
  // Bin numbers in the millions need the float64 box sums: 27 · (bin · 32 + 1) passes 2³¹.
  { name: 'bin numbers above 2.5 million', settings: { binWidth: 1 }, value: (i, j, k) => (noise(i, j, k) < 100 ? 0 : 3_000_000 + (noise(i, j, k) % 3)) },
];

describe('neighbourhoodSummary', () => {
  for (const testCase of CASES) {
    it(`matches a direct count: ${testCase.name}`, () => {
      const input = inputOf(testCase.value);
      const region = buildTextureRegion(input, testCase.settings);
      const summary = neighbourhoodSummary(region, testCase.settings);
      const expected = directCounts(input, testCase.settings);
      const levels = [...region.levels];

      for (const [code, bin] of levels.entries()) {
        expect(summary.voxelCounts[code]).toBe(expected.voxelCounts.get(bin));
        expect(summary.differences[code]).toBeCloseTo(expected.differences.get(bin) ?? 0, 9);
        for (let dependent = 0; dependent < summary.dependenceColumns; dependent++) {
          expect(summary.dependence[code * summary.dependenceColumns + dependent]).toBe(expected.dependence.get(`${bin}:${dependent}`) ?? 0);
        }
      }

      for (const [d, direction] of summary.directions.entries()) {
        for (const [row, rowBin] of levels.entries()) {
          for (const [column, columnBin] of levels.entries()) {
            const count = expected.pairs.get(`${direction.vector.join(',')}:${rowBin}:${columnBin}`) ?? 0;
            expect(summary.cooccurrence[d][row * levels.length + column]).toBe(count);
          }
        }
      }
    });
  }

  it('reaches the float64 sums', () => {
    const region = buildTextureRegion(inputOf(CASES[5].value), CASES[5].settings);
    expect(27 * (region.maxBin * 32 + 1)).toBeGreaterThan(2 ** 31);
  });
});
