import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { dicomSeriesOf, loadDicomSeries, loadDicomSeriesAsync, readNifti } from '@radiomics/core/io';

import {
  TRANSFER_SYNTAX,
  ctSliceElements,
  el,
  encodeFrame,
  encodeRle16,
  newUid,
  writeCtSeries,
  writeDicom,
  type DicomElement,
} from '../helpers/dicom-writer';
import { describeWithReference, referencePath } from '../helpers/reference';
import { errorCodeOf, errorOf } from './error-code';

const small = { rows: 3, columns: 4, slices: 5 };

function replace(elements: DicomElement[], tag: string, vr: string, value: DicomElement['value']): DicomElement[] {
  return [...elements.filter((element) => element.tag !== tag), el(tag, vr, value)];
}

describe('loadDicomSeries geometry', () => {
  it('sorts slices by position, not file order', () => {
    const files = writeCtSeries({ ...small, sliceSpacing: 2.5, positionOf: (k) => [-10, 20, 100 - 2.5 * k] }).reverse();
    const { image, series } = loadDicomSeries(files);
    expect(image.size).toEqual([4, 3, 5]);
    expect(image.spacing).toEqual([1, 1, 2.5]);
    expect(image.origin).toEqual([-10, 20, 90]);
    // The slice at z = 90 was written as k = 4, so its first pixel is 40.
    expect(image.data[0]).toBe(40);
    expect(series.sliceCount).toBe(5);
    expect(dicomSeriesOf(image)?.seriesInstanceUid).toBe(series.seriesInstanceUid);
  });

  it('ignores instance numbers', () => {
    const files = writeCtSeries({
      ...small,
      editSlice: (k, elements) => replace(elements, '00200013', 'IS', String(100 - k)),
    });
    expect(loadDicomSeries(files).image.data[0]).toBe(0);
  });

  it('reads oblique and coronal orientations', () => {
    const files = writeCtSeries({ ...small, orientation: [1, 0, 0, 0, 0, -1], positionOf: (k) => [0, 3 * k, 0], pixelSpacing: [0.5, 0.7] });
    const { image } = loadDicomSeries(files);
    expect(image.direction).toEqual([1, 0, 0, 0, 0, 1, 0, -1, 0]);
    expect(image.spacing).toEqual([0.7, 0.5, 3]);
  });

  it('keeps single slices with a warning', () => {
    const { image, warnings } = loadDicomSeries(writeCtSeries({ ...small, slices: 1, sliceThickness: 1.25 }));
    expect(image.size[2]).toBe(1);
    expect(image.spacing[2]).toBe(1.25);
    expect(warnings.join(' ')).toContain('single slice');
  });
});

describe('loadDicomSeries values', () => {
  it('applies per-slice rescale as floats', () => {
    const files = writeCtSeries({
      ...small,
      editSlice: (k, elements) => replace(replace(elements, '00281053', 'DS', k === 2 ? '0.5' : '1'), '00281052', 'DS', '-1024'),
    });
    const { image, warnings } = loadDicomSeries(files);
    expect(image.data).toBeInstanceOf(Float32Array);
    expect(image.data[2 * 12 + 1]).toBe((20 + 1) * 0.5 - 1024);
    expect(image.data[1 * 12 + 1]).toBe(11 - 1024);
    expect(warnings.join(' ')).toContain('float32');
  });

  it('returns int16 for integer HU', () => {
    const files = writeCtSeries({ ...small, rescaleIntercept: -1024, pixelRepresentation: 0 });
    const { image } = loadDicomSeries(files);
    expect(image.data).toBeInstanceOf(Int16Array);
    expect(image.data[3]).toBe(3 - 1024);
  });

  it('switches to float32 beyond int16 range', () => {
    const files = writeCtSeries({ ...small, pixelRepresentation: 0, rescaleIntercept: 0, pixelsOf: (k) => new Array(12).fill(k === 3 ? 40000 : 7) });
    const { image } = loadDicomSeries(files);
    expect(image.data).toBeInstanceOf(Float32Array);
    expect(image.data[0]).toBe(7);
    expect(image.data[3 * 12]).toBe(40000);
  });

  it('sign-extends from BitsStored', () => {
    // 12 stored bits, signed: 0xFFB (4091) is −5; bits above 12 are overlay noise.
    const files = writeCtSeries({ ...small, bitsStored: 12, pixelRepresentation: 1, pixelsOf: () => new Array(12).fill(0xfffb) });
    expect(loadDicomSeries(files).image.data[0]).toBe(-5);
    const noisy = writeCtSeries({ ...small, bitsStored: 12, pixelRepresentation: 1, pixelsOf: () => new Array(12).fill(0x7ffb) });
    expect(loadDicomSeries(noisy).image.data[0]).toBe(-5);
  });

  it('masks unsigned values to BitsStored', () => {
    const files = writeCtSeries({ ...small, bitsStored: 12, pixelRepresentation: 0, rescaleIntercept: -1000, pixelsOf: () => new Array(12).fill(0xf000 + 1200) });
    expect(loadDicomSeries(files).image.data[0]).toBe(200);
  });

  it('reads 8-bit pixels', () => {
    const files = writeCtSeries({ ...small, bitsAllocated: 8, pixelRepresentation: 0, pixelsOf: () => new Array(12).fill(200) });
    expect(loadDicomSeries(files).image.data[5]).toBe(200);
  });
});

describe('loadDicomSeries transfer syntaxes', () => {
  const expected = Array.from({ length: 60 }, (_, n) => 10 * Math.floor(n / 12) + ((n % 12) % 4) - 3);
  const pixelsOf = (k: number): number[] => Array.from({ length: 12 }, (_, n) => 10 * k + (n % 4) - 3);

  for (const [name, uid] of [
    ['Implicit VR Little Endian', TRANSFER_SYNTAX.implicitLittle],
    ['Explicit VR Little Endian', TRANSFER_SYNTAX.explicitLittle],
    ['Deflated Explicit VR Little Endian', TRANSFER_SYNTAX.deflated],
  ] as const) {
    it(`reads ${name}`, () => {
      const { image, series } = loadDicomSeries(writeCtSeries({ ...small, pixelsOf, transferSyntax: uid }));
      expect(Array.from(image.data)).toEqual(expected);
      expect(series.transferSyntaxes).toEqual([uid]);
    });
  }

  it('reads Explicit VR Big Endian', () => {
    const files = writeCtSeries({ ...small, pixelsOf, transferSyntax: TRANSFER_SYNTAX.explicitBig });
    expect(Array.from(loadDicomSeries(files).image.data)).toEqual(expected);
  });

  it('reads RLE Lossless', () => {
    const files = writeCtSeries({
      ...small,
      transferSyntax: TRANSFER_SYNTAX.rle,
      editSlice: (k, elements) => replace(elements, '7FE00010', 'OB', { fragments: [encodeRle16(pixelsOf(k).map((v) => v & 0xffff))] }),
    });
    expect(Array.from(loadDicomSeries(files).image.data)).toEqual(expected);
  });

  for (const [kind, uid] of [
    ['jpeg-ls', TRANSFER_SYNTAX.jpegLs],
    ['jpeg-2000', TRANSFER_SYNTAX.jpeg2000Lossless],
  ] as const) {
    it(`decodes ${kind} with the cornerstone codec`, async () => {
      const frames = await Promise.all([0, 1, 2, 3, 4].map((k) => encodeFrame(kind, pixelsOf(k), 4, 3, true)));
      const files = writeCtSeries({
        ...small,
        transferSyntax: uid,
        editSlice: (k, elements) => replace(elements, '7FE00010', 'OB', { fragments: [frames[k]] }),
      });
      const { image } = await loadDicomSeriesAsync(files);
      expect(Array.from(image.data)).toEqual(expected);
    });
  }

  it('rejects lossy JPEG baseline naming the UID', () => {
    const files = writeCtSeries({
      ...small,
      transferSyntax: TRANSFER_SYNTAX.jpegBaseline,
      editSlice: (_k, elements) => replace(elements, '7FE00010', 'OB', { fragments: [new Uint8Array([0xff, 0xd8, 0xff, 0xd9])] }),
    });
    const error = errorOf(() => loadDicomSeries(files));
    expect(error.code).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
    expect(error.message).toContain('1.2.840.10008.1.2.4.50');
  });

  it('rejects corrupt compressed frames', () => {
    const files = writeCtSeries({
      ...small,
      transferSyntax: TRANSFER_SYNTAX.jpegLossless,
      editSlice: (_k, elements) => replace(elements, '7FE00010', 'OB', { fragments: [new Uint8Array([1, 2, 3, 4])] }),
    });
    expect(errorCodeOf(() => loadDicomSeries(files))).toBe('DICOM_INVALID');
  });
});

describe('loadDicomSeries rejections', () => {
  it('ignores files that are not DICOM', () => {
    const files = [...writeCtSeries(small), { name: 'notes.txt', bytes: new TextEncoder().encode('scan notes') }];
    const { warnings } = loadDicomSeries(files);
    expect(warnings.join(' ')).toContain('1 file is not DICOM');
  });

  it('rejects uploads without image series', () => {
    expect(errorCodeOf(() => loadDicomSeries([{ name: 'a.txt', bytes: new Uint8Array(10) }]))).toBe('SERIES_NOT_FOUND');
  });

  it('rejects mixed series', () => {
    const files = [...writeCtSeries(small), ...writeCtSeries(small)];
    const error = errorOf(() => loadDicomSeries(files));
    expect(error.code).toBe('MIXED_SERIES');
    expect((error.details.seriesInstanceUids as string[]).length).toBe(2);
  });

  it('loads the named series of several', () => {
    const seriesUid = newUid();
    const files = [...writeCtSeries({ ...small, seriesUid }), ...writeCtSeries({ ...small, slices: 2 })];
    expect(loadDicomSeries(files, { seriesInstanceUid: seriesUid }).image.size[2]).toBe(5);
    expect(errorCodeOf(() => loadDicomSeries(files, { seriesInstanceUid: '9.9.9' }))).toBe('SERIES_NOT_FOUND');
  });

  it('rejects non-CT modalities', () => {
    const error = errorOf(() => loadDicomSeries(writeCtSeries({ ...small, modality: 'MR' })));
    expect(error.code).toBe('NOT_CT_MODALITY');
    expect(error.message).toContain('MR');
  });

  it('rejects duplicate slices', () => {
    const files = writeCtSeries({ ...small, positionOf: (k) => [0, 0, k === 3 ? 4 : 2 * k] });
    expect(errorCodeOf(() => loadDicomSeries(files))).toBe('DUPLICATE_SLICES');
  });

  it('reports missing slices', () => {
    const files = writeCtSeries({ ...small, slices: 8, positionOf: (k) => [0, 0, 2 * (k < 4 ? k : k + 2)] });
    const error = errorOf(() => loadDicomSeries(files));
    expect(error.code).toBe('MISSING_SLICES');
    expect(error.details.missingSlices).toBe(2);
  });

  it('rejects non-uniform spacing', () => {
    const files = writeCtSeries({ ...small, positionOf: (k) => [0, 0, [0, 2, 4, 6.5, 8.5][k]] });
    expect(errorCodeOf(() => loadDicomSeries(files))).toBe('NON_UNIFORM_SPACING');
  });

  it('accepts spacing jitter within 1 %', () => {
    const files = writeCtSeries({ ...small, positionOf: (k) => [0, 0, [0, 2, 4.01, 6, 8][k]] });
    expect(loadDicomSeries(files).image.spacing[2]).toBeCloseTo(2, 9);
  });

  it('rejects drifting slice origins as tilt', () => {
    const files = writeCtSeries({ ...small, positionOf: (k) => [0, 0.5 * k, 2 * k] });
    expect(errorCodeOf(() => loadDicomSeries(files))).toBe('GANTRY_TILT');
  });

  it('rejects a GantryDetectorTilt', () => {
    const files = writeCtSeries({ ...small, extra: [el('00181120', 'DS', '15')] });
    expect(errorCodeOf(() => loadDicomSeries(files))).toBe('GANTRY_TILT');
  });

  it('rejects slices of different sizes', () => {
    const files = writeCtSeries(small);
    const seriesUid = newUid();
    const mixed = writeCtSeries({ ...small, seriesUid, editSlice: (k, elements) => (k === 2 ? replace(elements, '00280030', 'DS', ['0.9', '0.9']) : elements) });
    expect(errorCodeOf(() => loadDicomSeries(mixed))).toBe('INCONSISTENT_SLICES');
    expect(loadDicomSeries(files).image.size[0]).toBe(4);
  });

  for (const transferSyntax of [TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.explicitLittle]) {
    it(`rejects truncated pixel data in ${transferSyntax}`, () => {
      const files = writeCtSeries({ ...small, transferSyntax });
      files[2] = { name: 'cut.dcm', bytes: files[2].bytes.subarray(0, files[2].bytes.length - 10) };
      expect(errorCodeOf(() => loadDicomSeries(files))).toBe('DICOM_TRUNCATED');
    });
  }

  it('rejects series above maxVoxels', () => {
    expect(errorCodeOf(() => loadDicomSeries(writeCtSeries(small), { maxVoxels: 50 }))).toBe('VOLUME_TOO_LARGE');
  });

  it('rejects missing ImagePositionPatient', () => {
    const files = writeCtSeries({ ...small, omit: ['00200032'] });
    expect(errorCodeOf(() => loadDicomSeries(files))).toBe('DICOM_INVALID');
  });
});

describe('loadDicomSeries multi-frame', () => {
  function enhancedCt(withPositions: boolean): Uint8Array {
    const frames = 3;
    const pixels = Array.from({ length: 12 * frames }, (_, n) => n);
    const base = ctSliceElements({ rows: 3, columns: 4, pixels, position: [0, 0, 0], seriesUid: newUid(), sopClassUid: '1.2.840.10008.5.1.4.1.1.2.1' });
    const perFrame = Array.from({ length: frames }, (_, f) =>
      withPositions ? [el('00209113', 'SQ', [[el('00200032', 'DS', ['0', '0', String(10 - 2 * f)])]])] : [el('00209111', 'SQ', [[]])],
    );
    return writeDicom([
      ...base.filter((element) => !['00200032', '00200037', '00280030'].includes(element.tag)),
      el('00280008', 'IS', String(frames)),
      el('52009229', 'SQ', [
        [el('00209116', 'SQ', [[el('00200037', 'DS', ['1', '0', '0', '0', '1', '0'])]]), el('00289110', 'SQ', [[el('00280030', 'DS', ['0.8', '0.8'])]])],
      ]),
      el('52009230', 'SQ', perFrame),
    ]);
  }

  it('places frames by their plane positions', () => {
    const { image, series } = loadDicomSeries([{ name: 'enhanced.dcm', bytes: enhancedCt(true) }]);
    expect(image.size).toEqual([4, 3, 3]);
    expect(image.spacing).toEqual([0.8, 0.8, 2]);
    expect(image.origin).toEqual([0, 0, 6]);
    expect(image.data[0]).toBe(24); // frame 3 (z = 6) comes first
    expect(series.multiFrame).toBe(true);
  });

  it('rejects frames without positions', () => {
    expect(errorCodeOf(() => loadDicomSeries([{ name: 'enhanced.dcm', bytes: enhancedCt(false) }]))).toBe('MULTIFRAME_UNSUPPORTED');
  });
});

describeWithReference('loadDicomSeries reference studies', ['ibsi1/ct_phantom/dicom/image', 'studies/sts_004_ct/dicom/image'], () => {
  const cases = [
    ['IBSI CT phantom', 'ibsi1/ct_phantom/dicom/image', 'ibsi1/ct_phantom/nifti/image/phantom.nii.gz'],
    ['STS_004', 'studies/sts_004_ct/dicom/image', 'studies/sts_004_ct/nifti/CT_image.nii.gz'],
  ] as const;
  for (const [name, folder, twin] of cases) {
    it(`loads ${name} equal to its NIfTI twin`, () => {
      const files = readdirSync(referencePath(folder)).map((file) => ({ name: file, bytes: readFileSync(referencePath(folder, file)) }));
      const { image, warnings } = loadDicomSeries(files);
      const nifti = readNifti(readFileSync(referencePath(twin)));
      expect(image.size).toEqual(nifti.size);
      expect(warnings).toEqual([]);
      for (let axis = 0; axis < 3; axis++) {
        expect(Math.abs(image.spacing[axis] - nifti.spacing[axis])).toBeLessThan(1e-5);
        expect(Math.abs(image.origin[axis] - nifti.origin[axis])).toBeLessThan(1e-4);
      }
      expect(image.direction).toEqual(nifti.direction);
      let differing = 0;
      for (let n = 0; n < nifti.data.length; n++) if (image.data[n] !== nifti.data[n]) differing++;
      expect(differing).toBe(0);
    });
  }
});
