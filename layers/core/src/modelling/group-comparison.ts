/**
 * The group comparison table between training and test parts: continuous variables by Student's
 * pooled-variance t-test, categorical variables by Pearson's chi-square test without continuity correction.
 */
import { RadiomicsError } from '../errors';
import { chiSquareSurvival, studentTTwoSidedP } from './statistics';

export interface SampleSummary {
  mean: number;
  sd: number;
  n: number;
}

export interface TTestResult {
  /** t of the first group minus the second. */
  t: number;
  degreesOfFreedom: number;
  pooledSd: number;
  p: number;
}

/** Summarises a sample: mean, SD with denominator n − 1, and size. */
export function summarise(values: number[]): SampleSummary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * Student's two-sample t-test with pooled variance: s² = ((n1 − 1)s1² + (n2 − 1)s2²) / (n1 + n2 − 2),
 * t = (m1 − m2) / (s √(1/n1 + 1/n2)) on n1 + n2 − 2 degrees of freedom, two-sided p.
 */
export function studentTTest(first: SampleSummary, second: SampleSummary): TTestResult {
  const degreesOfFreedom = first.n + second.n - 2;
  if (first.n < 1 || second.n < 1 || degreesOfFreedom < 1) {
    throw new RadiomicsError('DATA_INVALID', `The t-test needs at least three values in total, got ${first.n} and ${second.n}.`);
  }
  const pooledVariance = ((first.n - 1) * first.sd ** 2 + (second.n - 1) * second.sd ** 2) / degreesOfFreedom;
  const pooledSd = Math.sqrt(pooledVariance);
  const t = (first.mean - second.mean) / (pooledSd * Math.sqrt(1 / first.n + 1 / second.n));
  return { t, degreesOfFreedom, pooledSd, p: Number.isFinite(t) ? studentTTwoSidedP(t, degreesOfFreedom) : Number.NaN };
}

export interface ChiSquareResult {
  chiSquare: number;
  degreesOfFreedom: number;
  p: number;
  expected: number[][];
}

/** Pearson's chi-square test of independence on an r × c table of counts, without continuity correction. */
export function pearsonChiSquare(table: number[][]): ChiSquareResult {
  const rowTotals = table.map((row) => row.reduce((a, b) => a + b, 0));
  const columnCount = table[0]?.length ?? 0;
  const columnTotals = Array.from({ length: columnCount }, (_, j) => table.reduce((sum, row) => sum + row[j], 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  if (table.length < 2 || columnCount < 2 || total === 0) {
    throw new RadiomicsError('DATA_INVALID', 'The chi-square test needs a table of at least 2 × 2 with some counts.');
  }
  const expected = table.map((_, i) => columnTotals.map((columnTotal) => (rowTotals[i] * columnTotal) / total));
  let chiSquare = 0;
  table.forEach((row, i) =>
    row.forEach((observed, j) => {
      if (expected[i][j] > 0) chiSquare += (observed - expected[i][j]) ** 2 / expected[i][j];
    }),
  );
  const degreesOfFreedom = (rowTotals.filter((value) => value > 0).length - 1) * (columnTotals.filter((value) => value > 0).length - 1);
  return {
    chiSquare,
    degreesOfFreedom,
    p: degreesOfFreedom > 0 ? chiSquareSurvival(chiSquare, degreesOfFreedom) : Number.NaN,
    expected,
  };
}

export interface GroupComparisonRow {
  variable: string;
  kind: 'continuous' | 'categorical';
  method: "Student's t" | "Pearson's chi-square";
  /** Mean ± SD for continuous variables, count per category for categorical ones. */
  training: SampleSummary | Record<string, number>;
  test: SampleSummary | Record<string, number>;
  statistic: number;
  degreesOfFreedom: number;
  p: number;
}

/**
 * Compares the training and test parts on each variable. A variable whose every present value parses as a
 * number is continuous, any other is categorical; empty cells are left out.
 */
export function compareGroups(
  training: Record<string, string>[],
  test: Record<string, string>[],
  variables: string[],
): GroupComparisonRow[] {
  const rows: GroupComparisonRow[] = [];
  for (const variable of variables) {
    const trainValues = training.map((row) => row[variable]?.trim() ?? '').filter((value) => value !== '');
    const testValues = test.map((row) => row[variable]?.trim() ?? '').filter((value) => value !== '');
    if (trainValues.length === 0 || testValues.length === 0) continue;
    const numeric = [...trainValues, ...testValues].every((value) => Number.isFinite(Number(value)));
    if (numeric && new Set([...trainValues, ...testValues]).size > 2) {
      const first = summarise(trainValues.map(Number));
      const second = summarise(testValues.map(Number));
      if (first.n + second.n < 3) continue;
      const result = studentTTest(first, second);
      rows.push({ variable, kind: 'continuous', method: "Student's t", training: first, test: second, statistic: result.t, degreesOfFreedom: result.degreesOfFreedom, p: result.p });
      continue;
    }
    const categories = [...new Set([...trainValues, ...testValues])].sort();
    if (categories.length < 2) continue;
    const count = (values: string[]): Record<string, number> => Object.fromEntries(categories.map((category) => [category, values.filter((value) => value === category).length]));
    const trainCounts = count(trainValues);
    const testCounts = count(testValues);
    const result = pearsonChiSquare([categories.map((c) => trainCounts[c]), categories.map((c) => testCounts[c])]);
    rows.push({ variable, kind: 'categorical', method: "Pearson's chi-square", training: trainCounts, test: testCounts, statistic: result.chiSquare, degreesOfFreedom: result.degreesOfFreedom, p: result.p });
  }
  return rows;
}
