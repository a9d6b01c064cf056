// `radiomics evaluate`: ROC/AUC with DeLong (and optional bootstrap) CI, Youden cut-off, confusion matrix and
// rates, Brier score, calibration and decision curves from a CSV of id,label,score.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

import type { Command } from 'commander';

import {
  calibrationFigure,
  decisionCurveFigure,
  escapeHtml,
  evaluateScores,
  evaluationToJson,
  parsePredictions,
  RadiomicsError,
  rocFigure,
  type EvaluationSummary,
} from '@radiomics/core';

interface EvaluateOptions {
  predictions: string;
  json?: boolean;
  threshold?: string;
  bootstrapSeed?: string;
  bootstrapReplicates: string;
  part?: string;
  html?: string;
}

function formatRate(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(1)} %`;
}

function formatText(summary: EvaluationSummary): string {
  const { confusion, rates } = summary;
  const lines = [
    `Cases: ${summary.n} (${summary.positives} positive, ${summary.negatives} negative)`,
    `AUC: ${summary.auc.toFixed(4)} (95 % CI DeLong ${summary.aucCiDelong[0].toFixed(4)}–${summary.aucCiDelong[1].toFixed(4)})`,
  ];
  if (summary.aucCiBootstrap) lines.push(`     bootstrap 95 % CI ${summary.aucCiBootstrap[0].toFixed(4)}–${summary.aucCiBootstrap[1].toFixed(4)} (seed ${summary.bootstrapSeed})`);
  lines.push(
    `Youden cut-off: ${summary.youdenThreshold}${summary.threshold !== summary.youdenThreshold ? `; confusion matrix at the given cut-off ${summary.threshold}` : ''}`,
    `Confusion: TP ${confusion.tp}, FP ${confusion.fp}, TN ${confusion.tn}, FN ${confusion.fn}`,
    `Sensitivity ${formatRate(rates.sensitivity)}, specificity ${formatRate(rates.specificity)}, accuracy ${formatRate(rates.accuracy)}, PPV ${formatRate(rates.ppv)}, NPV ${formatRate(rates.npv)}`,
    `Brier score: ${summary.brier === null ? 'n/a (scores are not probabilities)' : summary.brier.toFixed(4)}`,
  );
  return `${lines.join('\n')}\n`;
}

function renderHtml(summary: EvaluationSummary, title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body { font-family: system-ui, sans-serif; margin: 2em; } figure { display: inline-block; }</style></head>
<body><h1>${escapeHtml(title)}</h1><pre>${escapeHtml(formatText(summary))}</pre>
<figure>${rocFigure(summary, null)}</figure>
${summary.calibration ? `<figure>${calibrationFigure(summary, null)}</figure>` : ''}
<figure>${decisionCurveFigure(summary, 'Decision curve')}</figure>
</body></html>
`;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('Evaluate scored cases: ROC and AUC with 95 % CI, Youden cut-off, confusion matrix and rates, Brier score, calibration and decision curves.')
    .requiredOption('--predictions <file>', 'CSV with columns id, label (1/0) and score')
    .option('--json', 'print the result as JSON (keys auc, auc_ci_delong, youden_threshold, confusion, sensitivity, specificity, accuracy, ppv, npv, brier, and the curves)')
    .option('--threshold <p>', 'take the confusion matrix at this cut-off instead of the Youden cut-off of these scores')
    .option('--bootstrap-seed <n>', 'also compute a stratified percentile bootstrap CI of the AUC with this seed')
    .option('--bootstrap-replicates <n>', 'number of bootstrap resamples', '2000')
    .option('--part <name>', 'evaluate only rows whose "part" column has this value (train or test in the predictions file of radiomics train)')
    .option('--html <file>', 'also write an HTML page with the ROC, calibration and decision curves')
    .action((options: EvaluateOptions) => {
      if (!existsSync(options.predictions)) {
        throw new RadiomicsError('FILE_NOT_FOUND', `The predictions file ${basename(options.predictions)} does not exist.`);
      }
      const threshold = options.threshold === undefined ? undefined : Number(options.threshold);
      if (threshold !== undefined && !Number.isFinite(threshold)) throw new RadiomicsError('SETTINGS_INVALID', `--threshold must be a number, got "${options.threshold}".`);
      const bootstrapSeed = options.bootstrapSeed === undefined ? undefined : Number(options.bootstrapSeed);
      if (bootstrapSeed !== undefined && !Number.isInteger(bootstrapSeed)) throw new RadiomicsError('SETTINGS_INVALID', '--bootstrap-seed must be an integer.');
      const bootstrapReplicates = Number(options.bootstrapReplicates);
      if (!(Number.isInteger(bootstrapReplicates) && bootstrapReplicates >= 100)) throw new RadiomicsError('SETTINGS_INVALID', '--bootstrap-replicates must be an integer ≥ 100.');

      const table = parsePredictions(readFileSync(options.predictions, 'utf8'), basename(options.predictions), options.part);
      const summary = evaluateScores(table.labels, table.scores, { threshold, bootstrapSeed, bootstrapReplicates });
      process.stdout.write(options.json ? `${JSON.stringify(evaluationToJson(summary), null, 2)}\n` : formatText(summary));
      if (options.html) writeFileSync(options.html, renderHtml(summary, `Evaluation of ${basename(options.predictions)}`));
    });
}
