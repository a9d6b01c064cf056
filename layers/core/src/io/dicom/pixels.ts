// Pixel data of one DICOM frame: native (uncompressed) or encapsulated and decoded with RLE (implemented here
// from PS3.5 Annex G), JPEG Lossless (jpeg-lossless-decoder-js), JPEG-LS (CharLS) or JPEG 2000 (OpenJPEG).
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';

import { RadiomicsError } from '../../errors';
import { transferSyntaxOf, uint16 } from './dataset';

export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  '1.2.840.10008.1.2', // Implicit VR Little Endian
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian
  '1.2.840.10008.1.2.2', // Explicit VR Big Endian (retired)
]);

const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
const JPEG_LOSSLESS: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70']);
const JPEG_LS: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81']);
const JPEG_2000: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91']);

/** Transfer syntaxes whose pixel data are lossy; they decode, but the loader warns. */
export const LOSSY_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set(['1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.91']);

interface WasmCodec {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface CodecModules {
  charls?: { JpegLSDecoder: new () => WasmCodec };
  openjpeg?: { J2KDecoder: new () => WasmCodec };
}

const codecs: CodecModules = {};

/**
 * Loads the JPEG-LS and JPEG 2000 decoders (Emscripten modules that initialise asynchronously). Call once
 * before reading series in those transfer syntaxes; later calls return at once.
 */
export async function prepareDicomCodecs(): Promise<void> {
  if (!codecs.charls) {
    const factory = (await import('@cornerstonejs/codec-charls')).default;
    codecs.charls = (await factory()) as CodecModules['charls'];
  }
  if (!codecs.openjpeg) {
    const factory = (await import('@cornerstonejs/codec-openjpeg')).default;
    codecs.openjpeg = (await factory()) as CodecModules['openjpeg'];
  }
}

/** True when pixel data in this transfer syntax needs prepareDicomCodecs(). */
export function needsWasmCodec(uid: string): boolean {
  return JPEG_LS.has(uid) || JPEG_2000.has(uid);
}

export function isSupportedTransferSyntax(uid: string): boolean {
  return NATIVE_TRANSFER_SYNTAXES.has(uid) || uid === RLE_LOSSLESS || JPEG_LOSSLESS.has(uid) || JPEG_LS.has(uid) || JPEG_2000.has(uid);
}

export function assertSupportedTransferSyntax(uid: string): void {
  if (!isSupportedTransferSyntax(uid)) {
    throw new RadiomicsError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `Transfer syntax ${uid} is not supported; supported are Implicit/Explicit VR Little Endian, Explicit VR Big Endian, Deflated, RLE Lossless, JPEG Lossless, JPEG-LS and JPEG 2000.`,
      { details: { transferSyntaxUid: uid } },
    );
  }
}

export interface PixelFormat {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly samplesPerPixel: number;
}

export function pixelFormatOf(dataSet: DataSet): PixelFormat {
  const rows = uint16(dataSet, 'x00280010') ?? 0;
  const columns = uint16(dataSet, 'x00280011') ?? 0;
  const bitsAllocated = uint16(dataSet, 'x00280100') ?? 0;
  const bitsStored = uint16(dataSet, 'x00280101') ?? bitsAllocated;
  const pixelRepresentation = uint16(dataSet, 'x00280103') ?? 0;
  const samplesPerPixel = uint16(dataSet, 'x00280002') ?? 1;
  return { rows, columns, bitsAllocated, bitsStored, pixelRepresentation, samplesPerPixel };
}

/**
 * Stored values of one frame, sign-extended from BitsStored when PixelRepresentation is 1 and masked to
 * BitsStored bits otherwise (bits above BitsStored may carry overlays and are not part of the value).
 * Full-width little-endian 16-bit samples come back as a view or copy without per-pixel work.
 */
export function readStoredValues(
  dataSet: DataSet,
  frameIndex: number,
  format: PixelFormat,
  position: string,
): Int16Array | Uint16Array | Int32Array {
  const { rows, columns, bitsAllocated, bitsStored, pixelRepresentation } = format;
  const count = rows * columns;
  const bytes = frameBytes(dataSet, frameIndex, format, position);
  const transferSyntax = transferSyntaxOf(dataSet);
  const littleEndian = !(NATIVE_TRANSFER_SYNTAXES.has(transferSyntax) && transferSyntax === '1.2.840.10008.1.2.2');
  const bytesPerSample = bitsAllocated / 8;
  if (bytes.length < count * bytesPerSample) {
    throw new RadiomicsError(
      'DICOM_TRUNCATED',
      `DICOM ${position}: pixel data has ${bytes.length} bytes, but ${rows} × ${columns} pixels of ${bitsAllocated} bits need ${count * bytesPerSample}.`,
    );
  }

  if (bitsAllocated === 16 && bitsStored === 16 && littleEndian) {
    // Typed-array views need 2-byte alignment; an odd offset inside the file buffer needs a copy.
    const aligned = bytes.byteOffset % 2 === 0 ? bytes : new Uint8Array(bytes.subarray(0, count * 2));
    return pixelRepresentation === 1
      ? new Int16Array(aligned.buffer, aligned.byteOffset, count)
      : new Uint16Array(aligned.buffer, aligned.byteOffset, count);
  }

  const values = new Int32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shift = 32 - bitsStored;
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  for (let n = 0; n < count; n++) {
    let raw: number;
    if (bitsAllocated === 16) raw = view.getUint16(2 * n, littleEndian);
    else if (bitsAllocated === 8) raw = bytes[n];
    else raw = view.getUint32(4 * n, littleEndian);
    values[n] = pixelRepresentation === 1 ? (raw << shift) >> shift : (raw & mask) >>> 0;
  }
  return values;
}

function frameBytes(dataSet: DataSet, frameIndex: number, format: PixelFormat, position: string): Uint8Array {
  const element = dataSet.elements.x7fe00010;
  if (!element) throw new RadiomicsError('DICOM_INVALID', `DICOM ${position} has no pixel data.`);
  const transferSyntax = transferSyntaxOf(dataSet);
  assertSupportedTransferSyntax(transferSyntax);

  if (NATIVE_TRANSFER_SYNTAXES.has(transferSyntax)) {
    const frameLength = format.rows * format.columns * (format.bitsAllocated / 8);
    const start = element.dataOffset + frameIndex * frameLength;
    if (start + frameLength > dataSet.byteArray.length || (element.length !== 0xffffffff && element.length < (frameIndex + 1) * frameLength)) {
      throw new RadiomicsError('DICOM_TRUNCATED', `DICOM ${position}: pixel data ends before frame ${frameIndex + 1} is complete.`);
    }
    return dataSet.byteArray.subarray(start, start + frameLength);
  }

  let encoded: Uint8Array;
  try {
    encoded = encapsulatedFrame(dataSet, frameIndex);
  } catch (cause) {
    throw new RadiomicsError('DICOM_INVALID', `DICOM ${position}: encapsulated pixel data could not be read.`, { cause });
  }
  try {
    if (transferSyntax === RLE_LOSSLESS) return decodeRle(encoded, format);
    if (JPEG_LOSSLESS.has(transferSyntax)) {
      const copy = new Uint8Array(encoded); // a real copy: dicom-parser may return a Node.js Buffer view
      return new Uint8Array(new JpegLosslessDecoder().decompress(copy.buffer, 0, copy.length));
    }
    if (JPEG_LS.has(transferSyntax)) return decodeWasm(codecs.charls && new codecs.charls.JpegLSDecoder(), encoded, transferSyntax);
    return decodeWasm(codecs.openjpeg && new codecs.openjpeg.J2KDecoder(), encoded, transferSyntax);
  } catch (cause) {
    if (cause instanceof RadiomicsError) throw cause;
    throw new RadiomicsError('DICOM_INVALID', `DICOM ${position}: compressed pixel data (transfer syntax ${transferSyntax}) could not be decoded.`, {
      cause,
    });
  }
}

function encapsulatedFrame(dataSet: DataSet, frameIndex: number): Uint8Array {
  const element = dataSet.elements.x7fe00010;
  const fragments = (element as { fragments?: unknown[] }).fragments ?? [];
  const frames = Number(dataSet.intString('x00280008') ?? 1) || 1;
  if (frames === 1 && fragments.length > 1) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
  }
  if (element.basicOffsetTable && element.basicOffsetTable.length > 0) {
    return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex);
  }
  if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1);
  const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
  return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex, table);
}

function decodeWasm(decoder: WasmCodec | undefined, encoded: Uint8Array, transferSyntax: string): Uint8Array {
  if (!decoder) {
    throw new RadiomicsError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `Transfer syntax ${transferSyntax} needs the JPEG-LS/JPEG 2000 decoders, which were not loaded (prepareDicomCodecs() loads them).`,
      { details: { transferSyntaxUid: transferSyntax } },
    );
  }
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    return decoder.getDecodedBuffer().slice();
  } finally {
    decoder.delete();
  }
}

/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header with the segment count and offsets, one PackBits segment per
 * byte plane, most significant plane first. Returns little-endian samples.
 */
export function decodeRle(encoded: Uint8Array, format: PixelFormat): Uint8Array {
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segmentCount = view.getUint32(0, true);
  const bytesPerSample = format.bitsAllocated / 8;
  if (segmentCount !== bytesPerSample * format.samplesPerPixel) {
    throw new RadiomicsError('DICOM_INVALID', `RLE pixel data has ${segmentCount} segments; ${bytesPerSample} were expected.`);
  }
  const pixels = format.rows * format.columns;
  const out = new Uint8Array(pixels * bytesPerSample);
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = view.getUint32(4 + 4 * segment, true);
    const end = segment + 1 < segmentCount ? view.getUint32(8 + 4 * segment, true) : encoded.length;
    // Segment 0 contains the most significant byte, which is the last byte of a little-endian sample.
    const byteIndex = bytesPerSample - 1 - segment;
    let read = start;
    let written = 0;
    while (read < end && written < pixels) {
      const header = (encoded[read++] << 24) >> 24;
      if (header >= 0) {
        for (let n = 0; n <= header && written < pixels; n++) out[written++ * bytesPerSample + byteIndex] = encoded[read++];
      } else if (header !== -128) {
        const value = encoded[read++];
        for (let n = 0; n < 1 - header && written < pixels; n++) out[written++ * bytesPerSample + byteIndex] = value;
      }
    }
    if (written < pixels) throw new RadiomicsError('DICOM_TRUNCATED', `RLE segment ${segment + 1} ends after ${written} of ${pixels} pixels.`);
  }
  return out;
}
