// Contract tests that every ResultStore binding (DynamoDB, SQLite) must pass.
import { describe, expect, it } from 'vitest';

import type { LesionFeatureSet, LesionScore, ResultStore, StudyRecord } from '@radiomics/core/pipeline/ports';

export function study(siteId: string, studyId: string, receivedAt: string, extra: Partial<StudyRecord> = {}): StudyRecord {
  return {
    siteId,
    studyId,
    status: 'RECEIVED',
    uploadKey: `incoming/${siteId}/${studyId}/`,
    executionName: `${siteId}-${studyId}-0001`,
    receivedAt,
    updatedAt: receivedAt,
    ...extra,
  };
}

export function featureSet(siteId: string, studyId: string, lesionId: string, settingsHash: string, value = 1): LesionFeatureSet {
  return {
    siteId,
    studyId,
    lesionId,
    label: 1,
    maskFile: 'mask.nii.gz',
    features: { original_firstorder_Mean: value, 'wavelet-LLH_glcm_Idmn': value / 2 },
    settingsHash,
    provenance: { productVersion: '0.1.0', boundingBox: { lower: [1, 2, 3], upper: [4, 5, 6] } },
    extractedAt: '2026-01-02T00:00:00.000Z',
  };
}

export function score(siteId: string, studyId: string, lesionId: string, modelVersion: string, probability: number): LesionScore {
  return {
    siteId,
    studyId,
    lesionId,
    modelVersion,
    probability,
    predictedClass: probability >= 0.5 ? 'progression' : 'non-progression',
    threshold: 0.5,
    scoredAt: '2026-01-03T00:00:00.000Z',
  };
}

export function describeResultStoreContract(name: string, createStore: () => Promise<ResultStore>): void {
  describe(`${name} result store contract`, () => {
    it('creates a study once', async () => {
      const store = await createStore();
      expect(await store.createStudy(study('site-a', 'create-1', '2026-01-01T00:00:00.000Z'))).toBe(true);
      expect(await store.createStudy(study('site-a', 'create-1', '2026-01-05T00:00:00.000Z', { uploadKey: 'other' }))).toBe(false);

      const stored = await store.getStudy({ siteId: 'site-a', studyId: 'create-1' });
      expect(stored?.receivedAt).toBe('2026-01-01T00:00:00.000Z');
      expect(stored?.uploadKey).toBe('incoming/site-a/create-1/');
      expect(await store.getStudy({ siteId: 'site-a', studyId: 'missing' })).toBeUndefined();
    });

    it('transitions only from the expected statuses', async () => {
      const store = await createStore();
      const key = { siteId: 'site-a', studyId: 'transition-1' };
      await store.createStudy(study(key.siteId, key.studyId, '2026-01-01T00:00:00.000Z'));

      expect(await store.transitionStudy(key, ['RECEIVED'], 'VALIDATING', { updatedAt: '2026-01-01T00:01:00.000Z' })).toBe(true);
      // A repeated event expecting RECEIVED finds VALIDATING and changes nothing.
      expect(await store.transitionStudy(key, ['RECEIVED'], 'VALIDATING')).toBe(false);
      expect(await store.transitionStudy(key, ['VALIDATING'], 'EXTRACTING', { lesionCount: 2, updatedAt: '2026-01-01T00:02:00.000Z' })).toBe(true);

      const stored = await store.getStudy(key);
      expect(stored?.status).toBe('EXTRACTING');
      expect(stored?.lesionCount).toBe(2);
      expect(stored?.updatedAt).toBe('2026-01-01T00:02:00.000Z');
      expect(await store.transitionStudy({ siteId: 'site-a', studyId: 'missing' }, ['RECEIVED'], 'VALIDATING')).toBe(false);
    });

    it('appends one audit event per status change', async () => {
      const store = await createStore();
      const key = { siteId: 'site-a', studyId: 'audit-1' };
      await store.createStudy(study(key.siteId, key.studyId, '2026-01-01T00:00:00.000Z'));
      await store.transitionStudy(key, ['RECEIVED'], 'VALIDATING', { updatedAt: '2026-01-01T00:01:00.000Z' });
      await store.transitionStudy(key, ['RECEIVED'], 'VALIDATING', { updatedAt: '2026-01-01T00:01:30.000Z' });
      await store.transitionStudy(key, ['VALIDATING'], 'FAILED', {
        updatedAt: '2026-01-01T00:02:00.000Z',
        failure: { code: 'PHI_PRESENT', message: 'PatientName is present.', action: 'De-identify.' },
      });

      const events = await store.listAuditEvents(key);
      expect(events.map((event) => [event.fromStatus, event.toStatus])).toEqual([
        [null, 'RECEIVED'],
        ['RECEIVED', 'VALIDATING'],
        ['VALIDATING', 'FAILED'],
      ]);
      expect(events[2].detail).toBe('PHI_PRESENT');
      expect((await store.getStudy(key))?.failure?.code).toBe('PHI_PRESENT');
    });

    it('lists studies by site, status and time, in pages', async () => {
      const store = await createStore();
      for (let index = 0; index < 5; index++) {
        await store.createStudy(study('site-list', `s${index}`, `2026-02-0${index + 1}T00:00:00.000Z`));
      }
      await store.createStudy(study('site-other', 'x1', '2026-02-03T12:00:00.000Z'));
      await store.transitionStudy({ siteId: 'site-list', studyId: 's3' }, ['RECEIVED'], 'VALIDATING');

      const all = await store.listStudies({ siteId: 'site-list' });
      expect(all.items.map((item) => item.studyId)).toEqual(['s0', 's1', 's2', 's3', 's4']);

      const validating = await store.listStudies({ siteId: 'site-list', status: 'VALIDATING' });
      expect(validating.items.map((item) => item.studyId)).toEqual(['s3']);

      const window = await store.listStudies({ siteId: 'site-list', receivedFrom: '2026-02-02T00:00:00.000Z', receivedTo: '2026-02-03T23:59:59.999Z' });
      expect(window.items.map((item) => item.studyId)).toEqual(['s1', 's2']);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listStudies({ siteId: 'site-list', limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((item) => item.studyId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['s0', 's1', 's2', 's3', 's4']);

      const received = await store.listStudies({ status: 'RECEIVED' });
      expect(received.items.map((item) => `${item.siteId}/${item.studyId}`).sort()).toEqual(
        ['site-list/s0', 'site-list/s1', 'site-list/s2', 'site-list/s4', 'site-other/x1'].sort(),
      );
      const everySite = await store.listStudies({});
      expect(everySite.items).toHaveLength(6);
    });

    it('replaces a feature set only when its settings hash differs', async () => {
      const store = await createStore();
      const key = { siteId: 'site-f', studyId: 'f1', lesionId: 'l1' };
      await store.putFeatureSet(featureSet('site-f', 'f1', 'l1', 'hash-a', 10));
      await store.putFeatureSet(featureSet('site-f', 'f1', 'l1', 'hash-a', 20));
      expect((await store.getFeatureSet(key))?.features.original_firstorder_Mean).toBe(10);

      await store.putFeatureSet(featureSet('site-f', 'f1', 'l1', 'hash-b', 30));
      const replaced = await store.getFeatureSet(key);
      expect(replaced?.features.original_firstorder_Mean).toBe(30);
      expect(replaced?.settingsHash).toBe('hash-b');
      expect(replaced?.provenance).toEqual({ productVersion: '0.1.0', boundingBox: { lower: [1, 2, 3], upper: [4, 5, 6] } });
    });

    it('lists and scans feature sets', async () => {
      const store = await createStore();
      await store.putFeatureSet(featureSet('site-g', 'g1', 'l2', 'h'));
      await store.putFeatureSet(featureSet('site-g', 'g1', 'l1', 'h'));
      await store.putFeatureSet(featureSet('site-g', 'g2', 'l1', 'h'));
      await store.putScore(score('site-g', 'g1', 'l1', 'model-1', 0.7));

      expect((await store.listFeatureSets({ siteId: 'site-g', studyId: 'g1' })).map((item) => item.lesionId)).toEqual(['l1', 'l2']);

      const scanned: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.scanFeatureSets(cursor, 2);
        scanned.push(...page.items.map((item) => `${item.siteId}/${item.studyId}/${item.lesionId}`));
        cursor = page.nextCursor;
      } while (cursor);
      expect(scanned.filter((key) => key.startsWith('site-g/'))).toEqual(['site-g/g1/l1', 'site-g/g1/l2', 'site-g/g2/l1']);
    });

    it('stores a score once per lesion and model version', async () => {
      const store = await createStore();
      const key = { siteId: 'site-s', studyId: 's1', lesionId: 'l1' };
      expect(await store.putScore(score('site-s', 's1', 'l1', 'model-1', 0.8))).toBe(true);
      expect(await store.putScore(score('site-s', 's1', 'l1', 'model-1', 0.1))).toBe(false);
      expect(await store.putScore(score('site-s', 's1', 'l1', 'model-2', 0.3))).toBe(true);

      const scores = await store.listScores(key);
      expect(scores.map((item) => [item.modelVersion, item.probability])).toEqual([
        ['model-1', 0.8],
        ['model-2', 0.3],
      ]);
      expect(scores[0].predictedClass).toBe('progression');
    });

    it('registers models and one active version', async () => {
      const store = await createStore();
      expect(await store.getActiveModel()).toBeUndefined();
      const card = { synthetic: true, provenance: { createdBy: 'test' } };
      await store.putModel({ version: 'model-1', artifactKey: 'models/model-1.json', publishedAt: '2026-01-01T00:00:00.000Z', settingsHash: 'h', card });
      await store.putModel({ version: 'model-2', artifactKey: 'models/model-2.json', publishedAt: '2026-01-02T00:00:00.000Z', settingsHash: 'h', card });
      await store.setActiveModel('model-2');

      expect((await store.getActiveModel())?.version).toBe('model-2');
      expect((await store.getModel('model-1'))?.card).toEqual(card);
      expect((await store.listModels()).map((model) => model.version)).toEqual(['model-1', 'model-2']);
      expect(await store.getModel('model-9')).toBeUndefined();
    });

    it('summarises studies and active-model scores per site', async () => {
      const store = await createStore();
      await store.putModel({ version: 'm1', artifactKey: 'models/m1.json', publishedAt: '2026-01-01T00:00:00.000Z', settingsHash: 'h', card: {} });
      await store.putModel({ version: 'm0', artifactKey: 'models/m0.json', publishedAt: '2025-01-01T00:00:00.000Z', settingsHash: 'h', card: {} });
      await store.setActiveModel('m1');
      await store.createStudy(study('site-sum', 'a', '2026-03-01T00:00:00.000Z'));
      await store.createStudy(study('site-sum', 'b', '2026-03-02T00:00:00.000Z'));
      await store.transitionStudy({ siteId: 'site-sum', studyId: 'b' }, ['RECEIVED'], 'FAILED');
      await store.putScore(score('site-sum', 'a', 'l1', 'm1', 0.9));
      await store.putScore(score('site-sum', 'a', 'l2', 'm1', 0.2));
      await store.putScore(score('site-sum', 'a', 'l1', 'm0', 0.9));

      const summary = (await store.siteSummaries()).find((item) => item.siteId === 'site-sum');
      expect(summary?.studiesByStatus).toEqual({ RECEIVED: 1, FAILED: 1 });
      expect(summary?.lesionsScored).toBe(2);
      expect(summary?.lesionsPredictedProgression).toBe(1);
    });
  });
}
