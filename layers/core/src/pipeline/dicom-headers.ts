/**
 * Header-only reading of the DICOM files of an upload, for sorting files by role (CT image, RTSTRUCT, SEG)
 * and for the de-identification audit. Parsing stops before Pixel Data, so no pixel data is read here.
 */
import dicomParser from 'dicom-parser';

import type { StudyFile } from './study-files';

export interface DicomHeader {
  readonly file: StudyFile;
  readonly dataSet: dicomParser.DataSet;
  readonly modality: string;
  readonly seriesInstanceUid: string;
}

/** True for a file with the DICOM Part 10 preamble ('DICM' at byte 128). */
export function hasDicomPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** Parses the header of every DICOM Part 10 file; files that are not DICOM are skipped. */
export function readDicomHeaders(files: readonly StudyFile[]): DicomHeader[] {
  const headers: DicomHeader[] = [];
  for (const file of files) {
    if (!hasDicomPreamble(file.bytes)) continue;
    let dataSet: dicomParser.DataSet;
    try {
      dataSet = dicomParser.parseDicom(file.bytes, { untilTag: 'x7fe00010' });
    } catch {
      // An unparsable file is reported by the series loader with its proper code; here it only has no role.
      continue;
    }
    headers.push({
      file,
      dataSet,
      modality: (dataSet.string('x00080060') ?? '').trim().toUpperCase(),
      seriesInstanceUid: (dataSet.string('x0020000e') ?? '').trim(),
    });
  }
  return headers;
}
