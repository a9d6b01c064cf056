// Lambda handler of the study workflow's record-failure step: the shared step code bound to S3, DynamoDB and SNS.
import { recordFailure } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('record-failure');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('record-failure', recordFailure, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
