// Loading of a CT DICOM series into a Hounsfield-unit volume in LPS space, with the consistency checks a
// radiomics pipeline needs before trusting the geometry.
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';

import { RadiomicsError } from '../../errors';
import type { ImageVolume, Matrix3, Vec3 } from '../../image/volume';
import { isPart10, items, nested, numbers, parseDicomFile, storedTransferSyntaxOf, text, transferSyntaxOf } from './dataset';
import { LOSSY_TRANSFER_SYNTAXES, NATIVE_TRANSFER_SYNTAXES, assertSupportedTransferSyntax, needsWasmCodec, pixelFormatOf, prepareDicomCodecs, readStoredValues, type PixelFormat } from './pixels';

export interface DicomInputFile {
  /** A neutral description or the file name; it is never copied into messages. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface LoadDicomSeriesOptions {
  /** The series to load when the files contain several. */
  readonly seriesInstanceUid?: string;
  /** Largest relative deviation of a slice gap from the median gap (default 0.01, i.e. 1 %). */
  readonly spacingTolerance?: number;
  /** VOLUME_TOO_LARGE is raised before allocation above this many voxels (default 2^29, 1 GiB as int16). */
  readonly maxVoxels?: number;
}

export const DEFAULT_MAX_SERIES_VOXELS = 2 ** 29;

export interface DicomSeriesInfo {
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly modality: string;
  readonly sliceCount: number;
  readonly transferSyntaxes: string[];
  /** SOP Instance UID of each slice in volume order (k = 0 …); a multi-frame object repeats its UID. */
  readonly sopInstanceUids: string[];
  readonly manufacturer?: string;
  readonly multiFrame: boolean;
}

export interface LoadedDicomSeries {
  readonly image: ImageVolume;
  readonly series: DicomSeriesInfo;
  readonly warnings: string[];
}

/** Series information of volumes returned by loadDicomSeries, so that RTSTRUCT and SEG can check their frame of reference. */
const seriesOfVolume = new WeakMap<ImageVolume, DicomSeriesInfo>();

export function dicomSeriesOf(image: ImageVolume): DicomSeriesInfo | undefined {
  return seriesOfVolume.get(image);
}

/** Non-image DICOM objects that travel with a study and are not part of the CT series. */
const NON_IMAGE_MODALITIES = new Set(['RTSTRUCT', 'SEG', 'RTPLAN', 'RTDOSE', 'SR', 'KO', 'PR', 'REG']);

/** Distance below which two slice positions count as the same slice (mm). */
const DUPLICATE_DISTANCE_MM = 1e-3;

interface SliceRecord {
  readonly dataSet: DataSet;
  readonly frameIndex: number;
  readonly filePosition: string;
  readonly position: Vec3;
  readonly orientation: number[];
  readonly pixelSpacing: number[];
  readonly slope: number;
  readonly intercept: number;
  readonly format: PixelFormat;
  readonly sopInstanceUid: string;
  readonly gantryTilt: number;
  projection: number;
}

/**
 * Loads one CT series from a set of files. Non-DICOM files are ignored (with a warning). Slices are sorted
 * by ImagePositionPatient projected on the slice normal, spacing comes from the positions, and each slice's
 * RescaleSlope/RescaleIntercept is applied as floating point. The volume is Int16Array when every value is an
 * integer in int16 range, else Float32Array.
 *
 * Raises SERIES_NOT_FOUND, MIXED_SERIES, NOT_CT_MODALITY, INCONSISTENT_SLICES, DUPLICATE_SLICES, MISSING_SLICES,
 * NON_UNIFORM_SPACING, GANTRY_TILT, MULTIFRAME_UNSUPPORTED, UNSUPPORTED_TRANSFER_SYNTAX, DICOM_INVALID and
 * DICOM_TRUNCATED. JPEG-LS and JPEG 2000 need `prepareDicomCodecs()` to have run (loadDicomSeriesAsync does it).
 */
export function loadDicomSeries(files: readonly DicomInputFile[], options: LoadDicomSeriesOptions = {}): LoadedDicomSeries {
  const warnings: string[] = [];
  const groups = groupImageSeries(files, warnings);
  const [seriesUid, dataSets] = chooseSeries(groups, options.seriesInstanceUid);

  const modality = text(dataSets[0].dataSet, 'x00080060') ?? 'unknown';
  if (modality !== 'CT') {
    throw new RadiomicsError('NOT_CT_MODALITY', `The image series has modality ${modality}; a CT series is required.`, {
      details: { modality },
    });
  }

  const slices = dataSets.flatMap(({ dataSet, filePosition }) => sliceRecords(dataSet, filePosition));
  const geometry = checkGeometry(slices, options.spacingTolerance ?? 0.01, warnings);
  assertAllocatable(slices, geometry.size, options.maxVoxels ?? DEFAULT_MAX_SERIES_VOXELS);
  const data = readVolume(slices, geometry.size);

  const transferSyntaxes = [...new Set(dataSets.map(({ dataSet }) => storedTransferSyntaxOf(dataSet)))];
  const lossy = transferSyntaxes.filter((uid) => LOSSY_TRANSFER_SYNTAXES.has(uid));
  if (lossy.length > 0) warnings.push(`The series is stored with lossy compression (${lossy.join(', ')}); HU values are approximate.`);
  if (!(data instanceof Int16Array)) warnings.push('Rescaled values are not all integers in int16 range, so the volume is stored as float32.');

  const first = dataSets[0].dataSet;
  const image: ImageVolume = { ...geometry, data };
  const series: DicomSeriesInfo = {
    seriesInstanceUid: seriesUid,
    studyInstanceUid: text(first, 'x0020000d'),
    frameOfReferenceUid: text(first, 'x00200052'),
    modality,
    sliceCount: slices.length,
    transferSyntaxes,
    sopInstanceUids: slices.map((slice) => slice.sopInstanceUid),
    manufacturer: text(first, 'x00080070'),
    multiFrame: slices.some((slice) => slice.frameIndex > 0),
  };
  seriesOfVolume.set(image, series);
  return { image, series, warnings };
}

/**
 * loadDicomSeries after loading the JPEG-LS and JPEG 2000 decoders, when a file needs them (loading them
 * costs about a second, so uncompressed series skip it).
 */
export async function loadDicomSeriesAsync(files: readonly DicomInputFile[], options: LoadDicomSeriesOptions = {}): Promise<LoadedDicomSeries> {
  if (files.some((file) => isPart10(file.bytes) && needsWasmCodec(metaTransferSyntax(file.bytes)))) await prepareDicomCodecs();
  return loadDicomSeries(files, options);
}

function metaTransferSyntax(bytes: Uint8Array): string {
  try {
    return dicomParser.readPart10Header(bytes).string('x00020010')?.replace(/\0+$/, '').trim() ?? '';
  } catch {
    return '';
  }
}

interface ParsedFile {
  readonly dataSet: DataSet;
  readonly filePosition: string;
}

function groupImageSeries(files: readonly DicomInputFile[], warnings: string[]): Map<string, ParsedFile[]> {
  const groups = new Map<string, ParsedFile[]>();
  let ignored = 0;
  let nonImage = 0;

  files.forEach((file, index) => {
    const filePosition = `file ${index + 1} of ${files.length}`;
    if (!isPart10(file.bytes)) {
      ignored++;
      return;
    }
    const dataSet = parseDicomFile(file.bytes, filePosition);
    const modality = text(dataSet, 'x00080060') ?? '';
    if (!dataSet.elements.x7fe00010 || NON_IMAGE_MODALITIES.has(modality)) {
      nonImage++;
      return;
    }
    const seriesUid = text(dataSet, 'x0020000e');
    if (!seriesUid) throw new RadiomicsError('DICOM_INVALID', `DICOM ${filePosition} has no SeriesInstanceUID.`);
    const group = groups.get(seriesUid) ?? [];
    group.push({ dataSet, filePosition });
    groups.set(seriesUid, group);
  });

  if (ignored > 0) warnings.push(`${ignored} file${ignored === 1 ? ' is' : 's are'} not DICOM Part 10 and ${ignored === 1 ? 'was' : 'were'} ignored.`);
  if (nonImage > 0) warnings.push(`${nonImage} DICOM object${nonImage === 1 ? '' : 's'} without image pixel data (RTSTRUCT, SEG, reports) left out of the series.`);
  return groups;
}

function chooseSeries(groups: Map<string, ParsedFile[]>, requested: string | undefined): [string, ParsedFile[]] {
  if (requested !== undefined) {
    const group = groups.get(requested);
    if (!group) {
      throw new RadiomicsError(
        'SERIES_NOT_FOUND',
        `Series ${requested} is not among the ${groups.size} image series found (${[...groups.keys()].join(', ') || 'none'}).`,
      );
    }
    return [requested, group];
  }
  if (groups.size === 0) throw new RadiomicsError('SERIES_NOT_FOUND', 'No DICOM image series was found among the files.');
  if (groups.size > 1) {
    const listing = [...groups.entries()].map(([uid, group]) => `${uid} (${text(group[0].dataSet, 'x00080060') ?? '?'}, ${group.length} files)`);
    throw new RadiomicsError('MIXED_SERIES', `The files contain ${groups.size} image series: ${listing.join('; ')}. Name the CT series to use.`, {
      details: { seriesInstanceUids: [...groups.keys()] },
    });
  }
  return [...groups.entries()][0];
}

/** Builds one record per frame: one for a classic file, one per frame with its own position for enhanced multi-frame objects. */
function sliceRecords(dataSet: DataSet, filePosition: string): SliceRecord[] {
  const format = pixelFormatOf(dataSet);
  assertSupportedTransferSyntax(transferSyntaxOf(dataSet));
  if (format.samplesPerPixel !== 1) {
    throw new RadiomicsError('DICOM_INVALID', `DICOM ${filePosition} has ${format.samplesPerPixel} samples per pixel; CT images have 1.`);
  }
  if (![8, 16, 32].includes(format.bitsAllocated) || format.bitsStored < 1 || format.bitsStored > format.bitsAllocated) {
    throw new RadiomicsError(
      'DICOM_INVALID',
      `DICOM ${filePosition}: BitsAllocated ${format.bitsAllocated} with BitsStored ${format.bitsStored} is not a supported pixel layout.`,
    );
  }
  if (format.rows < 1 || format.columns < 1) throw new RadiomicsError('DICOM_INVALID', `DICOM ${filePosition} has no Rows/Columns.`);

  const frames = Number(text(dataSet, 'x00280008') ?? '1') || 1;
  const sopInstanceUid = text(dataSet, 'x00080018') ?? '';
  const gantryTilt = numbers(dataSet, 'x00181120')?.[0] ?? 0;
  if (frames === 1 && !dataSet.elements.x52009230) {
    return [
      {
        dataSet,
        frameIndex: 0,
        filePosition,
        position: requireVector(dataSet, 'x00200032', 3, 'ImagePositionPatient', filePosition) as unknown as Vec3,
        orientation: requireVector(dataSet, 'x00200037', 6, 'ImageOrientationPatient', filePosition),
        pixelSpacing: requireVector(dataSet, 'x00280030', 2, 'PixelSpacing', filePosition),
        slope: numbers(dataSet, 'x00281053')?.[0] ?? 1,
        intercept: numbers(dataSet, 'x00281052')?.[0] ?? 0,
        format,
        sopInstanceUid,
        gantryTilt,
        projection: 0,
      },
    ];
  }
  return multiFrameRecords(dataSet, frames, filePosition, format, sopInstanceUid, gantryTilt);
}

/** Frames of an enhanced multi-frame object, placed by the per-frame (or shared) functional groups. */
function multiFrameRecords(
  dataSet: DataSet,
  frames: number,
  filePosition: string,
  format: PixelFormat,
  sopInstanceUid: string,
  gantryTilt: number,
): SliceRecord[] {
  const shared = items(dataSet, 'x52009229')[0];
  const perFrame = items(dataSet, 'x52009230');
  if (perFrame.length !== frames) {
    throw new RadiomicsError(
      'MULTIFRAME_UNSUPPORTED',
      `DICOM ${filePosition} has ${frames} frames but ${perFrame.length} per-frame functional groups, so frame positions are unknown.`,
    );
  }

  const fromGroups = (frame: DataSet, sequence: string, tag: string): number[] | undefined => {
    const own = nested(frame, [sequence]);
    const value = own ? numbers(own, tag) : undefined;
    if (value) return value;
    const common = nested(shared, [sequence]);
    return common ? numbers(common, tag) : numbers(dataSet, tag);
  };

  return perFrame.map((frame, frameIndex) => {
    const position = fromGroups(frame, 'x00209113', 'x00200032');
    const orientation = fromGroups(frame, 'x00209116', 'x00200037');
    const pixelSpacing = fromGroups(frame, 'x00289110', 'x00280030');
    if (!position || position.length !== 3 || !orientation || orientation.length !== 6 || !pixelSpacing || pixelSpacing.length !== 2) {
      throw new RadiomicsError(
        'MULTIFRAME_UNSUPPORTED',
        `DICOM ${filePosition}, frame ${frameIndex + 1}: the functional groups give no plane position, orientation or pixel spacing.`,
      );
    }
    return {
      dataSet,
      frameIndex,
      filePosition: `${filePosition}, frame ${frameIndex + 1}`,
      position: position as unknown as Vec3,
      orientation,
      pixelSpacing,
      slope: fromGroups(frame, 'x00289145', 'x00281053')?.[0] ?? 1,
      intercept: fromGroups(frame, 'x00289145', 'x00281052')?.[0] ?? 0,
      format,
      sopInstanceUid,
      gantryTilt,
      projection: 0,
    };
  });
}

function requireVector(dataSet: DataSet, tag: string, length: number, name: string, filePosition: string): number[] {
  const values = numbers(dataSet, tag);
  if (!values || values.length !== length || values.some((value) => !Number.isFinite(value))) {
    throw new RadiomicsError('DICOM_INVALID', `DICOM ${filePosition}: ${name} is missing or does not hold ${length} numbers.`);
  }
  return values;
}

interface SeriesGeometry {
  readonly size: Vec3;
  readonly spacing: Vec3;
  readonly origin: Vec3;
  readonly direction: Matrix3;
}

/** Sorts the slices in place along the normal and checks orientation, spacing, duplicates, gaps and tilt. */
function checkGeometry(slices: SliceRecord[], spacingTolerance: number, warnings: string[]): SeriesGeometry {
  const first = slices[0];
  for (const slice of slices) {
    const sameFormat = slice.format.rows === first.format.rows && slice.format.columns === first.format.columns;
    const sameOrientation = slice.orientation.every((value, n) => Math.abs(value - first.orientation[n]) <= 1e-4);
    const sameSpacing = slice.pixelSpacing.every((value, n) => Math.abs(value - first.pixelSpacing[n]) <= 1e-4 * first.pixelSpacing[n]);
    if (!sameFormat || !sameOrientation || !sameSpacing) {
      let what = 'PixelSpacing';
      if (!sameFormat) what = 'rows/columns';
      else if (!sameOrientation) what = 'ImageOrientationPatient';
      throw new RadiomicsError('INCONSISTENT_SLICES', `DICOM ${slice.filePosition} differs from the first slice in ${what}.`);
    }
  }

  const row = first.orientation.slice(0, 3);
  const column = first.orientation.slice(3, 6);
  const rowLength = Math.hypot(row[0], row[1], row[2]);
  const columnLength = Math.hypot(column[0], column[1], column[2]);
  const dot = row[0] * column[0] + row[1] * column[1] + row[2] * column[2];
  if (Math.abs(rowLength - 1) > 1e-3 || Math.abs(columnLength - 1) > 1e-3 || Math.abs(dot) > 1e-3) {
    throw new RadiomicsError('DICOM_INVALID', 'ImageOrientationPatient does not hold two orthogonal unit vectors.');
  }
  const r = row.map((value) => value / rowLength);
  const c = column.map((value) => value / columnLength);
  const normal = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];

  for (const slice of slices) slice.projection = slice.position[0] * normal[0] + slice.position[1] * normal[1] + slice.position[2] * normal[2];
  slices.sort((a, b) => a.projection - b.projection);

  const gaps = slices.slice(1).map((slice, n) => slice.projection - slices[n].projection);
  const duplicates = gaps.filter((gap) => gap < DUPLICATE_DISTANCE_MM).length;
  if (duplicates > 0) {
    throw new RadiomicsError('DUPLICATE_SLICES', `${duplicates} slice${duplicates === 1 ? '' : 's'} repeat the position of another slice.`, {
      details: { duplicates },
    });
  }

  let sliceSpacing: number;
  if (slices.length === 1) {
    sliceSpacing = numbers(first.dataSet, 'x00180088')?.[0] ?? numbers(first.dataSet, 'x00180050')?.[0] ?? 1;
    warnings.push('The series has a single slice; its slice spacing comes from SpacingBetweenSlices or SliceThickness.');
  } else {
    checkGaps(gaps, spacingTolerance);
    sliceSpacing = (slices[slices.length - 1].projection - slices[0].projection) / (slices.length - 1);
    checkTilt(slices, normal, first.pixelSpacing);
  }
  if (slices.some((slice) => Math.abs(slice.gantryTilt) > 0.01)) {
    throw new RadiomicsError('GANTRY_TILT', `The series was acquired with a gantry tilt of ${first.gantryTilt}°; slices are not orthogonal to the table.`);
  }

  const origin = slices[0].position;
  // Columns of the direction matrix: i follows the row direction, j the column direction, k the normal.
  const direction = [r[0], c[0], normal[0], r[1], c[1], normal[1], r[2], c[2], normal[2]].map((value) => value + 0) as unknown as Matrix3;
  return {
    size: [first.format.columns, first.format.rows, slices.length],
    spacing: [first.pixelSpacing[1], first.pixelSpacing[0], sliceSpacing],
    origin: [origin[0], origin[1], origin[2]],
    direction,
  };
}

function checkGaps(gaps: number[], tolerance: number): void {
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const deviating = gaps.filter((gap) => Math.abs(gap - median) > tolerance * median);
  if (deviating.length === 0) return;

  // A gap close to a whole multiple of the usual spacing means slices are missing; anything else is irregular.
  const missing = deviating.filter((gap) => gap > 1.5 * median && Math.abs(gap / median - Math.round(gap / median)) <= 0.1);
  if (missing.length === deviating.length) {
    const count = missing.reduce((sum, gap) => sum + Math.round(gap / median) - 1, 0);
    throw new RadiomicsError(
      'MISSING_SLICES',
      `About ${count} slice${count === 1 ? ' is' : 's are'} missing: ${missing.length} gap${missing.length === 1 ? '' : 's'} of up to ${Math.max(...missing).toFixed(3)} mm in a series spaced ${median.toFixed(3)} mm.`,
      { details: { missingSlices: count, medianSpacingMm: median } },
    );
  }
  throw new RadiomicsError(
    'NON_UNIFORM_SPACING',
    `Slice gaps range from ${sorted[0].toFixed(3)} to ${sorted[sorted.length - 1].toFixed(3)} mm around a median of ${median.toFixed(3)} mm; the tolerance is ${(tolerance * 100).toFixed(1)} %.`,
    { details: { minimumGapMm: sorted[0], maximumGapMm: sorted[sorted.length - 1], medianSpacingMm: median, tolerance } },
  );
}

/**
 * Raises GANTRY_TILT when successive slice origins drift within the slice plane: a tilted acquisition stacks
 * slices along an oblique axis that the orthogonal volume model cannot represent. The drift over the whole
 * series must stay below a tenth of a pixel and 0.05°, above the rounding of decimal-string positions.
 */
function checkTilt(slices: SliceRecord[], normal: number[], pixelSpacing: number[]): void {
  const first = slices[0].position;
  const last = slices[slices.length - 1].position;
  const delta = [last[0] - first[0], last[1] - first[1], last[2] - first[2]];
  const along = delta[0] * normal[0] + delta[1] * normal[1] + delta[2] * normal[2];
  const drift = Math.hypot(delta[0] - along * normal[0], delta[1] - along * normal[1], delta[2] - along * normal[2]);
  const angle = (Math.atan2(drift, Math.abs(along)) * 180) / Math.PI;
  if (drift > 0.1 * Math.min(pixelSpacing[0], pixelSpacing[1]) && angle > 0.05) {
    throw new RadiomicsError(
      'GANTRY_TILT',
      `Slice positions drift ${drift.toFixed(2)} mm within the slice plane over the series (a tilt of about ${angle.toFixed(2)}°).`,
      { details: { driftMm: drift, tiltDegrees: angle } },
    );
  }
}

/**
 * Checks the volume size and, for uncompressed files, that each file contains the pixel bytes its header
 * promises, before the volume is allocated: a header claiming 65535 × 65535 pixels must not reserve gigabytes.
 */
function assertAllocatable(slices: SliceRecord[], size: Vec3, maxVoxels: number): void {
  const total = size[0] * size[1] * size[2];
  if (total > maxVoxels) {
    throw new RadiomicsError('VOLUME_TOO_LARGE', `The series has ${size.join(' × ')} = ${total} voxels, above the limit of ${maxVoxels}.`, {
      details: { size, voxels: total, maxVoxels },
    });
  }
  for (const slice of slices) {
    const element = slice.dataSet.elements.x7fe00010;
    if (!element || !NATIVE_TRANSFER_SYNTAXES.has(transferSyntaxOf(slice.dataSet))) continue;
    const needed = (slice.frameIndex + 1) * slice.format.rows * slice.format.columns * (slice.format.bitsAllocated / 8);
    const available = Math.min(element.length, slice.dataSet.byteArray.length - element.dataOffset);
    if (available < needed) {
      throw new RadiomicsError('DICOM_TRUNCATED', `DICOM ${slice.filePosition}: pixel data has ${available} bytes, but the header describes ${needed}.`);
    }
  }
}

const INT16_MIN = -32768;

/** True when every stored value plus the intercept lies in int16 range. */
function sliceFitsInt16(stored: Int16Array | Uint16Array | Int32Array, intercept: number): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let n = 0; n < stored.length; n++) {
    const value = stored[n];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min + intercept >= INT16_MIN && max + intercept <= INT16_MAX;
}
const INT16_MAX = 32767;

/**
 * Decodes every slice into one volume. It writes int16 while every rescaled value is an integer in range and
 * switches to float32 (converting the slices written so far) at the first value that is not.
 */
function readVolume(slices: SliceRecord[], size: Vec3): Int16Array | Float32Array {
  const sliceVoxels = size[0] * size[1];
  const total = sliceVoxels * size[2];
  const integerRescale = slices.every((slice) => Number.isInteger(slice.slope) && Number.isInteger(slice.intercept));
  let int16: Int16Array | undefined = integerRescale ? new Int16Array(total) : undefined;
  let float32: Float32Array | undefined = integerRescale ? undefined : new Float32Array(total);

  slices.forEach((slice, k) => {
    const stored = readStoredValues(slice.dataSet, slice.frameIndex, slice.format, slice.filePosition);
    const offset = k * sliceVoxels;
    const { slope, intercept } = slice;

    if (int16 && slope === 1 && sliceFitsInt16(stored, intercept)) {
      // The common CT case: stored integers plus an integer intercept, known to stay in int16 range.
      if (intercept === 0 && stored instanceof Int16Array) int16.set(stored, offset);
      else for (let n = 0; n < sliceVoxels; n++) int16[offset + n] = stored[n] + intercept;
      return;
    }

    for (let n = 0; n < sliceVoxels; n++) {
      const value = stored[n] * slope + intercept;
      if (int16) {
        if (value >= INT16_MIN && value <= INT16_MAX) {
          int16[offset + n] = value;
          continue;
        }
        float32 = Float32Array.from(int16);
        int16 = undefined;
      }
      (float32 as Float32Array)[offset + n] = value;
    }
  });
  return (int16 ?? float32) as Int16Array | Float32Array;
}
