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
  /** Inverse of the Hessian of the objective at the optimum, intercept first; the Wald covariance when unpenalised. */
  covariance: number[][];
}

export interface LogisticOptions {
  /** Inverse penalty strength C; Infinity fits the unpenalised maximum-likelihood model. */
  inverseRegularization?: number;
  maxIterations?: number;
  /** Convergence when the largest Newton step component is below this. */
  tolerance?: number;
}

/** Solves A x = b for a symmetric positive-definite A by Cholesky factorisation; returns null if A is not. */
export function solveSymmetricPositiveDefinite(matrix: number[][], rhs: number[]): number[] | null {
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

  let beta = new Array<number>(dimension).fill(0);
  let hessian: number[][] = [];
  let converged = false;
  let iterations = 0;
  let current = objective(beta);
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Array<number>(dimension).fill(0);
    hessian = Array.from({ length: dimension }, () => new Array<number>(dimension).fill(0));
    const extended = new Array<number>(dimension);
    for (let i = 0; i < n; i++) {
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
    // A tiny ridge keeps the solve possible when features are collinear or the data separable.
    let step = solveSymmetricPositiveDefinite(hessian, gradient);
    if (step === null) {
      const ridged = hessian.map((row, a) => row.map((value, b) => (a === b ? value + 1e-8 * (1 + Math.abs(value)) : value)));
      step = solveSymmetricPositiveDefinite(ridged, gradient);
      if (step === null) break;
    }

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
    covariance: invertSymmetric(hessian),
  };
}

/** Inverts a symmetric positive-definite matrix column by column; entries are NaN when it is singular. */
function invertSymmetric(matrix: number[][]): number[][] {
  const n = matrix.length;
  const columns: number[][] = [];
  for (let k = 0; k < n; k++) {
    const unit = new Array<number>(n).fill(0);
    unit[k] = 1;
    columns.push(solveSymmetricPositiveDefinite(matrix, unit) ?? new Array<number>(n).fill(Number.NaN));
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
    const varianceOfCoefficient = fit.covariance[j + 1]?.[j + 1];
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
      if (!Number.isFinite(value)) throw new RadiomicsError('DATA_INVALID', `Row ${i + 1} holds a value that is not a finite number.`);
    }
  }
}
