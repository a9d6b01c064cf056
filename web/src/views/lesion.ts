// One lesion: probability, class and model version, stale notice, overlay image, features used by the
// model and the score history per model version.
import { getImageUrl, getJson, type LesionDetail } from '../api';
import { fill, formatDateTime, formatNumber, formatProbability, h, routeHash } from '../dom';
import { classBadge, pageHeading, shownScore, staleNotice, syntheticWarning } from './common';

export async function renderLesion(main: HTMLElement, siteId: string, studyId: string, lesionId: string): Promise<void> {
  const base = `/api/studies/${encodeURIComponent(siteId)}/${encodeURIComponent(studyId)}/lesions/${encodeURIComponent(lesionId)}`;
  const detail = await getJson<LesionDetail>(base);
  const score = shownScore(detail.lesion);

  const figure = h('figure', { class: 'preview' }, h('p', {}, 'Loading the overlay image…'));

  fill(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/studies' }, 'Studies'), ' / ', h('a', { href: routeHash('studies', siteId, studyId) }, `Study ${studyId}`)),
    pageHeading(`Lesion ${lesionId}`),
    staleNotice(detail.lesion, detail.activeModelVersion),
    detail.featureModel?.synthetic ? syntheticWarning(detail.featureModel.version) : null,
    h(
      'dl',
      { class: 'facts', id: 'lesion-score' },
      h('dt', {}, 'Probability of progression'),
      h('dd', { 'data-field': 'probability' }, score ? formatProbability(score.probability) : 'Not scored'),
      h('dt', {}, 'Predicted class'),
      h('dd', { 'data-field': 'class' }, score ? classBadge(score) : '—'),
      h('dt', {}, 'Cut-off'),
      h('dd', {}, score ? formatProbability(score.threshold) : '—'),
      h('dt', {}, 'Model version'),
      h('dd', { 'data-field': 'model-version' }, score ? score.modelVersion : '—', detail.lesion.current ? ' (active)' : ''),
      h('dt', {}, 'Scored'),
      h('dd', {}, score ? formatDateTime(score.scoredAt) : '—'),
      h('dt', {}, 'Mask label'),
      h('dd', {}, detail.lesion.label),
    ),
    figure,
    h(
      'table',
      { class: 'data-table', id: 'features-table' },
      h('caption', {}, `Features used by model ${detail.featureModel?.version ?? ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Feature'), h('th', { scope: 'col' }, 'Value'))),
      h(
        'tbody',
        {},
        detail.features.length > 0
          ? detail.features.map((feature) =>
              h('tr', { 'data-feature': feature.name }, h('th', { scope: 'row' }, h('code', {}, feature.name)), h('td', { 'data-value': feature.value ?? '' }, feature.value === null ? 'missing' : formatNumber(feature.value))),
            )
          : h('tr', {}, h('td', { colspan: 2 }, 'The model lists no features.')),
      ),
    ),
    h(
      'table',
      { class: 'data-table', id: 'history-table' },
      h('caption', {}, 'Score history by model version'),
      h('thead', {}, h('tr', {}, ['Model version', 'Probability', 'Class', 'Scored'].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        detail.history.map((entry) =>
          h(
            'tr',
            { 'data-version': entry.modelVersion },
            h('th', { scope: 'row' }, entry.modelVersion, entry.modelVersion === detail.activeModelVersion ? ' (active)' : ''),
            h('td', {}, formatProbability(entry.probability)),
            h('td', {}, classBadge(entry)),
            h('td', {}, formatDateTime(entry.scoredAt)),
          ),
        ),
      ),
    ),
  );

  const imageUrl = await getImageUrl(`${base}/preview.png`);
  fill(
    figure,
    imageUrl
      ? h('img', { src: imageUrl, alt: `Lesion ${lesionId}: mask outline in yellow over the axial CT slice through the middle of the lesion`, id: 'lesion-preview' })
      : h('p', {}, 'No overlay image is stored for this lesion.'),
    h('figcaption', {}, 'Central axial slice, soft-tissue window (level 40 HU, width 400 HU); red fill and yellow outline mark the segmentation.'),
  );
}
