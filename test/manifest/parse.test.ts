import { describe, expect, it } from 'vitest';

import { RadiomicsError, parseManifest } from '@radiomics/core';

const validManifest = {
  schemaVersion: 1,
  siteId: 'site-a',
  studyId: 'sts-004',
  image: { path: 'dicom/image' },
  lesions: [{ lesionId: 'L1', mask: 'dicom/mask/RS.dcm', roiName: 'GTV_Mass_CT' }, { lesionId: 'L2', mask: 'mask.nii.gz', label: 2 }],
};

function codeOf(input: unknown): string {
  try {
    parseManifest(input);
  } catch (thrown) {
    if (thrown instanceof RadiomicsError) return thrown.code;
    throw thrown;
  }
  return 'accepted';
}

function messageOf(input: unknown): string {
  try {
    parseManifest(input);
  } catch (thrown) {
    return (thrown as Error).message;
  }
  return '';
}

describe('parseManifest', () => {
  it('accepts a valid manifest from bytes', () => {
    const manifest = parseManifest(new TextEncoder().encode(JSON.stringify(validManifest)));

    expect(manifest.studyId).toBe('sts-004');
    expect(manifest.lesions).toHaveLength(2);
  });

  it.each([
    ['missing studyId', { ...validManifest, studyId: undefined }],
    ['site id with slash', { ...validManifest, siteId: 'site/../b' }],
    ['site id too long', { ...validManifest, siteId: 'a'.repeat(65) }],
    ['study id with space', { ...validManifest, studyId: 'John Smith' }],
    ['unknown property', { ...validManifest, patientName: 'x' }],
    ['wrong schema version', { ...validManifest, schemaVersion: 2 }],
    ['no lesions', { ...validManifest, lesions: [] }],
    ['parent path', { ...validManifest, image: { path: '../other-study' } }],
    ['absolute path', { ...validManifest, lesions: [{ lesionId: 'L1', mask: '/etc/passwd' }] }],
    ['float label', { ...validManifest, lesions: [{ lesionId: 'L1', mask: 'm.nii', label: 1.5 }] }],
    ['duplicate lesion ids', { ...validManifest, lesions: [{ lesionId: 'L1', mask: 'a.nii' }, { lesionId: 'L1', mask: 'b.nii' }] }],
    ['not an object', [1, 2]],
  ])('rejects %s', (_case, input) => {
    expect(codeOf(input)).toBe('MANIFEST_INVALID');
  });

  it('lists every problem with its pointer', () => {
    const message = messageOf({ ...validManifest, siteId: 'bad id', lesions: [{ lesionId: 'L1' }] });

    expect(message).toContain('/siteId');
    expect(message).toContain('/lesions/0 is missing "mask"');
  });

  it('rejects text that is not JSON', () => {
    expect(codeOf('{"schemaVersion": 1,')).toBe('MANIFEST_INVALID');
  });
});
