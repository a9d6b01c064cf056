// One study: status, failure reason, lesions with their current score, and the audit trail.
import { getJson, type StudyDetail } from '../api';
import { fill, formatDateTime, h, routeHash } from '../dom';
import { classBadge, errorPanel, pageHeading, probabilityCell, shownScore, statusBadge, statusText } from './common';

export async function renderStudy(main: HTMLElement, siteId: string, studyId: string): Promise<void> {
  const detail = await getJson<StudyDetail>(`/api/studies/${encodeURIComponent(siteId)}/${encodeURIComponent(studyId)}`);
  const { study } = detail;
  const staleCount = detail.lesions.filter((lesion) => lesion.stale).length;

  const lesionRows = detail.lesions.map((lesion) => {
    const score = shownScore(lesion);
    return h(
      'tr',
      { 'data-lesion': lesion.lesionId },
      h('th', { scope: 'row' }, h('a', { href: routeHash('lesions', lesion.siteId, lesion.studyId, lesion.lesionId) }, lesion.lesionId)),
      h('td', {}, probabilityCell(score)),
      h('td', {}, score ? classBadge(score) : '—'),
      h('td', {}, score ? score.modelVersion : '—', lesion.stale ? h('span', { class: 'badge badge-stale' }, 'Stale') : null),
    );
  });

  fill(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/studies' }, 'Studies'), ' / ', study.siteId),
    pageHeading(`Study ${study.studyId}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Site'),
      h('dd', {}, study.siteId),
      h('dt', {}, 'Status'),
      h('dd', {}, statusBadge(study.status)),
      h('dt', {}, 'Received'),
      h('dd', {}, formatDateTime(study.receivedAt)),
      h('dt', {}, 'Last update'),
      h('dd', {}, formatDateTime(study.updatedAt)),
      study.inferredLayout ? [h('dt', {}, 'Inferred layout'), h('dd', {}, study.inferredLayout)] : null,
    ),
    study.failure ? errorPanel(`${study.failure.code}: ${study.failure.message}`, `What to do: ${study.failure.action}`) : null,
    staleCount > 0
      ? h('p', { class: 'notice notice-stale', role: 'note' }, h('strong', {}, 'Stale results: '), `${staleCount} lesion(s) were scored by an older model than the active model ${detail.activeModelVersion ?? ''}.`)
      : null,
    h(
      'table',
      { class: 'data-table', id: 'lesions-table' },
      h('caption', {}, 'Lesions'),
      h('thead', {}, h('tr', {}, ['Lesion', 'Probability of progression', 'Predicted class', 'Model version'].map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, lesionRows.length > 0 ? lesionRows : h('tr', {}, h('td', { colspan: 4 }, 'No lesion results for this study.'))),
    ),
    h(
      'table',
      { class: 'data-table', id: 'audit-table' },
      h('caption', {}, 'Audit trail'),
      h('thead', {}, h('tr', {}, ['Time', 'From', 'To', 'Detail'].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        detail.audit.map((event) =>
          h(
            'tr',
            {},
            h('td', {}, formatDateTime(event.at)),
            h('td', {}, event.fromStatus ? statusText(event.fromStatus) : '—'),
            h('td', {}, statusText(event.toStatus)),
            h('td', {}, event.detail ?? ''),
          ),
        ),
      ),
    ),
  );
}
