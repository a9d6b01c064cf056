// How `radiomics run` finds studies behind its paths: manifests, zips, folders of studies and wrappers.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { PROJECT_ROOT } from '../../local/local-context';
import { discoverStudies, safeId } from '../../local/study-discovery';

const scratch = mkdtempSync(join(tmpdir(), 'radiomics-discovery-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const CT_SLICE = join(PROJECT_ROOT, 'examples', 'site-ibsi', 'pat1', 'dicom', 'image', 'DCM_IMG_00000.dcm');
const RTSTRUCT = join(PROJECT_ROOT, 'examples', 'site-ibsi', 'pat1', 'dicom', 'mask', 'DCM_RS_00060.dcm');

/** Writes a study without manifest: one CT slice under `ct/` and an RTSTRUCT under `rt/` (or custom folders). */
function dicomStudy(folder: string, imageFolder = 'ct', maskFolder = 'rt'): string {
  mkdirSync(join(folder, imageFolder), { recursive: true });
  mkdirSync(join(folder, maskFolder), { recursive: true });
  copyFileSync(CT_SLICE, join(folder, imageFolder, 'slice.dcm'));
  copyFileSync(RTSTRUCT, join(folder, maskFolder, 'rs.dcm'));
  return folder;
}

function found(paths: string[]): string[] {
  return discoverStudies(paths).map((study) => `${study.kind}:${basename(study.path)}:${study.proposedStudyId}`);
}

describe('study discovery', () => {
  it('finds both bundled examples by their manifests', () => {
    const studies = discoverStudies([join(PROJECT_ROOT, 'examples')]);
    expect(studies.map((study) => study.manifest?.studyId)).toEqual(['pat1', 'sts-004']);
  });

  it('treats a folder with DICOM parts as one study', () => {
    dicomStudy(join(scratch, 'patient-a'), 'dicom/image', 'dicom/mask');
    expect(found([join(scratch, 'patient-a')])).toEqual(['folder:patient-a:patient-a']);
  });

  it('looks inside a folder wrapping one study', () => {
    dicomStudy(join(scratch, 'uploads-one', 'study-b'));
    expect(found([join(scratch, 'uploads-one')])).toEqual(['folder:study-b:study-b']);
  });

  it('splits a folder of studies without manifests', () => {
    dicomStudy(join(scratch, 'uploads-two', 'study-c'));
    dicomStudy(join(scratch, 'uploads-two', 'study-d'));
    expect(found([join(scratch, 'uploads-two')])).toEqual(['folder:study-c:study-c', 'folder:study-d:study-d']);
  });

  it('takes zip archives and ignores clutter', () => {
    mkdirSync(join(scratch, 'zips'), { recursive: true });
    writeFileSync(join(scratch, 'zips', 'study e.zip'), new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]));
    writeFileSync(join(scratch, 'zips', '.DS_Store'), 'x');
    expect(found([join(scratch, 'zips')])).toEqual(['zip:study e.zip:study-e']);
  });

  it('rejects a missing path and a file that is no zip', () => {
    expect(() => discoverStudies([join(scratch, 'nowhere')])).toThrow(/does not exist/);
    writeFileSync(join(scratch, 'notes.txt'), 'x');
    expect(() => discoverStudies([join(scratch, 'notes.txt')])).toThrow(/not a \.zip archive/);
  });

  it('makes safe study ids from names', () => {
    expect(safeId('Study 12 (copy)')).toBe('Study-12-copy-');
    expect(safeId('..hidden')).toBe('hidden');
    expect(safeId('###')).toBe('study');
    expect(safeId('x'.repeat(100))).toHaveLength(64);
  });
});
