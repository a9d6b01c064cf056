// Lambda handler of the study workflow's prepare-lesions step: the shared step code bound to S3, DynamoDB and SNS.
import { prepareLesions } from '@radiomics/core';

import { createClients, createObservability, createPipelineContext, createStepHandler } from '../shared/runtime';

const observability = createObservability('prepare-lesions');
const clients = createClients(observability.tracer);
let context: ReturnType<typeof createPipelineContext> | undefined;

export const handler = createStepHandler('prepare-lesions', prepareLesions, observability, () => (context ??= createPipelineContext(clients, observability.logger)));
