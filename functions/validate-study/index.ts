// Lambda handler of the study workflow's validate-study step: the shared step code bound to S3, DynamoDB and SNS.
import { validateStudy } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('validate-study');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('validate-study', validateStudy, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
