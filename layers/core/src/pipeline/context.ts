/**
 * Context of every workflow step besides its state: the ports, the extraction settings and a logger.
 * The Lambda handlers bind it to S3, DynamoDB and SNS, and the local runner to a folder, SQLite and a file.
 */
import type { BlobStore, Notifier, ResultStore } from './ports';

/** Structured log fields: ids only, never file names, paths or DICOM header values. */
export interface LogFields {
  readonly siteId?: string;
  readonly studyId?: string;
  readonly lesionId?: string;
  readonly [field: string]: string | number | boolean | undefined;
}

export interface PipelineLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const SILENT_LOGGER: PipelineLogger = { info() {}, warn() {}, error() {} };

export interface PipelineContext {
  readonly blobs: BlobStore;
  readonly results: ResultStore;
  readonly notifier: Notifier;
  /** Extraction parameter file (PyRadiomics YAML) of the study protocol, and its name for messages. */
  readonly params: { readonly yaml: string; readonly source: string };
  /** Accept a study without manifest.json by inferring its layout (local runs only). */
  readonly allowInference?: boolean;
  /** Upper bound on voxels of a resampled lesion region (MAX_VOXELS). */
  readonly maxVoxels?: number;
  /**
   * Keep the study loaded by ValidateStudy in memory for PrepareLesions in the same process (local runs, where
   * the runner sends both steps of a study to the same worker when it can).
   */
  readonly reuseLoadedStudy?: boolean;
  /** Product version recorded in the provenance of every feature set. */
  readonly productVersion?: string;
  readonly logger?: PipelineLogger;
  /** Clock, replaceable in tests. */
  readonly now?: () => Date;
}

export function nowIso(context: PipelineContext): string {
  return (context.now ? context.now() : new Date()).toISOString();
}

export function loggerOf(context: PipelineContext): PipelineLogger {
  return context.logger ?? SILENT_LOGGER;
}
