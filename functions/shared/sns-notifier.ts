/**
 * Notifier over one SNS topic. Each message carries `kind` and, for study messages, `siteId` as message
 * attributes, so a site's subscription can filter on its own site id.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

import type { Notifier, StudyNotification } from '@radiomics/core/pipeline/ports';

import { storageError } from './aws-errors';

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    readonly topicArn: string,
  ) {}

  async publish(notification: StudyNotification): Promise<void> {
    const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {
      kind: { DataType: 'String', StringValue: notification.kind },
    };
    if ('siteId' in notification) attributes.siteId = { DataType: 'String', StringValue: notification.siteId };
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subjectOf(notification),
          Message: JSON.stringify({ publishedAt: new Date().toISOString(), ...notification }),
          MessageAttributes: attributes,
        }),
      );
    } catch (thrown) {
      throw storageError(thrown, 'Publishing a notification');
    }
  }
}

/** E-mail subject line (SNS allows at most 100 characters): ids and outcome only. */
function subjectOf(notification: StudyNotification): string {
  switch (notification.kind) {
    case 'study.completed':
      return `Radiomics: study ${notification.siteId}/${notification.studyId} completed`.slice(0, 100);
    case 'study.failed':
      return `Radiomics: study ${notification.siteId}/${notification.studyId} failed (${notification.failure.code})`.slice(0, 100);
    case 'rescore.completed':
      return `Radiomics: re-scoring with ${notification.modelVersion} completed`.slice(0, 100);
  }
}
