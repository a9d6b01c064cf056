// `radiomics run PATH...`: the embedded default of the product's main job, the study workflow on one machine.
import { resolve } from 'node:path';

import { Command, Option } from 'commander';

import { ERROR_CATALOGUE, EXIT_STATUS, isErrorCode, RadiomicsError } from '@radiomics/core';
import type { ModelRecord } from '@radiomics/core/pipeline';

import { runLocal, type LocalRunReport, type StudyResult } from '../../local/runner';
import { PRODUCT_VERSION } from '../version';

interface RunOptions {
  site?: string;
  json?: boolean;
  store: string;
  params?: string;
  workers?: number;
  verbose?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run the study workflow (validate, resample, extract 851 features per lesion, score, store, notify) on study folders, zip archives or folders of studies, with no AWS account.',
    )
    .argument('<path...>', 'study folder, study zip archive, or folder of studies')
    .option('--site <id>', 'site id for studies without manifest.json (a manifest\'s siteId wins)', 'local')
    .option('--json', 'print one JSON object per line: one per lesion, or one per failed study; the lines of a study that was not run again carry "unchanged": true')
    .option('--store <dir>', 'store folder: blobs, SQLite results, notifications and logs', '.radiomics')
    .option('--params <file>', 'extraction parameter file (PyRadiomics YAML); default params/study-protocol.yaml')
    .addOption(new Option('--workers <count>', 'worker threads for feature extraction and the later workflow tasks (validation and resampling run on the main thread); 0 runs everything on the main thread (default: one per core)').argParser(parseCount))
    .option('--verbose', 'also print the structured step logs on stderr')
    .addHelpText(
      'after',
      '\nRunning again with unchanged studies changes nothing. Exit status: 0 when every study\ncompleted, otherwise the status of the first failed study\'s error category (2 input,\n3 privacy, 4 configuration, 5 limit, 6 transient, 70 internal).',
    )
    .action(async (paths: string[], options: RunOptions) => {
      const report = await runLocal(paths, {
        storeDir: resolve(options.store),
        siteId: options.site ?? 'local',
        productVersion: PRODUCT_VERSION,
        ...(options.params ? { paramsPath: resolve(options.params) } : {}),
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.verbose ? { verbose: true } : {}),
        // Notifications also go to the console (stderr), except in --json mode, whose output is for programs.
        ...(options.json ? {} : { echoNotifications: true }),
      });

      if (options.json) printJsonLines(report);
      else printTable(report, resolve(options.store));
      process.exitCode = exitStatusOf(report.studies);
    });
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new RadiomicsError('SETTINGS_INVALID', `--workers must be a whole number ≥ 0, not "${value}".`);
  return count;
}

function exitStatusOf(studies: readonly StudyResult[]): number {
  const failed = studies.find((study) => study.status === 'FAILED');
  if (!failed?.failure) return 0;
  const code = failed.failure.code;
  return isErrorCode(code) ? EXIT_STATUS[ERROR_CATALOGUE[code].category] : EXIT_STATUS.internal;
}

function printJsonLines(report: LocalRunReport): void {
  for (const study of report.studies) {
    if (study.status === 'FAILED') {
      const failure = study.failure;
      console.log(
        JSON.stringify({
          site: study.siteId,
          study: study.studyId,
          status: 'FAILED',
          errorCode: failure?.code,
          message: failure?.message,
          action: failure?.action,
          ...(study.inferredLayout ? { inferred: study.inferredLayout } : {}),
          ...(study.ran ? {} : { unchanged: true }),
        }),
      );
      continue;
    }
    for (const lesion of study.lesions) {
      console.log(
        JSON.stringify({
          site: study.siteId,
          study: study.studyId,
          lesion: lesion.lesionId,
          status: 'COMPLETED',
          probability: lesion.probability,
          class: lesion.predictedClass,
          modelVersion: lesion.modelVersion,
          synthetic: report.model?.version === lesion.modelVersion ? syntheticFlag(report.model) : undefined,
          modelProvenance: report.model?.version === lesion.modelVersion ? provenanceOf(report.model) : undefined,
          ...(study.inferredLayout ? { inferred: study.inferredLayout } : {}),
          ...(study.ran ? {} : { unchanged: true }),
        }),
      );
    }
  }
}

function printTable(report: LocalRunReport, storeDir: string): void {
  const header = ['SITE', 'STUDY', 'LESION', 'P(PROGRESSION)', 'PREDICTED CLASS', 'MODEL VERSION', 'MODEL PROVENANCE'];
  const rows: string[][] = [];
  const failures: string[] = [];
  for (const study of report.studies) {
    if (study.inferredLayout) failures.push(`${study.siteId}/${study.studyId}: ${study.inferredLayout}`);
    if (study.status === 'FAILED') {
      rows.push([study.siteId, study.studyId, '-', '-', `FAILED ${study.failure?.code ?? ''}`, '-', '-']);
      failures.push(`${study.siteId}/${study.studyId} FAILED with ${study.failure?.code}: ${study.failure?.message}\n  What to do: ${study.failure?.action}`);
      continue;
    }
    for (const lesion of study.lesions) {
      const provenance = report.model?.version === lesion.modelVersion ? provenanceOf(report.model) : 'see "radiomics models"';
      rows.push([study.siteId, study.studyId, lesion.lesionId, lesion.probability.toFixed(3), lesion.predictedClass, lesion.modelVersion, provenance]);
    }
  }

  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  console.log(format(header));
  for (const row of rows) console.log(format(row));

  for (const line of failures) console.log(`\n${line}`);
  if (report.model && syntheticFlag(report.model)) {
    console.log(`\nModel ${report.model.version} was trained on synthetic data: its scores demonstrate the workflow and are not for clinical use.`);
  }
  const rerun = report.studies.filter((study) => !study.ran).length;
  console.log(
    `\n${report.studies.length} stud${report.studies.length === 1 ? 'y' : 'ies'}: ${report.studies.filter((study) => study.status === 'COMPLETED').length} completed, ` +
      `${report.studies.filter((study) => study.status === 'FAILED').length} failed` +
      // Unchanged studies keep their stored results and still count as completed or failed above.
      `${rerun > 0 ? ` (${rerun} of them unchanged since the last run, shown from the store without running again)` : ''}. Results in ${storeDir}.`,
  );
}

function syntheticFlag(model: ModelRecord): boolean {
  return model.card.synthetic === true;
}

/** Summarises the model card for the table: where the training data came from and which product trained it. */
function provenanceOf(model: ModelRecord): string {
  const provenance = model.card.provenance as { createdBy?: unknown; productVersion?: unknown } | undefined;
  const origin = syntheticFlag(model) ? 'SYNTHETIC data, not for clinical use' : 'trained on study data';
  const trainer = [provenance?.createdBy, provenance?.productVersion].filter((part) => typeof part === 'string').join(' ');
  return trainer ? `${origin} (${trainer})` : origin;
}
