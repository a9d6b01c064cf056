import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { extractModelFigures, loadModelArtifact, loadParamsFile, RadiomicsError, scoreFeatures, settingsHash } from '@radiomics/core';

const demoPath = fileURLToPath(new URL('../../models/demo-synthetic-v1.json', import.meta.url));
const demoJson = (): Record<string, unknown> => JSON.parse(readFileSync(demoPath, 'utf8')) as Record<string, unknown>;

function expectCode(action: () => unknown, code: string): RadiomicsError {
  try {
    action();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(RadiomicsError);
    expect((thrown as RadiomicsError).code).toBe(code);
    return thrown as RadiomicsError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('demo model artifact', () => {
  it('loads and is marked synthetic', () => {
    const artifact = loadModelArtifact(demoJson());
    expect(artifact.version).toBe('demo-synthetic-v1');
    expect(artifact.card.synthetic).toBe(true);
    expect(artifact.card.intendedUse).toMatch(/NOT FOR CLINICAL USE/);
    expect(artifact.featureNames).toEqual(['wavelet-HHH_firstorder_Mean', 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis']);
    expect(artifact.classifier.kind).toBe('decision-tree');
  });

  it('records the study protocol settings hash', () => {
    const artifact = loadModelArtifact(demoJson());
    const settings = loadParamsFile(fileURLToPath(new URL('../../params/study-protocol.yaml', import.meta.url)));
    expect(artifact.settingsHash).toBe(settingsHash(settings));
  });

  it('loads from JSON text too', () => {
    expect(loadModelArtifact(readFileSync(demoPath, 'utf8')).version).toBe('demo-synthetic-v1');
  });

  it('scores a feature vector', () => {
    const artifact = loadModelArtifact(demoJson());
    const low = scoreFeatures(artifact, { 'wavelet-HHH_firstorder_Mean': 0.15, 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis': 0.006, extra_feature: 5 });
    const high = scoreFeatures(artifact, { 'wavelet-HHH_firstorder_Mean': -0.2, 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis': 0.06 });
    for (const result of [low, high]) {
      expect(result.probability).toBeGreaterThanOrEqual(0);
      expect(result.probability).toBeLessThanOrEqual(1);
      expect(result.threshold).toBe(artifact.threshold);
      expect(result.predictedClass).toBe(result.probability >= artifact.threshold ? 'progression' : 'non-progression');
    }
    expect(low.predictedClass).toBe('non-progression');
    expect(high.predictedClass).toBe('progression');
  });

  it('rejects missing features', () => {
    const artifact = loadModelArtifact(demoJson());
    const error = expectCode(() => scoreFeatures(artifact, { 'wavelet-HHH_firstorder_Mean': 0.1 }), 'FEATURES_MISSING');
    expect(error.message).toContain('wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis');
    expectCode(() => scoreFeatures(artifact, { 'wavelet-HHH_firstorder_Mean': Number.NaN, 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis': 0.1 }), 'FEATURES_MISSING');
  });
});

describe('loadModelArtifact validation', () => {
  const broken: [string, (json: Record<string, unknown>) => unknown][] = [
    ['not an object', () => 42],
    ['not JSON text', () => '{oops'],
    ['wrong format', (json) => ({ ...json, format: 'other' })],
    ['future format version', (json) => ({ ...json, formatVersion: 99 })],
    ['bad version id', (json) => ({ ...json, version: '../escape' })],
    ['no feature names', (json) => ({ ...json, featureNames: [] })],
    ['duplicate feature names', (json) => ({ ...json, featureNames: ['a', 'a'] })],
    ['scale length mismatch', (json) => ({ ...json, standardisation: { mean: [0, 0], scale: [1] } })],
    ['zero scale', (json) => ({ ...json, standardisation: { mean: [0, 0], scale: [1, 0] } })],
    ['non-finite threshold', (json) => ({ ...json, threshold: 'high' })],
    ['missing card', (json) => ({ ...json, card: undefined })],
    ['synthetic flag missing', (json) => ({ ...json, card: { ...(json.card as object), synthetic: 'yes' } })],
    ['unknown classifier', (json) => ({ ...json, classifier: { kind: 'deep-net', options: {}, model: {} } })],
    ['corrupt tree', (json) => ({ ...json, classifier: { kind: 'decision-tree', options: {}, model: { name: 'DTClassifier' } } })],
    ['bad settings hash', (json) => ({ ...json, settingsHash: 'abc' })],
  ];
  for (const [name, mutate] of broken) {
    it(`rejects ${name}`, () => {
      expectCode(() => loadModelArtifact(mutate(demoJson())), 'MODEL_INVALID');
    });
  }
});

describe('demo model card figures', () => {
  it('carries ROC and decision curves for the dashboard', () => {
    const figures = extractModelFigures(demoJson().card);
    expect(figures.roc.map((series) => series.label)).toEqual(['metrics training', 'metrics test']);
    expect(figures.roc[0].auc).toBeGreaterThan(0.5);
    expect(figures.dca.length).toBe(6);
    expect(figures.dca[0].points.length).toBe(99);
  });
});
