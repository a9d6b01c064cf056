// NRRD reading (attached or detached data, raw, gzip or ASCII encoding), following the NRRD format
// specification (teem.sourceforge.net/nrrd/format.html) and the space handling of ITK's NrrdImageIO.
import { RadiomicsError } from '../errors';
import type { ImageVolume, Matrix3, Vec3, VoxelArray } from '../image/volume';
import { flipRasLps, flipRasLpsPoint, orthonormalityError, splitColumns } from '../geometry';
import { decodeScalars, gunzipOrThrow, SCALAR_BYTES, type ScalarType } from './bytes';

const TYPE_NAMES: ReadonlyArray<[ScalarType, string[]]> = [
  ['int8', ['signed char', 'int8', 'int8_t']],
  ['uint8', ['uchar', 'unsigned char', 'uint8', 'uint8_t']],
  ['int16', ['short', 'short int', 'signed short', 'signed short int', 'int16', 'int16_t']],
  ['uint16', ['ushort', 'unsigned short', 'unsigned short int', 'uint16', 'uint16_t']],
  ['int32', ['int', 'signed int', 'int32', 'int32_t']],
  ['uint32', ['uint', 'unsigned int', 'uint32', 'uint32_t']],
  ['int64', ['longlong', 'long long', 'long long int', 'signed long long', 'signed long long int', 'int64', 'int64_t']],
  ['uint64', ['ulonglong', 'unsigned long long', 'unsigned long long int', 'uint64', 'uint64_t']],
  ['float32', ['float']],
  ['float64', ['double']],
];

const SCALAR_BY_NAME: ReadonlyMap<string, ScalarType> = new Map(
  TYPE_NAMES.flatMap(([scalar, names]) => names.map((name) => [name, scalar] as [string, ScalarType])),
);

export interface ReadNrrdOptions {
  /**
   * Returns the bytes of a detached data file named in the header, relative to the header's folder. The name
   * has already been checked to stay inside that folder (no absolute path, no ".." segment). Without this
   * callback a detached header is rejected.
   */
  readonly readDataFile?: (relativeName: string) => Uint8Array;
}

/**
 * Reads a 2-D or 3-D scalar NRRD image. Space directions and origin are converted to LPS from the spaces
 * ITK supports (left-posterior-superior, right-anterior-superior, left-anterior-superior); without a space
 * field, `spacings` and `axis mins` give an axis-aligned grid. `fileName` is never shown in messages.
 */
export function readNrrd(bytes: Uint8Array, _fileName = 'image.nrrd', options: ReadNrrdOptions = {}): ImageVolume {
  const { fields, dataStart } = parseHeader(bytes);

  const dimension = parseInteger(required(fields, 'dimension'), 'dimension');
  if (dimension !== 2 && dimension !== 3) {
    throw new RadiomicsError('NRRD_INVALID', `NRRD dimension ${dimension} is not supported; a scalar 2-D or 3-D volume is expected.`);
  }

  const sizesList = parseNumberList(required(fields, 'sizes'), 'sizes');
  if (sizesList.length !== dimension || sizesList.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new RadiomicsError('NRRD_INVALID', `NRRD sizes "${fields.get('sizes')}" do not give ${dimension} positive integers.`);
  }
  const size = [sizesList[0], sizesList[1], dimension === 3 ? sizesList[2] : 1] as unknown as Vec3;

  const typeName = required(fields, 'type').toLowerCase();
  const scalar = SCALAR_BY_NAME.get(typeName);
  if (!scalar) throw new RadiomicsError('NRRD_INVALID', `NRRD type "${typeName}" is not a supported scalar type.`);

  const geometry = readGeometry(fields, dimension);
  const payload = readPayload(bytes, dataStart, fields, options);
  const count = size[0] * size[1] * size[2];
  const data = decodePayload(payload, fields, scalar, count);

  return { size, ...geometry, data };
}

function parseHeader(bytes: Uint8Array): { fields: Map<string, string>; dataStart: number } {
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (!/^NRRD000[1-5]$/.test(magic)) throw new RadiomicsError('NRRD_INVALID', 'The file does not start with an NRRD magic line.');

  const fields = new Map<string, string>();
  let position = 0;
  let lineNumber = 0;
  const decoder = new TextDecoder('latin1');
  while (position < bytes.length) {
    let end = bytes.indexOf(0x0a, position);
    if (end < 0) end = bytes.length;
    let line = decoder.decode(bytes.subarray(position, end));
    position = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    lineNumber++;

    if (lineNumber === 1) continue; // magic
    if (line === '') return { fields, dataStart: position };
    if (line.startsWith('#')) continue;
    if (line.includes(':=')) continue; // key/value pairs carry no geometry

    const colon = line.indexOf(': ');
    if (colon < 0) throw new RadiomicsError('NRRD_INVALID', `NRRD header line ${lineNumber} is not a "field: value" line.`);
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 2).trim());
  }
  // A detached header (.nhdr) may end without a blank line.
  return { fields, dataStart: bytes.length };
}

function required(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) throw new RadiomicsError('NRRD_INVALID', `The NRRD header has no "${name}" field.`);
  return value;
}

function parseInteger(text: string, field: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new RadiomicsError('NRRD_INVALID', `NRRD field "${field}" is not an integer.`);
  return value;
}

function parseNumberList(text: string, field: string): number[] {
  const values = text.split(/\s+/).filter(Boolean).map(Number);
  if (values.some((value) => !Number.isFinite(value))) {
    throw new RadiomicsError('NRRD_INVALID', `NRRD field "${field}" contains a value that is not a number.`);
  }
  return values;
}

/** Parses "(x,y,z)" vectors; returns undefined for the keyword none. */
function parseVector(text: string, field: string): number[] | undefined {
  if (text === 'none') return undefined;
  const match = /^\(([^)]*)\)$/.exec(text);
  if (!match) throw new RadiomicsError('NRRD_INVALID', `NRRD field "${field}" has a malformed vector.`);
  const values = match[1].split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isFinite(value))) {
    throw new RadiomicsError('NRRD_INVALID', `NRRD field "${field}" has a vector component that is not a finite number.`);
  }
  return values;
}

interface NrrdGeometry {
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction: Matrix3;
}

function readGeometry(fields: Map<string, string>, dimension: number): NrrdGeometry {
  const space = fields.get('space')?.toLowerCase();
  const spaceDirections = fields.get('space directions');

  if (space === undefined && spaceDirections === undefined) return axisAlignedGeometry(fields, dimension);

  const toLps = spaceToLps(space, fields.get('space dimension'));
  const vectors = (spaceDirections ?? '').match(/\([^)]*\)|none/g) ?? [];
  if (vectors.length !== dimension) {
    throw new RadiomicsError('NRRD_INVALID', `NRRD "space directions" lists ${vectors.length} axes; ${dimension} are expected.`);
  }
  const columns = vectors.map((text) => parseVector(text, 'space directions'));
  if (columns.some((column) => column === undefined || column.length !== 3)) {
    throw new RadiomicsError('NRRD_INVALID', 'Every NRRD space direction must be a 3-component vector.');
  }

  // A 2-D image in 3-D space: the third axis is the normal of the plane, with unit spacing.
  const axes = columns as number[][];
  if (dimension === 2) {
    const [u, v] = axes;
    const normal = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const length = Math.hypot(normal[0], normal[1], normal[2]);
    axes.push(normal.map((value) => value / length));
  }

  const linear = [axes[0][0], axes[1][0], axes[2][0], axes[0][1], axes[1][1], axes[2][1], axes[0][2], axes[1][2], axes[2][2]];
  const { direction, lengths } = splitColumns(linear as unknown as Matrix3);
  if (lengths.some((length) => !(length > 0))) throw new RadiomicsError('NRRD_INVALID', 'An NRRD space direction has zero length.');
  if (orthonormalityError(direction) > 1e-4) {
    throw new RadiomicsError('NRRD_INVALID', 'NRRD space directions are not orthogonal (sheared grid); re-save the image with a rigid orientation.');
  }

  const originText = fields.get('space origin');
  const origin = originText ? parseVector(originText, 'space origin') : [0, 0, 0];
  if (!origin || origin.length !== 3) throw new RadiomicsError('NRRD_INVALID', 'NRRD "space origin" must be a 3-component vector.');

  return {
    spacing: lengths,
    origin: toLps.point(origin as unknown as Vec3),
    direction: toLps.direction(direction),
  };
}

function axisAlignedGeometry(fields: Map<string, string>, dimension: number): NrrdGeometry {
  const spacings = fields.has('spacings') ? parseNumberList(fields.get('spacings') as string, 'spacings') : [];
  const mins = fields.has('axis mins') ? parseNumberList(fields.get('axis mins') as string, 'axis mins') : [];
  const spacing = [0, 1, 2].map((axis) => (axis < dimension && spacings[axis] > 0 ? spacings[axis] : 1));
  const origin = [0, 1, 2].map((axis) => (axis < dimension && Number.isFinite(mins[axis]) ? mins[axis] : 0));
  return { spacing: spacing as unknown as Vec3, origin: origin as unknown as Vec3, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
}

function spaceToLps(
  space: string | undefined,
  spaceDimension: string | undefined,
): { point: (p: Vec3) => Vec3; direction: (d: Matrix3) => Matrix3 } {
  const identity = { point: (p: Vec3) => p, direction: (d: Matrix3) => d };
  switch (space) {
    case 'left-posterior-superior':
    case 'lps':
      return identity;
    case 'right-anterior-superior':
    case 'ras':
      return { point: flipRasLpsPoint, direction: flipRasLps };
    case 'left-anterior-superior':
    case 'las':
      return {
        point: (p) => [p[0], p[1] === 0 ? 0 : -p[1], p[2]],
        direction: (d) => [d[0], d[1], d[2], -d[3], -d[4], -d[5], d[6], d[7], d[8]].map((v) => (v === 0 ? 0 : v)) as unknown as Matrix3,
      };
    case undefined:
      if (spaceDimension === '3') return identity;
      throw new RadiomicsError('NRRD_INVALID', 'The NRRD header has space directions but neither "space" nor "space dimension: 3".');
    default:
      throw new RadiomicsError(
        'NRRD_INVALID',
        `NRRD space "${space}" is not a patient space; use left-posterior-superior, right-anterior-superior or left-anterior-superior.`,
      );
  }
}

/** The encoded voxel bytes: after the header, or from the detached data file. */
function readPayload(bytes: Uint8Array, dataStart: number, fields: Map<string, string>, options: ReadNrrdOptions): Uint8Array {
  const dataFile = fields.get('data file') ?? fields.get('datafile');
  if (dataFile === undefined) return bytes.subarray(dataStart);

  const name = dataFile.trim();
  if (name.startsWith('LIST') || /%\d*d/.test(name) || /\s/.test(name)) {
    throw new RadiomicsError('NRRD_INVALID', 'NRRD data split over several files (LIST or a file-name pattern) is not supported.');
  }
  const segments = name.split(/[\\/]/);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || segments.includes('..') || name === '') {
    throw new RadiomicsError(
      'NRRD_INVALID',
      'The NRRD detached data file must be a relative path inside the study folder (no absolute path, no "..").',
    );
  }
  if (!options.readDataFile) {
    throw new RadiomicsError('NRRD_INVALID', 'The NRRD header refers to a detached data file, but no study folder was given to read it from.');
  }
  return options.readDataFile(segments.filter((segment) => segment !== '.' && segment !== '').join('/'));
}

function decodePayload(payload: Uint8Array, fields: Map<string, string>, scalar: ScalarType, count: number): VoxelArray {
  const encoding = (fields.get('encoding') ?? 'raw').toLowerCase();
  const endian = (fields.get('endian') ?? 'little').toLowerCase();
  const littleEndian = endian !== 'big';
  const lineSkip = fields.has('line skip') ? parseInteger(fields.get('line skip') as string, 'line skip') : 0;
  const byteSkip = fields.has('byte skip') ? parseInteger(fields.get('byte skip') as string, 'byte skip') : 0;

  let body = payload;
  for (let line = 0; line < lineSkip; line++) {
    const end = body.indexOf(0x0a);
    if (end < 0) throw new RadiomicsError('NRRD_INVALID', 'NRRD "line skip" runs past the end of the data.');
    body = body.subarray(end + 1);
  }

  switch (encoding) {
    case 'raw':
      return decodeRaw(body, byteSkip, scalar, count, littleEndian);
    case 'gzip':
    case 'gz': {
      const limit = Math.max(0, byteSkip) + count * SCALAR_BYTES[scalar] + 2 ** 20;
      const inflated = gunzipOrThrow(body, 'NRRD_INVALID', 'NRRD gzip data', limit);
      return decodeRaw(inflated, byteSkip, scalar, count, littleEndian);
    }
    case 'ascii':
    case 'text':
    case 'txt':
      return decodeAscii(body, scalar, count);
    default:
      throw new RadiomicsError('NRRD_INVALID', `NRRD encoding "${encoding}" is not supported; use raw, gzip or ascii.`);
  }
}

function decodeRaw(body: Uint8Array, byteSkip: number, scalar: ScalarType, count: number, littleEndian: boolean): VoxelArray {
  // "byte skip: -1" means the data are the last bytes of the file (used with raw headers of other formats).
  const offset = byteSkip === -1 ? body.length - count * SCALAR_BYTES[scalar] : byteSkip;
  return decodeScalars(body, offset, count, scalar, littleEndian, 'NRRD_INVALID');
}

function decodeAscii(body: Uint8Array, scalar: ScalarType, count: number): VoxelArray {
  const values = new TextDecoder('latin1').decode(body).split(/[\s,]+/).filter(Boolean).map(Number);
  if (values.length < count || values.slice(0, count).some((value) => Number.isNaN(value))) {
    throw new RadiomicsError('NRRD_INVALID', `NRRD ASCII data contains fewer than ${count} numeric values.`);
  }
  const out = scalar === 'float32' ? new Float32Array(count) : new Float64Array(count);
  for (let n = 0; n < count; n++) out[n] = values[n];
  return scalar === 'float32' || scalar === 'float64' ? out : integerArray(scalar, out);
}

function integerArray(scalar: ScalarType, values: Float64Array | Float32Array): VoxelArray {
  switch (scalar) {
    case 'int8':
      return Int8Array.from(values);
    case 'uint8':
      return Uint8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'uint32':
      return Uint32Array.from(values);
    default:
      return Float64Array.from(values);
  }
}
