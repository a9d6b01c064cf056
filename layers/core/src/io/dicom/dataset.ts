// Parsing of DICOM Part 10 files with dicom-parser, and typed access to the attributes the readers use.
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';

import { RadiomicsError } from '../../errors';
import { gunzipOrThrow } from '../bytes';

export type { DataSet } from 'dicom-parser';

export const DEFLATED_EXPLICIT_LITTLE = '1.2.840.10008.1.2.1.99';

/** Data sets parsed from deflated files, which are re-encoded as Explicit VR Little Endian before parsing. */
const storedTransferSyntax = new WeakMap<DataSet, string>();

/** True when the bytes carry the 128-byte preamble and the "DICM" prefix of a Part 10 file. */
export function isPart10(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Parses a Part 10 file. Deflated data sets are inflated with fflate. Raises DICOM_INVALID for a file that
 * has the DICM prefix but cannot be parsed, and DICOM_TRUNCATED when the parser runs past the end.
 * `position` names the file by its place in the upload ("file 3 of 85"), never by name.
 */
export function parseDicomFile(bytes: Uint8Array, position: string): DataSet {
  try {
    const inflated = inflateIfDeflated(bytes);
    const dataSet = dicomParser.parseDicom(inflated);
    if (inflated !== bytes) storedTransferSyntax.set(dataSet, DEFLATED_EXPLICIT_LITTLE);
    return dataSet;
  } catch (thrown) {
    if (thrown instanceof RadiomicsError) throw thrown;
    // dicom-parser throws strings, Errors, or { exception, dataSet } records.
    const inner = typeof thrown === 'object' && thrown !== null && 'exception' in thrown ? (thrown as { exception: unknown }).exception : thrown;
    let text = String(inner);
    if (typeof inner === 'string') text = inner;
    else if (inner instanceof Error) text = inner.message;
    const truncated = /beyond|overread|overrun|past end|eof|end of/i.test(text);
    throw new RadiomicsError(
      truncated ? 'DICOM_TRUNCATED' : 'DICOM_INVALID',
      `DICOM ${position} could not be parsed: ${text.replace(/^dicomParser\.\w+: /, '')}.`,
      { cause: thrown },
    );
  }
}

/**
 * Returns a Deflated Explicit VR Little Endian file as an equivalent Explicit VR Little Endian file: the file
 * meta information is re-encoded with the new transfer syntax and the data set is inflated with fflate.
 * (dicom-parser's own inflater hook starts parsing at the wrong offset, so it is not used.)
 */
function inflateIfDeflated(bytes: Uint8Array): Uint8Array {
  const meta = dicomParser.readPart10Header(bytes);
  const transferSyntax = meta.string('x00020010')?.replace(/\0+$/, '').trim();
  if (transferSyntax !== DEFLATED_EXPLICIT_LITTLE) return bytes;

  const metaEnd = (meta as unknown as { position: number }).position;
  const inflated = gunzipOrThrow(bytes.subarray(metaEnd), 'DICOM_INVALID', 'deflated DICOM data set', 2 ** 31, true);
  const elements = Object.values(meta.elements)
    .filter((element) => element.tag !== 'x00020000')
    .sort((a, b) => (a.tag < b.tag ? -1 : 1));
  const encoded: Uint8Array[] = [];
  for (const element of elements) {
    let value = bytes.subarray(element.dataOffset, element.dataOffset + element.length);
    if (element.tag === 'x00020010') value = new TextEncoder().encode('1.2.840.10008.1.2.1\0');
    encoded.push(explicitLittleElement(element.tag, element.vr ?? 'UN', value));
  }
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, encoded.reduce((sum, part) => sum + part.length, 0), true);
  const parts = [bytes.subarray(0, 132), explicitLittleElement('x00020000', 'UL', groupLength), ...encoded, inflated];

  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function explicitLittleElement(tag: string, vr: string, value: Uint8Array): Uint8Array {
  const long = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT'].includes(vr);
  const header = new Uint8Array(long ? 12 : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, parseInt(tag.slice(1, 5), 16), true);
  view.setUint16(2, parseInt(tag.slice(5, 9), 16), true);
  header[4] = vr.charCodeAt(0);
  header[5] = vr.charCodeAt(1);
  if (long) view.setUint32(8, value.length, true);
  else view.setUint16(6, value.length, true);
  const out = new Uint8Array(header.length + value.length);
  out.set(header);
  out.set(value, header.length);
  return out;
}

/** Reads a string attribute, trimmed; undefined when absent or empty. */
export function text(dataSet: DataSet, tag: string): string | undefined {
  const value = guarded(tag, () => dataSet.string(tag));
  const trimmed = value?.replace(/\0+$/, '').trim();
  return trimmed ? trimmed : undefined;
}

/** Parses the numbers of a multi-valued decimal string (DS/IS); undefined when absent. */
export function numbers(dataSet: DataSet, tag: string): number[] | undefined {
  const value = text(dataSet, tag);
  if (value === undefined) return undefined;
  return value.split('\\').map((part) => Number(part.trim()));
}

export function number(dataSet: DataSet, tag: string): number | undefined {
  return numbers(dataSet, tag)?.[0];
}

/** US attribute in the data set's byte order, or undefined. */
export function uint16(dataSet: DataSet, tag: string): number | undefined {
  return dataSet.elements[tag] ? guarded(tag, () => dataSet.uint16(tag)) : undefined;
}

/** Runs a dicom-parser accessor, turning its read-past-the-end errors into DICOM_INVALID for that attribute. */
function guarded<T>(tag: string, read: () => T): T {
  try {
    return read();
  } catch (cause) {
    const label = `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
    throw new RadiomicsError('DICOM_INVALID', `DICOM attribute ${label} extends past the end of the file.`, { cause });
  }
}

/** Transfer syntax of the data set as it is held in memory (a deflated file is held inflated). */
export function transferSyntaxOf(dataSet: DataSet): string {
  return text(dataSet, 'x00020010') ?? '1.2.840.10008.1.2';
}

/** Transfer syntax of the file as uploaded, for reports. */
export function storedTransferSyntaxOf(dataSet: DataSet): string {
  return storedTransferSyntax.get(dataSet) ?? transferSyntaxOf(dataSet);
}

/** Items of a sequence attribute (empty when absent). */
export function items(dataSet: DataSet, tag: string): DataSet[] {
  return (dataSet.elements[tag]?.items ?? []).map((item) => item.dataSet).filter((item): item is DataSet => item !== undefined);
}

/** Finds `tag` in the data set or, for functional groups, in the first item of a shared or per-frame sequence path. */
export function nested(dataSet: DataSet | undefined, path: string[]): DataSet | undefined {
  let current = dataSet;
  for (const tag of path) {
    current = current ? items(current, tag)[0] : undefined;
  }
  return current;
}
