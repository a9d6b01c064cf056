import { RadiomicsError } from '../../errors';
import { loadModelArtifact, scoreFeatures, type ModelArtifact } from '../../modelling/artifact';
import { loggerOf, nowIso, type PipelineContext } from '../context';
import type { BlobStore, LesionOutcome, ModelRecord, ResultStore } from '../ports';
import type { AggregatedStudy, ScoredStudy } from '../state';

/** Parsed artifacts by blob key: an artifact never changes once published under its version. */
const artifactCache = new Map<string, ModelArtifact>();

export async function loadActiveModel(results: ResultStore, blobs: BlobStore): Promise<{ record: ModelRecord; artifact: ModelArtifact }> {
  const record = await results.getActiveModel();
  if (!record) throw new RadiomicsError('MODEL_NOT_FOUND', 'No model version is active, so the lesions cannot be scored.');

  let artifact = artifactCache.get(record.artifactKey);
  if (!artifact) {
    const text = new TextDecoder().decode(await blobs.get(record.artifactKey));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RadiomicsError('MODEL_INVALID', `The artifact of model ${record.version} is not valid JSON.`);
    }
    artifact = loadModelArtifact(json);
    artifactCache.set(record.artifactKey, artifact);
  }
  return { record, artifact };
}

/**
 * Scores each lesion's stored feature set with the active model version. A score already stored for the
 * same lesion and model version is kept as it is (write-once), so a retried step changes nothing.
 */
export async function scoreLesions(context: PipelineContext, input: AggregatedStudy): Promise<ScoredStudy> {
  const { siteId, studyId } = input;
  const log = loggerOf(context);
  const { record, artifact } = await loadActiveModel(context.results, context.blobs);
  const at = nowIso(context);

  const outcomes: LesionOutcome[] = [];
  for (const lesion of input.lesions) {
    const key = { siteId, studyId, lesionId: lesion.lesionId };
    const featureSet = await context.results.getFeatureSet(key);
    if (!featureSet) throw new RadiomicsError('INTERNAL_ERROR', `Lesion "${lesion.lesionId}" has no stored feature set to score.`);
    if (artifact.settingsHash !== undefined && artifact.settingsHash !== featureSet.settingsHash) {
      log.warn('model trained on other extraction settings', { siteId, studyId, lesionId: lesion.lesionId, modelVersion: artifact.version });
    }

    const score = scoreFeatures(artifact, featureSet.features);
    const written = await context.results.putScore({
      ...key,
      modelVersion: artifact.version,
      probability: score.probability,
      predictedClass: score.predictedClass,
      threshold: score.threshold,
      scoredAt: at,
    });
    // When the score was already stored, report the stored one: it is the record of truth.
    const stored = written ? undefined : (await context.results.listScores(key)).find((candidate) => candidate.modelVersion === artifact.version);
    outcomes.push({
      lesionId: lesion.lesionId,
      probability: stored?.probability ?? score.probability,
      predictedClass: stored?.predictedClass ?? score.predictedClass,
      modelVersion: artifact.version,
    });
    log.info('lesion scored', { siteId, studyId, lesionId: lesion.lesionId, modelVersion: artifact.version, written });
  }

  return { ...input, outcomes, model: { version: record.version, ...record.card } };
}
