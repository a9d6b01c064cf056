// Property-based robustness of the image and mask readers: random bytes, mutations of valid files and hostile
// header values must give a value or a RadiomicsError within the time bound, never another exception or a hang.
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { RadiomicsError, type ImageVolume } from '@radiomics/core';
import * as io from '@radiomics/core/io';
import { loadDicomSeries, parseDicomFile, readNifti, readNrrd } from '@radiomics/core/io';

import { FUZZ_RUNS, mutatedBytes, typedOutcome } from '../helpers/fuzz';
import { TRANSFER_SYNTAX, encodeRle16, writeCtSeries } from '../helpers/dicom-writer';
import { buildNifti1, buildNrrd, bytesOf } from '../helpers/nifti-writer';
import { ctDicomSeries, niftiOn, rtStructFor, segFor, type GridGeometry } from '../helpers/study-builder';

/** A tiny grid keeps each reader call well under a millisecond, so hundreds of runs fit in CI. */
const TINY: GridGeometry = { size: [6, 5, 4], spacing: [0.8, 0.8, 2], origin: [-6, -6, 100] };
const TINY_COUNT = 6 * 5 * 4;

const niftiRaw = buildNifti1({
  dim: [3, 6, 5, 4],
  datatype: 4,
  data: bytesOf(Array.from({ length: TINY_COUNT }, (_, n) => n - 60), 'int16'),
  pixdim: [1, 0.8, 0.8, 2],
  qformCode: 1,
  quatern: [0, 0, 1],
  qoffset: [6, 6, 100],
  sformCode: 1,
  srow: [-0.8, 0, 0, 6, 0, -0.8, 0, 6, 0, 0, 2, 100],
});
const niftiGzip = niftiOn(TINY, new Uint8Array(TINY_COUNT).map((_, n) => n % 3));

const nrrdFields = {
  type: 'int16',
  dimension: '3',
  sizes: '6 5 4',
  space: 'left-posterior-superior',
  'space directions': '(0.8,0,0) (0,0.8,0) (0,0,2)',
  'space origin': '(-6,-6,100)',
  endian: 'little',
};
const nrrdPayload = bytesOf(Array.from({ length: TINY_COUNT }, (_, n) => n), 'int16');
const nrrdRaw = buildNrrd({ ...nrrdFields, encoding: 'raw' }, nrrdPayload);
const nrrdGzip = buildNrrd({ ...nrrdFields, encoding: 'gzip' }, gzipSync(nrrdPayload));
const nrrdAscii = buildNrrd({ ...nrrdFields, encoding: 'ascii' }, new TextEncoder().encode(Array.from({ length: TINY_COUNT }, (_, n) => String(n)).join(' ')));

const series = ctDicomSeries({ grid: TINY });
const seriesFiles = Object.entries(series.files).map(([name, bytes]) => ({ name, bytes }));
const singleSlice = seriesFiles[0]!.bytes;
const rleSeries = writeCtSeries({
  rows: 5,
  columns: 6,
  slices: 2,
  transferSyntax: TRANSFER_SYNTAX.rle,
  encapsulated: { fragments: [encodeRle16(Array.from({ length: 30 }, (_, n) => n * 3))] },
});
const rtStruct = rtStructFor(series, { lesion: { label: 1, centre: [3, 2, 2], radius: 1, hu: 40 } });
const seg = segFor(series, { lesions: [{ label: 1, centre: [3, 2, 2], radius: 1, hu: 40 }] });
const referenceCt: ImageVolume = loadDicomSeries(seriesFiles).image;

/** The mask loader for RTSTRUCT and SEG, from the io area once it exports it. */
type LoadMask = (file: { name: string; bytes: Uint8Array }, reference: ImageVolume, options?: { roiName?: string }) => unknown;
const loadMask = (io as Record<string, unknown>).loadMask as LoadMask | undefined;

const bytesUpTo4k = fc.uint8Array({ maxLength: 4096 });

describe('NIfTI reader fuzzing', () => {
  it('reads the valid samples', () => {
    expect(readNifti(niftiRaw, 'sample.nii').size).toEqual([6, 5, 4]);
    expect(readNifti(niftiGzip, 'sample.nii.gz').size).toEqual([6, 5, 4]);
  });

  it('handles random bytes, raw and gzip-wrapped', () => {
    fc.assert(
      fc.property(bytesUpTo4k, fc.boolean(), (bytes, gzip) => {
        typedOutcome(() => readNifti(gzip ? gzipSync(bytes) : bytes, 'random.nii'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles mutated files', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedBytes(niftiRaw), mutatedBytes(niftiGzip)), (bytes) => {
        typedOutcome(() => readNifti(bytes, 'mutated.nii'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles hostile header fields (huge or negative dimensions, odd types, offsets, transforms)', () => {
    const dimension = fc.integer({ min: -2, max: 32767 });
    fc.assert(
      fc.property(
        fc.record({
          dim: fc.tuple(fc.integer({ min: -1, max: 8 }), dimension, dimension, dimension, dimension),
          datatype: fc.constantFrom(0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 768, 1024, 1280, 1536, 2048, 2304, 9999),
          pixdim: fc.tuple(fc.constantFrom(-1, 0, 1), fc.double(), fc.double(), fc.double()),
          voxOffset: fc.integer({ min: -10, max: 100_000 }),
          qformCode: fc.integer({ min: -1, max: 5 }),
          sformCode: fc.integer({ min: -1, max: 5 }),
          quatern: fc.tuple(fc.double(), fc.double(), fc.double()),
          srow: fc.array(fc.double(), { minLength: 12, maxLength: 12 }),
          sclSlope: fc.double(),
          gzip: fc.boolean(),
        }),
        (fields) => {
          const bytes = buildNifti1({ ...fields, dim: [...fields.dim], pixdim: [...fields.pixdim], quatern: [...fields.quatern], data: new Uint8Array(240) });
          typedOutcome(() => readNifti(bytes, 'hostile.nii'));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('NRRD reader fuzzing', () => {
  it('reads the valid samples', () => {
    for (const sample of [nrrdRaw, nrrdGzip, nrrdAscii]) expect(readNrrd(sample, 'sample.nrrd').size).toEqual([6, 5, 4]);
  });

  it('handles random bytes, with and without the NRRD magic', () => {
    const magic = new TextEncoder().encode('NRRD0004\n');
    fc.assert(
      fc.property(bytesUpTo4k, fc.boolean(), (bytes, withMagic) => {
        const input = withMagic ? new Uint8Array([...magic, ...bytes]) : bytes;
        typedOutcome(() => readNrrd(input, 'random.nrrd'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles mutated files', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedBytes(nrrdRaw), mutatedBytes(nrrdGzip), mutatedBytes(nrrdAscii)), (bytes) => {
        typedOutcome(() => readNrrd(bytes, 'mutated.nrrd', { readDataFile: () => nrrdPayload }));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles hostile header values (huge sizes, odd types, encodings, skips, data files)', () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('100000 100000 100000', '-1 5 4', '6 5 4', '0 0 0', '6 5', 'NaN 1 1', '1e9 1 1', '65535 65535 65535'),
    );
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom('int16', 'uint8', 'float', 'double', 'int64', 'block', 'short', 'nonsense'),
          dimension: fc.constantFrom('3', '2', '4', '0', '-1', '1000', 'x'),
          sizes: anyValue,
          encoding: fc.constantFrom('raw', 'gzip', 'ascii', 'bzip2', 'hex', 'text'),
          'space directions': fc.oneof(fc.constant('(0.8,0,0) (0,0.8,0) (0,0,2)'), fc.constant('none (0,0,0) (0,0,0)'), fc.string({ maxLength: 40 })),
          'byte skip': fc.constantFrom('0', '-1', '1000000', 'x'),
          'line skip': fc.constantFrom('0', '3', '1000000'),
          'data file': fc.constantFrom('', 'payload.raw', '../escape.raw', '/etc/passwd', 'LIST', 'slice%03d.raw 1 4 1'),
        }),
        fc.boolean(),
        (fields, detached) => {
          const chosen: Record<string, string> = { ...nrrdFields, ...fields };
          if (!detached) delete chosen['data file'];
          const bytes = buildNrrd(chosen, detached ? new Uint8Array() : nrrdPayload);
          typedOutcome(() => readNrrd(bytes, 'hostile.nrrd', { readDataFile: () => nrrdPayload }));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('DICOM reader fuzzing', () => {
  it('reads the valid samples', () => {
    expect(parseDicomFile(singleSlice, 'file 1 of 1').string('x00080060')).toBe('CT');
    expect(loadDicomSeries(seriesFiles).image.size).toEqual([6, 5, 4]);
    expect(loadDicomSeries(rleSeries).image.size).toEqual([6, 5, 2]);
  });

  it('handles random bytes as a single file, with and without the DICM preamble', () => {
    const preamble = new Uint8Array(132);
    preamble.set(new TextEncoder().encode('DICM'), 128);
    fc.assert(
      fc.property(bytesUpTo4k, fc.boolean(), (bytes, withPreamble) => {
        const input = withPreamble ? new Uint8Array([...preamble, ...bytes]) : bytes;
        typedOutcome(() => parseDicomFile(input, 'file 1 of 1'));
        typedOutcome(() => loadDicomSeries([{ name: 'random.dcm', bytes: input }]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles a mutated single CT slice', () => {
    fc.assert(
      fc.property(mutatedBytes(singleSlice), (bytes) => {
        typedOutcome(() => parseDicomFile(bytes, 'file 1 of 1'));
        typedOutcome(() => loadDicomSeries([{ name: 'mutated.dcm', bytes }]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles a series with one mutated slice', () => {
    fc.assert(
      fc.property(fc.nat({ max: seriesFiles.length - 1 }), mutatedBytes(singleSlice), (index, bytes) => {
        const mutatedSeries = seriesFiles.map((file, n) => (n === index ? { name: file.name, bytes } : file));
        typedOutcome(() => loadDicomSeries(mutatedSeries));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles a mutated RLE-compressed series', () => {
    fc.assert(
      fc.property(mutatedBytes(rleSeries[0]!.bytes), (bytes) => {
        typedOutcome(() => loadDicomSeries([{ name: 'rle.dcm', bytes }, rleSeries[1]!]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles mutated RTSTRUCT and SEG files given as the image series', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedBytes(rtStruct), mutatedBytes(seg)), (bytes) => {
        typedOutcome(() => loadDicomSeries([{ name: 'mask.dcm', bytes }]));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

/**
 * Overwrites the value of an explicit-VR little-endian US element in a written file, so a test can claim sizes
 * that the pixel data does not have. Returns a patched copy; the file must contain the element.
 */
function patchUs(bytes: Uint8Array, tag: string, value: number): Uint8Array {
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4, 8), 16);
  const header = [group & 0xff, group >> 8, element & 0xff, element >> 8, 0x55, 0x53, 2, 0];
  for (let offset = 132; offset + 10 <= bytes.length; offset++) {
    if (header.every((byte, index) => bytes[offset + index] === byte)) {
      const copy = bytes.slice();
      new DataView(copy.buffer).setUint16(offset + 8, value, true);
      return copy;
    }
  }
  throw new Error(`patchUs: element ${tag} not found`);
}

/** Replaces the text of an IS or DS element of the same length or shorter (padded with spaces). */
function patchText(bytes: Uint8Array, tag: string, vr: 'IS' | 'DS', text: string): Uint8Array {
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4, 8), 16);
  const header = [group & 0xff, group >> 8, element & 0xff, element >> 8, vr.charCodeAt(0), vr.charCodeAt(1)];
  for (let offset = 132; offset + 8 <= bytes.length; offset++) {
    if (header.every((byte, index) => bytes[offset + index] === byte)) {
      const length = bytes[offset + 6]! | (bytes[offset + 7]! << 8);
      const copy = bytes.slice();
      const encoded = new TextEncoder().encode(text.slice(0, length).padEnd(length, ' '));
      copy.set(encoded, offset + 8);
      return copy;
    }
  }
  throw new Error(`patchText: element ${tag} not found`);
}

const claimedSize = fc.constantFrom(0, 1, 2, 3, 255, 256, 4096, 32768, 65535);

describe('DICOM size claims the pixel data does not back', () => {
  it('handles a CT slice claiming other rows, columns and bit depths', () => {
    fc.assert(
      fc.property(claimedSize, claimedSize, fc.constantFrom(0, 1, 8, 12, 16, 32, 64, 65535), (rows, columns, bitsAllocated) => {
        let bytes = patchUs(singleSlice, '00280010', rows);
        bytes = patchUs(bytes, '00280011', columns);
        bytes = patchUs(bytes, '00280100', bitsAllocated);
        typedOutcome(() => loadDicomSeries([{ name: 'claims.dcm', bytes }]));
      }),
      { numRuns: Math.min(FUZZ_RUNS, 200) },
    );
  });

  it.runIf(loadMask !== undefined)('handles a SEG claiming other rows, columns and frame counts', () => {
    fc.assert(
      fc.property(claimedSize, claimedSize, fc.constantFrom('0', '1', '2', '99', '9999', '-1', 'x'), (rows, columns, frames) => {
        let bytes = patchUs(seg, '00280010', rows);
        bytes = patchUs(bytes, '00280011', columns);
        bytes = patchText(bytes, '00280008', 'IS', frames);
        typedOutcome(() => loadMask!({ name: 'seg', bytes }, referenceCt));
      }),
      { numRuns: Math.min(FUZZ_RUNS, 200) },
    );
  });
});

describe('RTSTRUCT and SEG reader fuzzing', () => {
  it('the io area exports loadMask for RTSTRUCT and SEG', () => {
    expect(loadMask, 'loadMask is not exported from the io area yet').toBeTypeOf('function');
  });

  it.runIf(loadMask !== undefined)('reads the valid samples onto the CT grid', () => {
    const fromRtStruct = loadMask!({ name: 'rtstruct', bytes: rtStruct }, referenceCt, { roiName: 'GTV-1' }) as ImageVolume;
    expect(fromRtStruct.size).toEqual(referenceCt.size);
    const fromSeg = loadMask!({ name: 'seg', bytes: seg }, referenceCt) as ImageVolume;
    expect(fromSeg.size).toEqual(referenceCt.size);
  });

  it.runIf(loadMask !== undefined)('handles random bytes', () => {
    fc.assert(
      fc.property(bytesUpTo4k, (bytes) => {
        typedOutcome(() => loadMask!({ name: 'random.dcm', bytes }, referenceCt));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.runIf(loadMask !== undefined)('handles mutated RTSTRUCT files', () => {
    fc.assert(
      fc.property(mutatedBytes(rtStruct), (bytes) => {
        typedOutcome(() => loadMask!({ name: 'rtstruct', bytes }, referenceCt, { roiName: 'GTV-1' }));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.runIf(loadMask !== undefined)('handles mutated SEG files', () => {
    fc.assert(
      fc.property(mutatedBytes(seg), (bytes) => {
        typedOutcome(() => loadMask!({ name: 'seg', bytes }, referenceCt));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it.runIf(loadMask !== undefined)('refuses an RTSTRUCT whose contour points are not numbers or are astronomically far', () => {
    const far = rtStructFor({ ...series, grid: { ...TINY, origin: [1e12, -1e12, 1e12] } });
    const outcome = typedOutcome(() => loadMask!({ name: 'rtstruct', bytes: far }, referenceCt, { roiName: 'GTV-1' }));
    expect(outcome).not.toBe('INTERNAL_ERROR');
  });
});

describe('typed outcomes carry catalogue codes', () => {
  it('a reader error is a RadiomicsError with an action', () => {
    try {
      readNifti(new Uint8Array(10), 'short.nii');
      expect.unreachable('a 10-byte file is not NIfTI');
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(RadiomicsError);
      expect((thrown as RadiomicsError).action.length).toBeGreaterThan(10);
    }
  });

});
