import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { RadiomicsError } from '@radiomics/core';
import { loadDicomSeries, loadMask, readNifti, readNrrd, writeNifti } from '@radiomics/core/io';

import { buildNrrd, bytesOf } from '../helpers/nifti-writer';
import { TRANSFER_SYNTAX, concat, writeCtSeries, writeRtStruct, writeSeg } from '../helpers/dicom-writer';
import { errorCodeOf, errorOf } from './error-code';

/** Runs `action`; anything thrown must be a RadiomicsError (never a TypeError, RangeError or a string). */
function onlyRadiomicsErrors(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof RadiomicsError)) throw new Error(`unexpected ${String(error)}`, { cause: error });
  }
}

/** Arbitrary corruption of a file: overwritten bytes and an optional truncation. */
const corruption = fc.record({
  writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  keep: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
});

function corrupt(bytes: Uint8Array, change: { writes: [number, number][]; keep: number | null }): Uint8Array {
  const out = new Uint8Array(bytes);
  for (const [position, value] of change.writes) out[position % out.length] = value;
  return change.keep === null ? out : out.subarray(0, Math.floor(out.length * change.keep));
}

describe('hostile bytes', () => {
  const volume = { size: [3, 3, 2] as const, spacing: [1, 1, 2] as const, origin: [0, 0, 0] as const, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as const, data: new Int16Array(18).fill(7) };
  const nifti = writeNifti(volume);
  const niftiGz = writeNifti(volume, { gzip: true });
  const nrrd = buildNrrd({ type: 'short', dimension: '3', sizes: '3 3 2', space: 'left-posterior-superior', 'space directions': '(1,0,0) (0,1,0) (0,0,2)', encoding: 'raw' }, bytesOf(new Array(18).fill(7), 'int16'));

  it('NIfTI readers raise only catalogue errors', () => {
    fc.assert(
      fc.property(corruption, fc.boolean(), (change, gz) => {
        onlyRadiomicsErrors(() => readNifti(corrupt(gz ? niftiGz : nifti, change)));
      }),
      { numRuns: 300 },
    );
  });

  it('NRRD reader raises only catalogue errors', () => {
    fc.assert(
      fc.property(corruption, (change) => {
        onlyRadiomicsErrors(() => readNrrd(corrupt(nrrd, change)));
      }),
      { numRuns: 300 },
    );
  });

  it('DICOM series loader raises only catalogue errors', () => {
    for (const transferSyntax of [TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.explicitLittle, TRANSFER_SYNTAX.deflated]) {
      const files = writeCtSeries({ rows: 4, columns: 4, slices: 3, transferSyntax });
      fc.assert(
        fc.property(fc.nat({ max: 2 }), corruption, (index, change) => {
          const broken = files.map((file, n) => (n === index ? { name: file.name, bytes: corrupt(file.bytes, change) } : file));
          onlyRadiomicsErrors(() => loadDicomSeries(broken));
        }),
        { numRuns: 200 },
      );
    }
  });

  it('mask loader raises only catalogue errors', () => {
    const reference = loadDicomSeries(writeCtSeries({ rows: 8, columns: 8, slices: 3, frameOfReferenceUid: '1.2.3' })).image;
    const rtstruct = writeRtStruct({ frameOfReferenceUid: '1.2.3', rois: [{ number: 1, name: 'A', contours: [{ points: [1, 1, 2, 5, 1, 2, 5, 5, 2] }] }] });
    const seg = writeSeg({ rows: 8, columns: 8, frameOfReferenceUid: '1.2.3', pixelSpacing: [1, 1], segments: [{ number: 1, label: 'A' }], frames: [{ segment: 1, position: [0, 0, 2], pixels: new Array(64).fill(1) }] });
    fc.assert(
      fc.property(fc.boolean(), corruption, (useSeg, change) => {
        onlyRadiomicsErrors(() => loadMask({ name: 'mask', bytes: corrupt(useSeg ? seg : rtstruct, change) }, reference));
      }),
      { numRuns: 300 },
    );
  });

  it('stops gzip bombs at the size the header describes', () => {
    const header = writeNifti(volume).subarray(0, 352);
    const bomb = gzipSync(concat([header, new Uint8Array(64 * 2 ** 20)]));
    expect(bomb.length).toBeLessThan(200_000);
    const error = errorOf(() => readNifti(bomb));
    expect(error.code).toBe('NIFTI_INVALID');
    expect(error.message).toContain('decompression bomb');

    const nrrdBomb = buildNrrd({ type: 'short', dimension: '3', sizes: '3 3 2', encoding: 'gzip' }, gzipSync(new Uint8Array(64 * 2 ** 20)));
    expect(errorOf(() => readNrrd(nrrdBomb)).message).toContain('decompression bomb');
  });

  it('rejects headers claiming more pixels than stored', () => {
    const claiming = (rows: number) =>
      writeCtSeries({
        rows: 4,
        columns: 4,
        slices: 2,
        editSlice: (_k, elements) => elements.map((element) => (element.tag === '00280010' || element.tag === '00280011' ? { ...element, value: rows } : element)),
      });
    expect(errorCodeOf(() => loadDicomSeries(claiming(65535)))).toBe('VOLUME_TOO_LARGE');
    expect(errorCodeOf(() => loadDicomSeries(claiming(100)))).toBe('DICOM_TRUNCATED');
  });
});
