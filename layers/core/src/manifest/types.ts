/**
 * The study manifest: `manifest.json` at the top of a study upload, written last.
 *
 * Paths are relative to the study's top folder, use forward slashes and never leave it.
 */
export interface StudyManifest {
  readonly schemaVersion: 1;
  /** Site identifier; must equal the `<siteId>` of the upload prefix in the cloud. */
  readonly siteId: string;
  readonly studyId: string;
  readonly image: ManifestImage;
  /** At least one target lesion. */
  readonly lesions: readonly ManifestLesion[];
}

export interface ManifestImage {
  /** Folder holding the CT DICOM series (or a NIfTI/NRRD file for research use). */
  readonly path: string;
  /** Series to use when the folder holds more than one series. */
  readonly seriesInstanceUid?: string;
}

export interface ManifestLesion {
  /** Lesion identifier, unique within the study. */
  readonly lesionId: string;
  /** Mask file: NIfTI, NRRD, DICOM RTSTRUCT or DICOM SEG. */
  readonly mask: string;
  /** Label value of the lesion in a label map, or segment number in a SEG. Defaults to 1. */
  readonly label?: number;
  /** ROI name for an RTSTRUCT (ROIName); the label is then ignored. */
  readonly roiName?: string;
}
