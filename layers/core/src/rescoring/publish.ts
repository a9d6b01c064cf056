/**
 * Publication of a model version: store the artifact and its report figures, register the version and make
 * it active. The caller then starts a re-scoring run (in-process locally, a Step Functions execution in the
 * cloud). Publishing the same artifact again is a no-op apart from re-activating it.
 */
import { modelFigureKey } from '../api/router';
import { RadiomicsError } from '../errors';
import { modelArtifactKey } from '../pipeline/keys';
import type { BlobStore, ModelRecord, ResultStore } from '../pipeline/ports';

/** The parts of a validated model artifact that publication records. */
export interface PublishableModel {
  readonly version: string;
  readonly settingsHash?: string;
  readonly card: Readonly<Record<string, unknown>>;
}

export interface ReportFigure {
  /** File name ending in ".svg", e.g. "roc.svg". */
  readonly name: string;
  readonly svg: string;
}

export interface PublishModelOptions {
  readonly store: ResultStore;
  readonly blobs: BlobStore;
  readonly model: PublishableModel;
  /** The artifact exactly as uploaded; it is stored under models/<version>.json. */
  readonly artifactText: string;
  readonly figures?: readonly ReportFigure[];
  readonly now?: () => string;
}

export interface PublishModelResult {
  readonly record: ModelRecord;
  /** False when the same version was already published with the same artifact. */
  readonly created: boolean;
  /** Version that was active before, if any. */
  readonly previousVersion?: string;
}

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FIGURE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\.svg$/;

export async function publishModel(options: PublishModelOptions): Promise<PublishModelResult> {
  const { store, blobs, model } = options;
  if (!VERSION_PATTERN.test(model.version)) {
    throw new RadiomicsError('MODEL_INVALID', 'The model version must be 1-64 letters, digits, ".", "_" or "-".', { details: { version: model.version } });
  }
  for (const figure of options.figures ?? []) {
    if (!FIGURE_NAME_PATTERN.test(figure.name)) {
      throw new RadiomicsError('MODEL_INVALID', `Report figure name ${JSON.stringify(figure.name)} is invalid; use letters, digits, ".", "_" or "-" ending in ".svg".`);
    }
  }

  const previous = await store.getActiveModel();
  const artifactKey = modelArtifactKey(model.version);
  const existing = await store.getModel(model.version);
  if (existing) {
    const storedText = new TextDecoder().decode(await blobs.get(existing.artifactKey));
    if (storedText !== options.artifactText) {
      throw new RadiomicsError('MODEL_INVALID', `Model version ${model.version} is already published with a different artifact; give the new model a new version.`, {
        details: { version: model.version },
      });
    }
    await store.setActiveModel(model.version);
    return { record: existing, created: false, previousVersion: previous?.version };
  }

  // The artifact and figures go first, so a registered version always has its artifact in the blob store.
  // In the cloud the upload itself is models/<version>.json; rewriting it would raise a second upload event.
  const uploaded = (await blobs.exists(artifactKey)) && new TextDecoder().decode(await blobs.get(artifactKey)) === options.artifactText;
  if (!uploaded) await blobs.put(artifactKey, options.artifactText, 'application/json');
  for (const figure of options.figures ?? []) {
    await blobs.put(modelFigureKey(model.version, figure.name), figure.svg, 'image/svg+xml');
  }
  const record: ModelRecord = {
    version: model.version,
    artifactKey,
    publishedAt: (options.now ?? (() => new Date().toISOString()))(),
    settingsHash: model.settingsHash ?? '',
    card: model.card,
  };
  await store.putModel(record);
  await store.setActiveModel(model.version);
  return { record, created: true, previousVersion: previous?.version };
}
