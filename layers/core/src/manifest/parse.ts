import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

import { RadiomicsError } from '../errors';
import { MANIFEST_SCHEMA } from './schema';
import type { StudyManifest } from './types';

/** Largest manifest accepted, in bytes: a real one is a few kilobytes. */
export const MAX_MANIFEST_BYTES = 256 * 1024;

const validateManifestSchema = new Ajv2020({ allErrors: true, strict: true }).compile<StudyManifest>(MANIFEST_SCHEMA);

/**
 * Parses and validates `manifest.json`. Throws MANIFEST_INVALID listing every problem found, each with its
 * JSON pointer, so a site can fix them all in one go.
 */
export function parseManifest(input: Uint8Array | string | unknown, source = 'manifest.json'): StudyManifest {
  const document = typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, source) : input;

  if (!validateManifestSchema(document)) {
    const problems = (validateManifestSchema.errors ?? []).map(describeSchemaError);
    throw new RadiomicsError('MANIFEST_INVALID', `${source} is invalid: ${problems.join('; ')}.`, { details: { problems } });
  }

  const seen = new Set<string>();
  for (const lesion of document.lesions) {
    if (seen.has(lesion.lesionId)) {
      throw new RadiomicsError('MANIFEST_INVALID', `${source} is invalid: lesionId "${lesion.lesionId}" appears more than once.`);
    }
    seen.add(lesion.lesionId);
  }
  return document;
}

function parseJson(input: Uint8Array | string, source: string): unknown {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > MAX_MANIFEST_BYTES) {
    throw new RadiomicsError('MANIFEST_INVALID', `${source} is ${size} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES} bytes.`);
  }
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    throw new RadiomicsError('MANIFEST_INVALID', `${source} is not valid JSON: ${reason}.`, { cause: thrown });
  }
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the manifest' : error.instancePath;
  switch (error.keyword) {
    case 'required':
      return `${where} is missing "${String(error.params.missingProperty)}"`;
    case 'additionalProperties':
      return `${where} has an unknown property "${String(error.params.additionalProperty)}"`;
    case 'pattern':
      return `${where} has characters or a form that is not allowed (expected ${String(error.params.pattern)})`;
    case 'const':
      return `${where} must be ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}
