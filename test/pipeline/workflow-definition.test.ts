// The study workflow definition: its shape, and how the local executor runs it with Retry and Catch.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { functionNameOfPlaceholder } from '@radiomics/core/pipeline';

import { LocalWorkflowExecutor, STUDY_WORKFLOW_PATH, loadLocalDefinition } from '../../local/executor';

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: { ErrorEquals: string[]; BackoffRate?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  ItemsPath?: string;
  ItemProcessor?: { StartAt: string; States: Record<string, State> };
}

const definition = JSON.parse(readFileSync(STUDY_WORKFLOW_PATH, 'utf8')) as { StartAt: string; States: Record<string, State> };
const LAMBDA_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

describe('study workflow definition', () => {
  it('chains the steps from validation to publication', () => {
    const order: string[] = [];
    let name: string | undefined = definition.StartAt;
    while (name) {
      order.push(name);
      name = definition.States[name].Next;
    }
    expect(order).toEqual(['ValidateStudy', 'PrepareLesions', 'ExtractFeatures', 'AggregateFeatures', 'ScoreLesions', 'PublishResult', 'StudyCompleted']);
    expect(definition.States.StudyCompleted.Type).toBe('Succeed');
  });

  it('maps over the extraction units with one Task each', () => {
    const map = definition.States.ExtractFeatures;
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.units');
    expect(map.ItemProcessor?.StartAt).toBe('ExtractImageType');
    expect(map.ItemProcessor?.States.ExtractImageType.Resource).toBe('${ExtractFeaturesFunctionArn}');
  });

  it('retries Lambda errors with backoff and catches everything into RecordFailure', () => {
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task' || state.Type === 'Map');
    for (const [name, state] of tasks) {
      const retriers = state.Type === 'Map' ? state.ItemProcessor?.States.ExtractImageType.Retry : state.Retry;
      expect(retriers?.[0].ErrorEquals, name).toEqual(LAMBDA_ERRORS);
      expect(retriers?.[0].BackoffRate, name).toBe(2);
      if (name === 'RecordFailure') continue;
      expect(state.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]);
    }
    expect(definition.States.RecordFailure.Next).toBe('StudyFailed');
    expect(definition.States.StudyFailed.Type).toBe('Fail');
  });

  it('uses one placeholder per existing function folder', () => {
    const { taskFunctions } = loadLocalDefinition();
    expect(Object.fromEntries(taskFunctions)).toEqual({
      ValidateStudy: 'validate-study',
      PrepareLesions: 'prepare-lesions',
      ExtractImageType: 'extract-features',
      AggregateFeatures: 'aggregate-features',
      ScoreLesions: 'score-lesions',
      PublishResult: 'publish-result',
      RecordFailure: 'record-failure',
    });
    for (const functionName of new Set(taskFunctions.values())) {
      expect(existsSync(join(STUDY_WORKFLOW_PATH, '..', '..', functionName, 'index.ts')), functionName).toBe(true);
    }
    expect(functionNameOfPlaceholder('${ScoreLesionsFunctionArn}')).toBe('score-lesions');
    expect(functionNameOfPlaceholder('${UnknownFunctionArn}')).toBeUndefined();
  });
});

describe('local executor', () => {
  // The runner skips this States Language validation, so the test runs it.
  it('validates the bundled definition', () => {
    expect(() => new LocalWorkflowExecutor(async () => ({}))).not.toThrow();
    expect(() => new LocalWorkflowExecutor(async () => ({}), STUDY_WORKFLOW_PATH, { validate: true })).not.toThrow();
  });

  it('rejects an invalid definition', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'asl-')), 'broken.asl.json');
    writeFileSync(broken, JSON.stringify({ StartAt: 'Missing', States: { Only: { Type: 'Pass', End: true } } }));
    expect(() => new LocalWorkflowExecutor(async () => ({}), broken)).toThrow();
  });

  it('passes each Task its state and the units to the Map', async () => {
    const calls: string[] = [];
    const executor = new LocalWorkflowExecutor(async (functionName, input) => {
      calls.push(functionName);
      const state = input as Record<string, unknown>;
      if (functionName === 'prepare-lesions') return { ...state, units: [{ n: 1 }, { n: 2 }, { n: 3 }] };
      if (functionName === 'extract-features') return { unit: (state as { n: number }).n };
      return { ...state, [functionName]: true };
    });
    const outcome = await executor.run({ siteId: 's', studyId: 't' });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calls.filter((call) => call === 'extract-features')).toHaveLength(3);
    expect(calls.filter((call) => call !== 'extract-features')).toEqual(['validate-study', 'prepare-lesions', 'aggregate-features', 'score-lesions', 'publish-result']);
    const output = (outcome as { output: { extracted: unknown[] } }).output;
    expect(output.extracted).toEqual([{ unit: 1 }, { unit: 2 }, { unit: 3 }]);
  });

  it('routes a failing step to RecordFailure with the error code', async () => {
    let failureInput: Record<string, unknown> | undefined;
    const executor = new LocalWorkflowExecutor(async (functionName, input) => {
      if (functionName === 'prepare-lesions') {
        const error = new Error('The mask of lesion "l1" holds no voxel with label 3.');
        error.name = 'LABEL_NOT_FOUND';
        throw error;
      }
      if (functionName === 'record-failure') {
        failureInput = input as Record<string, unknown>;
        return { ...failureInput, failure: { code: 'LABEL_NOT_FOUND', message: 'recorded' } };
      }
      return input;
    });
    const outcome = await executor.run({ siteId: 's', studyId: 't' });
    expect(outcome).toEqual({ status: 'FAILED', error: 'LABEL_NOT_FOUND', cause: 'recorded' });
    expect(failureInput?.error).toEqual({ Error: 'LABEL_NOT_FOUND', Cause: 'The mask of lesion "l1" holds no voxel with label 3.' });
    expect(failureInput?.siteId).toBe('s');
  });

  it('retries a Lambda service error before succeeding', async () => {
    let attempts = 0;
    const executor = new LocalWorkflowExecutor(async (functionName, input) => {
      if (functionName === 'score-lesions' && attempts++ < 2) {
        const error = new Error('throttled');
        error.name = 'Lambda.TooManyRequestsException';
        throw error;
      }
      return functionName === 'prepare-lesions' ? { ...(input as object), units: [] } : input;
    });
    const outcome = await executor.run({ siteId: 's', studyId: 't' });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(attempts).toBe(3);
  });
});
