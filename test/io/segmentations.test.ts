import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { ImageVolume } from '@radiomics/core';
import { dicomSeriesOf, labelInventory, loadDicomSeries, loadImagePath, loadMask, loadMaskPath, loadMaskWithReport, readNifti, writeNifti } from '@radiomics/core/io';

import { buildNifti1, buildNrrd, bytesOf } from '../helpers/nifti-writer';
import { writeCtSeries, writeRtStruct, writeSeg, type RtContour } from '../helpers/dicom-writer';
import { describeWithReference, referencePath } from '../helpers/reference';
import { errorCodeOf, errorOf } from './error-code';

const FRAME = '1.2.826.0.1.3680043.9.9999.2';

/** Loads a 20 × 20 × 4 CT with 1 mm pixels and slices at z = 0, 2, 4, 6. */
function ct(): ImageVolume {
  return loadDicomSeries(writeCtSeries({ rows: 20, columns: 20, slices: 4, sliceSpacing: 2, frameOfReferenceUid: FRAME })).image;
}

/** Builds a closed square contour with corners (x0, y0) and (x1, y1) on plane z. */
function square(x0: number, y0: number, x1: number, y1: number, z: number): RtContour {
  return { points: [x0, y0, z, x1, y0, z, x1, y1, z, x0, y1, z] };
}

function count(mask: ImageVolume, label = 1, k?: number): number {
  let total = 0;
  const sliceSize = mask.size[0] * mask.size[1];
  for (let n = 0; n < mask.data.length; n++) {
    if (mask.data[n] === label && (k === undefined || Math.floor(n / sliceSize) === k)) total++;
  }
  return total;
}

describe('RTSTRUCT rasterisation', () => {
  const image = ct();

  it('fills voxel centres inside a contour', () => {
    // Centres 3 … 8 lie inside x ∈ [2.5, 8.5]: 6 × 6 voxels on slice 1 (z = 2).
    const file = writeRtStruct({ frameOfReferenceUid: FRAME, rois: [{ number: 1, name: 'GTV', contours: [square(2.5, 2.5, 8.5, 8.5, 2)] }] });
    const mask = loadMask({ name: 'rs', bytes: file }, image, { roiName: 'GTV' });
    expect(count(mask)).toBe(36);
    expect(count(mask, 1, 1)).toBe(36);
  });

  it('keeps holes as holes', () => {
    const file = writeRtStruct({
      frameOfReferenceUid: FRAME,
      rois: [{ number: 1, name: 'GTV', contours: [square(2.5, 2.5, 12.5, 12.5, 4), square(5.5, 5.5, 8.5, 8.5, 4)] }],
    });
    const mask = loadMask({ name: 'rs', bytes: file }, image, { roiName: 'GTV' });
    expect(count(mask)).toBe(100 - 9);
    expect(mask.data[7 + 20 * (7 + 20 * 2)]).toBe(0);
  });

  it('ignores tiny degenerate contours', () => {
    const file = writeRtStruct({
      frameOfReferenceUid: FRAME,
      rois: [
        {
          number: 1,
          name: 'GTV',
          contours: [
            square(2.5, 2.5, 8.5, 8.5, 2),
            { points: [5, 5, 2, 5, 5, 2, 5, 5, 2] }, // three identical points
            { points: [4, 4, 2, 6, 6, 2] }, // two points
            { points: [3, 3, 2, 6, 6, 2, 9, 9, 2] }, // collinear: no area
          ],
        },
      ],
    });
    const loaded = loadMaskWithReport({ name: 'rs', bytes: file }, image, { roiName: 'GTV' });
    expect(count(loaded.mask)).toBe(36);
    expect(loaded.warnings.join(' ')).toContain('3 contours without area');
  });

  it('labels every ROI by number without a name', () => {
    const file = writeRtStruct({
      frameOfReferenceUid: FRAME,
      rois: [
        { number: 1, name: 'GTV-1', contours: [square(2.5, 2.5, 5.5, 5.5, 0)] },
        { number: 4, name: 'GTV-2', contours: [square(10.5, 10.5, 13.5, 13.5, 6)] },
      ],
    });
    const loaded = loadMaskWithReport({ name: 'rs', bytes: file }, image);
    expect(labelInventory(loaded.mask).map((entry) => [entry.label, entry.voxelCount])).toEqual([
      [1, 9],
      [4, 9],
    ]);
    expect(loaded.labelNames).toEqual({ 1: 'GTV-1', 4: 'GTV-2' });
  });

  it('lists ROIs when the name is missing', () => {
    const file = writeRtStruct({ frameOfReferenceUid: FRAME, rois: [{ number: 1, name: 'GTV', contours: [square(2.5, 2.5, 8.5, 8.5, 2)] }] });
    const error = errorOf(() => loadMask({ name: 'rs', bytes: file }, image, { roiName: 'PTV' }));
    expect(error.code).toBe('LABEL_NOT_FOUND');
    expect(error.message).toContain('"GTV"');
  });

  it('rejects another frame of reference', () => {
    const file = writeRtStruct({ frameOfReferenceUid: '1.2.3.999', rois: [{ number: 1, name: 'GTV', contours: [square(2.5, 2.5, 8.5, 8.5, 2)] }] });
    expect(dicomSeriesOf(image)?.frameOfReferenceUid).toBe(FRAME);
    expect(errorCodeOf(() => loadMask({ name: 'rs', bytes: file }, image))).toBe('FRAME_OF_REFERENCE_MISMATCH');
  });

  it('rejects contours between slices', () => {
    const file = writeRtStruct({ frameOfReferenceUid: FRAME, rois: [{ number: 1, name: 'GTV', contours: [square(2.5, 2.5, 8.5, 8.5, 3)] }] });
    expect(errorCodeOf(() => loadMask({ name: 'rs', bytes: file }, image))).toBe('RTSTRUCT_INVALID');
  });

  it('skips contours outside the volume', () => {
    const file = writeRtStruct({
      frameOfReferenceUid: FRAME,
      rois: [{ number: 1, name: 'GTV', contours: [square(2.5, 2.5, 8.5, 8.5, 2), square(2.5, 2.5, 8.5, 8.5, 40)] }],
    });
    const loaded = loadMaskWithReport({ name: 'rs', bytes: file }, image);
    expect(count(loaded.mask)).toBe(36);
    expect(loaded.warnings.join(' ')).toContain('outside the CT volume');
  });
});

describe('DICOM SEG', () => {
  const image = ct();
  const pixels = (cells: number[]): number[] => Array.from({ length: 400 }, (_, n) => (cells.includes(n) ? 1 : 0));

  it('places frames on the CT slices', () => {
    const file = writeSeg({
      rows: 20,
      columns: 20,
      frameOfReferenceUid: FRAME,
      pixelSpacing: [1, 1],
      segments: [
        { number: 1, label: 'lesion A' },
        { number: 2, label: 'lesion B' },
      ],
      frames: [
        { segment: 1, position: [0, 0, 2], pixels: pixels([21, 22, 41]) },
        { segment: 2, position: [0, 0, 6], pixels: pixels([0, 399]) },
      ],
    });
    const loaded = loadMaskWithReport({ name: 'seg', bytes: file }, image);
    expect(loaded.format).toBe('seg');
    expect(labelInventory(loaded.mask).map((entry) => [entry.label, entry.voxelCount])).toEqual([
      [1, 3],
      [2, 2],
    ]);
    expect(loaded.mask.data[1 + 20 * (1 + 20 * 1)]).toBe(1);
    const one = loadMask({ name: 'seg', bytes: file }, image, { roiName: 'lesion B' });
    expect(labelInventory(one)).toHaveLength(1);
    expect(one.data[399 + 400 * 3]).toBe(1);
  });

  it('rejects frames off the grid', () => {
    const file = writeSeg({
      rows: 20,
      columns: 20,
      frameOfReferenceUid: FRAME,
      pixelSpacing: [1, 1],
      segments: [{ number: 1, label: 'A' }],
      frames: [{ segment: 1, position: [0.5, 0, 2], pixels: pixels([1]) }],
    });
    expect(errorCodeOf(() => loadMask({ name: 'seg', bytes: file }, image))).toBe('GEOMETRY_MISMATCH');
  });

  it('rejects another frame of reference', () => {
    const file = writeSeg({ rows: 20, columns: 20, frameOfReferenceUid: '9.9', pixelSpacing: [1, 1], segments: [{ number: 1, label: 'A' }], frames: [{ segment: 1, position: [0, 0, 2], pixels: pixels([1]) }] });
    expect(errorCodeOf(() => loadMask({ name: 'seg', bytes: file }, image))).toBe('FRAME_OF_REFERENCE_MISMATCH');
  });

  it('rejects fractional segmentations', () => {
    const file = writeSeg({ rows: 20, columns: 20, frameOfReferenceUid: FRAME, pixelSpacing: [1, 1], segmentationType: 'FRACTIONAL', segments: [{ number: 1, label: 'A' }], frames: [{ segment: 1, position: [0, 0, 2], pixels: pixels([1]) }] });
    expect(errorCodeOf(() => loadMask({ name: 'seg', bytes: file }, image))).toBe('SEG_INVALID');
  });
});

describe('loadMask label maps', () => {
  const image = ct();

  it('converts integer float masks to unsigned labels', () => {
    const file = buildNifti1({ dim: [3, 2, 1, 1], datatype: 16, data: bytesOf([0, 3], 'float32'), pixdim: [1, 1, 1, 1] });
    const mask = loadMask({ name: 'mask', bytes: file }, image);
    expect(mask.data).toBeInstanceOf(Uint8Array);
    expect(mask.data[1]).toBe(3);
  });

  it('rejects probability maps', () => {
    const file = buildNifti1({ dim: [3, 2, 1, 1], datatype: 16, data: bytesOf([0, 0.7], 'float32') });
    expect(errorCodeOf(() => loadMask({ name: 'mask', bytes: file }, image))).toBe('NON_INTEGER_LABELS');
  });

  it('reads NRRD label maps', () => {
    const file = buildNrrd({ type: 'short', dimension: '3', sizes: '2 1 1', encoding: 'raw', endian: 'little' }, bytesOf([0, 600], 'int16'));
    expect(loadMask({ name: 'mask', bytes: file }, image).data).toBeInstanceOf(Uint16Array);
  });

  it('rejects unknown formats', () => {
    expect(errorCodeOf(() => loadMask({ name: 'mask.png', bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]) }, image))).toBe('UNSUPPORTED_FILE_FORMAT');
  });

  it('rejects DICOM images as masks', () => {
    const [slice] = writeCtSeries({ rows: 2, columns: 2, slices: 1 });
    expect(errorCodeOf(() => loadMask(slice, image))).toBe('UNSUPPORTED_FILE_FORMAT');
  });
});

describe('loadImagePath and loadMaskPath', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radiomics-io-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('loads a DICOM folder and a NIfTI mask', async () => {
    const series = join(folder, 'ct');
    mkdirSync(series);
    for (const file of writeCtSeries({ rows: 4, columns: 4, slices: 3 })) writeFileSync(join(series, file.name), file.bytes);
    writeFileSync(join(series, '.DS_Store'), 'clutter');
    const loaded = await loadImagePath(series);
    expect(loaded.format).toBe('dicom');
    expect(loaded.image.size).toEqual([4, 4, 3]);

    writeFileSync(join(folder, 'mask.nii.gz'), writeNifti({ ...loaded.image, data: new Uint8Array(48).fill(1) }, { gzip: true }));
    const mask = await loadMaskPath(join(folder, 'mask.nii.gz'), loaded.image);
    expect(mask.format).toBe('nifti');
    expect(labelInventory(mask.mask)[0].voxelCount).toBe(48);
  });

  it('reads detached NRRD data beside the header', async () => {
    writeFileSync(join(folder, 'image.raw'), bytesOf([1, 2, 3, 4], 'int16'));
    writeFileSync(join(folder, 'image.nhdr'), buildNrrd({ type: 'short', dimension: '3', sizes: '2 2 1', encoding: 'raw', endian: 'little', 'data file': 'image.raw' }));
    expect(Array.from((await loadImagePath(join(folder, 'image.nhdr'))).image.data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses detached data through a symlink', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'radiomics-outside-'));
    writeFileSync(join(outside, 'secret.raw'), bytesOf([9, 9, 9, 9], 'int16'));
    const inner = join(folder, 'linked');
    mkdirSync(inner);
    symlinkSync(join(outside, 'secret.raw'), join(inner, 'data.raw'));
    writeFileSync(join(inner, 'image.nhdr'), buildNrrd({ type: 'short', dimension: '3', sizes: '2 2 1', encoding: 'raw', 'data file': 'data.raw' }));
    await expect(loadImagePath(join(inner, 'image.nhdr'))).rejects.toMatchObject({ code: 'NRRD_INVALID' });
    rmSync(outside, { recursive: true, force: true });
  });

  it('reports missing paths', async () => {
    await expect(loadImagePath(join(folder, 'nope'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describeWithReference('RTSTRUCT agreement with reference masks', ['ibsi1/ct_phantom/dicom', 'studies/sts_004_ct/dicom'], () => {
  // Agreement = voxels in both masks / voxels in either (intersection over union of the ROI voxels).
  const cases = [
    ['IBSI CT phantom', 'ibsi1/ct_phantom/dicom/image', 'ibsi1/ct_phantom/dicom/mask/DCM_RS_00060.dcm', 'ibsi1/ct_phantom/nifti/mask/mask.nii.gz', 'GTV-1', 125256],
    ['STS_004', 'studies/sts_004_ct/dicom/image', 'studies/sts_004_ct/dicom/mask/RS.dcm', 'studies/sts_004_ct/nifti/CT_mask.nii.gz', 'GTV_Mass_CT', 94963],
  ] as const;

  for (const [name, folder, rtstruct, twin, roiName, voxels] of cases) {
    it(`rasterises ${name} like its NIfTI mask`, () => {
      const files = readdirSync(referencePath(folder)).map((file) => ({ name: file, bytes: readFileSync(referencePath(folder, file)) }));
      const { image } = loadDicomSeries(files);
      const mask = loadMask({ name: 'rs', bytes: readFileSync(referencePath(rtstruct)) }, image, { roiName });
      const reference = readNifti(readFileSync(referencePath(twin)));

      let both = 0;
      let either = 0;
      for (let n = 0; n < reference.data.length; n++) {
        const ours = mask.data[n] > 0;
        const theirs = reference.data[n] > 0;
        if (ours && theirs) both++;
        if (ours || theirs) either++;
      }
      // Measured: 1.0 (identical masks) on both studies.
      expect(both / either).toBe(1);
      expect(both).toBe(voxels);
    });
  }
});
