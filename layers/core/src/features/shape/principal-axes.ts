/**
 * Principal-component axis lengths of the ROI, as PyRadiomics 3 defines them: the eigenvalues of the
 * covariance of the voxel-centre positions (mm), with the covariance divided by N, the voxel count.
 * IBSI divides by N − 1, so the IBSI axis lengths are these times sqrt(N / (N − 1)).
 */
import type { PaddedMask } from './mesh';

export interface PrincipalAxes {
  /** Covariance eigenvalues in ascending order, mm². */
  readonly eigenvalues: readonly [number, number, number];
  readonly voxelCount: number;
}

/**
 * PyRadiomics sets eigenvalues in (−1e−10, 0) to 0: they are rounding noise of a flat or linear ROI.
 * Anything more negative means the covariance is not positive semi-definite, which cannot happen for a real
 * covariance.
 */
const NEGATIVE_EIGENVALUE_TOLERANCE = -1e-10;

/** Computes the covariance eigenvalues of the ROI voxel centres. `spacing` is (x, y, z) in mm. */
export function computePrincipalAxes(mask: PaddedMask, spacing: readonly [number, number, number]): PrincipalAxes {
  // Each pass is a function of its own that returns numbers through typed arrays, so that V8 optimises each loop
  // alone. As loops of this function, which runs once per extraction, V8 compiled them on the fly and threw the
  // code away again where it left the loop, several times in the first extractions of a process.
  const mean = new Float64Array(3);
  const count = meanPosition(mask, spacing, mean);
  const moments = new Float64Array(6);
  centredSecondMoments(mask, spacing, mean, moments);
  const [xx, yy, zz, xy, xz, yz] = moments;

  const covariance: [number, number, number, number, number, number, number, number, number] = [
    xx / count, xy / count, xz / count,
    xy / count, yy / count, yz / count,
    xz / count, yz / count, zz / count,
  ];
  const eigenvalues = symmetricEigenvalues(covariance).map((value) =>
    value < 0 && value > NEGATIVE_EIGENVALUE_TOLERANCE ? 0 : value,
  );
  eigenvalues.sort((a, b) => a - b);
  return { eigenvalues: [eigenvalues[0], eigenvalues[1], eigenvalues[2]], voxelCount: count };
}

/** Returns the ROI voxel count and writes the mean voxel-centre position in mm, from exact integer index sums. */
function meanPosition(mask: PaddedMask, spacing: readonly [number, number, number], mean: Float64Array): number {
  const nx = mask.size[0];
  const ny = mask.size[1];
  const nz = mask.size[2];
  const data = mask.data;
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  let sumZ = 0;
  let index = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++, index++) {
        if (data[index] === 0) continue;
        count++;
        sumX += x;
        sumY += y;
        sumZ += z;
      }
    }
  }
  mean[0] = (sumX / count) * spacing[0];
  mean[1] = (sumY / count) * spacing[1];
  mean[2] = (sumZ / count) * spacing[2];
  return count;
}

/** Writes the sums xx, yy, zz, xy, xz, yz of the centred second moments of the voxel centres (mm², not divided by N). */
function centredSecondMoments(mask: PaddedMask, spacing: readonly [number, number, number], mean: Float64Array, moments: Float64Array): void {
  const meanX = mean[0];
  const meanY = mean[1];
  const meanZ = mean[2];
  const nx = mask.size[0];
  const ny = mask.size[1];
  const nz = mask.size[2];
  const spacingX = spacing[0];
  const spacingY = spacing[1];
  const spacingZ = spacing[2];
  const data = mask.data;
  let xx = 0;
  let yy = 0;
  let zz = 0;
  let xy = 0;
  let xz = 0;
  let yz = 0;
  let index = 0;
  for (let z = 0; z < nz; z++) {
    const dz = z * spacingZ - meanZ;
    for (let y = 0; y < ny; y++) {
      const dy = y * spacingY - meanY;
      for (let x = 0; x < nx; x++, index++) {
        if (data[index] === 0) continue;
        const dx = x * spacingX - meanX;
        xx += dx * dx;
        yy += dy * dy;
        zz += dz * dz;
        xy += dx * dy;
        xz += dx * dz;
        yz += dy * dz;
      }
    }
  }
  moments[0] = xx;
  moments[1] = yy;
  moments[2] = zz;
  moments[3] = xy;
  moments[4] = xz;
  moments[5] = yz;
}

/**
 * Eigenvalues of a symmetric 3 × 3 matrix (row-major) by cyclic Jacobi rotations, which keep full relative
 * accuracy for well-separated and clustered eigenvalues alike.
 */
export function symmetricEigenvalues(matrix: readonly number[]): number[] {
  const a = [
    [matrix[0], matrix[1], matrix[2]],
    [matrix[3], matrix[4], matrix[5]],
    [matrix[6], matrix[7], matrix[8]],
  ];

  for (let sweep = 0; sweep < 50; sweep++) {
    const offDiagonal = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (offDiagonal === 0) break;

    for (let p = 0; p < 2; p++) {
      for (let q = p + 1; q < 3; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;

        // Rotation angle that zeroes a[p][q]: t = tan(θ), chosen as the smaller root for stability.
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;

        for (let k = 0; k < 3; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        a[p][q] = 0;
        a[q][p] = 0;
      }
    }
  }
  return [a[0][0], a[1][1], a[2][2]];
}
