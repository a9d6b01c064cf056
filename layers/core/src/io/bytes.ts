// Byte-level helpers shared by the NIfTI, NRRD and DICOM readers.
import { Gunzip, Inflate } from 'fflate';

import { RadiomicsError } from '../errors';
import type { ErrorCode } from '../errors';
import type { VoxelArray } from '../image/volume';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Output limit of a decompression: a fixed byte count, or a function that sets it from the first bytes of
 * the output once `headBytes` of them exist (a NIfTI header gives the size of its voxel data).
 */
export type OutputLimit = number | { readonly headBytes: number; readonly limitFrom: (head: Uint8Array) => number };

/** Default ceiling on decompressed bytes, 4 GiB: larger streams are refused as decompression bombs. */
export const MAX_DECOMPRESSED_BYTES = 2 ** 32;

const INPUT_CHUNK = 1 << 16;

/**
 * Decompresses gzip (or raw deflate) data while counting the output, so that a small stream that expands
 * to gigabytes (a decompression bomb) is stopped at `limit` instead of exhausting memory. Raises `code` when
 * the stream is corrupt, truncated or larger than the limit.
 */
export function gunzipOrThrow(bytes: Uint8Array, code: ErrorCode, what: string, limit: OutputLimit = MAX_DECOMPRESSED_BYTES, raw = false): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ceiling = typeof limit === 'number' ? limit : MAX_DECOMPRESSED_BYTES;
  let headChecked = typeof limit === 'number';
  let finished = false;

  const stream = raw ? new Inflate() : new Gunzip();
  stream.ondata = (chunk, final) => {
    chunks.push(chunk);
    total += chunk.length;
    if (!headChecked && typeof limit !== 'number' && total >= limit.headBytes) {
      headChecked = true;
      ceiling = Math.min(ceiling, limit.limitFrom(concatenate(chunks, total)));
    }
    if (total > ceiling) {
      throw new RadiomicsError(code, `The ${what} expands to more than ${ceiling} bytes, more than its header describes, so it is rejected as a decompression bomb.`);
    }
    if (final) finished = true;
  };

  try {
    for (let offset = 0; offset < bytes.length; offset += INPUT_CHUNK) {
      stream.push(bytes.subarray(offset, Math.min(bytes.length, offset + INPUT_CHUNK)), offset + INPUT_CHUNK >= bytes.length);
    }
  } catch (cause) {
    if (cause instanceof RadiomicsError) throw cause;
    throw new RadiomicsError(code, `The ${what} is not a valid ${raw ? 'deflate' : 'gzip'} stream (${(cause as Error).message}).`, { cause });
  }
  if (!finished) throw new RadiomicsError(code, `The ${what} ends before its ${raw ? 'deflate' : 'gzip'} stream is complete.`);
  return concatenate(chunks, total);
}

function concatenate(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

export type ScalarType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export const SCALAR_BYTES: Readonly<Record<ScalarType, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

/**
 * Copies `count` scalars of `type` starting at `offset` into a new typed array in machine (little-endian) order.
 * 64-bit integers become Float64Array when every value is exactly representable, because ImageVolume has no
 * 64-bit integer type; otherwise the caller's `code` is raised.
 */
export function decodeScalars(
  bytes: Uint8Array,
  offset: number,
  count: number,
  type: ScalarType,
  littleEndian: boolean,
  code: ErrorCode,
): VoxelArray {
  const width = SCALAR_BYTES[type];
  const length = count * width;
  if (offset < 0 || offset + length > bytes.length) {
    throw new RadiomicsError(
      code,
      `Voxel data is truncated: ${count} voxels of ${type} need ${length} bytes from offset ${offset}, but only ${Math.max(0, bytes.length - offset)} are present.`,
    );
  }

  // A copy through the Uint8Array constructor: Node.js Buffer.slice returns a view into a shared pool.
  const raw = new Uint8Array(bytes.subarray(offset, offset + length));
  if (!littleEndian && width > 1) swapBytes(raw, width);

  switch (type) {
    case 'int8':
      return new Int8Array(raw.buffer);
    case 'uint8':
      return raw;
    case 'int16':
      return new Int16Array(raw.buffer);
    case 'uint16':
      return new Uint16Array(raw.buffer);
    case 'int32':
      return new Int32Array(raw.buffer);
    case 'uint32':
      return new Uint32Array(raw.buffer);
    case 'float32':
      return new Float32Array(raw.buffer);
    case 'float64':
      return new Float64Array(raw.buffer);
    case 'int64':
    case 'uint64':
      return wideIntegersToFloat64(raw, count, type === 'int64', code);
  }
}

function wideIntegersToFloat64(raw: Uint8Array, count: number, signed: boolean, code: ErrorCode): Float64Array {
  const view = new DataView(raw.buffer);
  const out = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    const value = signed ? view.getBigInt64(n * 8, true) : view.getBigUint64(n * 8, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RadiomicsError(code, `A 64-bit voxel value (${value}) is too large to be represented exactly.`);
    }
    out[n] = Number(value);
  }
  return out;
}

export function swapBytes(bytes: Uint8Array, width: number): void {
  for (let start = 0; start + width <= bytes.length; start += width) {
    for (let a = start, b = start + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Returns the bytes of a typed array, little-endian (the machine order on every platform Node.js targets here). */
export function typedArrayBytes(data: VoxelArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Scalar type name of a typed array. */
export function scalarTypeOf(data: VoxelArray): ScalarType {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}
