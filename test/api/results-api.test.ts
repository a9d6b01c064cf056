import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createResultsApi, type ApiRequest, type CallerIdentity, type ResultsApi } from '@radiomics/core/api';
import type { BlobStore, ResultStore } from '@radiomics/core/pipeline/ports';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { MemoryBlobStore, MemoryResultStore, SEED_FEATURE_NAMES, seedModel, seedResults } from '../helpers/memory-result-store';

const coordinator: CallerIdentity = { role: 'coordinator', subject: 'coordinator-1' };
const siteAUser: CallerIdentity = { role: 'site-user', siteId: 'site-a', subject: 'site-a-user' };

interface Stores {
  store: ResultStore;
  blobs: BlobStore;
  dispose(): void;
}

// The same suite runs on the in-memory stand-in and on the embedded SQLite store with a blob folder.
const STORE_KINDS: [string, () => Stores][] = [
  ['memory store', () => ({ store: new MemoryResultStore(), blobs: new MemoryBlobStore(), dispose: () => {} })],
  [
    'SQLite store',
    () => {
      const folder = mkdtempSync(join(tmpdir(), 'results-api-'));
      const sqlite = new SqliteResultStore(join(folder, 'results.sqlite'));
      return {
        store: sqlite,
        blobs: new FolderBlobStore(join(folder, 'blobs')),
        dispose: () => {
          sqlite.close();
          rmSync(folder, { recursive: true, force: true });
        },
      };
    },
  ],
];

describe.each(STORE_KINDS)('results API on %s', (_kind, makeStores) => {
  let stores: Stores;
  let store: ResultStore;
  let blobs: BlobStore;
  let api: ResultsApi;

  async function call(path: string, caller: CallerIdentity | undefined, query: Record<string, string> = {}, method = 'GET') {
    const request: ApiRequest = { method, path, query, caller };
    const response = await api(request);
    const body = typeof response.body === 'string' && response.headers['content-type']?.startsWith('application/json') ? JSON.parse(response.body) : response.body;
    return { status: response.status, headers: response.headers, body };
  }

  beforeEach(async () => {
    stores = makeStores();
    ({ store, blobs } = stores);
    await seedResults(store, blobs);
    api = createResultsApi({ store, blobs });
  });

  afterEach(() => stores.dispose());

  describe('results API access', () => {
    it('rejects requests without credentials', async () => {
      const response = await call('/api/studies', undefined);

      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('ACCESS_DENIED');
    });

    it('rejects a site user without a site', async () => {
      const response = await call('/api/studies', { role: 'site-user', subject: 'x' });

      expect(response.status).toBe(403);
    });

    it('rejects write methods', async () => {
      const response = await call('/api/studies', coordinator, {}, 'POST');

      expect(response.status).toBe(405);
    });

    it('reports the caller identity', async () => {
      const response = await call('/api/me', siteAUser);

      expect(response.body).toEqual({ role: 'site-user', siteId: 'site-a' });
    });
  });

  describe('study listing', () => {
    it('lists every site for a coordinator', async () => {
      const response = await call('/api/studies', coordinator);

      expect(response.status).toBe(200);
      expect(response.body.items.map((study: { studyId: string }) => study.studyId)).toEqual(['study-001', 'study-101', 'study-002', 'study-003']);
      expect(response.body.nextCursor).toBeNull();
    });

    it('limits a site user to its own site', async () => {
      const response = await call('/api/studies', siteAUser);

      expect(response.body.items.every((study: { siteId: string }) => study.siteId === 'site-a')).toBe(true);
      expect(response.body.items).toHaveLength(3);
    });

    it('forbids a site user filtering another site', async () => {
      const response = await call('/api/studies', siteAUser, { site: 'site-b' });

      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('ACCESS_DENIED');
    });

    it('filters by site, status and date', async () => {
      const bySite = await call('/api/studies', coordinator, { site: 'site-b' });
      const byStatus = await call('/api/studies', coordinator, { status: 'failed' });
      const byDate = await call('/api/studies', coordinator, { from: '2026-11-15', to: '2026-11-20' });

      expect(bySite.body.items.map((study: { studyId: string }) => study.studyId)).toEqual(['study-101']);
      expect(byStatus.body.items.map((study: { studyId: string }) => study.studyId)).toEqual(['study-003']);
      expect(byStatus.body.items[0].failure.code).toBe('LABEL_NOT_FOUND');
      expect(byDate.body.items.map((study: { studyId: string }) => study.studyId)).toEqual(['study-101', 'study-002']);
    });

    it('pages with a cursor', async () => {
      const first = await call('/api/studies', coordinator, { limit: '3' });
      const second = await call('/api/studies', coordinator, { limit: '3', cursor: first.body.nextCursor });

      expect(first.body.items).toHaveLength(3);
      expect(typeof first.body.nextCursor).toBe('string');
      expect(second.body.items.map((study: { studyId: string }) => study.studyId)).toEqual(['study-003']);
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([
      [{ limit: '0' }, 'limit'],
      [{ limit: '500' }, 'limit'],
      [{ status: 'DONE' }, 'status'],
      [{ from: '2026-02-30' }, 'from'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: '2026-12-01', to: '2026-11-01' }, 'after'],
      [{ site: '../etc' }, 'site'],
    ])('rejects query %o', async (query, word) => {
      const response = await call('/api/studies', coordinator, query);

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('REQUEST_INVALID');
      expect(response.body.error.message).toContain(word);
    });

    it('keeps upload keys out of responses', async () => {
      const response = await call('/api/studies', coordinator);

      expect(JSON.stringify(response.body)).not.toContain('incoming/');
    });
  });

  describe('study detail', () => {
    it('returns audit trail and lesions', async () => {
      const response = await call('/api/studies/site-a/study-001', coordinator);

      expect(response.status).toBe(200);
      expect(response.body.study.status).toBe('COMPLETED');
      expect(response.body.audit.map((event: { toStatus: string }) => event.toStatus)).toEqual(['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED']);
      expect(response.body.lesions).toHaveLength(2);
      expect(response.body.lesions[0].current.probability).toBe(0.82);
      expect(response.body.lesions[0].stale).toBe(false);
      expect(response.body.activeModelVersion).toBe('demo-v1');
    });

    it('hides another site from a site user', async () => {
      const response = await call('/api/studies/site-b/study-101', siteAUser);

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('RESULT_NOT_FOUND');
    });

    it('answers 404 for an unknown study', async () => {
      const response = await call('/api/studies/site-a/nope', coordinator);

      expect(response.status).toBe(404);
    });

    it('carries the failure reason of a failed study', async () => {
      const response = await call('/api/studies/site-a/study-003', siteAUser);

      expect(response.body.study.failure).toMatchObject({ code: 'LABEL_NOT_FOUND' });
      expect(response.body.audit.at(-1).detail).toContain('LABEL_NOT_FOUND');
    });
  });

  describe('lesion detail', () => {
    it('returns score, history and the model features', async () => {
      const response = await call('/api/studies/site-a/study-001/lesions/lesion-1', coordinator);

      expect(response.status).toBe(200);
      expect(response.body.lesion.current).toMatchObject({ modelVersion: 'demo-v1', probability: 0.82, predictedClass: 'progression' });
      expect(response.body.history).toHaveLength(1);
      expect(response.body.features).toEqual([
        { name: SEED_FEATURE_NAMES[0], value: 1.25 },
        { name: SEED_FEATURE_NAMES[1], value: 0.031 },
      ]);
      expect(response.body.featureModel).toMatchObject({ version: 'demo-v1', active: true, synthetic: true });
    });

    it('flags scores of an older model as stale', async () => {
      await seedModel(store, blobs, 'demo-v2', '2026-12-01T00:00:00.000Z');
      await store.setActiveModel('demo-v2');

      const stale = await call('/api/studies/site-a/study-001/lesions/lesion-1', coordinator);

      expect(stale.body.lesion.stale).toBe(true);
      expect(stale.body.lesion.current).toBeNull();
      expect(stale.body.lesion.latest.modelVersion).toBe('demo-v1');
      expect(stale.body.activeModelVersion).toBe('demo-v2');

      await store.putScore({ siteId: 'site-a', studyId: 'study-001', lesionId: 'lesion-1', modelVersion: 'demo-v2', probability: 0.4, predictedClass: 'non-progression', threshold: 0.5, scoredAt: '2026-12-01T01:00:00.000Z' });
      const fresh = await call('/api/studies/site-a/study-001/lesions/lesion-1', coordinator);

      expect(fresh.body.lesion.stale).toBe(false);
      expect(fresh.body.lesion.current.modelVersion).toBe('demo-v2');
      expect(fresh.body.history.map((score: { modelVersion: string }) => score.modelVersion)).toEqual(['demo-v1', 'demo-v2']);
    });

    it('hides lesions of another site', async () => {
      const response = await call('/api/studies/site-b/study-101/lesions/lesion-1', siteAUser);

      expect(response.status).toBe(404);
    });

    it('serves a stored preview as PNG', async () => {
      const featureSet = (await store.getFeatureSet({ siteId: 'site-a', studyId: 'study-001', lesionId: 'lesion-1' }))!;
      await store.putFeatureSet({ ...featureSet, lesionId: 'lesion-9', previewKey: 'previews/site-a/study-001/lesion-9.png' });
      await blobs.put('previews/site-a/study-001/lesion-9.png', new Uint8Array([137, 80, 78, 71]));

      const response = await call('/api/studies/site-a/study-001/lesions/lesion-9/preview.png', coordinator);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect([...(response.body as Uint8Array)]).toEqual([137, 80, 78, 71]);
    });

    it('renders a missing preview on demand', async () => {
      const rendered = new Uint8Array([1, 2, 3]);
      api = createResultsApi({ store, blobs, renderPreview: async () => rendered });

      const response = await call('/api/studies/site-a/study-002/lesions/lesion-1/preview.png', coordinator);
      const absent = await call('/api/studies/site-b/study-101/lesions/lesion-1/preview.png', siteAUser);

      expect(response.body).toBe(rendered);
      expect(absent.status).toBe(404);
    });

    it('flags previews the server can serve', async () => {
      const withoutRenderer = await call('/api/studies/site-a/study-002/lesions/lesion-1', coordinator);
      api = createResultsApi({ store, blobs, renderPreview: async () => new Uint8Array([1]) });
      const withRenderer = await call('/api/studies/site-a/study-002/lesions/lesion-1', coordinator);
      const listed = await call('/api/studies/site-a/study-002', coordinator);

      expect(withoutRenderer.body.lesion.hasPreview).toBe(false);
      expect(withRenderer.body.lesion.hasPreview).toBe(true);
      expect(listed.body.lesions[0].hasPreview).toBe(true);
    });
  });

  describe('site summaries', () => {
    it('counts studies and progression per site', async () => {
      const response = await call('/api/sites', coordinator);

      expect(response.body.items).toEqual([
        { siteId: 'site-a', studiesByStatus: { COMPLETED: 2, FAILED: 1 }, lesionsScored: 3, lesionsPredictedProgression: 2, studies: 3, progressionRate: 2 / 3 },
        { siteId: 'site-b', studiesByStatus: { COMPLETED: 1 }, lesionsScored: 1, lesionsPredictedProgression: 0, studies: 1, progressionRate: 0 },
      ]);
    });

    it('shows a site user only its site', async () => {
      const response = await call('/api/sites', siteAUser);

      expect(response.body.items.map((site: { siteId: string }) => site.siteId)).toEqual(['site-a']);
    });
  });

  describe('model card', () => {
    it('returns the active card with plot data', async () => {
      const response = await call('/api/models/active', siteAUser);

      expect(response.status).toBe(200);
      expect(response.body.model).toMatchObject({ version: 'demo-v1', active: true, synthetic: true });
      expect(response.body.featureNames).toEqual([...SEED_FEATURE_NAMES]);
      expect(response.body.figures.roc.map((series: { label: string; auc: number }) => [series.label, series.auc])).toEqual([
        ['metrics training', 0.91],
        ['metrics test', 0.8],
      ]);
      expect(response.body.figures.roc[1].points).toEqual([[0, 0], [0.2, 0.6], [1, 1]]);
      expect(response.body.figures.dca.map((series: { label: string }) => series.label)).toEqual(['model model', 'model treatAll', 'model treatNone']);
    });

    it('lists versions with the active flag', async () => {
      await seedModel(store, blobs, 'demo-v2', '2026-12-01T00:00:00.000Z');
      await store.setActiveModel('demo-v2');

      const response = await call('/api/models', coordinator);

      expect(response.body.items.map((model: { version: string; active: boolean }) => [model.version, model.active])).toEqual([
        ['demo-v2', true],
        ['demo-v1', false],
      ]);
    });

    it('serves stored report figures', async () => {
      await blobs.put('models/demo-v1/figures/roc.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');

      const card = await call('/api/models/demo-v1', coordinator);
      const figure = await call('/api/models/demo-v1/figures/roc.svg', coordinator);
      const missing = await call('/api/models/demo-v1/figures/dca.svg', coordinator);
      const unsafe = await call('/api/models/demo-v1/figures/..%2Fdemo-v1.json', coordinator);

      expect(card.body.storedFigures).toEqual([{ name: 'roc.svg', path: '/api/models/demo-v1/figures/roc.svg' }]);
      expect(figure.headers['content-type']).toBe('image/svg+xml');
      expect(figure.headers['content-security-policy']).toContain('sandbox');
      expect(missing.status).toBe(404);
      expect(unsafe.status).toBe(400);
    });

    it('answers 404 when no model is active', async () => {
      api = createResultsApi({ store: new MemoryResultStore(), blobs });

      const response = await call('/api/models/active', coordinator);

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('MODEL_NOT_FOUND');
    });
  });
});
