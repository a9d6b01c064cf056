// Lambda handler of the study workflow's aggregate-features step: the shared step code bound to S3, DynamoDB and SNS.
import { aggregateFeatures } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('aggregate-features');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('aggregate-features', aggregateFeatures, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
