// The embedded adapters (local folder, SQLite, JSON-lines file) against the shared port contracts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { JsonLinesNotifier } from '../../local/json-lines-notifier';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { describeBlobStoreContract } from './blob-store-contract';
import { describeResultStoreContract, study } from './result-store-contract';

const scratch = mkdtempSync(join(tmpdir(), 'radiomics-embedded-'));
const stores: SqliteResultStore[] = [];
let counter = 0;

afterAll(() => {
  for (const store of stores) store.close();
  rmSync(scratch, { recursive: true, force: true });
});

describeBlobStoreContract('FolderBlobStore', async () => new FolderBlobStore(join(scratch, `blobs-${counter++}`)));

describeResultStoreContract('SqliteResultStore', async () => {
  const store = new SqliteResultStore(join(scratch, `results-${counter++}.sqlite`));
  stores.push(store);
  return store;
});

describe('FolderBlobStore keys', () => {
  it('rejects keys that leave the store', async () => {
    const store = new FolderBlobStore(join(scratch, 'escape'));
    await expect(store.put('../outside.txt', 'x')).rejects.toThrow(/not a relative path/);
    await expect(store.put('/etc/passwd', 'x')).rejects.toThrow(/not a relative path/);
    await expect(store.get('work/../../x')).rejects.toThrow(/not a relative path/);
  });
});

describe('SqliteResultStore file', () => {
  it('keeps audit events append-only', async () => {
    const store = new SqliteResultStore(join(scratch, 'append-only.sqlite'));
    stores.push(store);
    await store.createStudy(study('site-a', 's1', '2026-01-01T00:00:00.000Z'));
    expect(() => store.database.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(() => store.database.prepare("UPDATE audit_events SET record = '{}'").run()).toThrow(/append-only/);
  });

  it('shares one database between two connections', async () => {
    const file = join(scratch, 'shared.sqlite');
    const first = new SqliteResultStore(file);
    const second = new SqliteResultStore(file);
    stores.push(first, second);
    await first.createStudy(study('site-a', 'shared', '2026-01-01T00:00:00.000Z'));
    expect(await second.createStudy(study('site-a', 'shared', '2026-01-01T00:00:00.000Z'))).toBe(false);
    expect(await second.transitionStudy({ siteId: 'site-a', studyId: 'shared' }, ['RECEIVED'], 'VALIDATING')).toBe(true);
    expect((await first.getStudy({ siteId: 'site-a', studyId: 'shared' }))?.status).toBe('VALIDATING');
  });
});

describe('JsonLinesNotifier', () => {
  it('appends one JSON line per notification', async () => {
    const file = join(scratch, 'notifications.jsonl');
    const notifier = new JsonLinesNotifier(file);
    await notifier.publish({ kind: 'study.failed', siteId: 'site-a', studyId: 's1', failure: { code: 'EMPTY_ROI', message: 'm', action: 'a' } });
    await notifier.publish({ kind: 'rescore.completed', modelVersion: 'm2', lesionsScored: 3, lesionsSkipped: 0 });

    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0].kind).toBe('study.failed');
    expect((lines[0].failure as { code: string }).code).toBe('EMPTY_ROI');
    expect(typeof lines[0].publishedAt).toBe('string');
    expect(lines[1].modelVersion).toBe('m2');
  });
});
