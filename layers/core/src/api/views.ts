/**
 * The JSON shapes the results API returns, built from store records.
 *
 * Records are copied field by field rather than spread, so that a field added to a store record (an upload
 * key, a mask file name from the upload, extraction provenance) never reaches the dashboard by accident.
 */
import type {
  AuditEvent,
  LesionFeatureSet,
  LesionScore,
  ModelRecord,
  SiteSummary,
  StudyFailure,
  StudyRecord,
  StudyStatus,
} from '../pipeline/ports';

export interface StudyView {
  readonly siteId: string;
  readonly studyId: string;
  readonly status: StudyStatus;
  readonly receivedAt: string;
  readonly updatedAt: string;
  readonly lesionCount: number | null;
  readonly failure: StudyFailure | null;
  readonly inferredLayout: string | null;
}

export interface ScoreView {
  readonly modelVersion: string;
  readonly probability: number;
  readonly predictedClass: LesionScore['predictedClass'];
  readonly threshold: number;
  readonly scoredAt: string;
}

export interface LesionSummaryView {
  readonly siteId: string;
  readonly studyId: string;
  readonly lesionId: string;
  readonly label: number;
  readonly extractedAt: string;
  /** Score from the active model, or null when the lesion has none yet. */
  readonly current: ScoreView | null;
  /** Most recent score of any model version. */
  readonly latest: ScoreView | null;
  /** True when the lesion has scores but none from the active model. */
  readonly stale: boolean;
  /** True when `preview.png` serves an image: one was stored, or the server renders it on request. */
  readonly hasPreview: boolean;
}

export interface FeatureValueView {
  readonly name: string;
  /** Null when the stored feature set lacks the feature (the lesion then cannot be scored by that model). */
  readonly value: number | null;
}

export interface SiteSummaryView extends SiteSummary {
  readonly studies: number;
  /** Fraction of scored lesions predicted to progress, or null when none is scored. */
  readonly progressionRate: number | null;
}

export interface ModelSummaryView {
  readonly version: string;
  readonly publishedAt: string;
  readonly settingsHash: string;
  readonly active: boolean;
  readonly synthetic: boolean;
}

export function studyView(study: StudyRecord): StudyView {
  return {
    siteId: study.siteId,
    studyId: study.studyId,
    status: study.status,
    receivedAt: study.receivedAt,
    updatedAt: study.updatedAt,
    lesionCount: study.lesionCount ?? null,
    failure: study.failure ? { code: study.failure.code, message: study.failure.message, action: study.failure.action } : null,
    inferredLayout: study.inferredLayout ?? null,
  };
}

export function auditView(event: AuditEvent): { at: string; fromStatus: StudyStatus | null; toStatus: StudyStatus; detail: string | null } {
  return { at: event.at, fromStatus: event.fromStatus, toStatus: event.toStatus, detail: event.detail ?? null };
}

export function scoreView(score: LesionScore): ScoreView {
  return {
    modelVersion: score.modelVersion,
    probability: score.probability,
    predictedClass: score.predictedClass,
    threshold: score.threshold,
    scoredAt: score.scoredAt,
  };
}

/** Orders a lesion's scores oldest first, so the history reads in the order the models were applied. */
export function sortScores(scores: readonly LesionScore[]): LesionScore[] {
  return [...scores].sort((a, b) => a.scoredAt.localeCompare(b.scoredAt) || a.modelVersion.localeCompare(b.modelVersion));
}

export function lesionSummaryView(
  featureSet: LesionFeatureSet,
  scores: readonly LesionScore[],
  activeVersion: string | undefined,
  rendersPreviews = false,
): LesionSummaryView {
  const sorted = sortScores(scores);
  const current = sorted.find((score) => score.modelVersion === activeVersion);
  const latest = sorted[sorted.length - 1];
  return {
    siteId: featureSet.siteId,
    studyId: featureSet.studyId,
    lesionId: featureSet.lesionId,
    label: featureSet.label,
    extractedAt: featureSet.extractedAt,
    current: current ? scoreView(current) : null,
    latest: latest ? scoreView(latest) : null,
    stale: latest !== undefined && current === undefined,
    hasPreview: rendersPreviews || featureSet.previewKey !== undefined,
  };
}

export function siteSummaryView(summary: SiteSummary): SiteSummaryView {
  const studies = Object.values(summary.studiesByStatus).reduce<number>((total, count) => total + (count ?? 0), 0);
  return {
    siteId: summary.siteId,
    studiesByStatus: { ...summary.studiesByStatus },
    lesionsScored: summary.lesionsScored,
    lesionsPredictedProgression: summary.lesionsPredictedProgression,
    studies,
    progressionRate: summary.lesionsScored > 0 ? summary.lesionsPredictedProgression / summary.lesionsScored : null,
  };
}

/** Reads the synthetic-data flag of a model card; a card without the flag is not claimed to be real data. */
export function isSyntheticCard(card: Readonly<Record<string, unknown>>): boolean {
  return card.synthetic === true;
}

export function modelSummaryView(model: ModelRecord, activeVersion: string | undefined): ModelSummaryView {
  return {
    version: model.version,
    publishedAt: model.publishedAt,
    settingsHash: model.settingsHash,
    active: model.version === activeVersion,
    synthetic: isSyntheticCard(model.card),
  };
}
