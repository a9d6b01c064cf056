// NIfTI-1 and NIfTI-2 reading and writing (.nii, .nii.gz), with geometry read the way ITK 5 reads it.
//
// Header layouts follow the NIfTI-1 (nifti1.h, 348-byte header) and NIfTI-2 (nifti2.h, 540-byte header)
// definitions. NIfTI world coordinates are RAS; every volume returned here is in LPS, like ITK and DICOM.
import { gzipSync } from 'fflate';

import { RadiomicsError } from '../errors';
import type { ImageVolume, Matrix3, Vec3, VoxelArray } from '../image/volume';
import { determinant3, flipRasLps, flipRasLpsPoint, orthonormalityError, splitColumns } from '../geometry';
import { decodeScalars, gunzipOrThrow, isGzip, SCALAR_BYTES, scalarTypeOf, typedArrayBytes, type ScalarType } from './bytes';

const NIFTI1_HEADER_BYTES = 348;
const NIFTI2_HEADER_BYTES = 540;

const DATATYPE_TO_SCALAR: ReadonlyMap<number, ScalarType> = new Map([
  [2, 'uint8'],
  [4, 'int16'],
  [8, 'int32'],
  [16, 'float32'],
  [64, 'float64'],
  [256, 'int8'],
  [512, 'uint16'],
  [768, 'uint32'],
  [1024, 'int64'],
  [1280, 'uint64'],
]);

const SCALAR_TO_DATATYPE: Readonly<Record<Exclude<ScalarType, 'int64' | 'uint64'>, number>> = {
  uint8: 2,
  int16: 4,
  int32: 8,
  float32: 16,
  float64: 64,
  int8: 256,
  uint16: 512,
  uint32: 768,
};

/**
 * Agreement required between qform and sform when both are set. Both are stored as float32 in NIfTI-1,
 * so a header written from one double-precision transform differs by about 1e-5 mm; a real conflict
 * (a flipped axis, a shifted origin) is millimetres or a sign.
 */
const FORM_TOLERANCE = { originMm: 0.01, direction: 1e-3, spacingRelative: 1e-3 };

/** Largest DᵀD − I deviation accepted for an sform column basis; more means shear, which ITK cannot represent. */
const SFORM_ORTHONORMALITY_LIMIT = 1e-4;

interface NiftiHeader {
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  readonly dim: number[];
  readonly datatype: number;
  readonly pixdim: number[];
  readonly voxOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly xyztUnits: number;
  readonly qformCode: number;
  readonly sformCode: number;
  readonly quatern: [number, number, number];
  readonly qoffset: [number, number, number];
  readonly srow: number[];
  readonly magic: string;
}

/** Which header transform placed the volume in space, reported by inspect. */
export type NiftiTransformSource = 'sform' | 'qform' | 'pixdim-only';

export interface NiftiReadResult extends ImageVolume {
  readonly transformSource: NiftiTransformSource;
}

/**
 * Reads a NIfTI-1 or NIfTI-2 single-file image (.nii, or .nii.gz when the bytes are gzip-compressed).
 *
 * Geometry follows ITK 5: the sform is used when its code is non-zero and its columns are orthogonal with
 * lengths equal to pixdim, the qform otherwise, and pixdim alone (RAS axes, zero origin) when both codes are
 * 0. When qform and sform are both set and map voxels to different places, NIFTI_ORIENTATION_CONFLICT is raised
 * instead of silently picking one. `scl_slope` 0 (or non-finite) means no scaling; any other slope or a non-zero
 * intercept gives float32 voxels (float64 for float64 data). `fileName` selects no behaviour and never appears
 * in a message; it is accepted for callers that dispatch on the extension.
 */
export function readNifti(bytes: Uint8Array, _fileName = 'image.nii'): NiftiReadResult {
  const content = isGzip(bytes) ? gunzipOrThrow(bytes, 'NIFTI_INVALID', 'NIfTI file', { headBytes: NIFTI2_HEADER_BYTES, limitFrom: expectedFileBytes }) : bytes;
  const header = parseHeader(content);

  const size = readSize(header);
  const unitScale = spatialUnitScale(header.xyztUnits);
  const placement = placeInSpace(header, unitScale);

  const scalar = DATATYPE_TO_SCALAR.get(header.datatype);
  if (!scalar) {
    throw new RadiomicsError(
      'NIFTI_INVALID',
      `NIfTI datatype ${header.datatype} is not supported; save the volume as an integer or float scalar image.`,
    );
  }

  const count = size[0] * size[1] * size[2];
  if (header.voxOffset < (header.version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES)) {
    throw new RadiomicsError('NIFTI_INVALID', `NIfTI vox_offset ${header.voxOffset} points inside the header.`);
  }
  let data = decodeScalars(content, header.voxOffset, count, scalar, header.littleEndian, 'NIFTI_INVALID');
  data = applyScaling(data, header.sclSlope, header.sclInter);

  return { size, ...placement, data };
}

/**
 * Computes the size a decompressed NIfTI file should have according to its header (vox_offset plus the voxel
 * data), with 1 MiB of slack for trailing bytes. An invalid header raises its own error here, before the rest
 * of the stream is inflated.
 */
function expectedFileBytes(head: Uint8Array): number {
  const header = parseHeader(head);
  const size = readSize(header);
  const scalar = DATATYPE_TO_SCALAR.get(header.datatype);
  const width = scalar ? SCALAR_BYTES[scalar] : 8;
  return Math.max(header.voxOffset, NIFTI2_HEADER_BYTES) + size[0] * size[1] * size[2] * width + 2 ** 20;
}

function parseHeader(content: Uint8Array): NiftiHeader {
  if (content.length < 4) throw new RadiomicsError('NIFTI_INVALID', 'The NIfTI file is shorter than its header.');
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);

  const sizeLe = view.getInt32(0, true);
  const sizeBe = view.getInt32(0, false);
  let version: 1 | 2;
  let littleEndian: boolean;
  if (sizeLe === NIFTI1_HEADER_BYTES || sizeBe === NIFTI1_HEADER_BYTES) {
    version = 1;
    littleEndian = sizeLe === NIFTI1_HEADER_BYTES;
  } else if (sizeLe === NIFTI2_HEADER_BYTES || sizeBe === NIFTI2_HEADER_BYTES) {
    version = 2;
    littleEndian = sizeLe === NIFTI2_HEADER_BYTES;
  } else {
    throw new RadiomicsError('NIFTI_INVALID', 'The file is not NIfTI: sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2).');
  }

  const headerBytes = version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES;
  if (content.length < headerBytes) {
    throw new RadiomicsError('NIFTI_INVALID', `The NIfTI-${version} file ends inside its ${headerBytes}-byte header.`);
  }

  return version === 1 ? parseNifti1(view, littleEndian) : parseNifti2(view, littleEndian);
}

function parseNifti1(view: DataView, le: boolean): NiftiHeader {
  const magic = readAscii(view, 344, 4);
  if (magic === 'ni1') {
    throw new RadiomicsError(
      'UNSUPPORTED_FILE_FORMAT',
      'Two-file NIfTI (.hdr/.img pairs) is not supported; save the volume as a single .nii or .nii.gz file.',
    );
  }
  if (magic !== 'n+1') throw new RadiomicsError('NIFTI_INVALID', 'The NIfTI-1 header has no "n+1" magic string.');

  const dim = Array.from({ length: 8 }, (_, n) => view.getInt16(40 + 2 * n, le));
  const pixdim = Array.from({ length: 8 }, (_, n) => view.getFloat32(76 + 4 * n, le));
  const srow = Array.from({ length: 12 }, (_, n) => view.getFloat32(280 + 4 * n, le));
  return {
    version: 1,
    littleEndian: le,
    dim,
    datatype: view.getInt16(70, le),
    pixdim,
    voxOffset: Math.floor(view.getFloat32(108, le)),
    sclSlope: view.getFloat32(112, le),
    sclInter: view.getFloat32(116, le),
    xyztUnits: view.getUint8(123),
    qformCode: view.getInt16(252, le),
    sformCode: view.getInt16(254, le),
    quatern: [view.getFloat32(256, le), view.getFloat32(260, le), view.getFloat32(264, le)],
    qoffset: [view.getFloat32(268, le), view.getFloat32(272, le), view.getFloat32(276, le)],
    srow,
    magic,
  };
}

function parseNifti2(view: DataView, le: boolean): NiftiHeader {
  const magic = readAscii(view, 4, 3);
  if (magic === 'ni2') {
    throw new RadiomicsError(
      'UNSUPPORTED_FILE_FORMAT',
      'Two-file NIfTI-2 (.hdr/.img pairs) is not supported; save the volume as a single .nii or .nii.gz file.',
    );
  }
  if (magic !== 'n+2') throw new RadiomicsError('NIFTI_INVALID', 'The NIfTI-2 header has no "n+2" magic string.');

  const int64 = (offset: number): number => Number(view.getBigInt64(offset, le));
  const dim = Array.from({ length: 8 }, (_, n) => int64(16 + 8 * n));
  const pixdim = Array.from({ length: 8 }, (_, n) => view.getFloat64(104 + 8 * n, le));
  const srow = Array.from({ length: 12 }, (_, n) => view.getFloat64(400 + 8 * n, le));
  return {
    version: 2,
    littleEndian: le,
    dim,
    datatype: view.getInt16(12, le),
    pixdim,
    voxOffset: int64(168),
    sclSlope: view.getFloat64(176, le),
    sclInter: view.getFloat64(184, le),
    xyztUnits: view.getInt32(500, le),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quatern: [view.getFloat64(352, le), view.getFloat64(360, le), view.getFloat64(368, le)],
    qoffset: [view.getFloat64(376, le), view.getFloat64(384, le), view.getFloat64(392, le)],
    srow,
    magic,
  };
}

function readAscii(view: DataView, offset: number, length: number): string {
  let text = '';
  for (let n = 0; n < length; n++) {
    const code = view.getUint8(offset + n);
    if (code === 0) break;
    text += String.fromCharCode(code);
  }
  return text;
}

/** Spatial size (i, j, k); a 2-D image gets k = 1, and higher dimensions are accepted only with extent 1. */
function readSize(header: NiftiHeader): Vec3 {
  const rank = header.dim[0];
  if (!(rank >= 1 && rank <= 7)) throw new RadiomicsError('NIFTI_INVALID', `NIfTI dim[0] is ${rank}; it must be 1 to 7.`);

  for (let axis = 4; axis <= rank; axis++) {
    if (header.dim[axis] > 1) {
      throw new RadiomicsError(
        'NIFTI_INVALID',
        `The NIfTI image has ${header.dim[axis]} entries along dimension ${axis}; only single 3-D scalar volumes are accepted.`,
      );
    }
  }

  const size = [1, 2, 3].map((axis) => (axis <= rank ? header.dim[axis] : 1));
  if (size.some((extent) => !Number.isInteger(extent) || extent < 1)) {
    throw new RadiomicsError('NIFTI_INVALID', `NIfTI dimensions ${size.join(' × ')} are not positive.`);
  }
  return size as unknown as Vec3;
}

/** Factor from the header's spatial unit to millimetres (NIFTI_UNITS_METER 1, MM 2, MICRON 3; unknown 0 = mm). */
function spatialUnitScale(xyztUnits: number): number {
  switch (xyztUnits & 0x07) {
    case 1:
      return 1000;
    case 3:
      return 0.001;
    default:
      return 1;
  }
}

interface Placement {
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction: Matrix3;
  readonly transformSource: NiftiTransformSource;
}

interface RasTransform {
  readonly direction: Matrix3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
}

function placeInSpace(header: NiftiHeader, unitScale: number): Placement {
  const pixdimSpacing = [1, 2, 3].map((axis) => Math.abs(header.pixdim[axis]) * unitScale);
  const qform = header.qformCode > 0 ? qformTransform(header, pixdimSpacing, unitScale) : undefined;
  const sform = header.sformCode > 0 ? sformTransform(header, unitScale) : undefined;

  if (qform && sform) assertFormsAgree(qform, sform);

  let chosen: RasTransform;
  let transformSource: NiftiTransformSource;
  if (sform) {
    if (orthonormalityError(sform.direction) > SFORM_ORTHONORMALITY_LIMIT) {
      throw new RadiomicsError(
        'NIFTI_INVALID',
        'The NIfTI sform contains shear (its axes are not orthogonal); ITK-based tools cannot represent it. Re-save the image with a rigid orientation.',
      );
    }
    chosen = sform;
    transformSource = 'sform';
  } else if (qform) {
    chosen = qform;
    transformSource = 'qform';
  } else {
    // Both codes 0: ITK uses pixdim alone with the RAS axes and a zero origin (NIfTI "method 1").
    chosen = { direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], spacing: pixdimSpacing as unknown as Vec3, origin: [0, 0, 0] };
    transformSource = 'pixdim-only';
  }

  const spacing = chosen.spacing;
  if (spacing.some((value) => !(value > 0) || !Number.isFinite(value))) {
    throw new RadiomicsError('NIFTI_INVALID', `NIfTI voxel spacing ${spacing.join(' × ')} mm is not positive.`);
  }

  return {
    spacing,
    origin: flipRasLpsPoint(chosen.origin),
    direction: flipRasLps(chosen.direction),
    transformSource,
  };
}

/** qform: rotation from the unit quaternion (b, c, d), a third axis flipped when qfac = pixdim[0] is −1. */
function qformTransform(header: NiftiHeader, pixdimSpacing: number[], unitScale: number): RasTransform {
  let [b, c, d] = header.quatern;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    // The quaternion is (numerically) a 180° rotation: nifti1_io renormalises (b, c, d) and takes a = 0.
    const norm = Math.hypot(b, c, d);
    b /= norm;
    c /= norm;
    d /= norm;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const qfac = header.pixdim[0] < 0 ? -1 : 1;

  const rotation: Matrix3 = [
    a * a + b * b - c * c - d * d,
    2 * (b * c - a * d),
    2 * (b * d + a * c) * qfac,
    2 * (b * c + a * d),
    a * a + c * c - b * b - d * d,
    2 * (c * d - a * b) * qfac,
    2 * (b * d - a * c),
    2 * (c * d + a * b),
    (a * a + d * d - c * c - b * b) * qfac,
  ];
  return {
    direction: rotation,
    spacing: pixdimSpacing as unknown as Vec3,
    origin: header.qoffset.map((value) => value * unitScale) as unknown as Vec3,
  };
}

/** sform: the 3 × 4 affine srow_x/y/z, split into unit axes and their lengths. */
function sformTransform(header: NiftiHeader, unitScale: number): RasTransform {
  const s = header.srow;
  const linear = [s[0], s[1], s[2], s[4], s[5], s[6], s[8], s[9], s[10]].map((v) => v * unitScale) as unknown as Matrix3;
  if (!Number.isFinite(determinant3(linear)) || Math.abs(determinant3(linear)) < 1e-12) {
    throw new RadiomicsError('NIFTI_INVALID', 'The NIfTI sform is singular; it does not map voxels to a volume.');
  }
  const { direction, lengths } = splitColumns(linear);
  return { direction, spacing: lengths, origin: [s[3] * unitScale, s[7] * unitScale, s[11] * unitScale] };
}

function assertFormsAgree(qform: RasTransform, sform: RasTransform): void {
  const originDelta = Math.hypot(
    qform.origin[0] - sform.origin[0],
    qform.origin[1] - sform.origin[1],
    qform.origin[2] - sform.origin[2],
  );
  let directionDelta = 0;
  for (let n = 0; n < 9; n++) directionDelta = Math.max(directionDelta, Math.abs(qform.direction[n] - sform.direction[n]));
  let spacingDelta = 0;
  for (let axis = 0; axis < 3; axis++) {
    const delta = Math.abs(qform.spacing[axis] - sform.spacing[axis]) / Math.max(qform.spacing[axis], sform.spacing[axis]);
    spacingDelta = Math.max(spacingDelta, delta);
  }

  if (
    originDelta > FORM_TOLERANCE.originMm ||
    directionDelta > FORM_TOLERANCE.direction ||
    spacingDelta > FORM_TOLERANCE.spacingRelative
  ) {
    throw new RadiomicsError(
      'NIFTI_ORIENTATION_CONFLICT',
      `The NIfTI qform and sform place the voxels differently: origins ${originDelta.toFixed(4)} mm apart, ` +
        `direction cosines differ by up to ${directionDelta.toFixed(4)}, spacing by ${(spacingDelta * 100).toFixed(3)} %. ` +
        `Tolerances: ${FORM_TOLERANCE.originMm} mm, ${FORM_TOLERANCE.direction}, ${FORM_TOLERANCE.spacingRelative * 100} %.`,
      { details: { originDeltaMm: originDelta, directionDelta, spacingDeltaRelative: spacingDelta } },
    );
  }
}

function applyScaling(data: VoxelArray, slope: number, intercept: number): VoxelArray {
  if (slope === 0 || !Number.isFinite(slope)) return data;
  const inter = Number.isFinite(intercept) ? intercept : 0;
  if (slope === 1 && inter === 0) return data;

  const scaled = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let n = 0; n < data.length; n++) scaled[n] = data[n] * slope + inter;
  return scaled;
}

export interface WriteNiftiOptions {
  /** Compress with gzip (.nii.gz). Default false. */
  readonly gzip?: boolean;
  /**
   * NIfTI-1 (default) stores geometry as float32, so positions round to about 1e-5 mm; NIfTI-2 stores
   * float64 and round-trips geometry exactly.
   */
  readonly version?: 1 | 2;
}

/**
 * Writes a volume as a single-file NIfTI image with qform and sform both set (code 1, scanner anatomical) to
 * the same rigid transform, in RAS as the format requires. Voxel type and values are kept exactly.
 */
export function writeNifti(volume: ImageVolume, options: WriteNiftiOptions = {}): Uint8Array {
  const version = options.version ?? 1;
  const scalar = scalarTypeOf(volume.data);
  const datatype = SCALAR_TO_DATATYPE[scalar as keyof typeof SCALAR_TO_DATATYPE];
  const bytesPerVoxel = volume.data.BYTES_PER_ELEMENT;

  const headerBytes = version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES;
  const voxOffset = headerBytes + 4; // 4 bytes of "no extension" flags
  const file = new Uint8Array(voxOffset + volume.data.byteLength);
  const view = new DataView(file.buffer);

  const rasDirection = flipRasLps(volume.direction);
  const rasOrigin = flipRasLpsPoint(volume.origin);
  const { quatern, qfac } = rotationToQuaternion(rasDirection);
  const srow: number[] = [];
  for (let row = 0; row < 3; row++) {
    for (let column = 0; column < 3; column++) srow.push(rasDirection[row * 3 + column] * volume.spacing[column]);
    srow.push(rasOrigin[row]);
  }
  const dim = [3, volume.size[0], volume.size[1], volume.size[2], 1, 1, 1, 1];
  const pixdim = [qfac, volume.spacing[0], volume.spacing[1], volume.spacing[2], 1, 1, 1, 1];

  if (version === 1) {
    view.setInt32(0, NIFTI1_HEADER_BYTES, true);
    view.setUint8(38, 'r'.charCodeAt(0));
    dim.forEach((value, n) => view.setInt16(40 + 2 * n, value, true));
    view.setInt16(70, datatype, true);
    view.setInt16(72, bytesPerVoxel * 8, true);
    pixdim.forEach((value, n) => view.setFloat32(76 + 4 * n, value, true));
    view.setFloat32(108, voxOffset, true);
    view.setFloat32(112, 1, true);
    view.setUint8(123, 2); // NIFTI_UNITS_MM
    view.setInt16(252, 1, true);
    view.setInt16(254, 1, true);
    quatern.forEach((value, n) => view.setFloat32(256 + 4 * n, value, true));
    rasOrigin.forEach((value, n) => view.setFloat32(268 + 4 * n, value, true));
    srow.forEach((value, n) => view.setFloat32(280 + 4 * n, value, true));
    writeAscii(view, 344, 'n+1\0');
  } else {
    view.setInt32(0, NIFTI2_HEADER_BYTES, true);
    writeAscii(view, 4, 'n+2\0\r\n\x1a\n');
    view.setInt16(12, datatype, true);
    view.setInt16(14, bytesPerVoxel * 8, true);
    dim.forEach((value, n) => view.setBigInt64(16 + 8 * n, BigInt(value), true));
    pixdim.forEach((value, n) => view.setFloat64(104 + 8 * n, value, true));
    view.setBigInt64(168, BigInt(voxOffset), true);
    view.setFloat64(176, 1, true);
    view.setInt32(344, 1, true);
    view.setInt32(348, 1, true);
    quatern.forEach((value, n) => view.setFloat64(352 + 8 * n, value, true));
    rasOrigin.forEach((value, n) => view.setFloat64(376 + 8 * n, value, true));
    srow.forEach((value, n) => view.setFloat64(400 + 8 * n, value, true));
    view.setInt32(500, 2, true);
  }

  file.set(typedArrayBytes(volume.data), voxOffset);
  return options.gzip ? gzipSync(file, { level: 6 }) : file;
}

function writeAscii(view: DataView, offset: number, text: string): void {
  for (let n = 0; n < text.length; n++) view.setUint8(offset + n, text.charCodeAt(n));
}

/**
 * Quaternion (b, c, d) and qfac of a rotation or reflection matrix, as nifti1.h defines them: a reflection
 * (determinant −1) is stored as a rotation of the first two axes with qfac = −1 flipping the third.
 */
function rotationToQuaternion(direction: Matrix3): { quatern: [number, number, number]; qfac: number } {
  const r = [...direction];
  let qfac = 1;
  if (determinant3(direction) < 0) {
    qfac = -1;
    r[2] = -r[2];
    r[5] = -r[5];
    r[8] = -r[8];
  }

  const [r11, r12, r13, r21, r22, r23, r31, r32, r33] = r;
  const trace = r11 + r22 + r33;
  let a: number;
  let b: number;
  let c: number;
  let d: number;
  if (trace > -0.5) {
    // Well-conditioned branch: a = cos(θ/2) is at least 0.5.
    a = 0.5 * Math.sqrt(1 + trace);
    b = (r32 - r23) / (4 * a);
    c = (r13 - r31) / (4 * a);
    d = (r21 - r12) / (4 * a);
  } else if (r11 >= r22 && r11 >= r33) {
    b = 0.5 * Math.sqrt(1 + r11 - r22 - r33);
    a = (r32 - r23) / (4 * b);
    c = (r12 + r21) / (4 * b);
    d = (r13 + r31) / (4 * b);
  } else if (r22 >= r33) {
    c = 0.5 * Math.sqrt(1 - r11 + r22 - r33);
    a = (r13 - r31) / (4 * c);
    b = (r12 + r21) / (4 * c);
    d = (r23 + r32) / (4 * c);
  } else {
    d = 0.5 * Math.sqrt(1 - r11 - r22 + r33);
    a = (r21 - r12) / (4 * d);
    b = (r13 + r31) / (4 * d);
    c = (r23 + r32) / (4 * d);
  }
  // NIfTI stores only (b, c, d) and reconstructs a ≥ 0, so the quaternion's sign is chosen to make a ≥ 0.
  if (a < 0) {
    b = -b;
    c = -c;
    d = -d;
  }
  return { quatern: [b, c, d], qfac };
}
