/**
 * The six classifiers the study compared, each a thin wrapper around its ml.js package that adds what the
 * package lacks: positive-class probabilities, an intercept, and a JSON form that the model artifact stores.
 * Labels are 0/1 with 1 the positive class (progression). Every wrapper is deterministic given its seed.
 */
import { DecisionTreeClassifier } from 'ml-cart';
import KNN from 'ml-knn';
import MlLogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { GaussianNB } from 'ml-naivebayes';
import { RandomForestClassifier } from 'ml-random-forest';
import SVM from 'ml-svm';

import { RadiomicsError } from '../errors';
import { fitLogistic, predictLogistic } from './logistic';
import { createRandom } from './random';

export const CLASSIFIER_KINDS = ['random-forest', 'logistic-regression', 'svm', 'naive-bayes', 'decision-tree', 'knn'] as const;
export type ClassifierKind = (typeof CLASSIFIER_KINDS)[number];

export const CLASSIFIER_LABELS: Readonly<Record<ClassifierKind, string>> = {
  'random-forest': 'Random forest',
  'logistic-regression': 'Logistic regression',
  svm: 'Support vector machine',
  'naive-bayes': 'Naive Bayes',
  'decision-tree': 'Decision tree',
  knn: 'k-nearest neighbours',
};

/** Hyper-parameters per classifier; defaults follow the scikit-learn settings the study's method used. */
export interface ClassifierOptions {
  decisionTree?: { maxDepth?: number; minNumSamples?: number };
  randomForest?: { nEstimators?: number; maxFeatures?: number; maxDepth?: number };
  logisticRegression?: { inverseRegularization?: number; solver?: 'newton' | 'gradient-descent' };
  svm?: { C?: number; gamma?: number };
  naiveBayes?: { varSmoothing?: number };
  knn?: { k?: number };
}

/** The stored form of a fitted classifier: its kind, the options it was built with and the package's model JSON. */
export interface SerializedClassifier {
  kind: ClassifierKind;
  options: Record<string, unknown>;
  model: Record<string, unknown>;
}

export interface BinaryClassifier {
  readonly kind: ClassifierKind;
  fit(rows: number[][], labels: number[]): void;
  /** Probability of class 1 for each row. */
  predictProbability(rows: number[][]): number[];
  toJSON(): SerializedClassifier;
}

function notFitted(kind: ClassifierKind): RadiomicsError {
  return new RadiomicsError('INTERNAL_ERROR', `The ${kind} classifier was used before it was fitted.`);
}

/**
 * Probability of class 1 in a CART leaf distribution, which ml-cart sizes by the largest label in the leaf.
 * ml-cart sums 1/n once per row, so a pure leaf can read 1.0000000000000002; the value is clamped to [0, 1].
 */
function leafPositiveProbability(distribution: { columns: number; get(row: number, column: number): number }): number {
  return distribution.columns > 1 ? Math.min(1, Math.max(0, distribution.get(0, 1))) : 0;
}

// ml-cart: CART with Gini impurity and midpoint thresholds. minNumSamples 1 lets any node with two or more rows
// split, and gainThreshold 0 accepts every split that lowers the impurity, as scikit-learn's defaults do.
class DecisionTreeModel implements BinaryClassifier {
  readonly kind = 'decision-tree' as const;
  private tree?: DecisionTreeClassifier;
  constructor(private readonly options: { maxDepth: number; minNumSamples: number }) {}

  fit(rows: number[][], labels: number[]): void {
    this.tree = new DecisionTreeClassifier({
      gainFunction: 'gini',
      splitFunction: 'mean',
      maxDepth: this.options.maxDepth,
      minNumSamples: this.options.minNumSamples,
      gainThreshold: 0,
    });
    this.tree.train(rows, labels);
  }

  predictProbability(rows: number[][]): number[] {
    const tree = this.tree;
    if (!tree) throw notFitted(this.kind);
    return rows.map((row) => leafPositiveProbability(tree.root.classify(row)));
  }

  toJSON(): SerializedClassifier {
    if (!this.tree) throw notFitted(this.kind);
    return { kind: this.kind, options: { ...this.options }, model: JSON.parse(JSON.stringify(this.tree.toJSON())) };
  }

  static load(serialized: SerializedClassifier): DecisionTreeModel {
    const model = new DecisionTreeModel(serialized.options as { maxDepth: number; minNumSamples: number });
    model.tree = DecisionTreeClassifier.load(serialized.model);
    return model;
  }
}

interface ForestInternals {
  indexes: number[][];
  estimators: DecisionTreeClassifier[];
}

// ml-random-forest: bagged CART trees, each grown on a random subset of the features (ml.js draws the subset per
// tree, scikit-learn per split). The probability is the mean of the trees' leaf probabilities (soft voting).
class RandomForestModel implements BinaryClassifier {
  readonly kind = 'random-forest' as const;
  private forest?: RandomForestClassifier;
  constructor(private readonly options: { nEstimators: number; maxFeatures: number; maxDepth: number; seed: number }) {}

  fit(rows: number[][], labels: number[]): void {
    const featureCount = rows[0]?.length ?? 0;
    // Default √p features per tree, as an integer count that ml-random-forest accepts.
    const maxFeatures = this.options.maxFeatures > 0 ? Math.min(this.options.maxFeatures, featureCount) : Math.max(1, Math.round(Math.sqrt(featureCount)));
    this.forest = new RandomForestClassifier({
      nEstimators: this.options.nEstimators,
      maxFeatures,
      replacement: false,
      useSampleBagging: true,
      noOOB: true,
      seed: this.options.seed,
      treeOptions: { maxDepth: this.options.maxDepth, minNumSamples: 1, gainThreshold: 0 },
    });
    this.forest.train(rows, labels);
  }

  predictProbability(rows: number[][]): number[] {
    if (!this.forest) throw notFitted(this.kind);
    const { indexes, estimators } = this.forest as unknown as ForestInternals;
    return rows.map((row) => {
      let sum = 0;
      for (let e = 0; e < estimators.length; e++) {
        const subset = indexes[e].map((column) => row[column]);
        sum += leafPositiveProbability(estimators[e].root.classify(subset));
      }
      return sum / estimators.length;
    });
  }

  toJSON(): SerializedClassifier {
    if (!this.forest) throw notFitted(this.kind);
    return { kind: this.kind, options: { ...this.options }, model: JSON.parse(JSON.stringify(this.forest.toJSON())) };
  }

  static load(serialized: SerializedClassifier): RandomForestModel {
    const model = new RandomForestModel(serialized.options as RandomForestModel['options']);
    model.forest = RandomForestClassifier.load(serialized.model as never);
    return model;
  }
}

// Logistic regression with an intercept. The default Newton solver minimises scikit-learn's objective
// (L2 penalty, C = 1, intercept unpenalised) to convergence; the 'gradient-descent' solver runs ml-logistic-
// regression's unpenalised gradient ascent on a design with a leading column of ones, which supplies the
// intercept that package lacks.
class LogisticRegressionModel implements BinaryClassifier {
  readonly kind = 'logistic-regression' as const;
  private coefficients?: number[];
  private intercept = 0;
  constructor(private readonly options: { inverseRegularization: number; solver: 'newton' | 'gradient-descent' }) {}

  fit(rows: number[][], labels: number[]): void {
    if (this.options.solver === 'gradient-descent') {
      const model = new MlLogisticRegression({ numSteps: 20_000, learningRate: 5e-3 });
      model.train(new Matrix(rows.map((row) => [1, ...row])), Matrix.columnVector(labels));
      // Its classifier 0 models "label is not 0", that is P(label = 1).
      const weights = model.classifiers[0].weights.to1DArray();
      this.intercept = weights[0];
      this.coefficients = weights.slice(1);
      return;
    }
    const fit = fitLogistic(rows, labels, { inverseRegularization: this.options.inverseRegularization });
    this.intercept = fit.intercept;
    this.coefficients = fit.coefficients;
  }

  /** Fitted coefficients (one per feature) and intercept. */
  parameters(): { coefficients: number[]; intercept: number } {
    if (!this.coefficients) throw notFitted(this.kind);
    return { coefficients: this.coefficients.slice(), intercept: this.intercept };
  }

  predictProbability(rows: number[][]): number[] {
    const coefficients = this.coefficients;
    if (!coefficients) throw notFitted(this.kind);
    return rows.map((row) => predictLogistic({ coefficients, intercept: this.intercept }, row));
  }

  toJSON(): SerializedClassifier {
    if (!this.coefficients) throw notFitted(this.kind);
    return { kind: this.kind, options: { ...this.options }, model: { coefficients: this.coefficients, intercept: this.intercept } };
  }

  static load(serialized: SerializedClassifier): LogisticRegressionModel {
    const model = new LogisticRegressionModel(serialized.options as LogisticRegressionModel['options']);
    const stored = serialized.model as { coefficients: number[]; intercept: number };
    model.coefficients = stored.coefficients.slice();
    model.intercept = stored.intercept;
    return model;
  }
}

// ml-svm: SMO with an RBF kernel exp(−‖x − y‖² / (2σ²)), σ chosen from gamma = 1 / (p · Var(X)) as
// scikit-learn's gamma='scale' does. ml-svm gives only the margin, so probabilities come from Platt scaling:
// a logistic fit of the label on the training margin with Platt's smoothed targets.
class SvmModel implements BinaryClassifier {
  readonly kind = 'svm' as const;
  private svm?: SVM;
  private platt = { slope: 1, intercept: 0 };
  constructor(private readonly options: { C: number; gamma: number; seed: number }) {}

  fit(rows: number[][], labels: number[]): void {
    const featureCount = rows[0]?.length ?? 1;
    let gamma = this.options.gamma;
    if (!(gamma > 0)) {
      const values = rows.flat();
      const centre = values.reduce((a, b) => a + b, 0) / values.length;
      const spread = values.reduce((a, b) => a + (b - centre) ** 2, 0) / values.length;
      gamma = 1 / (featureCount * (spread > 0 ? spread : 1));
    }
    this.svm = new SVM({
      C: this.options.C,
      kernel: 'rbf',
      kernelOptions: { sigma: Math.sqrt(1 / (2 * gamma)) },
      whitening: false,
      tol: 1e-4,
      maxPasses: 20,
      maxIterations: 100_000,
      random: createRandom(this.options.seed),
    });
    this.svm.train(rows, labels.map((label) => (label === 1 ? 1 : -1)));

    const margins = this.svm.margin(rows);
    const positives = labels.filter((label) => label === 1).length;
    const negatives = labels.length - positives;
    const targets = labels.map((label) => (label === 1 ? (positives + 1) / (positives + 2) : 1 / (negatives + 2)));
    const fit = fitLogistic(margins.map((margin) => [margin]), targets, { inverseRegularization: Infinity, maxIterations: 200 });
    this.platt = { slope: fit.coefficients[0], intercept: fit.intercept };
  }

  /** Signed distance to the separating surface, positive towards class 1. */
  decisionFunction(rows: number[][]): number[] {
    if (!this.svm) throw notFitted(this.kind);
    return this.svm.margin(rows);
  }

  predictProbability(rows: number[][]): number[] {
    return this.decisionFunction(rows).map((margin) =>
      predictLogistic({ coefficients: [this.platt.slope], intercept: this.platt.intercept }, [margin]),
    );
  }

  toJSON(): SerializedClassifier {
    if (!this.svm) throw notFitted(this.kind);
    const model = JSON.parse(JSON.stringify(this.svm.toJSON())) as Record<string, unknown>;
    return { kind: this.kind, options: { ...this.options }, model: { svm: model, platt: this.platt } };
  }

  static load(serialized: SerializedClassifier): SvmModel {
    const model = new SvmModel(serialized.options as SvmModel['options']);
    const stored = serialized.model as { svm: Record<string, unknown>; platt: { slope: number; intercept: number } };
    model.svm = SVM.load(stored.svm);
    model.platt = { ...stored.platt };
    return model;
  }
}

// ml-naivebayes: Gaussian naive Bayes. ml-naivebayes estimates each class's SD with denominator n − 1; the
// wrapper replaces it with the population variance plus varSmoothing × the largest feature variance, as
// scikit-learn's GaussianNB does, and computes the posterior probability the package does not return.
class NaiveBayesModel implements BinaryClassifier {
  readonly kind = 'naive-bayes' as const;
  private model?: GaussianNB;
  constructor(private readonly options: { varSmoothing: number }) {}

  fit(rows: number[][], labels: number[]): void {
    if (new Set(labels).size < 2) throw new RadiomicsError('DATA_INVALID', 'Naive Bayes needs training rows of both classes.');
    const model = new GaussianNB();
    model.train(rows, labels);
    const featureCount = rows[0].length;
    let largestVariance = 0;
    for (let j = 0; j < featureCount; j++) largestVariance = Math.max(largestVariance, populationVariance(rows.map((row) => row[j])));
    const epsilon = this.options.varSmoothing * largestVariance;
    for (let c = 0; c < 2; c++) {
      const classRows = rows.filter((_, i) => labels[i] === c);
      for (let j = 0; j < featureCount; j++) {
        const varianceInClass = populationVariance(classRows.map((row) => row[j])) + epsilon;
        model.means[c][j] = classRows.reduce((sum, row) => sum + row[j], 0) / classRows.length;
        model.calculateProbabilities[c][j + 1] = [1 / Math.sqrt(2 * Math.PI * varianceInClass), -2 * varianceInClass];
      }
    }
    this.model = model;
  }

  predictProbability(rows: number[][]): number[] {
    const model = this.model;
    if (!model) throw notFitted(this.kind);
    return rows.map((row) => {
      const logJoint = [0, 1].map((c) => {
        const parameters = model.calculateProbabilities[c];
        let total = parameters[0] as number;
        for (let j = 0; j < row.length; j++) {
          const [normaliser, denominator] = parameters[j + 1] as [number, number];
          const deviation = row[j] - model.means[c][j];
          total += Math.log(normaliser) + (deviation * deviation) / denominator;
        }
        return total;
      });
      return 1 / (1 + Math.exp(logJoint[0] - logJoint[1]));
    });
  }

  toJSON(): SerializedClassifier {
    if (!this.model) throw notFitted(this.kind);
    return { kind: this.kind, options: { ...this.options }, model: JSON.parse(JSON.stringify(this.model.toJSON())) };
  }

  static load(serialized: SerializedClassifier): NaiveBayesModel {
    const model = new NaiveBayesModel(serialized.options as NaiveBayesModel['options']);
    model.model = GaussianNB.load(serialized.model);
    return model;
  }
}

function populationVariance(values: number[]): number {
  const centre = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - centre) ** 2, 0) / values.length;
}

// ml-knn: k nearest neighbours by Euclidean distance through a k-d tree; the probability is the fraction of the
// k neighbours in class 1 (uniform weights). Equidistant neighbours may be chosen differently from scikit-learn.
class KnnModel implements BinaryClassifier {
  readonly kind = 'knn' as const;
  private knn?: KNN;
  constructor(private readonly options: { k: number }) {}

  fit(rows: number[][], labels: number[]): void {
    this.knn = new KNN(rows, labels, { k: Math.min(this.options.k, rows.length) });
  }

  predictProbability(rows: number[][]): number[] {
    const knn = this.knn;
    if (!knn) throw notFitted(this.kind);
    return rows.map((row) => {
      const neighbours = knn.kdTree.nearest(row, knn.k);
      const positives = neighbours.filter(([point]) => point[point.length - 1] === 1).length;
      return positives / neighbours.length;
    });
  }

  toJSON(): SerializedClassifier {
    if (!this.knn) throw notFitted(this.kind);
    return { kind: this.kind, options: { ...this.options }, model: JSON.parse(JSON.stringify(this.knn.toJSON())) };
  }

  static load(serialized: SerializedClassifier): KnnModel {
    const model = new KnnModel(serialized.options as KnnModel['options']);
    model.knn = KNN.load(serialized.model);
    return model;
  }
}

/** Builds an unfitted classifier of `kind` with the given options, seeded where the method is random. */
export function createClassifier(kind: ClassifierKind, options: ClassifierOptions = {}, seed = 0): BinaryClassifier {
  switch (kind) {
    case 'decision-tree':
      return new DecisionTreeModel({ maxDepth: options.decisionTree?.maxDepth ?? 4, minNumSamples: options.decisionTree?.minNumSamples ?? 1 });
    case 'random-forest':
      return new RandomForestModel({
        nEstimators: options.randomForest?.nEstimators ?? 100,
        maxFeatures: options.randomForest?.maxFeatures ?? 0,
        maxDepth: options.randomForest?.maxDepth ?? 50,
        seed,
      });
    case 'logistic-regression':
      return new LogisticRegressionModel({
        inverseRegularization: options.logisticRegression?.inverseRegularization ?? 1,
        solver: options.logisticRegression?.solver ?? 'newton',
      });
    case 'svm':
      return new SvmModel({ C: options.svm?.C ?? 1, gamma: options.svm?.gamma ?? 0, seed });
    case 'naive-bayes':
      return new NaiveBayesModel({ varSmoothing: options.naiveBayes?.varSmoothing ?? 1e-9 });
    case 'knn':
      return new KnnModel({ k: options.knn?.k ?? 5 });
  }
}

/** Restores a fitted classifier from its stored form; throws MODEL_INVALID when it cannot be read. */
export function loadClassifier(serialized: SerializedClassifier): BinaryClassifier {
  try {
    switch (serialized.kind) {
      case 'decision-tree':
        return DecisionTreeModel.load(serialized);
      case 'random-forest':
        return RandomForestModel.load(serialized);
      case 'logistic-regression':
        return LogisticRegressionModel.load(serialized);
      case 'svm':
        return SvmModel.load(serialized);
      case 'naive-bayes':
        return NaiveBayesModel.load(serialized);
      case 'knn':
        return KnnModel.load(serialized);
    }
  } catch (thrown) {
    throw new RadiomicsError('MODEL_INVALID', `The stored ${String(serialized.kind)} classifier cannot be loaded: ${(thrown as Error).message}`, {
      cause: thrown,
    });
  }
  throw new RadiomicsError('MODEL_INVALID', `Unknown classifier kind "${String(serialized.kind)}"; expected one of ${CLASSIFIER_KINDS.join(', ')}.`);
}

/** True when `value` names one of the six classifiers. */
export function isClassifierKind(value: unknown): value is ClassifierKind {
  return typeof value === 'string' && (CLASSIFIER_KINDS as readonly string[]).includes(value);
}
