// PyRadiomics-format extraction settings: types, defaults, parsing, validation and hashing.
import { readFileSync } from 'node:fs';

import { RadiomicsError } from '../errors';
import { parseParams } from './parse';
import type { ExtractionSettings } from './types';

export * from './types';
export * from './defaults';
export * from './feature-names';
export { parseParams, validateParams, settingsForImageType } from './parse';
export { settingsHash, canonicalJson } from './hash';

/** Reads and validates a parameter file from disk. */
export function loadParamsFile(path: string): ExtractionSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RadiomicsError('FILE_NOT_FOUND', `Parameter file ${path} could not be read.`, { cause: error });
  }
  return parseParams(text, path);
}
