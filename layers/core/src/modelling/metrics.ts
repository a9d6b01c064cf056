/**
 * Binary classifier evaluation: ROC curve and AUC, the Youden-index cut-off, confusion matrix and rates,
 * DeLong and bootstrap confidence intervals of the AUC, decision-curve analysis, calibration and the Brier
 * score. Labels are 1 for the positive class (progression) and 0 otherwise. A case is predicted positive
 * when its score is greater than or equal to the threshold.
 */
import { RadiomicsError } from '../errors';
import { createRandom, randomInteger } from './random';
import { normalQuantile } from './statistics';

/** Counts of a 2 × 2 confusion matrix. */
export interface ConfusionCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Rates at one cut-off; a rate whose denominator is zero is null. */
export interface ClassificationRates {
  sensitivity: number | null;
  specificity: number | null;
  accuracy: number | null;
  ppv: number | null;
  npv: number | null;
}

export interface RocCurve {
  /** Decreasing thresholds; the first is +Infinity (no case predicted positive), as scikit-learn ≥ 1.3 does. */
  thresholds: number[];
  fpr: number[];
  tpr: number[];
  tp: number[];
  fp: number[];
}

/**
 * Checks that labels are 0/1, scores finite and both arrays of equal length.
 * Throws DATA_INVALID naming the first offending row (its 1-based position).
 */
export function checkBinaryInput(labels: ArrayLike<number>, scores: ArrayLike<number>, source = 'predictions'): void {
  if (labels.length !== scores.length) {
    throw new RadiomicsError('DATA_INVALID', `${source}: ${labels.length} labels but ${scores.length} scores.`);
  }
  if (labels.length === 0) throw new RadiomicsError('DATA_INVALID', `${source}: no rows to evaluate.`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) {
      throw new RadiomicsError('DATA_INVALID', `${source}: row ${i + 1} has label ${String(labels[i])}; labels must be 0 or 1.`);
    }
    if (!Number.isFinite(scores[i])) {
      throw new RadiomicsError('DATA_INVALID', `${source}: row ${i + 1} has a score that is not a finite number.`);
    }
  }
}

function countClasses(labels: ArrayLike<number>): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  return { positives, negatives: labels.length - positives };
}

function requireBothClasses(labels: ArrayLike<number>, what: string): { positives: number; negatives: number } {
  const counts = countClasses(labels);
  if (counts.positives === 0 || counts.negatives === 0) {
    throw new RadiomicsError(
      'DATA_INVALID',
      `${what} needs both classes, but the data have ${counts.positives} positives and ${counts.negatives} negatives.`,
    );
  }
  return counts;
}

/** Cumulative counts at each distinct score, from the highest score down. */
function cumulativeCounts(labels: ArrayLike<number>, scores: ArrayLike<number>): { thresholds: number[]; tp: number[]; fp: number[] } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const thresholds: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let truePositives = 0;
  let falsePositives = 0;
  for (let rank = 0; rank < order.length; rank++) {
    const index = order[rank];
    if (labels[index] === 1) truePositives++;
    else falsePositives++;
    const next = rank + 1 < order.length ? scores[order[rank + 1]] : Number.NaN;
    if (next !== scores[index]) {
      thresholds.push(scores[index]);
      tp.push(truePositives);
      fp.push(falsePositives);
    }
  }
  return { thresholds, tp, fp };
}

/**
 * Computes the ROC curve. With `dropIntermediate`, points are dropped by scikit-learn's rule: keep the first and
 * last distinct thresholds and every point where the second difference of the FP or TP counts is non-zero
 * (applied only when there are more than two distinct thresholds).
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, options: { dropIntermediate?: boolean } = {}): RocCurve {
  checkBinaryInput(labels, scores);
  const { positives, negatives } = requireBothClasses(labels, 'The ROC curve');
  let { thresholds, tp, fp } = cumulativeCounts(labels, scores);

  if (options.dropIntermediate && thresholds.length > 2) {
    const keep: number[] = [];
    for (let i = 0; i < thresholds.length; i++) {
      if (i === 0 || i === thresholds.length - 1) {
        keep.push(i);
        continue;
      }
      const fpCurvature = fp[i + 1] - 2 * fp[i] + fp[i - 1];
      const tpCurvature = tp[i + 1] - 2 * tp[i] + tp[i - 1];
      if (fpCurvature !== 0 || tpCurvature !== 0) keep.push(i);
    }
    thresholds = keep.map((i) => thresholds[i]);
    tp = keep.map((i) => tp[i]);
    fp = keep.map((i) => fp[i]);
  }

  const allThresholds = [Infinity, ...thresholds];
  const allTp = [0, ...tp];
  const allFp = [0, ...fp];
  return {
    thresholds: allThresholds,
    tp: allTp,
    fp: allFp,
    tpr: allTp.map((count) => count / positives),
    fpr: allFp.map((count) => count / negatives),
  };
}

/**
 * Computes the AUC as scikit-learn's roc_auc_score does, so that the double matches to the last bit: the
 * trapezoidal area under the ROC curve with intermediate points dropped, Σ Δfpr · (tpr_i + tpr_{i+1}) / 2,
 * summed in NumPy's pairwise order. It equals the Mann–Whitney statistic with ties counted 1/2 (see
 * `aucMannWhitney`) up to rounding.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const curve = rocCurve(labels, scores, { dropIntermediate: true });
  const areas = new Array<number>(curve.fpr.length - 1);
  for (let i = 0; i < areas.length; i++) {
    areas[i] = ((curve.fpr[i + 1] - curve.fpr[i]) * (curve.tpr[i + 1] + curve.tpr[i])) / 2;
  }
  return pairwiseSum(areas, 0, areas.length);
}

/**
 * Sums values[start, start + count) in NumPy's pairwise order (blocks of 128 summed with eight partial sums),
 * which `numpy.sum` uses for contiguous float64 arrays.
 */
export function pairwiseSum(values: ArrayLike<number>, start: number, count: number): number {
  if (count < 8) {
    let sum = -0;
    for (let i = start; i < start + count; i++) sum += values[i];
    return sum;
  }
  if (count <= 128) {
    const partial = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]);
    let i = 8;
    for (; i < count - (count % 8); i += 8) for (let j = 0; j < 8; j++) partial[j] += values[start + i + j];
    let sum = partial[0] + partial[1] + (partial[2] + partial[3]) + (partial[4] + partial[5] + (partial[6] + partial[7]));
    for (; i < count; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/**
 * Computes the AUC as the Mann–Whitney statistic, a cross-class tie counting 1/2: the exact integer
 * Σ (2·[pos > neg] + [pos = neg]) divided by 2·P·N, so the result is the correctly rounded fraction.
 */
export function aucMannWhitney(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinaryInput(labels, scores);
  const { positives, negatives } = requireBothClasses(labels, 'The AUC');
  const { tp, fp } = cumulativeCounts(labels, scores);
  let twiceWins = 0;
  let previousTp = 0;
  let previousFp = 0;
  for (let i = 0; i < tp.length; i++) {
    const newPositives = tp[i] - previousTp;
    const newNegatives = fp[i] - previousFp;
    // Positives in this block beat every negative below the block and tie with the block's negatives.
    twiceWins += newPositives * (2 * (negatives - fp[i]) + newNegatives);
    previousTp = tp[i];
    previousFp = fp[i];
  }
  return twiceWins / (2 * positives * negatives);
}

/** Counts the confusion matrix with the rule score ≥ threshold → positive. */
export function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ConfusionCounts {
  const counts: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predictedPositive = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (predictedPositive) counts.tp++;
      else counts.fn++;
    } else if (predictedPositive) counts.fp++;
    else counts.tn++;
  }
  return counts;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Sensitivity, specificity, accuracy, PPV and NPV of a confusion matrix. */
export function classificationRates(counts: ConfusionCounts): ClassificationRates {
  const { tp, fp, tn, fn } = counts;
  return {
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    accuracy: ratio(tp + tn, tp + fp + tn + fn),
    ppv: ratio(tp, tp + fp),
    npv: ratio(tn, tn + fn),
  };
}

export interface YoudenChoice {
  threshold: number;
  /** J = sensitivity + specificity − 1 at the chosen threshold. */
  youdenIndex: number;
  /** Every distinct score that reaches the maximal J; the highest is chosen. */
  tiedThresholds: number[];
  confusion: ConfusionCounts;
}

/**
 * Chooses the cut-off that maximises Youden's J = TPR − FPR over the distinct scores used as thresholds.
 * J is compared exactly through the integer tp·N − fp·P, and among tied thresholds the highest wins.
 */
export function youdenCutoff(labels: ArrayLike<number>, scores: ArrayLike<number>): YoudenChoice {
  checkBinaryInput(labels, scores);
  const { positives, negatives } = requireBothClasses(labels, 'The Youden cut-off');
  const { thresholds, tp, fp } = cumulativeCounts(labels, scores);
  let best = -Infinity;
  let tied: number[] = [];
  let bestIndex = 0;
  for (let i = 0; i < thresholds.length; i++) {
    const numerator = tp[i] * negatives - fp[i] * positives;
    if (numerator > best) {
      best = numerator;
      tied = [thresholds[i]];
      bestIndex = i;
    } else if (numerator === best) {
      tied.push(thresholds[i]);
    }
  }
  // Thresholds run from high to low, so the first index reaching the maximum is the highest threshold.
  const threshold = thresholds[bestIndex];
  return {
    threshold,
    youdenIndex: best / (positives * negatives),
    tiedThresholds: tied,
    confusion: confusionAt(labels, scores, threshold),
  };
}

export interface DelongResult {
  auc: number;
  /** Sample variance (denominator m − 1) of the positives' structural components V10. */
  s10: number;
  /** Sample variance (denominator n − 1) of the negatives' structural components V01. */
  s01: number;
  variance: number;
  standardError: number;
  z: number;
  ciLowerUnclipped: number;
  ciUpperUnclipped: number;
  /** Bounds clipped to [0, 1], as R's pROC reports them. */
  ciLower: number;
  ciUpper: number;
}

/** Midranks (1-based, ties share the mean rank) of `values`. */
export function midranks(values: ArrayLike<number>): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]] = rank;
    start = end + 1;
  }
  return ranks;
}

function sampleVariance(values: number[]): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (const value of values) sum += value;
  const centre = sum / values.length;
  let squares = 0;
  for (const value of values) squares += (value - centre) ** 2;
  return squares / (values.length - 1);
}

/**
 * Computes the DeLong variance of the AUC with the midrank algorithm of Sun and Xu (2014): for a positive,
 * V10 = (pooled midrank − midrank among positives) / N; for a negative, V01 = 1 − (pooled midrank − midrank
 * among negatives) / P; variance = s10 / P + s01 / N, and CI = AUC ± z·√variance.
 */
export function delongAucCi(labels: ArrayLike<number>, scores: ArrayLike<number>, level = 0.95): DelongResult {
  checkBinaryInput(labels, scores);
  const { positives, negatives } = requireBothClasses(labels, 'The DeLong interval');
  const positiveScores: number[] = [];
  const negativeScores: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? positiveScores : negativeScores).push(scores[i]);

  const pooledRanks = midranks([...positiveScores, ...negativeScores]);
  const positiveRanks = midranks(positiveScores);
  const negativeRanks = midranks(negativeScores);
  const v10 = positiveScores.map((_, i) => (pooledRanks[i] - positiveRanks[i]) / negatives);
  const v01 = negativeScores.map((_, j) => 1 - (pooledRanks[positives + j] - negativeRanks[j]) / positives);

  const auc = aucMannWhitney(labels, scores);
  const s10 = sampleVariance(v10);
  const s01 = sampleVariance(v01);
  const varianceOfAuc = s10 / positives + s01 / negatives;
  const standardError = Math.sqrt(varianceOfAuc);
  const z = normalQuantile(1 - (1 - level) / 2);
  const ciLowerUnclipped = auc - z * standardError;
  const ciUpperUnclipped = auc + z * standardError;
  return {
    auc,
    s10,
    s01,
    variance: varianceOfAuc,
    standardError,
    z,
    ciLowerUnclipped,
    ciUpperUnclipped,
    ciLower: Math.max(0, ciLowerUnclipped),
    ciUpper: Math.min(1, ciUpperUnclipped),
  };
}

export interface BootstrapCi {
  lower: number;
  upper: number;
  replicates: number;
  seed: number;
}

/**
 * Computes a percentile bootstrap CI of the AUC: cases are resampled with replacement, stratified by class
 * so that every replicate keeps the original numbers of positives and negatives.
 */
export function bootstrapAucCi(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: { seed: number; replicates?: number; level?: number },
): BootstrapCi {
  checkBinaryInput(labels, scores);
  requireBothClasses(labels, 'The bootstrap interval');
  const replicates = options.replicates ?? 2000;
  const level = options.level ?? 0.95;
  const random = createRandom(options.seed);
  const positiveIndices: number[] = [];
  const negativeIndices: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? positiveIndices : negativeIndices).push(i);

  const aucs: number[] = [];
  const sampleLabels = new Array<number>(labels.length);
  const sampleScores = new Array<number>(labels.length);
  for (let r = 0; r < replicates; r++) {
    let k = 0;
    for (const group of [positiveIndices, negativeIndices]) {
      for (let i = 0; i < group.length; i++) {
        const index = group[randomInteger(random, group.length)];
        sampleLabels[k] = labels[index];
        sampleScores[k] = scores[index];
        k++;
      }
    }
    aucs.push(rocAuc(sampleLabels, sampleScores));
  }
  aucs.sort((a, b) => a - b);
  return {
    lower: percentile(aucs, (1 - level) / 2),
    upper: percentile(aucs, 1 - (1 - level) / 2),
    replicates,
    seed: options.seed,
  };
}

/** Linear-interpolation percentile (NumPy's default) of sorted values, q in [0, 1]. */
export function percentile(sorted: number[], q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export interface DecisionCurve {
  /** pt = k/100 for k = 1…99, each computed as a division so that 7/100 is exactly the double 0.07. */
  thresholds: number[];
  netBenefitModel: number[];
  netBenefitTreatAll: number[];
  netBenefitTreatNone: number[];
  tp: number[];
  fp: number[];
}

/**
 * Computes decision-curve analysis: net benefit NB = TP/n − FP/n · pt/(1 − pt) of the model (positive when
 * score ≥ pt), of treating all (P/n − N/n · pt/(1 − pt)) and of treating none (0).
 */
export function decisionCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): DecisionCurve {
  checkBinaryInput(labels, scores);
  const n = labels.length;
  const { positives, negatives } = countClasses(labels);
  const curve: DecisionCurve = { thresholds: [], netBenefitModel: [], netBenefitTreatAll: [], netBenefitTreatNone: [], tp: [], fp: [] };
  for (let k = 1; k <= 99; k++) {
    const pt = k / 100;
    const odds = pt / (1 - pt);
    const { tp, fp } = confusionAt(labels, scores, pt);
    curve.thresholds.push(pt);
    curve.tp.push(tp);
    curve.fp.push(fp);
    curve.netBenefitModel.push(tp / n - (fp / n) * odds);
    curve.netBenefitTreatAll.push(positives / n - (negatives / n) * odds);
    curve.netBenefitTreatNone.push(0);
  }
  return curve;
}

/** Checks that every score is a probability in [0, 1], as calibration and the Brier score need. */
export function scoresAreProbabilities(scores: ArrayLike<number>): boolean {
  for (let i = 0; i < scores.length; i++) if (!(scores[i] >= 0 && scores[i] <= 1)) return false;
  return true;
}

/** Brier score: mean of (score − label)². */
export function brierScore(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinaryInput(labels, scores);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (scores[i] - labels[i]) ** 2;
  return sum / labels.length;
}

export interface CalibrationCurve {
  binEdges: number[];
  binCount: number[];
  binPositives: number[];
  binScoreSum: number[];
  /** Observed fraction of positives per non-empty bin. */
  probTrue: number[];
  /** Mean predicted probability per non-empty bin. */
  probPred: number[];
  nonEmptyBins: number[];
}

/**
 * Computes a calibration curve with uniform bins closed on the right: [0, e1], (e1, e2], …, (e_{k−1}, 1].
 * A score's bin is the number of inner edges strictly below it, as NumPy's searchsorted (side 'left') gives
 * with edges i · (1/k), so 0.2 falls in the first of five bins.
 */
export function calibrationCurve(labels: ArrayLike<number>, scores: ArrayLike<number>, binCountTotal = 5): CalibrationCurve {
  checkBinaryInput(labels, scores);
  if (!scoresAreProbabilities(scores)) {
    throw new RadiomicsError('DATA_INVALID', 'Calibration needs scores that are probabilities between 0 and 1.');
  }
  const step = 1 / binCountTotal;
  const binEdges = Array.from({ length: binCountTotal + 1 }, (_, i) => (i === binCountTotal ? 1 : i * step));
  const binCount = new Array<number>(binCountTotal).fill(0);
  const binPositives = new Array<number>(binCountTotal).fill(0);
  const binScoreSum = new Array<number>(binCountTotal).fill(0);
  for (let i = 0; i < scores.length; i++) {
    let bin = 0;
    while (bin < binCountTotal - 1 && binEdges[bin + 1] < scores[i]) bin++;
    binCount[bin]++;
    binPositives[bin] += labels[i];
    binScoreSum[bin] += scores[i];
  }
  const nonEmptyBins = binCount.map((count, bin) => (count > 0 ? bin : -1)).filter((bin) => bin >= 0);
  return {
    binEdges,
    binCount,
    binPositives,
    binScoreSum,
    probTrue: nonEmptyBins.map((bin) => binPositives[bin] / binCount[bin]),
    probPred: nonEmptyBins.map((bin) => binScoreSum[bin] / binCount[bin]),
    nonEmptyBins,
  };
}

/** Everything the product reports for one set of scored cases. */
export interface EvaluationSummary {
  n: number;
  positives: number;
  negatives: number;
  auc: number;
  aucCiDelong: [number, number];
  aucCiBootstrap?: [number, number];
  bootstrapSeed?: number;
  /** Cut-off used for the confusion matrix (the Youden cut-off unless one was given). */
  threshold: number;
  youdenThreshold: number;
  confusion: ConfusionCounts;
  rates: ClassificationRates;
  brier: number | null;
  roc: RocCurve;
  decisionCurve: DecisionCurve;
  calibration: CalibrationCurve | null;
}

/**
 * Evaluates scored cases. The confusion matrix is taken at `threshold` when given (for a test part scored with
 * the cut-off chosen on the training part), else at the Youden cut-off of these scores.
 */
export function evaluateScores(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  options: { threshold?: number; bootstrapSeed?: number; bootstrapReplicates?: number } = {},
): EvaluationSummary {
  checkBinaryInput(labels, scores);
  const { positives, negatives } = requireBothClasses(labels, 'Evaluation');
  const youden = youdenCutoff(labels, scores);
  const threshold = options.threshold ?? youden.threshold;
  const confusion = confusionAt(labels, scores, threshold);
  const delong = delongAucCi(labels, scores);
  const probabilities = scoresAreProbabilities(scores);
  const summary: EvaluationSummary = {
    n: labels.length,
    positives,
    negatives,
    auc: rocAuc(labels, scores),
    aucCiDelong: [delong.ciLower, delong.ciUpper],
    threshold,
    youdenThreshold: youden.threshold,
    confusion,
    rates: classificationRates(confusion),
    brier: probabilities ? brierScore(labels, scores) : null,
    roc: rocCurve(labels, scores),
    decisionCurve: decisionCurve(labels, scores),
    calibration: probabilities ? calibrationCurve(labels, scores) : null,
  };
  if (options.bootstrapSeed !== undefined) {
    const bootstrap = bootstrapAucCi(labels, scores, { seed: options.bootstrapSeed, replicates: options.bootstrapReplicates });
    summary.aucCiBootstrap = [bootstrap.lower, bootstrap.upper];
    summary.bootstrapSeed = options.bootstrapSeed;
  }
  return summary;
}
