/**
 * Blob keys and identifiers of the storage layout shared by the cloud bucket and the local blob folder:
 * `incoming/<siteId>/<studyId>/…` (uploads), `work/<siteId>/<studyId>/<lesionId>/…` (intermediates),
 * `quarantine/<siteId>/<studyId>/…` (copies of failed uploads) and `models/<version>.json`.
 */
import { createHash } from 'node:crypto';

import { RadiomicsError } from '../errors';
import { SAFE_ID_PATTERN } from '../manifest/schema';

const SAFE_ID = new RegExp(SAFE_ID_PATTERN);

export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID.test(value);
}

/** Throws MANIFEST_INVALID unless `value` is a safe site, study or lesion id (letters, digits, '.', '_', '-'). */
export function assertSafeId(value: unknown, what: string): string {
  if (!isSafeId(value)) {
    throw new RadiomicsError(
      'MANIFEST_INVALID',
      `The ${what} must be 1 to 64 characters from letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    );
  }
  return value;
}

export function zipUploadKey(siteId: string, studyId: string): string {
  return `incoming/${siteId}/${studyId}.zip`;
}

export function folderUploadKey(siteId: string, studyId: string): string {
  return `incoming/${siteId}/${studyId}/`;
}

export function lesionWorkPrefix(siteId: string, studyId: string, lesionId: string): string {
  return `work/${siteId}/${studyId}/${lesionId}/`;
}

export function quarantinePrefix(siteId: string, studyId: string): string {
  return `quarantine/${siteId}/${studyId}/`;
}

export function modelArtifactKey(version: string): string {
  return `models/${version}.json`;
}

/**
 * Parses an upload key into its site and study: `incoming/<site>/<study>.zip`, `incoming/<site>/<study>/`
 * or `incoming/<site>/<study>/manifest.json`. Returns undefined for any other key.
 */
export function parseUploadKey(key: string): { siteId: string; studyId: string; uploadKey: string } | undefined {
  const zip = /^incoming\/([^/]+)\/([^/]+)\.zip$/.exec(key);
  if (zip && isSafeId(zip[1]) && isSafeId(zip[2])) return { siteId: zip[1], studyId: zip[2], uploadKey: key };

  const folder = /^incoming\/([^/]+)\/([^/]+)\/(manifest\.json)?$/.exec(key);
  if (folder && isSafeId(folder[1]) && isSafeId(folder[2])) {
    return { siteId: folder[1], studyId: folder[2], uploadKey: folderUploadKey(folder[1], folder[2]) };
  }
  return undefined;
}

/**
 * Builds the idempotent workflow execution name `<siteId>-<studyId>-<fingerprint>` (at most 80 characters,
 * the Step Functions limit). The fingerprint is derived from the upload content (an object ETag or a content
 * hash), so a repeated event for the same upload maps to the same name and a corrected re-upload to a new one.
 */
export function executionNameFor(siteId: string, studyId: string, contentFingerprint: string): string {
  const fingerprint = createHash('sha256').update(contentFingerprint).digest('hex').slice(0, 16);
  const prefix = `${siteId}-${studyId}`.slice(0, 80 - fingerprint.length - 1);
  return `${prefix}-${fingerprint}`;
}
