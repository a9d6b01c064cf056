/**
 * Re-scoring of stored feature sets with one model version.
 *
 * A run pages through every stored feature set and writes one score per lesion for the model version.
 * Scores are write-once per (lesion, version) in the result store, so a repeated or interrupted run redoes
 * nothing that already succeeded: it is idempotent, and a checkpoint of the last finished page lets it
 * resume without re-reading earlier pages. Features are re-extracted only when the lesion's settings hash
 * differs from the one the model was trained on, and only through the `reextract` hook the caller supplies.
 */
import { RadiomicsError, toRadiomicsError } from '../errors';
import type { LesionFeatureSet, LesionKey, LesionScore, Page, PredictedClass, ResultStore } from '../pipeline/ports';

/** One model version's scoring function, as built from a model artifact. */
export interface LesionScorer {
  readonly version: string;
  /** Settings hash of the features the model expects; undefined when the artifact does not record one. */
  readonly settingsHash?: string;
  /** Feature names the model reads; a store that can project columns reads only these. */
  readonly featureNames?: readonly string[];
  /** Throws RadiomicsError FEATURES_MISSING when a feature the model needs is absent. */
  score(features: Readonly<Record<string, number>>): { probability: number; predictedClass: PredictedClass; threshold: number };
}

/**
 * Optional fast paths of a result store. Re-scoring works without them. With them, the SQLite store skips
 * decoding all 851 features of every lesion and writes a page of scores in one transaction.
 */
export interface RescoreFastPaths {
  /** Pages like scanFeatureSets, but each feature set holds only the named features, with keys and settings hash. */
  scanFeatureVectors?(cursor: string | undefined, limit: number, featureNames: readonly string[]): Promise<Page<LesionFeatureSet>>;
  putScores?(scores: readonly LesionScore[]): Promise<boolean[]>;
}

/** Storage of a run's position, so that an interrupted run continues after its last finished page. */
export interface RescoreCheckpoint {
  load(): Promise<RescoreCheckpointState | undefined>;
  save(state: RescoreCheckpointState): Promise<void>;
  clear(): Promise<void>;
}

export interface RescoreCheckpointState {
  readonly modelVersion: string;
  /** Cursor of the next page to read. */
  readonly cursor: string;
  readonly counts: RescoreCounts;
}

export interface RescoreCounts {
  /** Lesions that gained a score for the model version in this run. */
  scored: number;
  /** Lesions that already had a score for the version (an earlier or concurrent run wrote it). */
  alreadyScored: number;
  /** Lesions re-extracted because their settings hash differed from the model's. */
  reextracted: number;
  /** Lesions left unscored because their settings hash differs and no re-extraction hook was given. */
  settingsMismatch: number;
  /** Lesions whose scoring failed, for example FEATURES_MISSING. */
  failed: number;
}

export interface RescoreFailure extends LesionKey {
  readonly code: string;
  readonly message: string;
}

export interface RescoreProgress extends RescoreCounts {
  readonly modelVersion: string;
  /** Lesions processed so far, including those counted by a resumed checkpoint. */
  readonly processed: number;
  /** Total number of stored lesions when the caller knows it, for a progress bar. */
  readonly total?: number;
}

export interface RescoreSummary extends RescoreProgress {
  /** False when the run stopped early on its abort signal; its checkpoint then points at the next page. */
  readonly complete: boolean;
  /** True when the run continued from a checkpoint. */
  readonly resumed: boolean;
  /** The first failures, for the report; `failed` has the full count. */
  readonly failures: readonly RescoreFailure[];
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface RescoreBatchOptions {
  readonly store: ResultStore & RescoreFastPaths;
  readonly scorer: LesionScorer;
  /** Re-extracts a lesion with the model's settings, storing and returning the new feature set. */
  readonly reextract?: (featureSet: LesionFeatureSet, settingsHash: string) => Promise<LesionFeatureSet>;
  readonly now?: () => string;
}

export interface RescoreOptions extends RescoreBatchOptions {
  /** Feature sets read per page; default 500. */
  readonly pageSize?: number;
  readonly checkpoint?: RescoreCheckpoint;
  readonly total?: number;
  readonly onProgress?: (progress: RescoreProgress) => void;
  /** Stops the run after the current page; the checkpoint then points at the next page. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_RESCORE_PAGE_SIZE = 500;
const MAX_REPORTED_FAILURES = 100;

export function emptyCounts(): RescoreCounts {
  return { scored: 0, alreadyScored: 0, reextracted: 0, settingsMismatch: 0, failed: 0 };
}

export function addCounts(target: RescoreCounts, source: RescoreCounts): RescoreCounts {
  target.scored += source.scored;
  target.alreadyScored += source.alreadyScored;
  target.reextracted += source.reextracted;
  target.settingsMismatch += source.settingsMismatch;
  target.failed += source.failed;
  return target;
}

export function processedCount(counts: RescoreCounts): number {
  return counts.scored + counts.alreadyScored + counts.settingsMismatch + counts.failed;
}

/**
 * Scores one batch of feature sets with the model and stores the scores. Used per page by `rescoreAll` and
 * per Distributed Map batch by the cloud's rescore-batch function.
 */
export async function rescoreFeatureSets(
  featureSets: readonly LesionFeatureSet[],
  options: RescoreBatchOptions,
): Promise<{ counts: RescoreCounts; failures: RescoreFailure[] }> {
  const { store, scorer } = options;
  const now = options.now ?? (() => new Date().toISOString());
  const counts = emptyCounts();
  const failures: RescoreFailure[] = [];
  const pending: LesionScore[] = [];
  const scoredAt = now();

  for (const stored of featureSets) {
    const key: LesionKey = { siteId: stored.siteId, studyId: stored.studyId, lesionId: stored.lesionId };
    try {
      let featureSet = stored;
      if (scorer.settingsHash !== undefined && featureSet.settingsHash !== scorer.settingsHash) {
        if (!options.reextract) {
          counts.settingsMismatch++;
          continue;
        }
        featureSet = await options.reextract(featureSet, scorer.settingsHash);
        counts.reextracted++;
      }
      const result = scorer.score(featureSet.features);
      pending.push({ ...key, modelVersion: scorer.version, probability: result.probability, predictedClass: result.predictedClass, threshold: result.threshold, scoredAt });
    } catch (thrown) {
      const error = toRadiomicsError(thrown);
      counts.failed++;
      failures.push({ ...key, code: error.code, message: error.message });
    }
  }

  const written = store.putScores ? await store.putScores(pending) : await Promise.all(pending.map((score) => store.putScore(score)));
  for (const wrote of written) {
    if (wrote) counts.scored++;
    else counts.alreadyScored++;
  }
  return { counts, failures };
}

/** Re-scores every stored feature set with one model version, resuming from the checkpoint when one is saved. */
export async function rescoreAll(options: RescoreOptions): Promise<RescoreSummary> {
  const { store, scorer, checkpoint } = options;
  const now = options.now ?? (() => new Date().toISOString());
  const pageSize = options.pageSize ?? DEFAULT_RESCORE_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new RadiomicsError('REQUEST_INVALID', `The re-scoring page size must be a positive integer, not ${pageSize}.`);
  }
  const startedAt = now();

  // A checkpoint of another model version belongs to an abandoned run and is ignored.
  const saved = await checkpoint?.load();
  const resumable = saved !== undefined && saved.modelVersion === scorer.version;
  const counts = resumable ? { ...emptyCounts(), ...saved.counts } : emptyCounts();
  let cursor: string | undefined = resumable ? saved.cursor : undefined;
  const failures: RescoreFailure[] = [];

  const report = (): RescoreProgress => ({ modelVersion: scorer.version, ...counts, processed: processedCount(counts), total: options.total });
  options.onProgress?.(report());

  const projected = scorer.featureNames !== undefined && store.scanFeatureVectors !== undefined;
  do {
    if (options.signal?.aborted) break;
    const page: Page<LesionFeatureSet> = projected
      ? await store.scanFeatureVectors!(cursor, pageSize, scorer.featureNames!)
      : await store.scanFeatureSets(cursor, pageSize);

    const batch = await rescoreFeatureSets(page.items, options);
    addCounts(counts, batch.counts);
    for (const failure of batch.failures) if (failures.length < MAX_REPORTED_FAILURES) failures.push(failure);

    cursor = page.nextCursor;
    if (cursor !== undefined) await checkpoint?.save({ modelVersion: scorer.version, cursor, counts: { ...counts } });
    options.onProgress?.(report());
  } while (cursor !== undefined);

  const complete = cursor === undefined;
  if (complete) await checkpoint?.clear();
  return { ...report(), complete, resumed: resumable, failures, startedAt, finishedAt: now() };
}
