// The AWS adapters (S3, DynamoDB, SNS) for real against moto_server on 127.0.0.1, with the same contract
// tests as the embedded adapters, plus a publish read back from an SQS subscription.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DynamoResultStore } from '../../functions/shared/dynamo-result-store';
import { S3BlobStore } from '../../functions/shared/s3-blob-store';
import { SnsNotifier } from '../../functions/shared/sns-notifier';
import { describeBlobStoreContract } from './blob-store-contract';
import { MOTO_CLIENT_CONFIG, startMotoServer, type MotoServer } from './moto-server';
import { describeResultStoreContract, study } from './result-store-contract';
import { createResultsTable } from '../helpers/results-table';

let moto: MotoServer;
let s3: S3Client;
let dynamo: DynamoDBClient;
let counter = 0;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint, forcePathStyle: true });
  dynamo = new DynamoDBClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
});

afterAll(async () => {
  s3?.destroy();
  dynamo?.destroy();
  await moto?.stop();
});

/** Creates the table with the key schema and GSIs that the CDK app deploys. */
async function createTable(name: string): Promise<void> {
  await createResultsTable(dynamo, name);
}

describeBlobStoreContract('S3BlobStore', async () => {
  const bucket = `radiomics-test-${counter++}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  return new S3BlobStore(s3, bucket);
});

describeResultStoreContract('DynamoResultStore', async () => {
  const table = `radiomics-test-${counter++}`;
  await createTable(table);
  return new DynamoResultStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), table);
});

describe('DynamoResultStore conditional writes', () => {
  it('lets exactly one of concurrent transitions win', async () => {
    const table = `radiomics-race-${counter++}`;
    await createTable(table);
    const store = new DynamoResultStore(DynamoDBDocumentClient.from(dynamo), table);
    const key = { siteId: 'site-r', studyId: 'race' };
    await store.createStudy(study(key.siteId, key.studyId, '2026-01-01T00:00:00.000Z'));

    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        store.transitionStudy(key, ['RECEIVED'], 'VALIDATING', { updatedAt: `2026-01-01T00:00:0${index}.000Z` }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const events = await store.listAuditEvents(key);
    expect(events.filter((event) => event.toStatus === 'VALIDATING')).toHaveLength(1);
  });
});

describe('SnsNotifier', () => {
  it('publishes a message that an SQS subscription receives', async () => {
    const sns = new SNSClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
    const sqs = new SQSClient({ ...MOTO_CLIENT_CONFIG, endpoint: moto.endpoint });
    try {
      const topic = await sns.send(new CreateTopicCommand({ Name: 'radiomics-results' }));
      const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'site-a-results' }));
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
      await sns.send(
        new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes?.QueueArn, Attributes: { RawMessageDelivery: 'true' } }),
      );

      const notifier = new SnsNotifier(sns, topic.TopicArn as string);
      await notifier.publish({
        kind: 'study.completed',
        siteId: 'site-a',
        studyId: 'study-1',
        lesions: [{ lesionId: 'l1', probability: 0.61, predictedClass: 'progression', modelVersion: 'demo-synthetic-v1' }],
        model: { version: 'demo-synthetic-v1', synthetic: true },
      });

      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 2 }));
      expect(received.Messages).toHaveLength(1);
      const body = JSON.parse(received.Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
      expect(body.kind).toBe('study.completed');
      expect(body.siteId).toBe('site-a');
      expect((body.lesions as { probability: number }[])[0].probability).toBe(0.61);
    } finally {
      sns.destroy();
      sqs.destroy();
    }
  });
});
