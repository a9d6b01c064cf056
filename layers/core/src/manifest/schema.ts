/**
 * JSON Schema (draft 2020-12) of `manifest.json`. docs/manifest.md documents it for sites.
 *
 * Identifiers are restricted to a safe character set because they become S3 key segments, SQLite keys,
 * Step Functions execution names and file names in the local work area.
 */
export const SAFE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** A relative path inside the study: forward slashes, no empty, "." or ".." segments. */
export const STUDY_PATH_PATTERN = '^(?!/)(?!.*(^|/)\\.{1,2}(/|$))(?!.*//)[^\\\\\\u0000]{1,512}$';

export const MANIFEST_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://radiomics.invalid/schemas/study-manifest-v1.json',
  title: 'Study manifest',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'siteId', 'studyId', 'image', 'lesions'],
  properties: {
    schemaVersion: { const: 1, description: 'Manifest format version; always 1.' },
    siteId: { type: 'string', pattern: SAFE_ID_PATTERN, description: 'Site identifier, as in the upload prefix.' },
    studyId: { type: 'string', pattern: SAFE_ID_PATTERN, description: 'Study identifier, unique within the site.' },
    image: {
      type: 'object',
      additionalProperties: false,
      required: ['path'],
      properties: {
        path: { type: 'string', pattern: STUDY_PATH_PATTERN, description: 'Folder of the CT DICOM series.' },
        seriesInstanceUid: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', maxLength: 64 },
      },
    },
    lesions: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lesionId', 'mask'],
        properties: {
          lesionId: { type: 'string', pattern: SAFE_ID_PATTERN },
          mask: { type: 'string', pattern: STUDY_PATH_PATTERN, description: 'NIfTI, NRRD, RTSTRUCT or SEG file.' },
          label: { type: 'integer', minimum: 1, maximum: 65535, description: 'Label value or segment number; default 1.' },
          roiName: { type: 'string', minLength: 1, maxLength: 64, description: 'RTSTRUCT ROIName.' },
        },
      },
    },
  },
} as const;
