// The failure step on its own: error translation, ownership of the study, quarantine and notification.
import { describe, expect, it } from 'vitest';

import { failureFromCaught, recordFailure, type PipelineContext, type StudyNotification } from '@radiomics/core/pipeline';

import { MemoryBlobStore, MemoryResultStore } from '../helpers/memory-result-store';

function context(): { context: PipelineContext; blobs: MemoryBlobStore; results: MemoryResultStore; published: StudyNotification[] } {
  const blobs = new MemoryBlobStore();
  const results = new MemoryResultStore();
  const published: StudyNotification[] = [];
  return {
    blobs,
    results,
    published,
    context: { blobs, results, notifier: { publish: async (notification) => void published.push(notification) }, params: { yaml: '', source: 'test' } },
  };
}

const run = { siteId: 'site-a', studyId: 'study-1', uploadKey: 'incoming/site-a/study-1/', executionName: 'site-a-study-1-abc' };

describe('failureFromCaught', () => {
  it('keeps a catalogue code and its message', () => {
    const failure = failureFromCaught({ Error: 'PHI_PRESENT', Cause: 'PatientName (0010,0010) is present.' });
    expect(failure.code).toBe('PHI_PRESENT');
    expect(failure.message).toBe('PatientName (0010,0010) is present.');
    expect(failure.action).toMatch(/De-identify/);
  });

  it('reads the message from a Lambda error record', () => {
    const cause = JSON.stringify({ errorType: 'EMPTY_ROI', errorMessage: 'Lesion "l1" has no voxels.', trace: ['at /var/task/index.js'] });
    expect(failureFromCaught({ Error: 'EMPTY_ROI', Cause: cause }).message).toBe('Lesion "l1" has no voxels.');
  });

  it('hides the cause of errors outside the catalogue', () => {
    const failure = failureFromCaught({ Error: 'States.Timeout', Cause: 'at /home/site/DOE_JOHN/slice1.dcm' });
    expect(failure.code).toBe('INTERNAL_ERROR');
    expect(failure.message).toBe('A workflow step timed out.');
    expect(failureFromCaught({ Error: 'TypeError', Cause: '/x/y' }).message).toBe('A workflow step failed with TypeError.');
  });
});

describe('recordFailure', () => {
  it('marks the study FAILED, quarantines the upload and publishes once', async () => {
    const { context: ctx, blobs, results, published } = context();
    await blobs.put('incoming/site-a/study-1/manifest.json', '{}');
    await blobs.put('incoming/site-a/study-1/ct/1.dcm', new Uint8Array([1, 2]));
    await results.createStudy({ ...run, status: 'RECEIVED', receivedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
    await results.transitionStudy(run, ['RECEIVED'], 'VALIDATING');

    const output = await recordFailure(ctx, { ...run, error: { Error: 'GEOMETRY_MISMATCH', Cause: 'Mask origin differs by 3 mm.' } });
    expect(output.failure.code).toBe('GEOMETRY_MISMATCH');
    expect(output.quarantineKey).toBe('quarantine/site-a/study-1/');

    const study = await results.getStudy(run);
    expect(study?.status).toBe('FAILED');
    expect(study?.failure?.code).toBe('GEOMETRY_MISMATCH');
    expect(await blobs.exists('incoming/site-a/study-1/ct/1.dcm')).toBe(true);
    expect(await blobs.get('quarantine/site-a/study-1/upload/ct/1.dcm')).toEqual(new Uint8Array([1, 2]));
    const reason = JSON.parse(new TextDecoder().decode(await blobs.get('quarantine/site-a/study-1/reason.json'))) as { failure: { code: string } };
    expect(reason.failure.code).toBe('GEOMETRY_MISMATCH');
    expect(published).toEqual([{ kind: 'study.failed', siteId: 'site-a', studyId: 'study-1', failure: study?.failure }]);
  });

  it('creates the record of a study that failed before validation registered it', async () => {
    const { context: ctx, results, published } = context();
    const output = await recordFailure(ctx, { ...run, error: { Error: 'ARCHIVE_UNSAFE_PATH', Cause: 'Entry 3 has a ".." segment.' } });
    expect(output.status).toBe('FAILED');
    expect((await results.getStudy(run))?.status).toBe('FAILED');
    expect(published).toHaveLength(1);
  });

  it('leaves a study owned by another run untouched', async () => {
    const { context: ctx, results, published } = context();
    await results.createStudy({ ...run, status: 'RECEIVED', receivedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
    await results.transitionStudy(run, ['RECEIVED'], 'COMPLETED');

    await recordFailure(ctx, { ...run, executionName: 'another-run', error: { Error: 'STUDY_CONFLICT', Cause: 'taken' } });
    await recordFailure(ctx, { ...run, error: { Error: 'EMPTY_ROI', Cause: 'late event' } });
    expect((await results.getStudy(run))?.status).toBe('COMPLETED');
    expect(published).toEqual([]);
  });

  it('records nothing for unsafe ids but still returns the failure', async () => {
    const { context: ctx, published } = context();
    const output = await recordFailure(ctx, { siteId: '../etc', studyId: 'x', error: { Error: 'MANIFEST_INVALID', Cause: 'bad id' } });
    expect(output.failure.code).toBe('MANIFEST_INVALID');
    expect(published).toEqual([]);
  });
});
