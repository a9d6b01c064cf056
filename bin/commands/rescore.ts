// `radiomics rescore [--model VERSION]`: scores every stored lesion with a model version, in the local store.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

import { RadiomicsError } from '@radiomics/core';
import type { BlobStore, ResultStore } from '@radiomics/core/pipeline/ports';
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
  readonly results: SqliteResultStore;
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
    results,
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
  const total = results instanceof SqliteResultStore ? results.countFeatureSets() : undefined;

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
