/**
 * Conditional study transitions shared by the steps. A step that is retried finds the study already in its
 * target status under the same execution and carries on without writing a second audit event.
 */
import { RadiomicsError } from '../errors';
import type { ResultStore, StudyRecord, StudyStatus } from './ports';
import type { StudyRunInput } from './state';

export async function advanceStudy(
  results: ResultStore,
  run: StudyRunInput,
  fromStatuses: readonly StudyStatus[],
  toStatus: StudyStatus,
  patch: Partial<Omit<StudyRecord, 'siteId' | 'studyId' | 'status'>> = {},
): Promise<void> {
  const key = { siteId: run.siteId, studyId: run.studyId };
  const moved = await results.transitionStudy(key, fromStatuses, toStatus, patch);
  if (moved) return;

  const current = await results.getStudy(key);
  if (current && current.status === toStatus && current.executionName === run.executionName) return;

  // Another execution owns the study, or it moved on: stop this run without touching the record.
  throw new RadiomicsError(
    'STUDY_CONFLICT',
    `Study ${run.siteId}/${run.studyId} is ${current?.status ?? 'missing'}${current?.executionName === run.executionName ? '' : ' under another workflow run'}; this run cannot move it to ${toStatus}.`,
  );
}
