/**
 * Plot data for the model card: ROC curves and decision curves read out of a model card.
 *
 * The dashboard draws the SVG itself from these series, so the figures stay accessible (titles, data tables)
 * and need no request beyond the API. The card is the modelling part's JSON; this reader accepts the two
 * usual layouts of a curve, a list of points (`[{fpr, tpr}]`, `[{threshold, netBenefit}]`) or parallel arrays
 * (`{fpr: [], tpr: []}`), found under keys named `roc` and `dca` (or `decisionCurve`) at any depth.
 */

export interface RocSeries {
  /** Path of keys in the card that led to the curve, e.g. "metrics test". */
  readonly label: string;
  readonly auc?: number;
  /** [false positive rate, true positive rate] pairs in increasing false positive rate. */
  readonly points: readonly (readonly [number, number])[];
}

export interface DecisionCurveSeries {
  readonly label: string;
  /** [threshold probability, net benefit] pairs in increasing threshold. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ModelFigures {
  readonly roc: readonly RocSeries[];
  readonly dca: readonly DecisionCurveSeries[];
}

type Json = unknown;

const isRecord = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: Json): value is number => typeof value === 'number' && Number.isFinite(value);

function firstNumber(record: Record<string, Json>, names: readonly string[]): number | undefined {
  for (const name of names) {
    if (isFiniteNumber(record[name])) return record[name];
  }
  return undefined;
}

function firstArray(record: Record<string, Json>, names: readonly string[]): Json[] | undefined {
  for (const name of names) {
    if (Array.isArray(record[name])) return record[name];
  }
  return undefined;
}

/** Reads a curve given as a list of point objects or as two parallel arrays; returns undefined when neither fits. */
function readPairs(value: Json, xNames: readonly string[], yNames: readonly string[]): [number, number][] | undefined {
  if (Array.isArray(value)) {
    const pairs: [number, number][] = [];
    for (const point of value) {
      if (Array.isArray(point) && isFiniteNumber(point[0]) && isFiniteNumber(point[1])) {
        pairs.push([point[0], point[1]]);
        continue;
      }
      if (!isRecord(point)) return undefined;
      const x = firstNumber(point, xNames);
      const y = firstNumber(point, yNames);
      if (x === undefined || y === undefined) return undefined;
      pairs.push([x, y]);
    }
    return pairs.length > 0 ? pairs : undefined;
  }

  if (isRecord(value)) {
    const xs = firstArray(value, xNames);
    const ys = firstArray(value, yNames);
    if (!xs || !ys || xs.length !== ys.length || xs.length === 0) return undefined;
    if (!xs.every(isFiniteNumber) || !ys.every(isFiniteNumber)) return undefined;
    return xs.map((x, index) => [x as number, ys[index] as number]);
  }

  return undefined;
}

const FPR_NAMES = ['fpr', 'falsePositiveRate', 'x'];
const TPR_NAMES = ['tpr', 'truePositiveRate', 'sensitivity', 'y'];
const THRESHOLD_NAMES = ['threshold', 'thresholds', 'pt', 'x'];
const NET_BENEFIT_NAMES = ['netBenefit', 'net_benefit', 'model', 'y'];
const NET_BENEFIT_SERIES = /net|benefit|treat|model|all|none/i;

/** Collects the ROC and decision curves anywhere in a model card, labelled by the path of keys that led to them. */
export function extractModelFigures(card: Json): ModelFigures {
  const roc: RocSeries[] = [];
  const dca: DecisionCurveSeries[] = [];

  const visit = (value: Json, path: string[], depth: number): void => {
    if (depth > 6 || !isRecord(value)) return;

    for (const [key, child] of Object.entries(value)) {
      const label = path.length > 0 ? path.join(' ') : 'model';

      if (key === 'roc') {
        const points = readPairs(isRecord(child) && Array.isArray(child.points) ? child.points : child, FPR_NAMES, TPR_NAMES);
        if (points) {
          const auc = firstNumber(value, ['auc', 'AUC']) ?? (isRecord(child) ? firstNumber(child, ['auc', 'AUC']) : undefined);
          roc.push({ label, auc, points: points.sort((a, b) => a[0] - b[0] || a[1] - b[1]) });
        }
        continue;
      }

      if (key === 'dca' || key === 'decisionCurve') {
        dca.push(...readDecisionCurves(child, label));
        continue;
      }

      visit(child, [...path, key], depth + 1);
    }
  };

  visit(card, [], 0);
  return { roc, dca };
}

/**
 * Reads a decision curve: either one list of points, or thresholds beside one array per strategy
 * (`{thresholds, model, treatAll, treatNone}`), each strategy becoming its own series.
 */
function readDecisionCurves(value: Json, label: string): DecisionCurveSeries[] {
  if (isRecord(value)) {
    const thresholds = firstArray(value, ['thresholds', 'threshold', 'pt']);
    if (thresholds && thresholds.every(isFiniteNumber)) {
      const series: DecisionCurveSeries[] = [];
      for (const [name, values] of Object.entries(value)) {
        if (!Array.isArray(values) || values === thresholds || values.length !== thresholds.length) continue;
        // Count arrays (tp, fp) sit beside the curves in some layouts; only net-benefit series are plotted.
        if (!NET_BENEFIT_SERIES.test(name)) continue;
        if (!values.every(isFiniteNumber)) continue;
        series.push({ label: `${label} ${name}`, points: thresholds.map((t, index) => [t as number, values[index] as number]) });
      }
      return series;
    }
    if (Array.isArray(value.points)) return readDecisionCurves(value.points, label);
  }

  const points = readPairs(value, THRESHOLD_NAMES, NET_BENEFIT_NAMES);
  return points ? [{ label, points: points.sort((a, b) => a[0] - b[0]) }] : [];
}
