import { describe, expect, it } from 'vitest';

import {
  CLASSIFIER_KINDS,
  joinFeaturesAndLabels,
  loadModelArtifact,
  resolveTrainingConfig,
  scoreFeatures,
  stratifiedFolds,
  stratifiedSplit,
  trainModel,
  type SplitCase,
} from '@radiomics/core';

import { makeSyntheticCohort } from '../../scripts/make-synthetic-cohort';
import { codeOf } from './error-code';

const context = { productVersion: 'test', inputs: { features: 'features.csv', labels: 'labels.csv' }, createdAt: '2026-01-01T00:00:00.000Z' };

function cohort(seed = 11, patients = 60) {
  const { features, labels } = makeSyntheticCohort(seed, patients);
  return { features, labels, dataset: joinFeaturesAndLabels(features, labels) };
}

describe('stratified split', () => {
  const cases: SplitCase[] = [];
  for (let p = 0; p < 50; p++) {
    const lesions = 1 + (p % 3);
    for (let l = 0; l < lesions; l++) cases.push({ patientId: `P${p}`, lesionId: `P${p}-L${l}`, label: p % 5 < 2 ? 1 : 0 });
  }

  it('keeps each patient on one side', () => {
    const split = stratifiedSplit(cases, { seed: 3 });
    const trainPatients = new Set(split.train.map((i) => cases[i].patientId));
    const testPatients = new Set(split.test.map((i) => cases[i].patientId));
    expect([...testPatients].filter((id) => trainPatients.has(id))).toEqual([]);
    expect(split.train.length + split.test.length).toBe(cases.length);
    // 20 progressing and 30 non-progressing patients: 6 and 9 go to the test part.
    expect(testPatients.size).toBe(15);
    expect([...testPatients].filter((id) => Number(id.slice(1)) % 5 < 2).length).toBe(6);
  });

  it('by lesion stratifies lesions', () => {
    const split = stratifiedSplit(cases, { seed: 3, unit: 'lesion' });
    const positives = cases.filter((c) => c.label === 1).length;
    expect(split.test.filter((i) => cases[i].label === 1).length).toBe(Math.round(0.3 * positives));
    expect(split.test.length).toBe(Math.round(0.3 * positives) + Math.round(0.3 * (cases.length - positives)));
  });

  it('is reproducible and order independent', () => {
    const first = stratifiedSplit(cases, { seed: 9 });
    const again = stratifiedSplit(cases, { seed: 9 });
    expect(again).toEqual(first);
    const reversed = cases.slice().reverse();
    const fromReversed = stratifiedSplit(reversed, { seed: 9 });
    const ids = (list: SplitCase[], positions: number[]) => positions.map((i) => list[i].lesionId).sort();
    expect(ids(reversed, fromReversed.test)).toEqual(ids(cases, first.test));
    expect(ids(cases, stratifiedSplit(cases, { seed: 10 }).test)).not.toEqual(ids(cases, first.test));
  });

  it('folds balance classes and keep patients together', () => {
    const labels = cases.map((c) => c.label);
    const folds = stratifiedFolds(labels, 5, 1, cases.map((c) => c.patientId));
    const foldOfPatient = new Map<string, number>();
    cases.forEach((c, i) => {
      if (foldOfPatient.has(c.patientId)) expect(folds[i]).toBe(foldOfPatient.get(c.patientId));
      foldOfPatient.set(c.patientId, folds[i]);
    });
    for (let fold = 0; fold < 5; fold++) {
      const patients = [...foldOfPatient.entries()].filter(([, f]) => f === fold).map(([id]) => id);
      expect(patients.length).toBe(10);
      expect(patients.filter((id) => Number(id.slice(1)) % 5 < 2).length).toBe(4);
    }
  });
});

describe('training configuration', () => {
  it('applies defaults', () => {
    const config = resolveTrainingConfig({});
    expect(config.choice).toBe('decision-tree');
    expect(config.split.unit).toBe('patient');
    expect(config.split.testFraction).toBe(0.3);
    expect(config.classifiers).toEqual([...CLASSIFIER_KINDS]);
  });

  const invalid: [string, unknown][] = [
    ['unknown key', { colour: 'red' }],
    ['unknown nested key', { rfe: { size: 3 } }],
    ['bad split unit', { split: { unit: 'site' } }],
    ['bad test fraction', { split: { testFraction: 1.5 } }],
    ['bad rfe size', { rfe: { features: 0 } }],
    ['unknown classifier', { classifiers: ['xgboost'] }],
    ['choice not listed', { classifiers: ['knn'], choice: 'svm' }],
    ['non-integer seed', { seed: 1.5 }],
    ['unknown classifier option group', { classifierOptions: { xgboost: {} } }],
    ['negative tree depth', { classifierOptions: { decisionTree: { maxDepth: -1 } } }],
    ['unknown solver', { classifierOptions: { logisticRegression: { solver: 'sgd' } } }],
    ['unknown tree option', { classifierOptions: { decisionTree: { depth: 3 } } }],
  ];
  for (const [name, input] of invalid) {
    it(`rejects ${name}`, () => expect(codeOf(() => resolveTrainingConfig(input))).toBe('SETTINGS_INVALID'));
  }
});

describe('training pipeline', () => {
  const { features, labels, dataset } = cohort();
  const config = resolveTrainingConfig({ version: 'test-v1', seed: 5, bootstrapReplicates: 200 });
  const result = trainModel(dataset, config, context);

  it('keeps the decision tree and the two informative features', () => {
    expect(result.artifact.classifier.kind).toBe('decision-tree');
    expect(result.artifact.featureNames).toEqual(['wavelet-HHH_firstorder_Mean', 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis']);
    expect(result.comparison.map((row) => row.kind)).toEqual([...CLASSIFIER_KINDS]);
    expect(result.artifact.card.provenance.trainingDataHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('standardises with training rows only', () => {
    const trainIds = new Set(result.predictions.filter((row) => row.part === 'train').map((row) => row.lesionId));
    result.artifact.featureNames.forEach((name, position) => {
      const column = dataset.featureNames.indexOf(name);
      const values = dataset.cases.filter((c) => trainIds.has(c.lesionId)).map((c) => c.values[column]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(result.artifact.standardisation.mean[position]).toBeCloseTo(mean, 12);
    });
  });

  it('ignores the test part when fitting', () => {
    const testIds = new Set(result.predictions.filter((row) => row.part === 'test').map((row) => row.lesionId));
    const altered = structuredClone(dataset);
    for (const c of altered.cases) if (testIds.has(c.lesionId)) c.values = c.values.map((value) => value * 3 + 7);
    const other = trainModel(altered, config, context);
    expect(other.artifact.classifier).toEqual(result.artifact.classifier);
    expect(other.artifact.standardisation).toEqual(result.artifact.standardisation);
    expect(other.artifact.threshold).toBe(result.artifact.threshold);
  });

  it('cut-off is the training Youden cut-off', () => {
    expect(result.artifact.threshold).toBe(result.evaluation.training.youdenThreshold);
    expect(result.evaluation.test!.threshold).toBe(result.artifact.threshold);
    const { tp, fp, tn, fn } = result.evaluation.test!.confusion;
    expect(tp + fp + tn + fn).toBe(result.split.test.length);
  });

  it('reports both CIs and group comparison', () => {
    const training = result.artifact.card.metrics.training;
    expect(training.aucCiDelong[0]).toBeLessThanOrEqual(training.auc);
    expect(training.aucCiBootstrap![1]).toBeGreaterThanOrEqual(training.aucCiBootstrap![0]);
    expect(result.groupComparison.map((row) => [row.variable, row.method])).toEqual([
      ['age', "Student's t"],
      ['sex', "Pearson's chi-square"],
      ['outcome', "Pearson's chi-square"],
    ]);
    // Split by patient, so the table counts patients, not lesions.
    const sexCounts = Object.values(result.groupComparison[1].training as Record<string, number>);
    expect(sexCounts.reduce((x, y) => x + y, 0)).toBe(result.artifact.card.provenance.split.trainPatients);
  });

  it('is reproducible', () => {
    expect(trainModel(joinFeaturesAndLabels(features, labels), config, context).artifact).toEqual(result.artifact);
  });
});

describe('every classifier survives the artifact round trip', () => {
  const { dataset } = cohort(23, 40);
  for (const kind of CLASSIFIER_KINDS) {
    it(kind, () => {
      const config = resolveTrainingConfig({ classifiers: [kind], choice: kind, cvFolds: 3, bootstrapReplicates: 100, rfe: { features: 3 } });
      const result = trainModel(dataset, config, context);
      const artifact = loadModelArtifact(JSON.parse(JSON.stringify(result.artifact)));
      const byLesion = new Map(dataset.cases.map((c) => [c.lesionId, c]));
      for (const row of result.predictions) {
        const values = byLesion.get(row.lesionId)!.values;
        const features = Object.fromEntries(dataset.featureNames.map((name, j) => [name, values[j]]));
        const scored = scoreFeatures(artifact, features);
        expect(scored.probability).toBeCloseTo(row.score, 12);
        expect(scored.predictedClass).toBe(row.score >= artifact.threshold ? 'progression' : 'non-progression');
      }
    });
  }
});

describe('feature selection options', () => {
  const { dataset } = cohort(31, 80);

  it('cross-validated RFE size', () => {
    const result = trainModel(dataset, resolveTrainingConfig({ rfe: { features: 'cv', maxFeatures: 5 }, classifiers: ['logistic-regression'], choice: 'logistic-regression', bootstrapReplicates: 100 }), context);
    expect(result.rfeSizeScores!.map((row) => row.features)).toEqual([1, 2, 3, 4, 5]);
    const best = Math.max(...result.rfeSizeScores!.map((row) => row.meanAuc));
    const chosen = result.rfeSizeScores!.find((row) => row.features === result.artifact.featureNames.length)!;
    expect(chosen.meanAuc).toBe(best);
    expect(result.artifact.card.selection.rfeCountChosenBy).toMatch(/cross-validated/);
  });

  it('logistic filters drop uninformative features', () => {
    const result = trainModel(dataset, resolveTrainingConfig({ univariateFilter: { enabled: true }, multivariableFilter: { enabled: true }, rfe: { features: 10 }, classifiers: ['naive-bayes'], choice: 'naive-bayes', bootstrapReplicates: 100 }), context);
    const selection = result.artifact.card.selection;
    expect(selection.afterUnivariateFilter).toBeLessThan(selection.candidateFeatures);
    expect(selection.afterMultivariableFilter).toBeLessThanOrEqual(selection.afterUnivariateFilter!);
    expect(result.artifact.featureNames).toContain('wavelet-HHH_firstorder_Mean');
    expect(result.artifact.featureNames).not.toContain('original_firstorder_Mean');
  });

  it('highest-cv-auc choice', () => {
    const result = trainModel(dataset, resolveTrainingConfig({ choice: 'highest-cv-auc', classifiers: ['decision-tree', 'logistic-regression', 'knn'], bootstrapReplicates: 100 }), context);
    const best = result.comparison.reduce((a, b) => (b.cvAucMean! > a.cvAucMean! ? b : a));
    expect(result.artifact.classifier.kind).toBe(best.kind);
  });

  it('reports the other split unit', () => {
    const result = trainModel(dataset, resolveTrainingConfig({ split: { reportBoth: true }, classifiers: ['decision-tree'], bootstrapReplicates: 100 }), context);
    expect(result.alternativeSplit!.unit).toBe('lesion');
    expect(result.alternativeSplit!.testAuc).toBeGreaterThan(0);
  });
});

describe('joining features and labels', () => {
  const features = 'lesionId,original_firstorder_Mean,diagnostics_Versions_PyRadiomics\nA,1.5,3.1\nB,2.5,3.1\n';
  it('reads PyRadiomics feature columns only', () => {
    const dataset = joinFeaturesAndLabels(features, 'lesionId,patientId,label,age\nA,P1,1,50\nB,P2,non-progression,60\n');
    expect(dataset.featureNames).toEqual(['original_firstorder_Mean']);
    expect(dataset.cases.map((c) => c.label)).toEqual([1, 0]);
    expect(dataset.covariateNames).toEqual(['age']);
  });

  const broken: [string, string, string][] = [
    ['label without features', features, 'lesionId,patientId,label\nC,P1,1\n'],
    ['unknown label', features, 'lesionId,patientId,label\nA,P1,maybe\n'],
    ['missing patient column', features, 'lesionId,label\nA,1\n'],
    ['duplicate lesion', features, 'lesionId,patientId,label\nA,P1,1\nA,P1,0\n'],
    ['empty feature value', 'lesionId,original_firstorder_Mean\nA,\n', 'lesionId,patientId,label\nA,P1,1\n'],
    ['ragged row', 'lesionId,original_firstorder_Mean\nA,1,2\n', 'lesionId,patientId,label\nA,P1,1\n'],
  ];
  for (const [name, featureText, labelText] of broken) {
    it(`rejects ${name}`, () => expect(codeOf(() => joinFeaturesAndLabels(featureText, labelText))).toBe('DATA_INVALID'));
  }
});

describe('joining on the mask path', () => {
  it('uses Mask when no id column exists', () => {
    const features = 'Image,Mask,Label,original_firstorder_Mean\nct1.nii.gz,m1.nii.gz,1,4\nct2.nii.gz,m2.nii.gz,1,5\n';
    const dataset = joinFeaturesAndLabels(features, 'Mask,patientId,label\nm2.nii.gz,P2,0\nm1.nii.gz,P1,1\n');
    expect(dataset.cases.map((c) => [c.lesionId, c.values[0], c.label])).toEqual([
      ['m2.nii.gz', 5, 0],
      ['m1.nii.gz', 4, 1],
    ]);
  });
});
