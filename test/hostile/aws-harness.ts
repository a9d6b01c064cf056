// The workflow Lambda handlers against moto_server on 127.0.0.1: a bucket, the single table with its GSIs, a
// topic with an SQS subscription to read notifications back, and the environment the CDK app gives the handlers.
// The handlers build their SDK clients from the environment, so AWS_ENDPOINT_URL points them at moto.
import { dirname } from 'node:path';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { DynamoResultStore } from '../../functions/shared/dynamo-result-store';
import { MOTO_CLIENT_CONFIG, startMotoServer, type MotoServer } from '../adapters/moto-server';
import { createResultsTable } from '../helpers/results-table';
import type { CorpusUpload } from './corpus/cases';
import { FAST_PARAMS_PATH } from './local-store';

export type StepHandler = (input: unknown) => Promise<unknown>;

export interface AwsHarness {
  readonly moto: MotoServer;
  readonly bucket: string;
  readonly s3: S3Client;
  readonly results: DynamoResultStore;
  /** Uploads a corpus study under its upload key; returns the key. */
  upload(siteId: string, studyId: string, upload: CorpusUpload): Promise<string>;
  /** Bytes of an object, or undefined when it does not exist. */
  getObject(key: string): Promise<Uint8Array | undefined>;
  listKeys(prefix: string): Promise<string[]>;
  /** Every notification body delivered to the subscription so far (drains the queue). */
  drainNotifications(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startAwsHarness(): Promise<AwsHarness> {
  const moto = await startMotoServer();
  const config = { ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint };
  const bucket = 'radiomics-hostile-uploads';
  const table = 'radiomics-hostile';

  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const dynamo = new DynamoDBClient(config);
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);

  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  await createResultsTable(dynamo, table);
  const topic = await sns.send(new CreateTopicCommand({ Name: 'radiomics-hostile-results' }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'radiomics-hostile-results' }));
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));

  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: MOTO_CLIENT_CONFIG.region,
    AWS_ACCESS_KEY_ID: MOTO_CLIENT_CONFIG.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CLIENT_CONFIG.credentials.secretAccessKey,
    BUCKET_NAME: bucket,
    TABLE_NAME: table,
    TOPIC_ARN: topic.TopicArn,
    PARAMS_DIR: dirname(FAST_PARAMS_PATH),
    PARAMS_FILE: 'fast-params.yaml',
    POWERTOOLS_METRICS_NAMESPACE: 'Radiomics',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });

  const results = new DynamoResultStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), table);

  const put = (key: string, body: Uint8Array) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

  return {
    moto,
    bucket,
    s3,
    results,
    async upload(siteId, studyId, upload) {
      if (upload.kind === 'zip') {
        const key = `incoming/${siteId}/${studyId}.zip`;
        await put(key, upload.bytes);
        return key;
      }
      const prefix = `incoming/${siteId}/${studyId}/`;
      // manifest.json goes last, as a site's uploader writes it to mark the upload complete.
      const paths = Object.keys(upload.files)
        .filter((path) => path !== 'manifest.json')
        .sort();
      if (upload.files['manifest.json']) paths.push('manifest.json');
      for (const path of paths) await put(`${prefix}${path}`, upload.files[path]!);
      return prefix;
    },
    async getObject(key) {
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await response.Body!.transformToByteArray();
      } catch (thrown) {
        if ((thrown as { name?: string }).name === 'NoSuchKey') return undefined;
        throw thrown;
      }
    },
    async listKeys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys;
    },
    async drainNotifications() {
      const bodies: Record<string, unknown>[] = [];
      for (;;) {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!received.Messages?.length) break;
        bodies.push(...received.Messages.map((message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>));
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.QueueUrl,
            Entries: received.Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
      return bodies;
    },
    async stop() {
      s3.destroy();
      dynamo.destroy();
      sns.destroy();
      sqs.destroy();
      await moto.stop();
    },
  };
}

/** Builds the Catch output that Step Functions gives RecordFailure for an error a Lambda task threw. */
export function caughtLambdaError(thrown: unknown): { Error: string; Cause: string } {
  const error = thrown as { name?: string; message?: string };
  const name = error.name ?? 'Error';
  return { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: error.message ?? '', trace: [] }) };
}
