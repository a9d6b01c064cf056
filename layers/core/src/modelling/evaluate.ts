/**
 * Evaluation of a predictions table (`id,label,score`, as `radiomics evaluate` reads it) and the flat JSON form
 * of the result.
 */
import { RadiomicsError } from '../errors';
import { findColumn, parseCsv } from './csv';
import { parseLabel } from './dataset';
import type { EvaluationSummary } from './metrics';

export interface PredictionTable {
  ids: string[];
  labels: number[];
  scores: number[];
}

/**
 * Reads `id,label,score` rows (the id column may also be lesionId). With `part`, only rows whose `part` column
 * equals it are kept, so the predictions file written by `radiomics train` can be evaluated per part.
 */
export function parsePredictions(text: string, source = 'predictions CSV', part?: string): PredictionTable {
  const table = parseCsv(text, source);
  const idColumn = findColumn(table.header, ['id', 'lesionId', 'lesion_id']);
  const labelColumn = findColumn(table.header, ['label']);
  const scoreColumn = findColumn(table.header, ['score', 'probability']);
  if (labelColumn < 0 || scoreColumn < 0) throw new RadiomicsError('DATA_INVALID', `${source}: the header must name the columns id, label and score.`);
  const partColumn = findColumn(table.header, ['part']);
  if (part !== undefined && partColumn < 0) throw new RadiomicsError('DATA_INVALID', `${source}: no "part" column to select "${part}" from.`);

  const result: PredictionTable = { ids: [], labels: [], scores: [] };
  table.rows.forEach((row, index) => {
    if (part !== undefined && row[partColumn].trim() !== part) return;
    const label = parseLabel(row[labelColumn]);
    if (label === null) throw new RadiomicsError('DATA_INVALID', `${source}: line ${index + 2} has label "${row[labelColumn]}"; labels must be 1 or 0.`);
    const scoreText = row[scoreColumn].trim();
    const score = Number(scoreText);
    if (scoreText === '' || !Number.isFinite(score)) throw new RadiomicsError('DATA_INVALID', `${source}: line ${index + 2} has score "${scoreText}", which is not a finite number.`);
    result.ids.push(idColumn >= 0 ? row[idColumn] : String(index + 1));
    result.labels.push(label);
    result.scores.push(score);
  });
  if (result.labels.length === 0) throw new RadiomicsError('DATA_INVALID', `${source}: no prediction rows${part !== undefined ? ` in part "${part}"` : ''}.`);
  return result;
}

/** Builds the flat JSON object that `radiomics evaluate --json` prints, with the curves after the headline keys. */
export function evaluationToJson(summary: EvaluationSummary): Record<string, unknown> {
  return {
    n: summary.n,
    positives: summary.positives,
    negatives: summary.negatives,
    auc: summary.auc,
    auc_ci_delong: summary.aucCiDelong,
    ...(summary.aucCiBootstrap ? { auc_ci_bootstrap: summary.aucCiBootstrap, bootstrap_seed: summary.bootstrapSeed } : {}),
    youden_threshold: summary.youdenThreshold,
    threshold: summary.threshold,
    confusion: summary.confusion,
    sensitivity: summary.rates.sensitivity,
    specificity: summary.rates.specificity,
    accuracy: summary.rates.accuracy,
    ppv: summary.rates.ppv,
    npv: summary.rates.npv,
    brier: summary.brier,
    roc: { ...summary.roc, thresholds: summary.roc.thresholds.map((value) => (Number.isFinite(value) ? value : null)) },
    decision_curve: summary.decisionCurve,
    calibration: summary.calibration,
  };
}
