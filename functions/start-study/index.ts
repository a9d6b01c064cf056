// Lambda handler that starts one study workflow run per completed upload: `incoming/<site>/<study>.zip`, or
// `incoming/<site>/<study>/manifest.json` (written last) for a folder upload. It accepts the EventBridge
// "Object Created" event and the S3 notification format.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

import { executionNameFor, parseUploadKey, type StudyRunInput } from '@radiomics/core';

import { createObservability, requireEnvironment } from '../shared/runtime';

const { logger, metrics, tracer } = createObservability('start-study');
const sfn = tracer.captureAWSv3Client(new SFNClient({}));

interface UploadedObject {
  readonly key: string;
  readonly etag: string;
  readonly time: string;
}

interface EventBridgeObjectCreated {
  readonly time?: string;
  readonly detail?: { readonly object?: { readonly key?: string; readonly etag?: string } };
}

interface S3Notification {
  readonly Records?: readonly {
    readonly eventTime?: string;
    readonly s3?: { readonly object?: { readonly key?: string; readonly eTag?: string } };
  }[];
}

export interface StartStudyResult {
  readonly started: string[];
  readonly alreadyStarted: string[];
  readonly ignored: number;
}

/** Lists the uploaded objects of an event in either format. S3 notifications URL-encode keys ('+' for space). */
export function uploadedObjects(event: EventBridgeObjectCreated & S3Notification): UploadedObject[] {
  if (Array.isArray(event.Records)) {
    return event.Records.flatMap((record) => {
      const key = record.s3?.object?.key;
      if (!key) return [];
      return [{ key: decodeURIComponent(key.replace(/\+/g, ' ')), etag: record.s3?.object?.eTag ?? '', time: record.eventTime ?? new Date().toISOString() }];
    });
  }
  const key = event.detail?.object?.key;
  return key ? [{ key, etag: event.detail?.object?.etag ?? '', time: event.time ?? new Date().toISOString() }] : [];
}

export const handler = async (event: EventBridgeObjectCreated & S3Notification): Promise<StartStudyResult> => {
  const stateMachineArn = requireEnvironment('STATE_MACHINE_ARN');
  const result: StartStudyResult = { started: [], alreadyStarted: [], ignored: 0 };

  try {
    for (const object of uploadedObjects(event)) {
      const upload = parseUploadKey(object.key);
      // Folder uploads start on their manifest only: the other files arrive first and start nothing.
      if (!upload || (upload.uploadKey.endsWith('/') && !object.key.endsWith('/manifest.json'))) {
        (result as { ignored: number }).ignored++;
        continue;
      }

      // The same object version (ETag) always yields the same name, so a repeated event starts nothing new.
      const executionName = executionNameFor(upload.siteId, upload.studyId, `${object.key}@${object.etag}`);
      const input: StudyRunInput = { siteId: upload.siteId, studyId: upload.studyId, uploadKey: upload.uploadKey, executionName, receivedAt: object.time };
      try {
        await sfn.send(new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }));
        result.started.push(executionName);
        metrics.addMetric('StudyStarted', MetricUnit.Count, 1);
        logger.info('study workflow started', { siteId: upload.siteId, studyId: upload.studyId, executionName });
      } catch (thrown) {
        if (!(thrown instanceof ExecutionAlreadyExists) && (thrown as { name?: string }).name !== 'ExecutionAlreadyExists') throw thrown;
        result.alreadyStarted.push(executionName);
        logger.info('study workflow already started', { siteId: upload.siteId, studyId: upload.studyId, executionName });
      }
    }
    if (result.ignored > 0) logger.info('objects ignored: not a study upload trigger', { count: result.ignored });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
