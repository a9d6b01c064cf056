import { describe, expect, it } from 'vitest';

import { RadiomicsError } from '@radiomics/core';
import { createResultsApi } from '@radiomics/core/api';
import type { LesionFeatureSet } from '@radiomics/core/pipeline/ports';
import { publishModel, rescoreAll, type LesionScorer, type RescoreCheckpoint, type RescoreCheckpointState, type RescoreProgress } from '@radiomics/core/rescoring';

import { MemoryBlobStore, MemoryResultStore, SEED_FEATURE_NAMES, SEED_SETTINGS_HASH, seedModelArtifact, seedResults } from '../helpers/memory-result-store';

/** A stand-in model: a logistic function of the two seeded features, so each version gives other numbers. */
function logisticScorer(version: string, slope: number, settingsHash: string | undefined = SEED_SETTINGS_HASH): LesionScorer {
  return {
    version,
    settingsHash,
    featureNames: [...SEED_FEATURE_NAMES],
    score(features) {
      const value = features[SEED_FEATURE_NAMES[0]];
      if (value === undefined) throw new RadiomicsError('FEATURES_MISSING', `Feature ${SEED_FEATURE_NAMES[0]} is missing.`);
      const probability = 1 / (1 + Math.exp(-slope * value));
      return { probability, predictedClass: probability >= 0.5 ? 'progression' : 'non-progression', threshold: 0.5 };
    },
  };
}

class MemoryCheckpoint implements RescoreCheckpoint {
  state: RescoreCheckpointState | undefined;
  saves = 0;
  async load() {
    return this.state;
  }
  async save(state: RescoreCheckpointState) {
    this.saves++;
    this.state = state;
  }
  async clear() {
    this.state = undefined;
  }
}

async function seededStores() {
  const store = new MemoryResultStore();
  const blobs = new MemoryBlobStore();
  await seedResults(store, blobs);
  return { store, blobs };
}

async function addLesions(store: MemoryResultStore, count: number) {
  for (let index = 0; index < count; index++) {
    const featureSet: LesionFeatureSet = {
      siteId: 'site-c',
      studyId: `bulk-${Math.floor(index / 4)}`,
      lesionId: `lesion-${index % 4}`,
      label: 1,
      maskFile: 'mask.nii.gz',
      features: { [SEED_FEATURE_NAMES[0]]: (index % 7) - 3, [SEED_FEATURE_NAMES[1]]: 0.04 },
      settingsHash: SEED_SETTINGS_HASH,
      provenance: {},
      extractedAt: '2026-11-01T00:00:00.000Z',
    };
    await store.putFeatureSet(featureSet);
  }
}

describe('rescoreAll', () => {
  it('adds a score per lesion and keeps old ones', async () => {
    const { store } = await seededStores();

    const summary = await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2), pageSize: 2 });

    expect(summary).toMatchObject({ modelVersion: 'demo-v2', scored: 4, alreadyScored: 0, failed: 0, processed: 4, complete: true, resumed: false });
    for (const featureSet of store.featureSets.values()) {
      const versions = (await store.listScores(featureSet)).map((score) => score.modelVersion);
      expect(versions).toEqual(['demo-v1', 'demo-v2']);
    }
    const lesion = await store.listScores({ siteId: 'site-a', studyId: 'study-001', lesionId: 'lesion-1' });
    expect(lesion[1].probability).toBeCloseTo(1 / (1 + Math.exp(-2 * 1.25)), 12);
    expect(lesion[0].probability).toBe(0.82);
  });

  it('is idempotent on a second run', async () => {
    const { store } = await seededStores();
    await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2) });
    const before = JSON.stringify([...store.scores.entries()]);

    const again = await rescoreAll({ store, scorer: logisticScorer('demo-v2', 3) });

    expect(again.scored).toBe(0);
    expect(again.alreadyScored).toBe(4);
    expect(JSON.stringify([...store.scores.entries()])).toBe(before);
  });

  it('resumes after an interruption', async () => {
    const { store } = await seededStores();
    await addLesions(store, 36);
    const checkpoint = new MemoryCheckpoint();
    const controller = new AbortController();
    const progress: RescoreProgress[] = [];

    const first = await rescoreAll({
      store,
      scorer: logisticScorer('demo-v2', 2),
      pageSize: 10,
      checkpoint,
      signal: controller.signal,
      onProgress: (update) => {
        progress.push(update);
        if (update.processed >= 20) controller.abort();
      },
    });

    expect(first.complete).toBe(false);
    expect(first.processed).toBe(20);
    expect(checkpoint.state?.modelVersion).toBe('demo-v2');
    const callsBefore = store.putScoreCalls;

    const second = await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2), pageSize: 10, checkpoint, total: 40 });

    expect(second.resumed).toBe(true);
    expect(second.complete).toBe(true);
    expect(second.scored).toBe(40);
    expect(second.processed).toBe(40);
    expect(store.putScoreCalls - callsBefore).toBe(20);
    expect(checkpoint.state).toBeUndefined();
    expect(progress.map((update) => update.processed)).toEqual([0, 10, 20]);
  });

  it('ignores a checkpoint of another version', async () => {
    const { store } = await seededStores();
    const checkpoint = new MemoryCheckpoint();
    checkpoint.state = { modelVersion: 'old', cursor: 'MTAw', counts: { scored: 100, alreadyScored: 0, reextracted: 0, settingsMismatch: 0, failed: 0 } };

    const summary = await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2), checkpoint });

    expect(summary.resumed).toBe(false);
    expect(summary.scored).toBe(4);
  });

  it('skips lesions with other settings unless re-extraction is given', async () => {
    const { store } = await seededStores();
    const otherHash = 'b'.repeat(64);

    const skipped = await rescoreAll({ store, scorer: logisticScorer('demo-v3', 2, otherHash) });

    expect(skipped.settingsMismatch).toBe(4);
    expect(skipped.scored).toBe(0);

    const reextracted: string[] = [];
    const withHook = await rescoreAll({
      store,
      scorer: logisticScorer('demo-v3', 2, otherHash),
      reextract: async (featureSet, settingsHash) => {
        reextracted.push(featureSet.lesionId);
        const updated = { ...featureSet, settingsHash };
        await store.putFeatureSet(updated);
        return updated;
      },
    });

    expect(withHook.reextracted).toBe(4);
    expect(withHook.scored).toBe(4);
    expect(reextracted).toHaveLength(4);
    expect((await store.getFeatureSet({ siteId: 'site-a', studyId: 'study-001', lesionId: 'lesion-1' }))?.settingsHash).toBe(otherHash);
  });

  it('never re-extracts when settings match', async () => {
    const { store } = await seededStores();
    let calls = 0;

    await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2), reextract: async (featureSet) => { calls++; return featureSet; } });

    expect(calls).toBe(0);
  });

  it('counts lesions missing model features', async () => {
    const { store } = await seededStores();
    const featureSet = (await store.getFeatureSet({ siteId: 'site-b', studyId: 'study-101', lesionId: 'lesion-1' }))!;
    store.featureSets.set('site-b\u0000study-101\u0000lesion-1', { ...featureSet, features: {} });

    const summary = await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2) });

    expect(summary.failed).toBe(1);
    expect(summary.scored).toBe(3);
    expect(summary.failures).toEqual([expect.objectContaining({ siteId: 'site-b', code: 'FEATURES_MISSING' })]);
  });

  it('rejects an invalid page size', async () => {
    const { store } = await seededStores();

    await expect(rescoreAll({ store, scorer: logisticScorer('demo-v2', 2), pageSize: 0 })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
  });
});

describe('publishModel', () => {
  it('activates a new version and re-scoring fills history', async () => {
    const { store, blobs } = await seededStores();
    const artifact = seedModelArtifact('demo-v2');

    const published = await publishModel({
      store,
      blobs,
      model: { version: 'demo-v2', settingsHash: SEED_SETTINGS_HASH, card: artifact.card as Record<string, unknown> },
      artifactText: JSON.stringify(artifact),
      figures: [{ name: 'roc.svg', svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' }],
    });
    await rescoreAll({ store, scorer: logisticScorer('demo-v2', 2) });
    const api = createResultsApi({ store, blobs });
    const models = JSON.parse((await api({ method: 'GET', path: '/api/models', query: {}, caller: { role: 'coordinator', subject: 't' } })).body as string);
    const lesion = JSON.parse(
      (await api({ method: 'GET', path: '/api/studies/site-a/study-001/lesions/lesion-2', query: {}, caller: { role: 'coordinator', subject: 't' } })).body as string,
    );

    expect(published).toMatchObject({ created: true, previousVersion: 'demo-v1' });
    expect(models.activeModelVersion).toBe('demo-v2');
    expect(lesion.lesion.stale).toBe(false);
    expect(lesion.lesion.current.modelVersion).toBe('demo-v2');
    expect(lesion.history.map((score: { modelVersion: string }) => score.modelVersion)).toEqual(['demo-v1', 'demo-v2']);
    expect(await blobs.exists('models/demo-v2/figures/roc.svg')).toBe(true);
  });

  it('is a no-op for the same artifact', async () => {
    const { store, blobs } = await seededStores();
    const artifactText = JSON.stringify(seedModelArtifact('demo-v1'));

    const again = await publishModel({ store, blobs, model: { version: 'demo-v1', card: {} }, artifactText });

    expect(again.created).toBe(false);
  });

  it('rejects a changed artifact under an old version', async () => {
    const { store, blobs } = await seededStores();

    await expect(publishModel({ store, blobs, model: { version: 'demo-v1', card: {} }, artifactText: '{"changed":true}' })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    expect((await store.getActiveModel())?.version).toBe('demo-v1');
  });

  it.each(['../x', '', 'a b'])('rejects version %j', async (version) => {
    const { store, blobs } = await seededStores();

    await expect(publishModel({ store, blobs, model: { version, card: {} }, artifactText: '{}' })).rejects.toBeInstanceOf(RadiomicsError);
  });
});
