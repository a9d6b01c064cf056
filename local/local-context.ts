/**
 * The embedded bindings of the workflow ports: a blob folder, an SQLite result store and a JSON-lines
 * notification file, all under one store folder (`.radiomics/` by default).
 *
 *   <store>/blobs/               uploads, intermediates, quarantine, model artifacts
 *   <store>/results.sqlite       studies, lesions, feature sets, scores, audit events, models
 *   <store>/notifications.jsonl  one line per published notification
 *   <store>/logs/pipeline.jsonl  structured step logs (ids only)
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { LogFields, PipelineContext, PipelineLogger } from '@radiomics/core/pipeline';

import { FolderBlobStore } from './folder-blob-store';
import { JsonLinesNotifier } from './json-lines-notifier';
import { SqliteResultStore } from './sqlite-result-store';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Returns the extraction parameter file of the study protocol, or the PyRadiomics defaults when it is absent. */
export function defaultParamsPath(): string {
  const protocol = join(PROJECT_ROOT, 'params', 'study-protocol.yaml');
  return existsSync(protocol) ? protocol : join(PROJECT_ROOT, 'params', 'pyradiomics-default.yaml');
}

export interface LocalStoreOptions {
  readonly storeDir: string;
  readonly paramsPath?: string;
  readonly productVersion?: string;
  /** Also print step logs on stderr. */
  readonly verbose?: boolean;
  /** Print a line per notification on stderr. */
  readonly echoNotifications?: boolean;
}

export interface LocalStore {
  readonly context: PipelineContext;
  readonly blobs: FolderBlobStore;
  readonly results: SqliteResultStore;
  readonly notifier: JsonLinesNotifier;
  close(): void;
}

export function openLocalStore(options: LocalStoreOptions): LocalStore {
  const storeDir = resolve(options.storeDir);
  mkdirSync(storeDir, { recursive: true });
  const blobs = new FolderBlobStore(join(storeDir, 'blobs'));
  const results = new SqliteResultStore(join(storeDir, 'results.sqlite'));
  const notifier = new JsonLinesNotifier(join(storeDir, 'notifications.jsonl'), { console: options.echoNotifications ?? false });
  const paramsPath = options.paramsPath ?? defaultParamsPath();

  const context: PipelineContext = {
    blobs,
    results,
    notifier,
    params: { yaml: readFileSync(paramsPath, 'utf8'), source: paramsPath.split(/[\\/]/).pop() ?? 'params.yaml' },
    allowInference: true,
    reuseLoadedStudy: true,
    ...(options.productVersion === undefined ? {} : { productVersion: options.productVersion }),
    logger: new JsonLinesLogger(join(storeDir, 'logs', 'pipeline.jsonl'), options.verbose ?? false),
  };
  return { context, blobs, results, notifier, close: () => results.close() };
}

/** Structured logger writing one JSON object per line; fields carry ids, never file names. */
export class JsonLinesLogger implements PipelineLogger {
  constructor(
    private readonly file: string,
    private readonly echo: boolean,
  ) {
    mkdirSync(dirname(file), { recursive: true });
  }

  info(message: string, fields?: LogFields): void {
    this.write('INFO', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('WARN', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('ERROR', message, fields);
  }

  private write(level: string, message: string, fields: LogFields = {}): void {
    const line = JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...fields });
    appendFileSync(this.file, `${line}\n`);
    if (this.echo) console.error(line);
  }
}
