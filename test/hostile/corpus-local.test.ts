// Runs the whole corpus of broken studies through the local runner (the real workflow definition, worker
// threads, blob folder, SQLite store) into a temporary store, then reads the store back: every broken study ends
// FAILED with its expected code, its upload untouched, a quarantine copy with reason.json and one failure
// notification; every control completes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { StudyRecord } from '@radiomics/core/pipeline';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { runLocal, type LocalRunReport } from '../../local/runner';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { materialiseCorpus, type MaterialisedCase } from './corpus/build-corpus';
import { CORPUS as FULL_CORPUS } from './corpus/cases';

/** The cases that apply to a local run. */
const CORPUS = FULL_CORPUS.filter((corpusCase) => corpusCase.scope !== 'cloud');
import { FAST_PARAMS_PATH, readJsonLines, uploadedFilesOf } from './local-store';

const SITE = 'site-hostile';

let root: string;
let storeDir: string;
let written: MaterialisedCase[];
let report: LocalRunReport;
let records: Map<string, StudyRecord | undefined>;
let blobs: FolderBlobStore;
let notifications: Record<string, unknown>[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'radiomics-corpus-'));
  storeDir = join(root, 'store');
  written = materialiseCorpus(join(root, 'uploads'), SITE, CORPUS);
  report = await runLocal(
    written.map((entry) => entry.path),
    { storeDir, siteId: SITE, paramsPath: FAST_PARAMS_PATH, workers: 2 },
  );

  const results = new SqliteResultStore(join(storeDir, 'results.sqlite'));
  records = new Map();
  try {
    for (const entry of written) records.set(entry.studyId, await results.getStudy({ siteId: SITE, studyId: entry.studyId }));
  } finally {
    results.close();
  }
  blobs = new FolderBlobStore(join(storeDir, 'blobs'));
  notifications = readJsonLines(join(storeDir, 'notifications.jsonl'));
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('corpus of broken studies, local run', () => {
  it('reports every study once', () => {
    expect(report.studies.map((study) => study.studyId).sort()).toEqual(written.map((entry) => entry.studyId).sort());
  });

  for (const corpusCase of CORPUS.filter((candidate) => candidate.expectedCode === undefined)) {
    it(`control ${corpusCase.name} completes`, () => {
      const study = report.studies.find((candidate) => candidate.studyId === corpusCase.name);
      expect(study?.failure, `${corpusCase.name}: ${study?.failure?.code} ${study?.failure?.message}`).toBeUndefined();
      expect(study?.status).toBe('COMPLETED');
      expect(study?.lesions.length).toBeGreaterThan(0);
      expect(records.get(corpusCase.name)?.status).toBe('COMPLETED');
    });
  }

  for (const corpusCase of CORPUS.filter((candidate) => candidate.expectedCode !== undefined)) {
    describe(`${corpusCase.name}: ${corpusCase.breaks}`, () => {
      it(`ends FAILED with ${corpusCase.expectedCode} in the report and the SQLite record`, () => {
        const study = report.studies.find((candidate) => candidate.studyId === corpusCase.name);
        expect(study?.status).toBe('FAILED');
        expect(study?.failure?.code, study?.failure?.message).toBe(corpusCase.expectedCode);

        const record = records.get(corpusCase.name);
        expect(record?.status).toBe('FAILED');
        expect(record?.failure?.code).toBe(corpusCase.expectedCode);
        expect(record?.failure?.action.length).toBeGreaterThan(10);
      });

      it('explains the failure in a readable message', () => {
        const message = records.get(corpusCase.name)?.failure?.message ?? '';
        expect(message.length).toBeGreaterThan(20);
        expect(message).not.toContain('[object Object]');
        expect(message).not.toMatch(/undefined|NaN/);
      });

      it('keeps the upload byte for byte', async () => {
        const entry = written.find((candidate) => candidate.studyId === corpusCase.name)!;
        const record = records.get(corpusCase.name);
        expect(record?.uploadKey).toBeDefined();
        for (const file of uploadedFilesOf(entry, record!.uploadKey)) {
          expect(await blobs.exists(file.key), file.key).toBe(true);
          expect(Buffer.compare(await blobs.get(file.key), file.bytes), file.key).toBe(0);
        }
      });

      it('copies the upload to quarantine with reason.json', async () => {
        const record = records.get(corpusCase.name);
        const prefix = `quarantine/${SITE}/${corpusCase.name}/`;
        expect(record?.quarantineKey).toBe(prefix);
        const reason = JSON.parse(Buffer.from(await blobs.get(`${prefix}reason.json`)).toString('utf8')) as { failure: { code: string } };
        expect(reason.failure.code).toBe(corpusCase.expectedCode);
        const copies = (await blobs.list(`${prefix}upload/`)).map((object) => object.key);
        expect(copies.length).toBeGreaterThan(0);
      });

      it('publishes exactly one failure notification with the code', () => {
        const mine = notifications.filter((line) => line.studyId === corpusCase.name);
        expect(mine).toHaveLength(1);
        expect(mine[0]).toMatchObject({ kind: 'study.failed', siteId: SITE, failure: { code: corpusCase.expectedCode } });
      });
    });
  }

  it('writes nothing outside the store for archive entries with ".." or absolute paths', () => {
    expect(existsSync(join(root, 'escaped-by-traversal.txt'))).toBe(false);
    expect(existsSync(join(storeDir, 'escaped-by-traversal.txt'))).toBe(false);
    expect(existsSync(join(storeDir, 'blobs', 'escaped-by-traversal.txt'))).toBe(false);
    expect(existsSync('/tmp/escaped-by-absolute-path.txt')).toBe(false);
    const logText = existsSync(join(storeDir, 'logs', 'pipeline.jsonl')) ? readFileSync(join(storeDir, 'logs', 'pipeline.jsonl'), 'utf8') : '';
    expect(logText).not.toContain('escaped-by');
  });
});
