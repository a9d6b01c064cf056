/**
 * The state that flows between the workflow steps: the input and output of each Task in
 * study-workflow.asl.json. Every field is plain JSON, small enough for a Step Functions payload (256 KiB):
 * volumes and feature values travel as blob keys, never inline.
 */
import type { StudyManifest } from '../manifest/types';
import type { LesionOutcome, StudyFailure } from './ports';

/** Execution input, written by the starter (the S3 event handler or the local runner). */
export interface StudyRunInput {
  readonly siteId: string;
  readonly studyId: string;
  /** `incoming/<siteId>/<studyId>.zip`, or the folder prefix `incoming/<siteId>/<studyId>/`. */
  readonly uploadKey: string;
  /** Idempotent execution name: the same upload content always gets the same name. */
  readonly executionName: string;
  /** When the upload arrived (ISO 8601); defaults to the time the study record is created. */
  readonly receivedAt?: string;
}

export interface ValidatedLesion {
  readonly lesionId: string;
  /** Mask file, relative to the study's top folder. */
  readonly maskFile: string;
  /** Label value in the label map the mask loads to. */
  readonly label: number;
  readonly roiName?: string;
  /** Voxels inside the lesion on the CT grid, before resampling. */
  readonly voxelCount: number;
}

export interface ValidatedStudy extends StudyRunInput {
  readonly manifest: StudyManifest;
  /** What the product inferred when the study came without a manifest. */
  readonly inferredLayout?: string;
  readonly lesions: readonly ValidatedLesion[];
}

/** One Map item: one lesion × one image type ('original', 'wavelet-LLH', …). */
export interface ExtractionUnit {
  readonly siteId: string;
  readonly studyId: string;
  readonly lesionId: string;
  readonly imageType: string;
  /** Blob key of the resampled, cropped image (NIfTI). */
  readonly imageKey: string;
  /** Blob key of the matching lesion mask (NIfTI, 0/1). */
  readonly maskKey: string;
  /** Blob key the unit writes its features JSON to. */
  readonly featuresKey: string;
}

export interface PreparedLesion extends ValidatedLesion {
  readonly imageKey: string;
  readonly maskKey: string;
  /** Blob key of the region's provenance JSON (settings, hashes, bounding box, voxel counts). */
  readonly provenanceKey: string;
}

export interface PreparedStudy extends Omit<ValidatedStudy, 'lesions'> {
  readonly lesions: readonly PreparedLesion[];
  readonly settingsHash: string;
  readonly units: readonly ExtractionUnit[];
}

/** Output of one ExtractImageType task. */
export interface ExtractedUnit {
  readonly lesionId: string;
  readonly imageType: string;
  readonly featuresKey: string;
  readonly featureCount: number;
}

export interface ExtractedStudy extends PreparedStudy {
  readonly extracted: readonly ExtractedUnit[];
}

export interface AggregatedLesion {
  readonly lesionId: string;
  readonly label: number;
  readonly featureCount: number;
}

/** After aggregation the per-unit lists are dropped, so later payloads stay small. */
export interface AggregatedStudy extends StudyRunInput {
  readonly inferredLayout?: string;
  readonly settingsHash: string;
  readonly lesions: readonly AggregatedLesion[];
}

export interface ScoredStudy extends AggregatedStudy {
  readonly outcomes: readonly LesionOutcome[];
  /** Card of the model version that scored the lesions: provenance, metrics and the synthetic flag. */
  readonly model: Readonly<Record<string, unknown>>;
}

export interface PublishedStudy extends ScoredStudy {
  readonly status: 'COMPLETED';
}

/** The error a Catch adds at `$.error`: `Error` is the error name, `Cause` its message (or, from Lambda, a JSON record). */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: unknown;
}

/** RecordFailure input: whatever state the failing step received, plus the caught error. */
export type FailedStudyInput = Partial<StudyRunInput> & { readonly error: CaughtError; readonly [other: string]: unknown };

export interface FailedStudy extends StudyRunInput {
  readonly status: 'FAILED';
  readonly failure: StudyFailure;
  readonly quarantineKey?: string;
}
