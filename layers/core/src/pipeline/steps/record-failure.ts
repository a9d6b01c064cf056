import { RadiomicsError, isErrorCode, toRadiomicsError } from '../../errors';
import { loggerOf, nowIso, type PipelineContext } from '../context';
import { isSafeId, quarantinePrefix } from '../keys';
import { toStudyFailure, type StudyFailure, type StudyStatus } from '../ports';
import type { CaughtError, FailedStudy, FailedStudyInput } from '../state';

const ACTIVE_STATUSES: readonly StudyStatus[] = ['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING'];

/**
 * Turns the error a Catch delivers into a catalogue failure. Catalogue errors keep their code and message;
 * anything else (a timeout, a Lambda runtime error) becomes INTERNAL_ERROR naming only the error type, because
 * a raw cause can carry paths or stack traces.
 */
export function failureFromCaught(caught: CaughtError): StudyFailure {
  if (isErrorCode(caught.Error)) {
    return toStudyFailure(new RadiomicsError(caught.Error, causeMessage(caught.Cause) ?? caught.Error));
  }
  const kind = caught.Error === 'States.Timeout' ? 'timed out' : `failed with ${caught.Error}`;
  return toStudyFailure(new RadiomicsError('INTERNAL_ERROR', `A workflow step ${kind}.`));
}

/**
 * Error handler of the workflow: marks the study FAILED with its code, message and action, copies the upload to
 * `quarantine/<siteId>/<studyId>/` with a reason.json, and publishes the failure. The upload itself stays where
 * it is. A run that does not own the study (STUDY_CONFLICT, or a study completed by another run) changes nothing.
 */
export async function recordFailure(context: PipelineContext, input: FailedStudyInput): Promise<FailedStudy> {
  const failure = failureFromCaught(input.error);
  const log = loggerOf(context);
  const siteId = input.siteId;
  const studyId = input.studyId;
  const run = {
    siteId: String(siteId ?? ''),
    studyId: String(studyId ?? ''),
    uploadKey: String(input.uploadKey ?? ''),
    executionName: String(input.executionName ?? ''),
  };

  if (!isSafeId(siteId) || !isSafeId(studyId) || run.uploadKey === '') {
    // Without valid ids there is no study record to mark; the execution still ends FAILED with this code.
    log.error('study failed before it could be identified', { code: failure.code });
    return { ...run, status: 'FAILED', failure };
  }

  const key = { siteId, studyId };
  const at = nowIso(context);
  await context.results.createStudy({
    siteId,
    studyId,
    status: 'RECEIVED',
    uploadKey: run.uploadKey,
    executionName: run.executionName,
    receivedAt: at,
    updatedAt: at,
  });
  const current = await context.results.getStudy(key);
  const owned = current !== undefined && current.executionName === run.executionName;
  if (failure.code === 'STUDY_CONFLICT' || !owned || !ACTIVE_STATUSES.includes(current.status)) {
    log.warn('failure not recorded: the study belongs to another run or has ended', { siteId, studyId, code: failure.code });
    return { ...run, status: 'FAILED', failure };
  }

  const quarantineKey = await quarantineUpload(context, run.uploadKey, siteId, studyId, failure, at, run.executionName);
  const moved = await context.results.transitionStudy(key, ACTIVE_STATUSES, 'FAILED', { failure, quarantineKey, updatedAt: at });
  if (moved) {
    await context.notifier.publish({ kind: 'study.failed', siteId, studyId, failure });
  }
  log.error('study failed', { siteId, studyId, code: failure.code, recorded: moved });
  return { ...run, status: 'FAILED', failure, quarantineKey };
}

/** Copies the upload (a zip or every file under a folder) under the quarantine prefix and writes reason.json. */
async function quarantineUpload(
  context: PipelineContext,
  uploadKey: string,
  siteId: string,
  studyId: string,
  failure: StudyFailure,
  failedAt: string,
  executionName: string,
): Promise<string> {
  const prefix = quarantinePrefix(siteId, studyId);
  try {
    if (uploadKey.endsWith('/')) {
      for (const object of await context.blobs.list(uploadKey)) {
        await context.blobs.copy(object.key, `${prefix}upload/${object.key.slice(uploadKey.length)}`);
      }
    } else if (await context.blobs.exists(uploadKey)) {
      await context.blobs.copy(uploadKey, `${prefix}upload/${uploadKey.split('/').pop() ?? 'upload.zip'}`);
    }
  } catch (thrown) {
    // The reason is still written: a missing copy must not hide why the study failed.
    loggerOf(context).error('upload copy to quarantine failed', { siteId, studyId, code: toRadiomicsError(thrown).code });
  }
  await context.blobs.put(
    `${prefix}reason.json`,
    JSON.stringify({ siteId, studyId, executionName, uploadKey, failedAt, failure }, null, 2),
    'application/json',
  );
  return prefix;
}

/** Extracts the message of a Catch `Cause`: a plain string locally, a JSON record with `errorMessage` from Lambda. */
function causeMessage(cause: unknown): string | undefined {
  if (typeof cause !== 'string' || cause.length === 0) return undefined;
  try {
    const record = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof record.errorMessage === 'string') return record.errorMessage;
  } catch {
    // Not JSON: the cause is the message itself.
  }
  return cause;
}
