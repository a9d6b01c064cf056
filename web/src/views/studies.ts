// Study table with filters by site, status and received date, and cursor pagination.
import { getJson, type Me, type SiteSummary, type Study } from '../api';
import { fill, formatDateTime, h, routeHash } from '../dom';
import { announce, pageHeading, statusBadge, statusText, STUDY_STATUSES } from './common';

export interface StudyFilters {
  site?: string;
  status?: string;
  from?: string;
  to?: string;
}

export async function renderStudies(main: HTMLElement, me: Me, filters: StudyFilters, navigate: (hash: string) => void): Promise<void> {
  const sites = me.role === 'coordinator' ? (await getJson<{ items: SiteSummary[] }>('/api/sites')).items.map((site) => site.siteId) : [me.siteId ?? ''];

  const siteSelect = h(
    'select',
    { id: 'filter-site', name: 'site', disabled: me.role !== 'coordinator' },
    me.role === 'coordinator' ? h('option', { value: '' }, 'All sites') : null,
    sites.map((site) => h('option', { value: site, selected: site === filters.site }, site)),
  );
  const statusSelect = h(
    'select',
    { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    STUDY_STATUSES.map((status) => h('option', { value: status, selected: status === filters.status }, statusText(status))),
  );
  const fromInput = h('input', { id: 'filter-from', name: 'from', type: 'date', value: filters.from ?? '' });
  const toInput = h('input', { id: 'filter-to', name: 'to', type: 'date', value: filters.to ?? '' });

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Study filters' },
    h('div', { class: 'field' }, h('label', { for: 'filter-site' }, 'Site'), siteSelect),
    h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), statusSelect),
    h('div', { class: 'field' }, h('label', { for: 'filter-from' }, 'Received from'), fromInput),
    h('div', { class: 'field' }, h('label', { for: 'filter-to' }, 'Received to'), toInput),
    h('button', { type: 'submit' }, 'Apply filters'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (siteSelect.value) query.set('site', siteSelect.value);
    if (statusSelect.value) query.set('status', statusSelect.value);
    if (fromInput.value) query.set('from', fromInput.value);
    if (toInput.value) query.set('to', toInput.value);
    const search = query.toString();
    navigate(`#/studies${search ? `?${search}` : ''}`);
  });

  const results = h('section', { 'aria-labelledby': 'studies-caption' });
  fill(main, pageHeading('Studies'), form, results);

  // Cursors of the pages already seen, so "Previous page" can go back.
  const cursors: (string | undefined)[] = [undefined];
  let pageIndex = 0;

  const loadPage = async () => {
    const page = await getJson<{ items: Study[]; nextCursor: string | null }>('/api/studies', {
      site: filters.site,
      status: filters.status,
      from: filters.from,
      to: filters.to,
      cursor: cursors[pageIndex],
      limit: '25',
    });
    if (page.nextCursor) cursors[pageIndex + 1] = page.nextCursor;

    const rows = page.items.map((study) =>
      h(
        'tr',
        { 'data-site': study.siteId, 'data-study': study.studyId },
        h('th', { scope: 'row' }, h('a', { href: routeHash('studies', study.siteId, study.studyId) }, study.studyId)),
        h('td', {}, study.siteId),
        h('td', {}, statusBadge(study.status)),
        h('td', {}, study.lesionCount ?? '—'),
        h('td', {}, formatDateTime(study.receivedAt)),
        h('td', {}, study.failure ? h('span', { class: 'failure' }, h('code', {}, study.failure.code), ' ', study.failure.message) : ''),
      ),
    );
    const previous = h('button', { type: 'button', disabled: pageIndex === 0 }, 'Previous page');
    const next = h('button', { type: 'button', disabled: !page.nextCursor }, 'Next page');
    previous.addEventListener('click', () => {
      pageIndex--;
      void loadPage();
    });
    next.addEventListener('click', () => {
      pageIndex++;
      void loadPage();
    });

    fill(
      results,
      h(
        'table',
        { class: 'data-table', id: 'studies-table' },
        h('caption', { id: 'studies-caption' }, `Studies, page ${pageIndex + 1} (${page.items.length} shown)`),
        h('thead', {}, h('tr', {}, ['Study', 'Site', 'Status', 'Lesions', 'Received', 'Failure reason'].map((label) => h('th', { scope: 'col' }, label)))),
        h('tbody', {}, rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: 6 }, 'No study matches these filters.'))),
      ),
      h('nav', { class: 'pager', 'aria-label': 'Study pages' }, previous, next),
    );
    announce(`${page.items.length} studies shown.`);
  };
  await loadPage();
}
