/**
 * The image model shared by every part of the core: a 3-D voxel grid placed in patient space (LPS, mm).
 *
 * Conventions, the same as ITK and SimpleITK so that geometry compares directly with PyRadiomics:
 * - `data[i + nx * (j + ny * k)]` is the voxel at index (i, j, k); i (x) varies fastest.
 * - The physical position of voxel (i, j, k) is `origin + D · diag(spacing) · [i, j, k]ᵀ`, where D is
 *   `direction` read as a row-major 3 × 3 matrix whose columns are the unit vectors of the i, j and k axes.
 * - Positions are in millimetres in DICOM's LPS patient coordinates (NIfTI's RAS is converted on load).
 */

export type Vec3 = readonly [number, number, number];

/** Row-major 3 × 3 matrix; column c is the direction cosine vector of index axis c. */
export type Matrix3 = readonly [number, number, number, number, number, number, number, number, number];

export const IDENTITY_DIRECTION: Matrix3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export type VoxelArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

export interface ImageGeometry {
  /** Number of voxels along i, j, k. */
  readonly size: Vec3;
  /** Voxel spacing along i, j, k in mm. */
  readonly spacing: Vec3;
  /** Physical position (LPS, mm) of the centre of voxel (0, 0, 0). */
  readonly origin: Vec3;
  readonly direction: Matrix3;
}

export interface ImageVolume<T extends VoxelArray = VoxelArray> extends ImageGeometry {
  readonly data: T;
}

/** A label map: 0 is background, each positive integer is one lesion. */
export type LabelVolume = ImageVolume<Uint8Array | Uint16Array | Int16Array | Int32Array | Uint32Array>;

export function voxelCount(size: Vec3): number {
  return size[0] * size[1] * size[2];
}

export function linearIndex(size: Vec3, i: number, j: number, k: number): number {
  return i + size[0] * (j + size[1] * k);
}

/** Physical position (LPS, mm) of the voxel centre at continuous index (i, j, k). */
export function indexToPhysical(geometry: ImageGeometry, i: number, j: number, k: number): [number, number, number] {
  const { origin, spacing, direction: d } = geometry;
  const si = i * spacing[0];
  const sj = j * spacing[1];
  const sk = k * spacing[2];
  return [
    origin[0] + d[0] * si + d[1] * sj + d[2] * sk,
    origin[1] + d[3] * si + d[4] * sj + d[5] * sk,
    origin[2] + d[6] * si + d[7] * sj + d[8] * sk,
  ];
}

/** Continuous index of a physical point; the direction matrix is orthonormal, so its inverse is its transpose. */
export function physicalToIndex(geometry: ImageGeometry, x: number, y: number, z: number): [number, number, number] {
  const { origin, spacing, direction: d } = geometry;
  const dx = x - origin[0];
  const dy = y - origin[1];
  const dz = z - origin[2];
  return [
    (d[0] * dx + d[3] * dy + d[6] * dz) / spacing[0],
    (d[1] * dx + d[4] * dy + d[7] * dz) / spacing[1],
    (d[2] * dx + d[5] * dy + d[8] * dz) / spacing[2],
  ];
}
