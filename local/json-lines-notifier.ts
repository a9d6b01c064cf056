/**
 * Notifier for the embedded default: appends each notification as one JSON line to a file and, optionally,
 * prints a one-line summary on the console.
 *
 * Each line is written with a single append call, so notifications from concurrent workers do not interleave.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type { Notifier, StudyNotification } from '@radiomics/core/pipeline/ports';

export interface JsonLinesNotifierOptions {
  /** Prints a one-line summary of each notification on stderr. */
  readonly console?: boolean;
}

export class JsonLinesNotifier implements Notifier {
  readonly file: string;
  private readonly echo: boolean;

  constructor(file: string, options: JsonLinesNotifierOptions = {}) {
    this.file = file;
    this.echo = options.console ?? false;
    mkdirSync(dirname(file), { recursive: true });
  }

  async publish(notification: StudyNotification): Promise<void> {
    const line = JSON.stringify({ publishedAt: new Date().toISOString(), ...notification });
    appendFileSync(this.file, `${line}\n`);
    if (this.echo) console.error(summarise(notification));
  }
}

function summarise(notification: StudyNotification): string {
  switch (notification.kind) {
    case 'study.completed':
      return `notification: study ${notification.siteId}/${notification.studyId} completed, ${notification.lesions.length} lesion(s) scored`;
    case 'study.failed':
      return `notification: study ${notification.siteId}/${notification.studyId} failed with ${notification.failure.code}`;
    case 'rescore.completed':
      return `notification: re-scoring with model ${notification.modelVersion} scored ${notification.lesionsScored} lesion(s), skipped ${notification.lesionsSkipped}`;
  }
}
