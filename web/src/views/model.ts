// The active model card: version, provenance, metrics, synthetic-data warning, ROC and decision curves,
// report figures stored with the model, and the list of published versions.
import { ApiError, getImageUrl, getJson, type ModelCard, type ModelSummary } from '../api';
import { lineChart } from '../charts';
import { fill, formatDateTime, formatNumber, h } from '../dom';
import { errorPanel, pageHeading, syntheticWarning } from './common';

type Row = [string, string];

/** Flattens the scalar values of a nested object into "a › b" rows, skipping arrays (curves, vectors). */
function scalarRows(value: unknown, prefix: string[] = [], depth = 0): Row[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'number') return [[prefix.join(' › '), formatNumber(value)]];
  if (typeof value === 'string' || typeof value === 'boolean') return [[prefix.join(' › '), String(value)]];
  if (Array.isArray(value) || typeof value !== 'object' || depth > 4) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => scalarRows(child, [...prefix, key], depth + 1));
}

function keyValueTable(id: string, caption: string, rows: Row[]): HTMLElement {
  return h(
    'table',
    { class: 'data-table', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', {}, rows.length > 0 ? rows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value))) : h('tr', {}, h('td', { colspan: 2 }, 'Not recorded.'))),
  );
}

/** Metrics side by side, one column per part (training, test): rows are the scalar metrics of any part. */
function metricsTable(metrics: unknown): HTMLElement {
  const parts = metrics !== null && typeof metrics === 'object' ? Object.entries(metrics as Record<string, unknown>).filter(([, value]) => value !== null && typeof value === 'object') : [];
  const valuesByPart = parts.map(([part, value]) => [part, new Map(scalarRows(value))] as const);
  const rowNames = [...new Set(valuesByPart.flatMap(([, values]) => [...values.keys()]))];
  return h(
    'table',
    { class: 'data-table', id: 'metrics-table' },
    h('caption', {}, 'Training and test metrics'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Metric'), valuesByPart.map(([part]) => h('th', { scope: 'col' }, part)))),
    h(
      'tbody',
      {},
      rowNames.length > 0
        ? rowNames.map((name) => h('tr', {}, h('th', { scope: 'row' }, name), valuesByPart.map(([, values]) => h('td', {}, values.get(name) ?? '—'))))
        : h('tr', {}, h('td', { colspan: 1 + valuesByPart.length }, 'Not recorded.')),
    ),
  );
}

export async function renderModel(main: HTMLElement): Promise<void> {
  let card: ModelCard;
  try {
    card = await getJson<ModelCard>('/api/models/active');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      fill(main, pageHeading('Model'), errorPanel('No model version is active yet.', 'Publish one with "radiomics models publish FILE".'));
      return;
    }
    throw error;
  }
  const { items: versions } = await getJson<{ items: ModelSummary[] }>('/api/models');

  const { metrics, provenance, ...rest } = card.card as { metrics?: unknown; provenance?: unknown };
  const rocCharts = card.figures.roc.length > 0
    ? lineChart(
        `ROC curves of model ${card.model.version}`,
        card.figures.roc.map((series) => `${series.label}${series.auc === undefined ? '' : `, AUC ${series.auc.toFixed(3)}`}`).join('; '),
        card.figures.roc.map((series) => ({ label: `${series.label}${series.auc === undefined ? '' : ` (AUC ${series.auc.toFixed(2)})`}`, points: series.points })),
        { xLabel: 'False positive rate (1 − specificity)', yLabel: 'True positive rate', unitY: true, diagonal: true },
      )
    : h('p', {}, 'The model card holds no ROC curve.');
  const dcaChart = card.figures.dca.length > 0
    ? lineChart(
        `Decision curves of model ${card.model.version}`,
        `Net benefit over threshold probabilities for: ${card.figures.dca.map((series) => series.label).join(', ')}`,
        card.figures.dca.map((series, index) => ({ label: series.label, points: series.points, dashed: index > 0 })),
        { xLabel: 'Threshold probability', yLabel: 'Net benefit' },
      )
    : h('p', {}, 'The model card holds no decision curve.');

  // Report figures stored with the model: ROC and decision curves join the plots drawn from the card.
  const storedFigures = await Promise.all(
    card.storedFigures.map(async (figure) => {
      const url = await getImageUrl(figure.path);
      if (!url) return null;
      const element = h('figure', { class: 'stored-figure' }, h('img', { src: url, alt: `Report figure ${figure.name} of model ${card.model.version}` }), h('figcaption', {}, figure.name));
      return { name: figure.name, element };
    }),
  );
  const curveFigures = storedFigures.filter((figure) => figure !== null && /roc|decision/i.test(figure.name)).map((figure) => figure!.element);
  const otherFigures = storedFigures.filter((figure) => figure !== null && !/roc|decision/i.test(figure.name)).map((figure) => figure!.element);
  const drawnCharts = [card.figures.roc.length > 0 ? rocCharts : null, card.figures.dca.length > 0 ? dcaChart : null].filter(Boolean);

  fill(
    main,
    pageHeading(`Model ${card.model.version}`),
    card.synthetic ? syntheticWarning(card.model.version) : null,
    h(
      'dl',
      { class: 'facts', id: 'model-facts' },
      h('dt', {}, 'Active version'),
      h('dd', { 'data-field': 'active-version' }, card.model.version),
      h('dt', {}, 'Published'),
      h('dd', {}, formatDateTime(card.model.publishedAt)),
      h('dt', {}, 'Extraction settings hash'),
      h('dd', {}, h('code', {}, card.model.settingsHash || 'not recorded')),
      h('dt', {}, 'Features'),
      h('dd', {}, card.featureNames.length > 0 ? card.featureNames.map((name, index) => [index > 0 ? ', ' : '', h('code', {}, name)]) : 'not recorded'),
    ),
    h(
      'section',
      { 'aria-labelledby': 'figures-heading', class: 'figures' },
      h('h2', { id: 'figures-heading' }, 'ROC and decision curves'),
      drawnCharts.length + curveFigures.length > 0 ? h('div', { class: 'chart-row' }, drawnCharts, curveFigures) : h('p', {}, 'Neither the model card nor its report holds a ROC or decision curve.'),
    ),
    otherFigures.length > 0 ? h('section', { 'aria-labelledby': 'report-heading' }, h('h2', { id: 'report-heading' }, 'Other report figures'), h('div', { class: 'chart-row' }, otherFigures)) : null,
    metricsTable(metrics),
    keyValueTable('provenance-table', 'Provenance', scalarRows(provenance)),
    keyValueTable('card-table', 'Other card entries', scalarRows(rest)),
    h(
      'table',
      { class: 'data-table', id: 'versions-table' },
      h('caption', {}, 'Published model versions'),
      h('thead', {}, h('tr', {}, ['Version', 'Published', 'Status', 'Data'].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        versions.map((version) =>
          h(
            'tr',
            { 'data-version': version.version },
            h('th', { scope: 'row' }, version.version),
            h('td', {}, formatDateTime(version.publishedAt)),
            h('td', {}, version.active ? h('span', { class: 'badge badge-completed' }, 'Active') : 'Earlier version'),
            h('td', {}, version.synthetic ? 'Synthetic' : 'Study data'),
          ),
        ),
      ),
    ),
  );
}
