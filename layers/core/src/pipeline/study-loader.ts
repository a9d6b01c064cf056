/**
 * Loads the CT series and the lesion masks of a study with the core image readers, after the
 * de-identification audit, and checks each lesion's geometry and label.
 *
 * File names handed to the readers are neutral descriptions ('CT series', 'mask of lesion "gtv-1"'), because
 * upload paths can carry identifying names and the readers quote the name they are given in their errors.
 */
import { RadiomicsError } from '../errors';
import type { ImageVolume, LabelVolume } from '../image/volume';
import { readNifti } from '../io/nifti';
import { readNrrd } from '../io/nrrd';
import type { ManifestLesion, StudyManifest } from '../manifest/types';
import { labelInventory, validateRoi } from '../roi';
import { auditDeidentification, loadDicomSeriesAsync, loadMask } from './dicom-bindings';
import { readDicomHeaders, type DicomHeader } from './dicom-headers';
import { expandLabels } from './infer-layout';
import { filesUnder, findFile, type StudyFile } from './study-files';

export interface LoadedStudy {
  readonly image: ImageVolume;
  /** Mask volumes on the CT grid, by mask file and ROI name. */
  readonly masks: ReadonlyMap<string, LabelVolume>;
}

/**
 * Runs the de-identification audit over every DICOM header of the upload. It comes before any reader touches
 * pixel data, so a study carrying identifying attributes is refused before anything else is read.
 */
export function auditStudy(files: readonly StudyFile[]): DicomHeader[] {
  const headers = readDicomHeaders(files);
  auditDeidentification(headers.map((header) => header.dataSet));
  return headers;
}

export function maskKeyOf(lesion: Pick<ManifestLesion, 'mask' | 'roiName'>): string {
  return lesion.roiName === undefined ? lesion.mask : `${lesion.mask}#${lesion.roiName}`;
}

const VOLUME_FILE = /\.(nii|nii\.gz|nrrd|nhdr)$/i;

/** Reads a NIfTI or NRRD file of the study; a detached NRRD header may only name data files inside the study. */
function readVolumeFile(files: readonly StudyFile[], file: StudyFile, description: string): ImageVolume {
  const lower = file.path.toLowerCase();
  if (lower.endsWith('.nrrd') || lower.endsWith('.nhdr')) {
    const folder = file.path.split('/').slice(0, -1).join('/');
    return readNrrd(file.bytes, description, {
      readDataFile: (relativeName) => findFile(files, folder ? `${folder}/${relativeName}` : relativeName, `the data file of ${description}`).bytes,
    });
  }
  return readNifti(file.bytes, description);
}

/** Loads the CT: the DICOM series in the manifest's image folder, or a NIfTI/NRRD volume for research use. */
export async function loadCtImage(files: readonly StudyFile[], manifest: StudyManifest): Promise<ImageVolume> {
  if (VOLUME_FILE.test(manifest.image.path)) {
    return readVolumeFile(files, findFile(files, manifest.image.path, 'the image'), 'the image volume');
  }

  const seriesFiles = filesUnder(files, manifest.image.path)
    .filter((file) => !file.path.toLowerCase().endsWith('.json'))
    .map((file, index) => ({ name: `CT slice file ${index + 1}`, bytes: file.bytes }));
  if (seriesFiles.length === 0) {
    throw new RadiomicsError('SERIES_NOT_FOUND', 'No files were found in the image folder that the manifest names.');
  }
  const options = manifest.image.seriesInstanceUid ? { seriesInstanceUid: manifest.image.seriesInstanceUid } : {};
  return (await loadDicomSeriesAsync(seriesFiles, options)).image;
}

/** Loads a lesion mask onto the CT grid: a NIfTI/NRRD label map as it is, an RTSTRUCT or SEG through the DICOM reader. */
export function loadLesionMask(files: readonly StudyFile[], lesion: ManifestLesion, image: ImageVolume, description: string): LabelVolume {
  const file = findFile(files, lesion.mask, description);
  if (VOLUME_FILE.test(file.path)) return readVolumeFile(files, file, description) as LabelVolume;
  return loadMask({ name: description, bytes: file.bytes }, image, lesion.roiName === undefined ? {} : { roiName: lesion.roiName });
}

/** Label values present in a label map, ascending, background excluded. */
export function labelsPresent(mask: LabelVolume): number[] {
  return labelInventory(mask)
    .map((summary) => summary.label)
    .filter((label) => label > 0)
    .sort((a, b) => a - b);
}

/** Loads every lesion's mask once per file; label-map files of an inferred layout add one lesion per label. */
export function loadLesions(
  files: readonly StudyFile[],
  manifest: StudyManifest,
  image: ImageVolume,
  labelMapFiles: readonly string[] = [],
): { lesions: ManifestLesion[]; masks: Map<string, LabelVolume> } {
  const masks = new Map<string, LabelVolume>();
  const lesions = [...manifest.lesions];

  for (const lesion of manifest.lesions) {
    const key = maskKeyOf(lesion);
    if (!masks.has(key)) masks.set(key, loadLesionMask(files, lesion, image, `the mask of lesion "${lesion.lesionId}"`));
  }

  labelMapFiles.forEach((path, index) => {
    const description = `label-map file ${index + 1}`;
    const mask = loadLesionMask(files, { lesionId: `mask${index + 1}`, mask: path }, image, description);
    const labels = labelsIfLabelMap(mask);
    if (labels === undefined) return;
    masks.set(path, mask);
    lesions.push(...expandLabels(index + 1, path, labels));
  });
  return { lesions, masks };
}

/** Most label values an inferred label map may hold; a volume with more is an image, not a segmentation. */
const MAX_INFERRED_LABELS = 64;

/** Lists the labels of a volume found without a manifest; returns undefined for a volume that is no label map (a CT saved as NIfTI). */
function labelsIfLabelMap(volume: LabelVolume): number[] | undefined {
  try {
    const labels = labelsPresent(volume);
    return labels.length <= MAX_INFERRED_LABELS ? labels : undefined;
  } catch (thrown) {
    if (thrown instanceof RadiomicsError && thrown.code === 'NON_INTEGER_LABELS') return undefined;
    throw thrown;
  }
}

/** Checks geometry and label of one lesion; returns the number of voxels carrying its label. */
export function checkLesion(image: ImageVolume, mask: LabelVolume, label: number): number {
  validateRoi(image, mask, { label });
  let count = 0;
  const data = mask.data;
  for (let index = 0; index < data.length; index++) if (data[index] === label) count++;
  return count;
}

/** Returns the label of a lesion's voxels: the manifest label, or 1 for an RTSTRUCT ROI rasterised on its own. */
export function labelOf(lesion: ManifestLesion): number {
  return lesion.roiName === undefined ? (lesion.label ?? 1) : 1;
}
