// Writes DICOM Part 10 files for tests: CT slices with any tags and transfer syntax, RTSTRUCT and binary SEG
// objects, and deliberately broken variants. Implicit VR Little Endian, Explicit VR Little and Big Endian,
// Deflated Explicit VR Little Endian and encapsulated (compressed) pixel data are supported.
import { deflateSync } from 'fflate';

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegLossless: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLs: '1.2.840.10008.1.2.4.80',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  rle: '1.2.840.10008.1.2.5',
} as const;

export const SOP_CLASS = {
  ct: '1.2.840.10008.5.1.4.1.1.2',
  enhancedCt: '1.2.840.10008.5.1.4.1.1.2.1',
  mr: '1.2.840.10008.5.1.4.1.1.4',
  rtStruct: '1.2.840.10008.5.1.4.1.1.481.3',
  seg: '1.2.840.10008.5.1.4.1.1.66.4',
} as const;

/** One data element. `tag` is 'GGGGEEEE' in hex. A sequence's value is a list of items (element lists). */
export interface DicomElement {
  tag: string;
  vr: string;
  value: string | number | readonly string[] | readonly number[] | Uint8Array | readonly DicomElement[][] | EncapsulatedFrames;
}

/** Compressed pixel data: one fragment per frame, with an empty basic offset table. */
export interface EncapsulatedFrames {
  readonly fragments: readonly Uint8Array[];
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT']);
const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UR', 'UT']);

interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
}

export function el(tag: string, vr: string, value: DicomElement['value']): DicomElement {
  return { tag: tag.toUpperCase(), vr, value };
}

function encodeValue(element: DicomElement, encoding: Encoding): Uint8Array {
  const { vr, value } = element;
  if (vr === 'SQ') return encodeSequence(value as DicomElement[][], encoding);

  if (TEXT_VRS.has(vr) || vr === 'UI') {
    const text = Array.isArray(value) ? value.join('\\') : String(value);
    const bytes = new TextEncoder().encode(text);
    if (bytes.length % 2 === 0) return bytes;
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    padded[bytes.length] = vr === 'UI' ? 0 : 0x20;
    return padded;
  }

  if (value instanceof Uint8Array) {
    // Native OW pixel data follows the transfer syntax byte order; values are given little-endian.
    if (vr === 'OW' && !encoding.littleEndian) return swap16(value);
    if (value.length % 2 === 0) return value;
    const padded = new Uint8Array(value.length + 1);
    padded.set(value);
    return padded;
  }

  const numbers = typeof value === 'number' ? [value] : (value as readonly number[]);
  const width = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 }[vr];
  if (!width) throw new Error(`dicom-writer: VR ${vr} needs a string or byte value`);
  const bytes = new Uint8Array(numbers.length * width);
  const view = new DataView(bytes.buffer);
  const le = encoding.littleEndian;
  numbers.forEach((number, n) => {
    const at = n * width;
    if (vr === 'US') view.setUint16(at, number, le);
    else if (vr === 'SS') view.setInt16(at, number, le);
    else if (vr === 'UL') view.setUint32(at, number, le);
    else if (vr === 'SL') view.setInt32(at, number, le);
    else if (vr === 'FL') view.setFloat32(at, number, le);
    else if (vr === 'FD') view.setFloat64(at, number, le);
    else if (vr === 'AT') {
      view.setUint16(at, number >>> 16, le);
      view.setUint16(at + 2, number & 0xffff, le);
    }
  });
  return bytes;
}

function encodeSequence(items: readonly DicomElement[][], encoding: Encoding): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const item of items) {
    const body = encodeDataSet(item, encoding);
    parts.push(tagHeader(0xfffe, 0xe000, body.length, encoding.littleEndian), body);
  }
  return concat(parts);
}

function tagHeader(group: number, element: number, length: number, le: boolean): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, group, le);
  view.setUint16(2, element, le);
  view.setUint32(4, length, le);
  return bytes;
}

function encodeElement(element: DicomElement, encoding: Encoding): Uint8Array {
  const group = parseInt(element.tag.slice(0, 4), 16);
  const number = parseInt(element.tag.slice(4, 8), 16);
  // Group 0002 is always Explicit VR Little Endian.
  const enc = group === 2 ? { explicit: true, littleEndian: true } : encoding;
  const le = enc.littleEndian;

  const encapsulated = typeof element.value === 'object' && element.value !== null && 'fragments' in element.value;
  let body: Uint8Array;
  let length: number;
  if (encapsulated) {
    const frames = (element.value as EncapsulatedFrames).fragments;
    const parts = [tagHeader(0xfffe, 0xe000, 0, le)];
    for (const frame of frames) {
      const even = frame.length % 2 === 0 ? frame : concat([frame, new Uint8Array(1)]);
      parts.push(tagHeader(0xfffe, 0xe000, even.length, le), even);
    }
    parts.push(tagHeader(0xfffe, 0xe0dd, 0, le));
    body = concat(parts);
    length = 0xffffffff;
  } else {
    body = encodeValue(element, enc);
    length = body.length;
  }

  let header: Uint8Array;
  if (!enc.explicit) {
    header = tagHeader(group, number, length, le);
  } else if (LONG_VRS.has(element.vr)) {
    header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    view.setUint16(0, group, le);
    view.setUint16(2, number, le);
    header[4] = element.vr.charCodeAt(0);
    header[5] = element.vr.charCodeAt(1);
    view.setUint32(8, length, le);
  } else {
    header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint16(0, group, le);
    view.setUint16(2, number, le);
    header[4] = element.vr.charCodeAt(0);
    header[5] = element.vr.charCodeAt(1);
    view.setUint16(6, length, le);
  }
  return concat([header, body]);
}

export function encodeDataSet(elements: readonly DicomElement[], encoding: Encoding): Uint8Array {
  const sorted = [...elements].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return concat(sorted.map((element) => encodeElement(element, encoding)));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export interface WriteDicomOptions {
  transferSyntax?: string;
  /** Leave out the 128-byte preamble and "DICM" prefix (a raw data set, as some old tools write). */
  omitPreamble?: boolean;
}

/** Writes a Part 10 file: preamble, file meta information (group 0002) and the data set. */
export function writeDicom(elements: readonly DicomElement[], options: WriteDicomOptions = {}): Uint8Array {
  const transferSyntax = options.transferSyntax ?? TRANSFER_SYNTAX.explicitLittle;
  const find = (tag: string): string => String(elements.find((element) => element.tag === tag)?.value ?? '');
  const meta = [
    el('00020001', 'OB', new Uint8Array([0, 1])),
    el('00020002', 'UI', find('00080016') || SOP_CLASS.ct),
    el('00020003', 'UI', find('00080018') || '1.2.3.4'),
    el('00020010', 'UI', transferSyntax),
    el('00020012', 'UI', '1.2.826.0.1.3680043.9.9999'),
  ];
  const metaBody = encodeDataSet(meta, { explicit: true, littleEndian: true });
  const groupLength = encodeElement(el('00020000', 'UL', metaBody.length), { explicit: true, littleEndian: true });

  const encoding = {
    explicit: transferSyntax !== TRANSFER_SYNTAX.implicitLittle,
    littleEndian: transferSyntax !== TRANSFER_SYNTAX.explicitBig,
  };
  let body = encodeDataSet(elements, encoding);
  if (transferSyntax === TRANSFER_SYNTAX.deflated) body = deflateSync(body);

  const preamble = options.omitPreamble ? new Uint8Array() : concat([new Uint8Array(128), new TextEncoder().encode('DICM')]);
  return concat([preamble, groupLength, metaBody, body]);
}

let uidCounter = 1000;
export function newUid(): string {
  uidCounter += 1;
  return `1.2.826.0.1.3680043.9.9999.${uidCounter}`;
}

export interface CtSliceOptions {
  rows: number;
  columns: number;
  /** Stored pixel values, row by row (columns fastest). */
  pixels: ArrayLike<number>;
  position: [number, number, number];
  orientation?: [number, number, number, number, number, number];
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  seriesUid: string;
  studyUid?: string;
  frameOfReferenceUid?: string;
  sopInstanceUid?: string;
  instanceNumber?: number;
  modality?: string;
  sopClassUid?: string;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  bitsAllocated?: 8 | 16 | 32;
  bitsStored?: number;
  pixelRepresentation?: 0 | 1;
  /** Replace the native pixel data with these encapsulated frames (compressed transfer syntaxes). */
  encapsulated?: EncapsulatedFrames;
  /** Extra or replacement elements (e.g. patient module attributes); they win over the defaults. */
  extra?: DicomElement[];
  /** Tags to leave out entirely. */
  omit?: string[];
}

/** Default patient module: pseudonymised, with PatientIdentityRemoved = YES. */
export function pseudonymousPatient(): DicomElement[] {
  return [
    el('00100010', 'PN', 'STS_004'),
    el('00100020', 'LO', 'STS_004'),
    el('00100030', 'DA', ''),
    el('00100040', 'CS', 'M'),
    el('00120062', 'CS', 'YES'),
    el('00120063', 'LO', 'DICOM PS 3.15 Annex E basic profile'),
  ];
}

export function ctSliceElements(options: CtSliceOptions): DicomElement[] {
  const bitsAllocated = options.bitsAllocated ?? 16;
  const bitsStored = options.bitsStored ?? bitsAllocated;
  const pixelRepresentation = options.pixelRepresentation ?? 1;
  const sopInstanceUid = options.sopInstanceUid ?? newUid();

  const elements: DicomElement[] = [
    el('00080016', 'UI', options.sopClassUid ?? SOP_CLASS.ct),
    el('00080018', 'UI', sopInstanceUid),
    el('00080060', 'CS', options.modality ?? 'CT'),
    ...pseudonymousPatient(),
    el('0020000D', 'UI', options.studyUid ?? '1.2.826.0.1.3680043.9.9999.1'),
    el('0020000E', 'UI', options.seriesUid),
    el('00200013', 'IS', String(options.instanceNumber ?? 1)),
    el('00200032', 'DS', options.position.map(String)),
    el('00200037', 'DS', (options.orientation ?? [1, 0, 0, 0, 1, 0]).map(String)),
    el('00200052', 'UI', options.frameOfReferenceUid ?? '1.2.826.0.1.3680043.9.9999.2'),
    el('00180050', 'DS', String(options.sliceThickness ?? 1)),
    el('00280002', 'US', 1),
    el('00280004', 'CS', 'MONOCHROME2'),
    el('00280010', 'US', options.rows),
    el('00280011', 'US', options.columns),
    el('00280030', 'DS', (options.pixelSpacing ?? [1, 1]).map(String)),
    el('00280100', 'US', bitsAllocated),
    el('00280101', 'US', bitsStored),
    el('00280102', 'US', bitsStored - 1),
    el('00280103', 'US', pixelRepresentation),
    el('00281052', 'DS', String(options.rescaleIntercept ?? 0)),
    el('00281053', 'DS', String(options.rescaleSlope ?? 1)),
  ];

  if (options.encapsulated) {
    elements.push(el('7FE00010', 'OB', options.encapsulated));
  } else {
    elements.push(el('7FE00010', bitsAllocated === 8 ? 'OB' : 'OW', packPixels(options.pixels, bitsAllocated, pixelRepresentation)));
  }

  const replaced = new Set((options.extra ?? []).map((element) => element.tag));
  const omitted = new Set((options.omit ?? []).map((tag) => tag.toUpperCase()));
  return [...elements.filter((element) => !replaced.has(element.tag) && !omitted.has(element.tag)), ...(options.extra ?? [])];
}

/** Little-endian bytes of stored values; values are written modulo 2^bits, so tests can set high bits. */
export function packPixels(pixels: ArrayLike<number>, bitsAllocated: number, pixelRepresentation: number): Uint8Array {
  if (bitsAllocated === 8) return Uint8Array.from(pixels, (value) => value & 0xff);
  if (bitsAllocated === 32) {
    const out = pixelRepresentation ? Int32Array.from(pixels) : Uint32Array.from(pixels);
    return new Uint8Array(out.buffer);
  }
  const out = new Uint16Array(pixels.length);
  for (let n = 0; n < pixels.length; n++) out[n] = pixels[n] & 0xffff;
  return new Uint8Array(out.buffer);
}

/** Swaps 16-bit words, for pixel data written in Explicit VR Big Endian. */
export function swap16(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let n = 0; n + 1 < out.length; n += 2) [out[n], out[n + 1]] = [out[n + 1], out[n]];
  return out;
}

export interface CtSeriesOptions extends Omit<CtSliceOptions, 'pixels' | 'position' | 'seriesUid'> {
  slices: number;
  /** Pixels of slice k (row by row). Default: value = 10·k + column. */
  pixelsOf?: (k: number) => ArrayLike<number>;
  /** Position of slice k. Default: (0, 0, k · sliceSpacing). */
  positionOf?: (k: number) => [number, number, number];
  sliceSpacing?: number;
  seriesUid?: string;
  transferSyntax?: string;
  /** Edit the elements of slice k before writing. */
  editSlice?: (k: number, elements: DicomElement[]) => DicomElement[];
}

/** Writes a CT series; returns the files (named slice-<k>.dcm) in slice order. */
export function writeCtSeries(options: CtSeriesOptions): { name: string; bytes: Uint8Array }[] {
  const seriesUid = options.seriesUid ?? newUid();
  const spacing = options.sliceSpacing ?? 2;
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (let k = 0; k < options.slices; k++) {
    const pixels = options.pixelsOf?.(k) ?? Array.from({ length: options.rows * options.columns }, (_, n) => 10 * k + (n % options.columns));
    const position = options.positionOf?.(k) ?? [0, 0, k * spacing];
    let elements = ctSliceElements({ ...options, pixels, position, seriesUid, instanceNumber: k + 1 });
    if (options.editSlice) elements = options.editSlice(k, elements);
    files.push({ name: `slice-${k}.dcm`, bytes: writeDicom(elements, { transferSyntax: options.transferSyntax }) });
  }
  return files;
}

export interface RtContour {
  /** x1, y1, z1, x2, … in patient coordinates (mm). */
  points: number[];
  type?: string;
}

export interface RtRoi {
  number: number;
  name: string;
  contours: RtContour[];
  referencedFrameOfReferenceUid?: string;
}

export interface RtStructOptions {
  frameOfReferenceUid: string;
  referencedSeriesUid?: string;
  rois: RtRoi[];
  transferSyntax?: string;
  extra?: DicomElement[];
}

export function writeRtStruct(options: RtStructOptions): Uint8Array {
  const elements: DicomElement[] = [
    el('00080016', 'UI', SOP_CLASS.rtStruct),
    el('00080018', 'UI', newUid()),
    el('00080060', 'CS', 'RTSTRUCT'),
    ...pseudonymousPatient(),
    el('0020000E', 'UI', newUid()),
    el('30060002', 'SH', 'test'),
    el('30060010', 'SQ', [
      [
        el('00200052', 'UI', options.frameOfReferenceUid),
        el('30060012', 'SQ', [[el('30060014', 'SQ', [[el('0020000E', 'UI', options.referencedSeriesUid ?? '')]])]]),
      ],
    ]),
    el(
      '30060020',
      'SQ',
      options.rois.map((roi) => [
        el('30060022', 'IS', String(roi.number)),
        el('30060024', 'UI', roi.referencedFrameOfReferenceUid ?? options.frameOfReferenceUid),
        el('30060026', 'LO', roi.name),
      ]),
    ),
    el(
      '30060039',
      'SQ',
      options.rois.map((roi) => [
        el('30060084', 'IS', String(roi.number)),
        el(
          '30060040',
          'SQ',
          roi.contours.map((contour) => [
            el('30060042', 'CS', contour.type ?? 'CLOSED_PLANAR'),
            el('30060046', 'IS', String(contour.points.length / 3)),
            el('30060050', 'DS', contour.points.map((value) => String(Number(value.toFixed(6))))),
          ]),
        ),
      ]),
    ),
    ...(options.extra ?? []),
  ];
  return writeDicom(elements, { transferSyntax: options.transferSyntax });
}

export interface SegOptions {
  rows: number;
  columns: number;
  frameOfReferenceUid: string;
  pixelSpacing: [number, number];
  orientation?: [number, number, number, number, number, number];
  /** One frame per (segment, slice): binary pixels and position. */
  frames: { segment: number; position: [number, number, number]; pixels: ArrayLike<number> }[];
  segments: { number: number; label: string }[];
  segmentationType?: 'BINARY' | 'FRACTIONAL';
  sliceThickness?: number;
}

/** Writes a DICOM SEG with per-frame plane positions and segment identification, bit-packed binary frames. */
export function writeSeg(options: SegOptions): Uint8Array {
  const frameBits = options.rows * options.columns;
  const totalBits = frameBits * options.frames.length;
  const packed = new Uint8Array(Math.ceil(totalBits / 8));
  options.frames.forEach((frame, f) => {
    for (let n = 0; n < frameBits; n++) {
      if (frame.pixels[n]) {
        const bit = f * frameBits + n;
        packed[bit >> 3] |= 1 << (bit & 7);
      }
    }
  });

  const elements: DicomElement[] = [
    el('00080016', 'UI', SOP_CLASS.seg),
    el('00080018', 'UI', newUid()),
    el('00080060', 'CS', 'SEG'),
    ...pseudonymousPatient(),
    el('0020000E', 'UI', newUid()),
    el('00200052', 'UI', options.frameOfReferenceUid),
    el('00280002', 'US', 1),
    el('00280004', 'CS', 'MONOCHROME2'),
    el('00280008', 'IS', String(options.frames.length)),
    el('00280010', 'US', options.rows),
    el('00280011', 'US', options.columns),
    el('00280100', 'US', 1),
    el('00280101', 'US', 1),
    el('00280102', 'US', 0),
    el('00280103', 'US', 0),
    el('00620001', 'CS', options.segmentationType ?? 'BINARY'),
    el(
      '00620002',
      'SQ',
      options.segments.map((segment) => [el('00620004', 'US', segment.number), el('00620005', 'LO', segment.label)]),
    ),
    el('52009229', 'SQ', [
      [
        el('00209116', 'SQ', [[el('00200037', 'DS', (options.orientation ?? [1, 0, 0, 0, 1, 0]).map(String))]]),
        el('00289110', 'SQ', [
          [el('00280030', 'DS', options.pixelSpacing.map(String)), el('00180050', 'DS', String(options.sliceThickness ?? 1))],
        ]),
      ],
    ]),
    el(
      '52009230',
      'SQ',
      options.frames.map((frame) => [
        el('00209113', 'SQ', [[el('00200032', 'DS', frame.position.map(String))]]),
        el('0062000A', 'SQ', [[el('0062000B', 'US', frame.segment)]]),
      ]),
    ),
    el('7FE00010', 'OB', packed),
  ];
  return writeDicom(elements, { transferSyntax: TRANSFER_SYNTAX.explicitLittle });
}

/** RLE Lossless frame (PS3.5 Annex G) of 16-bit samples, written as literal runs; one segment per byte plane. */
export function encodeRle16(samples: ArrayLike<number>): Uint8Array {
  const planes = [0, 1].map((plane) => Uint8Array.from(samples, (value) => (plane === 0 ? (value >> 8) & 0xff : value & 0xff)));
  const segments = planes.map((plane) => {
    const out: number[] = [];
    for (let start = 0; start < plane.length; start += 128) {
      const run = plane.subarray(start, Math.min(plane.length, start + 128));
      out.push(run.length - 1, ...run);
    }
    if (out.length % 2) out.push(0x80); // no-op byte keeps segments even
    return Uint8Array.from(out);
  });
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, 2, true);
  view.setUint32(4, 64, true);
  view.setUint32(8, 64 + segments[0].length, true);
  return concat([header, ...segments]);
}

interface EncoderModule {
  getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/** Encodes one 16-bit frame losslessly with CharLS (JPEG-LS) or OpenJPEG (JPEG 2000), the packages the reader decodes with. */
export async function encodeFrame(kind: 'jpeg-ls' | 'jpeg-2000', samples: ArrayLike<number>, width: number, height: number, isSigned: boolean): Promise<Uint8Array> {
  const module =
    kind === 'jpeg-ls'
      ? ((await (await import('@cornerstonejs/codec-charls')).default()) as { JpegLSEncoder: new () => EncoderModule }).JpegLSEncoder
      : ((await (await import('@cornerstonejs/codec-openjpeg')).default()) as { J2KEncoder: new () => EncoderModule }).J2KEncoder;
  const encoder = new module() as EncoderModule & { setDecompositions?: (levels: number) => void };
  try {
    // Frames of a few pixels allow no wavelet decomposition level.
    if (kind === 'jpeg-2000') encoder.setDecompositions?.(Math.max(0, Math.min(5, Math.floor(Math.log2(Math.min(width, height))) - 1)));
    const raw = encoder.getDecodedBuffer({ width, height, bitsPerSample: 16, componentCount: 1, isSigned });
    const words = isSigned ? Int16Array.from(samples) : Uint16Array.from(samples);
    raw.set(new Uint8Array(words.buffer));
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}
