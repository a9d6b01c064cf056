/**
 * The 14 PyRadiomics 3 shape features (3-D) and its three deprecated ones, from a binary ROI mask.
 *
 * Definitions (V mesh volume, A mesh surface area, N voxel count, λ1 ≤ λ2 ≤ λ3 the eigenvalues of the
 * voxel-centre covariance divided by N):
 * - MeshVolume V, SurfaceArea A: marching-cubes mesh of the mask padded by one voxel (see mesh.ts).
 * - VoxelVolume = N · Δx Δy Δz.
 * - SurfaceVolumeRatio = A / V.
 * - Sphericity = (36 π V²)^(1/3) / A.
 * - Maximum3DDiameter, Maximum2DDiameterSlice / Column / Row: largest distance between mesh vertices, over
 *   all vertices or between vertices with equal z / y / x (see diameters.ts).
 * - MajorAxisLength = 4 √λ3, MinorAxisLength = 4 √λ2, LeastAxisLength = 4 √λ1.
 * - Elongation = √(λ2 / λ3), Flatness = √(λ1 / λ3).
 * - Deprecated, only on request: Compactness1 = V / (√π A^(3/2)), Compactness2 = 36 π V² / A³,
 *   SphericalDisproportion = A / (36 π V²)^(1/3).
 *
 * Positions use the voxel spacing only, because the direction matrix and origin change none of these values.
 */
import { RadiomicsError } from '../../errors';
import type { Vec3 } from '../../image/volume';
import { computeMeshDiameters } from './diameters';
import { computeMeshMeasures, type PaddedMask } from './mesh';
import { computePrincipalAxes } from './principal-axes';

/** Names of the shape features PyRadiomics 3 computes by default, without the `original_shape_` prefix. */
export const SHAPE_FEATURE_NAMES = [
  'Elongation',
  'Flatness',
  'LeastAxisLength',
  'MajorAxisLength',
  'Maximum2DDiameterColumn',
  'Maximum2DDiameterRow',
  'Maximum2DDiameterSlice',
  'Maximum3DDiameter',
  'MeshVolume',
  'MinorAxisLength',
  'Sphericity',
  'SurfaceArea',
  'SurfaceVolumeRatio',
  'VoxelVolume',
] as const;

/** Shape features PyRadiomics 3 marks deprecated: computed only when named explicitly. */
export const DEPRECATED_SHAPE_FEATURE_NAMES = ['Compactness1', 'Compactness2', 'SphericalDisproportion'] as const;

/**
 * A binary ROI mask on a voxel grid, i fastest: `data[i + nx * (j + ny * k)]` is 1 inside and 0 outside.
 * An `ImageVolume<Uint8Array>` is one.
 */
export interface ShapeMask {
  readonly size: Vec3;
  /** Voxel spacing along i, j, k in mm. */
  readonly spacing: Vec3;
  readonly data: ArrayLike<number>;
}

export interface ShapeOptions {
  /** Also return Compactness1, Compactness2 and SphericalDisproportion. */
  readonly includeDeprecated?: boolean;
}

/**
 * Computes the shape features of a binary ROI mask.
 *
 * `mask.data` must hold 0 (outside) and 1 (inside), with at least one voxel inside. The mask may
 * be cropped to the ROI bounding box or not, with or without padding: the ROI is re-cropped and padded by
 * one background voxel internally. `spacing` (x, y, z, mm) defaults to the mask's own spacing.
 *
 * Elongation and Flatness are NaN for a single-voxel ROI, as in PyRadiomics, because the largest eigenvalue
 * is 0 and both ratios are 0 / 0.
 */
export function computeShape(
  mask: ShapeMask,
  spacing: Vec3 = mask.spacing,
  options: ShapeOptions = {},
): Record<string, number> {
  validateSpacing(spacing);
  const padded = padRoi(mask);

  const { volume, surfaceArea } = computeMeshMeasures(padded, spacing);
  const diameters = computeMeshDiameters(padded, spacing);
  const { eigenvalues, voxelCount } = computePrincipalAxes(padded, spacing);
  const [least, minor, major] = eigenvalues;

  // Same operand order as PyRadiomics: N · (Δz · Δy · Δx).
  const voxelVolume = voxelCount * (spacing[2] * spacing[1] * spacing[0]);
  const sphereFactor = Math.cbrt(36 * Math.PI * volume ** 2);

  const features: Record<string, number> = {
    Elongation: Math.sqrt(minor / major),
    Flatness: Math.sqrt(least / major),
    LeastAxisLength: Math.sqrt(least) * 4,
    MajorAxisLength: Math.sqrt(major) * 4,
    Maximum2DDiameterColumn: diameters.maximum2DColumn,
    Maximum2DDiameterRow: diameters.maximum2DRow,
    Maximum2DDiameterSlice: diameters.maximum2DSlice,
    Maximum3DDiameter: diameters.maximum3D,
    MeshVolume: volume,
    MinorAxisLength: Math.sqrt(minor) * 4,
    Sphericity: sphereFactor / surfaceArea,
    SurfaceArea: surfaceArea,
    SurfaceVolumeRatio: surfaceArea / volume,
    VoxelVolume: voxelVolume,
  };

  if (options.includeDeprecated) {
    features.Compactness1 = volume / (surfaceArea ** 1.5 * Math.sqrt(Math.PI));
    features.Compactness2 = (36 * Math.PI * volume ** 2) / surfaceArea ** 3;
    features.SphericalDisproportion = surfaceArea / sphereFactor;
  }
  return features;
}

function validateSpacing(spacing: Vec3): void {
  if (spacing.length !== 3 || !spacing.every((value) => Number.isFinite(value) && value > 0)) {
    throw new RadiomicsError(
      'GEOMETRY_MISMATCH',
      `Shape features need a positive, finite voxel spacing, but it is [${spacing.join(', ')}] mm.`,
      { details: { spacing: [...spacing] } },
    );
  }
}

/**
 * Copies the ROI bounding box into a grid with one background voxel on every side, as PyRadiomics pads the
 * mask before its marching cubes. Rejects masks that are not 0/1 or are empty.
 */
function padRoi(mask: ShapeMask): PaddedMask {
  const [nx, ny, nz] = mask.size;
  const data = mask.data;
  if (data?.length !== nx * ny * nz) {
    throw new RadiomicsError(
      'INTERNAL_ERROR',
      `Shape features need a mask of ${nx} × ${ny} × ${nz} voxels, but it has ${data?.length ?? 'no'} values.`,
    );
  }

  let minX = nx;
  let minY = ny;
  let minZ = nz;
  let maxX = -1;
  let maxY = -1;
  let maxZ = -1;
  let index = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, index++) {
        const value = data[index];
        if (value === 0) continue;
        if (value !== 1) {
          throw new RadiomicsError(
            'INTERNAL_ERROR',
            `Shape features need a binary mask of 0 and 1; voxel (${x}, ${y}, ${z}) is ${value}. Select one label first.`,
            { details: { voxel: [x, y, z], value } },
          );
        }
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        if (z < minZ) minZ = z;
        if (z > maxZ) maxZ = z;
      }
    }
  }
  if (maxX < 0) {
    throw new RadiomicsError('EMPTY_ROI', 'Shape features need at least one ROI voxel; the mask is empty.');
  }

  const size: [number, number, number] = [maxX - minX + 3, maxY - minY + 3, maxZ - minZ + 3];
  const padded = new Uint8Array(size[0] * size[1] * size[2]);
  for (let z = minZ; z <= maxZ; z++) {
    for (let y = minY; y <= maxY; y++) {
      let source = minX + nx * (y + ny * z);
      let target = 1 + size[0] * (y - minY + 1 + size[1] * (z - minZ + 1));
      for (let x = minX; x <= maxX; x++) padded[target++] = data[source++];
    }
  }
  return { data: padded, size };
}
