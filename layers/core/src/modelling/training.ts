/**
 * The training pipeline. A stratified 7:3 split (by patient by default) comes first. On the training part only
 * come z-score standardisation, the variance filter, optional univariate and multivariable logistic filters,
 * and recursive feature elimination to a fixed or cross-validated size. Six classifiers are then fitted and
 * compared, and one is kept by the configured rule (the decision tree by default, as in the study). Its Youden
 * cut-off is chosen on the training scores, and both parts are evaluated.
 */
import { RadiomicsError } from '../errors';
import { MODEL_ARTIFACT_FORMAT, MODEL_ARTIFACT_FORMAT_VERSION, type MetricsSummary, type ModelArtifact, type ModelComparisonRow } from './artifact';
import { CLASSIFIER_KINDS, createClassifier, isClassifierKind, type ClassifierKind, type ClassifierOptions } from './classifiers';
import type { Dataset } from './dataset';
import { compareGroups, type GroupComparisonRow } from './group-comparison';
import { evaluateScores, rocAuc, type EvaluationSummary } from './metrics';
import {
  applyStandardScaler,
  fitStandardScaler,
  multivariableLogisticFilter,
  recursiveFeatureElimination,
  selectColumns,
  univariateLogisticFilter,
  varianceFilter,
  type StandardScaler,
} from './preprocessing';
import { predictLogistic, fitLogistic } from './logistic';
import { stratifiedFolds, stratifiedSplit, type SplitUnit, type TrainTestSplit } from './split';

export interface TrainingConfig {
  /** Model version written into the artifact. */
  version: string;
  /** Seed of the split, the folds, the bootstrap and the seeded classifiers. */
  seed: number;
  split: { unit: SplitUnit; testFraction: number; reportBoth: boolean };
  /** Features whose variance on the standardised training part is not above this are dropped. */
  varianceThreshold: number;
  univariateFilter: { enabled: boolean; alpha: number };
  multivariableFilter: { enabled: boolean; alpha: number };
  rfe: {
    /** Number of features to keep, or 'cv' to choose it by cross-validated AUC of logistic regression. */
    features: number | 'cv';
    /** Largest size the cross-validation considers. */
    maxFeatures: number;
    /** Features dropped per fit while more than `stepUntil` remain: a count ≥ 1, or a fraction of the remaining features. */
    step: number;
    stepUntil: number;
    /** Inverse L2 strength C of the logistic regression that ranks the features. */
    inverseRegularization: number;
  };
  cvFolds: number;
  classifiers: ClassifierKind[];
  classifierOptions: ClassifierOptions;
  /** A classifier kind to keep, or 'highest-cv-auc' for the best mean cross-validated AUC on the training part. */
  choice: ClassifierKind | 'highest-cv-auc';
  bootstrapReplicates: number;
  synthetic: boolean;
  description: string;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  version: 'model-v1',
  seed: 42,
  split: { unit: 'patient', testFraction: 0.3, reportBoth: false },
  varianceThreshold: 0,
  univariateFilter: { enabled: false, alpha: 0.05 },
  multivariableFilter: { enabled: false, alpha: 0.05 },
  rfe: { features: 2, maxFeatures: 10, step: 0.1, stepUntil: 50, inverseRegularization: 1 },
  cvFolds: 5,
  classifiers: [...CLASSIFIER_KINDS],
  classifierOptions: {},
  choice: 'decision-tree',
  bootstrapReplicates: 2000,
  synthetic: false,
  description: 'Progression of soft-tissue-sarcoma lung metastases under epirubicin + ifosfamide (RECIST 1.1).',
};

function configError(message: string): RadiomicsError {
  return new RadiomicsError('SETTINGS_INVALID', `Training configuration invalid: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges a user configuration (parsed JSON or YAML) over the defaults and validates it; throws SETTINGS_INVALID. */
export function resolveTrainingConfig(input: unknown = {}): TrainingConfig {
  if (!isRecord(input)) throw configError('the configuration must be an object.');
  const known = new Set(Object.keys(DEFAULT_TRAINING_CONFIG));
  for (const key of Object.keys(input)) if (!known.has(key)) throw configError(`unknown key "${key}".`);
  const merged: TrainingConfig = structuredClone(DEFAULT_TRAINING_CONFIG);
  for (const [key, value] of Object.entries(input)) {
    const target = (merged as unknown as Record<string, unknown>)[key];
    if (isRecord(target) && key !== 'classifierOptions') {
      if (!isRecord(value)) throw configError(`"${key}" must be an object.`);
      for (const inner of Object.keys(value)) if (!(inner in target)) throw configError(`unknown key "${key}.${inner}".`);
      Object.assign(target, value);
    } else {
      (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }

  const c = merged;
  if (typeof c.version !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(c.version)) throw configError('"version" must be 1–64 letters, digits, ".", "_" or "-".');
  if (!Number.isInteger(c.seed)) throw configError('"seed" must be an integer.');
  if (c.split.unit !== 'patient' && c.split.unit !== 'lesion') throw configError('"split.unit" must be "patient" or "lesion".');
  if (!(typeof c.split.testFraction === 'number' && c.split.testFraction > 0 && c.split.testFraction < 1)) throw configError('"split.testFraction" must lie between 0 and 1.');
  if (!(typeof c.varianceThreshold === 'number' && c.varianceThreshold >= 0)) throw configError('"varianceThreshold" must be a number ≥ 0.');
  for (const name of ['univariateFilter', 'multivariableFilter'] as const) {
    if (!(c[name].alpha > 0 && c[name].alpha <= 1)) throw configError(`"${name}.alpha" must lie in (0, 1].`);
  }
  if (!(c.rfe.features === 'cv' || (Number.isInteger(c.rfe.features) && c.rfe.features >= 1))) throw configError('"rfe.features" must be a positive integer or "cv".');
  if (!(Number.isInteger(c.rfe.maxFeatures) && c.rfe.maxFeatures >= 1)) throw configError('"rfe.maxFeatures" must be a positive integer.');
  if (!(typeof c.rfe.step === 'number' && (c.rfe.step >= 1 ? Number.isInteger(c.rfe.step) : c.rfe.step > 0))) {
    throw configError('"rfe.step" must be a positive integer or a fraction between 0 and 1.');
  }
  if (!(Number.isInteger(c.rfe.stepUntil) && c.rfe.stepUntil >= 1)) throw configError('"rfe.stepUntil" must be a positive integer.');
  if (!(c.rfe.inverseRegularization > 0)) throw configError('"rfe.inverseRegularization" must be positive.');
  if (!(Number.isInteger(c.cvFolds) && c.cvFolds >= 2)) throw configError('"cvFolds" must be an integer ≥ 2.');
  if (!Array.isArray(c.classifiers) || c.classifiers.length === 0 || !c.classifiers.every(isClassifierKind)) {
    throw configError(`"classifiers" must list some of ${CLASSIFIER_KINDS.join(', ')}.`);
  }
  if (!(c.choice === 'highest-cv-auc' || (isClassifierKind(c.choice) && c.classifiers.includes(c.choice)))) {
    throw configError('"choice" must be "highest-cv-auc" or one of the listed classifiers.');
  }
  if (!(Number.isInteger(c.bootstrapReplicates) && c.bootstrapReplicates >= 100)) throw configError('"bootstrapReplicates" must be an integer ≥ 100.');
  if (typeof c.synthetic !== 'boolean') throw configError('"synthetic" must be true or false.');
  if (!isRecord(c.classifierOptions)) throw configError('"classifierOptions" must be an object.');
  const optionNames: Record<string, string[]> = {
    decisionTree: ['maxDepth', 'minNumSamples'],
    randomForest: ['nEstimators', 'maxFeatures', 'maxDepth'],
    logisticRegression: ['inverseRegularization', 'solver'],
    svm: ['C', 'gamma'],
    naiveBayes: ['varSmoothing'],
    knn: ['k'],
  };
  for (const [key, value] of Object.entries(c.classifierOptions)) {
    if (!(key in optionNames)) throw configError(`unknown key "classifierOptions.${key}"; use ${Object.keys(optionNames).join(', ')}.`);
    if (!isRecord(value)) throw configError(`"classifierOptions.${key}" must be an object.`);
    for (const [name, setting] of Object.entries(value)) {
      if (!optionNames[key].includes(name)) throw configError(`unknown key "classifierOptions.${key}.${name}"; use ${optionNames[key].join(', ')}.`);
      const valid = name === 'solver' ? setting === 'newton' || setting === 'gradient-descent' : typeof setting === 'number' && setting > 0;
      if (!valid) throw configError(`"classifierOptions.${key}.${name}" has an invalid value ${JSON.stringify(setting)}.`);
    }
  }
  return c;
}

/** The feature selection fitted on one training part; column indices refer to the data set's candidate features. */
export interface FeatureSelection {
  scaler: StandardScaler;
  afterVarianceFilter: number[];
  afterUnivariateFilter: number[] | null;
  afterMultivariableFilter: number[] | null;
  /** From the first feature eliminated to the last survivor. */
  eliminationOrder: number[];
}

/** Fits standardisation and the filters on `rows`, then runs RFE down to one feature. */
export function fitFeatureSelection(rows: number[][], labels: number[], config: TrainingConfig): FeatureSelection {
  const scaler = fitStandardScaler(rows);
  const scaled = applyStandardScaler(scaler, rows);
  let columns = varianceFilter(scaled, config.varianceThreshold).kept;
  if (columns.length === 0) throw new RadiomicsError('DATA_INVALID', 'Every feature is constant on the training part; nothing is left to model.');
  const afterVarianceFilter = columns;

  let afterUnivariateFilter: number[] | null = null;
  if (config.univariateFilter.enabled) {
    const result = univariateLogisticFilter(selectColumns(scaled, columns), labels, config.univariateFilter.alpha);
    columns = result.kept.map((position) => columns[position]);
    afterUnivariateFilter = columns;
  }
  let afterMultivariableFilter: number[] | null = null;
  if (config.multivariableFilter.enabled && columns.length > 0) {
    const result = multivariableLogisticFilter(selectColumns(scaled, columns), labels, config.multivariableFilter.alpha);
    columns = result.kept.map((position) => columns[position]);
    afterMultivariableFilter = columns;
  }
  if (columns.length === 0) throw new RadiomicsError('DATA_INVALID', 'No feature passed the logistic filters; raise alpha or disable the filters.');

  const rfe = recursiveFeatureElimination(selectColumns(scaled, columns), labels, 1, {
    inverseRegularization: config.rfe.inverseRegularization,
    step: config.rfe.step,
    stepUntil: config.rfe.stepUntil,
  });
  return {
    scaler,
    afterVarianceFilter,
    afterUnivariateFilter,
    afterMultivariableFilter,
    eliminationOrder: rfe.eliminationOrder.map((position) => columns[position]),
  };
}

/** Returns the `count` features RFE keeps, as candidate column indices in increasing order. */
export function selectedFeatures(selection: FeatureSelection, count: number): number[] {
  const order = selection.eliminationOrder;
  return order.slice(Math.max(0, order.length - count)).sort((a, b) => a - b);
}

function standardisedColumns(selection: FeatureSelection, rows: number[][], columns: number[]): number[][] {
  return rows.map((row) => columns.map((j) => (row[j] - selection.scaler.mean[j]) / selection.scaler.scale[j]));
}

interface FoldState {
  trainIndex: number[];
  heldIndex: number[];
  selection: FeatureSelection;
}

export interface RfeSizeScore {
  features: number;
  meanAuc: number;
  sdAuc: number;
}

export interface ModelComparison extends ModelComparisonRow {
  cvFoldAuc: number[];
  trainScores: number[];
  testScores: number[];
}

export interface PredictionRow {
  lesionId: string;
  patientId: string;
  part: 'train' | 'test';
  label: number;
  score: number;
}

export interface TrainingResult {
  artifact: ModelArtifact;
  evaluation: { training: EvaluationSummary; test: EvaluationSummary | null };
  comparison: ModelComparison[];
  rfeSizeScores: RfeSizeScore[] | null;
  groupComparison: GroupComparisonRow[];
  split: TrainTestSplit;
  predictions: PredictionRow[];
  /** With split.reportBoth: the same pipeline run with the other split unit. */
  alternativeSplit: { unit: SplitUnit; trainingAuc: number; testAuc: number | null; featureNames: string[] } | null;
}

export interface TrainingContext {
  productVersion: string;
  inputs: { features: string; labels: string };
  createdAt?: string;
  settingsHash?: string;
  extractionSettings?: Record<string, unknown>;
}

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

function hasBothClasses(labels: number[]): boolean {
  return labels.includes(0) && labels.includes(1);
}

function summariseMetrics(summary: EvaluationSummary): MetricsSummary {
  return {
    n: summary.n,
    positives: summary.positives,
    negatives: summary.negatives,
    auc: summary.auc,
    aucCiDelong: summary.aucCiDelong,
    aucCiBootstrap: summary.aucCiBootstrap,
    threshold: summary.threshold,
    confusion: summary.confusion,
    rates: summary.rates,
    brier: summary.brier,
    roc: { fpr: summary.roc.fpr, tpr: summary.roc.tpr },
    decisionCurve: {
      thresholds: summary.decisionCurve.thresholds,
      netBenefitModel: summary.decisionCurve.netBenefitModel,
      netBenefitTreatAll: summary.decisionCurve.netBenefitTreatAll,
      netBenefitTreatNone: summary.decisionCurve.netBenefitTreatNone,
    },
  };
}

/**
 * Builds the rows of the group comparison: one per patient when the split is by patient (covariates of the
 * patient's first lesion, outcome progression when any lesion progressed), else one per lesion.
 */
function groupRows(cases: Dataset['cases'], positions: number[], unit: SplitUnit): Record<string, string>[] {
  const rows = new Map<string, Record<string, string>>();
  for (const i of positions) {
    const key = unit === 'patient' ? cases[i].patientId : cases[i].lesionId;
    const progression = cases[i].label === 1 || rows.get(key)?.outcome === 'progression';
    rows.set(key, { ...(rows.get(key) ?? cases[i].covariates), outcome: progression ? 'progression' : 'non-progression' });
  }
  return [...rows.values()];
}

/** Runs the whole pipeline on a joined data set. */
export function trainModel(dataset: Dataset, configInput: TrainingConfig, context: TrainingContext): TrainingResult {
  const config = configInput;
  const cases = dataset.cases;
  if (!hasBothClasses(cases.map((item) => item.label))) {
    throw new RadiomicsError('DATA_INVALID', 'The labels contain one class only; training needs progression and non-progression cases.');
  }

  const split = stratifiedSplit(cases, { unit: config.split.unit, seed: config.seed, testFraction: config.split.testFraction });
  const trainRows = split.train.map((i) => cases[i].values);
  const trainLabels = split.train.map((i) => cases[i].label);
  const testRows = split.test.map((i) => cases[i].values);
  const testLabels = split.test.map((i) => cases[i].label);
  if (!hasBothClasses(trainLabels)) throw new RadiomicsError('DATA_INVALID', 'The training part contains one class only; add cases or change the seed.');

  const selection = fitFeatureSelection(trainRows, trainLabels, config);
  const trainGroups = split.train.map((i) => cases[i].patientId);
  const foldOf = stratifiedFolds(trainLabels, config.cvFolds, config.seed, config.split.unit === 'patient' ? trainGroups : undefined);
  const folds: FoldState[] = [];
  for (let fold = 0; fold < config.cvFolds; fold++) {
    const trainIndex = foldOf.map((f, i) => (f === fold ? -1 : i)).filter((i) => i >= 0);
    const heldIndex = foldOf.map((f, i) => (f === fold ? i : -1)).filter((i) => i >= 0);
    if (heldIndex.length === 0 || !hasBothClasses(heldIndex.map((i) => trainLabels[i])) || !hasBothClasses(trainIndex.map((i) => trainLabels[i]))) continue;
    folds.push({
      trainIndex,
      heldIndex,
      selection: fitFeatureSelection(trainIndex.map((i) => trainRows[i]), trainIndex.map((i) => trainLabels[i]), config),
    });
  }

  // RFE size: fixed, or the size with the best mean held-out AUC of the ranking logistic regression.
  const available = selection.eliminationOrder.length;
  let featureCount: number;
  let rfeSizeScores: RfeSizeScore[] | null = null;
  if (config.rfe.features === 'cv') {
    if (folds.length === 0) throw new RadiomicsError('DATA_INVALID', 'Too few cases of each class for cross-validation; set rfe.features to a number.');
    rfeSizeScores = [];
    for (let k = 1; k <= Math.min(config.rfe.maxFeatures, available); k++) {
      const aucs = folds.map((fold) => {
        const columns = selectedFeatures(fold.selection, k);
        const fit = fitLogistic(
          standardisedColumns(fold.selection, fold.trainIndex.map((i) => trainRows[i]), columns),
          fold.trainIndex.map((i) => trainLabels[i]),
          { inverseRegularization: config.rfe.inverseRegularization },
        );
        const held = standardisedColumns(fold.selection, fold.heldIndex.map((i) => trainRows[i]), columns);
        return rocAuc(fold.heldIndex.map((i) => trainLabels[i]), held.map((row) => predictLogistic(fit, row)));
      });
      const { mean, sd } = meanAndSd(aucs);
      rfeSizeScores.push({ features: k, meanAuc: mean, sdAuc: sd });
    }
    // Strictly better only, so the smallest size wins a tie.
    featureCount = rfeSizeScores.reduce((best, row) => (row.meanAuc > best.meanAuc ? row : best)).features;
  } else {
    featureCount = Math.min(config.rfe.features, available);
  }
  const columns = selectedFeatures(selection, featureCount);
  const trainX = standardisedColumns(selection, trainRows, columns);
  const testX = standardisedColumns(selection, testRows, columns);

  const comparison: ModelComparison[] = [];
  const fitted = new Map<ClassifierKind, ReturnType<typeof createClassifier>>();
  for (const kind of config.classifiers) {
    const classifier = createClassifier(kind, config.classifierOptions, config.seed);
    classifier.fit(trainX, trainLabels);
    fitted.set(kind, classifier);
    const trainScores = classifier.predictProbability(trainX);
    const testScores = testX.length > 0 ? classifier.predictProbability(testX) : [];
    const cvFoldAuc = folds.map((fold) => {
      const foldColumns = selectedFeatures(fold.selection, featureCount);
      const foldClassifier = createClassifier(kind, config.classifierOptions, config.seed);
      foldClassifier.fit(standardisedColumns(fold.selection, fold.trainIndex.map((i) => trainRows[i]), foldColumns), fold.trainIndex.map((i) => trainLabels[i]));
      const heldScores = foldClassifier.predictProbability(standardisedColumns(fold.selection, fold.heldIndex.map((i) => trainRows[i]), foldColumns));
      return rocAuc(fold.heldIndex.map((i) => trainLabels[i]), heldScores);
    });
    const cv = cvFoldAuc.length > 0 ? meanAndSd(cvFoldAuc) : null;
    comparison.push({
      kind,
      trainAuc: rocAuc(trainLabels, trainScores),
      testAuc: hasBothClasses(testLabels) ? rocAuc(testLabels, testScores) : null,
      cvAucMean: cv?.mean ?? null,
      cvAucSd: cv?.sd ?? null,
      cvFoldAuc,
      trainScores,
      testScores,
    });
  }

  let chosenKind: ClassifierKind;
  if (config.choice === 'highest-cv-auc') {
    const ranked = comparison.filter((row) => row.cvAucMean !== null);
    if (ranked.length === 0) throw new RadiomicsError('DATA_INVALID', 'No cross-validated AUC is available to choose a classifier; name one in "choice".');
    // Ties keep the earlier classifier in the configured order.
    chosenKind = ranked.reduce((best, row) => (row.cvAucMean! > best.cvAucMean! ? row : best)).kind as ClassifierKind;
  } else {
    chosenKind = config.choice;
  }
  const chosen = comparison.find((row) => row.kind === chosenKind)!;
  const bootstrap = { bootstrapSeed: config.seed, bootstrapReplicates: config.bootstrapReplicates };
  const training = evaluateScores(trainLabels, chosen.trainScores, bootstrap);
  const threshold = training.youdenThreshold;
  const test = hasBothClasses(testLabels) ? evaluateScores(testLabels, chosen.testScores, { ...bootstrap, threshold }) : null;

  const featureNames = columns.map((j) => dataset.featureNames[j]);
  const patientsIn = (positions: number[]): number => new Set(positions.map((i) => cases[i].patientId)).size;
  const artifact: ModelArtifact = {
    format: MODEL_ARTIFACT_FORMAT,
    formatVersion: MODEL_ARTIFACT_FORMAT_VERSION,
    version: config.version,
    createdAt: context.createdAt ?? new Date().toISOString(),
    featureNames,
    standardisation: { mean: columns.map((j) => selection.scaler.mean[j]), scale: columns.map((j) => selection.scaler.scale[j]) },
    classifier: fitted.get(chosenKind)!.toJSON(),
    threshold,
    positiveClass: 'progression',
    ...(context.settingsHash ? { settingsHash: context.settingsHash } : {}),
    card: {
      synthetic: config.synthetic,
      intendedUse: config.synthetic
        ? 'SYNTHETIC DEMONSTRATION MODEL, NOT FOR CLINICAL USE: trained on made-up data so that the pipeline can be exercised.'
        : 'Research use: predicts RECIST 1.1 progression of soft-tissue-sarcoma lung metastases under epirubicin + ifosfamide. Not a medical device.',
      description: config.description,
      provenance: {
        productVersion: context.productVersion,
        createdBy: 'radiomics train',
        trainingDataHash: dataset.hash,
        inputs: context.inputs,
        split: {
          unit: split.unit,
          seed: split.seed,
          testFraction: split.testFraction,
          trainCases: split.train.length,
          testCases: split.test.length,
          trainPatients: patientsIn(split.train),
          testPatients: patientsIn(split.test),
        },
        config: config as unknown as Record<string, unknown>,
        ...(context.extractionSettings ? { extractionSettings: context.extractionSettings } : {}),
      },
      selection: {
        candidateFeatures: dataset.featureNames.length,
        afterVarianceFilter: selection.afterVarianceFilter.length,
        afterUnivariateFilter: selection.afterUnivariateFilter?.length ?? null,
        afterMultivariableFilter: selection.afterMultivariableFilter?.length ?? null,
        rfeFeatureCount: featureCount,
        rfeCountChosenBy: config.rfe.features === 'cv' ? `${config.cvFolds}-fold cross-validated AUC of L2 logistic regression` : 'configuration',
      },
      chosenClassifier: chosenKind,
      choiceRule: config.choice === 'highest-cv-auc' ? `highest mean ${config.cvFolds}-fold cross-validated AUC on the training part` : `fixed: ${config.choice}`,
      metrics: { training: summariseMetrics(training), test: test ? summariseMetrics(test) : null },
      modelComparison: comparison.map(({ kind, trainAuc, testAuc, cvAucMean, cvAucSd }) => ({ kind, trainAuc, testAuc, cvAucMean, cvAucSd })),
    },
  };

  const predictions: PredictionRow[] = [
    ...split.train.map((i, k) => ({ lesionId: cases[i].lesionId, patientId: cases[i].patientId, part: 'train' as const, label: cases[i].label, score: chosen.trainScores[k] })),
    ...split.test.map((i, k) => ({ lesionId: cases[i].lesionId, patientId: cases[i].patientId, part: 'test' as const, label: cases[i].label, score: chosen.testScores[k] })),
  ];

  const groupComparison = compareGroups(groupRows(cases, split.train, split.unit), groupRows(cases, split.test, split.unit), [...dataset.covariateNames, 'outcome']);

  let alternativeSplit: TrainingResult['alternativeSplit'] = null;
  if (config.split.reportBoth) {
    const otherUnit: SplitUnit = config.split.unit === 'patient' ? 'lesion' : 'patient';
    const other = trainModel(dataset, { ...config, split: { ...config.split, unit: otherUnit, reportBoth: false } }, context);
    alternativeSplit = {
      unit: otherUnit,
      trainingAuc: other.evaluation.training.auc,
      testAuc: other.evaluation.test?.auc ?? null,
      featureNames: other.artifact.featureNames,
    };
  }

  return { artifact, evaluation: { training, test }, comparison, rfeSizeScores, groupComparison, split, predictions, alternativeSplit };
}
