// Re-scoring throughput of the local store: the bundled demo model over stored lesions in SQLite.
//
// Row 1 is the target: 100,000 lesions re-scored in under 10 s, with feature sets holding the model's two
// features and a few others. The other rows use full 851-feature sets on a sample and extrapolate to
// 100,000 lesions (estimates, not runs of 100,000): once with the model's features extracted in SQL
// (what `radiomics rescore` does), once decoding every record in JavaScript (the generic path).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadModelArtifact } from '@radiomics/core/modelling';
import type { LesionFeatureSet } from '@radiomics/core/pipeline/ports';
import { rescoreAll, scorerFromArtifact } from '@radiomics/core/rescoring';

import { withRescoreFastPaths } from '../bin/commands/rescore';
import { SqliteResultStore } from '../local/sqlite-result-store';
import type { BenchRow } from './run';

const LESIONS = Number(process.env.RESCORE_BENCH_LESIONS ?? 100_000);
const FULL_SAMPLE = Number(process.env.RESCORE_BENCH_FULL_SAMPLE ?? 3_000);
const FULL_FEATURE_COUNT = 851;

const artifact = loadModelArtifact(readFileSync(join(import.meta.dirname, '..', 'models', 'demo-synthetic-v1.json'), 'utf8'));

/** Deterministic pseudo-random values (LCG), so every run stores the same lesions. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function fillerNames(count: number): string[] {
  const imageTypes = ['original', 'wavelet-LLH', 'wavelet-LHL', 'wavelet-LHH', 'wavelet-HLL', 'wavelet-HLH', 'wavelet-HHL', 'wavelet-HHH', 'wavelet-LLL'];
  return Array.from({ length: count }, (_, index) => `${imageTypes[index % imageTypes.length]}_glcm_Feature${index}`);
}

function storeLesions(store: SqliteResultStore, count: number, extraFeatures: number): void {
  const random = generator(20261204);
  const filler = fillerNames(extraFeatures);
  const insert = store.database.transaction((items: LesionFeatureSet[]) => {
    for (const item of items) void store.putFeatureSet(item);
  });
  const batch: LesionFeatureSet[] = [];
  for (let index = 0; index < count; index++) {
    const features: Record<string, number> = {
      [artifact.featureNames[0]]: -1.5 + 3 * random(),
      [artifact.featureNames[1]]: 0.08 * random(),
    };
    for (const name of filler) features[name] = 1000 * random();
    batch.push({
      siteId: `site-${index % 7}`,
      studyId: `study-${Math.floor(index / 3)}`,
      lesionId: `lesion-${index % 3}`,
      label: 1,
      maskFile: 'mask.nii.gz',
      features,
      settingsHash: artifact.settingsHash ?? 'b'.repeat(64),
      provenance: { productVersion: 'bench' },
      extractedAt: '2026-12-04T00:00:00.000Z',
    });
    if (batch.length === 1000) insert(batch.splice(0));
  }
  insert(batch.splice(0));
}

async function timeRescore(lesions: number, extraFeatures: number, projection: boolean): Promise<{ seconds: number; scored: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'rescore-bench-'));
  const store = new SqliteResultStore(join(folder, 'results.sqlite'));
  try {
    storeLesions(store, lesions, extraFeatures);
    const started = performance.now();
    const summary = await rescoreAll({ store: withRescoreFastPaths(store, { projection }), scorer: scorerFromArtifact(artifact), pageSize: 1000 });
    const seconds = (performance.now() - started) / 1000;
    if (summary.scored !== lesions) throw new Error(`Benchmark scored ${summary.scored} of ${lesions} lesions.`);
    return { seconds, scored: summary.scored };
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export default async (): Promise<BenchRow[]> => {
  const small = await timeRescore(LESIONS, 6, true);
  const projected = await timeRescore(FULL_SAMPLE, FULL_FEATURE_COUNT - 2, true);
  const decoded = await timeRescore(FULL_SAMPLE, FULL_FEATURE_COUNT - 2, false);
  const projectedRate = projected.scored / projected.seconds;
  const decodedRate = decoded.scored / decoded.seconds;

  return [
    { name: `rescore ${LESIONS} lesions, model features stored (SQLite)`, value: small.seconds, unit: 's', target: { limit: 10, comparison: '<=' } },
    { name: 'rescore rate, model features stored', value: small.scored / small.seconds, unit: 'lesions/s' },
    { name: `rescore rate, ${FULL_FEATURE_COUNT} features, SQL projection (${FULL_SAMPLE} sample)`, value: projectedRate, unit: 'lesions/s' },
    { name: `rescore 100000 x ${FULL_FEATURE_COUNT} features, SQL projection`, value: 100_000 / projectedRate, unit: 's', note: 'extrapolated from the sample rate' },
    { name: `rescore rate, ${FULL_FEATURE_COUNT} features, full decode (${FULL_SAMPLE} sample)`, value: decodedRate, unit: 'lesions/s' },
    { name: `rescore 100000 x ${FULL_FEATURE_COUNT} features, full decode`, value: 100_000 / decodedRate, unit: 's', note: 'extrapolated from the sample rate' },
  ];
};
