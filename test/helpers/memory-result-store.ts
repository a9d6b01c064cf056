// An in-memory ResultStore and BlobStore for API and re-scoring tests.
//
// It follows the contract in pipeline/ports.ts (conditional transitions, write-once scores, a feature set
// replaced only when its settings hash differs) so that tests written against it hold for the SQLite and
// DynamoDB adapters too. Studies list oldest first, as the SQLite store does; cursors are base64url offsets.
import { RadiomicsError } from '@radiomics/core';
import type {
  AuditEvent,
  BlobObject,
  BlobStore,
  LesionFeatureSet,
  LesionKey,
  LesionScore,
  ModelRecord,
  Page,
  ResultStore,
  SiteSummary,
  StudyKey,
  StudyQuery,
  StudyRecord,
  StudyStatus,
} from '@radiomics/core/pipeline/ports';

const studyId = (key: StudyKey): string => `${key.siteId}\u0000${key.studyId}`;
const lesionId = (key: LesionKey): string => `${studyId(key)}\u0000${key.lesionId}`;

function encodeCursor(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isInteger(offset) || offset < 0) throw new RadiomicsError('REQUEST_INVALID', 'The page cursor is invalid.');
  return offset;
}

export class MemoryResultStore implements ResultStore {
  readonly studies = new Map<string, StudyRecord>();
  readonly audit = new Map<string, AuditEvent[]>();
  readonly featureSets = new Map<string, LesionFeatureSet>();
  readonly scores = new Map<string, LesionScore[]>();
  readonly models = new Map<string, ModelRecord>();
  activeVersion: string | undefined;
  /** Number of putScore calls, to check that a resumed run does not redo work. */
  putScoreCalls = 0;

  async createStudy(study: StudyRecord): Promise<boolean> {
    if (this.studies.has(studyId(study))) return false;
    this.studies.set(studyId(study), study);
    this.audit.set(studyId(study), [{ siteId: study.siteId, studyId: study.studyId, at: study.receivedAt, fromStatus: null, toStatus: study.status }]);
    return true;
  }

  async transitionStudy(
    key: StudyKey,
    fromStatuses: readonly StudyStatus[],
    toStatus: StudyStatus,
    patch: Partial<Omit<StudyRecord, 'siteId' | 'studyId' | 'status'>> = {},
  ): Promise<boolean> {
    const current = this.studies.get(studyId(key));
    if (!current || !fromStatuses.includes(current.status)) return false;
    const updatedAt = patch.updatedAt ?? new Date().toISOString();
    this.studies.set(studyId(key), { ...current, ...patch, status: toStatus, updatedAt });
    const detail = patch.failure ? `${patch.failure.code}: ${patch.failure.message}` : undefined;
    this.audit.get(studyId(key))!.push({ siteId: key.siteId, studyId: key.studyId, at: updatedAt, fromStatus: current.status, toStatus, detail });
    return true;
  }

  async getStudy(key: StudyKey): Promise<StudyRecord | undefined> {
    return this.studies.get(studyId(key));
  }

  async listStudies(query: StudyQuery): Promise<Page<StudyRecord>> {
    const matching = [...this.studies.values()]
      .filter((study) => query.siteId === undefined || study.siteId === query.siteId)
      .filter((study) => query.status === undefined || study.status === query.status)
      .filter((study) => query.receivedFrom === undefined || study.receivedAt >= query.receivedFrom)
      .filter((study) => query.receivedTo === undefined || study.receivedAt <= query.receivedTo)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || studyId(a).localeCompare(studyId(b)));
    const offset = decodeCursor(query.cursor);
    const limit = query.limit ?? 50;
    const items = matching.slice(offset, offset + limit);
    return { items, nextCursor: offset + limit < matching.length ? encodeCursor(offset + limit) : undefined };
  }

  async listAuditEvents(key: StudyKey): Promise<AuditEvent[]> {
    return [...(this.audit.get(studyId(key)) ?? [])];
  }

  async putFeatureSet(featureSet: LesionFeatureSet): Promise<void> {
    const existing = this.featureSets.get(lesionId(featureSet));
    if (existing && existing.settingsHash === featureSet.settingsHash) return;
    this.featureSets.set(lesionId(featureSet), featureSet);
  }

  async getFeatureSet(key: LesionKey): Promise<LesionFeatureSet | undefined> {
    return this.featureSets.get(lesionId(key));
  }

  async listFeatureSets(key: StudyKey): Promise<LesionFeatureSet[]> {
    const prefix = `${studyId(key)}\u0000`;
    return [...this.featureSets.entries()]
      .filter(([id]) => id.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, featureSet]) => featureSet);
  }

  async scanFeatureSets(cursor: string | undefined, limit: number): Promise<Page<LesionFeatureSet>> {
    const all = [...this.featureSets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, featureSet]) => featureSet);
    const offset = decodeCursor(cursor);
    const items = all.slice(offset, offset + limit);
    return { items, nextCursor: offset + limit < all.length ? encodeCursor(offset + limit) : undefined };
  }

  async putScore(score: LesionScore): Promise<boolean> {
    this.putScoreCalls++;
    const list = this.scores.get(lesionId(score)) ?? [];
    if (list.some((existing) => existing.modelVersion === score.modelVersion)) return false;
    list.push(score);
    this.scores.set(lesionId(score), list);
    return true;
  }

  async listScores(key: LesionKey): Promise<LesionScore[]> {
    return [...(this.scores.get(lesionId(key)) ?? [])].sort((a, b) => a.scoredAt.localeCompare(b.scoredAt));
  }

  async putModel(model: ModelRecord): Promise<void> {
    this.models.set(model.version, model);
  }

  async getModel(version: string): Promise<ModelRecord | undefined> {
    return this.models.get(version);
  }

  async listModels(): Promise<ModelRecord[]> {
    return [...this.models.values()].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
  }

  async setActiveModel(version: string): Promise<void> {
    if (!this.models.has(version)) throw new RadiomicsError('MODEL_NOT_FOUND', `Model version ${version} is not published.`);
    this.activeVersion = version;
  }

  async getActiveModel(): Promise<ModelRecord | undefined> {
    return this.activeVersion === undefined ? undefined : this.models.get(this.activeVersion);
  }

  async siteSummaries(): Promise<SiteSummary[]> {
    const active = this.activeVersion;
    const bySite = new Map<string, { studiesByStatus: Partial<Record<StudyStatus, number>>; lesionsScored: number; lesionsPredictedProgression: number }>();
    for (const study of this.studies.values()) {
      const summary = bySite.get(study.siteId) ?? { studiesByStatus: {}, lesionsScored: 0, lesionsPredictedProgression: 0 };
      summary.studiesByStatus[study.status] = (summary.studiesByStatus[study.status] ?? 0) + 1;
      bySite.set(study.siteId, summary);
    }
    for (const [id, scores] of this.scores) {
      const siteId = id.split('\u0000')[0];
      const summary = bySite.get(siteId);
      // Like the SQLite store, counts refer to the active model's scores only.
      const current = scores.find((score) => score.modelVersion === active);
      if (!summary || !current) continue;
      summary.lesionsScored++;
      if (current.predictedClass === 'progression') summary.lesionsPredictedProgression++;
    }
    return [...bySite.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([siteId, summary]) => ({ siteId, ...summary }));
  }
}

export class MemoryBlobStore implements BlobStore {
  readonly objects = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new RadiomicsError('FILE_NOT_FOUND', `Blob ${key} does not exist.`);
    return body;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async list(prefix: string): Promise<BlobObject[]> {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, body]) => ({ key, size: body.length }));
  }

  async copy(sourceKey: string, targetKey: string): Promise<void> {
    this.objects.set(targetKey, await this.get(sourceKey));
  }
}

/** The two features the study's decision tree uses; the seeded models score on them. */
export const SEED_FEATURE_NAMES = ['wavelet-HHH_firstorder_Mean', 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis'] as const;

export const SEED_SETTINGS_HASH = 'a'.repeat(64);

/** A minimal model artifact as the API reads it: version, feature names, threshold and card. */
export function seedModelArtifact(version: string, synthetic = true): Record<string, unknown> {
  return {
    version,
    featureNames: [...SEED_FEATURE_NAMES],
    threshold: 0.5,
    settingsHash: SEED_SETTINGS_HASH,
    card: {
      synthetic,
      provenance: { trainingDataHash: 'f'.repeat(64), splitSeed: 7, productVersion: '0.1.0' },
      metrics: {
        training: { auc: 0.91, roc: [{ fpr: 0, tpr: 0 }, { fpr: 0.1, tpr: 0.7 }, { fpr: 1, tpr: 1 }] },
        test: { auc: 0.8, roc: { fpr: [0, 0.2, 1], tpr: [0, 0.6, 1] } },
      },
      dca: { thresholds: [0.1, 0.5, 0.9], model: [0.3, 0.2, 0.01], treatAll: [0.25, -0.3, -3], treatNone: [0, 0, 0] },
    },
  };
}

export async function seedModel(store: ResultStore, blobs: BlobStore, version: string, publishedAt: string): Promise<ModelRecord> {
  const artifact = seedModelArtifact(version);
  const model: ModelRecord = {
    version,
    artifactKey: `models/${version}.json`,
    publishedAt,
    settingsHash: SEED_SETTINGS_HASH,
    card: artifact.card as Record<string, unknown>,
  };
  await blobs.put(model.artifactKey, JSON.stringify(artifact));
  await store.putModel(model);
  return model;
}

/**
 * Seeds two sites: site-a with two completed studies (three lesions) and one failed study, site-b with one
 * completed study (one lesion). Every lesion is scored by model demo-v1, which is active.
 */
export async function seedResults(store: ResultStore, blobs: BlobStore): Promise<void> {
  await seedModel(store, blobs, 'demo-v1', '2026-11-01T00:00:00.000Z');
  await store.setActiveModel('demo-v1');

  const studies: { siteId: string; studyId: string; receivedAt: string; lesions: { id: string; hhh: number; lhl: number; probability: number }[] }[] = [
    { siteId: 'site-a', studyId: 'study-001', receivedAt: '2026-11-10T09:00:00.000Z', lesions: [{ id: 'lesion-1', hhh: 1.25, lhl: 0.031, probability: 0.82 }, { id: 'lesion-2', hhh: -0.5, lhl: 0.044, probability: 0.12 }] },
    { siteId: 'site-a', studyId: 'study-002', receivedAt: '2026-11-20T09:00:00.000Z', lesions: [{ id: 'lesion-1', hhh: 0.75, lhl: 0.029, probability: 0.64 }] },
    { siteId: 'site-b', studyId: 'study-101', receivedAt: '2026-11-15T09:00:00.000Z', lesions: [{ id: 'lesion-1', hhh: -1.5, lhl: 0.052, probability: 0.05 }] },
  ];

  for (const study of studies) {
    const key = { siteId: study.siteId, studyId: study.studyId };
    await store.createStudy({ ...key, status: 'RECEIVED', uploadKey: `incoming/${study.siteId}/${study.studyId}.zip`, receivedAt: study.receivedAt, updatedAt: study.receivedAt });
    await store.transitionStudy(key, ['RECEIVED'], 'VALIDATING', { updatedAt: study.receivedAt.replace('09:00', '09:01') });
    await store.transitionStudy(key, ['VALIDATING'], 'EXTRACTING', { updatedAt: study.receivedAt.replace('09:00', '09:02') });
    for (const lesion of study.lesions) {
      await store.putFeatureSet({
        ...key,
        lesionId: lesion.id,
        label: 1,
        maskFile: `${lesion.id}.nii.gz`,
        features: { [SEED_FEATURE_NAMES[0]]: lesion.hhh, [SEED_FEATURE_NAMES[1]]: lesion.lhl, original_shape_VoxelVolume: 1000 },
        settingsHash: SEED_SETTINGS_HASH,
        provenance: { productVersion: '0.1.0' },
        extractedAt: study.receivedAt.replace('09:00', '09:03'),
      });
    }
    await store.transitionStudy(key, ['EXTRACTING'], 'SCORING', { updatedAt: study.receivedAt.replace('09:00', '09:04') });
    for (const lesion of study.lesions) {
      await store.putScore({
        ...key,
        lesionId: lesion.id,
        modelVersion: 'demo-v1',
        probability: lesion.probability,
        predictedClass: lesion.probability >= 0.5 ? 'progression' : 'non-progression',
        threshold: 0.5,
        scoredAt: study.receivedAt.replace('09:00', '09:05'),
      });
    }
    await store.transitionStudy(key, ['SCORING'], 'COMPLETED', { updatedAt: study.receivedAt.replace('09:00', '09:06'), lesionCount: study.lesions.length });
  }

  const failed = { siteId: 'site-a', studyId: 'study-003' };
  await store.createStudy({ ...failed, status: 'RECEIVED', uploadKey: 'incoming/site-a/study-003.zip', receivedAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z' });
  await store.transitionStudy(failed, ['RECEIVED'], 'VALIDATING', { updatedAt: '2026-11-25T09:01:00.000Z' });
  await store.transitionStudy(failed, ['VALIDATING'], 'FAILED', {
    updatedAt: '2026-11-25T09:02:00.000Z',
    failure: { code: 'LABEL_NOT_FOUND', message: 'Label 2 is not in mask lesion-1.nii.gz; labels present: 1.', action: 'Correct the label value in the manifest, or re-export the mask with it.' },
  });
}
