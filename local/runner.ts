/**
 * The embedded default of `radiomics run`. It puts each study into the local blob folder as an upload and
 * starts one execution of the study workflow per study, all concurrently, with the Tasks on a pool of worker
 * threads. Then it reads each study's outcome back from the SQLite store.
 *
 * Idempotent: a study whose upload content is unchanged keeps its execution name and, once it has completed
 * or failed, is not run again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { RadiomicsError, toRadiomicsError } from '@radiomics/core';
import { loadModelArtifact } from '@radiomics/core/modelling';
import {
  WORKFLOW_TASKS,
  executionNameFor,
  folderUploadKey,
  isSafeId,
  modelArtifactKey,
  toTaskError,
  zipUploadKey,
  type LesionScore,
  type ModelRecord,
  type StudyFailure,
  type StudyRunInput,
  type WorkflowFunctionName,
  type WorkflowTask,
} from '@radiomics/core/pipeline';

import { LocalWorkflowExecutor, STUDY_WORKFLOW_PATH } from './executor';
import { PROJECT_ROOT, defaultParamsPath, openLocalStore, type LocalStore, type LocalStoreOptions } from './local-context';
import { discoverStudies, fingerprintFiles, safeId, studyFolderFiles, type DiscoveredStudy } from './study-discovery';
import { WorkerPool, bundleTaskWorker } from './worker-pool';

export const BUNDLED_MODEL_PATH = join(PROJECT_ROOT, 'models', 'demo-synthetic-v1.json');

export interface LocalRunOptions extends LocalStoreOptions {
  /** Site id for studies without a manifest (a manifest's siteId always wins). Default 'local'. */
  readonly siteId?: string;
  /** Worker threads for the Tasks; 0 runs them on the main thread. Default: the number of cores. */
  readonly workers?: number;
}

export interface LesionResult {
  readonly lesionId: string;
  readonly probability: number;
  readonly predictedClass: LesionScore['predictedClass'];
  readonly modelVersion: string;
  readonly featureCount: number;
}

export interface StudyResult {
  readonly siteId: string;
  readonly studyId: string;
  readonly status: 'COMPLETED' | 'FAILED';
  /** False when the study was already processed with the same upload and was not run again. */
  readonly ran: boolean;
  readonly executionName: string;
  readonly lesions: readonly LesionResult[];
  readonly failure?: StudyFailure;
  readonly inferredLayout?: string;
  readonly milliseconds: number;
}

export interface LocalRunReport {
  readonly studies: readonly StudyResult[];
  /** Card of the active model: version, provenance, synthetic flag. */
  readonly model?: ModelRecord;
}

export async function runLocal(paths: readonly string[], options: LocalRunOptions): Promise<LocalRunReport> {
  const studies = discoverStudies(paths);
  if (studies.length === 0) {
    throw new RadiomicsError('FILE_NOT_FOUND', 'No study was found: pass a study folder, a zip archive or a folder of studies.');
  }

  const storeOptions = { ...options, paramsPath: options.paramsPath ?? defaultParamsPath() };
  const store = openLocalStore(storeOptions);
  const workerCount = options.workers ?? availableParallelism();
  const pool = workerCount > 0 ? new WorkerPool(workerCount, storeOptionsOf(storeOptions), await bundleTaskWorker(), { warmUp: true }) : undefined;
  try {
    const model = await ensureActiveModel(store);
    pool?.warmUpIdleWorkers();
    const invoke = (functionName: WorkflowFunctionName, input: unknown) =>
      pool && !STUDY_STEPS.has(functionName) ? pool.run(functionName, input) : invokeInProcess(store, functionName, input);
    const executor = new LocalWorkflowExecutor(invoke, STUDY_WORKFLOW_PATH, { validate: false });

    const results = await Promise.all(studies.map((study) => runStudy(store, executor, study, options.siteId ?? 'local')));
    return { studies: results, model };
  } finally {
    await pool?.close();
    store.close();
  }
}

function storeOptionsOf(options: LocalStoreOptions): LocalStoreOptions {
  const { storeDir, paramsPath, productVersion, verbose, echoNotifications } = options;
  return {
    storeDir,
    ...(paramsPath ? { paramsPath } : {}),
    ...(productVersion ? { productVersion } : {}),
    ...(verbose ? { verbose } : {}),
    ...(echoNotifications ? { echoNotifications } : {}),
  };
}

/**
 * Workflow steps that run on the main thread rather than in a worker: validation and preparation of a study.
 * They run once per study, while the workers are still starting and then warming up their feature code, so
 * the study reaches its extraction units about half a second sooner. Preparation also finds the study that
 * validation loaded still in memory. The nine extraction units per lesion and the later steps go to the workers.
 */
const STUDY_STEPS: ReadonlySet<WorkflowFunctionName> = new Set(['validate-study', 'prepare-lesions']);

async function invokeInProcess(store: LocalStore, functionName: WorkflowFunctionName, input: unknown): Promise<unknown> {
  try {
    const task: WorkflowTask = WORKFLOW_TASKS[functionName];
    return await task(store.context, input);
  } catch (thrown) {
    throw toTaskError(thrown);
  }
}

/** Registers and activates the bundled model when no model version is active yet. */
export async function ensureActiveModel(store: LocalStore, modelPath = BUNDLED_MODEL_PATH): Promise<ModelRecord> {
  const active = await store.results.getActiveModel();
  if (active) return active;

  const text = readFileSync(modelPath, 'utf8');
  const artifact = loadModelArtifact(JSON.parse(text) as unknown);
  const artifactKey = modelArtifactKey(artifact.version);
  await store.blobs.put(artifactKey, text, 'application/json');
  const record: ModelRecord = {
    version: artifact.version,
    artifactKey,
    publishedAt: new Date().toISOString(),
    settingsHash: artifact.settingsHash ?? '',
    card: artifact.card as unknown as Record<string, unknown>,
  };
  await store.results.putModel(record);
  await store.results.setActiveModel(artifact.version);
  return record;
}

async function runStudy(store: LocalStore, executor: LocalWorkflowExecutor, study: DiscoveredStudy, defaultSiteId: string): Promise<StudyResult> {
  const started = performance.now();
  const siteId = isSafeId(study.manifest?.siteId) ? study.manifest.siteId : defaultSiteId;
  const studyId = isSafeId(study.manifest?.studyId) ? study.manifest.studyId : study.proposedStudyId;
  const { uploadKey, fingerprint } = await uploadStudy(store, study, siteId, studyId);
  // The extraction parameters belong to the fingerprint: new settings re-run a study whose upload is unchanged.
  const executionName = executionNameFor(siteId, studyId, `${fingerprint}:${createHash('sha256').update(store.context.params.yaml).digest('hex')}`);

  const existing = await store.results.getStudy({ siteId, studyId });
  const alreadyDone = existing?.executionName === executionName && (existing.status === 'COMPLETED' || existing.status === 'FAILED');
  let conflict: StudyFailure | undefined;
  if (!alreadyDone) {
    const input: StudyRunInput = { siteId, studyId, uploadKey, executionName, receivedAt: new Date().toISOString() };
    const outcome = await executor.run(input);
    if (outcome.status === 'FAILED' && outcome.error === 'STUDY_CONFLICT') {
      conflict = { code: 'STUDY_CONFLICT', message: outcome.cause, action: toRadiomicsError({ code: 'STUDY_CONFLICT' }).action };
    }
  }
  return { ...(await collectResult(store, siteId, studyId, conflict)), ran: !alreadyDone, executionName, milliseconds: Math.round(performance.now() - started) };
}

/**
 * Writes the study into the blob folder as an upload (`incoming/<site>/<study>/…` or `incoming/<site>/<study>.zip`),
 * replacing files of an earlier upload of the same study, and returns the content fingerprint.
 */
async function uploadStudy(store: LocalStore, study: DiscoveredStudy, siteId: string, studyId: string): Promise<{ uploadKey: string; fingerprint: string }> {
  if (study.kind === 'zip') {
    const bytes = new Uint8Array(readFileSync(study.path));
    const uploadKey = zipUploadKey(siteId, studyId);
    await store.blobs.put(uploadKey, bytes, 'application/zip');
    return { uploadKey, fingerprint: fingerprintFiles([{ path: 'archive.zip', bytes }]) };
  }

  const uploadKey = folderUploadKey(siteId, studyId);
  const files = studyFolderFiles(study.path).map((file) => ({ path: file.path, bytes: new Uint8Array(readFileSync(file.absolute)) }));
  const wanted = new Set(files.map((file) => `${uploadKey}${file.path}`));
  for (const object of await store.blobs.list(uploadKey)) {
    if (!wanted.has(object.key)) rmSync(store.blobs.pathOf(object.key));
  }
  for (const file of files) {
    const key = `${uploadKey}${file.path}`;
    // Unchanged files are not rewritten, so a repeated run leaves the upload untouched.
    if ((await store.blobs.exists(key)) && Buffer.compare(await store.blobs.get(key), file.bytes) === 0) continue;
    await store.blobs.put(key, file.bytes);
  }
  return { uploadKey, fingerprint: fingerprintFiles(files) };
}

async function collectResult(
  store: LocalStore,
  siteId: string,
  studyId: string,
  conflict: StudyFailure | undefined,
): Promise<Omit<StudyResult, 'ran' | 'executionName' | 'milliseconds'>> {
  const record = await store.results.getStudy({ siteId, studyId });
  if (conflict || !record || record.status !== 'COMPLETED') {
    const failure = conflict ??
      record?.failure ?? { code: 'INTERNAL_ERROR', message: 'The workflow ended without recording an outcome.', action: toRadiomicsError({ code: 'INTERNAL_ERROR' }).action };
    return { siteId, studyId, status: 'FAILED', lesions: [], failure, ...(record?.inferredLayout ? { inferredLayout: record.inferredLayout } : {}) };
  }

  const active = await store.results.getActiveModel();
  const lesions: LesionResult[] = [];
  for (const featureSet of await store.results.listFeatureSets({ siteId, studyId })) {
    const scores = await store.results.listScores(featureSet);
    const score = scores.find((candidate) => candidate.modelVersion === active?.version) ?? scores[scores.length - 1];
    if (!score) continue;
    lesions.push({
      lesionId: featureSet.lesionId,
      probability: score.probability,
      predictedClass: score.predictedClass,
      modelVersion: score.modelVersion,
      featureCount: Object.keys(featureSet.features).length,
    });
  }
  return { siteId, studyId, status: 'COMPLETED', lesions, ...(record.inferredLayout ? { inferredLayout: record.inferredLayout } : {}) };
}

export { safeId };
