// The corpus of broken studies through the Lambda handlers of the validate-study and record-failure steps,
// bound to S3, DynamoDB and SNS on moto_server: each broken study makes validate-study throw its catalogue code
// (the Error name Step Functions matches on), and record-failure marks it FAILED, keeps the upload, quarantines
// a copy with reason.json and publishes one failure message, even when each step is delivered twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { executionNameFor } from '@radiomics/core/pipeline';

import { CORPUS } from './corpus/cases';
import { caughtLambdaError, startAwsHarness, type AwsHarness, type StepHandler } from './aws-harness';

const SITE = 'site-hostile';

let aws: AwsHarness;
let validate: StepHandler;
let recordFailure: StepHandler;
let notifications: Record<string, unknown>[] = [];

interface CaseOutcome {
  readonly uploadKey: string;
  readonly thrown?: { name: string; message: string };
  readonly output?: unknown;
}
const outcomes = new Map<string, CaseOutcome>();

beforeAll(async () => {
  aws = await startAwsHarness();
  validate = (await import('../../functions/validate-study/index')).handler as StepHandler;
  recordFailure = (await import('../../functions/record-failure/index')).handler as StepHandler;

  for (const corpusCase of CORPUS) {
    const studyId = corpusCase.name;
    const uploadKey = await aws.upload(SITE, studyId, corpusCase.build({ siteId: SITE, studyId }));
    const input = { siteId: SITE, studyId, uploadKey, executionName: executionNameFor(SITE, studyId, `${uploadKey}@etag-1`), receivedAt: new Date().toISOString() };
    // Each step runs twice, as Lambda retries a task whose response was lost: the second run must change nothing.
    try {
      await validate(input).catch(() => undefined);
      const output = await validate(input);
      outcomes.set(studyId, { uploadKey, output });
    } catch (thrown) {
      const error = thrown as Error;
      outcomes.set(studyId, { uploadKey, thrown: { name: error.name, message: error.message } });
      await recordFailure({ ...input, error: caughtLambdaError(thrown) });
      await recordFailure({ ...input, error: caughtLambdaError(thrown) });
    }
  }
  notifications = await aws.drainNotifications();
}, 240_000);

afterAll(async () => {
  await aws?.stop();
});

describe('corpus of broken studies, Lambda handlers on moto', () => {
  for (const corpusCase of CORPUS.filter((candidate) => candidate.expectedCode === undefined)) {
    it(`control ${corpusCase.name} passes validation`, () => {
      const outcome = outcomes.get(corpusCase.name);
      expect(outcome?.thrown, `${outcome?.thrown?.name}: ${outcome?.thrown?.message}`).toBeUndefined();
      expect((outcome?.output as { lesions?: unknown[] }).lesions?.length).toBeGreaterThan(0);
    });
  }

  for (const localCase of CORPUS.filter((candidate) => candidate.expectedCode !== undefined)) {
    const corpusCase = { ...localCase, expectedCode: localCase.cloudExpectedCode ?? localCase.expectedCode };
    describe(`${corpusCase.name}: ${corpusCase.breaks}`, () => {
      it(`validate-study throws ${corpusCase.expectedCode} as the error name`, () => {
        const outcome = outcomes.get(corpusCase.name);
        expect(outcome?.thrown?.name, outcome?.thrown?.message).toBe(corpusCase.expectedCode);
        expect(outcome?.thrown?.message).not.toContain('[object Object]');
      });

      it('record-failure marks the study FAILED with the code in DynamoDB', async () => {
        const record = await aws.results.getStudy({ siteId: SITE, studyId: corpusCase.name });
        expect(record?.status).toBe('FAILED');
        expect(record?.failure?.code).toBe(corpusCase.expectedCode);
        expect(record?.quarantineKey).toBe(`quarantine/${SITE}/${corpusCase.name}/`);
      });

      it('keeps the upload and quarantines a copy with reason.json', async () => {
        const { uploadKey } = outcomes.get(corpusCase.name)!;
        const uploaded = uploadKey.endsWith('/') ? await aws.listKeys(uploadKey) : [uploadKey];
        expect(uploaded.length).toBeGreaterThan(0);
        for (const key of uploaded) expect(await aws.getObject(key), key).toBeDefined();

        const prefix = `quarantine/${SITE}/${corpusCase.name}/`;
        const reason = JSON.parse(Buffer.from((await aws.getObject(`${prefix}reason.json`))!).toString('utf8')) as { failure: { code: string } };
        expect(reason.failure.code).toBe(corpusCase.expectedCode);
        const copies = await aws.listKeys(`${prefix}upload/`);
        expect(copies).toHaveLength(uploaded.length);
      });

      it('publishes one failure message carrying the code', () => {
        const mine = notifications.filter((body) => body.studyId === corpusCase.name);
        expect(mine).toHaveLength(1);
        expect(mine[0]).toMatchObject({ kind: 'study.failed', siteId: SITE, failure: { code: corpusCase.expectedCode } });
      });
    });
  }

  it('re-runs a fixed study under a new execution without touching others', async () => {
    const studyId = 'mask-label-absent';
    const other = await aws.results.getStudy({ siteId: SITE, studyId: 'mask-empty' });
    const fixed = CORPUS.find((candidate) => candidate.name === 'control-nifti')!.build({ siteId: SITE, studyId });
    const uploadKey = await aws.upload(SITE, studyId, fixed);
    const input = { siteId: SITE, studyId, uploadKey, executionName: executionNameFor(SITE, studyId, `${uploadKey}@etag-2`) };

    const validated = (await validate(input)) as { lesions: unknown[] };
    expect(validated.lesions).toHaveLength(1);
    const record = await aws.results.getStudy({ siteId: SITE, studyId });
    expect(record?.status).toBe('VALIDATING');
    expect(record?.executionName).toBe(input.executionName);
    expect(await aws.getObject(`quarantine/${SITE}/${studyId}/reason.json`)).toBeDefined();
    expect(await aws.results.getStudy({ siteId: SITE, studyId: 'mask-empty' })).toEqual(other);
  });
});
