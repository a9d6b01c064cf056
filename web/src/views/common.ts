// Pieces shared by the views: status badges, stale notices, headings and the announcement region.
import type { LesionSummary, Score, StudyStatus } from '../api';
import { formatProbability, h } from '../dom';

const STATUS_TEXT: Record<StudyStatus, string> = {
  RECEIVED: 'Received',
  VALIDATING: 'Validating',
  EXTRACTING: 'Extracting',
  SCORING: 'Scoring',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
};

export const STUDY_STATUSES = Object.keys(STATUS_TEXT) as StudyStatus[];

export function statusText(status: StudyStatus): string {
  return STATUS_TEXT[status] ?? status;
}

/** Creates a status badge; its colour repeats the text, so the status never depends on colour alone. */
export function statusBadge(status: StudyStatus): HTMLElement {
  return h('span', { class: `badge badge-${status.toLowerCase()}`, 'data-status': status }, statusText(status));
}

export function classBadge(score: Score): HTMLElement {
  const progression = score.predictedClass === 'progression';
  return h('span', { class: `badge ${progression ? 'badge-progression' : 'badge-stable'}` }, progression ? 'Progression' : 'Non-progression');
}

/** Returns the score to show for a lesion: the active model's, else the latest one, which is then stale. */
export function shownScore(lesion: LesionSummary): Score | null {
  return lesion.current ?? lesion.latest;
}

export function staleNotice(lesion: LesionSummary, activeModelVersion: string | null): HTMLElement | null {
  if (!lesion.stale || !lesion.latest) return null;
  return h(
    'p',
    { class: 'notice notice-stale', role: 'note' },
    h('strong', {}, 'Stale result: '),
    `scored by model ${lesion.latest.modelVersion}, but the active model is ${activeModelVersion ?? 'unknown'}. `,
    'Run re-scoring to score this lesion with the active model.',
  );
}

export function probabilityCell(score: Score | null): Node | string {
  return score ? formatProbability(score.probability) : '—';
}

export function pageHeading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: '-1', id: 'page-heading' }, text);
}

export function announce(message: string): void {
  const live = document.getElementById('live');
  if (live) live.textContent = message;
}

export function errorPanel(message: string, action?: string): HTMLElement {
  return h('div', { class: 'notice notice-error', role: 'alert' }, h('p', {}, message), action ? h('p', {}, action) : null);
}

export function syntheticWarning(version: string): HTMLElement {
  return h(
    'p',
    { class: 'notice notice-synthetic', role: 'note' },
    h('strong', {}, 'Synthetic model: '),
    `model ${version} was trained on a synthetic cohort. Its scores demonstrate the pipeline and are not for clinical use.`,
  );
}
