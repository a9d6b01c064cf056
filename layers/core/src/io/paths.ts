// Filesystem entry points for the CLI: an image or mask given as a DICOM folder or a NIfTI, NRRD or DICOM file.
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

import { RadiomicsError } from '../errors';
import type { ImageVolume } from '../image/volume';
import { isPart10 } from './dicom/dataset';
import { loadDicomSeriesAsync, type DicomSeriesInfo } from './dicom/series';
import { detectFormat, loadMaskWithReport, toLabelVolume, type ImageFormat, type LoadedMask, type LoadMaskOptions } from './mask';
import { readNifti } from './nifti';
import { readNrrd } from './nrrd';

export interface LoadedImage {
  readonly image: ImageVolume;
  readonly format: ImageFormat;
  readonly series?: DicomSeriesInfo;
  readonly warnings: string[];
}

/** Limit on files read from one DICOM folder, so that a wrong path (a whole archive) fails fast. */
const MAX_FOLDER_FILES = 20_000;

/** Loads a CT image from a DICOM folder, a single DICOM file, or a NIfTI or NRRD file. */
export async function loadImagePath(path: string, options: { seriesInstanceUid?: string } = {}): Promise<LoadedImage> {
  const stats = statOrThrow(path);
  if (stats.isDirectory()) {
    const files = listFiles(path).map((file, index) => ({ name: `file ${index + 1}`, bytes: readFileSync(file) }));
    const loaded = await loadDicomSeriesAsync(files, options);
    return { image: loaded.image, format: 'dicom', series: loaded.series, warnings: loaded.warnings };
  }

  const bytes = readFileSync(path);
  const format = detectFormat(bytes);
  if (format === 'nifti') return { image: readNifti(bytes), format, warnings: [] };
  if (format === 'nrrd') return { image: readNrrd(bytes, 'image.nrrd', { readDataFile: dataFileReader(path) }), format, warnings: [] };
  if (format === 'dicom') {
    const loaded = await loadDicomSeriesAsync([{ name: 'file 1', bytes }], options);
    return { image: loaded.image, format: 'dicom', series: loaded.series, warnings: loaded.warnings };
  }
  throw new RadiomicsError('UNSUPPORTED_FILE_FORMAT', 'The image is neither a DICOM folder nor a DICOM, NIfTI or NRRD file.');
}

/** Loads a mask file (NIfTI, NRRD, RTSTRUCT, SEG), or the single RTSTRUCT/SEG file of a folder, for `reference`. */
export async function loadMaskPath(path: string, reference: ImageVolume, options: LoadMaskOptions = {}): Promise<LoadedMask> {
  const stats = statOrThrow(path);
  let file = path;
  if (stats.isDirectory()) {
    const candidates = listFiles(path).filter((candidate) => isPart10(readFileSync(candidate)));
    if (candidates.length !== 1) {
      throw new RadiomicsError('STUDY_LAYOUT_AMBIGUOUS', `The mask folder contains ${candidates.length} DICOM files; give the RTSTRUCT or SEG file itself.`);
    }
    file = candidates[0];
  }
  const bytes = readFileSync(file);
  const loaded = loadMaskWithReport({ name: 'mask', bytes }, reference, { ...options, readDataFile: options.readDataFile ?? dataFileReader(file) });
  return loaded.format === 'nifti' || loaded.format === 'nrrd' ? { ...loaded, mask: toLabelVolume(loaded.mask) } : loaded;
}

function statOrThrow(path: string): Stats {
  try {
    return statSync(path);
  } catch (cause) {
    throw new RadiomicsError('FILE_NOT_FOUND', 'The given path does not exist or cannot be read.', { cause });
  }
}

/** Regular files under a folder, recursively, hidden files and folders excluded, sorted for a stable order. */
function listFiles(folder: string): string[] {
  const found: string[] = [];
  const visit = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) found.push(full);
      if (found.length > MAX_FOLDER_FILES) {
        throw new RadiomicsError('ARCHIVE_TOO_LARGE', `The folder contains more than ${MAX_FOLDER_FILES} files; point at the CT series folder.`);
      }
    }
  };
  visit(folder);
  return found;
}

/**
 * Reader for NRRD detached data files that refuses anything resolving outside the header's folder, including
 * through symbolic links.
 */
function dataFileReader(headerPath: string): (relativeName: string) => Uint8Array {
  const folder = realpathSync(dirname(resolve(headerPath)));
  return (relativeName) => {
    let target: string;
    try {
      target = realpathSync(join(folder, relativeName));
    } catch (cause) {
      throw new RadiomicsError('FILE_NOT_FOUND', 'The NRRD detached data file does not exist next to its header.', { cause });
    }
    if (!target.startsWith(folder + sep)) {
      throw new RadiomicsError('NRRD_INVALID', 'The NRRD detached data file resolves outside the study folder.');
    }
    return readFileSync(target);
  };
}
