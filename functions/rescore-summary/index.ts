// Lambda handler of the re-scoring workflow's last step: adds up the batches and publishes the summary on SNS.
import { summarizeRescore, type RescoreRunSummary, type RescoreSummaryInput } from '@radiomics/core/rescoring';

import { createClients, createObservability, createPipelineContext } from '../shared/runtime';

const observability = createObservability('rescore-summary');
const clients = createClients(observability.tracer);

export const handler = async (input: RescoreSummaryInput): Promise<RescoreRunSummary> => {
  const context = createPipelineContext(clients, observability.logger);
  const summary = await summarizeRescore(context.notifier, input);
  observability.logger.info('re-scoring run finished', { ...summary });
  return summary;
};
