// Small synthetic feature inputs for tests of the feature classes.
import type { FeatureInput, Vec3 } from '@radiomics/core';

/** Builds a block of `size` voxels with intensities from `value(i, j, k)` and ROI from `inside(i, j, k)`. */
export function syntheticInput(
  size: Vec3,
  value: (i: number, j: number, k: number) => number,
  inside: (i: number, j: number, k: number) => boolean,
  spacing: Vec3 = [1, 1, 1],
): FeatureInput {
  const total = size[0] * size[1] * size[2];
  const image = new Float64Array(total);
  const mask = new Uint8Array(total);
  let v = 0;
  for (let k = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++, v++) {
        image[v] = value(i, j, k);
        mask[v] = inside(i, j, k) ? 1 : 0;
      }
    }
  }
  return { image, mask, size, spacing };
}
