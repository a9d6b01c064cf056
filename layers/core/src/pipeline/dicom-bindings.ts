// The DICOM entry points of the image-input area that the workflow uses, gathered in one place.
import { RadiomicsError } from '../errors';
import type { ImageVolume, LabelVolume } from '../image/volume';

export { auditDeidentification } from '../deid';
export { loadDicomSeriesAsync } from '../io';

export interface MaskFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Rasterises a DICOM RTSTRUCT ROI or SEG segment onto the CT grid.
 * TODO: bind to the image-input area's loadMask once it is exported from io; until then DICOM masks are
 * rejected with UNSUPPORTED_FILE_FORMAT, while NIfTI and NRRD label maps work.
 */
export function loadMask(_file: MaskFile, _reference: ImageVolume, _options: { roiName?: string } = {}): LabelVolume {
  throw new RadiomicsError(
    'UNSUPPORTED_FILE_FORMAT',
    'DICOM RTSTRUCT and SEG masks cannot be read by this build yet; upload the lesion masks as NIfTI or NRRD label maps.',
  );
}
