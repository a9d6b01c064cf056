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

/**
 * Eigenvalues of a real symmetric n × n row-major matrix (only the lower triangle is read): Householder
 * reduction to tridiagonal form, then the implicit QL iteration (the EISPACK tred2 / tql1 pair without
 * eigenvectors), several times cheaper than `eigenvalues` for the same size.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const reduction = reduceToTridiagonal(matrix, n);
  const d = Float64Array.from(reduction.diagonal);
  const e = Float64Array.from(reduction.subdiagonal);
  tridiagonalQl(d, e, n);
  return d.subarray(1);
}

/**
 * Householder reduction T = Hᵀ A H of a symmetric matrix (lower triangle read). The 1-based arrays hold T's diagonal and
 * subdiagonal (element i couples rows i − 1 and i); `reflectors` keeps the Householder vectors so that an
 * eigenvector y of T can be mapped back to A's eigenvector H y by `backTransform`.
 */
export interface TridiagonalReduction {
  readonly n: number;
  readonly diagonal: Float64Array;
  readonly subdiagonal: Float64Array;
  readonly reflectors: Float64Array;
  readonly reflectorNorms: Float64Array;
}

export function reduceToTridiagonal(
  matrix: Float64Array,
  n: number,
  allocate: (length: number) => Float64Array = (length) => new Float64Array(length),
): TridiagonalReduction {
  const stride = n + 1;
  // `allocate` may return a reused buffer, so it is cleared: the reduction reads cells it has not written.
  const a = allocate(stride * stride).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) a[(i + 1) * stride + j + 1] = matrix[i * n + j];
  }
  const d = new Float64Array(n + 1);
  const e = new Float64Array(n + 1);
  const norms = new Float64Array(n + 1);
  tridiagonalise(a, n, stride, d, e, norms);
  return { n, diagonal: d, subdiagonal: e, reflectors: a, reflectorNorms: norms };
}

/** Returns H y for a (0-based) eigenvector y of the tridiagonal matrix. */
export function backTransform(reduction: TridiagonalReduction, y: Float64Array): Float64Array {
  const { n, reflectors, reflectorNorms } = reduction;
  const stride = n + 1;
  const x = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) x[i + 1] = y[i];
  // H = H_n ⋯ H_2 and the reduction applied H_n first, so H y applies H_2 first.
  for (let i = 2; i <= n; i++) {
    const h = reflectorNorms[i];
    if (h === 0) continue;
    const row = i * stride;
    let s = 0;
    for (let k = 1; k < i; k++) s += reflectors[row + k] * x[k];
    const factor = s / h;
    for (let k = 1; k < i; k++) x[k] -= reflectors[row + k] * factor;
  }
  return x.subarray(1);
}

/**
 * Solves (T − σI) x = b for the tridiagonal T of a reduction by Gaussian elimination with partial pivoting
 * (LAPACK dgttrf / dgtts2); a zero pivot is replaced by a tiny one, as inverse iteration requires.
 */
export function solveShiftedTridiagonal(reduction: TridiagonalReduction, shift: number, rhs: Float64Array): Float64Array {
  const n = reduction.n;
  const d = new Float64Array(n);
  const dl = new Float64Array(Math.max(n - 1, 0));
  const du = new Float64Array(Math.max(n - 1, 0));
  const du2 = new Float64Array(Math.max(n - 2, 0));
  const swapped = new Uint8Array(Math.max(n - 1, 0));
  let scale = 0;
  for (let i = 0; i < n; i++) {
    d[i] = reduction.diagonal[i + 1] - shift;
    scale = Math.max(scale, Math.abs(reduction.diagonal[i + 1]));
    if (i < n - 1) {
      dl[i] = reduction.subdiagonal[i + 2];
      du[i] = reduction.subdiagonal[i + 2];
      scale = Math.max(scale, Math.abs(du[i]));
    }
  }
  const tiny = (scale || 1) * 1e-300 + 1e-300;
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(d[i]) >= Math.abs(dl[i])) {
      if (d[i] === 0) d[i] = tiny;
      const factor = dl[i] / d[i];
      dl[i] = factor;
      d[i + 1] -= factor * du[i];
    } else {
      const factor = d[i] / dl[i];
      d[i] = dl[i];
      dl[i] = factor;
      const temp = du[i];
      du[i] = d[i + 1];
      d[i + 1] = temp - factor * d[i + 1];
      if (i < n - 2) {
        du2[i] = du[i + 1];
        du[i + 1] = -factor * du[i + 1];
      }
      swapped[i] = 1;
    }
  }
  if (d[n - 1] === 0) d[n - 1] = tiny;

  const b = Float64Array.from(rhs);
  for (let i = 0; i < n - 1; i++) {
    if (swapped[i]) {
      const temp = b[i];
      b[i] = b[i + 1];
      b[i + 1] = temp - dl[i] * b[i];
    } else {
      b[i + 1] -= dl[i] * b[i];
    }
  }
  b[n - 1] /= d[n - 1];
  if (n > 1) b[n - 2] = (b[n - 2] - du[n - 2] * b[n - 1]) / d[n - 2];
  for (let i = n - 3; i >= 0; i--) b[i] = (b[i] - du[i] * b[i + 1] - du2[i] * b[i + 2]) / d[i];
  return b;
}

/** Eigenvalues of the tridiagonal matrix of a reduction. */
export function tridiagonalEigenvalues(reduction: TridiagonalReduction): Float64Array {
  const d = Float64Array.from(reduction.diagonal);
  const e = Float64Array.from(reduction.subdiagonal);
  tridiagonalQl(d, e, reduction.n);
  return d.subarray(1);
}

/** Householder reduction of the lower triangle of `a` (1-based) to the tridiagonal (d, e). */
function tridiagonalise(a: Float64Array, n: number, stride: number, d: Float64Array, e: Float64Array, norms: Float64Array): void {
  for (let i = n; i >= 2; i--) {
    const l = i - 1;
    const row = i * stride;
    let h = 0;
    if (l > 1) {
      let scale = 0;
      for (let k = 1; k <= l; k++) scale += Math.abs(a[row + k]);
      if (scale === 0) {
        e[i] = a[row + l];
      } else {
        for (let k = 1; k <= l; k++) {
          a[row + k] /= scale;
          h += a[row + k] * a[row + k];
        }
        let f = a[row + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        norms[i] = h;
        a[row + l] = f - g;

        // p = A u / h with u the reflector in row i. Only the lower triangle is stored, and it is read by rows:
        // row j adds a_jk u_k to p_j and a_jk u_j to p_k. Every access is then contiguous, which made this step
        // 20 % faster at 158 levels than reading the upper part down the columns.
        // The inner loops are written out four elements at a time (V8 does not unroll them), with the additions
        // in the same order, so the result is unchanged to the last bit.
        for (let j = 1; j <= l; j++) e[j] = 0;
        for (let j = 1; j <= l; j++) {
          const rowJ = j * stride;
          const uj = a[row + j];
          let sum = a[rowJ + j] * uj;
          let k = 1;
          for (; k + 3 < j; k += 4) {
            const a0 = a[rowJ + k];
            const a1 = a[rowJ + k + 1];
            const a2 = a[rowJ + k + 2];
            const a3 = a[rowJ + k + 3];
            sum += a0 * a[row + k];
            sum += a1 * a[row + k + 1];
            sum += a2 * a[row + k + 2];
            sum += a3 * a[row + k + 3];
            e[k] += a0 * uj;
            e[k + 1] += a1 * uj;
            e[k + 2] += a2 * uj;
            e[k + 3] += a3 * uj;
          }
          for (; k < j; k++) {
            const ajk = a[rowJ + k];
            sum += ajk * a[row + k];
            e[k] += ajk * uj;
          }
          e[j] += sum;
        }
        f = 0;
        for (let j = 1; j <= l; j++) {
          e[j] /= h;
          f += e[j] * a[row + j];
        }

        // q = p − (uᵀp / 2h) u, then the rank-2 update A ← A − u qᵀ − q uᵀ on the lower triangle.
        const hh = f / (h + h);
        for (let j = 1; j <= l; j++) e[j] -= hh * a[row + j];
        for (let j = 1; j <= l; j++) {
          const rowJ = j * stride;
          f = a[row + j];
          g = e[j];
          let k = 1;
          for (; k + 3 <= j; k += 4) {
            a[rowJ + k] -= f * e[k] + g * a[row + k];
            a[rowJ + k + 1] -= f * e[k + 1] + g * a[row + k + 1];
            a[rowJ + k + 2] -= f * e[k + 2] + g * a[row + k + 2];
            a[rowJ + k + 3] -= f * e[k + 3] + g * a[row + k + 3];
          }
          for (; k <= j; k++) a[rowJ + k] -= f * e[k] + g * a[row + k];
        }
      }
    } else {
      e[i] = a[row + l];
    }
    d[i] = h;
  }
  for (let i = 1; i <= n; i++) d[i] = a[i * stride + i];
}

/**
 * √(a² + b²) without a call to Math.hypot, which V8 does not inline and which took half of the QL iteration's time
 * on 158 grey levels. The plain formula is exact enough here, since the entries of a normalised GLCM are at most
 * 1. Math.hypot still serves when a² + b² would underflow, so that the zero test after it stays true to a and b.
 */
function hypotenuse(a: number, b: number): number {
  const squares = a * a + b * b;
  if (squares > 1e-290 || (a === 0 && b === 0)) return Math.sqrt(squares);
  return Math.hypot(a, b);
}

/** Implicit QL iteration with Wilkinson shifts on a symmetric tridiagonal matrix; d receives the eigenvalues. */
function tridiagonalQl(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 2; i <= n; i++) e[i - 1] = e[i];
  e[n] = 0;
  for (let l = 1; l <= n; l++) {
    let iterations = 0;
    let m: number;
    do {
      for (m = l; m <= n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) + dd === dd) break;
      }
      if (m !== l) {
        if (iterations++ === 60) {
          throw new RadiomicsError('INTERNAL_ERROR', 'The symmetric eigenvalue iteration for the GLCM maximal correlation coefficient did not converge.');
        }
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + withSign(r, g));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = hypotenuse(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}
