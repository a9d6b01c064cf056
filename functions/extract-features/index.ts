// Lambda handler of the study workflow's extract-features step: the shared step code bound to S3, DynamoDB and SNS.
import { extractUnit } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('extract-features');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('extract-features', extractUnit, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
