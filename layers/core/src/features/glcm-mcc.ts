/**
 * The GLCM maximal correlation coefficient, MCC = √λ₂ with λ₂ the second largest eigenvalue of
 * Q(i,j) = Σ_k p(i,k) p(j,k) / (p_x(i) p_y(k) + ε), computed as PyRadiomics does (ε = 2.2e−16 included).
 *
 * For a symmetric GLCM the ε-free matrix Q₀ = D⁻¹PD⁻¹P (D = diag p_x) is similar to S², S = D^(−1/2) P D^(−1/2),
 * so its eigenvalues come from a symmetric eigenproblem, which took 2.5 times less CPU than the general one on
 * the PAT1 LLL sub-band (158 grey levels). ε changes
 * λ₂ by up to about 1e−7 relative on large ROIs, so the first-order perturbation δ = uᵀ(Q − Q₀)v with the left
 * and right eigenvectors u = D^(1/2) w, v = D^(−1/2) w (w the unit eigenvector of S) is added. The neglected
 * second-order term is quadratic in ε / (p_x p_y); the tests find agreement with the general routine within 1e−12
 * relative. When λ₂ ≈ λ₁ because some levels never neighbour the others, the disconnected groups of levels are
 * solved one by one (see blockwiseMcc). When λ₂ is otherwise not well separated from its neighbours, or the GLCM
 * is not symmetric, the general non-symmetric eigenvalue routine on Q itself is used.
 */
import { EPSILON } from './numeric';
import { scratchFloat64 } from '../scratch';
import { backTransform, eigenvalues, reduceToTridiagonal, solveShiftedTridiagonal, tridiagonalEigenvalues } from './eigenvalues';

/** Relative gap below which λ₂ counts as degenerate and the general routine is used. */
const SEPARATION = 1e-6;

export function maximalCorrelationCoefficient(p: Float64Array, px: Float64Array, py: Float64Array, n: number, symmetric: boolean): number {
  if (n < 2) return 1;
  if (symmetric) {
    const value = symmetricMcc(p, px, n) ?? blockwiseMcc(p, px, n);
    if (value !== null) return value;
  }
  return generalMcc(p, px, py, n);
}

/** MCC from the eigenvalues of Q itself, sorted as NumPy sorts complex numbers. */
export function generalMcc(p: Float64Array, px: Float64Array, py: Float64Array, n: number): number {
  const q = new Float64Array(n * n);
  const weighted = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let k = 0; k < n; k++) weighted[k] = p[a * n + k] / (px[a] * py[k] + EPSILON);
    for (let b = 0; b < n; b++) {
      let sum = 0;
      for (let k = 0; k < n; k++) {
        const w = weighted[k];
        if (w !== 0) sum += w * p[b * n + k];
      }
      q[a * n + b] = sum;
    }
  }
  const { real, imaginary } = eigenvalues(q, n);
  // NumPy sorts complex eigenvalues by real part, then imaginary part.
  const order = Array.from({ length: n }, (_, index) => index).sort((x, y) => real[x] - real[y] || imaginary[x] - imaginary[y]);
  const second = order[n - 2];
  const re = real[second];
  const im = imaginary[second];
  // Real part of the principal complex square root.
  return Math.sqrt((Math.hypot(re, im) + re) / 2);
}

/** MCC through the symmetric problem with the ε correction; null when λ₂ is not well separated. */
function symmetricMcc(p: Float64Array, px: Float64Array, n: number): number | null {
  // Levels without pairs in this direction give zero rows and columns of Q, hence eigenvalues 0.
  const present: number[] = [];
  for (let a = 0; a < n; a++) if (px[a] > 0) present.push(a);
  if (present.length < 2) return null;

  const eigenvalues = symmetricBlockEigenvalues(p, px, n, present, [1]);
  if (eigenvalues === null) return null;
  return eigenvalues[0] > 0 ? Math.sqrt(eigenvalues[0]) : 0;
}

/**
 * MCC when the levels split into groups that never co-occur with each other (in one direction, some grey levels
 * only neighbour themselves or each other). Q is then block diagonal up to a reordering of the levels, its
 * eigenvalues are those of the blocks, and every block has its own top eigenvalue near 1, so λ₁ ≈ λ₂ and the
 * symmetric path declines. Each block is solved on its own. A lone level a has the eigenvalue
 * p(a,a)² / (p_x(a)² + ε). A pair of levels has a 2 × 2 block, solved directly. A larger block goes through
 * the symmetric path for its two largest eigenvalues. λ₂ is then the second largest of them all. Null when a
 * larger block is itself degenerate.
 */
export function blockwiseMcc(p: Float64Array, px: Float64Array, n: number): number | null {
  const blocks = levelBlocks(p, px, n);
  if (blocks.length < 2) return null;

  const candidates: number[] = [];
  for (const block of blocks) {
    if (block.length === 1) {
      const a = block[0];
      candidates.push((p[a * n + a] * p[a * n + a]) / (px[a] * px[a] + EPSILON));
      continue;
    }
    const eigenvalues = block.length === 2 ? pairBlockEigenvalues(p, px, n, block) : symmetricBlockEigenvalues(p, px, n, block, [0, 1]);
    if (eigenvalues === null) return null;
    candidates.push(...eigenvalues);
  }
  candidates.sort((x, y) => y - x);
  const second = candidates[1];
  return second > 0 ? Math.sqrt(second) : 0;
}

/**
 * Both eigenvalues of the 2 × 2 block of Q for two levels, from its trace and determinant. This covers two
 * levels that only neighbour each other, where S has eigenvalues +1 and −1 and the symmetric path cannot
 * separate them. Null if they would be complex.
 */
function pairBlockEigenvalues(p: Float64Array, px: Float64Array, n: number, block: readonly number[]): number[] | null {
  const q = (i: number, j: number): number => {
    let sum = 0;
    for (const k of block) sum += (p[i * n + k] * p[j * n + k]) / (px[i] * px[k] + EPSILON);
    return sum;
  };
  const [a, b] = block;
  const mean = (q(a, a) + q(b, b)) / 2;
  const halfDifference = (q(a, a) - q(b, b)) / 2;
  const discriminant = halfDifference * halfDifference + q(a, b) * q(b, a);
  if (discriminant < 0) return null;
  const root = Math.sqrt(discriminant);
  return [mean + root, mean - root];
}

/** Groups the levels present in this direction into the connected components of the graph p(a,b) > 0. */
function levelBlocks(p: Float64Array, px: Float64Array, n: number): number[][] {
  const parent = Int32Array.from({ length: n }, (_, a) => a);
  const root = (a: number): number => {
    let r = a;
    while (parent[r] !== r) r = parent[r];
    while (parent[a] !== r) {
      const next = parent[a];
      parent[a] = r;
      a = next;
    }
    return r;
  };
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) if (p[a * n + b] > 0) parent[root(a)] = root(b);
  }
  const byRoot = new Map<number, number[]>();
  for (let a = 0; a < n; a++) {
    if (px[a] === 0) continue;
    const r = root(a);
    const block = byRoot.get(r);
    if (block) block.push(a);
    else byRoot.set(r, [a]);
  }
  return [...byRoot.values()];
}

/**
 * Eigenvalues of Q restricted to the levels `block`, with the ε correction, from the symmetric problem
 * S = D^(−1/2) P D^(−1/2) on those levels: the largest for rank 0, the second largest for rank 1. Null when one
 * of them is not well separated from its neighbours, where the first-order correction would not hold.
 */
function symmetricBlockEigenvalues(p: Float64Array, px: Float64Array, n: number, block: readonly number[], ranks: readonly (0 | 1)[]): number[] | null {
  const m = block.length;
  const rootPx = block.map((a) => Math.sqrt(px[a]));
  // Both matrices are work buffers: the reduction is used up before this function returns. Only the lower
  // triangle of s is written, and only that is read.
  const s = scratchFloat64('mcc-symmetric', m * m);
  for (let x = 0; x < m; x++) {
    for (let y = 0; y <= x; y++) s[x * m + y] = p[block[x] * n + block[y]] / (rootPx[x] * rootPx[y]);
  }
  const reduction = reduceToTridiagonal(s, m, (length) => scratchFloat64('mcc-reflectors', length));
  const mu = tridiagonalEigenvalues(reduction);
  const order = Array.from({ length: m }, (_, index) => index).sort((x, y) => mu[x] * mu[x] - mu[y] * mu[y]);
  // μ² in descending order; a missing rank is −∞, which is separated from everything.
  const squares = [1, 2, 3].map((position) => (m >= position ? mu[order[m - position]] ** 2 : -Infinity));
  const scale = Math.max(squares[0], 1e-300);
  const separated = (rank: number): boolean =>
    squares[rank] - squares[rank + 1] >= SEPARATION * scale && (rank === 0 || squares[rank - 1] - squares[rank] >= SEPARATION * scale);
  if (!ranks.every(separated)) return null;

  return ranks.map((rank) => squares[rank] - EPSILON * epsilonCorrection(p, px, n, block, rootPx, reduction, mu[order[m - 1 - rank]]));
}

/**
 * First-order effect of ε on the eigenvalue μ² of Q₀ = D⁻¹PD⁻¹P, with w the unit eigenvector of S for μ (three
 * steps of inverse iteration on the tridiagonal form): the eigenvalue of Q is μ² − ε · correction, where
 * correction = Σ_i Σ_k w_i p(i,k) b_k / (√p_x(i) p_x(k) (p_x(i) p_x(k) + ε)) and b_k = Σ_j p(j,k) w_j / √p_x(j).
 */
function epsilonCorrection(
  p: Float64Array,
  px: Float64Array,
  n: number,
  block: readonly number[],
  rootPx: readonly number[],
  reduction: ReturnType<typeof reduceToTridiagonal>,
  mu: number,
): number {
  const m = block.length;
  const shift = mu + (Math.abs(mu) + 1) * 1e-13;
  let y: Float64Array = new Float64Array(m).fill(1);
  for (let step = 0; step < 3; step++) {
    y = solveShiftedTridiagonal(reduction, shift, y);
    let norm = 0;
    for (let i = 0; i < m; i++) norm += y[i] * y[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) y[i] /= norm;
  }
  const w = backTransform(reduction, y);

  const b = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let sum = 0;
    for (let j = 0; j < m; j++) sum += (p[block[j] * n + block[k]] * w[j]) / rootPx[j];
    b[k] = sum;
  }
  let correction = 0;
  for (let i = 0; i < m; i++) {
    const pxi = px[block[i]];
    for (let k = 0; k < m; k++) {
      const pik = p[block[i] * n + block[k]];
      if (pik === 0) continue;
      const product = pxi * px[block[k]];
      correction += (w[i] * pik * b[k]) / (rootPx[i] * px[block[k]] * (product + EPSILON));
    }
  }
  return correction;
}
