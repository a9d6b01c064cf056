/**
 * Binary logistic regression fitted by Newton's method (iteratively reweighted least squares) with an optional
 * L2 penalty on the coefficients, the intercept unpenalised. With inverse penalty strength C it minimises
 * C · Σ log-loss + ½ ‖w‖², the objective of scikit-learn's LogisticRegression(C), but solved to full
 * convergence rather than to lbfgs' tolerance of 1e-4.
 */
import { RadiomicsError } from '../errors';
import { chiSquareSurvival } from './statistics';

export interface LogisticFit {
  coefficients: number[];
  intercept: number;
  iterations: number;
  converged: boolean;
  /**
   * Inverse of the Hessian of the objective at the optimum, intercept first (the Wald covariance when
   * unpenalised). Computed only with `computeCovariance`, because it costs p solves.
   */
  covariance: number[][] | null;
}

export interface LogisticOptions {
  /** Inverse penalty strength C; Infinity fits the unpenalised maximum-likelihood model. */
  inverseRegularization?: number;
  maxIterations?: number;
  /** Convergence when the largest Newton step component is below this. */
  tolerance?: number;
  computeCovariance?: boolean;
}

/** Factorises a symmetric positive-definite A = L Lᵀ (Cholesky); returns null when A is not positive definite. */
export function choleskyFactor(matrix: number[][]): number[][] | null {
  const n = matrix.length;
  const lower: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j];
      for (let k = 0; k < j; k++) sum -= lower[i][k] * lower[j][k];
      if (i === j) {
        if (!(sum > 0)) return null;
        lower[i][i] = Math.sqrt(sum);
      } else {
        lower[i][j] = sum / lower[j][j];
      }
    }
  }
  return lower;
}

/** Solves L Lᵀ x = b given the Cholesky factor L. */
export function choleskySolve(lower: number[][], rhs: number[]): number[] {
  const n = lower.length;
  const forward = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let sum = rhs[i];
    for (let k = 0; k < i; k++) sum -= lower[i][k] * forward[k];
    forward[i] = sum / lower[i][i];
  }
  const solution = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = forward[i];
    for (let k = i + 1; k < n; k++) sum -= lower[k][i] * solution[k];
    solution[i] = sum / lower[i][i];
  }
  return solution;
}

/** Solves A x = b for a symmetric positive-definite A; returns null when A is not positive definite. */
export function solveSymmetricPositiveDefinite(matrix: number[][], rhs: number[]): number[] | null {
  const lower = choleskyFactor(matrix);
  return lower ? choleskySolve(lower, rhs) : null;
}

function sigmoid(value: number): number {
  return value >= 0 ? 1 / (1 + Math.exp(-value)) : Math.exp(value) / (1 + Math.exp(value));
}

/** log(1 + e^v) without overflow. */
function softplus(value: number): number {
  return value > 0 ? value + Math.log1p(Math.exp(-value)) : Math.log1p(Math.exp(value));
}

/** Fits the model to rows X (n × p) and labels y in {0, 1}. */
export function fitLogistic(rows: number[][], labels: number[], options: LogisticOptions = {}): LogisticFit {
  const c = options.inverseRegularization ?? 1;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-10;
  const n = rows.length;
  const p = n > 0 ? rows[0].length : 0;
  const dimension = p + 1;
  const penalty = Number.isFinite(c) ? 1 / c : 0;

  // The objective is divided by C throughout: Σ log-loss + (1 / 2C) ‖w‖².
  const objective = (beta: number[]): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      let eta = beta[0];
      for (let j = 0; j < p; j++) eta += beta[j + 1] * rows[i][j];
      total += softplus(eta) - labels[i] * eta;
    }
    let squares = 0;
    for (let j = 1; j < dimension; j++) squares += beta[j] * beta[j];
    return total + 0.5 * penalty * squares;
  };

  // With more features than rows and a penalty, the Newton step is solved in the n-dimensional row space.
  const wide = penalty > 0 && p > n && !options.computeCovariance;
  const gram = wide ? gramMatrix(rows) : null;

  let beta = new Array<number>(dimension).fill(0);
  let hessian: number[][] = [];
  let converged = false;
  let iterations = 0;
  let current = objective(beta);
  for (; iterations < maxIterations; iterations++) {
    let step: number[] | null;
    if (gram) {
      step = wideNewtonStep(rows, labels, beta, penalty, gram);
    } else {
      const dense = denseNewtonSystem(rows, labels, beta, penalty);
      hessian = dense.hessian;
      step = solveSymmetricPositiveDefinite(hessian, dense.gradient);
      if (step === null) {
        // A tiny ridge keeps the solve possible when features are collinear or the data separable.
        const ridged = hessian.map((row, a) => row.map((value, b) => (a === b ? value + 1e-8 * (1 + Math.abs(value)) : value)));
        step = solveSymmetricPositiveDefinite(ridged, dense.gradient);
      }
    }
    if (step === null) break;

    // Step halving keeps every accepted step a decrease of the objective.
    let scale = 1;
    let candidate = beta.map((value, j) => value - step![j]);
    let candidateObjective = objective(candidate);
    while (candidateObjective > current && scale > 1e-6) {
      scale /= 2;
      candidate = beta.map((value, j) => value - scale * step![j]);
      candidateObjective = objective(candidate);
    }
    const largestStep = Math.max(...step.map((value) => Math.abs(scale * value)));
    beta = candidate;
    current = candidateObjective;
    if (largestStep < tolerance) {
      converged = true;
      iterations++;
      break;
    }
  }

  return {
    intercept: beta[0],
    coefficients: beta.slice(1),
    iterations,
    converged,
    covariance: options.computeCovariance ? invertSymmetric(hessian) : null,
  };
}

/** Gradient and Hessian of Σ log-loss + (penalty / 2) ‖w‖² at beta (intercept first, unpenalised). */
function denseNewtonSystem(rows: number[][], labels: number[], beta: number[], penalty: number): { gradient: number[]; hessian: number[][] } {
  const dimension = beta.length;
  const p = dimension - 1;
  const gradient = new Array<number>(dimension).fill(0);
  const hessian = Array.from({ length: dimension }, () => new Array<number>(dimension).fill(0));
  const extended = new Array<number>(dimension);
  for (let i = 0; i < rows.length; i++) {
    extended[0] = 1;
    let eta = beta[0];
    for (let j = 0; j < p; j++) {
      extended[j + 1] = rows[i][j];
      eta += beta[j + 1] * rows[i][j];
    }
    const probability = sigmoid(eta);
    const weight = probability * (1 - probability);
    const residual = probability - labels[i];
    for (let a = 0; a < dimension; a++) {
      gradient[a] += residual * extended[a];
      const scaled = weight * extended[a];
      for (let b = 0; b <= a; b++) hessian[a][b] += scaled * extended[b];
    }
  }
  for (let a = 0; a < dimension; a++) for (let b = 0; b < a; b++) hessian[b][a] = hessian[a][b];
  for (let j = 1; j < dimension; j++) {
    gradient[j] += penalty * beta[j];
    hessian[j][j] += penalty;
  }
  return { gradient, hessian };
}

/** The n × n Gram matrix X Xᵀ of the rows. */
function gramMatrix(rows: number[][]): number[][] {
  const n = rows.length;
  const gram = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k <= i; k++) {
      let sum = 0;
      for (let j = 0; j < rows[i].length; j++) sum += rows[i][j] * rows[k][j];
      gram[i][k] = sum;
      gram[k][i] = sum;
    }
  }
  return gram;
}

/**
 * Solves the Newton system H δ = g for p > n without forming the (p + 1)² Hessian. With weights w, A = XᵀWX + λI
 * is inverted by the Woodbury identity A⁻¹v = (v − XᵀS M⁻¹ S X v) / λ, S = diag(√w), M = λI + S X Xᵀ S, and the
 * unpenalised intercept is eliminated through the Schur complement of H = [[Σw, (Xᵀw)ᵀ], [Xᵀw, A]].
 */
function wideNewtonStep(rows: number[][], labels: number[], beta: number[], penalty: number, gram: number[][]): number[] | null {
  const n = rows.length;
  const p = beta.length - 1;
  const sqrtWeights = new Array<number>(n);
  const weights = new Array<number>(n);
  const residuals = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let eta = beta[0];
    for (let j = 0; j < p; j++) eta += beta[j + 1] * rows[i][j];
    const probability = sigmoid(eta);
    weights[i] = probability * (1 - probability);
    sqrtWeights[i] = Math.sqrt(weights[i]);
    residuals[i] = probability - labels[i];
  }
  const transposeTimes = (u: number[]): number[] => {
    const result = new Array<number>(p).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) result[j] += rows[i][j] * u[i];
    return result;
  };
  const gradientIntercept = residuals.reduce((a, b) => a + b, 0);
  const gradientWeights = transposeTimes(residuals).map((value, j) => value + penalty * beta[j + 1]);
  const weightsProjected = transposeTimes(weights);
  const weightSum = weights.reduce((a, b) => a + b, 0);

  const inner = gram.map((row, i) => row.map((value, k) => sqrtWeights[i] * value * sqrtWeights[k] + (i === k ? penalty : 0)));
  const lower = choleskyFactor(inner);
  if (!lower) return null;
  const applyInverse = (v: number[]): number[] => {
    const projected = rows.map((row, i) => sqrtWeights[i] * row.reduce((sum, value, j) => sum + value * v[j], 0));
    const solved = choleskySolve(lower, projected).map((value, i) => value * sqrtWeights[i]);
    const back = transposeTimes(solved);
    return v.map((value, j) => (value - back[j]) / penalty);
  };
  const u1 = applyInverse(gradientWeights);
  const u2 = applyInverse(weightsProjected);
  const dot = (a: number[], b: number[]): number => a.reduce((sum, value, j) => sum + value * b[j], 0);
  const interceptStep = (gradientIntercept - dot(weightsProjected, u1)) / (weightSum - dot(weightsProjected, u2));
  return [interceptStep, ...u1.map((value, j) => value - u2[j] * interceptStep)];
}

/** Inverts a symmetric positive-definite matrix column by column; entries are NaN when it is singular. */
function invertSymmetric(matrix: number[][]): number[][] {
  const n = matrix.length;
  const lower = choleskyFactor(matrix);
  const columns: number[][] = [];
  for (let k = 0; k < n; k++) {
    const unit = new Array<number>(n).fill(0);
    unit[k] = 1;
    columns.push(lower ? choleskySolve(lower, unit) : new Array<number>(n).fill(Number.NaN));
  }
  return columns;
}

/** Probability of the positive class under a fitted model. */
export function predictLogistic(fit: Pick<LogisticFit, 'coefficients' | 'intercept'>, row: ArrayLike<number>): number {
  let eta = fit.intercept;
  for (let j = 0; j < fit.coefficients.length; j++) eta += fit.coefficients[j] * row[j];
  return sigmoid(eta);
}

/** Two-sided Wald p-values of the coefficients (intercept excluded) of an unpenalised fit. */
export function waldPValues(fit: LogisticFit): number[] {
  return fit.coefficients.map((coefficient, j) => {
    const varianceOfCoefficient = fit.covariance?.[j + 1]?.[j + 1] ?? Number.NaN;
    if (!(varianceOfCoefficient > 0)) return Number.NaN;
    return chiSquareSurvival((coefficient * coefficient) / varianceOfCoefficient, 1);
  });
}

/** Checks that a design has rows of equal width with finite values; throws DATA_INVALID otherwise. */
export function checkDesign(rows: number[][], labels: number[]): void {
  if (rows.length !== labels.length) {
    throw new RadiomicsError('DATA_INVALID', `The design has ${rows.length} rows but ${labels.length} labels.`);
  }
  const width = rows[0]?.length ?? 0;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].length !== width) throw new RadiomicsError('DATA_INVALID', `Row ${i + 1} has ${rows[i].length} values, expected ${width}.`);
    for (const value of rows[i]) {
      if (!Number.isFinite(value)) throw new RadiomicsError('DATA_INVALID', `Row ${i + 1} contains a value that is not a finite number.`);
    }
  }
}
