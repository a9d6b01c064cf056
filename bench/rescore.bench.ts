// Re-scoring throughput of the local store: the bundled demo model over 100,000 stored lesions in SQLite.
//
// Every stored feature set is a full extraction of the study protocol (params/study-protocol.yaml: shape,
// first-order and texture classes of the original image and the eight wavelet sub-bands, 851 features,
// PyRadiomics names). The timed part is what `radiomics rescore` does: page through the store reading the
// model's features, score each lesion with models/demo-synthetic-v1.json and write the scores. Storing the
// lesions is set-up and not timed. A second row times the generic path (every record decoded in full) on a
// sample, for comparison with the store's projection.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { enabledFeatureNames } from '@radiomics/core/extraction/compute';
import { loadModelArtifact } from '@radiomics/core/modelling';
import type { LesionFeatureSet, ResultStore } from '@radiomics/core/pipeline/ports';
import { rescoreAll, scorerFromArtifact } from '@radiomics/core/rescoring';
import { loadParamsFile, settingsHash, SHAPE_FEATURE_NAMES, type FeatureClassName } from '@radiomics/core/settings';

import { SqliteResultStore } from '../local/sqlite-result-store';
import type { BenchRow } from './run';

const LESIONS = Number(process.env.RESCORE_BENCH_LESIONS ?? 100_000);
const GENERIC_SAMPLE = Number(process.env.RESCORE_BENCH_GENERIC_SAMPLE ?? 5_000);
const EXPECTED_FEATURE_COUNT = 851;

const repository = join(import.meta.dirname, '..');
const artifact = loadModelArtifact(readFileSync(join(repository, 'models', 'demo-synthetic-v1.json'), 'utf8'));
const protocol = loadParamsFile(join(repository, 'params', 'study-protocol.yaml'));

/** Feature names of one lesion under the study protocol, in extraction order. */
function protocolFeatureNames(): string[] {
  const imageTypes = ['original', ...['LLH', 'LHL', 'LHH', 'HLL', 'HLH', 'HHL', 'HHH', 'LLL'].map((band) => `wavelet-${band}`)];
  const intensityClasses: FeatureClassName[] = ['firstorder', 'glcm', 'glrlm', 'glszm', 'gldm', 'ngtdm'];
  const names = enabledFeatureNames(protocol, 'shape').length > 0 ? SHAPE_FEATURE_NAMES.map((name) => `original_shape_${name}`) : [];
  for (const imageType of imageTypes) {
    for (const className of intensityClasses) {
      for (const feature of enabledFeatureNames(protocol, className)) names.push(`${imageType}_${className}_${feature}`);
    }
  }
  for (const name of artifact.featureNames) {
    if (!names.includes(name)) throw new Error(`The study protocol does not produce the model's feature ${name}.`);
  }
  if (names.length !== EXPECTED_FEATURE_COUNT) throw new Error(`The study protocol gives ${names.length} features, not ${EXPECTED_FEATURE_COUNT}.`);
  return names;
}

/** Deterministic pseudo-random values (LCG), so every run stores the same lesions. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function storeLesions(store: SqliteResultStore, count: number): void {
  const random = generator(20261204);
  const names = protocolFeatureNames();
  const hash = artifact.settingsHash ?? settingsHash(protocol);
  const insert = store.database.transaction((items: LesionFeatureSet[]) => {
    for (const item of items) void store.putFeatureSet(item);
  });
  const batch: LesionFeatureSet[] = [];
  for (let index = 0; index < count; index++) {
    const features: Record<string, number> = {};
    for (const name of names) features[name] = 1000 * random();
    // The model's two features get values in the range the demo model splits on.
    features[artifact.featureNames[0]] = -1.5 + 3 * random();
    features[artifact.featureNames[1]] = 0.08 * random();
    batch.push({
      siteId: `site-${index % 7}`,
      studyId: `study-${Math.floor(index / 3)}`,
      lesionId: `lesion-${index % 3}`,
      label: 1,
      maskFile: 'mask.nii.gz',
      features,
      settingsHash: hash,
      provenance: { productVersion: 'bench', settingsHash: hash, roiVoxelCount: 1000 + index },
      extractedAt: '2026-12-04T00:00:00.000Z',
    });
    if (batch.length === 1000) insert(batch.splice(0));
  }
  insert(batch.splice(0));
}

/** Hides the store's fast paths, so rescoreAll reads and writes through the ResultStore interface only. */
function genericView(store: SqliteResultStore): ResultStore {
  return Object.assign(Object.create(store) as SqliteResultStore, { scanFeatureVectors: undefined, putScores: undefined });
}

async function timeRescore(lesions: number, generic: boolean): Promise<{ seconds: number; scored: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'rescore-bench-'));
  const store = new SqliteResultStore(join(folder, 'results.sqlite'));
  try {
    storeLesions(store, lesions);
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    const started = performance.now();
    const summary = await rescoreAll({ store: generic ? genericView(store) : store, scorer: scorerFromArtifact(artifact), pageSize: 1000, total: lesions });
    const seconds = (performance.now() - started) / 1000;
    if (summary.scored !== lesions) throw new Error(`Benchmark scored ${summary.scored} of ${lesions} lesions.`);
    const written = store.database.prepare('SELECT COUNT(*) AS count FROM scores WHERE model_version = ?').get(artifact.version) as { count: number };
    if (written.count !== lesions) throw new Error(`Benchmark stored ${written.count} scores for ${lesions} lesions.`);
    return { seconds, scored: summary.scored };
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export default async (): Promise<BenchRow[]> => {
  const projected = await timeRescore(LESIONS, false);
  const generic = await timeRescore(GENERIC_SAMPLE, true);
  const genericRate = generic.scored / generic.seconds;

  return [
    { name: `rescore ${LESIONS} lesions x ${EXPECTED_FEATURE_COUNT} features (SQLite, read + score + write)`, value: projected.seconds, unit: 's', target: { limit: 10, comparison: '<=' } },
    { name: 'rescore rate, store projection of the model features', value: projected.scored / projected.seconds, unit: 'lesions/s' },
    { name: `rescore rate, generic path decoding all features (${GENERIC_SAMPLE} sample)`, value: genericRate, unit: 'lesions/s' },
    { name: `rescore 100000 lesions, generic path`, value: 100_000 / genericRate, unit: 's', note: 'extrapolated from the sample rate' },
  ];
};
