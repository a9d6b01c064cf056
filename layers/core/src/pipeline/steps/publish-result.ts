import { loggerOf, nowIso, type PipelineContext } from '../context';
import type { PublishedStudy, ScoredStudy } from '../state';
import { advanceStudy } from '../study-status';

/**
 * Last step: publishes the per-lesion results, then marks the study COMPLETED. Publishing comes first so that a
 * failed publish is retried; a retry after a successful publish may send the message twice (at-least-once).
 */
export async function publishResult(context: PipelineContext, input: ScoredStudy): Promise<PublishedStudy> {
  const { siteId, studyId } = input;
  await context.notifier.publish({ kind: 'study.completed', siteId, studyId, lesions: input.outcomes, model: input.model });
  await advanceStudy(context.results, input, ['SCORING'], 'COMPLETED', { updatedAt: nowIso(context), lesionCount: input.lesions.length });
  loggerOf(context).info('study completed', { siteId, studyId, lesionCount: input.lesions.length });
  return { ...input, status: 'COMPLETED' };
}
