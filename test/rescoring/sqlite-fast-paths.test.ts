import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { RadiomicsError } from '@radiomics/core';
import type { LesionFeatureSet, ResultStore } from '@radiomics/core/pipeline/ports';
import { rescoreAll, type LesionScorer } from '@radiomics/core/rescoring';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { openSqliteDatabase } from '../../local/sqlite-database';
import { SqliteResultStore } from '../../local/sqlite-result-store';
import { SEED_FEATURE_NAMES, SEED_SETTINGS_HASH, seedResults } from '../helpers/memory-result-store';

const folders: string[] = [];

function newFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rescore-sqlite-'));
  folders.push(folder);
  return folder;
}

async function seededSqlite() {
  const folder = newFolder();
  const store = new SqliteResultStore(join(folder, 'results.sqlite'));
  await seedResults(store, new FolderBlobStore(join(folder, 'blobs')));
  return store;
}

/** Hides the store's fast paths, so rescoreAll uses the ResultStore interface as with DynamoDB or the in-memory store. */
function genericView(store: SqliteResultStore): ResultStore {
  return Object.assign(Object.create(store) as SqliteResultStore, { scanFeatureVectors: undefined, putScores: undefined });
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

function featureSet(lesionId: string, features: Record<string, number>): LesionFeatureSet {
  return {
    siteId: 'site-z',
    studyId: 'study-9',
    lesionId,
    label: 1,
    maskFile: 'mask.nii.gz',
    features,
    settingsHash: SEED_SETTINGS_HASH,
    provenance: { productVersion: 'test' },
    extractedAt: '2026-12-04T00:00:00.000Z',
  };
}

/** The feature_sets table as the store wrote it before feature vectors: the whole feature set as JSON. */
const JSON_ONLY_FEATURE_SETS = `
CREATE TABLE feature_sets (
  site_id TEXT NOT NULL,
  study_id TEXT NOT NULL,
  lesion_id TEXT NOT NULL,
  settings_hash TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (site_id, study_id, lesion_id)
);`;

function writeJsonOnlyStore(file: string, featureSets: readonly LesionFeatureSet[]): void {
  const database = openSqliteDatabase(file);
  database.exec(JSON_ONLY_FEATURE_SETS);
  const insert = database.prepare('INSERT INTO feature_sets (site_id, study_id, lesion_id, settings_hash, record) VALUES (?, ?, ?, ?, ?)');
  for (const item of featureSets) insert.run(item.siteId, item.studyId, item.lesionId, item.settingsHash, JSON.stringify(item));
  database.close();
}

describe('SQLite re-scoring fast paths', () => {
  it('scores the same as the generic path', async () => {
    const generic = await seededSqlite();
    const fast = await seededSqlite();

    const genericSummary = await rescoreAll({ store: genericView(generic), scorer, pageSize: 2 });
    const fastSummary = await rescoreAll({ store: fast, scorer, pageSize: 2 });

    expect(fastSummary).toMatchObject({ scored: 4, processed: 4, complete: true });
    expect(genericSummary).toMatchObject({ scored: 4, processed: 4, complete: true });
    const page = await generic.scanFeatureSets(undefined, 10);
    expect(page.items).toHaveLength(4);
    for (const stored of page.items) {
      const expected = (await generic.listScores(stored)).find((score) => score.modelVersion === 'sum-v1')!;
      const actual = (await fast.listScores(stored)).find((score) => score.modelVersion === 'sum-v1')!;
      expect(actual.probability).toBe(expected.probability);
      expect(actual.predictedClass).toBe(expected.predictedClass);
    }
    generic.close();
    fast.close();
  });

  it('pages projection like the full scan', async () => {
    const store = await seededSqlite();
    const full: LesionFeatureSet[] = [];
    const projected: LesionFeatureSet[] = [];
    for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
      const page = await store.scanFeatureSets(cursor, 3);
      full.push(...page.items);
      const vectors = await store.scanFeatureVectors(cursor, 3, SEED_FEATURE_NAMES);
      projected.push(...vectors.items);
      expect(vectors.nextCursor).toBe(page.nextCursor);
      cursor = page.nextCursor;
    }
    expect(projected.map((item) => [item.siteId, item.studyId, item.lesionId, item.settingsHash])).toEqual(
      full.map((item) => [item.siteId, item.studyId, item.lesionId, item.settingsHash]),
    );
    projected.forEach((item, index) => {
      expect(item.features).toEqual({ [SEED_FEATURE_NAMES[0]]: full[index].features[SEED_FEATURE_NAMES[0]], [SEED_FEATURE_NAMES[1]]: full[index].features[SEED_FEATURE_NAMES[1]] });
    });
    store.close();
  });

  it('reports missing model features', async () => {
    const store = await seededSqlite();
    await store.putFeatureSet(featureSet('lesion-9', { other: 1, [SEED_FEATURE_NAMES[1]]: 0.2 }));

    const summary = await rescoreAll({ store, scorer });

    expect(summary).toMatchObject({ scored: 4, failed: 1 });
    expect(summary.failures[0]).toMatchObject({ siteId: 'site-z', lesionId: 'lesion-9', code: 'FEATURES_MISSING' });
    store.close();
  });

  it('reads each name list through its layout', async () => {
    const store = await seededSqlite();
    // Same features in another order and with an extra one: the offsets differ from the seeded layout.
    await store.putFeatureSet(featureSet('lesion-7', { extra: 5, [SEED_FEATURE_NAMES[1]]: 0.25, [SEED_FEATURE_NAMES[0]]: 2 }));

    const page = await store.scanFeatureVectors(undefined, 10, SEED_FEATURE_NAMES);
    const added = page.items.find((item) => item.lesionId === 'lesion-7')!;

    expect(added.features).toEqual({ [SEED_FEATURE_NAMES[0]]: 2, [SEED_FEATURE_NAMES[1]]: 0.25 });
    expect((await store.getFeatureSet(added))!.features).toEqual({ extra: 5, [SEED_FEATURE_NAMES[1]]: 0.25, [SEED_FEATURE_NAMES[0]]: 2 });
    expect(store.database.prepare('SELECT COUNT(*) AS count FROM feature_layouts').get()).toEqual({ count: 2 });
    store.close();
  });

  it('returns non-finite values as null', async () => {
    const store = new SqliteResultStore(':memory:');
    await store.putFeatureSet(featureSet('lesion-1', { [SEED_FEATURE_NAMES[0]]: Number.NaN, [SEED_FEATURE_NAMES[1]]: Number.POSITIVE_INFINITY, kept: -0.5 }));

    expect((await store.getFeatureSet({ siteId: 'site-z', studyId: 'study-9', lesionId: 'lesion-1' }))!.features).toEqual({
      [SEED_FEATURE_NAMES[0]]: null,
      [SEED_FEATURE_NAMES[1]]: null,
      kept: -0.5,
    });
    expect((await store.scanFeatureVectors(undefined, 10, [...SEED_FEATURE_NAMES, 'kept'])).items[0].features).toEqual({ kept: -0.5 });
    store.close();
  });

  it('forgets layouts of rolled-back transactions', async () => {
    const store = new SqliteResultStore(':memory:');
    store.database.exec('BEGIN');
    await store.putFeatureSet(featureSet('lesion-1', { a: 1, b: 2 }));
    store.database.exec('ROLLBACK');

    // The rolled-back layout id is free again; another name list takes it.
    await store.putFeatureSet(featureSet('lesion-2', { c: 3 }));
    await store.putFeatureSet(featureSet('lesion-3', { a: 4, b: 5 }));

    expect((await store.getFeatureSet({ siteId: 'site-z', studyId: 'study-9', lesionId: 'lesion-2' }))!.features).toEqual({ c: 3 });
    expect((await store.getFeatureSet({ siteId: 'site-z', studyId: 'study-9', lesionId: 'lesion-3' }))!.features).toEqual({ a: 4, b: 5 });
    store.close();
  });

  it('migrates a JSON-layout store on open', async () => {
    const file = join(newFolder(), 'results.sqlite');
    const old = [
      featureSet('lesion-1', { [SEED_FEATURE_NAMES[0]]: 1, [SEED_FEATURE_NAMES[1]]: 0.1, original_shape_VoxelVolume: 900 }),
      featureSet('lesion-2', { [SEED_FEATURE_NAMES[0]]: -3, [SEED_FEATURE_NAMES[1]]: 0 }),
    ];
    writeJsonOnlyStore(file, old);

    const store = new SqliteResultStore(file);

    expect(store.database.pragma('user_version', { simple: true })).toBe(2);
    expect(store.database.prepare('SELECT COUNT(*) AS count FROM feature_sets WHERE feature_vector IS NULL').get()).toEqual({ count: 0 });
    expect(await store.listFeatureSets({ siteId: 'site-z', studyId: 'study-9' })).toEqual(old);
    const summary = await rescoreAll({ store, scorer });
    expect(summary).toMatchObject({ scored: 2, failed: 0 });
    store.close();

    // A second open finds the file migrated and changes nothing.
    const reopened = new SqliteResultStore(file);
    expect(await reopened.listFeatureSets({ siteId: 'site-z', studyId: 'study-9' })).toEqual(old);
    reopened.close();
  });

  it('finishes an interrupted migration', async () => {
    const file = join(newFolder(), 'results.sqlite');
    const old = [featureSet('lesion-1', { [SEED_FEATURE_NAMES[0]]: 1, [SEED_FEATURE_NAMES[1]]: 0.1 }), featureSet('lesion-2', { [SEED_FEATURE_NAMES[0]]: 2, [SEED_FEATURE_NAMES[1]]: 0.2 })];
    writeJsonOnlyStore(file, old);
    // The columns were added, then the process stopped before any row was rewritten or user_version set.
    const database = openSqliteDatabase(file);
    database.exec('ALTER TABLE feature_sets ADD COLUMN layout_id INTEGER; ALTER TABLE feature_sets ADD COLUMN feature_vector BLOB');
    database.close();

    const store = new SqliteResultStore(file);

    expect(store.database.pragma('user_version', { simple: true })).toBe(2);
    expect(store.database.prepare('SELECT COUNT(*) AS count FROM feature_sets WHERE feature_vector IS NULL').get()).toEqual({ count: 0 });
    expect(await store.listFeatureSets({ siteId: 'site-z', studyId: 'study-9' })).toEqual(old);
    store.close();
  });

  it('reads a feature set left in the JSON layout', async () => {
    const store = await seededSqlite();
    const stored = (await store.getFeatureSet({ siteId: 'site-b', studyId: 'study-101', lesionId: 'lesion-1' }))!;
    // A record whose features are not all numbers stays JSON; simulate one with the model's features in it.
    store.database
      .prepare("UPDATE feature_sets SET record = ?, layout_id = NULL, feature_vector = NULL WHERE site_id = 'site-b'")
      .run(JSON.stringify({ ...stored, features: { ...stored.features, note: 'x' } }));

    const page = await store.scanFeatureVectors(undefined, 10, SEED_FEATURE_NAMES);
    const legacy = page.items.find((item) => item.siteId === 'site-b')!;

    expect(legacy.features).toEqual({ [SEED_FEATURE_NAMES[0]]: stored.features[SEED_FEATURE_NAMES[0]], [SEED_FEATURE_NAMES[1]]: stored.features[SEED_FEATURE_NAMES[1]] });
    expect((await store.getFeatureSet(legacy))!.features).toEqual({ ...stored.features, note: 'x' });
    expect(await rescoreAll({ store, scorer })).toMatchObject({ scored: 4, failed: 0 });
    store.close();
  });

  it('keeps non-numeric feature sets as JSON', async () => {
    const store = new SqliteResultStore(':memory:');
    const odd = featureSet('lesion-1', { a: 1, b: 'text' as unknown as number });
    await store.putFeatureSet(odd);

    expect(store.database.prepare('SELECT layout_id, feature_vector FROM feature_sets').get()).toEqual({ layout_id: null, feature_vector: null });
    expect(await store.getFeatureSet(odd)).toEqual(odd);
    store.close();
  });

  it('writes each score once per version', async () => {
    const store = await seededSqlite();

    await rescoreAll({ store, scorer });
    const again = await rescoreAll({ store, scorer });

    expect(again).toMatchObject({ scored: 0, alreadyScored: 4 });
    const written = await store.putScores([
      { siteId: 'site-z', studyId: 'study-9', lesionId: 'lesion-1', modelVersion: 'sum-v1', probability: 0.2, predictedClass: 'non-progression', threshold: 0.5, scoredAt: '2026-12-04T00:00:00.000Z' },
      { siteId: 'site-z', studyId: 'study-9', lesionId: 'lesion-1', modelVersion: 'sum-v1', probability: 0.9, predictedClass: 'progression', threshold: 0.5, scoredAt: '2026-12-04T00:00:00.000Z' },
    ]);
    expect(written).toEqual([true, false]);
    expect((await store.listScores({ siteId: 'site-z', studyId: 'study-9', lesionId: 'lesion-1' }))[0].probability).toBe(0.2);
    store.close();
  });
});
