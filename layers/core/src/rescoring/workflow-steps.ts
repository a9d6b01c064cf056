/**
 * The three steps of the re-scoring workflow (functions/workflow/rescore-workflow.asl.json), as plain
 * functions over the ports so that the Lambda handlers stay thin and the steps are tested without AWS.
 *
 * - plan: lists every stored lesion into one JSON array blob, which the Distributed Map reads.
 * - batch: scores one batch of lesions, as the map's ItemBatcher groups them.
 * - summary: adds up the batch counts and publishes one `rescore.completed` notification.
 */
import { RadiomicsError } from '../errors';
import type { BlobStore, LesionFeatureSet, LesionKey, ModelRecord, Notifier, ResultStore } from '../pipeline/ports';
import { parseModelArtifact, scorerFromArtifact } from './model-scorer';
import { addCounts, emptyCounts, processedCount, rescoreFeatureSets, type LesionScorer, type RescoreCounts, type RescoreFailure } from './rescore';

export interface RescorePlanInput {
  /** The execution input: a model version, or nothing for the active version (the nightly schedule). */
  readonly input?: { readonly modelVersion?: string };
  /** Execution name, unique per run; names the items blob. */
  readonly runId: string;
}

export interface RescorePlanOutput {
  readonly modelVersion: string;
  readonly runId: string;
  /** Blob key of the JSON array of lesion keys that the Distributed Map reads. */
  readonly itemsKey: string;
  readonly lesionCount: number;
}

export interface RescoreBatchInput {
  readonly Items: readonly LesionKey[];
  readonly BatchInput: { readonly modelVersion: string };
}

export interface RescoreBatchOutput extends RescoreCounts {
  /** Lesion keys listed in the batch but without a stored feature set (deleted since the plan). */
  readonly missing: number;
  readonly failures: readonly RescoreFailure[];
}

export interface RescoreSummaryInput extends RescorePlanOutput {
  /** Batch counts; the workflow's ResultSelector drops each batch's failure list, which the batch logs. */
  readonly batches: readonly (RescoreCounts & { readonly missing?: number })[];
}

export interface RescoreRunSummary extends RescoreCounts {
  readonly modelVersion: string;
  readonly runId: string;
  readonly lesionCount: number;
  readonly processed: number;
  readonly missing: number;
  readonly batches: number;
}

const PLAN_PAGE_SIZE = 500;
const MAX_BATCH_FAILURES = 20;
const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

export async function resolveModel(store: ResultStore, modelVersion: string | undefined): Promise<ModelRecord> {
  const model = modelVersion === undefined ? await store.getActiveModel() : await store.getModel(modelVersion);
  if (!model) {
    throw new RadiomicsError('MODEL_NOT_FOUND', modelVersion === undefined ? 'No model version is active; publish one first.' : `Model version ${modelVersion} is not published.`);
  }
  return model;
}

export function rescoreItemsKey(modelVersion: string, runId: string): string {
  return `rescore/${modelVersion}/${runId}/lesions.json`;
}

export async function planRescore(store: ResultStore, blobs: BlobStore, input: RescorePlanInput): Promise<RescorePlanOutput> {
  if (!RUN_ID.test(input.runId)) throw new RadiomicsError('REQUEST_INVALID', 'The re-scoring run id must be 1-80 letters, digits, "-" or "_".');
  const model = await resolveModel(store, input.input?.modelVersion);

  const lesions: LesionKey[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.scanFeatureSets(cursor, PLAN_PAGE_SIZE);
    for (const featureSet of page.items) lesions.push({ siteId: featureSet.siteId, studyId: featureSet.studyId, lesionId: featureSet.lesionId });
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  const itemsKey = rescoreItemsKey(model.version, input.runId);
  await blobs.put(itemsKey, JSON.stringify(lesions), 'application/json');
  return { modelVersion: model.version, runId: input.runId, itemsKey, lesionCount: lesions.length };
}

/** Builds scorers from artifacts once per model version, for warm Lambda invocations. */
export class ScorerCache {
  private readonly scorers = new Map<string, LesionScorer>();

  async get(store: ResultStore, blobs: BlobStore, modelVersion: string): Promise<LesionScorer> {
    const cached = this.scorers.get(modelVersion);
    if (cached) return cached;
    const model = await resolveModel(store, modelVersion);
    const { artifact } = parseModelArtifact(new TextDecoder().decode(await blobs.get(model.artifactKey)));
    const scorer = scorerFromArtifact(artifact);
    this.scorers.set(modelVersion, scorer);
    return scorer;
  }
}

export async function runRescoreBatch(store: ResultStore, scorer: LesionScorer, input: RescoreBatchInput): Promise<RescoreBatchOutput> {
  if (!Array.isArray(input.Items)) throw new RadiomicsError('REQUEST_INVALID', 'The re-scoring batch has no "Items" array.');
  const featureSets: LesionFeatureSet[] = [];
  let missing = 0;
  for (const key of input.Items) {
    const featureSet = await store.getFeatureSet(key);
    if (featureSet) featureSets.push(featureSet);
    else missing++;
  }
  const { counts, failures } = await rescoreFeatureSets(featureSets, { store, scorer });
  return { ...counts, missing, failures: failures.slice(0, MAX_BATCH_FAILURES) };
}

export async function summarizeRescore(notifier: Notifier, input: RescoreSummaryInput): Promise<RescoreRunSummary> {
  const counts = emptyCounts();
  let missing = 0;
  for (const batch of input.batches ?? []) {
    addCounts(counts, batch);
    missing += batch.missing ?? 0;
  }
  const summary: RescoreRunSummary = {
    modelVersion: input.modelVersion,
    runId: input.runId,
    lesionCount: input.lesionCount,
    ...counts,
    processed: processedCount(counts),
    missing,
    batches: input.batches?.length ?? 0,
  };
  await notifier.publish({ kind: 'rescore.completed', modelVersion: input.modelVersion, lesionsScored: counts.scored, lesionsSkipped: counts.settingsMismatch + counts.failed + missing });
  return summary;
}
