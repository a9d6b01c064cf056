// Shape features on synthetic masks: the marching-cubes table itself, closed-form solids, a brute-force
// re-implementation of the PyRadiomics definitions on random masks, invariances and input errors.
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

import { IDENTITY_DIRECTION, RadiomicsError, type ImageVolume, type Vec3 } from '@radiomics/core';
import { computeShape, SHAPE_FEATURE_NAMES } from '@radiomics/core/features/shape';
import { CUBE_CORNERS, CUBE_EDGES, TRIANGLE_EDGES } from '@radiomics/core/features/shape/marching-cubes-table';

const CORNERS = CUBE_CORNERS;
const EDGE_CORNERS = CUBE_EDGES;

function maskVolume(size: Vec3, inside: (x: number, y: number, z: number) => boolean, spacing: Vec3 = [1, 1, 1]): ImageVolume<Uint8Array> {
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  let index = 0;
  for (let z = 0; z < size[2]; z++) {
    for (let y = 0; y < size[1]; y++) {
      for (let x = 0; x < size[0]; x++, index++) data[index] = inside(x, y, z) ? 1 : 0;
    }
  }
  return { size, spacing, origin: [0, 0, 0], direction: IDENTITY_DIRECTION, data };
}

function relativeDifference(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

/** Crops a mask to the bounding box of its ROI voxels, as PyRadiomics does before the shape class pads it. */
function cropToRoi(mask: ImageVolume<Uint8Array>): ImageVolume<Uint8Array> {
  const [nx, ny, nz] = mask.size;
  const low = [nx, ny, nz];
  const high = [-1, -1, -1];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        if (!mask.data[x + nx * (y + ny * z)]) continue;
        [x, y, z].forEach((value, d) => {
          low[d] = Math.min(low[d], value);
          high[d] = Math.max(high[d], value);
        });
      }
    }
  }
  const size: Vec3 = [high[0] - low[0] + 1, high[1] - low[1] + 1, high[2] - low[2] + 1];
  return maskVolume(size, (x, y, z) => mask.data[x + low[0] + nx * (y + low[1] + ny * (z + low[2]))] === 1, mask.spacing);
}

/**
 * The PyRadiomics definitions computed the slow way: every triangle of every cube summed one by one with
 * absolute (z, y, x) coordinates from one voxel before the ROI bounding box, the diameters over every pair of
 * distinct triangle vertices, and the covariance eigenvalues by ml-matrix.
 */
function bruteForceShape(uncropped: ImageVolume<Uint8Array>): Record<string, number> {
  const mask = cropToRoi(uncropped);
  const [nx, ny, nz] = mask.size;
  const [sx, sy, sz] = mask.spacing;
  // Pad by one voxel on every side.
  const px = nx + 2;
  const py = ny + 2;
  const pz = nz + 2;
  const inside = (x: number, y: number, z: number): number =>
    x < 1 || y < 1 || z < 1 || x > nx || y > ny || z > nz ? 0 : mask.data[x - 1 + nx * (y - 1 + ny * (z - 1))];

  let sixVolume = 0;
  let area = 0;
  const vertices = new Map<string, [number, number, number]>();
  for (let z = 0; z < pz - 1; z++) {
    for (let y = 0; y < py - 1; y++) {
      for (let x = 0; x < px - 1; x++) {
        let configuration = 0;
        CORNERS.forEach(([cx, cy, cz], corner) => {
          if (inside(x + cx, y + cy, z + cz)) configuration |= 1 << corner;
        });
        let sign = 1;
        if (configuration & 0x80) {
          configuration ^= 0xff;
          sign = -1;
        }
        const edges = TRIANGLE_EDGES[configuration];
        for (let t = 0; t < edges.length; t += 3) {
          // Points as (z, y, x) in mm.
          const [a, b, c] = [edges[t], edges[t + 1], edges[t + 2]].map((edge) => {
            const [p, q] = EDGE_CORNERS[edge];
            const point: [number, number, number] = [
              (z + (CORNERS[p][2] + CORNERS[q][2]) / 2) * sz,
              (y + (CORNERS[p][1] + CORNERS[q][1]) / 2) * sy,
              (x + (CORNERS[p][0] + CORNERS[q][0]) / 2) * sx,
            ];
            vertices.set(point.join(','), point);
            return point;
          });
          const cross = (u: number[], v: number[]) => [u[1] * v[2] - v[1] * u[2], u[2] * v[0] - v[2] * u[0], u[0] * v[1] - v[0] * u[1]];
          const bc = cross(b, c);
          sixVolume += sign * (a[0] * bc[0] + a[1] * bc[1] + a[2] * bc[2]);
          const n = cross(
            a.map((value, d) => value - c[d]),
            b.map((value, d) => value - c[d]),
          );
          area += 0.5 * Math.hypot(n[0], n[1], n[2]);
        }
      }
    }
  }

  const points = [...vertices.values()];
  const diameters = [0, 0, 0, 0];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const [a, b] = [points[i], points[j]];
      const squared = (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
      if (a[0] === b[0]) diameters[0] = Math.max(diameters[0], squared);
      if (a[1] === b[1]) diameters[1] = Math.max(diameters[1], squared);
      if (a[2] === b[2]) diameters[2] = Math.max(diameters[2], squared);
      diameters[3] = Math.max(diameters[3], squared);
    }
  }

  const positions: number[][] = [];
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) if (mask.data[x + nx * (y + ny * z)]) positions.push([z * sz, y * sy, x * sx]);
    }
  }
  const centred = new Matrix(positions).center('column');
  const covariance = centred.transpose().mmul(centred).div(positions.length);
  const eigenvalues = new EigenvalueDecomposition(covariance).realEigenvalues.sort((p, q) => p - q);

  return {
    MeshVolume: sixVolume / 6,
    SurfaceArea: area,
    Maximum2DDiameterSlice: Math.sqrt(diameters[0]),
    Maximum2DDiameterColumn: Math.sqrt(diameters[1]),
    Maximum2DDiameterRow: Math.sqrt(diameters[2]),
    Maximum3DDiameter: Math.sqrt(diameters[3]),
    MajorAxisLength: 4 * Math.sqrt(Math.max(eigenvalues[2], 0)),
    MinorAxisLength: 4 * Math.sqrt(Math.max(eigenvalues[1], 0)),
    LeastAxisLength: 4 * Math.sqrt(Math.max(eigenvalues[0], 0)),
    VoxelVolume: positions.length * sx * sy * sz,
  };
}

describe('marching-cubes table', () => {
  it('has one row per configuration with corner 7 outside', () => {
    expect(TRIANGLE_EDGES).toHaveLength(128);
    expect(TRIANGLE_EDGES[0]).toEqual([]);
  });

  it('uses exactly the edges that cross the surface', () => {
    for (let configuration = 1; configuration < 128; configuration++) {
      const row = TRIANGLE_EDGES[configuration];
      expect(row.length % 3, `configuration ${configuration}`).toBe(0);
      const used = new Set(row);
      EDGE_CORNERS.forEach(([p, q], edge) => {
        const crosses = ((configuration >> p) & 1) !== ((configuration >> q) & 1);
        expect(used.has(edge), `configuration ${configuration}, edge ${edge}`).toBe(crosses);
      });
    }
  });

  it('orients every triangle the same way', () => {
    // In (x, y, z) the normal (b − a) × (c − a) of every triangle points towards the inside corners: summed
    // over its three vertices, the normal's dot product with the inside-to-outside edge direction is negative.
    for (let configuration = 1; configuration < 128; configuration++) {
      const row = TRIANGLE_EDGES[configuration];
      for (let t = 0; t < row.length; t += 3) {
        const points = [row[t], row[t + 1], row[t + 2]].map((edge) => {
          const [p, q] = EDGE_CORNERS[edge];
          return CORNERS[p].map((value, d) => (value + CORNERS[q][d]) / 2);
        });
        const u = points[1].map((value, d) => value - points[0][d]);
        const v = points[2].map((value, d) => value - points[0][d]);
        const normal = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
        let facing = 0;
        for (const edge of [row[t], row[t + 1], row[t + 2]]) {
          const [p, q] = EDGE_CORNERS[edge];
          const [from, to] = (configuration >> p) & 1 ? [p, q] : [q, p];
          facing += CORNERS[to].reduce<number>((sum, value, d) => sum + (value - CORNERS[from][d]) * normal[d], 0);
        }
        expect(facing, `configuration ${configuration}, triangle ${t / 3}`).toBeLessThan(0);
      }
    }
  });
});

describe('computeShape on closed-form solids', () => {
  it('gives an octahedron for one voxel', () => {
    const spacing: Vec3 = [0.8, 1.5, 3];
    const features = computeShape(maskVolume([1, 1, 1], () => true, spacing));
    const [a, b, c] = spacing.map((value) => value / 2);

    expect(features.MeshVolume).toBeCloseTo((spacing[0] * spacing[1] * spacing[2]) / 6, 12);
    expect(features.SurfaceArea).toBeCloseTo(4 * Math.sqrt(b * b * c * c + a * a * c * c + a * a * b * b), 12);
    expect(features.VoxelVolume).toBeCloseTo(3.6, 12);
    expect(features.Maximum3DDiameter).toBeCloseTo(3, 12);
    expect(features.Maximum2DDiameterSlice).toBeCloseTo(1.5, 12);
    expect(features.Maximum2DDiameterColumn).toBeCloseTo(3, 12);
    expect(features.Maximum2DDiameterRow).toBeCloseTo(3, 12);
    expect(features.MajorAxisLength).toBe(0);
    expect(features.LeastAxisLength).toBe(0);
  });

  it('returns NaN ratios for one voxel as PyRadiomics does', () => {
    const features = computeShape(maskVolume([1, 1, 1], () => true));
    expect(features.Elongation).toBeNaN();
    expect(features.Flatness).toBeNaN();
  });

  it('gives a prism with two pyramids for two voxels', () => {
    // Square cross-section |y| + |z| ≤ 1/2 over the unit length between the voxel centres, capped by
    // pyramids of height 1/2 reaching the outer faces.
    const features = computeShape(maskVolume([2, 1, 1], () => true));
    expect(features.MeshVolume).toBeCloseTo(2 / 3, 12);
    expect(features.SurfaceArea).toBeCloseTo(2 * Math.SQRT2 + Math.sqrt(3), 12);
    expect(features.Maximum3DDiameter).toBeCloseTo(2, 12);
    expect(features.Maximum2DDiameterSlice).toBeCloseTo(2, 12);
    expect(features.Maximum2DDiameterColumn).toBeCloseTo(2, 12);
    expect(features.Maximum2DDiameterRow).toBeCloseTo(1, 12);
    expect(features.MajorAxisLength).toBeCloseTo(2, 12);
    expect(features.MinorAxisLength).toBe(0);
    expect(features.Elongation).toBe(0);
  });

  it('approximates a digital ball', () => {
    const radius = 12;
    const size: Vec3 = [2 * radius + 1, 2 * radius + 1, 2 * radius + 1];
    const features = computeShape(
      maskVolume(size, (x, y, z) => (x - radius) ** 2 + (y - radius) ** 2 + (z - radius) ** 2 <= radius ** 2),
    );
    const ballVolume = (4 / 3) * Math.PI * radius ** 3;

    expect(relativeDifference(features.MeshVolume, ballVolume)).toBeLessThan(0.02);
    expect(relativeDifference(features.VoxelVolume, ballVolume)).toBeLessThan(0.02);
    expect(features.Sphericity).toBeGreaterThan(0.85);
    expect(features.Sphericity).toBeLessThan(1);
    expect(features.Maximum3DDiameter).toBeGreaterThanOrEqual(2 * radius);
    expect(features.Maximum3DDiameter).toBeLessThanOrEqual(2 * radius + 1);
    // A solid ball has variance r²/5 along every axis, so each axis length is 4 r / √5.
    expect(relativeDifference(features.MajorAxisLength, (4 * radius) / Math.sqrt(5))).toBeLessThan(0.03);
    expect(features.Elongation).toBeGreaterThan(0.99);
    expect(features.Flatness).toBeGreaterThan(0.99);
  });

  it('accepts a plain number array', () => {
    const typed = maskVolume([3, 2, 2], (x, y) => x + y > 0, [0.5, 0.7, 2]);
    const plain = { size: typed.size, spacing: typed.spacing, data: Array.from(typed.data) };
    expect(computeShape(plain)).toEqual(computeShape(typed));
  });

  it('returns the 14 default names', () => {
    const features = computeShape(maskVolume([2, 2, 2], () => true));
    expect(Object.keys(features).sort()).toEqual([...SHAPE_FEATURE_NAMES].sort());
  });

  it('adds the deprecated features on request', () => {
    const features = computeShape(maskVolume([3, 2, 2], () => true), undefined, { includeDeprecated: true });
    // Compactness2 is Sphericity cubed and SphericalDisproportion its inverse.
    expect(features.Compactness2).toBeCloseTo(features.Sphericity ** 3, 12);
    expect(features.SphericalDisproportion).toBeCloseTo(1 / features.Sphericity, 12);
    expect(features.Compactness1).toBeCloseTo(features.MeshVolume / Math.sqrt(Math.PI * features.SurfaceArea ** 3), 12);
  });
});

describe('computeShape against a brute-force implementation', () => {
  const randomMask = fc
    .record({
      size: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 })),
      spacing: fc.tuple(
        fc.double({ min: 0.3, max: 4, noNaN: true }),
        fc.double({ min: 0.3, max: 4, noNaN: true }),
        fc.double({ min: 0.3, max: 4, noNaN: true }),
      ),
      fill: fc.double({ min: 0.2, max: 0.9, noNaN: true }),
      seed: fc.integer(),
    })
    .map(({ size, spacing, fill, seed }) => {
      let state = seed >>> 0 || 1;
      const random = (): number => {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        return (state >>> 0) / 2 ** 32;
      };
      const mask = maskVolume(size, () => random() < fill, spacing);
      if (!mask.data.includes(1)) mask.data[0] = 1;
      return mask;
    });

  it('agrees on random masks', () => {
    fc.assert(
      fc.property(randomMask, (mask) => {
        const fast = computeShape(mask);
        const slow = bruteForceShape(mask);
        for (const [name, expected] of Object.entries(slow)) {
          const tolerance = name.endsWith('AxisLength') ? 1e-7 * Math.max(1, slow.MajorAxisLength) : 1e-10 * Math.max(1, Math.abs(expected));
          expect(Math.abs(fast[name] - expected), name).toBeLessThanOrEqual(tolerance);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('agrees on a ring with a hole', () => {
    const mask = maskVolume([9, 9, 3], (x, y, z) => {
      const r = Math.hypot(x - 4, y - 4);
      return z === 1 && r >= 2 && r <= 4;
    }, [0.7, 0.7, 2.5]);
    const fast = computeShape(mask);
    const slow = bruteForceShape(mask);
    for (const [name, expected] of Object.entries(slow)) {
      expect(relativeDifference(fast[name], expected), name).toBeLessThan(1e-10);
    }
  });
});

describe('computeShape invariances', () => {
  const blob = (x: number, y: number, z: number): boolean =>
    ((x - 5) / 4.5) ** 2 + ((y - 4) / 3.2) ** 2 + ((z - 3) / 2.4) ** 2 <= 1 && !(x === 5 && y > 4);

  it('does not depend on padding or position in the grid', () => {
    const tight = computeShape(maskVolume([11, 9, 7], blob, [0.7, 0.9, 2]));
    const shifted = computeShape(maskVolume([20, 15, 12], (x, y, z) => blob(x - 6, y - 3, z - 4), [0.7, 0.9, 2]));
    for (const name of SHAPE_FEATURE_NAMES) expect(shifted[name], name).toBe(tight[name]);
  });

  it('swaps the Row and Slice diameters when x and z swap', () => {
    const original = computeShape(maskVolume([11, 9, 7], blob, [0.7, 0.9, 2]));
    const swapped = computeShape(maskVolume([7, 9, 11], (x, y, z) => blob(z, y, x), [2, 0.9, 0.7]));
    expect(swapped.Maximum2DDiameterRow).toBeCloseTo(original.Maximum2DDiameterSlice, 12);
    expect(swapped.Maximum2DDiameterSlice).toBeCloseTo(original.Maximum2DDiameterRow, 12);
    expect(swapped.Maximum2DDiameterColumn).toBeCloseTo(original.Maximum2DDiameterColumn, 12);
    expect(swapped.Maximum3DDiameter).toBeCloseTo(original.Maximum3DDiameter, 12);
    expect(swapped.MajorAxisLength).toBeCloseTo(original.MajorAxisLength, 12);
    expect(swapped.LeastAxisLength).toBeCloseTo(original.LeastAxisLength, 12);
    expect(swapped.VoxelVolume).toBeCloseTo(original.VoxelVolume, 12);
  });
});

describe('computeShape input errors', () => {
  function codeOf(action: () => unknown): string | undefined {
    try {
      action();
    } catch (error) {
      return error instanceof RadiomicsError ? error.code : 'not a RadiomicsError';
    }
    return undefined;
  }

  it('rejects an empty mask', () => {
    expect(codeOf(() => computeShape(maskVolume([3, 3, 3], () => false)))).toBe('EMPTY_ROI');
  });

  it('rejects a label map that is not 0/1', () => {
    const mask = maskVolume([3, 3, 3], () => true);
    mask.data[4] = 2;
    expect(codeOf(() => computeShape(mask))).toBe('INTERNAL_ERROR');
  });

  it('rejects data of the wrong length', () => {
    const mask = { ...maskVolume([3, 3, 3], () => true), size: [3, 3, 4] as Vec3 };
    expect(codeOf(() => computeShape(mask))).toBe('INTERNAL_ERROR');
  });

  it('rejects a zero or non-finite spacing', () => {
    const mask = maskVolume([2, 2, 2], () => true);
    expect(codeOf(() => computeShape(mask, [1, 0, 1]))).toBe('GEOMETRY_MISMATCH');
    expect(codeOf(() => computeShape(mask, [1, Number.NaN, 1]))).toBe('GEOMETRY_MISMATCH');
  });
});
