// Lambda handler of one Distributed Map batch: scores the batch's stored feature sets with the model
// version and writes one score per lesion (write-once, so a retried batch changes nothing).
import { MetricUnit } from '@aws-lambda-powertools/metrics';

import { ScorerCache, runRescoreBatch, type RescoreBatchInput, type RescoreBatchOutput } from '@radiomics/core/rescoring';

import { createClients, createObservability, createPipelineContext } from '../shared/runtime';

const observability = createObservability('rescore-batch');
const clients = createClients(observability.tracer);
const scorers = new ScorerCache();

export const handler = async (input: RescoreBatchInput): Promise<RescoreBatchOutput> => {
  const context = createPipelineContext(clients, observability.logger);
  const modelVersion = input.BatchInput?.modelVersion;
  const scorer = await scorers.get(context.results, context.blobs, modelVersion);
  const output = await runRescoreBatch(context.results, scorer, input);

  observability.metrics.addMetric('LesionsRescored', MetricUnit.Count, output.scored);
  observability.metrics.publishStoredMetrics();
  for (const failure of output.failures) {
    observability.logger.warn('lesion not re-scored', { modelVersion, siteId: failure.siteId, studyId: failure.studyId, lesionId: failure.lesionId, code: failure.code });
  }
  observability.logger.info('re-scoring batch done', { modelVersion, items: input.Items.length, scored: output.scored, alreadyScored: output.alreadyScored, failed: output.failed, missing: output.missing });
  return output;
};
