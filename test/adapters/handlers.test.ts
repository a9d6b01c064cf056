// Lambda handlers with mocked AWS clients (aws-sdk-client-mock): event parsing, idempotent starts, error codes
// reported to Step Functions, and the failure path's S3, DynamoDB and SNS calls.
import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const dynamo = mockClient(DynamoDBDocumentClient);
const sns = mockClient(SNSClient);

beforeAll(() => {
  vi.stubEnv('STATE_MACHINE_ARN', 'arn:aws:states:eu-west-1:123456789012:stateMachine:study-workflow');
  vi.stubEnv('BUCKET_NAME', 'uploads');
  vi.stubEnv('TABLE_NAME', 'results');
  vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:eu-west-1:123456789012:results');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'false');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
});

beforeEach(() => {
  sfn.reset();
  s3.reset();
  dynamo.reset();
  sns.reset();
});

afterEach(() => vi.restoreAllMocks());

function objectCreated(key: string, etag = 'etag-1') {
  return { 'detail-type': 'Object Created', source: 'aws.s3', time: '2026-03-01T10:00:00Z', detail: { bucket: { name: 'uploads' }, object: { key, etag } } };
}

describe('start-study handler', () => {
  it('starts one execution for a zip upload', async () => {
    const { handler } = await import('../../functions/start-study/index');
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution' });

    const result = await handler(objectCreated('incoming/site-a/study-1.zip'));
    expect(result.started).toHaveLength(1);
    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.name).toMatch(/^site-a-study-1-[0-9a-f]{16}$/);
    expect(JSON.parse(call.input ?? '{}')).toEqual({
      siteId: 'site-a',
      studyId: 'study-1',
      uploadKey: 'incoming/site-a/study-1.zip',
      executionName: call.name,
      receivedAt: '2026-03-01T10:00:00Z',
    });
  });

  it('starts a folder upload on its manifest only', async () => {
    const { handler } = await import('../../functions/start-study/index');
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:execution' });

    expect((await handler(objectCreated('incoming/site-a/study-2/ct/slice-001.dcm'))).ignored).toBe(1);
    expect((await handler(objectCreated('incoming/site-a/study-2/manifest.json'))).started).toHaveLength(1);
    expect((await handler(objectCreated('models/v2.json'))).ignored).toBe(1);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? '{}').uploadKey).toBe('incoming/site-a/study-2/');
  });

  it('gives a repeated event the same execution name', async () => {
    const { handler } = await import('../../functions/start-study/index');
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'arn:execution' }).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));

    const first = await handler(objectCreated('incoming/site-a/study-3.zip'));
    const second = await handler(objectCreated('incoming/site-a/study-3.zip'));
    expect(second.alreadyStarted).toEqual(first.started);
    const third = await handler(objectCreated('incoming/site-a/study-3.zip', 'etag-2'));
    expect(third.alreadyStarted[0]).not.toBe(first.started[0]);
  });

  it('reads S3 notification records with encoded keys', async () => {
    const { uploadedObjects } = await import('../../functions/start-study/index');
    expect(uploadedObjects({ Records: [{ eventTime: 't', s3: { object: { key: 'incoming/site-a/study%2B1.zip', eTag: 'e' } } }] })).toEqual([
      { key: 'incoming/site-a/study+1.zip', etag: 'e', time: 't' },
    ]);
  });
});

describe('workflow step handlers', () => {
  it('report the error code as the error name', async () => {
    const { handler } = await import('../../functions/validate-study/index');
    const failure = await handler({ siteId: '../bad', studyId: 's', uploadKey: 'incoming/x/', executionName: 'e' }).catch((error: unknown) => error);
    expect((failure as Error).name).toBe('MANIFEST_INVALID');
    expect((failure as Error).message).toMatch(/site id/);
  });

  it('record-failure marks, quarantines and publishes', async () => {
    const { handler } = await import('../../functions/record-failure/index');
    const studyItem = {
      pk: 'STUDY#site-a#study-1',
      sk: 'STUDY',
      siteId: 'site-a',
      studyId: 'study-1',
      status: 'VALIDATING',
      uploadKey: 'incoming/site-a/study-1.zip',
      executionName: 'exec-1',
      receivedAt: '2026-03-01T10:00:00Z',
      updatedAt: '2026-03-01T10:00:01Z',
    };
    dynamo.on(TransactWriteCommand).resolves({});
    dynamo.on(GetCommand).resolves({ Item: studyItem });
    s3.on(GetObjectCommand).rejects({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(CopyObjectCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // HeadObject for the zip's existence check.
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    s3.on(HeadObjectCommand).resolves({});

    const output = (await handler({
      siteId: 'site-a',
      studyId: 'study-1',
      uploadKey: 'incoming/site-a/study-1.zip',
      executionName: 'exec-1',
      error: { Error: 'PHI_PRESENT', Cause: JSON.stringify({ errorType: 'PHI_PRESENT', errorMessage: 'PatientName (0010,0010) is present.' }) },
    })) as { failure: { code: string; message: string } };

    expect(output.failure).toMatchObject({ code: 'PHI_PRESENT', message: 'PatientName (0010,0010) is present.' });
    const copy = s3.commandCalls(CopyObjectCommand)[0].args[0].input;
    expect(copy).toMatchObject({ Bucket: 'uploads', Key: 'quarantine/site-a/study-1/upload/study-1.zip', CopySource: 'uploads/incoming/site-a/study-1.zip' });
    const reason = s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === 'quarantine/site-a/study-1/reason.json');
    expect(JSON.parse(String(reason?.args[0].input.Body)).failure.code).toBe('PHI_PRESENT');

    const transaction = dynamo.commandCalls(TransactWriteCommand).at(-1)?.args[0].input.TransactItems ?? [];
    const studyPut = transaction[0]?.Put;
    expect(studyPut?.Item?.status).toBe('FAILED');
    expect(studyPut?.ConditionExpression).toBe('#status = :current AND updatedAt = :updatedAt');
    expect(transaction[1]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');

    const published = sns.commandCalls(PublishCommand)[0].args[0].input;
    expect(JSON.parse(published.Message ?? '{}')).toMatchObject({ kind: 'study.failed', siteId: 'site-a', failure: { code: 'PHI_PRESENT' } });
    expect(published.MessageAttributes?.siteId?.StringValue).toBe('site-a');
    expect(s3.commandCalls(PutObjectCommand).some((call) => String(call.args[0].input.Key).startsWith('incoming/'))).toBe(false);
  });

  it('turn a throttled store into STORAGE_UNAVAILABLE', async () => {
    const { handler } = await import('../../functions/score-lesions/index');
    dynamo.on(GetCommand).rejects({ name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    const failure = await handler({ siteId: 'site-a', studyId: 'study-1', uploadKey: 'k', executionName: 'e', settingsHash: 'h', lesions: [] }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).name).toBe('STORAGE_UNAVAILABLE');
  });
});
