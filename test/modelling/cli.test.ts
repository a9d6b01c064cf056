// The recist, train and evaluate commands, run as a user runs them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadModelArtifact } from '@radiomics/core';

import { makeSyntheticCohort } from '../../scripts/make-synthetic-cohort';
import { describeWithReference, referencePath } from '../helpers/reference';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const launcher = join(root, 'bin', 'radiomics.mjs');

function radiomics(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [launcher, ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describeWithReference('radiomics evaluate', ['modelling/binary_eval/set_c_n200.csv', 'modelling/binary_eval/binary_eval_expected.json'], () => {
  it('--json prints the headline keys', () => {
    const output = execFileSync(process.execPath, [launcher, 'evaluate', '--predictions', referencePath('modelling/binary_eval/set_c_n200.csv'), '--json'], { cwd: root, encoding: 'utf8' });
    const result = JSON.parse(output);
    const expected = JSON.parse(readFileSync(referencePath('modelling/binary_eval/binary_eval_expected.json'), 'utf8')).sets.set_c_n200;
    for (const key of ['auc', 'auc_ci_delong', 'youden_threshold', 'confusion', 'sensitivity', 'specificity', 'accuracy', 'ppv', 'npv', 'brier']) {
      expect(result, key).toHaveProperty(key);
    }
    expect(result.auc).toBe(expected.roc_auc);
    expect(result.auc_ci_delong[0]).toBeCloseTo(expected.delong.ci_lower, 12);
    expect(result.auc_ci_delong[1]).toBeCloseTo(expected.delong.ci_upper, 12);
    expect(result.youden_threshold).toBe(expected.youden.threshold);
    expect(result.confusion).toEqual({ tp: 65, fp: 52, tn: 71, fn: 12 });
    expect(result.sensitivity).toBeCloseTo(65 / 77, 15);
    expect(result.brier).toBeCloseTo(expected.brier_score, 15);
    expect(result.roc.thresholds[0]).toBeNull();
  });
});

describe('radiomics recist, train and evaluate', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radiomics-modelling-'));

  it('evaluate rejects a malformed file with DATA_INVALID', () => {
    const path = join(folder, 'bad.csv');
    writeFileSync(path, 'id,label,score\n1,1,0.4\n2,7,0.3\n');
    const result = radiomics(['evaluate', '--predictions', path, '--json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('DATA_INVALID');
    expect(result.stderr).toContain('line 3');
  });

  it('recist writes per-lesion labels', () => {
    const path = join(folder, 'measurements.csv');
    writeFileSync(path, 'patientId,timepoint,lesionId,diameter_mm,new_lesion\nP1,0,P1-L1,20,0\nP1,0,P1-L2,10,0\nP1,56,P1-L1,30,0\nP1,56,P1-L2,12,0\nP2,0,P2-L1,30,0\nP2,56,P2-L1,18,0\n');
    const result = radiomics(['recist', '--measurements', path]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('lesionId,patientId,label,best_response\nP1-L1,P1,1,PD\nP1-L2,P1,1,PD\nP2-L1,P2,0,PR\n');
    expect(result.stderr).toContain('2 patients, 1 progression, 1 non-progression');
  });

  it('train writes the artifact, report and predictions', () => {
    const cohort = makeSyntheticCohort(4, 50);
    writeFileSync(join(folder, 'features.csv'), cohort.features);
    writeFileSync(join(folder, 'labels.csv'), cohort.labels);
    const out = join(folder, 'model');
    const result = radiomics(['train', '--features', join(folder, 'features.csv'), '--labels', join(folder, 'labels.csv'), '--out', out, '--model-version', 'cli-test-v1', '--seed', '3', '--synthetic']);
    expect(result.status, result.stderr).toBe(0);
    const artifact = loadModelArtifact(JSON.parse(readFileSync(join(out, 'cli-test-v1.json'), 'utf8')));
    expect(artifact.card.synthetic).toBe(true);
    expect(artifact.card.provenance.split.seed).toBe(3);
    const report = readFileSync(join(out, 'cli-test-v1.report.html'), 'utf8');
    expect(report).toContain('<svg');
    expect(report).toContain('SYNTHETIC');

    const html = join(folder, 'evaluation.html');
    const evaluation = JSON.parse(radiomics(['evaluate', '--predictions', join(out, 'cli-test-v1.predictions.csv'), '--part', 'train', '--json', '--html', html]).stdout);
    expect(evaluation.auc).toBe(artifact.card.metrics.training.auc);
    expect(evaluation.youden_threshold).toBe(artifact.threshold);
    expect(readFileSync(html, 'utf8')).toContain('Decision curve');
  });

  it('train rejects an invalid configuration', () => {
    const config = join(folder, 'config.yaml');
    writeFileSync(config, 'rfe:\n  features: none\n');
    const result = radiomics(['train', '--features', join(folder, 'features.csv'), '--labels', join(folder, 'labels.csv'), '--config', config, '--out', join(folder, 'x')]);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('SETTINGS_INVALID');
  });
});
