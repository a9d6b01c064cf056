// Lambda handler of the study workflow's score-lesions step: the shared step code bound to S3, DynamoDB and SNS.
import { scoreLesions } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('score-lesions');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('score-lesions', scoreLesions, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
