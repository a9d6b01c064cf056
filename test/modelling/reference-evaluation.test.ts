// Evaluation metrics against the scikit-learn reference vectors and the published results table.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  aucMannWhitney,
  calibrationCurve,
  brierScore,
  classificationRates,
  decisionCurve,
  delongAucCi,
  midranks,
  pearsonChiSquare,
  rocAuc,
  rocCurve,
  studentTTest,
  youdenCutoff,
} from '@radiomics/core';

import { describeWithReference, referencePath } from '../helpers/reference';

const TOLERANCE = 1e-9;

function readJson(relative: string): any {
  return JSON.parse(readFileSync(referencePath(relative), 'utf8'));
}

function readPredictions(relative: string): { labels: number[]; scores: number[] } {
  const lines = readFileSync(referencePath(relative), 'utf8').trim().split('\n').slice(1);
  const labels: number[] = [];
  const scores: number[] = [];
  for (const line of lines) {
    const [, label, score] = line.split(',');
    labels.push(Number(label));
    scores.push(Number(score));
  }
  return { labels, scores };
}

function expectClose(actual: number[], expected: number[], tolerance = TOLERANCE): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i]), `index ${i}: ${value} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance));
}

const SETS = ['set_a_n26_ties', 'set_b_n60_separating', 'set_c_n200'];

describeWithReference('binary evaluation vectors', ['modelling/binary_eval/binary_eval_expected.json', ...SETS.map((name) => `modelling/binary_eval/${name}.csv`)], () => {
  const expected = readJson('modelling/binary_eval/binary_eval_expected.json');

  for (const name of SETS) {
    describe(name, () => {
      const reference = expected.sets[name];
      const { labels, scores } = readPredictions(`modelling/binary_eval/${name}.csv`);

      it('has the reference size', () => {
        expect(labels.length).toBe(reference.n);
        expect(labels.filter((label) => label === 1).length).toBe(reference.n_positive);
      });

      it('AUC', () => {
        expect(rocAuc(labels, scores)).toBe(reference.roc_auc);
        const [numerator, denominator] = reference.roc_auc_exact_fraction.split('/').map(Number);
        expect(aucMannWhitney(labels, scores)).toBe(numerator / denominator);
      });

      for (const drop of [false, true]) {
        it(`ROC points, drop_intermediate ${drop}`, () => {
          const curve = rocCurve(labels, scores, { dropIntermediate: drop });
          const ref = reference[`roc_curve_drop_intermediate_${drop ? 'true' : 'false'}`];
          expect(curve.thresholds[0]).toBe(Infinity);
          expect(curve.thresholds.slice(1)).toEqual(ref.thresholds.slice(1));
          expect(curve.tp).toEqual(ref.tp);
          expect(curve.fp).toEqual(ref.fp);
          expectClose(curve.fpr, ref.fpr);
          expectClose(curve.tpr, ref.tpr);
        });
      }

      it('Youden cut-off, counts and rates', () => {
        const choice = youdenCutoff(labels, scores);
        const ref = reference.youden;
        expect(choice.threshold).toBe(ref.threshold);
        expect(choice.tiedThresholds).toEqual(ref.tied_thresholds_at_max);
        expect(Math.abs(choice.youdenIndex - ref.youden_J)).toBeLessThanOrEqual(TOLERANCE);
        expect(choice.confusion).toEqual({ tp: ref.counts.TP, fp: ref.counts.FP, tn: ref.counts.TN, fn: ref.counts.FN });
        const rates = classificationRates(choice.confusion);
        for (const key of ['sensitivity', 'specificity', 'accuracy', 'ppv', 'npv'] as const) {
          expect(Math.abs(rates[key]! - ref.metrics[key]), key).toBeLessThanOrEqual(TOLERANCE);
        }
      });

      it('DeLong variance and CI', () => {
        const result = delongAucCi(labels, scores);
        const ref = reference.delong;
        expect(Math.abs(result.auc - ref.auc)).toBeLessThanOrEqual(1e-15);
        expect(Math.abs(result.s10 - ref.s10)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.abs(result.s01 - ref.s01)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.abs(result.variance - ref.variance)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.abs(result.ciLowerUnclipped - ref.ci_lower_unclipped)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.abs(result.ciUpperUnclipped - ref.ci_upper_unclipped)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.abs(result.ciLower - ref.ci_lower)).toBeLessThanOrEqual(TOLERANCE);
        expect(Math.abs(result.ciUpper - ref.ci_upper)).toBeLessThanOrEqual(TOLERANCE);
        const [numerator, denominator] = ref.variance_exact_fraction.split('/').map(Number);
        expect(Math.abs(result.variance - numerator / denominator)).toBeLessThanOrEqual(1e-15);
      });

      it('decision curve', () => {
        const curve = decisionCurve(labels, scores);
        const ref = reference.decision_curve;
        expect(curve.thresholds).toEqual(ref.thresholds);
        expect(curve.tp).toEqual(ref.tp);
        expect(curve.fp).toEqual(ref.fp);
        expectClose(curve.netBenefitModel, ref.net_benefit_model);
        expectClose(curve.netBenefitTreatAll, ref.net_benefit_treat_all);
        expectClose(curve.netBenefitTreatNone, ref.net_benefit_treat_none);
      });

      it('Brier score and calibration bins', () => {
        expect(Math.abs(brierScore(labels, scores) - reference.brier_score)).toBeLessThanOrEqual(TOLERANCE);
        const curve = calibrationCurve(labels, scores, 5);
        const ref = reference.calibration_curve_uniform_5;
        expect(curve.binCount).toEqual(ref.bin_count);
        expect(curve.binPositives).toEqual(ref.bin_positives);
        expect(curve.nonEmptyBins).toEqual(ref.nonempty_bins);
        expectClose(curve.binScoreSum, ref.bin_score_sum);
        expectClose(curve.probTrue, ref.prob_true);
        expectClose(curve.probPred, ref.prob_pred);
      });
    });
  }
});

describeWithReference('DeLong hand example', ['modelling/binary_eval/delong_hand_example.json'], () => {
  const reference = readJson('modelling/binary_eval/delong_hand_example.json');
  const labels = [...reference.positives.map(() => 1), ...reference.negatives.map(() => 0)];
  const scores = [...reference.positives, ...reference.negatives];
  const fraction = (text: string): number => {
    const [numerator, denominator] = text.split('/').map(Number);
    return numerator / denominator;
  };

  it('midranks', () => {
    expect(midranks(reference.positives)).toEqual(reference.midranks_positives_within_positives);
    expect(midranks(reference.negatives)).toEqual(reference.midranks_negatives_within_negatives);
    expect(midranks(scores)).toEqual(reference.midranks_all_pooled_positives_then_negatives);
  });

  it('AUC and variance', () => {
    const result = delongAucCi(labels, scores);
    expect(result.auc).toBe(fraction(reference.auc_fraction));
    expect(Math.abs(result.s10 - fraction(reference.S10_fraction))).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(result.s01 - fraction(reference.S01_fraction))).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(result.variance - fraction(reference.variance_fraction))).toBeLessThanOrEqual(1e-15);
  });
});

describeWithReference('published results table', ['modelling/paper_table.json'], () => {
  const reference = readJson('modelling/paper_table.json');

  for (const part of ['train', 'test'] as const) {
    it(`${part} rates from the confusion counts`, () => {
      const block = reference.performance[part];
      const counts = block.confusion_counts;
      const rates = classificationRates({ tp: counts.TP, fp: counts.FP, tn: counts.TN, fn: counts.FN });
      for (const key of ['sensitivity', 'specificity', 'accuracy', 'ppv', 'npv'] as const) {
        expect(Math.abs(rates[key]! * 100 - block.recomputed_percent_full[key]), key).toBeLessThanOrEqual(TOLERANCE);
        // Rounded half up to one decimal, the rate is the published percentage.
        expect(Math.round(rates[key]! * 1000) / 10, key).toBe(block.reported_percent[key]);
      }
    });
  }

  it("age by Student's t", () => {
    const block = reference.table1.age_t_test;
    const result = studentTTest(block.inputs.train, block.inputs.test);
    expect(Math.abs(result.t - block.student_pooled.t_train_minus_test)).toBeLessThanOrEqual(TOLERANCE);
    expect(result.degreesOfFreedom).toBe(block.student_pooled.df);
    expect(Math.abs(result.pooledSd - block.student_pooled.pooled_sd)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(result.p - block.student_pooled.p_two_sided)).toBeLessThanOrEqual(TOLERANCE);
    const reversed = studentTTest(block.inputs.test, block.inputs.train);
    expect(Number(reversed.t.toFixed(2))).toBe(block.reported.t);
  });

  for (const name of ['sex_chi_square', 'outcome_chi_square'] as const) {
    it(`${name} by Pearson's chi-square`, () => {
      const block = reference.table1[name];
      const result = pearsonChiSquare(block.inputs.table);
      const ref = block.variants.pearson_uncorrected;
      expect(Math.abs(result.chiSquare - ref.chi2)).toBeLessThanOrEqual(TOLERANCE);
      expect(result.degreesOfFreedom).toBe(ref.df);
      expect(Math.abs(result.p - ref.p)).toBeLessThanOrEqual(TOLERANCE);
      result.expected.forEach((row, i) => expectClose(row, block.variants.expected_counts[i]));
    });
  }
});
