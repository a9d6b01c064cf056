import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { RadiomicsError } from '@radiomics/core';
import { rescoreAll, type LesionScorer } from '@radiomics/core/rescoring';

import { withRescoreFastPaths } from '../../bin/commands/rescore';
import { FolderBlobStore } from '../../local/folder-blob-store';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { SEED_FEATURE_NAMES, SEED_SETTINGS_HASH, seedResults } from '../helpers/memory-result-store';

const folders: string[] = [];

async function seededSqlite() {
  const folder = mkdtempSync(join(tmpdir(), 'rescore-sqlite-'));
  folders.push(folder);
  const store = new SqliteResultStore(join(folder, 'results.sqlite'));
  await seedResults(store, new FolderBlobStore(join(folder, 'blobs')));
  return store;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const scorer: LesionScorer = {
  version: 'sum-v1',
  settingsHash: SEED_SETTINGS_HASH,
  featureNames: [...SEED_FEATURE_NAMES],
  score(features) {
    const missing = SEED_FEATURE_NAMES.filter((name) => typeof features[name] !== 'number');
    if (missing.length > 0) throw new RadiomicsError('FEATURES_MISSING', `Missing ${missing.join(', ')}.`);
    const probability = Math.min(1, Math.max(0, 0.5 + features[SEED_FEATURE_NAMES[0]] / 10 + features[SEED_FEATURE_NAMES[1]]));
    return { probability, predictedClass: probability >= 0.5 ? 'progression' : 'non-progression', threshold: 0.5 };
  },
};

describe('SQLite re-scoring fast paths', () => {
  it('scores the same as the generic path', async () => {
    const generic = await seededSqlite();
    const fast = withRescoreFastPaths(await seededSqlite());

    const genericSummary = await rescoreAll({ store: generic, scorer, pageSize: 2 });
    const fastSummary = await rescoreAll({ store: fast, scorer, pageSize: 2 });

    expect(fast.scanFeatureVectors).toBeTypeOf('function');
    expect(fastSummary).toMatchObject({ scored: 4, processed: 4, complete: true });
    expect(genericSummary.scored).toBe(4);
    const page = await generic.scanFeatureSets(undefined, 10);
    for (const featureSet of page.items) {
      const expected = (await generic.listScores(featureSet)).find((score) => score.modelVersion === 'sum-v1')!;
      const actual = (await fast.listScores(featureSet)).find((score) => score.modelVersion === 'sum-v1')!;
      expect(actual.probability).toBe(expected.probability);
      expect(actual.predictedClass).toBe(expected.predictedClass);
    }
    generic.close();
    fast.close();
  });

  it('reports features absent from the record', async () => {
    const store = withRescoreFastPaths(await seededSqlite());
    const featureSet = (await store.getFeatureSet({ siteId: 'site-b', studyId: 'study-101', lesionId: 'lesion-1' }))!;
    store.database.prepare("UPDATE feature_sets SET record = ? WHERE site_id = 'site-b'").run(JSON.stringify({ ...featureSet, features: { other: 1 } }));

    const summary = await rescoreAll({ store, scorer });

    expect(summary.failed).toBe(1);
    expect(summary.failures[0]).toMatchObject({ siteId: 'site-b', code: 'FEATURES_MISSING' });
    store.close();
  });

  it('writes each score once per version', async () => {
    const store = withRescoreFastPaths(await seededSqlite());

    await rescoreAll({ store, scorer });
    const again = await rescoreAll({ store, scorer });

    expect(again).toMatchObject({ scored: 0, alreadyScored: 4 });
    store.close();
  });
});
