// Geometry helpers: direction matrices, affine decomposition and tolerant comparison of image grids.
import type { ImageGeometry, Matrix3, Vec3 } from '../image/volume';

/** Tolerances used when two grids must describe the same voxels (mask on image, qform against sform). */
export interface GeometryTolerance {
  /** Relative spacing difference allowed, |a − b| / max(a, b). */
  readonly spacingRelative: number;
  /** Origin distance allowed, in mm. */
  readonly originMm: number;
  /** Largest absolute difference allowed between direction cosines. */
  readonly direction: number;
}

/**
 * Default tolerances for comparing a mask grid with its image grid. NIfTI stores geometry as float32 and DICOM
 * as decimal strings of up to 16 characters, so grids written by different tools differ by about 1e-5 mm; the
 * limits below stay far from any real shift (a tenth of a micrometre per mm of spacing is invisible, while
 * a half-voxel shift of 0.5 mm is refused).
 */
export const DEFAULT_GEOMETRY_TOLERANCE: GeometryTolerance = {
  spacingRelative: 1e-4,
  originMm: 1e-3,
  direction: 1e-4,
};

export interface GeometryComparison {
  readonly sameSize: boolean;
  readonly spacingDelta: number;
  readonly originDeltaMm: number;
  readonly directionDelta: number;
  readonly withinTolerance: boolean;
}

/** Measures how far grid `b` is from grid `a`: relative spacing, origin distance, direction cosines. */
export function compareGeometry(a: ImageGeometry, b: ImageGeometry, tolerance = DEFAULT_GEOMETRY_TOLERANCE): GeometryComparison {
  const sameSize = a.size[0] === b.size[0] && a.size[1] === b.size[1] && a.size[2] === b.size[2];

  let spacingDelta = 0;
  for (let axis = 0; axis < 3; axis++) {
    const delta = Math.abs(a.spacing[axis] - b.spacing[axis]) / Math.max(a.spacing[axis], b.spacing[axis]);
    spacingDelta = Math.max(spacingDelta, delta);
  }

  const originDeltaMm = Math.hypot(a.origin[0] - b.origin[0], a.origin[1] - b.origin[1], a.origin[2] - b.origin[2]);

  let directionDelta = 0;
  for (let n = 0; n < 9; n++) directionDelta = Math.max(directionDelta, Math.abs(a.direction[n] - b.direction[n]));

  const withinTolerance =
    sameSize &&
    spacingDelta <= tolerance.spacingRelative &&
    originDeltaMm <= tolerance.originMm &&
    directionDelta <= tolerance.direction;
  return { sameSize, spacingDelta, originDeltaMm, directionDelta, withinTolerance };
}

/** Splits a 3 × 3 linear map (row-major, columns = index axes) into unit column directions and column lengths. */
export function splitColumns(linear: Matrix3): { direction: Matrix3; lengths: Vec3 } {
  const lengths: number[] = [];
  const direction = [...linear];
  for (let column = 0; column < 3; column++) {
    const length = Math.hypot(linear[column], linear[3 + column], linear[6 + column]);
    lengths.push(length);
    for (let row = 0; row < 3; row++) direction[row * 3 + column] = length > 0 ? linear[row * 3 + column] / length : 0;
  }
  return { direction: direction as unknown as Matrix3, lengths: lengths as unknown as Vec3 };
}

/** Largest deviation of DᵀD from the identity: 0 for a rotation or reflection, larger for shear. */
export function orthonormalityError(direction: Matrix3): number {
  let worst = 0;
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      let dot = 0;
      for (let row = 0; row < 3; row++) dot += direction[row * 3 + a] * direction[row * 3 + b];
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

export function determinant3(m: Matrix3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** Negates the first two rows of a direction matrix: the change between RAS and LPS patient coordinates. */
export function flipRasLps(direction: Matrix3): Matrix3 {
  const d = [...direction];
  for (let n = 0; n < 6; n++) d[n] = d[n] === 0 ? 0 : -d[n];
  return d as unknown as Matrix3;
}

export function flipRasLpsPoint(point: Vec3): Vec3 {
  return [point[0] === 0 ? 0 : -point[0], point[1] === 0 ? 0 : -point[1], point[2]];
}

export function formatVector(values: readonly number[], digits = 4): string {
  return `(${values.map((v) => Number(v.toFixed(digits)).toString()).join(', ')})`;
}

/** The direction cosines rounded to the closest signed permutation: names the main axis orientation (e.g. 'LPS'). */
export function orientationCode(direction: Matrix3): string {
  const positive = ['L', 'P', 'S'];
  const negative = ['R', 'A', 'I'];
  let code = '';
  for (let column = 0; column < 3; column++) {
    let best = 0;
    for (let row = 1; row < 3; row++) {
      if (Math.abs(direction[row * 3 + column]) > Math.abs(direction[best * 3 + column])) best = row;
    }
    code += direction[best * 3 + column] >= 0 ? positive[best] : negative[best];
  }
  return code;
}
