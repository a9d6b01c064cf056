/**
 * Eigenvalues of a general real square matrix: balancing, reduction to upper Hessenberg form by stabilised
 * elimination, then the shifted QR iteration (the EISPACK balanc / elmhes / hqr sequence). Only eigenvalues are
 * computed, which is all the GLCM maximal correlation coefficient needs, at a fraction of the cost of a full
 * eigen decomposition.
 */
import { RadiomicsError } from '../errors';

export interface Eigenvalues {
  readonly real: Float64Array;
  readonly imaginary: Float64Array;
}

/** Eigenvalues of the n × n row-major matrix `matrix`, which is left untouched. */
export function eigenvalues(matrix: Float64Array, n: number): Eigenvalues {
  // Work 1-based on an (n + 1) × (n + 1) copy so that the index arithmetic follows the published algorithm.
  const stride = n + 1;
  const a = new Float64Array(stride * stride);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[(i + 1) * stride + j + 1] = matrix[i * n + j];
  }
  balance(a, n, stride);
  reduceToHessenberg(a, n, stride);
  const real = new Float64Array(n + 1);
  const imaginary = new Float64Array(n + 1);
  hessenbergQr(a, n, stride, real, imaginary);
  return { real: real.subarray(1), imaginary: imaginary.subarray(1) };
}

const RADIX = 2;

/** Scales rows and columns by powers of 2 so that their norms are comparable, which improves accuracy. */
function balance(a: Float64Array, n: number, stride: number): void {
  const radixSquared = RADIX * RADIX;
  let converged = false;
  while (!converged) {
    converged = true;
    for (let i = 1; i <= n; i++) {
      let rowNorm = 0;
      let columnNorm = 0;
      for (let j = 1; j <= n; j++) {
        if (j !== i) {
          columnNorm += Math.abs(a[j * stride + i]);
          rowNorm += Math.abs(a[i * stride + j]);
        }
      }
      if (columnNorm !== 0 && rowNorm !== 0) {
        let g = rowNorm / RADIX;
        let f = 1;
        const s = columnNorm + rowNorm;
        while (columnNorm < g) {
          f *= RADIX;
          columnNorm *= radixSquared;
        }
        g = rowNorm * RADIX;
        while (columnNorm > g) {
          f /= RADIX;
          columnNorm /= radixSquared;
        }
        if ((columnNorm + rowNorm) / f < 0.95 * s) {
          converged = false;
          const inverse = 1 / f;
          for (let j = 1; j <= n; j++) a[i * stride + j] *= inverse;
          for (let j = 1; j <= n; j++) a[j * stride + i] *= f;
        }
      }
    }
  }
}

/** Gaussian elimination with pivoting to upper Hessenberg form; a similarity transform. */
function reduceToHessenberg(a: Float64Array, n: number, stride: number): void {
  for (let m = 2; m < n; m++) {
    let pivot = 0;
    let pivotRow = m;
    for (let j = m; j <= n; j++) {
      if (Math.abs(a[j * stride + m - 1]) > Math.abs(pivot)) {
        pivot = a[j * stride + m - 1];
        pivotRow = j;
      }
    }
    if (pivotRow !== m) {
      for (let j = m - 1; j <= n; j++) {
        const swap = a[pivotRow * stride + j];
        a[pivotRow * stride + j] = a[m * stride + j];
        a[m * stride + j] = swap;
      }
      for (let j = 1; j <= n; j++) {
        const swap = a[j * stride + pivotRow];
        a[j * stride + pivotRow] = a[j * stride + m];
        a[j * stride + m] = swap;
      }
    }
    if (pivot !== 0) {
      for (let i = m + 1; i <= n; i++) {
        let y = a[i * stride + m - 1];
        if (y !== 0) {
          y /= pivot;
          a[i * stride + m - 1] = y;
          for (let j = m; j <= n; j++) a[i * stride + j] -= y * a[m * stride + j];
          for (let j = 1; j <= n; j++) a[j * stride + m] += y * a[j * stride + i];
        }
      }
    }
  }
}

function withSign(magnitude: number, sign: number): number {
  return sign >= 0 ? Math.abs(magnitude) : -Math.abs(magnitude);
}

/** Francis double-shift QR iteration on an upper Hessenberg matrix; writes eigenvalues to wr / wi (1-based). */
function hessenbergQr(a: Float64Array, n: number, stride: number, wr: Float64Array, wi: Float64Array): void {
  const at = (i: number, j: number): number => i * stride + j;
  let anorm = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[at(i, j)]);
  }
  let nn = n;
  let t = 0;
  let p = 0;
  let q = 0;
  let r = 0;
  let x = 0;
  let y = 0;
  let z = 0;
  let w = 0;
  let s = 0;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      // Look for a single small subdiagonal element to split the matrix.
      for (l = nn; l >= 2; l--) {
        s = Math.abs(a[at(l - 1, l - 1)]) + Math.abs(a[at(l, l)]);
        if (s === 0) s = anorm;
        if (Math.abs(a[at(l, l - 1)]) + s === s) {
          a[at(l, l - 1)] = 0;
          break;
        }
      }
      x = a[at(nn, nn)];
      if (l === nn) {
        // One root found.
        wr[nn] = x + t;
        wi[nn] = 0;
        nn--;
      } else {
        y = a[at(nn - 1, nn - 1)];
        w = a[at(nn, nn - 1)] * a[at(nn - 1, nn)];
        if (l === nn - 1) {
          // Two roots found.
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + withSign(z, p);
            wr[nn - 1] = wr[nn] = x + z;
            if (z !== 0) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn] = z;
            wi[nn - 1] = -z;
          }
          nn -= 2;
        } else {
          if (its === 60) {
            throw new RadiomicsError('INTERNAL_ERROR', 'The eigenvalue iteration for the GLCM maximal correlation coefficient did not converge.');
          }
          if (its === 10 || its === 20) {
            // Exceptional shift.
            t += x;
            for (let i = 1; i <= nn; i++) a[at(i, i)] -= x;
            s = Math.abs(a[at(nn, nn - 1)]) + Math.abs(a[at(nn - 1, nn - 2)]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          its++;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[at(m, m)];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[at(m + 1, m)] + a[at(m, m + 1)];
            q = a[at(m + 1, m + 1)] - z - r - s;
            r = a[at(m + 2, m + 1)];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[at(m, m - 1)]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[at(m - 1, m - 1)]) + Math.abs(z) + Math.abs(a[at(m + 1, m + 1)]));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[at(i, i - 2)] = 0;
            if (i !== m + 2) a[at(i, i - 3)] = 0;
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[at(k, k - 1)];
              q = a[at(k + 1, k - 1)];
              r = 0;
              if (k !== nn - 1) r = a[at(k + 2, k - 1)];
              x = Math.abs(p) + Math.abs(q) + Math.abs(r);
              if (x !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            s = withSign(Math.sqrt(p * p + q * q + r * r), p);
            if (s !== 0) {
              if (k === m) {
                if (l !== m) a[at(k, k - 1)] = -a[at(k, k - 1)];
              } else {
                a[at(k, k - 1)] = -s * x;
              }
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[at(k, j)] + q * a[at(k + 1, j)];
                if (k !== nn - 1) {
                  p += r * a[at(k + 2, j)];
                  a[at(k + 2, j)] -= p * z;
                }
                a[at(k + 1, j)] -= p * y;
                a[at(k, j)] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[at(i, k)] + y * a[at(i, k + 1)];
                if (k !== nn - 1) {
                  p += z * a[at(i, k + 2)];
                  a[at(i, k + 2)] -= p * r;
                }
                a[at(i, k + 1)] -= p * q;
                a[at(i, k)] -= p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
}
