import { crc32 as zlibCrc32 } from 'node:zlib';

import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { IDENTITY_DIRECTION, type ImageVolume } from '@radiomics/core';
import { writeNifti } from '@radiomics/core/io';
import type { LesionFeatureSet } from '@radiomics/core/pipeline/ports';
import { crc32, encodePng, loadOrRenderPreview, renderLesionPreview } from '@radiomics/core/preview';

import { MemoryBlobStore } from '../helpers/memory-result-store';

interface DecodedPng {
  width: number;
  height: number;
  colourType: number;
  chunks: string[];
  rows: Uint8Array[];
}

/** Decodes the PNG subset the encoder writes, checking every chunk CRC with zlib's. */
function decodePng(png: Uint8Array): DecodedPng {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: string[] = [];
  let offset = 8;
  let width = 0, height = 0, colourType = -1;
  const idat: Uint8Array[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    expect(view.getUint32(offset + 8 + length)).toBe(zlibCrc32(png.subarray(offset + 4, offset + 8 + length)));
    chunks.push(type);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      colourType = data[9];
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = unzlibSync(Buffer.concat(idat));
  const channels = colourType === 2 ? 3 : colourType === 6 ? 4 : 1;
  const stride = width * channels + 1;
  const rows = Array.from({ length: height }, (_, row) => {
    expect(raw[row * stride]).toBe(0);
    return raw.subarray(row * stride + 1, (row + 1) * stride);
  });
  return { width, height, colourType, chunks, rows };
}

function volume<T extends Float32Array | Uint8Array>(data: T, size: [number, number, number], spacing: [number, number, number] = [1, 1, 1]): ImageVolume<T> {
  return { data, size, spacing, origin: [0, 0, 0], direction: IDENTITY_DIRECTION };
}

describe('encodePng', () => {
  it('matches zlib CRC-32', () => {
    const bytes = new TextEncoder().encode('IEND radiomics preview');

    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it('round-trips RGB pixels', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 3 }, (_, index) => (index * 37) % 256);

    const decoded = decodePng(encodePng(3, 2, pixels, 'rgb'));

    expect(decoded.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([decoded.width, decoded.height, decoded.colourType]).toEqual([3, 2, 2]);
    expect([...decoded.rows[0], ...decoded.rows[1]]).toEqual([...pixels]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => encodePng(2, 2, new Uint8Array(5), 'grey')).toThrow(/expected 4/);
  });
});

describe('renderLesionPreview', () => {
  // A 40 × 40 × 9 CT of lung (-800 HU) with a 10 × 10 × 5 soft-tissue lesion (40 HU) at i, j 15-24, k 2-6.
  const size: [number, number, number] = [40, 40, 9];
  const ct = new Float32Array(40 * 40 * 9).fill(-800);
  const mask = new Uint8Array(ct.length);
  for (let k = 2; k <= 6; k++) {
    for (let j = 15; j <= 24; j++) {
      for (let i = 15; i <= 24; i++) {
        ct[i + 40 * (j + 40 * k)] = 40;
        mask[i + 40 * (j + 40 * k)] = 3;
      }
    }
  }

  it('draws the central slice with outline and fill', () => {
    const preview = renderLesionPreview(volume(ct, size), volume(mask, size), { label: 3, marginMm: 5, outputSize: 20 });
    const decoded = decodePng(preview.png);
    const pixel = (x: number, y: number) => [...decoded.rows[y].subarray(x * 3, x * 3 + 3)];

    expect(preview.slice).toBe(4);
    expect([decoded.width, decoded.height]).toEqual([20, 20]);
    // Crop is i, j 10-29, one voxel per pixel: corner is lung (black), (5, 5) the lesion outline, (10, 10) its fill.
    expect(pixel(0, 0)).toEqual([0, 0, 0]);
    expect(pixel(5, 5)).toEqual([255, 220, 0]);
    const grey = Math.round(((40 - (40 - 200)) / 400) * 255);
    expect(pixel(10, 10)).toEqual([Math.round(grey * 0.65 + 255 * 0.35), Math.round(grey * 0.65 + 48 * 0.35), Math.round(grey * 0.65 + 48 * 0.35)]);
  });

  it('keeps the physical aspect ratio', () => {
    const preview = renderLesionPreview(volume(ct, size, [1, 2, 1]), volume(mask, size, [1, 2, 1]), { marginMm: 0, outputSize: 100 });

    expect([preview.width, preview.height]).toEqual([50, 100]);
  });

  it('rejects a label absent from the mask', () => {
    expect(() => renderLesionPreview(volume(ct, size), volume(mask, size), { label: 1 })).toThrow(expect.objectContaining({ code: 'LABEL_NOT_FOUND' }));
  });

  it('rejects a mask on another grid', () => {
    const other = volume(new Uint8Array(40 * 40 * 8), [40, 40, 8]);

    expect(() => renderLesionPreview(volume(ct, size), other)).toThrow(expect.objectContaining({ code: 'GEOMETRY_MISMATCH' }));
  });
});

describe('loadOrRenderPreview', () => {
  const size: [number, number, number] = [12, 12, 3];
  const ct = new Float32Array(12 * 12 * 3).fill(-800);
  const mask = new Uint8Array(ct.length);
  for (let j = 4; j < 8; j++) for (let i = 4; i < 8; i++) mask[i + 12 * (j + 12)] = 1;
  const featureSet: LesionFeatureSet = {
    siteId: 'site-a',
    studyId: 'study-1',
    lesionId: 'lesion-1',
    label: 1,
    maskFile: 'mask.nii.gz',
    features: {},
    settingsHash: '0123456789abcdef'.repeat(4),
    provenance: {},
    extractedAt: '2026-12-01T00:00:00.000Z',
  };

  it('renders from the work area once and stores it', async () => {
    const blobs = new MemoryBlobStore();
    await blobs.put('work/site-a/study-1/lesion-1/0123456789ab/image.nii', writeNifti(volume(ct, size)));
    await blobs.put('work/site-a/study-1/lesion-1/0123456789ab/mask.nii.gz', writeNifti(volume(mask, size), { gzip: true }));

    const first = await loadOrRenderPreview(blobs, featureSet);
    await blobs.put('work/site-a/study-1/lesion-1/0123456789ab/image.nii', new Uint8Array([0]));
    const second = await loadOrRenderPreview(blobs, featureSet);

    expect(decodePng(first!).chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(await blobs.exists('previews/site-a/study-1/lesion-1.png')).toBe(true);
    expect(second).toEqual(first);
  });

  it('finds a region nested under an execution folder', async () => {
    const blobs = new MemoryBlobStore();
    await blobs.put('work/site-a/study-1/lesion-1/run-7/0123456789ab/image.nii', writeNifti(volume(ct, size)));
    await blobs.put('work/site-a/study-1/lesion-1/run-7/0123456789ab/mask.nii', writeNifti(volume(mask, size)));
    await blobs.put('work/site-a/study-1/lesion-1/run-7/ffffffffffff/image.nii', new Uint8Array([0]));

    const png = await loadOrRenderPreview(blobs, featureSet);

    expect(decodePng(png!).width).toBeGreaterThan(0);
  });

  it('returns nothing without the region', async () => {
    expect(await loadOrRenderPreview(new MemoryBlobStore(), featureSet)).toBeUndefined();
  });
});
