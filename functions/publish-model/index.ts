// Lambda handler that publishes a model version when its artifact is uploaded to `models/<version>.json`:
// validates it, stores the training report's figures, makes it active and starts a re-scoring run.
// Accepts the EventBridge "Object Created" event and the S3 notification format.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

import { RadiomicsError } from '@radiomics/core';
import { extractReportFigures, parseModelArtifact, publishModel } from '@radiomics/core/rescoring';

import { createClients, createObservability, createPipelineContext, requireEnvironment } from '../shared/runtime';

const observability = createObservability('publish-model');
const { logger, metrics, tracer } = observability;
const clients = createClients(tracer);
const sfn = tracer.captureAWSv3Client(new SFNClient({}));

interface ModelUploadEvent {
  readonly detail?: { readonly object?: { readonly key?: string } };
  readonly Records?: readonly { readonly s3?: { readonly object?: { readonly key?: string } } }[];
}

export interface PublishModelOutput {
  readonly published: string[];
  readonly ignored: number;
}

/** Artifact keys named by the event: `models/<version>.json` only, not figures or reports under models/. */
export function artifactKeys(event: ModelUploadEvent): string[] {
  const keys = Array.isArray(event.Records)
    ? event.Records.map((record) => decodeURIComponent((record.s3?.object?.key ?? '').replace(/\+/g, ' ')))
    : [event.detail?.object?.key ?? ''];
  return keys.filter((key) => /^models\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.json$/.test(key));
}

/** Execution names allow letters, digits, "-" and "_" up to 80 characters; one run per version. */
export function rescoreExecutionName(version: string): string {
  return `rescore-${version.replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 80);
}

export const handler = async (event: ModelUploadEvent): Promise<PublishModelOutput> => {
  const context = createPipelineContext(clients, logger);
  const keys = artifactKeys(event);
  const output: PublishModelOutput = { published: [], ignored: (Array.isArray(event.Records) ? event.Records.length : 1) - keys.length };

  try {
    for (const key of keys) {
      const artifactText = new TextDecoder().decode(await context.blobs.get(key));
      const { publishable } = parseModelArtifact(artifactText);
      if (key !== `models/${publishable.version}.json`) {
        throw new RadiomicsError('MODEL_INVALID', `The artifact of model version ${publishable.version} must be uploaded as models/${publishable.version}.json.`, { details: { version: publishable.version } });
      }

      const reportKey = `models/${publishable.version}.report.html`;
      const figures = (await context.blobs.exists(reportKey)) ? extractReportFigures(new TextDecoder().decode(await context.blobs.get(reportKey))) : [];
      const result = await publishModel({ store: context.results, blobs: context.blobs, model: publishable, artifactText, figures });
      logger.info('model version published', { modelVersion: publishable.version, created: result.created, previousVersion: result.previousVersion, figures: figures.length });

      const name = rescoreExecutionName(publishable.version);
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn: requireEnvironment('RESCORE_STATE_MACHINE_ARN'), name, input: JSON.stringify({ modelVersion: publishable.version }) }));
        logger.info('re-scoring started', { modelVersion: publishable.version, executionName: name });
      } catch (thrown) {
        if (!(thrown instanceof ExecutionAlreadyExists) && (thrown as { name?: string }).name !== 'ExecutionAlreadyExists') throw thrown;
        // The version was published before; its run exists and can be redriven, and the nightly run catches up.
        logger.info('re-scoring already started for this version', { modelVersion: publishable.version, executionName: name });
      }
      metrics.addMetric('ModelPublished', MetricUnit.Count, 1);
      output.published.push(publishable.version);
    }
    return output;
  } catch (thrown) {
    const code = thrown instanceof RadiomicsError ? thrown.code : 'INTERNAL_ERROR';
    logger.error('model publication failed', { keys, code, error: thrown instanceof Error ? thrown.message : String(thrown) });
    throw thrown;
  } finally {
    metrics.publishStoredMetrics();
  }
};
