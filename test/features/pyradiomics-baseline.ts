// Loading of the PyRadiomics baseline tables (rows = diagnostics and features, columns = test runs) and of the
// run settings recorded in their diagnostics row.
import { readFileSync } from 'node:fs';

import { validateParams, type ExtractionSettings, type FeatureClassName } from '@radiomics/core';

import { referencePath } from '../helpers/reference';
import { splitCsvLine } from './csv';

export interface BaselineTable {
  /** Column names such as 'brain1' or 'brain1_FBN'. */
  readonly columns: string[];
  /** Row name → one cell per column. */
  readonly rows: Map<string, string[]>;
}

export function readBaselineTable(className: string): BaselineTable {
  const text = readFileSync(referencePath('pyradiomics', 'data', 'baseline', `baseline_${className}.csv`), 'utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  const columns = splitCsvLine(lines[0]).slice(1);
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    rows.set(cells[0], cells.slice(1));
  }
  return { columns, rows };
}

/** Converts a Python dict literal (as PyRadiomics writes its settings) to a JavaScript object. */
export function parsePythonDict(literal: string): Record<string, unknown> {
  const json = literal
    .replace(/'/g, '"')
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\bNone\b/g, 'null');
  return JSON.parse(json) as Record<string, unknown>;
}

/** Settings keys that describe the run but do not change feature values. */
const IGNORED_KEYS = new Set(['additionalInfo']);

/** Converts a run's recorded settings to ExtractionSettings with Original only and the given classes. */
export function baselineSettings(recorded: Record<string, unknown>, classes: readonly FeatureClassName[]): ExtractionSettings {
  const setting = Object.fromEntries(Object.entries(recorded).filter(([key]) => !IGNORED_KEYS.has(key)));
  return validateParams(
    { setting, imageType: { Original: {} }, featureClass: Object.fromEntries(classes.map((name) => [name, null])) },
    'baseline settings',
  );
}
