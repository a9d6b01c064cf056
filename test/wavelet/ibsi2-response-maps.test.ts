// IBSI 2 phase-1 reference response maps for the separable wavelet tests that this transform can compute:
// 5.a.1 / 5.a.2 (db2, level 1, LHL, impulse phantom), 6.a.1 / 6.a.2 (coif1, level 1, HHL, sphere phantom).
// The IBSI pass criterion: every voxel within 1 % of the reference map's intensity range.
// The IBSI prescribes periodic padding for 6.a and zero padding for 5.a; the impulse phantom is zero
// everywhere except at its centre, so wrap-around brings in the same zeros and periodic padding gives the
// zero-padded response. The ".2" variants are rotation invariant: the response is averaged over the 24
// right-angle rotations of the image (rotate, filter, rotate back).
// 7.a.1 / 7.a.2 (Haar, level 2, mirror padding) do not apply: see docs/wavelet.md.
import { readFileSync } from 'node:fs';

import { expect, it } from 'vitest';

import { applyWaveletSubBand, readNifti, type ImageVolume, type WaveletOptions } from '@radiomics/core';

import { describeWithReference, referencePath } from '../helpers/reference';

const PHANTOMS = 'ibsi2/digital_phantom/nifti';
const MAPS = 'ibsi2/reference_response_maps';

function load(relativePath: string): ImageVolume {
  return readNifti(new Uint8Array(readFileSync(referencePath(relativePath))), relativePath);
}

interface Rotation {
  readonly permutation: readonly number[];
  readonly signs: readonly number[];
}

/** The 24 proper rotations of a cube: signed axis permutations with determinant +1. */
function cubeRotations(): Rotation[] {
  const permutations = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const rotations: Rotation[] = [];
  for (const permutation of permutations) {
    const inversions = Number(permutation[0] > permutation[1]) + Number(permutation[0] > permutation[2]) + Number(permutation[1] > permutation[2]);
    for (let bits = 0; bits < 8; bits++) {
      const signs = [bits & 1 ? -1 : 1, bits & 2 ? -1 : 1, bits & 4 ? -1 : 1];
      const determinant = (inversions % 2 === 1 ? -1 : 1) * signs[0] * signs[1] * signs[2];
      if (determinant === 1) rotations.push({ permutation, signs });
    }
  }
  return rotations;
}

/** Rotates the voxels of an n × n × n cube (or undoes the rotation when `inverse`). */
function rotateCube(data: ArrayLike<number>, n: number, rotation: Rotation, inverse: boolean): Float64Array {
  const out = new Float64Array(n * n * n);
  const index = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        index[0] = i;
        index[1] = j;
        index[2] = k;
        const moved = [0, 1, 2].map((axis) => {
          const value = index[rotation.permutation[axis]];
          return rotation.signs[axis] > 0 ? value : n - 1 - value;
        });
        const from = i + n * (j + n * k);
        const to = moved[0] + n * (moved[1] + n * moved[2]);
        if (inverse) out[from] = data[to];
        else out[to] = data[from];
      }
    }
  }
  return out;
}

function rotationInvariantResponse(image: ImageVolume, subBand: string, options: WaveletOptions): Float64Array {
  const n = image.size[0];
  const rotations = cubeRotations();
  const sum = new Float64Array(n * n * n);
  for (const rotation of rotations) {
    const rotated = { ...image, data: rotateCube(image.data, n, rotation, false) };
    const response = rotateCube(applyWaveletSubBand(rotated, subBand, options).image.data, n, rotation, true);
    for (let v = 0; v < sum.length; v++) sum[v] += response[v];
  }
  return sum.map((value) => value / rotations.length);
}

/** Largest voxel difference as a fraction of the reference map's intensity range. */
function deviationOfRange(response: ArrayLike<number>, reference: ImageVolume): number {
  let low = Infinity;
  let high = -Infinity;
  for (const value of reference.data) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  let worst = 0;
  for (let v = 0; v < reference.data.length; v++) worst = Math.max(worst, Math.abs(response[v] - reference.data[v]));
  return worst / (high - low);
}

const cases = [
  { id: '5_a_1', phantom: 'impulse', subBand: 'wavelet-LHL', wavelet: 'db2', rotationInvariant: false },
  { id: '5_a_2', phantom: 'impulse', subBand: 'wavelet-LHL', wavelet: 'db2', rotationInvariant: true },
  { id: '6_a_1', phantom: 'sphere', subBand: 'wavelet-HHL', wavelet: 'coif1', rotationInvariant: false },
  { id: '6_a_2', phantom: 'sphere', subBand: 'wavelet-HHL', wavelet: 'coif1', rotationInvariant: true },
];

const required = cases.flatMap((c) => [`${MAPS}/${c.id}-ValidCRM.nii.gz`, `${PHANTOMS}/${c.phantom}/image/${c.phantom}.nii.gz`]);

describeWithReference('IBSI 2 wavelet response maps', required, () => {
  for (const testCase of cases) {
    it(`matches ${testCase.id} (${testCase.wavelet} ${testCase.subBand.slice(-3)} on ${testCase.phantom})`, () => {
      const image = load(`${PHANTOMS}/${testCase.phantom}/image/${testCase.phantom}.nii.gz`);
      const reference = load(`${MAPS}/${testCase.id}-ValidCRM.nii.gz`);
      expect(image.size).toEqual([64, 64, 64]);
      expect(reference.size).toEqual(image.size);

      const options = { wavelet: testCase.wavelet };
      const response = testCase.rotationInvariant
        ? rotationInvariantResponse(image, testCase.subBand, options)
        : applyWaveletSubBand(image, testCase.subBand, options).image.data;

      // The IBSI criterion is 1 %; the maps are stored as float32, so agreement is about 1e-8 of the range.
      const deviation = deviationOfRange(response, reference);
      expect(deviation).toBeLessThan(0.01);
      expect(deviation).toBeLessThan(1e-6);
    });
  }
});
