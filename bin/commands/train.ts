// `radiomics train`: fits the progression model from a feature table and a label table and writes the model
// artifact, its evaluation, the per-lesion predictions and an HTML report into the output folder.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';

import { joinFeaturesAndLabels, loadParamsFile, RadiomicsError, renderTrainingReport, resolveTrainingConfig, settingsHash, trainModel } from '@radiomics/core';

import { PRODUCT_VERSION } from '../version';

interface TrainOptions {
  features: string;
  labels: string;
  config?: string;
  params?: string;
  out: string;
  modelVersion?: string;
  seed?: string;
  splitBy?: string;
  synthetic?: boolean;
  createdAt?: string;
}

function readText(path: string, what: string): string {
  if (!existsSync(path)) throw new RadiomicsError('FILE_NOT_FOUND', `The ${what} file ${basename(path)} does not exist.`);
  return readFileSync(path, 'utf8');
}

function readConfig(path: string): unknown {
  const text = readText(path, 'training configuration');
  try {
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (thrown) {
    throw new RadiomicsError('SETTINGS_INVALID', `The training configuration ${basename(path)} cannot be parsed: ${(thrown as Error).message}`);
  }
}

/** Builds the configuration from the file, then applies the command-line overrides. */
function buildConfig(options: TrainOptions): ReturnType<typeof resolveTrainingConfig> {
  const fromFile = options.config ? readConfig(options.config) : {};
  const overrides: Record<string, unknown> = { ...(fromFile as Record<string, unknown>) };
  if (options.modelVersion) overrides.version = options.modelVersion;
  if (options.seed !== undefined) overrides.seed = Number(options.seed);
  if (options.synthetic) overrides.synthetic = true;
  if (options.splitBy) {
    const split = (overrides.split ?? {}) as Record<string, unknown>;
    overrides.split = options.splitBy === 'both' ? { ...split, reportBoth: true } : { ...split, unit: options.splitBy };
  }
  return resolveTrainingConfig(overrides);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train the progression model: split, standardise, filter, RFE, compare six classifiers, evaluate and write the model artifact.')
    .requiredOption('--features <file>', 'feature table CSV as "radiomics extract" writes it (a lesion id column and PyRadiomics feature columns)')
    .requiredOption('--labels <file>', 'label CSV with lesionId, patientId, label (1/0 or progression/non-progression) and optional covariates such as age and sex')
    .option('--config <file>', 'training configuration (YAML or JSON); docs/modelling.md lists the keys')
    .option('--params <file>', 'PyRadiomics parameter file the features were extracted with; its settings hash is recorded so scoring can check it')
    .requiredOption('--out <dir>', 'output folder for <version>.json, the report, the evaluation and the predictions')
    .option('--model-version <id>', 'model version written into the artifact and used as the file name stem (overrides the configuration)')
    .option('--seed <n>', 'seed of the split, folds, bootstrap and seeded classifiers (overrides the configuration)')
    .option('--split-by <unit>', 'split unit: patient (default), lesion, or both (split by the configured unit and report the other too)')
    .option('--synthetic', 'mark the model as trained on synthetic data (never for clinical use)')
    .option('--created-at <iso>', 'creation time to record instead of now, for reproducible artifacts')
    .action((options: TrainOptions) => {
      if (options.splitBy && !['patient', 'lesion', 'both'].includes(options.splitBy)) {
        throw new RadiomicsError('SETTINGS_INVALID', `--split-by must be patient, lesion or both, got "${options.splitBy}".`);
      }
      const config = buildConfig(options);
      const dataset = joinFeaturesAndLabels(readText(options.features, 'features'), readText(options.labels, 'labels'), {
        featuresSource: basename(options.features),
        labelsSource: basename(options.labels),
      });
      const settings = options.params ? loadParamsFile(options.params) : undefined;
      const result = trainModel(dataset, config, {
        productVersion: PRODUCT_VERSION,
        inputs: { features: basename(options.features), labels: basename(options.labels) },
        createdAt: options.createdAt,
        ...(settings ? { settingsHash: settingsHash(settings), extractionSettings: { source: basename(options.params!), ...settings } as Record<string, unknown> } : {}),
      });

      mkdirSync(options.out, { recursive: true });
      const stem = join(options.out, config.version);
      writeFileSync(`${stem}.json`, `${JSON.stringify(result.artifact, null, 2)}\n`);
      writeFileSync(
        `${stem}.evaluation.json`,
        `${JSON.stringify({ version: config.version, evaluation: result.evaluation, comparison: result.comparison.map(({ trainScores: _t, testScores: _s, ...row }) => row), rfeSizeScores: result.rfeSizeScores, groupComparison: result.groupComparison, alternativeSplit: result.alternativeSplit }, null, 2)}\n`,
      );
      const predictionLines = ['lesionId,patientId,part,label,score', ...result.predictions.map((row) => `${row.lesionId},${row.patientId},${row.part},${row.label},${row.score}`)];
      writeFileSync(`${stem}.predictions.csv`, `${predictionLines.join('\n')}\n`);
      writeFileSync(`${stem}.report.html`, renderTrainingReport(result));

      const card = result.artifact.card;
      const test = card.metrics.test;
      console.log(`Model ${config.version}: ${card.chosenClassifier} on ${result.artifact.featureNames.length} feature(s): ${result.artifact.featureNames.join(', ')}`);
      console.log(`  training AUC ${card.metrics.training.auc.toFixed(3)} (n = ${card.metrics.training.n}), test AUC ${test ? test.auc.toFixed(3) : 'n/a'} (n = ${test?.n ?? 0}), cut-off ${result.artifact.threshold}`);
      console.log(`  written: ${stem}.json, .report.html, .evaluation.json, .predictions.csv`);
    });
}
