import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { RadiomicsError, type ImageVolume, type Matrix3 } from '@radiomics/core';
import { readNifti, writeNifti } from '@radiomics/core/io';

import { buildNifti1, bytesOf } from '../helpers/nifti-writer';
import { describeWithReference, referencePath } from '../helpers/reference';
import { errorCodeOf } from './error-code';

const cube = bytesOf([0, 1, 2, 3, 4, 5, 6, 7], 'int16');

describe('readNifti geometry', () => {
  it('converts an sform from RAS to LPS', () => {
    // RAS axes with i pointing right-to-left flipped: srow_x = (-2, 0, 0, 10) means L→R decreasing x.
    const file = buildNifti1({
      dim: [3, 2, 2, 2],
      datatype: 4,
      data: cube,
      pixdim: [1, 2, 3, 4],
      sformCode: 1,
      srow: [-2, 0, 0, 10, 0, -3, 0, 20, 0, 0, 4, -30],
    });
    const volume = readNifti(file);
    expect(volume.spacing).toEqual([2, 3, 4]);
    expect(volume.origin).toEqual([-10, -20, -30]);
    expect(volume.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(volume.transformSource).toBe('sform');
    expect(Array.from(volume.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads a qform quaternion with qfac -1', () => {
    // Quaternion (b, c, d) = (0, 0, 1) is a 180° turn about z: RAS x and y negated, so LPS identity in-plane;
    // qfac -1 flips the third axis.
    const file = buildNifti1({
      dim: [3, 2, 2, 2],
      datatype: 4,
      data: cube,
      pixdim: [-1, 0.5, 0.5, 2],
      qformCode: 1,
      quatern: [0, 0, 1],
      qoffset: [5, 6, 7],
    });
    const volume = readNifti(file);
    expect(volume.transformSource).toBe('qform');
    expect(volume.origin).toEqual([-5, -6, 7]);
    expect(volume.direction.map((v) => v + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, -1]);
  });

  it('uses pixdim alone when both codes are 0', () => {
    const volume = readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube, pixdim: [1, 1.5, 1.5, 3] }));
    expect(volume.transformSource).toBe('pixdim-only');
    expect(volume.direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(volume.spacing).toEqual([1.5, 1.5, 3]);
  });

  it('rejects qform and sform that disagree', () => {
    const file = buildNifti1({
      dim: [3, 2, 2, 2],
      datatype: 4,
      data: cube,
      pixdim: [1, 1, 1, 1],
      qformCode: 1,
      quatern: [0, 0, 0],
      qoffset: [0, 0, 0],
      sformCode: 1,
      srow: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 5], // origin 5 mm higher than the qform's
    });
    expect(errorCodeOf(() => readNifti(file))).toBe('NIFTI_ORIENTATION_CONFLICT');
    try {
      readNifti(file);
    } catch (error) {
      expect((error as RadiomicsError).message).toContain('5.0000 mm apart');
    }
  });

  it('accepts qform and sform that agree', () => {
    const file = buildNifti1({
      dim: [3, 2, 2, 2],
      datatype: 4,
      data: cube,
      pixdim: [1, 1, 1, 1],
      qformCode: 1,
      qoffset: [1, 2, 3],
      sformCode: 2,
      srow: [1, 0, 0, 1, 0, 1, 0, 2, 0, 0, 1, 3],
    });
    expect(readNifti(file).origin).toEqual([-1, -2, 3]);
  });

  it('rejects a sheared sform', () => {
    const file = buildNifti1({
      dim: [3, 2, 2, 2],
      datatype: 4,
      data: cube,
      pixdim: [1, 1, 1, 1],
      sformCode: 1,
      srow: [1, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0],
    });
    expect(errorCodeOf(() => readNifti(file))).toBe('NIFTI_INVALID');
  });

  it('scales millimetres from metres', () => {
    const file = buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube, pixdim: [1, 0.001, 0.001, 0.002], xyztUnits: 1 });
    const spacing = readNifti(file).spacing;
    expect(spacing[0]).toBeCloseTo(1, 6);
    expect(spacing[2]).toBeCloseTo(2, 6);
  });
});

describe('readNifti voxel values', () => {
  it('treats scl_slope 0 as no scaling', () => {
    const volume = readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube, sclSlope: 0, sclInter: 100 }));
    expect(volume.data).toBeInstanceOf(Int16Array);
    expect(volume.data[7]).toBe(7);
  });

  it('applies slope and intercept as float32', () => {
    const volume = readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube, sclSlope: 2, sclInter: -1000 }));
    expect(volume.data).toBeInstanceOf(Float32Array);
    expect(volume.data[3]).toBe(-994);
  });

  it('reads big-endian files', () => {
    const big = new Uint8Array(cube);
    for (let n = 0; n < big.length; n += 2) [big[n], big[n + 1]] = [big[n + 1], big[n]];
    const volume = readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: big, bigEndian: true }));
    expect(Array.from(volume.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads small Node.js Buffers', () => {
    // Buffers under 4 KiB are views into a shared pool, so their byteOffset is not 0.
    const volume = readNifti(Buffer.from(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube })));
    expect(volume.data.length).toBe(8);
    expect(Array.from(volume.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads gzip-compressed files', () => {
    const volume = readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube, gzip: true }));
    expect(volume.data[5]).toBe(5);
  });

  it('accepts 4-D files with one time point', () => {
    expect(readNifti(buildNifti1({ dim: [4, 2, 2, 2, 1], datatype: 4, data: cube })).size).toEqual([2, 2, 2]);
  });
});

describe('readNifti rejections', () => {
  it('rejects truncated voxel data', () => {
    const file = buildNifti1({ dim: [3, 4, 4, 4], datatype: 4, data: cube });
    expect(errorCodeOf(() => readNifti(file))).toBe('NIFTI_INVALID');
  });

  it('rejects several time points', () => {
    expect(errorCodeOf(() => readNifti(buildNifti1({ dim: [4, 2, 2, 1, 2], datatype: 4, data: cube })))).toBe('NIFTI_INVALID');
  });

  it('rejects RGB datatypes', () => {
    expect(errorCodeOf(() => readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 128, data: new Uint8Array(24) })))).toBe('NIFTI_INVALID');
  });

  it('rejects .hdr/.img pairs', () => {
    expect(errorCodeOf(() => readNifti(buildNifti1({ dim: [3, 2, 2, 2], datatype: 4, data: cube, magic: 'ni1\0' })))).toBe(
      'UNSUPPORTED_FILE_FORMAT',
    );
  });

  it('rejects files that are not NIfTI', () => {
    expect(errorCodeOf(() => readNifti(new TextEncoder().encode('hello world, not an image')))).toBe('NIFTI_INVALID');
  });

  it('rejects a corrupt gzip stream', () => {
    expect(errorCodeOf(() => readNifti(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3])))).toBe('NIFTI_INVALID');
  });
});

describe('writeNifti round trip', () => {
  const oblique: Matrix3 = (() => {
    const angle = 0.3;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    return [c, -s, 0, s, c, 0, 0, 0, 1];
  })();

  const cases: Array<[string, ImageVolume]> = [
    ['int16 axial', { size: [3, 2, 2], spacing: [0.5, 0.75, 2.5], origin: [-100.25, 50.5, -300], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: Int16Array.from([-1024, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3071]) }],
    ['uint8 oblique', { size: [2, 2, 1], spacing: [1, 1, 1], origin: [1, 2, 3], direction: oblique, data: Uint8Array.from([0, 1, 2, 255]) }],
    ['float32 reflected', { size: [2, 1, 2], spacing: [1, 2, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, -1], data: Float32Array.from([0.5, -1.25, 3, 1e6]) }],
    ['float64 coronal', { size: [1, 2, 2], spacing: [1, 1, 1], origin: [5, 5, 5], direction: [1, 0, 0, 0, 0, -1, 0, 1, 0], data: Float64Array.from([Math.PI, 2, 3, 4]) }],
  ];

  for (const [name, volume] of cases) {
    for (const version of [1, 2] as const) {
      it(`keeps ${name} in NIfTI-${version}`, () => {
        const back = readNifti(writeNifti(volume, { gzip: version === 1, version }));
        expect(back.size).toEqual(volume.size);
        expect(back.data.constructor).toBe(volume.data.constructor);
        expect(Array.from(back.data)).toEqual(Array.from(volume.data));
        const precision = version === 1 ? 5 : 12;
        back.spacing.forEach((value, n) => expect(value).toBeCloseTo(volume.spacing[n], precision));
        back.origin.forEach((value, n) => expect(value).toBeCloseTo(volume.origin[n], precision));
        back.direction.forEach((value, n) => expect(value).toBeCloseTo(volume.direction[n], 6));
      });
    }
  }
});

describeWithReference('readNifti reference volumes', ['ibsi1/ct_phantom/nifti/image/phantom.nii.gz', 'studies/sts_004_ct/nifti/CT_image.nii.gz'], () => {
  it('places the IBSI CT phantom as SimpleITK does', () => {
    const volume = readNifti(readFileSync(referencePath('ibsi1/ct_phantom/nifti/image/phantom.nii.gz')));
    expect(volume.size).toEqual([204, 201, 60]);
    expect(volume.spacing[0]).toBeCloseTo(0.977, 6);
    expect(volume.spacing[2]).toBe(3);
    expect(volume.origin[0]).toBeCloseTo(-174.3945, 3);
    expect(volume.origin[1]).toBeCloseTo(-79.6255, 3);
    expect(volume.origin[2]).toBeCloseTo(-100.4, 4);
    expect(volume.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('reads the STS_004 qform-only volume', () => {
    const volume = readNifti(readFileSync(referencePath('studies/sts_004_ct/nifti/CT_image.nii.gz')));
    expect(volume.size).toEqual([173, 183, 85]);
    expect(volume.transformSource).toBe('qform');
    expect(volume.origin[2]).toBeCloseTo(590.14, 3);
  });
});
