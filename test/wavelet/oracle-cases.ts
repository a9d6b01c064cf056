// The PyRadiomics reference cases (original + coif1 wavelet, default settings) and helpers to load them.
import { readFileSync } from 'node:fs';

import { readNifti, readNrrd, type ImageVolume } from '@radiomics/core';

import { referencePath } from '../helpers/reference';

export interface OracleCase {
  readonly name: string;
  readonly csv: string;
  readonly image: string;
  readonly mask: string;
}

/** Paths relative to the reference root. PAT1's image file is float32 on disk despite its name. */
export const ORACLE_CASES: readonly OracleCase[] = [
  { name: 'pat1', csv: 'oracle/pat1_default.csv', image: 'oracle/cases/pat1_image_int16.nii.gz', mask: 'oracle/cases/pat1_mask.nii.gz' },
  { name: 'brain1', csv: 'oracle/brain1_default.csv', image: 'pyradiomics/data/brain1_image.nrrd', mask: 'pyradiomics/data/brain1_label.nrrd' },
  { name: 'breast1', csv: 'oracle/breast1_default.csv', image: 'pyradiomics/data/breast1_image.nrrd', mask: 'pyradiomics/data/breast1_label.nrrd' },
];

export function loadVolume(relativePath: string): ImageVolume {
  const bytes = new Uint8Array(readFileSync(referencePath(relativePath)));
  return relativePath.endsWith('.nrrd') ? readNrrd(bytes, relativePath) : readNifti(bytes, relativePath);
}

export function readOracle(relativePath: string): Map<string, number> {
  const values = new Map<string, number>();
  const lines = readFileSync(referencePath(relativePath), 'utf8').trim().split('\n');
  for (const line of lines.slice(1)) {
    const [name, value] = line.split(',');
    values.set(name, Number(value));
  }
  return values;
}

/**
 * NumPy's pairwise summation of a contiguous float64 array (blocks of 128 summed with eight accumulators),
 * so that a mean equals numpy.mean to the last bit.
 */
export function pairwiseSum(values: Float64Array, start = 0, count = values.length): number {
  if (count < 8) {
    let sum = -0;
    for (let i = start; i < start + count; i++) sum += values[i];
    return sum;
  }
  if (count <= 128) {
    const r = new Float64Array(8);
    for (let t = 0; t < 8; t++) r[t] = values[start + t];
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let t = 0; t < 8; t++) r[t] += values[start + i + t];
    }
    let sum = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < count; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/** Sub-band voxels inside the mask, in array order (x fastest), as PyRadiomics collects them. */
export function maskedValues(band: ImageVolume<Float64Array>, mask: ImageVolume, label = 1, offset?: readonly number[]): Float64Array {
  const [bx, by] = band.size;
  const [mx, my, mz] = mask.size;
  const [ox, oy, oz] = offset ?? [0, 0, 0];
  const values: number[] = [];
  for (let k = 0; k < mz; k++) {
    for (let j = 0; j < my; j++) {
      for (let i = 0; i < mx; i++) {
        if (mask.data[i + mx * (j + my * k)] !== label) continue;
        values.push(band.data[i - ox + bx * (j - oy + by * (k - oz))]);
      }
    }
  }
  return Float64Array.from(values);
}

/** First-order statistics that depend only on the voxel values: mean, minimum, maximum, median. */
export function simpleFirstOrder(values: Float64Array): Record<string, number> {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { Mean: pairwiseSum(values) / n, Minimum: sorted[0], Maximum: sorted[n - 1], Median: median };
}
