import { describe, expect, it } from 'vitest';

import type { ImageVolume, VoxelArray } from '@radiomics/core';
import { cropToRoi, labelInventory, validateRoi } from '@radiomics/core/io';

import { errorCodeOf, errorOf } from './error-code';

function volume<T extends VoxelArray>(size: [number, number, number], data: T, origin: [number, number, number] = [0, 0, 0]): ImageVolume<T> {
  return { size, spacing: [1, 1, 2], origin, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
}

/** A 6 × 5 × 4 mask with `voxels` ([i, j, k, label]) set. */
function maskWith(voxels: Array<[number, number, number, number]>): ImageVolume<Uint8Array> {
  const data = new Uint8Array(6 * 5 * 4);
  for (const [i, j, k, label] of voxels) data[i + 6 * (j + 5 * k)] = label;
  return volume([6, 5, 4], data);
}

const image = volume([6, 5, 4], new Int16Array(120).map((_, n) => n));

describe('labelInventory', () => {
  it('counts voxels, boxes and 26-connected components', () => {
    const mask = maskWith([
      [0, 0, 0, 1],
      [1, 1, 1, 1], // corner neighbour of (0,0,0): same component
      [4, 4, 3, 1], // far away: second component
      [2, 2, 0, 3],
      [3, 2, 0, 3],
    ]);
    const inventory = labelInventory(mask);
    expect(inventory.map((entry) => entry.label)).toEqual([1, 3]);
    expect(inventory[0].voxelCount).toBe(3);
    expect(inventory[0].components).toBe(2);
    expect(inventory[0].boundingBox).toEqual({ lower: [0, 0, 0], upper: [4, 4, 3] });
    expect(inventory[1].components).toBe(1);
    expect(inventory[1].boundingBox).toEqual({ lower: [2, 2, 0], upper: [3, 2, 0] });
  });

  it('counts components like a union-find', () => {
    // A sparse pseudo-random 12 × 11 × 9 label map with two labels, many small components and some touching
    // only at corners or edges, checked against union-find over the 26 neighbours.
    const size: [number, number, number] = [12, 11, 9];
    const data = new Uint8Array(size[0] * size[1] * size[2]);
    for (let v = 0; v < data.length; v++) {
      const hash = ((v * 2654435761) >>> 0) % 100;
      if (hash < 22) data[v] = 1;
      else if (hash < 30) data[v] = 2;
    }
    const parent = Array.from(data, (_, v) => v);
    const find = (v: number): number => (parent[v] === v ? v : (parent[v] = find(parent[v])));
    const index = (i: number, j: number, k: number) => i + size[0] * (j + size[1] * k);
    for (let k = 0; k < size[2]; k++) {
      for (let j = 0; j < size[1]; j++) {
        for (let i = 0; i < size[0]; i++) {
          for (let dk = -1; dk <= 1; dk++) {
            for (let dj = -1; dj <= 1; dj++) {
              for (let di = -1; di <= 1; di++) {
                const [ni, nj, nk] = [i + di, j + dj, k + dk];
                if (ni < 0 || nj < 0 || nk < 0 || ni >= size[0] || nj >= size[1] || nk >= size[2]) continue;
                const [a, b] = [index(i, j, k), index(ni, nj, nk)];
                if (data[a] !== 0 && data[a] === data[b]) parent[find(a)] = find(b);
              }
            }
          }
        }
      }
    }
    const expected = (label: number) => new Set([...data.keys()].filter((v) => data[v] === label).map(find)).size;

    const inventory = labelInventory(volume(size, data));
    expect(inventory.find((entry) => entry.label === 1)?.components).toBe(expected(1));
    expect(inventory.find((entry) => entry.label === 2)?.components).toBe(expected(2));
    expect(expected(2)).toBeGreaterThan(5);
  });

  it('rejects fractional labels', () => {
    const mask = volume([2, 1, 1], Float32Array.from([0, 0.5]));
    expect(errorCodeOf(() => labelInventory(mask))).toBe('NON_INTEGER_LABELS');
  });

  it('rejects negative labels', () => {
    const mask = volume([2, 1, 1], Int16Array.from([0, -1]));
    expect(errorCodeOf(() => labelInventory(mask))).toBe('NON_INTEGER_LABELS');
  });

  it('accepts integer-valued float masks', () => {
    const mask = volume([2, 1, 1], Float32Array.from([0, 2]));
    expect(labelInventory(mask)[0].label).toBe(2);
  });
});

describe('validateRoi', () => {
  const lesion = maskWith([
    [1, 1, 1, 2],
    [2, 1, 1, 2],
    [1, 2, 1, 2],
  ]);

  it('returns the bounding box', () => {
    expect(validateRoi(image, lesion, { label: 2 })).toEqual({ lower: [1, 1, 1], upper: [2, 2, 1] });
  });

  it('lists present labels when missing', () => {
    const error = errorOf(() => validateRoi(image, lesion, { label: 1 }));
    expect(error.code).toBe('LABEL_NOT_FOUND');
    expect(error.message).toContain('labels present: 2');
  });

  it('rejects an empty mask', () => {
    expect(errorCodeOf(() => validateRoi(image, maskWith([])))).toBe('EMPTY_ROI');
  });

  it('rejects a single voxel', () => {
    expect(errorCodeOf(() => validateRoi(image, maskWith([[3, 3, 3, 1]])))).toBe('ROI_TOO_SMALL');
  });

  it('rejects a one-dimensional ROI', () => {
    const line = maskWith([
      [1, 1, 1, 1],
      [2, 1, 1, 1],
      [3, 1, 1, 1],
    ]);
    expect(errorCodeOf(() => validateRoi(image, line))).toBe('ROI_TOO_SMALL');
    expect(validateRoi(image, line, { minimumDimensions: 1 }).upper).toEqual([3, 1, 1]);
  });

  it('rejects an ROI below minimumVoxels', () => {
    expect(errorCodeOf(() => validateRoi(image, lesion, { label: 2, minimumVoxels: 4 }))).toBe('ROI_TOO_SMALL');
  });

  it('rejects fractional labels', () => {
    const soft = volume([6, 5, 4], new Float32Array(120).fill(0.25));
    expect(errorCodeOf(() => validateRoi(image, soft))).toBe('NON_INTEGER_LABELS');
  });

  it('reports the measured origin shift', () => {
    const shifted = { ...lesion, origin: [0.5, 0, 0] as [number, number, number] };
    const error = errorOf(() => validateRoi(image, shifted, { label: 2 }));
    expect(error.code).toBe('GEOMETRY_MISMATCH');
    expect(error.message).toContain('origin 0.5000 mm apart');
    expect(error.details.originDeltaMm).toBeCloseTo(0.5, 9);
  });

  it('reports size and spacing differences', () => {
    const other = { ...volume([6, 5, 3], new Uint8Array(90)), spacing: [1, 1, 2.5] as [number, number, number] };
    const error = errorOf(() => validateRoi(image, other));
    expect(error.code).toBe('GEOMETRY_MISMATCH');
    expect(error.message).toContain('size 6 × 5 × 3 vs image 6 × 5 × 4');
    expect(error.message).toContain('relative difference 2.00e-1');
  });

  it('reports direction differences', () => {
    const flipped = { ...lesion, direction: [1, 0, 0, 0, -1, 0, 0, 0, -1] as const };
    const error = errorOf(() => validateRoi(image, flipped, { label: 2 }));
    expect(error.code).toBe('GEOMETRY_MISMATCH');
    expect(error.message).toContain('direction cosines differ by up to 2.00000');
  });

  it('tolerates float32 rounding of the origin', () => {
    const rounded = { ...lesion, origin: [Math.fround(0.1) - 0.1, 0, 0] as [number, number, number] };
    expect(() => validateRoi(image, rounded, { label: 2 })).not.toThrow();
  });
});

describe('cropToRoi', () => {
  it('pads and clips the bounding box', () => {
    const mask = maskWith([
      [1, 1, 1, 1],
      [2, 1, 2, 1],
    ]);
    const cropped = cropToRoi(image, mask, 1, 1);
    expect(cropped.box).toEqual({ lower: [0, 0, 0], upper: [3, 2, 3] });
    expect(cropped.image.size).toEqual([4, 3, 4]);
    expect(cropped.image.data[0]).toBe(0);
    expect(cropped.image.data[1 + 4 * (1 + 3 * 1)]).toBe(image.data[1 + 6 * (1 + 5 * 1)]);
    expect(cropped.mask.data[2 + 4 * (1 + 3 * 2)]).toBe(1);
  });

  it('moves the origin to the first voxel', () => {
    const mask = maskWith([
      [3, 3, 2, 1],
      [4, 3, 2, 1],
    ]);
    const cropped = cropToRoi(image, mask, 1, 0);
    expect(cropped.image.origin).toEqual([3, 3, 4]);
    expect(Array.from(cropped.image.data)).toEqual([image.data[3 + 6 * (3 + 5 * 2)], image.data[4 + 6 * (3 + 5 * 2)]]);
  });
});
