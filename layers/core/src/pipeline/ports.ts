/**
 * The storage and messaging interfaces that the workflow steps use.
 *
 * The core never talks to AWS: Lambda handlers bind these ports to S3, DynamoDB and SNS, and the local
 * runner binds them to a folder, SQLite and a JSON-lines file. Both bindings must pass the same contract
 * tests, so a behaviour promised here (idempotence, conditional writes, ordering) holds in both.
 */
import type { RadiomicsError } from '../errors';

// ---------------------------------------------------------------------------------------------------------
// Blob store: uploads, intermediate volumes, feature sets, model artifacts.

export interface BlobObject {
  readonly key: string;
  readonly size: number;
}

export interface BlobStore {
  /** Reads a whole object; throws RadiomicsError FILE_NOT_FOUND when the key does not exist. */
  get(key: string): Promise<Uint8Array>;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Lists every object under a prefix, in key order. */
  list(prefix: string): Promise<BlobObject[]>;
  copy(sourceKey: string, targetKey: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Result store: studies, lesions, feature sets, scores, audit trail and model versions.

export type StudyStatus = 'RECEIVED' | 'VALIDATING' | 'EXTRACTING' | 'SCORING' | 'COMPLETED' | 'FAILED';

export interface StudyKey {
  readonly siteId: string;
  readonly studyId: string;
}

export interface StudyFailure {
  readonly code: string;
  readonly message: string;
  readonly action: string;
}

export interface StudyRecord extends StudyKey {
  readonly status: StudyStatus;
  /** Blob key of the upload (a zip archive or a folder prefix); never deleted or modified. */
  readonly uploadKey: string;
  /** Workflow run that last processed the study (the idempotent execution name). */
  readonly executionName?: string;
  readonly receivedAt: string;
  readonly updatedAt: string;
  readonly lesionCount?: number;
  readonly failure?: StudyFailure;
  /** Quarantine prefix with a copy of a failed study's upload and its reason.json. */
  readonly quarantineKey?: string;
  /** Description of the layout inferred for a study uploaded without a manifest. */
  readonly inferredLayout?: string;
}

export interface LesionKey extends StudyKey {
  readonly lesionId: string;
}

export interface LesionFeatureSet extends LesionKey {
  readonly label: number;
  readonly maskFile: string;
  /** Feature name (PyRadiomics naming) → value. */
  readonly features: Readonly<Record<string, number>>;
  /** SHA-256 of the canonical extraction settings; re-scoring re-extracts only when it changes. */
  readonly settingsHash: string;
  /** Extraction provenance: product version, settings, image and mask hashes, ROI voxel count, bounding box. */
  readonly provenance: Readonly<Record<string, unknown>>;
  /** Blob key of a preview image (mask over CT, central slice), when one was rendered. */
  readonly previewKey?: string;
  readonly extractedAt: string;
}

import type { PredictedClass } from '../modelling/artifact';

/** The same type as the model's output class, re-exported so the two areas never drift apart. */
export type { PredictedClass };

export interface LesionScore extends LesionKey {
  readonly modelVersion: string;
  readonly probability: number;
  readonly predictedClass: PredictedClass;
  /** Cut-off on the probability that separates the classes (the model's Youden threshold). */
  readonly threshold: number;
  readonly scoredAt: string;
}

export interface AuditEvent extends StudyKey {
  readonly at: string;
  readonly fromStatus: StudyStatus | null;
  readonly toStatus: StudyStatus;
  readonly detail?: string;
}

export interface ModelRecord {
  readonly version: string;
  /** Blob key of the model artifact JSON. */
  readonly artifactKey: string;
  readonly publishedAt: string;
  /** Settings hash of the features the model expects. */
  readonly settingsHash: string;
  /** The model card shown in the dashboard: provenance, metrics, synthetic-data flag. */
  readonly card: Readonly<Record<string, unknown>>;
}

export interface StudyQuery {
  readonly siteId?: string;
  readonly status?: StudyStatus;
  /** ISO timestamps bounding `receivedAt`, inclusive. */
  readonly receivedFrom?: string;
  readonly receivedTo?: string;
  readonly limit?: number;
  /** Opaque cursor returned by the previous page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

export interface SiteSummary {
  readonly siteId: string;
  readonly studiesByStatus: Readonly<Partial<Record<StudyStatus, number>>>;
  readonly lesionsScored: number;
  readonly lesionsPredictedProgression: number;
}

export interface ResultStore {
  /** Creates the study if it does not exist; returns false (and changes nothing) when it already does. */
  createStudy(study: StudyRecord): Promise<boolean>;

  /**
   * Moves a study to `toStatus` only if its current status is one of `fromStatuses`, applying `patch`, and
   * appends an audit event in the same write. Returns false when the condition failed, so a repeated or
   * late event never regresses a study.
   */
  transitionStudy(
    key: StudyKey,
    fromStatuses: readonly StudyStatus[],
    toStatus: StudyStatus,
    patch?: Partial<Omit<StudyRecord, 'siteId' | 'studyId' | 'status'>>,
  ): Promise<boolean>;

  getStudy(key: StudyKey): Promise<StudyRecord | undefined>;
  listStudies(query: StudyQuery): Promise<Page<StudyRecord>>;
  listAuditEvents(key: StudyKey): Promise<AuditEvent[]>;

  /** Stores a lesion's feature set; writing the same lesion again replaces it only when the settings hash differs. */
  putFeatureSet(featureSet: LesionFeatureSet): Promise<void>;
  getFeatureSet(key: LesionKey): Promise<LesionFeatureSet | undefined>;
  listFeatureSets(key: StudyKey): Promise<LesionFeatureSet[]>;
  /** Pages through every stored feature set, for re-scoring. */
  scanFeatureSets(cursor: string | undefined, limit: number): Promise<Page<LesionFeatureSet>>;

  /** Stores a score unless one exists for the same lesion and model version; returns whether it wrote. */
  putScore(score: LesionScore): Promise<boolean>;
  listScores(key: LesionKey): Promise<LesionScore[]>;

  putModel(model: ModelRecord): Promise<void>;
  getModel(version: string): Promise<ModelRecord | undefined>;
  listModels(): Promise<ModelRecord[]>;
  setActiveModel(version: string): Promise<void>;
  getActiveModel(): Promise<ModelRecord | undefined>;

  siteSummaries(): Promise<SiteSummary[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Notifier: one message per study outcome and per re-scoring run.

export interface LesionOutcome {
  readonly lesionId: string;
  readonly probability: number;
  readonly predictedClass: PredictedClass;
  readonly modelVersion: string;
}

export type StudyNotification =
  | (StudyKey & { readonly kind: 'study.completed'; readonly lesions: readonly LesionOutcome[]; readonly model: Readonly<Record<string, unknown>> })
  | (StudyKey & { readonly kind: 'study.failed'; readonly failure: StudyFailure })
  | { readonly kind: 'rescore.completed'; readonly modelVersion: string; readonly lesionsScored: number; readonly lesionsSkipped: number };

export interface Notifier {
  publish(notification: StudyNotification): Promise<void>;
}

/** Converts a caught error into the failure record stored on the study and sent to subscribers. */
export function toStudyFailure(error: RadiomicsError): StudyFailure {
  return { code: error.code, message: error.message, action: error.action };
}
