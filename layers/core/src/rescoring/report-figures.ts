/**
 * Report figures for the model card: the inline SVG figures of the training report (ROC, decision curves,
 * calibration, classifier comparison) split out into one file each, named after their accessible label.
 */
import type { ReportFigure } from './publish';

const SVG_ELEMENT = /<svg\b[^>]*>[\s\S]*?<\/svg>/gi;
const ARIA_LABEL = /aria-label="([^"]*)"/i;
// Figures are shown through <img> and served with a sandbox CSP, so scripts would not run; such a figure
// is still dropped, because a report written by "radiomics train" never contains one.
const ACTIVE_CONTENT = /<script\b|<foreignObject\b|\son[a-z]+\s*=|javascript:|<iframe\b/i;

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/** Extracts the SVG figures of an HTML report; names are unique, e.g. "01-roc-decision-tree.svg". */
export function extractReportFigures(html: string): ReportFigure[] {
  const figures: ReportFigure[] = [];
  for (const match of html.matchAll(SVG_ELEMENT)) {
    const svg = match[0];
    if (ACTIVE_CONTENT.test(svg)) continue;
    const label = ARIA_LABEL.exec(svg)?.[1] ?? 'figure';
    const index = String(figures.length + 1).padStart(2, '0');
    figures.push({ name: `${index}-${slug(label) || 'figure'}.svg`, svg });
  }
  return figures;
}
