// Bridges a validated model artifact to re-scoring and publication.
import { loadModelArtifact, scoreFeatures, type ModelArtifact } from '../modelling';
import type { PublishableModel } from './publish';
import type { LesionScorer } from './rescore';

export function scorerFromArtifact(artifact: ModelArtifact): LesionScorer {
  return {
    version: artifact.version,
    settingsHash: artifact.settingsHash,
    featureNames: artifact.featureNames,
    score: (features) => scoreFeatures(artifact, features as Record<string, number>),
  };
}

/** Validates an artifact's JSON text (throws MODEL_INVALID) and returns it with what publication records. */
export function parseModelArtifact(artifactText: string): { artifact: ModelArtifact; publishable: PublishableModel } {
  const artifact = loadModelArtifact(artifactText);
  return {
    artifact,
    publishable: { version: artifact.version, settingsHash: artifact.settingsHash, card: artifact.card as unknown as Record<string, unknown> },
  };
}
