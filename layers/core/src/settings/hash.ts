import { createHash } from 'node:crypto';

import type { ExtractionSettings } from './types';

/** Orders keys by UTF-16 code units, independent of the locale. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** JSON with object keys sorted at every level, so that equal settings always serialise identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (hex) of the canonical JSON of the resolved settings. Defaults are filled in before hashing, so a
 * file that spells out a default hashes the same as one that omits it.
 */
export function settingsHash(settings: ExtractionSettings): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex');
}
