// Modelling speed: training on the study's 851 features, scoring one lesion, and the evaluation metrics.
import { performance } from 'node:perf_hooks';

import { evaluateScores, joinFeaturesAndLabels, loadModelArtifact, resolveTrainingConfig, scoreFeatures, trainModel } from '../layers/core/src/modelling';
import { formatCsv } from '../layers/core/src/modelling/csv';
import { createRandom, randomNormal } from '../layers/core/src/modelling/random';
import type { BenchRow } from './run';

/** Simulates a cohort of `lesionCount` lesions (one per patient) with `featureCount` features, five informative. */
function simulatedCohort(lesionCount: number, featureCount: number): { features: string; labels: string } {
  const random = createRandom(1);
  const names = Array.from({ length: featureCount }, (_, j) => `original_firstorder_Simulated${j}`);
  const featureRows: (string | number)[][] = [];
  const labelRows: (string | number)[][] = [];
  for (let i = 0; i < lesionCount; i++) {
    const label = i % 3 === 0 ? 1 : 0;
    featureRows.push([`L${i}`, ...names.map((_, j) => randomNormal(random, j < 5 ? label : 0, 1))]);
    labelRows.push([`L${i}`, `P${i}`, label]);
  }
  return { features: formatCsv(['lesionId', ...names], featureRows), labels: formatCsv(['lesionId', 'patientId', 'label'], labelRows) };
}

function timed<T>(action: () => T): { result: T; milliseconds: number } {
  const started = performance.now();
  const result = action();
  return { result, milliseconds: performance.now() - started };
}

export default async (): Promise<BenchRow[]> => {
  const rows: BenchRow[] = [];
  const context = { productVersion: 'bench', inputs: { features: 'features.csv', labels: 'labels.csv' } };

  // The study's size: 86 lesions, 851 features. The target keeps a retraining run interactive.
  const cohort = simulatedCohort(86, 851);
  const dataset = joinFeaturesAndLabels(cohort.features, cohort.labels);
  const training = timed(() => trainModel(dataset, resolveTrainingConfig({ bootstrapReplicates: 2000 }), context));
  rows.push({ name: 'train, 86 lesions × 851 features, defaults', value: training.milliseconds / 1000, unit: 's', target: { limit: 60, comparison: '<=' } });

  const withCv = timed(() => trainModel(dataset, resolveTrainingConfig({ rfe: { features: 'cv' }, univariateFilter: { enabled: true } }), context));
  rows.push({ name: 'train, 851 features, univariate filter + CV-chosen RFE size', value: withCv.milliseconds / 1000, unit: 's' });

  // Scoring runs once per lesion inside the workflow; the artifact is loaded once per Lambda container.
  const artifact = loadModelArtifact(JSON.parse(JSON.stringify(training.result.artifact)));
  const features = Object.fromEntries(dataset.featureNames.map((name, j) => [name, dataset.cases[0].values[j]]));
  const repetitions = 10_000;
  const scoring = timed(() => {
    for (let i = 0; i < repetitions; i++) scoreFeatures(artifact, features);
  });
  rows.push({ name: 'scoreFeatures, decision tree, per lesion', value: (scoring.milliseconds * 1000) / repetitions, unit: 'µs', target: { limit: 1000, comparison: '<=' } });

  const random = createRandom(2);
  const labels = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const scores = labels.map((label) => Math.min(1, Math.max(0, randomNormal(random, 0.4 + 0.2 * label, 0.2))));
  const evaluation = timed(() => evaluateScores(labels, scores, { bootstrapSeed: 1, bootstrapReplicates: 2000 }));
  rows.push({ name: 'evaluateScores, 1000 cases, 2000 bootstrap resamples', value: evaluation.milliseconds, unit: 'ms' });
  return rows;
};
