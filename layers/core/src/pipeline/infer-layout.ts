/**
 * Infers the layout of a study uploaded without manifest.json (local runs only): the CT series among the
 * DICOM files, and the segmentation files (NIfTI, NRRD, DICOM RTSTRUCT, DICOM SEG).
 *
 * The result is a manifest plus a sentence that describes what was inferred. Label maps list one lesion per label
 * value, found once the mask is loaded (`expandLabels`); RTSTRUCT files one lesion per ROI and SEG files one
 * lesion per segment. Generated lesion ids are numbers only (`roi-1`, `segment-2`, `mask1-label-3`): file names
 * and ROI names are typed by people at the site and can carry a patient's name.
 */
import { RadiomicsError } from '../errors';
import type { ManifestLesion, StudyManifest } from '../manifest/types';
import type { DicomHeader } from './dicom-headers';
import type { StudyFile } from './study-files';

export interface InferredLayout {
  readonly manifest: StudyManifest;
  /** Label-map mask files whose lesions are one per label value, resolved after loading. */
  readonly labelMapFiles: readonly string[];
  readonly description: string;
}

const LABEL_MAP = /\.(nii|nii\.gz|nrrd|nhdr)$/i;

export function inferLayout(siteId: string, studyId: string, files: readonly StudyFile[], headers: readonly DicomHeader[]): InferredLayout {
  const ctHeaders = headers.filter((header) => header.modality === 'CT');
  const seriesUids = [...new Set(ctHeaders.map((header) => header.seriesInstanceUid))];
  if (seriesUids.length === 0) {
    throw new RadiomicsError('SERIES_NOT_FOUND', 'The study has no manifest.json and no CT DICOM series was found among its files.');
  }
  if (seriesUids.length > 1) {
    throw new RadiomicsError(
      'STUDY_LAYOUT_AMBIGUOUS',
      `The study has no manifest.json and contains ${seriesUids.length} CT series; the product cannot tell which one to analyse.`,
    );
  }
  const seriesInstanceUid = seriesUids[0];
  const imageFolder = commonFolder(ctHeaders.map((header) => header.file.path));

  const lesions: ManifestLesion[] = [];
  const parts: string[] = [];
  let structureSets = 0;
  let segmentations = 0;
  for (const header of headers) {
    if (header.modality === 'RTSTRUCT') {
      structureSets++;
      for (const roiName of roiNames(header)) {
        lesions.push({ lesionId: `roi-${lesions.length + 1}`, mask: header.file.path, roiName });
      }
    } else if (header.modality === 'SEG') {
      segmentations++;
      for (const segment of segmentNumbers(header)) {
        lesions.push({ lesionId: `segment-${segment}`, mask: header.file.path, label: segment });
      }
    }
  }
  const labelMapFiles = files.filter((file) => LABEL_MAP.test(file.path)).map((file) => file.path);

  if (lesions.length === 0 && labelMapFiles.length === 0) {
    throw new RadiomicsError(
      'STUDY_LAYOUT_AMBIGUOUS',
      'The study has no manifest.json and no segmentation (NIfTI, NRRD, RTSTRUCT or SEG) was found among its files.',
    );
  }

  parts.push(`CT series of ${ctHeaders.length} DICOM slices`);
  if (structureSets > 0) parts.push(`${structureSets} RTSTRUCT file(s) with ${lesions.filter((lesion) => lesion.roiName).length} ROI(s)`);
  if (segmentations > 0) parts.push(`${segmentations} DICOM SEG file(s)`);
  if (labelMapFiles.length > 0) parts.push(`${labelMapFiles.length} label-map file(s), one lesion per label value`);

  return {
    manifest: { schemaVersion: 1, siteId, studyId, image: { path: imageFolder, seriesInstanceUid }, lesions },
    labelMapFiles,
    description: `No manifest.json: inferred ${parts.join(', ')}.`,
  };
}

/** Lesions of a label-map file, one per label value present, with ids `<mask>-label-<value>` numbered by file. */
export function expandLabels(maskIndex: number, maskPath: string, labels: readonly number[]): ManifestLesion[] {
  return labels.map((label) => ({ lesionId: `mask${maskIndex}-label-${label}`, mask: maskPath, label }));
}

function commonFolder(paths: readonly string[]): string {
  const folders = paths.map((path) => path.split('/').slice(0, -1));
  const first = folders[0] ?? [];
  let length = first.length;
  for (const folder of folders) {
    let shared = 0;
    while (shared < Math.min(length, folder.length) && folder[shared] === first[shared]) shared++;
    length = shared;
  }
  return first.slice(0, length).join('/');
}

/** ROI names from the Structure Set ROI Sequence (3006,0020). */
function roiNames(header: DicomHeader): string[] {
  const sequence = header.dataSet.elements.x30060020;
  return (sequence?.items ?? [])
    .map((item) => (item.dataSet?.string('x30060026') ?? '').trim())
    .filter((name) => name.length > 0);
}

/** Segment numbers from the Segment Sequence (0062,0002). */
function segmentNumbers(header: DicomHeader): number[] {
  const sequence = header.dataSet.elements.x00620002;
  return (sequence?.items ?? []).map((item) => item.dataSet?.uint16('x00620004') ?? 0).filter((segment) => segment > 0);
}
