/**
 * The HTML training report: the model card, metric tables and inline SVG figures (ROC curves of training and
 * test, AUCs of the compared classifiers side by side, decision curves and calibration). The page is one
 * self-contained file with no scripts and no external resources.
 */
import { CLASSIFIER_LABELS, isClassifierKind } from './classifiers';
import type { GroupComparisonRow, SampleSummary } from './group-comparison';
import type { EvaluationSummary } from './metrics';
import type { TrainingResult } from './training';

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

interface Series {
  name: string;
  points: [number, number][];
  colour: string;
  dashed?: boolean;
  markers?: boolean;
}

const WIDTH = 420;
const HEIGHT = 320;
const MARGIN = { left: 52, right: 12, top: 28, bottom: 44 };

function axisTicks(low: number, high: number, count = 5): number[] {
  return Array.from({ length: count + 1 }, (_, i) => low + ((high - low) * i) / count);
}

/** Draws a line chart of one or more series over fixed axis ranges. */
export function lineChartSvg(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  xRange: [number, number];
  yRange: [number, number];
  series: Series[];
  diagonal?: boolean;
}): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [x0, x1] = options.xRange;
  const [y0, y1] = options.yRange;
  const px = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number): number => MARGIN.top + plotHeight - ((Math.min(Math.max(y, y0), y1) - y0) / (y1 - y0)) * plotHeight;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}">`);
  parts.push(`<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  for (const tick of axisTicks(x0, x1)) {
    parts.push(`<line x1="${px(tick)}" y1="${MARGIN.top + plotHeight}" x2="${px(tick)}" y2="${MARGIN.top + plotHeight + 4}" stroke="#888"/>`);
    parts.push(`<text x="${px(tick)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" font-size="10">${tick.toFixed(1)}</text>`);
  }
  for (const tick of axisTicks(y0, y1)) {
    parts.push(`<line x1="${MARGIN.left - 4}" y1="${py(tick)}" x2="${MARGIN.left}" y2="${py(tick)}" stroke="#888"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${py(tick) + 3}" text-anchor="end" font-size="10">${tick.toFixed(2)}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle" font-size="11">${escapeHtml(options.xLabel)}</text>`);
  parts.push(`<text x="12" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${MARGIN.top + plotHeight / 2})">${escapeHtml(options.yLabel)}</text>`);
  if (options.diagonal) {
    parts.push(`<line x1="${px(x0)}" y1="${py(y0)}" x2="${px(x1)}" y2="${py(y1)}" stroke="#bbb" stroke-dasharray="4 3"/>`);
  }
  options.series.forEach((series, index) => {
    if (series.points.length === 0) return;
    const path = series.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${px(x).toFixed(2)},${py(y).toFixed(2)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${series.colour}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (series.markers) {
      for (const [x, y] of series.points) parts.push(`<circle cx="${px(x).toFixed(2)}" cy="${py(y).toFixed(2)}" r="3" fill="${series.colour}"/>`);
    }
    const legendY = MARGIN.top + 14 + index * 14;
    parts.push(`<line x1="${MARGIN.left + plotWidth - 150}" y1="${legendY - 4}" x2="${MARGIN.left + plotWidth - 130}" y2="${legendY - 4}" stroke="${series.colour}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    parts.push(`<text x="${MARGIN.left + plotWidth - 126}" y="${legendY}" font-size="10">${escapeHtml(series.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Draws grouped bars (one group per category, one bar per series) on a 0–1 axis. */
export function barChartSvg(options: { title: string; yLabel: string; categories: string[]; series: { name: string; values: (number | null)[]; colour: string }[] }): string {
  const width = Math.max(WIDTH, 90 * options.categories.length + MARGIN.left + MARGIN.right);
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const groupWidth = plotWidth / Math.max(1, options.categories.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, options.series.length);
  const py = (y: number): number => MARGIN.top + plotHeight - y * plotHeight;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}">`);
  parts.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`);
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  for (const tick of axisTicks(0, 1)) {
    parts.push(`<text x="${MARGIN.left - 6}" y="${py(tick) + 3}" text-anchor="end" font-size="10">${tick.toFixed(1)}</text>`);
    parts.push(`<line x1="${MARGIN.left}" y1="${py(tick)}" x2="${MARGIN.left + plotWidth}" y2="${py(tick)}" stroke="#eee"/>`);
  }
  parts.push(`<text x="12" y="${MARGIN.top + plotHeight / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${MARGIN.top + plotHeight / 2})">${escapeHtml(options.yLabel)}</text>`);
  options.categories.forEach((category, c) => {
    const groupX = MARGIN.left + c * groupWidth + groupWidth * 0.1;
    options.series.forEach((series, s) => {
      const value = series.values[c];
      if (value === null || value === undefined) return;
      const x = groupX + s * barWidth;
      parts.push(`<rect x="${x.toFixed(2)}" y="${py(value).toFixed(2)}" width="${(barWidth - 2).toFixed(2)}" height="${(value * plotHeight).toFixed(2)}" fill="${series.colour}"><title>${escapeHtml(`${category} ${series.name}: ${value.toFixed(3)}`)}</title></rect>`);
      parts.push(`<text x="${(x + barWidth / 2).toFixed(2)}" y="${(py(value) - 3).toFixed(2)}" text-anchor="middle" font-size="9">${value.toFixed(2)}</text>`);
    });
    parts.push(`<text x="${(MARGIN.left + c * groupWidth + groupWidth / 2).toFixed(2)}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle" font-size="10">${escapeHtml(category)}</text>`);
  });
  options.series.forEach((series, index) => {
    const x = MARGIN.left + 8 + index * 110;
    parts.push(`<rect x="${x}" y="${HEIGHT - 16}" width="10" height="10" fill="${series.colour}"/><text x="${x + 14}" y="${HEIGHT - 7}" font-size="10">${escapeHtml(series.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const TRAIN_COLOUR = '#1f77b4';
const TEST_COLOUR = '#d62728';

function formatNumber(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

function rocPoints(summary: EvaluationSummary): [number, number][] {
  return summary.roc.fpr.map((fpr, i) => [fpr, summary.roc.tpr[i]]);
}

/** ROC curves of training and test (if any) for one model. */
export function rocFigure(training: EvaluationSummary, test: EvaluationSummary | null, title = 'ROC curve'): string {
  const series: Series[] = [{ name: `Training AUC ${training.auc.toFixed(3)}`, points: rocPoints(training), colour: TRAIN_COLOUR }];
  if (test) series.push({ name: `Test AUC ${test.auc.toFixed(3)}`, points: rocPoints(test), colour: TEST_COLOUR });
  return lineChartSvg({ title, xLabel: '1 − specificity', yLabel: 'Sensitivity', xRange: [0, 1], yRange: [0, 1], series, diagonal: true });
}

/** Net benefit of the model against treat-all and treat-none over thresholds 0.01–0.99. */
export function decisionCurveFigure(summary: EvaluationSummary, title: string): string {
  const curve = summary.decisionCurve;
  const lowest = Math.min(-0.05, ...curve.netBenefitModel);
  const highest = Math.max(0.05, summary.positives / summary.n);
  const points = (values: number[]): [number, number][] => curve.thresholds.map((pt, i) => [pt, values[i]]);
  return lineChartSvg({
    title,
    xLabel: 'Threshold probability',
    yLabel: 'Net benefit',
    xRange: [0, 1],
    yRange: [Math.max(lowest, -0.5), highest * 1.1],
    series: [
      { name: 'Model', points: points(curve.netBenefitModel), colour: TRAIN_COLOUR },
      { name: 'Treat all', points: points(curve.netBenefitTreatAll), colour: '#7f7f7f', dashed: true },
      { name: 'Treat none', points: points(curve.netBenefitTreatNone), colour: '#000000' },
    ],
  });
}

/** Observed fraction of progression against mean predicted probability per bin. */
export function calibrationFigure(training: EvaluationSummary, test: EvaluationSummary | null): string {
  const series: Series[] = [];
  if (training.calibration) {
    series.push({ name: 'Training', colour: TRAIN_COLOUR, markers: true, points: training.calibration.probPred.map((x, i) => [x, training.calibration!.probTrue[i]]) });
  }
  if (test?.calibration) {
    series.push({ name: 'Test', colour: TEST_COLOUR, markers: true, points: test.calibration.probPred.map((x, i) => [x, test.calibration!.probTrue[i]]) });
  }
  return lineChartSvg({ title: 'Calibration (5 uniform bins)', xLabel: 'Mean predicted probability', yLabel: 'Observed fraction of progression', xRange: [0, 1], yRange: [0, 1], series, diagonal: true });
}

function metricsRows(name: string, summary: EvaluationSummary | null): string {
  if (!summary) return `<tr><th>${escapeHtml(name)}</th><td colspan="13">Not evaluated: this part lacks one of the classes.</td></tr>`;
  const { confusion, rates } = summary;
  const bootstrap = summary.aucCiBootstrap ? `${formatNumber(summary.aucCiBootstrap[0])}–${formatNumber(summary.aucCiBootstrap[1])}` : '–';
  return `<tr><th>${escapeHtml(name)}</th><td>${summary.n} (${summary.positives}/${summary.negatives})</td><td>${formatNumber(summary.auc)}</td><td>${formatNumber(summary.aucCiDelong[0])}–${formatNumber(summary.aucCiDelong[1])}</td><td>${bootstrap}</td><td>${formatNumber(summary.threshold, 4)}</td><td>${confusion.tp}</td><td>${confusion.fp}</td><td>${confusion.tn}</td><td>${confusion.fn}</td><td>${formatNumber(rates.sensitivity)}</td><td>${formatNumber(rates.specificity)}</td><td>${formatNumber(rates.accuracy)}</td><td>${formatNumber(rates.ppv)} / ${formatNumber(rates.npv)}</td><td>${formatNumber(summary.brier)}</td></tr>`;
}

function describeSummary(value: SampleSummary | Record<string, number>): string {
  if ('mean' in value && 'sd' in value && 'n' in value && typeof value.mean === 'number') {
    return `${value.mean.toFixed(2)} ± ${(value.sd as number).toFixed(2)} (n = ${value.n})`;
  }
  return Object.entries(value).map(([category, count]) => `${category}: ${count}`).join(', ');
}

function groupComparisonTable(rows: GroupComparisonRow[]): string {
  if (rows.length === 0) return '<p>No covariates to compare.</p>';
  const body = rows
    .map((row) => `<tr><th>${escapeHtml(row.variable)}</th><td>${escapeHtml(describeSummary(row.training))}</td><td>${escapeHtml(describeSummary(row.test))}</td><td>${escapeHtml(row.method)}</td><td>${formatNumber(row.statistic, 3)}</td><td>${row.degreesOfFreedom}</td><td>${formatNumber(row.p, 3)}</td></tr>`)
    .join('\n');
  return `<table><thead><tr><th>Variable</th><th>Training</th><th>Test</th><th>Test used</th><th>Statistic</th><th>df</th><th>p</th></tr></thead><tbody>${body}</tbody></table>`;
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  'random-forest': 'RF',
  'logistic-regression': 'LR',
  svm: 'SVM',
  'naive-bayes': 'NB',
  'decision-tree': 'DT',
  knn: 'kNN',
};

function classifierName(kind: string): string {
  return isClassifierKind(kind) ? CLASSIFIER_LABELS[kind] : kind;
}

/** Renders the training report as one HTML page. */
export function renderTrainingReport(result: TrainingResult): string {
  const { artifact, evaluation, comparison } = result;
  const card = artifact.card;
  const provenance = card.provenance;
  const syntheticBanner = card.synthetic
    ? '<p class="synthetic">SYNTHETIC DEMONSTRATION MODEL — trained on made-up data. Not for clinical use.</p>'
    : '';
  const comparisonRows = comparison
    .map((row) => `<tr${row.kind === card.chosenClassifier ? ' class="chosen"' : ''}><th>${escapeHtml(classifierName(row.kind))}</th><td>${formatNumber(row.trainAuc)}</td><td>${formatNumber(row.testAuc)}</td><td>${formatNumber(row.cvAucMean)} ± ${formatNumber(row.cvAucSd)}</td></tr>`)
    .join('\n');
  const rfeRows = result.rfeSizeScores
    ? `<h2>RFE size chosen by cross-validation</h2><table><thead><tr><th>Features</th><th>Mean AUC</th><th>SD</th></tr></thead><tbody>${result.rfeSizeScores.map((row) => `<tr${row.features === card.selection.rfeFeatureCount ? ' class="chosen"' : ''}><td>${row.features}</td><td>${formatNumber(row.meanAuc)}</td><td>${formatNumber(row.sdAuc)}</td></tr>`).join('')}</tbody></table>`
    : '';
  const alternative = result.alternativeSplit
    ? `<p>Split by ${escapeHtml(result.alternativeSplit.unit)} instead: training AUC ${formatNumber(result.alternativeSplit.trainingAuc)}, test AUC ${formatNumber(result.alternativeSplit.testAuc)}, features ${escapeHtml(result.alternativeSplit.featureNames.join(', '))}.</p>`
    : '';
  const categories = comparison.map((row) => SHORT_NAMES[row.kind] ?? row.kind);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Model ${escapeHtml(artifact.version)} — training report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
thead th { background: #f2f2f2; }
tr.chosen { background: #fff7d6; }
.synthetic { background: #b00020; color: white; padding: 0.6em 1em; font-weight: bold; }
figure { display: inline-block; margin: 0 1em 1em 0; }
</style>
</head>
<body>
<h1>Model ${escapeHtml(artifact.version)}</h1>
${syntheticBanner}
<p>${escapeHtml(card.description)}</p>
<p>${escapeHtml(card.intendedUse)}</p>
<h2>Model card</h2>
<table><tbody>
<tr><th>Classifier</th><td>${escapeHtml(classifierName(card.chosenClassifier))} (choice rule: ${escapeHtml(card.choiceRule)})</td></tr>
<tr><th>Features</th><td>${artifact.featureNames.map(escapeHtml).join('<br>')}</td></tr>
<tr><th>Cut-off</th><td>probability ≥ ${artifact.threshold} → progression (Youden index on the training part)</td></tr>
<tr><th>Feature selection</th><td>${card.selection.candidateFeatures} candidates → ${card.selection.afterVarianceFilter} after the variance filter${card.selection.afterUnivariateFilter !== null ? ` → ${card.selection.afterUnivariateFilter} after the univariate filter` : ''}${card.selection.afterMultivariableFilter !== null ? ` → ${card.selection.afterMultivariableFilter} after the multivariable filter` : ''} → ${card.selection.rfeFeatureCount} by RFE (${escapeHtml(card.selection.rfeCountChosenBy)})</td></tr>
<tr><th>Split</th><td>by ${escapeHtml(provenance.split.unit)}, seed ${provenance.split.seed}, test fraction ${provenance.split.testFraction}: ${provenance.split.trainCases} training lesions (${provenance.split.trainPatients} patients), ${provenance.split.testCases} test lesions (${provenance.split.testPatients} patients)</td></tr>
<tr><th>Training data SHA-256</th><td><code>${escapeHtml(provenance.trainingDataHash)}</code> (${escapeHtml(provenance.inputs.features)}, ${escapeHtml(provenance.inputs.labels)})</td></tr>
<tr><th>Settings hash</th><td>${artifact.settingsHash ? `<code>${escapeHtml(artifact.settingsHash)}</code>` : 'not recorded'}</td></tr>
<tr><th>Product version</th><td>${escapeHtml(provenance.productVersion)}, created ${escapeHtml(artifact.createdAt)}</td></tr>
</tbody></table>
${alternative}
<h2>Performance of the kept model</h2>
<table><thead><tr><th>Part</th><th>n (P/N)</th><th>AUC</th><th>95 % CI DeLong</th><th>95 % CI bootstrap</th><th>Cut-off</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th><th>Sensitivity</th><th>Specificity</th><th>Accuracy</th><th>PPV / NPV</th><th>Brier</th></tr></thead>
<tbody>
${metricsRows('Training', evaluation.training)}
${metricsRows('Test', evaluation.test)}
</tbody></table>
<figure>${rocFigure(evaluation.training, evaluation.test, `ROC — ${classifierName(card.chosenClassifier)}`)}</figure>
<figure>${calibrationFigure(evaluation.training, evaluation.test)}</figure>
<figure>${decisionCurveFigure(evaluation.training, 'Decision curve — training')}</figure>
${evaluation.test ? `<figure>${decisionCurveFigure(evaluation.test, 'Decision curve — test')}</figure>` : ''}
<h2>Classifiers compared</h2>
<table><thead><tr><th>Classifier</th><th>Training AUC</th><th>Test AUC</th><th>${card.provenance.config.cvFolds as number}-fold CV AUC (mean ± SD)</th></tr></thead><tbody>${comparisonRows}</tbody></table>
<figure>${barChartSvg({
    title: 'AUC of the compared classifiers',
    yLabel: 'AUC',
    categories,
    series: [
      { name: 'Training', values: comparison.map((row) => row.trainAuc), colour: TRAIN_COLOUR },
      { name: 'Test', values: comparison.map((row) => row.testAuc), colour: TEST_COLOUR },
      { name: 'CV mean', values: comparison.map((row) => row.cvAucMean), colour: '#2ca02c' },
    ],
  })}</figure>
${rfeRows}
<h2>Training and test groups compared (per ${escapeHtml(provenance.split.unit)})</h2>
${groupComparisonTable(result.groupComparison)}
</body>
</html>
`;
}
