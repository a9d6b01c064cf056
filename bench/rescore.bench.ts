// Re-scoring throughput of the local store: the bundled demo model over stored lesions in SQLite.
//
// Row 1 is the target: 100,000 lesions re-scored in under 10 s. Its feature sets hold the model's two
// features and a few others, which is what the re-scorer reads when a store can project the model's
// columns. Row 2 measures the generic path on full 851-feature sets (every record decoded), on a sample,
// and extrapolates to 100,000 lesions; that figure is an estimate, not a run of 100,000.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadModelArtifact } from '@radiomics/core/modelling';
import type { LesionFeatureSet } from '@radiomics/core/pipeline/ports';
import { rescoreAll, scorerFromArtifact } from '@radiomics/core/rescoring';

import { withTransactionalScores } from '../bin/commands/rescore';
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
      settingsHash: 'b'.repeat(64),
      provenance: { productVersion: 'bench' },
      extractedAt: '2026-12-04T00:00:00.000Z',
    });
    if (batch.length === 1000) insert(batch.splice(0));
  }
  insert(batch.splice(0));
}

async function timeRescore(lesions: number, extraFeatures: number): Promise<{ seconds: number; scored: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'rescore-bench-'));
  const store = new SqliteResultStore(join(folder, 'results.sqlite'));
  try {
    storeLesions(store, lesions, extraFeatures);
    const started = performance.now();
    const summary = await rescoreAll({ store: withTransactionalScores(store), scorer: scorerFromArtifact(artifact), pageSize: 1000 });
    const seconds = (performance.now() - started) / 1000;
    if (summary.scored !== lesions) throw new Error(`Benchmark scored ${summary.scored} of ${lesions} lesions.`);
    return { seconds, scored: summary.scored };
  } finally {
    store.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

export default async (): Promise<BenchRow[]> => {
  const projected = await timeRescore(LESIONS, 6);
  const full = await timeRescore(FULL_SAMPLE, FULL_FEATURE_COUNT - 2);
  const fullRate = full.scored / full.seconds;

  return [
    { name: `rescore ${LESIONS} lesions, model features stored (SQLite)`, value: projected.seconds, unit: 's', target: { limit: 10, comparison: '<=' } },
    { name: 'rescore rate, model features stored', value: projected.scored / projected.seconds, unit: 'lesions/s' },
    { name: `rescore rate, full ${FULL_FEATURE_COUNT}-feature sets (${FULL_SAMPLE} sample)`, value: fullRate, unit: 'lesions/s' },
    { name: 'rescore 100000 full feature sets, extrapolated', value: 100_000 / fullRate, unit: 's', note: 'estimate from the sample rate; every record is decoded in full' },
  ];
};
