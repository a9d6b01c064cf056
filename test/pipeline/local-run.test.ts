// The local run end to end: the workflow definition executed by aws-local-stepfunctions, the step code, and
// the embedded adapters, on small synthetic NIfTI studies.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { runLocal, type LocalRunOptions } from '../../local/runner';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { DEFAULT_PARAMS_YAML, writeSyntheticStudy } from './synthetic-study';

/** Upper bound for cases that run many studies, on a machine that may be busy with other work. */
const MANY_STUDIES_TIMEOUT_MS = 300_000;

const scratch = mkdtempSync(join(tmpdir(), 'radiomics-local-run-'));
const paramsPath = join(scratch, 'params.yaml');

beforeAll(() => writeFileSync(paramsPath, DEFAULT_PARAMS_YAML));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function options(storeName: string, extra: Partial<LocalRunOptions> = {}): LocalRunOptions {
  return { storeDir: join(scratch, storeName), paramsPath, workers: 0, ...extra };
}

function readLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function withResults<T>(storeName: string, read: (results: SqliteResultStore) => Promise<T>): Promise<T> {
  const results = new SqliteResultStore(join(scratch, storeName, 'results.sqlite'));
  try {
    return await read(results);
  } finally {
    results.close();
  }
}

describe('local run of a study', () => {
  const study = writeSyntheticStudy(join(scratch, 'studies', 'ok-1'), { siteId: 'site-a', studyId: 'ok-1' });

  it('completes with 851 features and a score per lesion', async () => {
    const report = await runLocal([study], options('store-ok'));
    expect(report.studies).toHaveLength(1);
    const [result] = report.studies;
    expect(result.status).toBe('COMPLETED');
    expect(result.ran).toBe(true);
    expect(result.lesions.map((lesion) => lesion.lesionId)).toEqual(['lesion-1', 'lesion-2']);
    for (const lesion of result.lesions) {
      expect(lesion.featureCount).toBe(851);
      expect(lesion.modelVersion).toBe('demo-synthetic-v1');
      expect(lesion.probability).toBeGreaterThanOrEqual(0);
      expect(lesion.probability).toBeLessThanOrEqual(1);
    }
    expect(report.model?.card.synthetic).toBe(true);
  });

  it('records the status trail, feature provenance and notification', async () => {
    const key = { siteId: 'site-a', studyId: 'ok-1' };
    await withResults('store-ok', async (results) => {
      const events = await results.listAuditEvents(key);
      expect(events.map((event) => event.toStatus)).toEqual(['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED']);
      const featureSet = await results.getFeatureSet({ ...key, lesionId: 'lesion-2' });
      expect(featureSet?.label).toBe(2);
      expect(featureSet?.provenance.imageTypes).toHaveLength(9);
      expect(typeof featureSet?.provenance.imageSha256).toBe('string');
      expect((await results.getStudy(key))?.lesionCount).toBe(2);
    });

    const notifications = readLines(join(scratch, 'store-ok', 'notifications.jsonl'));
    expect(notifications.map((notification) => notification.kind)).toEqual(['study.completed']);
    expect((notifications[0].lesions as unknown[]).length).toBe(2);
    expect((notifications[0].model as { synthetic?: boolean }).synthetic).toBe(true);

    const blobs = new FolderBlobStore(join(scratch, 'store-ok', 'blobs'));
    const work = (await blobs.list('work/site-a/ok-1/lesion-1/')).map((object) => object.key);
    expect(work.some((key) => key.endsWith('/image.nii'))).toBe(true);
    expect(work.some((key) => key.endsWith('/mask.nii'))).toBe(true);
    expect(work.filter((key) => key.includes('/features/'))).toHaveLength(9);
  });

  it('changes nothing when run again', async () => {
    const before = await withResults('store-ok', async (results) => ({
      events: (await results.listAuditEvents({ siteId: 'site-a', studyId: 'ok-1' })).length,
      scores: (await results.listScores({ siteId: 'site-a', studyId: 'ok-1', lesionId: 'lesion-1' })).length,
    }));
    const report = await runLocal([study], options('store-ok'));
    expect(report.studies[0].ran).toBe(false);
    expect(report.studies[0].status).toBe('COMPLETED');
    expect(report.studies[0].lesions).toHaveLength(2);

    const after = await withResults('store-ok', async (results) => ({
      events: (await results.listAuditEvents({ siteId: 'site-a', studyId: 'ok-1' })).length,
      scores: (await results.listScores({ siteId: 'site-a', studyId: 'ok-1', lesionId: 'lesion-1' })).length,
    }));
    expect(after).toEqual(before);
    expect(readLines(join(scratch, 'store-ok', 'notifications.jsonl'))).toHaveLength(1);
  });
});

describe('local run of a broken study', () => {
  const folder = join(scratch, 'studies', 'bad-label');
  writeSyntheticStudy(folder, {
    siteId: 'site-b',
    studyId: 'bad-label',
    manifestLesions: [{ lesionId: 'lesion-9', mask: 'masks/lesions.nii.gz', label: 9 }],
  });

  it('fails with LABEL_NOT_FOUND and quarantines a copy of the upload', async () => {
    const report = await runLocal([folder], options('store-bad'));
    const [result] = report.studies;
    expect(result.status).toBe('FAILED');
    expect(result.failure?.code).toBe('LABEL_NOT_FOUND');

    const blobs = new FolderBlobStore(join(scratch, 'store-bad', 'blobs'));
    expect(await blobs.exists('incoming/site-b/bad-label/manifest.json')).toBe(true);
    expect(await blobs.exists('quarantine/site-b/bad-label/upload/manifest.json')).toBe(true);
    const reason = JSON.parse(new TextDecoder().decode(await blobs.get('quarantine/site-b/bad-label/reason.json'))) as { failure: { code: string } };
    expect(reason.failure.code).toBe('LABEL_NOT_FOUND');

    await withResults('store-bad', async (results) => {
      const stored = await results.getStudy({ siteId: 'site-b', studyId: 'bad-label' });
      expect(stored?.status).toBe('FAILED');
      expect(stored?.failure?.code).toBe('LABEL_NOT_FOUND');
      expect(stored?.quarantineKey).toBe('quarantine/site-b/bad-label/');
    });
    const notifications = readLines(join(scratch, 'store-bad', 'notifications.jsonl'));
    expect(notifications.map((notification) => notification.kind)).toEqual(['study.failed']);
  });

  it('re-runs the study once the upload is corrected', async () => {
    writeSyntheticStudy(folder, { siteId: 'site-b', studyId: 'bad-label' });
    const report = await runLocal([folder], options('store-bad'));
    expect(report.studies[0].ran).toBe(true);
    expect(report.studies[0].status).toBe('COMPLETED');
    expect(report.studies[0].lesions).toHaveLength(2);
    await withResults('store-bad', async (results) => {
      const events = await results.listAuditEvents({ siteId: 'site-b', studyId: 'bad-label' });
      expect(events.map((event) => event.toStatus)).toEqual(['RECEIVED', 'VALIDATING', 'FAILED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED']);
    });
  });

  it('fails an invalid manifest with MANIFEST_INVALID', async () => {
    const invalid = join(scratch, 'studies', 'bad-manifest');
    writeSyntheticStudy(invalid, { siteId: 'site-b', studyId: 'bad-manifest', manifestText: '{"schemaVersion": 1, "siteId": "site-b", "studyId": "bad-manifest", "lesions": []}' });
    const report = await runLocal([invalid], options('store-bad'));
    expect(report.studies[0].status).toBe('FAILED');
    expect(report.studies[0].failure?.code).toBe('MANIFEST_INVALID');
  });

  it('keeps planted file names out of logs, messages and notifications', async () => {
    const planted = 'DOE^JOHN_19700101';
    const leaky = join(scratch, 'studies', 'leaky');
    writeSyntheticStudy(leaky, {
      siteId: 'site-c',
      studyId: 'leaky',
      manifestLesions: [
        { lesionId: 'lesion-1', mask: 'masks/lesions.nii.gz', label: 1 },
        { lesionId: 'lesion-2', mask: `masks/${planted}.nii.gz`, label: 1 },
      ],
    });
    const report = await runLocal([leaky], options('store-leak', { verbose: false }));
    expect(report.studies[0].failure?.code).toBe('FILE_NOT_FOUND');
    expect(report.studies[0].failure?.message).not.toContain('DOE');

    const logs = readFileSync(join(scratch, 'store-leak', 'logs', 'pipeline.jsonl'), 'utf8');
    const notifications = readFileSync(join(scratch, 'store-leak', 'notifications.jsonl'), 'utf8');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain('DOE');
    expect(logs).not.toContain('lesions.nii.gz');
    expect(notifications).not.toContain('DOE');
  });
});

describe('local run of many studies', () => {
  it('gives one record per study for 50 concurrent studies on worker threads', async () => {
    const root = join(scratch, 'many');
    for (let index = 0; index < 50; index++) {
      const studyId = `m-${String(index).padStart(2, '0')}`;
      writeSyntheticStudy(join(root, studyId), {
        siteId: index % 2 === 0 ? 'site-even' : 'site-odd',
        studyId,
        size: [20, 20, 10],
        lesions: [{ label: 1, centre: [10, 10, 5], radius: 3, hu: 30 + index }],
        seed: index + 1,
      });
    }
    const report = await runLocal([root], options('store-many', { workers: 2 }));
    expect(report.studies).toHaveLength(50);
    expect(report.studies.filter((study) => study.status === 'COMPLETED')).toHaveLength(50);

    await withResults('store-many', async (results) => {
      const even = await results.listStudies({ siteId: 'site-even', limit: 1000 });
      const odd = await results.listStudies({ siteId: 'site-odd', limit: 1000 });
      expect(even.items).toHaveLength(25);
      expect(odd.items).toHaveLength(25);
      const summaries = await results.siteSummaries();
      expect(summaries.map((summary) => [summary.siteId, summary.studiesByStatus.COMPLETED, summary.lesionsScored])).toEqual([
        ['site-even', 25, 25],
        ['site-odd', 25, 25],
      ]);
    });
    expect(readLines(join(scratch, 'store-many', 'notifications.jsonl'))).toHaveLength(50);
  }, MANY_STUDIES_TIMEOUT_MS);
});

describe('local run of zip uploads', () => {
  it('runs a study uploaded as a zip archive', async () => {
    const folder = writeSyntheticStudy(join(scratch, 'zip-source', 'zipped-1'), { siteId: 'site-z', studyId: 'zipped-1' });
    const archive = join(scratch, 'zips', 'zipped-1.zip');
    mkdirSync(join(scratch, 'zips'), { recursive: true });
    writeFileSync(
      archive,
      zipSync({
        'zipped-1/manifest.json': readFileSync(join(folder, 'manifest.json')),
        'zipped-1/image.nii.gz': readFileSync(join(folder, 'image.nii.gz')),
        'zipped-1/masks/lesions.nii.gz': readFileSync(join(folder, 'masks', 'lesions.nii.gz')),
        '__MACOSX/zipped-1/._image.nii.gz': new Uint8Array([0]),
      }),
    );

    const report = await runLocal([archive], options('store-zip'));
    expect(report.studies[0].status).toBe('COMPLETED');
    expect(report.studies[0].lesions).toHaveLength(2);
    const blobs = new FolderBlobStore(join(scratch, 'store-zip', 'blobs'));
    expect(await blobs.exists('incoming/site-z/zipped-1.zip')).toBe(true);
  });

  it('fails an archive with a path traversal and keeps it', async () => {
    const archive = join(scratch, 'zips', 'escape.zip');
    writeFileSync(archive, zipSync({ 'manifest.json': new TextEncoder().encode('{}'), '../../outside.txt': new TextEncoder().encode('x') }));

    const report = await runLocal([archive], options('store-zip', { siteId: 'site-z' }));
    expect(report.studies[0].status).toBe('FAILED');
    expect(report.studies[0].failure?.code).toBe('ARCHIVE_UNSAFE_PATH');
    const blobs = new FolderBlobStore(join(scratch, 'store-zip', 'blobs'));
    expect(await blobs.exists('incoming/site-z/escape.zip')).toBe(true);
    expect(await blobs.exists('quarantine/site-z/escape/upload/escape.zip')).toBe(true);
    expect(existsSync(join(scratch, 'store-zip', 'outside.txt'))).toBe(false);
  });
});
