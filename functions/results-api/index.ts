// Lambda handler of the results API behind the API Gateway HTTP API with a Cognito JWT authorizer. The
// router enforces site scope from the verified claims: coordinators read every site, site users their own.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { apiRequestFromHttpEvent, createResultsApi, httpResultFromApiResponse, type HttpApiEvent, type HttpApiResult } from '@radiomics/core/api';
import { loadOrRenderPreview } from '@radiomics/core/preview';

import { DynamoResultStore } from '../shared/dynamo-result-store';
import { createObservability, requireEnvironment } from '../shared/runtime';
import { S3BlobStore } from '../shared/s3-blob-store';

const { logger, tracer } = createObservability('results-api');
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const dynamo = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });

let api: ReturnType<typeof createResultsApi> | undefined;

function resultsApi(): ReturnType<typeof createResultsApi> {
  if (!api) {
    const blobs = new S3BlobStore(s3, requireEnvironment('BUCKET_NAME'));
    api = createResultsApi({
      store: new DynamoResultStore(dynamo, requireEnvironment('TABLE_NAME')),
      blobs,
      renderPreview: (featureSet) => loadOrRenderPreview(blobs, featureSet),
      log: (entry) => logger.warn(String(entry.message ?? 'results API'), entry),
    });
  }
  return api;
}

export const handler = async (event: HttpApiEvent): Promise<HttpApiResult> => {
  const request = apiRequestFromHttpEvent(event);
  const response = await resultsApi()(request);
  logger.info('results API request', { method: request.method, status: response.status, role: request.caller?.role ?? 'anonymous', siteId: request.caller?.siteId });
  return httpResultFromApiResponse(response);
};
