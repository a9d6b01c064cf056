// Lambda handler of the re-scoring workflow's plan step: resolves the model version and lists every
// stored lesion into one JSON array in the bucket for the Distributed Map.
import { planRescore, type RescorePlanInput, type RescorePlanOutput } from '@radiomics/core/rescoring';

import { createClients, createObservability, createPipelineContext } from '../shared/runtime';

const observability = createObservability('rescore-plan');
const clients = createClients(observability.tracer);

export const handler = async (input: RescorePlanInput): Promise<RescorePlanOutput> => {
  const context = createPipelineContext(clients, observability.logger);
  const plan = await planRescore(context.results, context.blobs, input);
  observability.logger.info('re-scoring planned', { modelVersion: plan.modelVersion, runId: plan.runId, lesionCount: plan.lesionCount });
  return plan;
};
