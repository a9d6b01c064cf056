// `radiomics rescore [--model VERSION]`: scores every stored lesion with a model version, in the local store.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

import { RadiomicsError } from '@radiomics/core';
import type { BlobStore, LesionFeatureSet, Page, ResultStore } from '@radiomics/core/pipeline/ports';
import {
  parseModelArtifact,
  rescoreAll,
  scorerFromArtifact,
  type RescoreCheckpoint,
  type RescoreCheckpointState,
  type RescoreFastPaths,
  type RescoreSummary,
} from '@radiomics/core/rescoring';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { JsonLinesNotifier } from '../../local/json-lines-notifier';
import { SqliteResultStore } from '../../local/sqlite-result-store';

export const DEFAULT_STORE_DIR = '.radiomics';

export interface ResultsStoreHandle {
  readonly results: SqliteResultStore & RescoreFastPaths;
  readonly blobs: FolderBlobStore;
  readonly notifier: JsonLinesNotifier;
  close(): void;
}

/**
 * Opens the result store, blob folder and notification file of a local store folder, in the layout that
 * `radiomics run` writes (results.sqlite, blobs/, notifications.jsonl). The dashboard commands need no
 * extraction parameters, so they open these directly rather than the whole pipeline context.
 */
export function openResultsStore(storeDir: string): ResultsStoreHandle {
  mkdirSync(storeDir, { recursive: true });
  const results = new SqliteResultStore(join(storeDir, 'results.sqlite'));
  return {
    results: withRescoreFastPaths(results),
    blobs: new FolderBlobStore(join(storeDir, 'blobs')),
    notifier: new JsonLinesNotifier(join(storeDir, 'notifications.jsonl')),
    close: () => results.close(),
  };
}

/** Checkpoint kept as a JSON file in the store folder, so an interrupted run resumes where it stopped. */
export class FileCheckpoint implements RescoreCheckpoint {
  constructor(private readonly file: string) {}

  async load(): Promise<RescoreCheckpointState | undefined> {
    if (!existsSync(this.file)) return undefined;
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as RescoreCheckpointState;
    } catch {
      // A checkpoint cut short by a crash is ignored: the run starts over and skips scores already stored.
      return undefined;
    }
  }

  async save(state: RescoreCheckpointState): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    // Write then rename, so a crash mid-write never leaves a truncated checkpoint in place.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(state));
    renameSync(`${this.file}.tmp`, this.file);
  }

  async clear(): Promise<void> {
    rmSync(this.file, { force: true });
  }
}

export interface LocalRescoreOptions {
  readonly results: ResultStore & RescoreFastPaths;
  readonly blobs: BlobStore;
  readonly storeDir: string;
  /** Model version; the active version when omitted. */
  readonly modelVersion?: string;
  readonly pageSize?: number;
  /** Draw a progress bar on stderr. */
  readonly progress: boolean;
}

/**
 * Adds the re-scoring fast paths to the SQLite store. Scores are written in one transaction per page
 * through the store's own putScore, so the write-once rule stays the store's. Feature sets are read with
 * only the model's features, extracted by SQLite's json_extract, which avoids decoding all 851 features
 * of every lesion in JavaScript.
 */
export function withRescoreFastPaths(results: SqliteResultStore, options: { projection?: boolean } = {}): SqliteResultStore & RescoreFastPaths {
  const fast = results as SqliteResultStore & RescoreFastPaths;
  fast.putScores = async (scores) => {
    const written: boolean[] = [];
    results.database.exec('BEGIN IMMEDIATE');
    try {
      for (const score of scores) written.push(await results.putScore(score));
      results.database.exec('COMMIT');
    } catch (thrown) {
      results.database.exec('ROLLBACK');
      throw thrown;
    }
    return written;
  };
  if ((options.projection ?? true) && supportsProjection(results)) {
    fast.scanFeatureVectors = async (cursor, limit, featureNames) => scanFeatureVectors(results, cursor, limit, featureNames);
  }
  return fast;
}

/** Checks that the store has the table layout the projection reads; without it rescoreAll uses the generic scan. */
function supportsProjection(results: SqliteResultStore): boolean {
  try {
    results.database.prepare("SELECT site_id, study_id, lesion_id, settings_hash, json_extract(record, '$.features') FROM feature_sets LIMIT 0").all();
    return true;
  } catch {
    return false;
  }
}

interface VectorRow {
  site_id: string;
  study_id: string;
  lesion_id: string;
  settings_hash: string;
  [column: `f${number}`]: number | null;
}

/**
 * Pages through feature sets in key order, returning each with only the named features. The cursor is the
 * last key of the page as JSON, the same order as the store's own scan.
 */
// NOTE: reads the SQLite store's feature_sets table (key columns and the JSON record) directly. When that
// layout is missing, supportsProjection leaves the store's generic scan in use.
function scanFeatureVectors(results: SqliteResultStore, cursor: string | undefined, limit: number, featureNames: readonly string[]): Page<LesionFeatureSet> {
  const after = cursor === undefined ? ['', '', ''] : (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as string[]);
  const columns = featureNames.map((_, index) => `json_extract(record, ?) AS f${index}`).join(', ');
  const rows = results.database
    .prepare(
      `SELECT site_id, study_id, lesion_id, settings_hash${columns ? `, ${columns}` : ''} FROM feature_sets
       WHERE (site_id, study_id, lesion_id) > (?, ?, ?) ORDER BY site_id, study_id, lesion_id LIMIT ?`,
    )
    .all(...featureNames.map((name) => `$.features.${JSON.stringify(name)}`), after[0], after[1], after[2], limit + 1) as VectorRow[];

  const items = rows.slice(0, limit).map((row): LesionFeatureSet => {
    const features: Record<string, number> = {};
    featureNames.forEach((name, index) => {
      const value = row[`f${index}`];
      if (typeof value === 'number') features[name] = value;
    });
    return { siteId: row.site_id, studyId: row.study_id, lesionId: row.lesion_id, settingsHash: row.settings_hash, features, label: 0, maskFile: '', provenance: {}, extractedAt: '' };
  });
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.siteId, last.studyId, last.lesionId])).toString('base64url') : undefined;
  return { items, nextCursor };
}

/** Re-scores the local store with one model version; shared by `rescore` and `models publish`. */
export async function runLocalRescore(options: LocalRescoreOptions): Promise<RescoreSummary> {
  const { results, blobs } = options;
  const model = options.modelVersion === undefined ? await results.getActiveModel() : await results.getModel(options.modelVersion);
  if (!model) {
    throw new RadiomicsError(
      'MODEL_NOT_FOUND',
      options.modelVersion === undefined ? 'No model version is active in this store.' : `Model version ${options.modelVersion} is not published in this store.`,
    );
  }
  const { artifact } = parseModelArtifact(new TextDecoder().decode(await blobs.get(model.artifactKey)));
  const total = results instanceof SqliteResultStore ? countFeatureSets(results) : undefined;

  const bar = options.progress
    ? new SingleBar({
        format: total === undefined ? 'Re-scoring with {model} | {value} lesions' : 'Re-scoring with {model} [{bar}] {percentage}% | {value}/{total} lesions | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
      })
    : undefined;
  bar?.start(total ?? 0, 0, { model: artifact.version });

  try {
    return await rescoreAll({
      store: results,
      scorer: scorerFromArtifact(artifact),
      pageSize: options.pageSize,
      total,
      checkpoint: new FileCheckpoint(join(options.storeDir, 'rescore-checkpoint.json')),
      onProgress: (progress) => bar?.update(progress.processed, { model: artifact.version }),
    });
  } finally {
    bar?.stop();
  }
}

/** Number of stored feature sets, for the progress bar's total. */
function countFeatureSets(results: SqliteResultStore): number | undefined {
  try {
    return (results.database.prepare('SELECT COUNT(*) AS count FROM feature_sets').get() as { count: number }).count;
  } catch {
    // NOTE: reads the SQLite store's table directly; without it the bar shows a count and no percentage.
    return undefined;
  }
}

export function printRescoreSummary(summary: RescoreSummary, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(summary));
    return;
  }
  console.log(
    `Model ${summary.modelVersion}: ${summary.scored} lesion(s) scored, ${summary.alreadyScored} already scored, ` +
      `${summary.settingsMismatch} extracted with other settings, ${summary.failed} failed${summary.resumed ? ' (resumed run)' : ''}.`,
  );
  if (summary.settingsMismatch > 0) {
    console.log('  Lesions extracted with other settings keep their earlier scores; run "radiomics run" on their studies again to re-extract them.');
  }
  for (const failure of summary.failures) {
    console.log(`  ${failure.siteId}/${failure.studyId}/${failure.lesionId}: ${failure.code}: ${failure.message}`);
  }
}

export function registerRescore(program: Command): void {
  program
    .command('rescore')
    .description('Score every stored lesion with a model version (the active one by default), keeping earlier scores as history.')
    .option('--model <version>', 'model version to score with (default: the active version)')
    .option('--store <dir>', 'local store folder', DEFAULT_STORE_DIR)
    .option('--page-size <n>', 'feature sets read per page', (value) => Number.parseInt(value, 10), 500)
    .option('--json', 'print the summary as one JSON object')
    .action(async (options: { model?: string; store: string; pageSize: number; json?: boolean }) => {
      const storeDir = resolve(options.store);
      const local = openResultsStore(storeDir);
      try {
        const summary = await runLocalRescore({
          results: local.results,
          blobs: local.blobs,
          storeDir,
          modelVersion: options.model,
          pageSize: options.pageSize,
          progress: !options.json && process.stderr.isTTY === true,
        });
        await local.notifier.publish({ kind: 'rescore.completed', modelVersion: summary.modelVersion, lesionsScored: summary.scored, lesionsSkipped: summary.settingsMismatch + summary.failed });
        printRescoreSummary(summary, options.json === true);
      } finally {
        local.close();
      }
    });
}
