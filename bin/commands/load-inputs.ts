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
 * Re-raises `thrown` with `source` (for example `--image`, or `batch row 3, Mask`) in front of its message. The
 * code, details and cause stay, so the exit status is the one of the original code.
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
    return await loadImagePath(path, options);
  } catch (thrown) {
    throw attributeError(thrown, source);
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
