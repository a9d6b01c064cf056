/**
 * The model artifact: one versioned JSON document with everything scoring needs (feature names,
 * standardisation, the fitted classifier, the cut-off) and a model card with provenance and metrics.
 * `loadModelArtifact` validates an untrusted document; `scoreFeatures` applies it to one lesion.
 */
import { RadiomicsError } from '../errors';
import { isClassifierKind, loadClassifier, type BinaryClassifier, type SerializedClassifier } from './classifiers';
import type { ClassificationRates, ConfusionCounts } from './metrics';

export const MODEL_ARTIFACT_FORMAT = 'radiomics-progression-model';
export const MODEL_ARTIFACT_FORMAT_VERSION = 1;

export type PredictedClass = 'progression' | 'non-progression';

/** Headline metrics of one part (training or test) stored in the card; full curves live in the report. */
export interface MetricsSummary {
  n: number;
  positives: number;
  negatives: number;
  auc: number;
  aucCiDelong: [number, number];
  aucCiBootstrap?: [number, number];
  /** Cut-off the confusion matrix was taken at: the model's threshold. */
  threshold: number;
  confusion: ConfusionCounts;
  rates: ClassificationRates;
  brier: number | null;
  /** ROC points (the dashboard draws them). */
  roc?: { fpr: number[]; tpr: number[] };
  /** Net benefit over thresholds 0.01–0.99 (the dashboard draws it). */
  decisionCurve?: { thresholds: number[]; netBenefitModel: number[]; netBenefitTreatAll: number[]; netBenefitTreatNone: number[] };
}

export interface ModelComparisonRow {
  kind: string;
  trainAuc: number;
  testAuc: number | null;
  cvAucMean: number | null;
  cvAucSd: number | null;
}

export interface ModelCard {
  /** True when the model was trained on made-up data: never for clinical use. */
  synthetic: boolean;
  intendedUse: string;
  description: string;
  provenance: {
    productVersion: string;
    createdBy: string;
    /** SHA-256 of the training inputs (features then labels, as bytes). */
    trainingDataHash: string;
    inputs: { features: string; labels: string };
    split: { unit: string; seed: number; testFraction: number; trainCases: number; testCases: number; trainPatients: number; testPatients: number };
    /** The training configuration after defaults were applied. */
    config: Record<string, unknown>;
    /** Extraction settings the features were computed with, when known. */
    extractionSettings?: Record<string, unknown>;
  };
  selection: {
    candidateFeatures: number;
    afterVarianceFilter: number;
    afterUnivariateFilter: number | null;
    afterMultivariableFilter: number | null;
    rfeFeatureCount: number;
    rfeCountChosenBy: string;
  };
  chosenClassifier: string;
  choiceRule: string;
  metrics: { training: MetricsSummary; test: MetricsSummary | null };
  modelComparison: ModelComparisonRow[];
}

export interface ModelArtifact {
  format: typeof MODEL_ARTIFACT_FORMAT;
  formatVersion: number;
  /** Model version, used as its id in storage and results (for example "demo-synthetic-v1"). */
  version: string;
  createdAt: string;
  /** Features the model reads, in the order of the standardisation vectors. */
  featureNames: string[];
  standardisation: { mean: number[]; scale: number[] };
  classifier: SerializedClassifier;
  /** Probability cut-off: progression is predicted when probability ≥ threshold (Youden cut-off on training). */
  threshold: number;
  positiveClass: 'progression';
  /** SHA-256 of the extraction settings the features must be computed with, when recorded. */
  settingsHash?: string;
  card: ModelCard;
}

export interface ScoreResult {
  probability: number;
  predictedClass: PredictedClass;
  threshold: number;
}

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function invalid(message: string, details: Record<string, unknown> = {}): RadiomicsError {
  return new RadiomicsError('MODEL_INVALID', `Model artifact invalid: ${message}`, { details });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireFiniteArray(value: unknown, name: string, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((item) => typeof item === 'number' && Number.isFinite(item))) {
    throw invalid(`"${name}" must be an array of ${length} finite numbers.`);
  }
  return value as number[];
}

const loadedClassifiers = new WeakMap<ModelArtifact, BinaryClassifier>();

/**
 * Validates a parsed artifact document (or its JSON text) and returns it typed, with its classifier restored.
 * Throws MODEL_INVALID naming the first field that is wrong.
 */
export function loadModelArtifact(json: unknown): ModelArtifact {
  let document = json;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document);
    } catch (thrown) {
      throw invalid(`the text is not JSON (${(thrown as Error).message}).`);
    }
  }
  if (!isRecord(document)) throw invalid('the document must be a JSON object.');
  if (document.format !== MODEL_ARTIFACT_FORMAT) throw invalid(`"format" must be "${MODEL_ARTIFACT_FORMAT}".`);
  if (document.formatVersion !== MODEL_ARTIFACT_FORMAT_VERSION) {
    throw invalid(`"formatVersion" ${String(document.formatVersion)} is not supported; this product reads version ${MODEL_ARTIFACT_FORMAT_VERSION}.`);
  }
  if (typeof document.version !== 'string' || !VERSION_PATTERN.test(document.version)) {
    throw invalid('"version" must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
  }
  if (typeof document.createdAt !== 'string' || Number.isNaN(Date.parse(document.createdAt))) throw invalid('"createdAt" must be an ISO 8601 time.');

  const featureNames = document.featureNames;
  if (!Array.isArray(featureNames) || featureNames.length === 0 || !featureNames.every((name) => typeof name === 'string' && name.length > 0)) {
    throw invalid('"featureNames" must be a non-empty array of feature names.');
  }
  if (new Set(featureNames).size !== featureNames.length) throw invalid('"featureNames" lists a feature twice.');

  if (!isRecord(document.standardisation)) throw invalid('"standardisation" must be an object with "mean" and "scale".');
  requireFiniteArray(document.standardisation.mean, 'standardisation.mean', featureNames.length);
  const scale = requireFiniteArray(document.standardisation.scale, 'standardisation.scale', featureNames.length);
  if (!scale.every((value) => value > 0)) throw invalid('"standardisation.scale" values must be positive.');

  if (typeof document.threshold !== 'number' || !Number.isFinite(document.threshold)) throw invalid('"threshold" must be a finite number.');
  if (document.positiveClass !== 'progression') throw invalid('"positiveClass" must be "progression".');
  if (document.settingsHash !== undefined && (typeof document.settingsHash !== 'string' || !/^[0-9a-f]{64}$/.test(document.settingsHash))) {
    throw invalid('"settingsHash" must be a SHA-256 hex digest when present.');
  }

  const card = document.card;
  if (!isRecord(card)) throw invalid('"card" must be an object.');
  if (typeof card.synthetic !== 'boolean') throw invalid('"card.synthetic" must be true or false.');
  if (!isRecord(card.provenance)) throw invalid('"card.provenance" must be an object.');
  if (!isRecord(card.metrics) || !isRecord(card.metrics.training)) throw invalid('"card.metrics.training" must be an object.');

  const classifier = document.classifier;
  if (!isRecord(classifier) || !isClassifierKind(classifier.kind) || !isRecord(classifier.model) || !isRecord(classifier.options)) {
    throw invalid('"classifier" must hold a known "kind", its "options" and its "model".');
  }

  const artifact = document as unknown as ModelArtifact;
  const restored = loadClassifier(artifact.classifier);
  // A trial score at the training mean catches a model that loads but cannot predict.
  let probability: number;
  try {
    probability = restored.predictProbability([new Array<number>(featureNames.length).fill(0)])[0];
  } catch (thrown) {
    throw invalid(`the ${artifact.classifier.kind} classifier cannot score (${(thrown as Error).message}).`);
  }
  if (!(probability >= 0 && probability <= 1)) throw invalid(`the ${artifact.classifier.kind} classifier returns a probability outside [0, 1].`);
  loadedClassifiers.set(artifact, restored);
  return artifact;
}

function classifierOf(artifact: ModelArtifact): BinaryClassifier {
  let classifier = loadedClassifiers.get(artifact);
  if (!classifier) {
    loadModelArtifact(artifact);
    classifier = loadedClassifiers.get(artifact)!;
  }
  return classifier;
}

/**
 * Scores one lesion's features (PyRadiomics names → values). Extra features are ignored. Throws FEATURES_MISSING
 * listing every feature the model needs that is absent or not a finite number.
 */
export function scoreFeatures(artifact: ModelArtifact, features: Record<string, number>): ScoreResult {
  const classifier = classifierOf(artifact);
  const missing = artifact.featureNames.filter((name) => !(typeof features[name] === 'number' && Number.isFinite(features[name])));
  if (missing.length > 0) {
    throw new RadiomicsError(
      'FEATURES_MISSING',
      `Model ${artifact.version} needs ${missing.length} feature(s) that are missing or not finite: ${missing.join(', ')}.`,
      { details: { modelVersion: artifact.version, missing } },
    );
  }
  const { mean, scale } = artifact.standardisation;
  const row = artifact.featureNames.map((name, j) => (features[name] - mean[j]) / scale[j]);
  const probability = classifier.predictProbability([row])[0];
  return {
    probability,
    predictedClass: probability >= artifact.threshold ? 'progression' : 'non-progression',
    threshold: artifact.threshold,
  };
}
