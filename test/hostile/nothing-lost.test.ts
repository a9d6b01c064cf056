// Nothing is lost and nothing is counted twice. A failed study is quarantined and re-runs after a fix without
// touching other studies. Repeated runs, a repeated execution and retried tasks never duplicate a result, and a
// repeated upload event starts no second execution. 50 studies run at once give 50 records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WORKFLOW_TASKS, executionNameFor, folderUploadKey, toTaskError, type StudyRecord, type WorkflowFunctionName } from '@radiomics/core/pipeline';

import { LocalWorkflowExecutor } from '../../local/executor';
import { openLocalStore } from '../../local/local-context';
import { ensureActiveModel, runLocal } from '../../local/runner';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { manifestJson, niftiStudy, writeStudyFolder, type GridGeometry, type StudyFiles } from '../helpers/study-builder';
import { FAST_PARAMS_PATH, readJsonLines } from './local-store';

const SITE = 'site-lost';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'radiomics-nothing-lost-'));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Builds the valid NIfTI study with a manifest that requests label 2, which the mask does not contain. */
function labelAbsentStudy(studyId: string): StudyFiles {
  return {
    ...niftiStudy({ siteId: SITE, studyId }),
    'manifest.json': manifestJson({ siteId: SITE, studyId, image: 'image.nii.gz', lesions: [{ lesionId: 'lesion-1', mask: 'masks/lesions.nii.gz', label: 2 }] }),
  };
}

async function readStore<T>(storeDir: string, read: (results: SqliteResultStore) => Promise<T>): Promise<T> {
  const results = new SqliteResultStore(join(storeDir, 'results.sqlite'));
  try {
    return await read(results);
  } finally {
    results.close();
  }
}

interface StudySnapshot {
  readonly record: StudyRecord | undefined;
  readonly auditEvents: number;
  readonly featureSets: number;
  readonly scores: number;
}

async function snapshot(results: SqliteResultStore, studyId: string): Promise<StudySnapshot> {
  const key = { siteId: SITE, studyId };
  const featureSets = await results.listFeatureSets(key);
  let scores = 0;
  for (const featureSet of featureSets) scores += (await results.listScores(featureSet)).length;
  return { record: await results.getStudy(key), auditEvents: (await results.listAuditEvents(key)).length, featureSets: featureSets.length, scores };
}

async function allStudies(results: SqliteResultStore, siteId: string): Promise<StudyRecord[]> {
  const studies: StudyRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await results.listStudies({ siteId, limit: 100, ...(cursor ? { cursor } : {}) });
    studies.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return studies;
}

describe('quarantine and re-run after a fix', () => {
  it('re-runs only the fixed study', async () => {
    const uploads = join(root, 'rerun', 'uploads');
    const storeDir = join(root, 'rerun', 'store');
    writeStudyFolder(join(uploads, 'broken'), labelAbsentStudy('broken'));
    writeStudyFolder(join(uploads, 'good-1'), niftiStudy({ siteId: SITE, studyId: 'good-1' }));
    writeStudyFolder(join(uploads, 'good-2'), niftiStudy({ siteId: SITE, studyId: 'good-2' }));
    const options = { storeDir, siteId: SITE, paramsPath: FAST_PARAMS_PATH, workers: 2 };

    const first = await runLocal([uploads], options);
    expect(Object.fromEntries(first.studies.map((study) => [study.studyId, study.failure?.code ?? study.status]))).toEqual({
      broken: 'LABEL_NOT_FOUND',
      'good-1': 'COMPLETED',
      'good-2': 'COMPLETED',
    });
    const before = await readStore(storeDir, async (results) => ({
      broken: await snapshot(results, 'broken'),
      good1: await snapshot(results, 'good-1'),
      good2: await snapshot(results, 'good-2'),
    }));
    expect(before.broken.record?.quarantineKey).toBe(`quarantine/${SITE}/broken/`);

    // The site fixes the manifest and uploads the study again. Then the whole folder is run again.
    writeStudyFolder(join(uploads, 'broken'), niftiStudy({ siteId: SITE, studyId: 'broken' }));
    const second = await runLocal([uploads], options);
    const byId = new Map(second.studies.map((study) => [study.studyId, study]));
    expect(byId.get('broken')).toMatchObject({ status: 'COMPLETED', ran: true });
    expect(byId.get('good-1')).toMatchObject({ status: 'COMPLETED', ran: false });
    expect(byId.get('good-2')).toMatchObject({ status: 'COMPLETED', ran: false });

    const after = await readStore(storeDir, async (results) => ({
      broken: await snapshot(results, 'broken'),
      good1: await snapshot(results, 'good-1'),
      good2: await snapshot(results, 'good-2'),
      brokenEvents: await results.listAuditEvents({ siteId: SITE, studyId: 'broken' }),
    }));
    expect(after.good1).toEqual(before.good1);
    expect(after.good2).toEqual(before.good2);
    expect(after.broken.record?.status).toBe('COMPLETED');
    expect(after.broken.featureSets).toBe(1);
    expect(after.broken.scores).toBe(1);
    const trail = after.brokenEvents.map((event) => event.toStatus);
    expect(trail.indexOf('FAILED')).toBeGreaterThan(-1);
    expect(trail.lastIndexOf('COMPLETED')).toBeGreaterThan(trail.indexOf('FAILED'));

    const notifications = readJsonLines(join(storeDir, 'notifications.jsonl'));
    const kindsOf = (studyId: string) => notifications.filter((line) => line.studyId === studyId).map((line) => line.kind);
    expect(kindsOf('broken')).toEqual(['study.failed', 'study.completed']);
    expect(kindsOf('good-1')).toEqual(['study.completed']);
    expect(kindsOf('good-2')).toEqual(['study.completed']);
  });
});

describe('repeated events and retried tasks', () => {
  it('running unchanged uploads again changes nothing', async () => {
    const uploads = join(root, 'repeat', 'uploads');
    const storeDir = join(root, 'repeat', 'store');
    writeStudyFolder(join(uploads, 'study-a'), niftiStudy({ siteId: SITE, studyId: 'study-a' }));
    writeStudyFolder(join(uploads, 'study-b'), labelAbsentStudy('study-b'));
    const options = { storeDir, siteId: SITE, paramsPath: FAST_PARAMS_PATH, workers: 0 };

    await runLocal([uploads], options);
    const before = await readStore(storeDir, async (results) => [await snapshot(results, 'study-a'), await snapshot(results, 'study-b')]);
    const notificationsBefore = readJsonLines(join(storeDir, 'notifications.jsonl')).length;

    const again = await runLocal([uploads], options);
    expect(again.studies.map((study) => study.ran)).toEqual([false, false]);
    const after = await readStore(storeDir, async (results) => [await snapshot(results, 'study-a'), await snapshot(results, 'study-b')]);
    expect(after).toEqual(before);
    expect(readJsonLines(join(storeDir, 'notifications.jsonl'))).toHaveLength(notificationsBefore);
  });

  it('stores once despite duplicate executions and retried tasks', async () => {
    const storeDir = join(root, 'retry', 'store');
    const store = openLocalStore({ storeDir, paramsPath: FAST_PARAMS_PATH });
    try {
      await ensureActiveModel(store);
      const studyId = 'retried';
      const uploadKey = folderUploadKey(SITE, studyId);
      const lesions = [
        { label: 1, centre: [5, 5, 3] as const, radius: 2, hu: 40 },
        { label: 2, centre: [11, 11, 5] as const, radius: 2, hu: 90 },
      ];
      for (const [path, bytes] of Object.entries(niftiStudy({ siteId: SITE, studyId }, undefined, lesions))) await store.blobs.put(`${uploadKey}${path}`, bytes);

      // A Lambda retried after a lost response runs its step twice with the same input: here every task does.
      const calls = new Map<string, number>();
      const twice = async (functionName: WorkflowFunctionName, input: unknown): Promise<unknown> => {
        calls.set(functionName, (calls.get(functionName) ?? 0) + 2);
        try {
          await WORKFLOW_TASKS[functionName](store.context, input as never);
          return await WORKFLOW_TASKS[functionName](store.context, input as never);
        } catch (thrown) {
          throw toTaskError(thrown);
        }
      };
      const input = { siteId: SITE, studyId, uploadKey, executionName: executionNameFor(SITE, studyId, 'upload-v1'), receivedAt: new Date().toISOString() };
      const executor = new LocalWorkflowExecutor(twice);

      const notificationsOf = () => readJsonLines(join(storeDir, 'notifications.jsonl')).filter((line) => line.studyId === studyId);
      const firstRun = await executor.run(input);
      expect(firstRun.status, JSON.stringify(firstRun)).toBe('SUCCEEDED');
      expect(calls.get('extract-features')).toBeGreaterThan(2);
      // Publishing is at-least-once (a retried publish step sends again), so subscribers may see the same message twice.
      const afterFirstRun = notificationsOf();
      expect(new Set(afterFirstRun.map((line) => line.kind))).toEqual(new Set(['study.completed']));

      // The same upload event delivered again after the study completed.
      await executor.run(input);

      const state = await snapshot(store.results, studyId);
      expect(state.record?.status).toBe('COMPLETED');
      expect(state.featureSets).toBe(2);
      expect(state.scores).toBe(2);
      expect(notificationsOf()).toHaveLength(afterFirstRun.length);
    } finally {
      store.close();
    }
  });

  it('start-study starts a repeated upload event once', async () => {
    const sfn = mockClient(SFNClient);
    const started = new Set<string>();
    sfn.on(StartExecutionCommand).callsFake((command: { name?: string }) => {
      if (started.has(command.name ?? '')) throw new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} });
      started.add(command.name ?? '');
      return { executionArn: `arn:aws:states:eu-west-1:000000000000:execution:study:${command.name}`, startDate: new Date() };
    });
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:000000000000:stateMachine:study';
    try {
      const { handler } = await import('../../functions/start-study/index');
      const event = { time: '2026-01-01T00:00:00Z', detail: { object: { key: `incoming/${SITE}/study-z.zip`, etag: 'etag-1' } } };
      const first = await handler(event);
      const second = await handler(event);
      expect(first.started).toHaveLength(1);
      expect(second.started).toHaveLength(0);
      expect(second.alreadyStarted).toEqual(first.started);
      expect(started.size).toBe(1);
    } finally {
      sfn.restore();
    }
  });
});

describe('upload keys from events', () => {
  it('start-study ignores unsafe keys and non-trigger objects', async () => {
    const sfn = mockClient(SFNClient);
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:000000000000:stateMachine:study';
    try {
      const { handler } = await import('../../functions/start-study/index');
      const keys = [
        'incoming/../site-a/study.zip',
        'incoming/site-a/../../work/study.zip',
        'incoming/site a/study.zip',
        'incoming/.hidden/study.zip',
        'incoming/site-a/study/ct/slice-1.dcm',
        'quarantine/site-a/study.zip',
        `incoming/${'s'.repeat(65)}/study.zip`,
      ];
      const result = await handler({
        Records: keys.map((key) => ({ eventTime: '2026-01-01T00:00:00Z', s3: { object: { key: encodeURIComponent(key), eTag: 'etag-1' } } })),
      });
      expect(result.started).toEqual([]);
      expect(result.ignored).toBe(keys.length);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    } finally {
      sfn.restore();
    }
  });
});

describe('many studies at once', () => {
  it('50 concurrent studies give 50 records', async () => {
    const uploads = join(root, 'fifty', 'uploads');
    const storeDir = join(root, 'fifty', 'store');
    const grid: GridGeometry = { size: [12, 12, 6], spacing: [0.8, 0.8, 2], origin: [-6, -6, 100] };
    const lesion = [{ label: 1, centre: [6, 6, 3] as const, radius: 2, hu: 40 }];
    for (let n = 0; n < 50; n++) {
      const studyId = `study-${String(n).padStart(2, '0')}`;
      const files = n % 10 === 9 ? labelAbsentStudy(studyId) : niftiStudy({ siteId: SITE, studyId }, grid, lesion);
      writeStudyFolder(join(uploads, studyId), files);
    }

    const report = await runLocal([uploads], { storeDir, siteId: SITE, paramsPath: FAST_PARAMS_PATH, workers: 2 });
    expect(report.studies).toHaveLength(50);
    expect(report.studies.filter((study) => study.status === 'COMPLETED')).toHaveLength(45);
    expect(report.studies.filter((study) => study.failure?.code === 'LABEL_NOT_FOUND')).toHaveLength(5);

    const records = await readStore(storeDir, (results) => allStudies(results, SITE));
    expect(new Set(records.map((record) => record.studyId)).size).toBe(50);
    expect(records.filter((record) => record.status === 'COMPLETED')).toHaveLength(45);
    expect(records.filter((record) => record.status === 'FAILED')).toHaveLength(5);

    const notifications = readJsonLines(join(storeDir, 'notifications.jsonl'));
    expect(notifications.filter((line) => line.kind === 'study.completed')).toHaveLength(45);
    expect(notifications.filter((line) => line.kind === 'study.failed')).toHaveLength(5);
  });
});
