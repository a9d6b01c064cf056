/**
 * Feature preprocessing fitted on the training part only: z-score standardisation, the variance filter,
 * univariate and multivariable logistic filters, and recursive feature elimination.
 */
import { RadiomicsError } from '../errors';
import { fitLogistic, waldPValues } from './logistic';

/** Column means and population SDs (denominator n); a constant column gets scale 1, as scikit-learn does. */
export interface StandardScaler {
  mean: number[];
  scale: number[];
}

export function fitStandardScaler(rows: number[][]): StandardScaler {
  if (rows.length === 0) throw new RadiomicsError('DATA_INVALID', 'Standardisation needs at least one training row.');
  const width = rows[0].length;
  const mean = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(0);
  for (let j = 0; j < width; j++) {
    let sum = 0;
    for (const row of rows) sum += row[j];
    mean[j] = sum / rows.length;
    let squares = 0;
    for (const row of rows) squares += (row[j] - mean[j]) ** 2;
    const sd = Math.sqrt(squares / rows.length);
    scale[j] = sd > 0 ? sd : 1;
  }
  return { mean, scale };
}

export function applyStandardScaler(scaler: StandardScaler, rows: number[][]): number[][] {
  return rows.map((row) => row.map((value, j) => (value - scaler.mean[j]) / scaler.scale[j]));
}

/** Population variance of each column. */
export function columnVariances(rows: number[][]): number[] {
  const width = rows[0]?.length ?? 0;
  const variances: number[] = [];
  for (let j = 0; j < width; j++) {
    let sum = 0;
    for (const row of rows) sum += row[j];
    const centre = sum / rows.length;
    let squares = 0;
    for (const row of rows) squares += (row[j] - centre) ** 2;
    variances.push(squares / rows.length);
  }
  return variances;
}

/** Indices of the columns whose population variance exceeds `threshold` (scikit-learn's VarianceThreshold rule). */
export function varianceFilter(rows: number[][], threshold = 0): { kept: number[]; variances: number[] } {
  const variances = columnVariances(rows);
  return { kept: variances.map((value, j) => (value > threshold ? j : -1)).filter((j) => j >= 0), variances };
}

export function selectColumns(rows: number[][], columns: number[]): number[][] {
  return rows.map((row) => columns.map((j) => row[j]));
}

export interface LogisticFilterResult {
  kept: number[];
  /** Wald p-value of each tested column, in the order of the input columns. */
  pValues: number[];
}

/**
 * Keeps the columns whose unpenalised single-feature logistic regression has a Wald p-value below `alpha`.
 * A column whose fit does not converge (complete separation) is kept, because it separates the classes.
 */
export function univariateLogisticFilter(rows: number[][], labels: number[], alpha = 0.05): LogisticFilterResult {
  const width = rows[0]?.length ?? 0;
  const pValues: number[] = [];
  for (let j = 0; j < width; j++) {
    const fit = fitLogistic(
      rows.map((row) => [row[j]]),
      labels,
      { inverseRegularization: Infinity, maxIterations: 50, computeCovariance: true },
    );
    pValues.push(fit.converged ? waldPValues(fit)[0] : 0);
  }
  return { kept: pValues.map((p, j) => (p < alpha ? j : -1)).filter((j) => j >= 0), pValues };
}

/**
 * Keeps the columns with a Wald p-value below `alpha` in one multivariable logistic regression. A weak L2
 * penalty (C = 1e4) keeps the fit finite when the features separate the classes or outnumber the rows.
 */
export function multivariableLogisticFilter(rows: number[][], labels: number[], alpha = 0.05): LogisticFilterResult {
  const fit = fitLogistic(rows, labels, { inverseRegularization: 1e4, maxIterations: 100, computeCovariance: true });
  const pValues = waldPValues(fit).map((p) => (Number.isNaN(p) ? 1 : p));
  return { kept: pValues.map((p, j) => (p < alpha ? j : -1)).filter((j) => j >= 0), pValues };
}

export interface RfeResult {
  /** Column indices kept, in increasing order. */
  selected: number[];
  /** Columns from the first eliminated to the last survivor (the path down to one column). */
  eliminationOrder: number[];
  /** Rank 1 for the selected columns, then 2 for the last column eliminated, and so on (scikit-learn's ranking_). */
  ranking: number[];
}

/**
 * Recursive feature elimination driven by L2 logistic regression (C = `inverseRegularization`): fit, drop the
 * column with the smallest |coefficient| (the lower index on a tie, as a stable sort does), and repeat. The path
 * runs down to one column, so one run serves every target size. While more than `stepUntil` columns remain,
 * each fit drops `step` columns (an integer ≥ 1) or that fraction of the remaining columns (0 < step < 1, as
 * scikit-learn's RFE reads a float step), which bounds the cost for hundreds of features.
 */
export function recursiveFeatureElimination(
  rows: number[][],
  labels: number[],
  targetCount: number,
  options: { inverseRegularization?: number; step?: number; stepUntil?: number } = {},
): RfeResult {
  const width = rows[0]?.length ?? 0;
  if (!(targetCount >= 1)) throw new RadiomicsError('DATA_INVALID', `RFE needs a target of at least one feature, got ${targetCount}.`);
  const step = options.step ?? 1;
  if (!(step >= 1 ? Number.isInteger(step) : step > 0)) {
    throw new RadiomicsError('DATA_INVALID', `The RFE step must be a positive integer or a fraction between 0 and 1, got ${step}.`);
  }
  const stepUntil = options.stepUntil ?? 50;
  let remaining = Array.from({ length: width }, (_, j) => j);
  const eliminationOrder: number[] = [];
  while (remaining.length > 1) {
    const fit = fitLogistic(selectColumns(rows, remaining), labels, { inverseRegularization: options.inverseRegularization ?? 1 });
    const order = remaining.map((_, position) => position).sort((a, b) => Math.abs(fit.coefficients[a]) - Math.abs(fit.coefficients[b]) || a - b);
    const stepCount = step >= 1 ? step : Math.max(1, Math.floor(step * remaining.length));
    const dropCount = remaining.length > stepUntil ? Math.min(stepCount, remaining.length - stepUntil) : 1;
    const dropped = new Set(order.slice(0, dropCount));
    for (const position of order.slice(0, dropCount)) eliminationOrder.push(remaining[position]);
    remaining = remaining.filter((_, position) => !dropped.has(position));
  }
  eliminationOrder.push(...remaining);

  const keep = Math.min(targetCount, width);
  const selected = eliminationOrder.slice(eliminationOrder.length - keep).sort((a, b) => a - b);
  const ranking = new Array<number>(width).fill(1);
  for (let position = 0; position < eliminationOrder.length - keep; position++) {
    ranking[eliminationOrder[position]] = eliminationOrder.length - keep - position + 1;
  }
  return { selected, eliminationOrder, ranking };
}

/** The last `count` columns of an elimination order, the selection RFE makes for that size. */
export function selectionFromEliminationOrder(eliminationOrder: number[], count: number): number[] {
  return eliminationOrder.slice(eliminationOrder.length - count).sort((a, b) => a - b);
}
