// SVG charts drawn from API data: every chart has a title and description for screen readers, and each
// view also shows the numbers in a table.
import { s } from './dom';

const WIDTH = 420;
const HEIGHT = 300;
const MARGIN = { top: 16, right: 16, bottom: 44, left: 56 };
const PALETTE = ['#1f5fa8', '#c2410c', '#15803d', '#7c3aed', '#475569', '#b91c1c'];

let chartCounter = 0;

function frame(title: string, description: string, className: string): { svg: SVGElement; id: string } {
  const id = `chart-${++chartCounter}`;
  const svg = s(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: `chart ${className}`, width: WIDTH, height: HEIGHT },
    s('title', { id: `${id}-title` }, title),
    s('desc', { id: `${id}-desc` }, description),
  );
  return { svg, id };
}

interface Scale {
  (value: number): number;
}

function linear(domain: [number, number], range: [number, number]): Scale {
  const span = domain[1] - domain[0] || 1;
  return (value) => range[0] + ((value - domain[0]) / span) * (range[1] - range[0]);
}

function axes(svg: SVGElement, x: Scale, y: Scale, xTicks: number[], yTicks: number[], xLabel: string, yLabel: string, format: (v: number) => string): void {
  const bottom = HEIGHT - MARGIN.bottom;
  svg.append(s('line', { x1: MARGIN.left, y1: bottom, x2: WIDTH - MARGIN.right, y2: bottom, class: 'axis' }));
  svg.append(s('line', { x1: MARGIN.left, y1: MARGIN.top, x2: MARGIN.left, y2: bottom, class: 'axis' }));
  for (const tick of xTicks) {
    svg.append(s('text', { x: x(tick), y: bottom + 16, 'text-anchor': 'middle', class: 'tick' }, format(tick)));
  }
  for (const tick of yTicks) {
    svg.append(s('line', { x1: MARGIN.left, y1: y(tick), x2: WIDTH - MARGIN.right, y2: y(tick), class: 'grid' }));
    svg.append(s('text', { x: MARGIN.left - 6, y: y(tick) + 4, 'text-anchor': 'end', class: 'tick' }, format(tick)));
  }
  svg.append(s('text', { x: (MARGIN.left + WIDTH - MARGIN.right) / 2, y: HEIGHT - 8, 'text-anchor': 'middle', class: 'axis-label' }, xLabel));
  svg.append(
    s('text', { x: 14, y: (MARGIN.top + bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${(MARGIN.top + bottom) / 2})`, class: 'axis-label' }, yLabel),
  );
}

export interface LineSeries {
  label: string;
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
}

/** Draws a line chart over [0, 1] on x; y spans the data, or [0, 1] when `unitY` is set. */
export function lineChart(title: string, description: string, series: readonly LineSeries[], options: { xLabel: string; yLabel: string; unitY?: boolean; diagonal?: boolean }): SVGElement {
  const { svg } = frame(title, description, 'line-chart');
  const values = series.flatMap((line) => line.points.map((point) => point[1]));
  let yDomain: [number, number] = [0, 1];
  if (!options.unitY && values.length > 0) {
    const top = Math.max(...values, 0);
    // Net benefit of treating all falls steeply at high thresholds; the plot keeps the informative band.
    const bottom = Math.max(Math.min(...values, 0), -Math.max(0.05, top));
    yDomain = [bottom, top > bottom ? top : bottom + 1];
  }
  const x = linear([0, 1], [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linear(yDomain, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const yTicks = Array.from({ length: 5 }, (_, index) => yDomain[0] + ((yDomain[1] - yDomain[0]) * index) / 4);
  axes(svg, x, y, [0, 0.25, 0.5, 0.75, 1], yTicks, options.xLabel, options.yLabel, (value) => Number(value.toFixed(2)).toString());

  if (options.diagonal) {
    svg.append(s('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: 'reference-line' }));
  }
  series.forEach((line, index) => {
    const clipped = line.points.map(([px, py]) => [px, Math.max(yDomain[0], Math.min(yDomain[1], py))] as const);
    const path = clipped.map(([px, py], pointIndex) => `${pointIndex === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    svg.append(s('path', { d: path, fill: 'none', stroke: PALETTE[index % PALETTE.length], 'stroke-width': 2, 'stroke-dasharray': line.dashed ? '5 4' : null, class: 'series' }));
    const legendY = MARGIN.top + 4 + index * 16;
    svg.append(s('line', { x1: WIDTH - MARGIN.right - 150, y1: legendY, x2: WIDTH - MARGIN.right - 134, y2: legendY, stroke: PALETTE[index % PALETTE.length], 'stroke-width': 3 }));
    svg.append(s('text', { x: WIDTH - MARGIN.right - 130, y: legendY + 4, class: 'legend' }, line.label));
  });
  return svg;
}

export interface Bar {
  label: string;
  value: number;
}

/** Draws a vertical bar chart with a value label on each bar. */
export function barChart(title: string, description: string, bars: readonly Bar[], options: { yLabel: string; max?: number; format?: (value: number) => string }): SVGElement {
  const { svg } = frame(title, description, 'bar-chart');
  const format = options.format ?? ((value: number) => String(value));
  const max = options.max ?? Math.max(1, ...bars.map((bar) => bar.value));
  const y = linear([0, max], [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const slot = (WIDTH - MARGIN.left - MARGIN.right) / Math.max(1, bars.length);
  const x = (index: number) => MARGIN.left + slot * index + slot * 0.15;
  const ticks = Array.from({ length: 5 }, (_, index) => (max * index) / 4);
  axes(svg, linear([0, 1], [0, 0]), y, [], ticks, '', options.yLabel, (value) => format(Number(value.toFixed(2))));
  bars.forEach((bar, index) => {
    const top = y(bar.value);
    svg.append(s('rect', { x: x(index), y: top, width: slot * 0.7, height: HEIGHT - MARGIN.bottom - top, fill: PALETTE[index % PALETTE.length], class: 'bar' }));
    svg.append(s('text', { x: x(index) + slot * 0.35, y: top - 4, 'text-anchor': 'middle', class: 'bar-value' }, format(bar.value)));
    svg.append(s('text', { x: x(index) + slot * 0.35, y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, bar.label));
  });
  return svg;
}
