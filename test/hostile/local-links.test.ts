// Symbolic links inside a study folder given to `radiomics run` are not followed: a link cannot pull a file from
// outside the study into the upload, so the study fails as if the file were missing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runLocal } from '../../local/runner';
import { niftiStudy, writeStudyFolder } from '../helpers/study-builder';
import { FAST_PARAMS_PATH, filesOf } from './local-store';

const SITE = 'site-links';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'radiomics-links-'));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('symbolic links in a study folder', () => {
  it('are not followed into the upload', async () => {
    const files = niftiStudy({ siteId: SITE, studyId: 'linked' });
    const outside = join(root, 'outside-the-study.nii.gz');
    writeFileSync(outside, files['masks/lesions.nii.gz']!);
    const { 'masks/lesions.nii.gz': _mask, ...rest } = files;
    const study = writeStudyFolder(join(root, 'uploads', 'linked'), rest);
    mkdirSync(join(study, 'masks'));
    symlinkSync(outside, join(study, 'masks', 'lesions.nii.gz'));
    symlinkSync(join(root), join(study, 'escape'));

    const storeDir = join(root, 'store');
    const report = await runLocal([study], { storeDir, siteId: SITE, paramsPath: FAST_PARAMS_PATH, workers: 0 });
    expect(report.studies[0]?.failure?.code).toBe('FILE_NOT_FOUND');

    const uploaded = filesOf(join(storeDir, 'blobs', 'incoming'));
    expect(uploaded.map((file) => file.path).sort()).toEqual([`${SITE}/linked/image.nii.gz`, `${SITE}/linked/manifest.json`]);
    expect(existsSync(join(storeDir, 'blobs', 'incoming', SITE, 'linked', 'escape'))).toBe(false);
    const outsideBytes = readFileSync(outside);
    for (const file of uploaded) expect(Buffer.compare(Buffer.from(file.bytes), outsideBytes)).not.toBe(0);
  });
});
