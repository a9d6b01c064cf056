// Builds NIfTI-1 files with any header field chosen by the test, including inconsistent or hostile ones
// that the product writer (writeNifti) never produces: conflicting qform/sform, shear, odd scaling.
import { gzipSync } from 'fflate';

export interface RawNiftiFields {
  dim: number[];
  /** NIfTI datatype code: 2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 512 uint16 … */
  datatype: number;
  /** The voxel payload, already in the datatype's little-endian layout. */
  data: Uint8Array;
  pixdim?: number[];
  sclSlope?: number;
  sclInter?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: [number, number, number];
  qoffset?: [number, number, number];
  /** srow_x, srow_y, srow_z concatenated (12 numbers, RAS). */
  srow?: number[];
  xyztUnits?: number;
  magic?: string;
  voxOffset?: number;
  gzip?: boolean;
  bigEndian?: boolean;
}

const BITPIX: Record<number, number> = { 2: 8, 4: 16, 8: 32, 16: 32, 64: 64, 256: 8, 512: 16, 768: 32, 1024: 64, 1280: 64 };

export function buildNifti1(fields: RawNiftiFields): Uint8Array {
  const voxOffset = fields.voxOffset ?? 352;
  const file = new Uint8Array(Math.max(voxOffset, 352) + fields.data.length);
  const view = new DataView(file.buffer);
  const le = !fields.bigEndian;

  view.setInt32(0, 348, le);
  const dim = [...fields.dim, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  dim.forEach((value, n) => view.setInt16(40 + 2 * n, value, le));
  view.setInt16(70, fields.datatype, le);
  view.setInt16(72, BITPIX[fields.datatype] ?? 0, le);
  const pixdim = [...(fields.pixdim ?? [1, 1, 1, 1]), 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8);
  pixdim.forEach((value, n) => view.setFloat32(76 + 4 * n, value, le));
  view.setFloat32(108, voxOffset, le);
  view.setFloat32(112, fields.sclSlope ?? 0, le);
  view.setFloat32(116, fields.sclInter ?? 0, le);
  view.setUint8(123, fields.xyztUnits ?? 2);
  view.setInt16(252, fields.qformCode ?? 0, le);
  view.setInt16(254, fields.sformCode ?? 0, le);
  (fields.quatern ?? [0, 0, 0]).forEach((value, n) => view.setFloat32(256 + 4 * n, value, le));
  (fields.qoffset ?? [0, 0, 0]).forEach((value, n) => view.setFloat32(268 + 4 * n, value, le));
  (fields.srow ?? new Array(12).fill(0)).forEach((value, n) => view.setFloat32(280 + 4 * n, value, le));
  const magic = fields.magic ?? 'n+1\0';
  for (let n = 0; n < 4; n++) view.setUint8(344 + n, magic.charCodeAt(n) || 0);

  file.set(fields.data, Math.max(voxOffset, 352));
  return fields.gzip ? gzipSync(file) : file;
}

/** Little-endian bytes of an array of numbers in the given typed-array type. */
export function bytesOf(values: ArrayLike<number>, type: 'int16' | 'uint8' | 'float32' | 'int32' | 'uint16' | 'float64'): Uint8Array {
  const constructors = { int16: Int16Array, uint8: Uint8Array, float32: Float32Array, int32: Int32Array, uint16: Uint16Array, float64: Float64Array };
  const typed = constructors[type].from(values as ArrayLike<number>);
  return new Uint8Array(typed.buffer);
}

/** A NRRD file assembled from header fields and an already-encoded payload. */
export function buildNrrd(fields: Record<string, string>, payload: Uint8Array = new Uint8Array()): Uint8Array {
  const header = ['NRRD0004', ...Object.entries(fields).map(([key, value]) => `${key}: ${value}`), '', ''].join('\n');
  const headerBytes = new TextEncoder().encode(header);
  const file = new Uint8Array(headerBytes.length + payload.length);
  file.set(headerBytes);
  file.set(payload, headerBytes.length);
  return file;
}
