/**
 * The catalogue of every error code the product raises.
 *
 * A code is stable: it is stored in study records, sent in SNS failure messages, shown in the dashboard and
 * mapped to the CLI exit status, so never rename one. Each entry gives the category (which decides the exit
 * status and whether a retry can help) and the action a site or operator should take. `docs/errors.md` is
 * generated from this table by `npm run docs:errors`.
 */

/** Broad class of a failure: it decides the CLI exit status and whether a retry can succeed. */
export type ErrorCategory =
  | 'input' // the upload itself is wrong: the site must fix and re-upload
  | 'privacy' // identifying data present: the site must de-identify and re-upload
  | 'configuration' // settings, parameter file or model artifact invalid: the operator must fix them
  | 'limit' // a size or count limit was exceeded: split the upload or raise the limit
  | 'transient' // infrastructure hiccup: retrying the same request can succeed
  | 'internal'; // a defect in the product: report it

export interface ErrorCatalogueEntry {
  readonly category: ErrorCategory;
  /** What the site or operator should do next, in one sentence. */
  readonly action: string;
}

export const ERROR_CATALOGUE = {
  // Files and archives.
  FILE_NOT_FOUND: { category: 'input', action: 'Check the path or the manifest entry, and add the missing file to the study (upload it again in the cloud).' },
  UNSUPPORTED_FILE_FORMAT: {
    category: 'input',
    action: 'Provide the CT as a DICOM series and masks as NIfTI, NRRD, DICOM RTSTRUCT or DICOM SEG.',
  },
  ARCHIVE_INVALID: { category: 'input', action: 'Re-create the zip archive with a standard tool and upload it again.' },
  ARCHIVE_UNSAFE_PATH: {
    category: 'input',
    action: 'Re-create the archive with relative paths only, without ".." segments or links.',
  },
  ARCHIVE_TOO_LARGE: {
    category: 'limit',
    action: 'Split the study into smaller uploads or ask the operator to raise the archive limits.',
  },
  MANIFEST_INVALID: { category: 'input', action: 'Fix manifest.json as the message says; docs/manifest.md gives its schema.' },
  STUDY_LAYOUT_AMBIGUOUS: {
    category: 'input',
    action: 'Add a manifest.json that names the CT series and each lesion mask explicitly.',
  },

  // DICOM.
  DICOM_INVALID: { category: 'input', action: 'Re-export the file from the PACS or scanner; it is not valid DICOM.' },
  DICOM_TRUNCATED: { category: 'input', action: 'Upload the file again; it ends before its pixel data is complete.' },
  UNSUPPORTED_TRANSFER_SYNTAX: {
    category: 'input',
    action: 'Re-export the series uncompressed (Explicit VR Little Endian) or with JPEG Lossless, JPEG-LS or JPEG 2000.',
  },
  SERIES_NOT_FOUND: { category: 'input', action: 'Upload the CT series or correct the series UID in the manifest.' },
  MIXED_SERIES: {
    category: 'input',
    action: 'Upload one CT series per study, or name the series to use in the manifest.',
  },
  NOT_CT_MODALITY: { category: 'input', action: 'Upload the contrast-enhanced CT series; other modalities are not analysed.' },
  MISSING_SLICES: { category: 'input', action: 'Re-export the complete series; slice positions show a gap.' },
  DUPLICATE_SLICES: { category: 'input', action: 'Remove the duplicated slices or re-export the series once.' },
  NON_UNIFORM_SPACING: { category: 'input', action: 'Re-export the series with uniform slice spacing.' },
  GANTRY_TILT: { category: 'input', action: 'Upload a series reconstructed without gantry tilt (axial, orthogonal slices).' },
  INCONSISTENT_SLICES: {
    category: 'input',
    action: 'Re-export the series; its slices disagree in size, orientation or pixel spacing.',
  },
  MULTIFRAME_UNSUPPORTED: {
    category: 'input',
    action: 'Re-export the image as a classic single-frame CT series, or as an enhanced CT with per-frame positions.',
  },
  PHI_PRESENT: {
    category: 'privacy',
    action: 'De-identify the series with the DICOM basic profile (PS3.15 Annex E) and upload it again.',
  },

  // NIfTI, NRRD and segmentations.
  NIFTI_INVALID: { category: 'input', action: 'Re-save the NIfTI file from ITK-SNAP or 3D Slicer; its header is invalid.' },
  NIFTI_ORIENTATION_CONFLICT: {
    category: 'input',
    action: 'Re-save the mask so that its qform and sform agree, or clear one of them.',
  },
  NRRD_INVALID: { category: 'input', action: 'Re-save the NRRD file from 3D Slicer or ITK-SNAP; its header is invalid.' },
  RTSTRUCT_INVALID: { category: 'input', action: 'Re-export the RTSTRUCT from the contouring system.' },
  FRAME_OF_REFERENCE_MISMATCH: {
    category: 'input',
    action: 'Upload the RTSTRUCT or SEG drawn on this CT series (same Frame of Reference UID).',
  },
  SEG_INVALID: { category: 'input', action: 'Re-export the DICOM SEG as a binary segmentation of this CT series.' },

  // Geometry and labels.
  GEOMETRY_MISMATCH: {
    category: 'input',
    action: 'Re-export the mask on the CT grid (same size, spacing, origin and direction).',
  },
  LABEL_NOT_FOUND: { category: 'input', action: 'Correct the label value in the manifest, or re-export the mask with it.' },
  NON_INTEGER_LABELS: { category: 'input', action: 'Save the mask as an integer label map, not as probabilities.' },
  EMPTY_ROI: { category: 'input', action: 'The lesion mask has no voxels; re-segment the lesion.' },
  ROI_TOO_SMALL: {
    category: 'input',
    action: 'Re-segment the lesion: it must span at least two voxels in at least two dimensions.',
  },
  VOLUME_TOO_LARGE: {
    category: 'limit',
    action: 'Crop the image, choose a coarser resampling spacing, or raise the voxel limit.',
  },

  // Settings, models and results.
  SETTINGS_INVALID: { category: 'configuration', action: 'Fix the parameter file as the message says.' },
  MODEL_INVALID: { category: 'configuration', action: 'Publish a model artifact written by "radiomics train".' },
  MODEL_NOT_FOUND: { category: 'configuration', action: 'Publish a model version, or name one that exists.' },
  FEATURES_MISSING: {
    category: 'configuration',
    action: 'Re-extract the lesion with the settings the model was trained on.',
  },
  DATA_INVALID: { category: 'input', action: 'Fix the CSV or JSON input as the message says.' },
  STUDY_CONFLICT: {
    category: 'input',
    action: 'The study is already completed or is being processed by another run: upload a correction under a new study id, or wait for the run to end.',
  },

  // Results API.
  REQUEST_INVALID: { category: 'input', action: 'Correct the request parameters as the message says.' },
  ACCESS_DENIED: {
    category: 'input',
    action: 'Sign in again, or ask a coordinator for access to this site.',
  },
  RESULT_NOT_FOUND: { category: 'input', action: 'Check the site, study and lesion ids in the request.' },

  // Infrastructure.
  STORAGE_UNAVAILABLE: { category: 'transient', action: 'Retry later; the storage service did not respond.' },
  INTERNAL_ERROR: { category: 'internal', action: 'Report the study id and this message to the platform team.' },
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** CLI exit status per category: 0 is success, 1 is reserved for usage errors from commander. */
export const EXIT_STATUS: Readonly<Record<ErrorCategory, number>> = {
  input: 2,
  privacy: 3,
  configuration: 4,
  limit: 5,
  transient: 6,
  internal: 70,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}
