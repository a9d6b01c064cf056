import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';

import type { Notifier, StudyNotification } from '@radiomics/core/pipeline/ports';
import { planRescore, publishModel, runRescoreBatch, ScorerCache, summarizeRescore, type RescoreBatchOutput, type RescorePlanOutput } from '@radiomics/core/rescoring';

import { MemoryBlobStore, MemoryResultStore, seedResults } from '../helpers/memory-result-store';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');
const definition = JSON.parse(readFileSync(join(PROJECT_ROOT, 'functions', 'workflow', 'rescore-workflow.asl.json'), 'utf8'));
const demoArtifactText = readFileSync(join(PROJECT_ROOT, 'models', 'demo-synthetic-v1.json'), 'utf8');

class RecordingNotifier implements Notifier {
  readonly messages: StudyNotification[] = [];
  async publish(notification: StudyNotification) {
    this.messages.push(notification);
  }
}

/** Stores seeded with lesions carrying the demo model's two features, and the demo model published. */
async function demoStores() {
  const store = new MemoryResultStore();
  const blobs = new MemoryBlobStore();
  await seedResults(store, blobs);
  const artifact = JSON.parse(demoArtifactText);
  await publishModel({ store, blobs, model: { version: artifact.version, settingsHash: artifact.settingsHash, card: artifact.card }, artifactText: demoArtifactText });
  // The seeded lesions take the demo model's extraction settings, so no lesion needs re-extraction.
  for (const featureSet of [...store.featureSets.values()]) {
    await store.putFeatureSet({ ...featureSet, settingsHash: artifact.settingsHash ?? featureSet.settingsHash });
  }
  return { store, blobs };
}

describe('rescore workflow definition', () => {
  it('uses the function placeholders', () => {
    const text = JSON.stringify(definition);

    expect(text).toContain('${RescorePlanFunctionArn}');
    expect(text).toContain('${RescoreBatchFunctionArn}');
    expect(text).toContain('${RescoreSummaryFunctionArn}');
    expect(text).toContain('${BucketName}');
    expect(text).not.toMatch(/arn:aws:lambda/);
  });

  it('passes the ASL schema validation', () => {
    const concrete = JSON.stringify(definition)
      .replace(/\$\{(\w+)FunctionArn\}/g, 'arn:aws:lambda:eu-west-1:123456789012:function:$1')
      .replace('${BucketName}', 'results-bucket');

    expect(() => new StateMachine(JSON.parse(concrete))).not.toThrow();
  });

  it('maps batches with a Distributed Map', () => {
    const map = definition.States.RescoreLesions;

    expect(definition.StartAt).toBe('RescorePlan');
    expect(definition.States.RescorePlan.Next).toBe('RescoreLesions');
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.ItemReader.Resource).toBe('arn:aws:states:::s3:getObject');
    expect(map.ItemReader.ReaderConfig.InputType).toBe('JSON');
    expect(map.ItemBatcher.MaxItemsPerBatch).toBeGreaterThan(0);
    expect(map.ItemBatcher.BatchInput).toEqual({ 'modelVersion.$': '$.modelVersion' });
    expect(map.Next).toBe('RescoreSummary');
    expect(Object.keys(map.ItemProcessor.States.RescoreBatch.ResultSelector).sort()).toEqual(
      ['alreadyScored.$', 'failed.$', 'missing.$', 'reextracted.$', 'scored.$', 'settingsMismatch.$'],
    );
    expect(definition.States.RescoreSummary.End).toBe(true);
  });

  it('retries every task on Lambda errors', () => {
    const tasks = [definition.States.RescorePlan, definition.States.RescoreLesions.ItemProcessor.States.RescoreBatch, definition.States.RescoreSummary];

    for (const task of tasks) {
      expect(task.Type).toBe('Task');
      expect(task.Retry[0].ErrorEquals).toEqual(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException']);
      expect(task.Retry[0].BackoffRate).toBe(2);
    }
  });
});

describe('rescore workflow steps', () => {
  /** Runs plan → batches → summary as the state machine passes data between them. */
  async function runWorkflow(store: MemoryResultStore, blobs: MemoryBlobStore, input: { modelVersion?: string }, runId: string) {
    const plan: RescorePlanOutput = await planRescore(store, blobs, { input, runId });
    const items = JSON.parse(new TextDecoder().decode(await blobs.get(plan.itemsKey)));
    const batchSize = definition.States.RescoreLesions.ItemBatcher.MaxItemsPerBatch as number;
    const scorers = new ScorerCache();
    const batches: RescoreBatchOutput[] = [];
    for (let start = 0; start < items.length; start += batchSize) {
      const scorer = await scorers.get(store, blobs, plan.modelVersion);
      batches.push(await runRescoreBatch(store, scorer, { Items: items.slice(start, start + batchSize), BatchInput: { modelVersion: plan.modelVersion } }));
    }
    const notifier = new RecordingNotifier();
    const summary = await summarizeRescore(notifier, { ...plan, batches });
    return { plan, summary, notifier };
  }

  it('scores every lesion with the active model', async () => {
    const { store, blobs } = await demoStores();

    const { plan, summary, notifier } = await runWorkflow(store, blobs, {}, 'run-1');

    expect(plan).toMatchObject({ modelVersion: 'demo-synthetic-v1', lesionCount: 4, itemsKey: 'rescore/demo-synthetic-v1/run-1/lesions.json' });
    expect(summary).toMatchObject({ scored: 4, alreadyScored: 0, failed: 0, missing: 0, processed: 4, batches: 1 });
    expect(notifier.messages).toEqual([{ kind: 'rescore.completed', modelVersion: 'demo-synthetic-v1', lesionsScored: 4, lesionsSkipped: 0 }]);
    for (const featureSet of store.featureSets.values()) {
      expect((await store.listScores(featureSet)).map((score) => score.modelVersion)).toEqual(['demo-v1', 'demo-synthetic-v1']);
    }
  });

  it('changes nothing when run again', async () => {
    const { store, blobs } = await demoStores();
    await runWorkflow(store, blobs, { modelVersion: 'demo-synthetic-v1' }, 'run-1');

    const { summary } = await runWorkflow(store, blobs, { modelVersion: 'demo-synthetic-v1' }, 'run-2');

    expect(summary).toMatchObject({ scored: 0, alreadyScored: 4 });
  });

  it('counts lesions deleted since the plan', async () => {
    const { store, blobs } = await demoStores();
    const scorer = await new ScorerCache().get(store, blobs, 'demo-synthetic-v1');

    const output = await runRescoreBatch(store, scorer, { Items: [{ siteId: 'site-a', studyId: 'gone', lesionId: 'lesion-1' }], BatchInput: { modelVersion: 'demo-synthetic-v1' } });

    expect(output.missing).toBe(1);
    expect(output.scored).toBe(0);
  });

  it('rejects an unknown model version', async () => {
    const { store, blobs } = await demoStores();

    await expect(planRescore(store, blobs, { input: { modelVersion: 'nope' }, runId: 'run-1' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('rejects an unsafe run id', async () => {
    const { store, blobs } = await demoStores();

    await expect(planRescore(store, blobs, { input: {}, runId: '../x' })).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
  });
});
