// Image and mask loading shared by the CLI commands: the core path loaders, with each error naming the option
// (or batch cell) whose input it rejects. Messages never contain the path, because upload file names can
// identify the patient.
import {
  loadImagePath,
  loadMaskPath,
  RadiomicsError,
  toRadiomicsError,
  type ImageVolume,
  type LoadedImage,
  type LoadedMask,
} from '@radiomics/core';

/**
 * Converts `thrown` to a RadiomicsError whose message starts with `source` (for example `--image`, or
 * `batch row 3, Mask column`). Code, details and cause stay, so the exit status is that of the original code.
 */
export function attributeError(thrown: unknown, source: string): RadiomicsError {
  const error = toRadiomicsError(thrown);
  return new RadiomicsError(error.code, `${source}: ${error.message}`, { cause: error.cause ?? error, details: error.details });
}

/**
 * Loads a CT image from a DICOM series folder, a single DICOM file, or a NIfTI or NRRD file. JPEG-LS and JPEG 2000
 * series are decoded because the core loader loads those decoders first.
 */
export async function loadImageInput(path: string, source: string, options: { seriesInstanceUid?: string } = {}): Promise<LoadedImage> {
  try {
    return await withStdoutKeptClean(() => loadImagePath(path, options));
  } catch (thrown) {
    throw attributeError(thrown, source);
  }
}

/**
 * Runs `load` while keeping standard output free for the command's CSV or JSON. The OpenJPEG decoder prints
 * `[INFO] …` progress lines to standard output for every JPEG 2000 frame, so those are dropped and any other
 * text written meanwhile goes to standard error.
 */
async function withStdoutKeptClean<T>(load: () => Promise<T>): Promise<T> {
  const stdoutWrite = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const remainingText = text
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('[INFO]'))
      .join('\n');
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    if (remainingText === '') {
      callback?.();
      return true;
    }
    return process.stderr.write(`${remainingText}\n`, callback);
  }) as typeof process.stdout.write;
  try {
    return await load();
  } finally {
    process.stdout.write = stdoutWrite;
  }
}

/**
 * Loads a lesion mask (NIfTI, NRRD, DICOM RTSTRUCT or DICOM SEG) for `reference`. RTSTRUCT contours are
 * rasterised and SEG frames placed on the CT grid. With `roiName`, that RTSTRUCT ROI or SEG segment becomes
 * label 1, and an absent name is attributed to `roiSource`. Without it every ROI or segment keeps its number.
 */
export async function loadMaskInput(
  path: string,
  reference: ImageVolume,
  source: string,
  options: { roiName?: string; roiSource?: string } = {},
): Promise<LoadedMask> {
  try {
    return await loadMaskPath(path, reference, options.roiName === undefined ? {} : { roiName: options.roiName });
  } catch (thrown) {
    // An ROI name absent from the RTSTRUCT or SEG is the fault of the option that named it.
    const roiMissing = options.roiName !== undefined && toRadiomicsError(thrown).code === 'LABEL_NOT_FOUND';
    throw attributeError(thrown, roiMissing ? (options.roiSource ?? '--roi') : source);
  }
}
