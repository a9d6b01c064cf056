/**
 * Stratified, seeded partitions of a cohort: the 7:3 training/test split and the k folds of cross-validation.
 * Splitting by patient keeps all lesions of one patient on the same side, so that no patient contributes to
 * both the fit and its assessment.
 */
import { RadiomicsError } from '../errors';
import { createRandom, shuffled } from './random';

export type SplitUnit = 'patient' | 'lesion';

export interface SplitCase {
  lesionId: string;
  patientId: string;
  label: number;
}

export interface TrainTestSplit {
  unit: SplitUnit;
  seed: number;
  testFraction: number;
  /** Positions into the input array. */
  train: number[];
  test: number[];
}

/**
 * Splits cases into training and test parts. Units (patients or lesions) are stratified by their label — a
 * patient counts as positive when any of their lesions is — and within each stratum round(testFraction × size)
 * units, chosen by a seeded shuffle, go to the test part.
 */
export function stratifiedSplit(cases: SplitCase[], options: { unit?: SplitUnit; seed: number; testFraction?: number }): TrainTestSplit {
  const unit = options.unit ?? 'patient';
  const testFraction = options.testFraction ?? 0.3;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RadiomicsError('DATA_INVALID', `The test fraction must lie between 0 and 1, got ${testFraction}.`);
  }
  const unitOf = (item: SplitCase): string => (unit === 'patient' ? item.patientId : item.lesionId);

  const unitLabel = new Map<string, number>();
  for (const item of cases) unitLabel.set(unitOf(item), Math.max(unitLabel.get(unitOf(item)) ?? 0, item.label));

  const random = createRandom(options.seed);
  const testUnits = new Set<string>();
  for (const stratum of [0, 1]) {
    // Sorting first makes the result independent of the input row order.
    const units = [...unitLabel.entries()].filter(([, label]) => label === stratum).map(([id]) => id).sort();
    const testCount = Math.round(testFraction * units.length);
    for (const id of shuffled(units, random).slice(0, testCount)) testUnits.add(id);
  }

  const train: number[] = [];
  const test: number[] = [];
  cases.forEach((item, position) => (testUnits.has(unitOf(item)) ? test : train).push(position));
  return { unit, seed: options.seed, testFraction, train, test };
}

/**
 * Assigns each case to one of `foldCount` folds, stratified by label: within each class the cases are shuffled
 * with the seed and dealt out in turn. With `groups`, whole groups (patients) are dealt instead.
 */
export function stratifiedFolds(labels: number[], foldCount: number, seed: number, groups?: string[]): number[] {
  if (!(foldCount >= 2)) throw new RadiomicsError('DATA_INVALID', `Cross-validation needs at least 2 folds, got ${foldCount}.`);
  const keys = groups ?? labels.map((_, i) => String(i));
  const groupLabel = new Map<string, number>();
  keys.forEach((key, i) => groupLabel.set(key, Math.max(groupLabel.get(key) ?? 0, labels[i])));
  const random = createRandom(seed);
  const foldOfGroup = new Map<string, number>();
  let next = 0;
  for (const stratum of [1, 0]) {
    const members = [...groupLabel.entries()].filter(([, label]) => label === stratum).map(([key]) => key).sort();
    for (const key of shuffled(members, random)) {
      foldOfGroup.set(key, next % foldCount);
      next++;
    }
  }
  return keys.map((key) => foldOfGroup.get(key)!);
}
