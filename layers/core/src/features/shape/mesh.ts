/**
 * Marching-cubes mesh measures of a binary mask, as PyRadiomics 3 defines them. The surface is the
 * marching-cubes isosurface of the mask padded by one background voxel, and every vertex is the midpoint of a
 * cube edge. The area is the sum of the triangle areas. The volume is the sum of the signed volumes of the
 * tetrahedra spanned by the grid origin and each triangle.
 *
 * The origin matters. The table leaves small holes where two neighbouring cubes split an ambiguous face
 * differently, so the mesh of a real mask is often not closed, and then the signed-tetrahedron sum changes
 * when the origin moves. PyRadiomics crops the mask to the ROI bounding box and pads it by one voxel, so its
 * origin is one voxel before the bounding box on every axis. Callers must pass exactly that grid (see
 * `padRoi` in shape.ts). On the PAT1 lesion an origin five voxels further out changes the volume by 2e−5.
 */
import { CUBE_CORNERS, CUBE_EDGES, TRIANGLE_EDGES } from './marching-cubes-table';

/** A binary mask on a grid that already has at least one background voxel on every side. */
export interface PaddedMask {
  /** 1 inside the ROI and 0 outside, at index `x + nx * (y + ny * z)`. */
  readonly data: Uint8Array;
  /** Voxel counts along x (fastest), y and z. */
  readonly size: readonly [number, number, number];
}

export interface MeshMeasures {
  /** Volume enclosed by the mesh, mm³. */
  readonly volume: number;
  /** Surface area of the mesh, mm². */
  readonly surfaceArea: number;
}

/**
 * Per-configuration constants of the volume and area sums, for one voxel spacing.
 *
 * For a triangle with corners a', b', c' relative to its cube origin o, the tetrahedron term expands as
 * (o + a') · ((o + b') × (o + c')) = a' · (b' × c') + o · ((b' − a') × (c' − a')).
 * So the mesh volume is (1/6) Σ over cubes of sign · (K[case] + o · N[case]), with K the summed triple
 * products and N the summed doubled area vectors of the configuration's triangles, and the area is
 * Σ count[case] · area[case]. Vectors are ordered (z, y, x) as in PyRadiomics' array axes, which fixes the
 * sign convention that makes the enclosed volume positive.
 */
interface CaseConstants {
  readonly tripleProduct: Float64Array;
  readonly normalZ: Float64Array;
  readonly normalY: Float64Array;
  readonly normalX: Float64Array;
  readonly area: Float64Array;
}

function buildCaseConstants(spacingZ: number, spacingY: number, spacingX: number): CaseConstants {
  const tripleProduct = new Float64Array(128);
  const normalZ = new Float64Array(128);
  const normalY = new Float64Array(128);
  const normalX = new Float64Array(128);
  const area = new Float64Array(128);

  // Edge midpoints in mm, ordered (z, y, x).
  const midpoints = CUBE_EDGES.map(([first, second]) => {
    const p = CUBE_CORNERS[first];
    const q = CUBE_CORNERS[second];
    return [((p[2] + q[2]) / 2) * spacingZ, ((p[1] + q[1]) / 2) * spacingY, ((p[0] + q[0]) / 2) * spacingX] as const;
  });

  for (let configuration = 1; configuration < 128; configuration++) {
    const edges = TRIANGLE_EDGES[configuration];
    for (let t = 0; t < edges.length; t += 3) {
      const a = midpoints[edges[t]];
      const b = midpoints[edges[t + 1]];
      const c = midpoints[edges[t + 2]];

      // b × c, then a · (b × c).
      const bc0 = b[1] * c[2] - c[1] * b[2];
      const bc1 = b[2] * c[0] - c[2] * b[0];
      const bc2 = b[0] * c[1] - c[0] * b[1];
      tripleProduct[configuration] += a[0] * bc0 + a[1] * bc1 + a[2] * bc2;

      // (b − a) × (c − a): twice the area vector.
      const u0 = b[0] - a[0];
      const u1 = b[1] - a[1];
      const u2 = b[2] - a[2];
      const v0 = c[0] - a[0];
      const v1 = c[1] - a[1];
      const v2 = c[2] - a[2];
      const n0 = u1 * v2 - v1 * u2;
      const n1 = u2 * v0 - v2 * u0;
      const n2 = u0 * v1 - v0 * u1;
      normalZ[configuration] += n0;
      normalY[configuration] += n1;
      normalX[configuration] += n2;
      area[configuration] += 0.5 * Math.sqrt(n0 * n0 + n1 * n1 + n2 * n2);
    }
  }
  return { tripleProduct, normalZ, normalY, normalX, area };
}

/**
 * Computes the marching-cubes mesh volume and surface area of a padded binary mask.
 *
 * The loop only classifies cubes: per configuration it counts the cubes and sums their integer origins, and
 * the per-configuration constants turn those sums into the volume and area. Integer sums are exact, so the
 * result differs from a triangle-by-triangle sum only by rounding.
 */
export function computeMeshMeasures(mask: PaddedMask, spacing: readonly [number, number, number]): MeshMeasures {
  const [nx, ny, nz] = mask.size;
  const data = mask.data;
  const strideY = nx;
  const strideZ = nx * ny;

  // Indexed by cube configuration 0..255. Origins are summed as integers, which is exact below 2^53.
  const counts = new Float64Array(256);
  const sumZ = new Float64Array(256);
  const sumY = new Float64Array(256);
  const sumX = new Float64Array(256);

  for (let z = 0; z < nz - 1; z++) {
    for (let y = 0; y < ny - 1; y++) {
      let base = z * strideZ + y * strideY;
      // Corners 0, 3, 4 and 7 lie at x, and corners 1, 2, 5 and 6 at x + 1. The x + 1 column carries over.
      let low =
        data[base] | (data[base + strideY] << 3) | (data[base + strideZ] << 4) | (data[base + strideZ + strideY] << 7);
      for (let x = 0; x < nx - 1; x++, base++) {
        const next = base + 1;
        const high =
          (data[next] << 1) |
          (data[next + strideY] << 2) |
          (data[next + strideZ] << 5) |
          (data[next + strideZ + strideY] << 6);
        const configuration = low | high;
        if (configuration !== 0 && configuration !== 255) {
          counts[configuration] += 1;
          sumZ[configuration] += z;
          sumY[configuration] += y;
          sumX[configuration] += x;
        }
        // The x + 1 corners (1, 2, 5, 6) become the x corners (0, 3, 4, 7) of the next cube.
        low = ((high >> 1) & 0b1) | ((high >> 2) & 0b1) << 3 | ((high >> 5) & 0b1) << 4 | ((high >> 6) & 0b1) << 7;
      }
    }
  }

  const [spacingX, spacingY, spacingZ] = spacing;
  const constants = buildCaseConstants(spacingZ, spacingY, spacingX);

  let sixVolume = 0;
  let surfaceArea = 0;
  for (let configuration = 1; configuration < 255; configuration++) {
    const count = counts[configuration];
    if (count === 0) continue;

    // A configuration with corner 7 inside is its complement with the triangles reversed.
    const flipped = (configuration & 0x80) !== 0;
    const row = flipped ? configuration ^ 0xff : configuration;
    const sign = flipped ? -1 : 1;

    const originTerm =
      sumZ[configuration] * spacingZ * constants.normalZ[row] +
      sumY[configuration] * spacingY * constants.normalY[row] +
      sumX[configuration] * spacingX * constants.normalX[row];
    sixVolume += sign * (count * constants.tripleProduct[row] + originTerm);
    surfaceArea += count * constants.area[row];
  }

  return { volume: sixVolume / 6, surfaceArea };
}
