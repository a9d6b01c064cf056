import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeNifti } from '@radiomics/core/io';

import { writeCtSeries, writeRtStruct } from '../helpers/dicom-writer';

const launcher = resolve(__dirname, '..', '..', 'bin', 'radiomics.mjs');
const FRAME = '1.2.826.0.1.3680043.9.9999.2';

function inspect(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [launcher, 'inspect', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('radiomics inspect', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radiomics-inspect-'));
  const series = join(folder, 'ct');

  beforeAll(() => {
    mkdirSync(series);
    for (const file of writeCtSeries({ rows: 12, columns: 12, slices: 4, sliceSpacing: 2, frameOfReferenceUid: FRAME, rescaleIntercept: -1024 })) {
      writeFileSync(join(series, file.name), file.bytes);
    }
    writeFileSync(join(series, 'README.txt'), 'not DICOM');
    const square = (z: number) => ({ points: [2.5, 2.5, z, 6.5, 2.5, z, 6.5, 6.5, z, 2.5, 6.5, z] });
    writeFileSync(
      join(folder, 'rs.dcm'),
      writeRtStruct({ frameOfReferenceUid: FRAME, rois: [{ number: 1, name: 'GTV', contours: [square(2), square(4)] }] }),
    );
    const single = new Uint8Array(12 * 12 * 4);
    single[5] = 1;
    writeFileSync(join(folder, 'dot.nii'), writeNifti({ size: [12, 12, 4], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: single }));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('prints geometry, labels and warnings', () => {
    const result = inspect('--image', series, '--mask', join(folder, 'rs.dcm'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('size         12 × 12 × 4 voxels');
    expect(result.stdout).toContain('label 1 "GTV": 32 voxels');
    expect(result.stdout).toContain('1 file is not DICOM Part 10');
  });

  it('prints JSON', () => {
    const result = inspect('--image', series, '--mask', join(folder, 'rs.dcm'), '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.image.modality).toBe('CT');
    expect(report.image.transferSyntaxes).toEqual(['1.2.840.10008.1.2.1']);
    expect(report.mask.labels[0].components).toBe(1);
  });

  it('exits non-zero with the named error', () => {
    const result = inspect('--image', series, '--mask', join(folder, 'dot.nii'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('ROI_TOO_SMALL');
  });

  it('rejects a missing image path', () => {
    const result = inspect('--image', join(folder, 'missing'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('FILE_NOT_FOUND');
  });
});
