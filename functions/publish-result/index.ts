// Lambda handler of the study workflow's publish-result step: the shared step code bound to S3, DynamoDB and SNS.
import { publishResult } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('publish-result');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('publish-result', publishResult, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
