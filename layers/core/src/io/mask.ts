// Loading of lesion masks in any supported format onto the grid of the CT they belong to.
import { RadiomicsError } from '../errors';
import type { ImageVolume, LabelVolume, VoxelArray } from '../image/volume';
import { isGzip } from './bytes';
import { isPart10, parseDicomFile, text } from './dicom/dataset';
import { rasteriseRtStruct } from './dicom/rtstruct';
import { loadSeg } from './dicom/seg';
import { dicomSeriesOf } from './dicom/series';
import { readNifti } from './nifti';
import { readNrrd, type ReadNrrdOptions } from './nrrd';

export type MaskFormat = 'nifti' | 'nrrd' | 'rtstruct' | 'seg';
export type ImageFormat = 'nifti' | 'nrrd' | 'dicom';

export interface LoadMaskOptions {
  /** RTSTRUCT ROI name or SEG segment label to load as label 1. Without it every ROI/segment keeps its number. */
  readonly roiName?: string;
  /** Frame of Reference UID of the CT, when the reference volume did not come from loadDicomSeries. */
  readonly frameOfReferenceUid?: string;
  /** Reader for NRRD detached data files (see readNrrd). */
  readonly readDataFile?: ReadNrrdOptions['readDataFile'];
}

export interface LoadedMask {
  readonly mask: LabelVolume;
  readonly format: MaskFormat;
  readonly warnings: string[];
  /** ROI or segment names by label value, for RTSTRUCT and SEG. */
  readonly labelNames: Record<number, string>;
}

/** Recognises a file format from its content, never from its name (upload names are untrusted). */
export function detectFormat(bytes: Uint8Array): ImageFormat | 'unknown' {
  if (isGzip(bytes)) return 'nifti';
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 7)) === 'NRRD000') return 'nrrd';
  if (isPart10(bytes)) return 'dicom';
  if (bytes.length >= 4) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
    const size = [view.getInt32(0, true), view.getInt32(0, false)];
    if (size.includes(348) || size.includes(540)) return 'nifti';
  }
  return 'unknown';
}

/** Loads a mask (NIfTI, NRRD, RTSTRUCT or binary SEG) for the CT `reference`; see loadMaskWithReport. */
export function loadMask(file: { name: string; bytes: Uint8Array }, reference: ImageVolume, options: LoadMaskOptions = {}): LabelVolume {
  return loadMaskWithReport(file, reference, options).mask;
}

/**
 * Loads a mask. NIfTI and NRRD label maps keep their own grid (validateRoi compares it with the CT) and are
 * converted to an unsigned integer type. RTSTRUCT contours are rasterised and SEG frames placed on the CT grid
 * after the frame of reference is checked. `file.name` is never used in messages.
 */
export function loadMaskWithReport(file: { name: string; bytes: Uint8Array }, reference: ImageVolume, options: LoadMaskOptions = {}): LoadedMask {
  const format = detectFormat(file.bytes);
  if (format === 'nifti') return { mask: toLabelVolume(readNifti(file.bytes)), format: 'nifti', warnings: [], labelNames: {} };
  if (format === 'nrrd') {
    const volume = readNrrd(file.bytes, 'mask.nrrd', { readDataFile: options.readDataFile });
    return { mask: toLabelVolume(volume), format: 'nrrd', warnings: [], labelNames: {} };
  }
  if (format === 'unknown') {
    throw new RadiomicsError('UNSUPPORTED_FILE_FORMAT', 'The mask is neither NIfTI, NRRD nor DICOM (RTSTRUCT or SEG).');
  }

  const dataSet = parseDicomFile(file.bytes, 'mask file');
  const modality = text(dataSet, 'x00080060');
  const frameOfReferenceUid = options.frameOfReferenceUid ?? dicomSeriesOf(reference)?.frameOfReferenceUid;
  if (modality === 'RTSTRUCT') {
    const result = rasteriseRtStruct(dataSet, reference, { roiName: options.roiName, frameOfReferenceUid });
    const labelNames = Object.fromEntries(
      options.roiName === undefined ? result.rois.map((roi) => [roi.number, roi.name]) : [[1, options.roiName]],
    );
    return { mask: result.mask, format: 'rtstruct', warnings: result.warnings, labelNames };
  }
  if (modality === 'SEG') {
    const result = loadSeg(dataSet, reference, { segmentLabel: options.roiName, frameOfReferenceUid });
    const labelNames = Object.fromEntries(
      options.roiName === undefined ? result.segments.map((segment) => [segment.number, segment.label]) : [[1, options.roiName]],
    );
    const warnings = frameOfReferenceUid ? [] : ['The CT frame of reference is unknown, so the SEG frame of reference was not checked.'];
    return { mask: result.mask, format: 'seg', warnings, labelNames };
  }
  throw new RadiomicsError('UNSUPPORTED_FILE_FORMAT', `The DICOM mask has modality ${modality ?? 'missing'}; an RTSTRUCT or SEG is expected.`);
}

/**
 * Converts a label map to the smallest unsigned integer type that fits its labels. Raises NON_INTEGER_LABELS
 * for fractional, negative or non-finite values.
 */
export function toLabelVolume(volume: ImageVolume): LabelVolume {
  const data: VoxelArray = volume.data;
  if (data instanceof Uint8Array || data instanceof Uint16Array || data instanceof Uint32Array) return volume as LabelVolume;

  let max = 0;
  let invalid = 0;
  for (let n = 0; n < data.length; n++) {
    const value = data[n];
    if (!(value >= 0) || !Number.isInteger(value)) invalid++;
    else if (value > max) max = value;
  }
  if (invalid > 0) {
    throw new RadiomicsError('NON_INTEGER_LABELS', `The mask is not an integer label map: ${invalid} voxels hold negative, fractional or non-finite values.`, {
      details: { invalidVoxels: invalid },
    });
  }
  if (max <= 255) return { ...volume, data: Uint8Array.from(data) };
  if (max <= 65535) return { ...volume, data: Uint16Array.from(data) };
  return { ...volume, data: Uint32Array.from(data) };
}
