/**
 * A minimal PNG encoder (8-bit greyscale, RGB or RGBA, no interlace), enough for lesion previews.
 *
 * Layout from the PNG specification (ISO/IEC 15948): the 8-byte signature, then IHDR, one IDAT holding the
 * zlib stream of all scanlines (each prefixed by its filter type byte, here 0 = None), then IEND. Every chunk
 * is length, type, data and a CRC-32 over type and data.
 */
import { zlibSync } from 'fflate';

import { RadiomicsError } from '../errors';

export type PngColourType = 'grey' | 'rgb' | 'rgba';

const CHANNELS: Record<PngColourType, number> = { grey: 1, rgb: 3, rgba: 4 };
const COLOUR_TYPE_CODE: Record<PngColourType, number> = { grey: 0, rgb: 2, rgba: 6 };
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | undefined;

/** CRC-32 with the reflected polynomial 0xEDB88320, as PNG and zlib define it. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let index = start; index < end; index++) crc = crcTable[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let index = 0; index < 4; index++) out[4 + index] = type.charCodeAt(index);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Encodes pixels given row by row, top row first, `channels` bytes per pixel. */
export function encodePng(width: number, height: number, pixels: Uint8Array, colourType: PngColourType = 'rgb'): Uint8Array {
  const channels = CHANNELS[colourType];
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 16384 || height > 16384) {
    throw new RadiomicsError('INTERNAL_ERROR', `PNG size ${width} × ${height} is invalid; each side must be 1-16384 pixels.`);
  }
  if (pixels.length !== width * height * channels) {
    throw new RadiomicsError('INTERNAL_ERROR', `PNG pixel buffer has ${pixels.length} bytes, expected ${width * height * channels}.`);
  }

  const header = new Uint8Array(13);
  const headerView = new DataView(header.buffer);
  headerView.setUint32(0, width);
  headerView.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = COLOUR_TYPE_CODE[colourType];
  // Bytes 10-12 stay 0: deflate compression, adaptive filtering, no interlace.

  const stride = width * channels;
  const scanlines = new Uint8Array(height * (stride + 1));
  for (let row = 0; row < height; row++) {
    scanlines.set(pixels.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1);
  }

  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', header), chunk('IDAT', zlibSync(scanlines, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const png = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}
