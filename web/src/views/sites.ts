// Per-site charts: studies per status and the share of scored lesions predicted to progress.
import { getJson, type SiteSummary } from '../api';
import { barChart } from '../charts';
import { fill, formatProbability, h } from '../dom';
import { pageHeading, statusText, STUDY_STATUSES } from './common';

export async function renderSites(main: HTMLElement): Promise<void> {
  const { items } = await getJson<{ items: SiteSummary[] }>('/api/sites');

  const sections = items.map((site) => {
    const bars = STUDY_STATUSES.map((status) => ({ label: statusText(status), value: site.studiesByStatus[status] ?? 0 }));
    return h(
      'section',
      { class: 'site-card', 'aria-labelledby': `site-${site.siteId}`, 'data-site': site.siteId },
      h('h2', { id: `site-${site.siteId}` }, `Site ${site.siteId}`),
      barChart(
        `Studies per status at site ${site.siteId}`,
        bars.map((bar) => `${bar.label}: ${bar.value}`).join(', '),
        bars,
        { yLabel: 'Studies' },
      ),
    );
  });

  const rateBars = items.map((site) => ({ label: site.siteId, value: site.progressionRate ?? 0 }));
  fill(
    main,
    pageHeading('Sites'),
    items.length === 0 ? h('p', {}, 'No site has uploaded a study yet.') : null,
    items.length > 0
      ? h(
          'section',
          { 'aria-labelledby': 'rate-heading' },
          h('h2', { id: 'rate-heading' }, 'Progression rate'),
          barChart(
            'Share of scored lesions predicted to progress, per site',
            items.map((site) => `${site.siteId}: ${site.progressionRate === null ? 'no scored lesion' : formatProbability(site.progressionRate)}`).join(', '),
            rateBars,
            { yLabel: 'Predicted progression', max: 1, format: (value) => `${Math.round(value * 100)} %` },
          ),
        )
      : null,
    h('div', { class: 'site-grid' }, sections),
    h(
      'table',
      { class: 'data-table', id: 'sites-table' },
      h('caption', {}, 'Site summary'),
      h(
        'thead',
        {},
        h('tr', {}, ['Site', 'Studies', ...STUDY_STATUSES.map(statusText), 'Lesions scored', 'Predicted progression', 'Rate'].map((label) => h('th', { scope: 'col' }, label))),
      ),
      h(
        'tbody',
        {},
        items.map((site) =>
          h(
            'tr',
            { 'data-site': site.siteId },
            h('th', { scope: 'row' }, site.siteId),
            h('td', {}, site.studies),
            STUDY_STATUSES.map((status) => h('td', {}, site.studiesByStatus[status] ?? 0)),
            h('td', {}, site.lesionsScored),
            h('td', {}, site.lesionsPredictedProgression),
            h('td', {}, site.progressionRate === null ? '—' : formatProbability(site.progressionRate)),
          ),
        ),
      ),
    ),
  );
}
