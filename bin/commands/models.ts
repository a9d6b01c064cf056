// `radiomics models publish FILE` and `radiomics models list`: model versions in the local store.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { RadiomicsError } from '@radiomics/core';
import { extractReportFigures, parseModelArtifact, publishModel } from '@radiomics/core/rescoring';

import { DEFAULT_STORE_DIR, openResultsStore, printRescoreSummary, runLocalRescore } from './rescore';

/** Returns the path of the training report written next to an artifact: models/x.json → models/x.report.html. */
function defaultReportPath(artifactPath: string): string {
  return artifactPath.replace(/\.json$/i, '') + '.report.html';
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('Publish and list model versions in the local store.');

  models
    .command('publish')
    .description('Publish a model artifact written by "radiomics train": make it the active version and re-score every stored lesion.')
    .argument('<file>', 'model artifact JSON')
    .option('--report <file>', 'training report whose SVG figures are shown on the model card (default: FILE with .report.html)')
    .option('--no-rescore', 'publish and activate without re-scoring now')
    .option('--store <dir>', 'local store folder', DEFAULT_STORE_DIR)
    .option('--json', 'print the result as one JSON object')
    .action(async (file: string, options: { report?: string; rescore: boolean; store: string; json?: boolean }) => {
      const artifactPath = resolve(file);
      if (!existsSync(artifactPath)) {
        throw new RadiomicsError('FILE_NOT_FOUND', `Model artifact ${file} does not exist.`);
      }
      const artifactText = readFileSync(artifactPath, 'utf8');
      const { publishable } = parseModelArtifact(artifactText);

      const reportPath = options.report === undefined ? defaultReportPath(artifactPath) : resolve(options.report);
      if (options.report !== undefined && !existsSync(reportPath)) {
        throw new RadiomicsError('FILE_NOT_FOUND', `Training report ${options.report} does not exist.`);
      }
      const figures = existsSync(reportPath) ? extractReportFigures(readFileSync(reportPath, 'utf8')) : [];

      const storeDir = resolve(options.store);
      const local = openResultsStore(storeDir);
      try {
        const published = await publishModel({ store: local.results, blobs: local.blobs, model: publishable, artifactText, figures });
        if (!options.json) {
          console.log(
            `Model ${published.record.version} ${published.created ? 'published' : 'was already published'} and active` +
              `${published.previousVersion && published.previousVersion !== published.record.version ? ` (previously ${published.previousVersion})` : ''}; ${figures.length} report figure(s).`,
          );
          if (publishable.card.synthetic === true) console.log('  This model was trained on synthetic data: its scores are not for clinical use.');
        }
        if (!options.rescore) {
          if (options.json) console.log(JSON.stringify({ version: published.record.version, created: published.created, figures: figures.length }));
          return;
        }
        const summary = await runLocalRescore({
          results: local.results,
          blobs: local.blobs,
          storeDir,
          modelVersion: published.record.version,
          progress: !options.json && process.stderr.isTTY === true,
        });
        await local.notifier.publish({ kind: 'rescore.completed', modelVersion: summary.modelVersion, lesionsScored: summary.scored, lesionsSkipped: summary.settingsMismatch + summary.failed });
        if (options.json) console.log(JSON.stringify({ version: published.record.version, created: published.created, figures: figures.length, rescore: summary }));
        else printRescoreSummary(summary, false);
      } finally {
        local.close();
      }
    });

  models
    .command('list')
    .description('List published model versions, newest first, marking the active one.')
    .option('--store <dir>', 'local store folder', DEFAULT_STORE_DIR)
    .option('--json', 'print one JSON object per version')
    .action(async (options: { store: string; json?: boolean }) => {
      const local = openResultsStore(resolve(options.store));
      try {
        const [records, active] = await Promise.all([local.results.listModels(), local.results.getActiveModel()]);
        const sorted = [...records].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
        if (sorted.length === 0 && !options.json) console.log('No model version is published in this store.');
        for (const record of sorted) {
          const isActive = record.version === active?.version;
          const synthetic = record.card.synthetic === true;
          if (options.json) console.log(JSON.stringify({ version: record.version, publishedAt: record.publishedAt, active: isActive, synthetic, settingsHash: record.settingsHash }));
          else console.log(`${isActive ? '*' : ' '} ${record.version.padEnd(28)} ${record.publishedAt}${synthetic ? '  synthetic, not for clinical use' : ''}`);
        }
      } finally {
        local.close();
      }
    });

  models
    .command('activate')
    .description('Make an already published version the active one (for example to roll back), without re-scoring.')
    .argument('<version>', 'published model version')
    .option('--store <dir>', 'local store folder', DEFAULT_STORE_DIR)
    .action(async (version: string, options: { store: string }) => {
      const local = openResultsStore(resolve(options.store));
      try {
        if (!(await local.results.getModel(version))) throw new RadiomicsError('MODEL_NOT_FOUND', `Model version ${version} is not published in this store.`);
        await local.results.setActiveModel(version);
        console.log(`Model ${version} is active. Run "radiomics rescore" to score lesions that have no score from it.`);
      } finally {
        local.close();
      }
    });
}
