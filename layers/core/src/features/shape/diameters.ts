/**
 * Maximum 3-D and 2-D diameters over the marching-cubes mesh vertices, as PyRadiomics 3 defines them: the
 * largest Euclidean distance between two vertices, and per axis-aligned plane the largest distance between
 * two vertices that share that plane's coordinate.
 *
 * On a binary mask the mesh vertices are exactly the midpoints of the grid edges joining an ROI voxel to a
 * background voxel (6-neighbours). Positions are kept as doubled voxel indices, so every vertex has integer
 * coordinates and the convex-hull tests below are exact.
 *
 * PyRadiomics compares every pair of vertices. Here the candidates are cut down first, because a farthest
 * pair is always formed by extreme points of the convex hull. An extreme point of a set is also extreme in
 * every subset that contains it, in particular in its own axis-aligned planes. So per plane only the 2-D hull
 * vertices are compared, and in 3-D only the vertices that are hull vertices in all three of their planes.
 */
import type { PaddedMask } from './mesh';

export interface MeshDiameters {
  /** Largest vertex distance over the whole mesh, mm. */
  readonly maximum3D: number;
  /** Largest distance between vertices with equal z (the axial, row-column plane), mm. */
  readonly maximum2DSlice: number;
  /** Largest distance between vertices with equal y (the coronal, row-slice plane), mm. */
  readonly maximum2DColumn: number;
  /** Largest distance between vertices with equal x (the sagittal, column-slice plane), mm. */
  readonly maximum2DRow: number;
}

const EMPTY = -1;

/**
 * Smallest and largest coordinate of the vertices on each grid line parallel to one axis. `outer` and `inner`
 * are the line's two other doubled coordinates, and its slot is `outer * innerCount + inner`.
 */
interface LineExtremes {
  readonly innerCount: number;
  readonly minimum: Int32Array;
  readonly maximum: Int32Array;
}

function createLineExtremes(outerCount: number, innerCount: number): LineExtremes {
  const minimum = new Int32Array(outerCount * innerCount).fill(EMPTY);
  const maximum = new Int32Array(outerCount * innerCount).fill(EMPTY);
  return { innerCount, minimum, maximum };
}

function addToLine(lines: LineExtremes, outer: number, inner: number, value: number): void {
  const slot = outer * lines.innerCount + inner;
  if (lines.minimum[slot] === EMPTY || value < lines.minimum[slot]) lines.minimum[slot] = value;
  if (value > lines.maximum[slot]) lines.maximum[slot] = value;
}

/** Vertices of one plane as doubled indices `u` and `v`, so that hull tests stay exact. */
interface PlanePoints {
  u: number[];
  v: number[];
}

/**
 * Convex-hull vertices (strict, collinear points dropped) of points given in ascending (u, v) order,
 * by Andrew's monotone chain. Returns the indices of the hull vertices.
 */
function hullIndices(points: PlanePoints): number[] {
  const { u, v } = points;
  const count = u.length;
  if (count <= 2) return Array.from({ length: count }, (_, index) => index);

  const cross = (o: number, a: number, b: number): number => (u[a] - u[o]) * (v[b] - v[o]) - (v[a] - v[o]) * (u[b] - u[o]);

  const hull: number[] = [];
  for (let index = 0; index < count; index++) {
    while (hull.length >= 2 && cross(hull[hull.length - 2], hull[hull.length - 1], index) <= 0) hull.pop();
    hull.push(index);
  }
  const lowerLength = hull.length + 1;
  for (let index = count - 2; index >= 0; index--) {
    while (hull.length >= lowerLength && cross(hull[hull.length - 2], hull[hull.length - 1], index) <= 0) hull.pop();
    hull.push(index);
  }
  hull.pop();
  return hull;
}

/**
 * Collects the points of one plane from its line extremes, in ascending (u, v) order. Only the two end
 * points of each line can be hull vertices.
 */
function planePoints(lines: LineExtremes, outerOf: (u: number) => number, innerOf: (u: number) => number, uCount: number): PlanePoints {
  const u: number[] = [];
  const v: number[] = [];
  for (let line = 0; line < uCount; line++) {
    const slot = outerOf(line) * lines.innerCount + innerOf(line);
    const low = lines.minimum[slot];
    if (low === EMPTY) continue;
    const high = lines.maximum[slot];
    u.push(line);
    v.push(low);
    if (high !== low) {
      u.push(line);
      v.push(high);
    }
  }
  return { u, v };
}

/** Computes the largest squared distance between hull vertices of one plane (`scaleU`, `scaleV`: mm per doubled index). */
function planeMaximumSquared(points: PlanePoints, hull: number[], scaleU: number, scaleV: number): number {
  let best = 0;
  for (let a = 0; a < hull.length; a++) {
    const ua = points.u[hull[a]] * scaleU;
    const va = points.v[hull[a]] * scaleV;
    for (let b = a + 1; b < hull.length; b++) {
      const du = ua - points.u[hull[b]] * scaleU;
      const dv = va - points.v[hull[b]] * scaleV;
      const squared = du * du + dv * dv;
      if (squared > best) best = squared;
    }
  }
  return best;
}

/**
 * Returns the extremes of x along lines (z, y), and of y along lines (z, x), of the mesh vertices, in doubled
 * coordinates. Together they give the end points of every line in every axis-aligned plane: z-planes and y-planes
 * use the x extremes, x-planes the y extremes. This scan is the costly loop of the diameters, kept in a function of
 * its own so that V8 optimises it alone. Inside computeMeshDiameters, the code after it was recompiled three to
 * seven times in the first extractions of a process, about 25 ms each.
 */
function collectLineExtremes(mask: PaddedMask): { xAlongZY: LineExtremes; yAlongZX: LineExtremes } {
  const [nx, ny, nz] = mask.size;
  const data = mask.data;
  const strideY = nx;
  const strideZ = nx * ny;
  const xAlongZY = createLineExtremes(2 * nz, 2 * ny);
  const yAlongZX = createLineExtremes(2 * nz, 2 * nx);

  const addVertex = (x2: number, y2: number, z2: number): void => {
    addToLine(xAlongZY, z2, y2, x2);
    addToLine(yAlongZX, z2, x2, y2);
  };

  for (let z = 1; z < nz - 1; z++) {
    for (let y = 1; y < ny - 1; y++) {
      let index = z * strideZ + y * strideY + 1;
      for (let x = 1; x < nx - 1; x++, index++) {
        if (data[index] === 0) continue;
        const x2 = 2 * x;
        const y2 = 2 * y;
        const z2 = 2 * z;
        if (data[index - 1] === 0) addVertex(x2 - 1, y2, z2);
        if (data[index + 1] === 0) addVertex(x2 + 1, y2, z2);
        if (data[index - strideY] === 0) addVertex(x2, y2 - 1, z2);
        if (data[index + strideY] === 0) addVertex(x2, y2 + 1, z2);
        if (data[index - strideZ] === 0) addVertex(x2, y2, z2 - 1);
        if (data[index + strideZ] === 0) addVertex(x2, y2, z2 + 1);
      }
    }
  }
  return { xAlongZY, yAlongZX };
}

/**
 * Computes the four maximum diameters of the mesh of a padded binary mask. `spacing` is (x, y, z) in mm.
 */
export function computeMeshDiameters(mask: PaddedMask, spacing: readonly [number, number, number]): MeshDiameters {
  const [nx, ny, nz] = mask.size;

  // Doubled coordinates of vertices lie in [0, 2n − 2].
  const countX = 2 * nx;
  const countY = 2 * ny;
  const countZ = 2 * nz;
  const { xAlongZY, yAlongZX } = collectLineExtremes(mask);

  const halfX = spacing[0] / 2;
  const halfY = spacing[1] / 2;
  const halfZ = spacing[2] / 2;

  // Hull vertices of each family of planes, as packed keys, to intersect for the 3-D candidates.
  const packKey = (x2: number, y2: number, z2: number): number => (z2 * countY + y2) * countX + x2;
  const sliceHullVertices: [number, number, number][] = [];
  const columnHullKeys = new Set<number>();
  const rowHullKeys = new Set<number>();

  // z-planes (Slice): u = y, v = x.
  let sliceSquared = 0;
  for (let z2 = 0; z2 < countZ; z2++) {
    const points = planePoints(xAlongZY, () => z2, (y2) => y2, countY);
    if (points.u.length === 0) continue;
    const hull = hullIndices(points);
    sliceSquared = Math.max(sliceSquared, planeMaximumSquared(points, hull, halfY, halfX));
    for (const vertex of hull) sliceHullVertices.push([points.v[vertex], points.u[vertex], z2]);
  }

  // y-planes (Column): u = z, v = x.
  let columnSquared = 0;
  for (let y2 = 0; y2 < countY; y2++) {
    const points = planePoints(xAlongZY, (z2) => z2, () => y2, countZ);
    if (points.u.length === 0) continue;
    const hull = hullIndices(points);
    columnSquared = Math.max(columnSquared, planeMaximumSquared(points, hull, halfZ, halfX));
    for (const vertex of hull) columnHullKeys.add(packKey(points.v[vertex], y2, points.u[vertex]));
  }

  // x-planes (Row): u = z, v = y.
  let rowSquared = 0;
  for (let x2 = 0; x2 < countX; x2++) {
    const points = planePoints(yAlongZX, (z2) => z2, () => x2, countZ);
    if (points.u.length === 0) continue;
    const hull = hullIndices(points);
    rowSquared = Math.max(rowSquared, planeMaximumSquared(points, hull, halfZ, halfY));
    for (const vertex of hull) rowHullKeys.add(packKey(x2, points.v[vertex], points.u[vertex]));
  }

  const candidates = sliceHullVertices.filter(
    ([x2, y2, z2]) => columnHullKeys.has(packKey(x2, y2, z2)) && rowHullKeys.has(packKey(x2, y2, z2)),
  );

  return {
    maximum3D: Math.sqrt(maximumSquaredDistance(candidates, halfX, halfY, halfZ)),
    maximum2DSlice: Math.sqrt(sliceSquared),
    maximum2DColumn: Math.sqrt(columnSquared),
    maximum2DRow: Math.sqrt(rowSquared),
  };
}

/**
 * Largest squared distance between candidate vertices (doubled indices), in mm².
 *
 * Points are visited farthest-from-centroid first. A point p cannot reach beyond |p − c| + r, where r is the
 * largest distance of any candidate from the centroid c, so the search stops once that bound is no better
 * than the best pair found.
 */
function maximumSquaredDistance(candidates: [number, number, number][], halfX: number, halfY: number, halfZ: number): number {
  const count = candidates.length;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  const zs = new Float64Array(count);
  let meanX = 0;
  let meanY = 0;
  let meanZ = 0;
  for (let index = 0; index < count; index++) {
    xs[index] = candidates[index][0] * halfX;
    ys[index] = candidates[index][1] * halfY;
    zs[index] = candidates[index][2] * halfZ;
    meanX += xs[index];
    meanY += ys[index];
    meanZ += zs[index];
  }
  meanX /= count;
  meanY /= count;
  meanZ /= count;

  const radius = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    radius[index] = Math.hypot(xs[index] - meanX, ys[index] - meanY, zs[index] - meanZ);
  }
  const order = Array.from({ length: count }, (_, index) => index).sort((a, b) => radius[b] - radius[a]);
  const largestRadius = count > 0 ? radius[order[0]] : 0;

  let best = 0;
  for (let a = 0; a < count; a++) {
    const p = order[a];
    // Inflate the bound slightly so that rounding in the radii can never prune the true maximum.
    const reach = (radius[p] + largestRadius) * (1 + 1e-12);
    if (reach * reach < best) break;
    for (let b = a + 1; b < count; b++) {
      const q = order[b];
      const dx = xs[p] - xs[q];
      const dy = ys[p] - ys[q];
      const dz = zs[p] - zs[q];
      const squared = dz * dz + dy * dy + dx * dx;
      if (squared > best) best = squared;
    }
  }
  return best;
}
