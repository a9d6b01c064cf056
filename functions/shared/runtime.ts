/**
 * Wiring shared by the workflow Lambda functions: AWS clients, the ports bound to S3, DynamoDB and SNS, the
 * extraction parameters from the core layer, and the Powertools logger, metrics and tracer. Handlers create
 * all of this once at module scope, so warm invocations reuse clients and connections.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { toTaskError, type LogFields, type PipelineContext, type PipelineLogger, type WorkflowTask } from '@radiomics/core';

import { DynamoResultStore } from './dynamo-result-store';
import { S3BlobStore } from './s3-blob-store';
import { SnsNotifier } from './sns-notifier';

/** The Lambda context object, typed through Powertools (the aws-lambda type package is not installed). */
type Context = Parameters<Logger['addContext']>[0];

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

export function createObservability(functionName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? `radiomics-${functionName}`;
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Radiomics' }),
    tracer: new Tracer({ serviceName }),
  };
}

export function requireEnvironment(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the CDK app sets it on every workflow function.`);
  return value;
}

export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
  readonly sns: SNSClient;
}

export function createClients(tracer: Tracer): AwsClients {
  return {
    s3: tracer.captureAWSv3Client(new S3Client({})),
    dynamo: DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sns: tracer.captureAWSv3Client(new SNSClient({})),
  };
}

/** Adapts the Powertools logger to the pipeline's logger port: fields become keys of the JSON log entry. */
function pipelineLogger(logger: Logger): PipelineLogger {
  return {
    info: (message: string, fields?: LogFields) => logger.info(message, { ...fields }),
    warn: (message: string, fields?: LogFields) => logger.warn(message, { ...fields }),
    error: (message: string, fields?: LogFields) => logger.error(message, { ...fields }),
  };
}

/** The extraction parameters shipped in the core layer (`$PARAMS_DIR/study-protocol.yaml`), read once. */
let paramsCache: PipelineContext['params'] | undefined;
function studyProtocolParams(): PipelineContext['params'] {
  if (!paramsCache) {
    const path = join(process.env.PARAMS_DIR ?? '/opt/params', process.env.PARAMS_FILE ?? 'study-protocol.yaml');
    paramsCache = { yaml: readFileSync(path, 'utf8'), source: 'study-protocol.yaml' };
  }
  return paramsCache;
}

export function createPipelineContext(clients: AwsClients, logger: Logger): PipelineContext {
  const maxVoxels = Number(process.env.MAX_VOXELS);
  return {
    blobs: new S3BlobStore(clients.s3, requireEnvironment('BUCKET_NAME')),
    results: new DynamoResultStore(clients.dynamo, requireEnvironment('TABLE_NAME')),
    notifier: new SnsNotifier(clients.sns, requireEnvironment('TOPIC_ARN')),
    get params() {
      return studyProtocolParams();
    },
    allowInference: false,
    ...(Number.isFinite(maxVoxels) && maxVoxels > 0 ? { maxVoxels } : {}),
    ...(process.env.PRODUCT_VERSION ? { productVersion: process.env.PRODUCT_VERSION } : {}),
    logger: pipelineLogger(logger),
  };
}

/** Picks the ids of a step's input as log keys: never paths, file names or header values. */
function idsOf(input: unknown): LogFields {
  const record = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const key of ['siteId', 'studyId', 'lesionId', 'executionName'] as const) {
    if (typeof record[key] === 'string') fields[key] = record[key] as string;
  }
  return fields;
}

/**
 * Builds the Lambda handler of one workflow step: the state input in, the state output back. Errors are
 * rethrown with the catalogue code as their name, which Step Functions reports as `Error` for Retry and Catch.
 */
export function createStepHandler(
  stepName: string,
  task: WorkflowTask,
  observability: Observability,
  context: () => PipelineContext,
): (input: unknown, lambdaContext?: Context) => Promise<unknown> {
  const { logger, metrics } = observability;
  return async (input: unknown, lambdaContext?: Context) => {
    if (lambdaContext) logger.addContext(lambdaContext);
    logger.appendKeys({ ...idsOf(input), step: stepName });
    metrics.addDimension('step', stepName);
    const started = Date.now();
    try {
      const output = await task(context(), input);
      metrics.addMetric('StepSucceeded', MetricUnit.Count, 1);
      metrics.addMetric('StepDuration', MetricUnit.Milliseconds, Date.now() - started);
      return output;
    } catch (thrown) {
      const error = toTaskError(thrown);
      logger.error('step failed', { code: error.name });
      metrics.addMetric('StepFailed', MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
