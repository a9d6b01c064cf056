// The corpus of broken studies: each case starts from a valid small study built by the study builder and breaks
// one thing, and names the error code the workflow must end with. Controls are the same studies unbroken, so a
// case that fails for the wrong reason (a builder defect) shows up as a failing control instead.
import type { ErrorCode } from '@radiomics/core';

import { buildNifti1 } from '../../helpers/nifti-writer';
import { TRANSFER_SYNTAX, el, newUid, type DicomElement } from '../../helpers/dicom-writer';
import {
  SMALL_GRID,
  ctDicomSeries,
  dicomStudy,
  labelMap,
  manifestJson,
  niftiOn,
  niftiStudy,
  rtStructFor,
  segFor,
  zipStudy,
  type GridGeometry,
  type StudyFiles,
  type StudyIds,
} from '../../helpers/study-builder';
import { writeZip } from '../../helpers/zip-writer';

export type CorpusUpload = { readonly kind: 'folder'; readonly files: StudyFiles } | { readonly kind: 'zip'; readonly bytes: Uint8Array };

export interface CorpusCase {
  /** Also the study id. */
  readonly name: string;
  /** What the case breaks, in one line. */
  readonly breaks: string;
  /** The error code the study must fail with; undefined for a control that must complete. */
  readonly expectedCode?: ErrorCode;
  /** The code in the cloud, where every study needs a manifest, when it differs from the local run's. */
  readonly cloudExpectedCode?: ErrorCode;
  /**
   * 'cloud' for a case about sites uploading side by side. A local run has one operator, and there the
   * manifest's site id names the site, so the case does not apply.
   */
  readonly scope?: 'cloud';
  readonly build: (ids: StudyIds) => CorpusUpload;
}

const folder = (files: StudyFiles): CorpusUpload => ({ kind: 'folder', files });

function without(files: StudyFiles, ...paths: string[]): StudyFiles {
  const copy = { ...files };
  for (const path of paths) delete copy[path];
  return copy;
}

function replaceElement(elements: DicomElement[], element: DicomElement): DicomElement[] {
  return [...elements.filter((candidate) => candidate.tag !== element.tag), element];
}

/** Builds a NIfTI study whose mask file is replaced by `mask` and whose manifest names `label`. */
function niftiStudyWithMask(ids: StudyIds, mask: Uint8Array, options: { label?: number; maskPath?: string } = {}): StudyFiles {
  const maskPath = options.maskPath ?? 'masks/lesions.nii.gz';
  return {
    ...without(niftiStudy(ids), 'masks/lesions.nii.gz'),
    [maskPath]: mask,
    'manifest.json': manifestJson({ ...ids, image: 'image.nii.gz', lesions: [{ lesionId: 'lesion-1', mask: maskPath, label: options.label ?? 1 }] }),
  };
}

/** Builds a DICOM study whose lesion comes from an RTSTRUCT or a SEG file. */
function dicomStudyWithDicomMask(ids: StudyIds, kind: 'rtstruct' | 'seg', frameOfReferenceUid?: string): StudyFiles {
  const series = ctDicomSeries();
  const maskPath = kind === 'rtstruct' ? 'rtstruct/rs.dcm' : 'seg/seg.dcm';
  const mask = kind === 'rtstruct' ? rtStructFor(series, frameOfReferenceUid ? { frameOfReferenceUid } : {}) : segFor(series, frameOfReferenceUid ? { frameOfReferenceUid } : {});
  const lesion = kind === 'rtstruct' ? { lesionId: 'gtv-1', mask: maskPath, roiName: 'GTV-1' } : { lesionId: 'segment-1', mask: maskPath, label: 1 };
  return { ...series.files, [maskPath]: mask, 'manifest.json': manifestJson({ ...ids, image: 'ct', lesions: [lesion] }) };
}

/** Slice k's file of the default DICOM study. */
const slice = (k: number): string => `ct/slice-${k}.dcm`;

/**
 * 16 MiB of zeros deflates about 1,024 to 1, just above the reader's limit of 1,000. Five such entries pass the
 * 64 MiB floor after which the reader checks the ratio.
 */
const BOMB_ENTRY_BYTES = 16 * 1024 * 1024;
const BOMB_ENTRIES = 5;

export const CORPUS: readonly CorpusCase[] = [
  // Controls: the unbroken studies complete.
  { name: 'control-nifti', breaks: 'nothing (NIfTI CT and label map)', build: (ids) => folder(niftiStudy(ids)) },
  { name: 'control-dicom', breaks: 'nothing (DICOM CT and NIfTI label map)', build: (ids) => folder(dicomStudy(ids)) },
  { name: 'control-rtstruct', breaks: 'nothing (DICOM CT and RTSTRUCT)', build: (ids) => folder(dicomStudyWithDicomMask(ids, 'rtstruct')) },
  { name: 'control-seg', breaks: 'nothing (DICOM CT and SEG)', build: (ids) => folder(dicomStudyWithDicomMask(ids, 'seg')) },
  { name: 'control-zip', breaks: 'nothing (zip with a top folder and macOS clutter)', build: (ids) => ({ kind: 'zip', bytes: zipStudy({ ...niftiStudy(ids), '__MACOSX/._image.nii.gz': new Uint8Array(8), '.DS_Store': new Uint8Array(8) }, 'export') }) },

  // DICOM series.
  {
    name: 'dicom-truncated',
    breaks: 'one CT slice ends half-way through its pixel data',
    expectedCode: 'DICOM_TRUNCATED',
    build: (ids) => {
      const files = dicomStudy(ids);
      const bytes = files[slice(3)]!;
      return folder({ ...files, [slice(3)]: bytes.slice(0, bytes.byteLength - 200) });
    },
  },
  {
    name: 'dicom-missing-slice',
    breaks: 'an interior slice of the series is absent',
    expectedCode: 'MISSING_SLICES',
    build: (ids) => folder(without(dicomStudy(ids), slice(4))),
  },
  {
    name: 'dicom-duplicate-slice',
    breaks: 'two slices (different instances) share one position',
    expectedCode: 'DUPLICATE_SLICES',
    build: (ids) => {
      // A second writing of the same series gives slice 3 again with a new SOP instance UID at the same position.
      const uids = { seriesUid: newUid(), frameOfReferenceUid: newUid() };
      const again = ctDicomSeries(uids);
      return folder({ ...dicomStudy(ids, uids), 'ct/slice-3-again.dcm': again.files[slice(3)]! });
    },
  },
  {
    name: 'dicom-mixed-series',
    breaks: 'the CT folder holds two series and the manifest names neither',
    expectedCode: 'MIXED_SERIES',
    build: (ids) => {
      const files = dicomStudy(ids);
      const other = ctDicomSeries({ folder: 'ct', fileName: (k) => `other-${k}.dcm` });
      return folder({ ...files, ...other.files });
    },
  },
  {
    name: 'dicom-gantry-tilt',
    breaks: 'slice positions drift along y as the slices advance (tilted gantry)',
    expectedCode: 'GANTRY_TILT',
    build: (ids) =>
      folder(dicomStudy(ids, { positionOf: (k) => [SMALL_GRID.origin[0], SMALL_GRID.origin[1] + 0.7 * k, SMALL_GRID.origin[2] + k * SMALL_GRID.spacing[2]] })),
  },
  {
    name: 'dicom-not-ct',
    breaks: 'the image series is MR',
    expectedCode: 'NOT_CT_MODALITY',
    build: (ids) => folder(dicomStudy(ids, { modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4' })),
  },
  {
    name: 'dicom-identifying',
    breaks: 'a real patient name and birth date, and no "identity removed" flag',
    expectedCode: 'PHI_PRESENT',
    build: (ids) =>
      folder(
        dicomStudy(ids, {
          editSlice: (_k, elements) =>
            replaceElement(replaceElement(elements, el('00100010', 'PN', 'Doe^Jane')), el('00100030', 'DA', '19700101')).filter(
              (element) => element.tag !== '00120062' && element.tag !== '00120063',
            ),
        }),
      ),
  },

  {
    name: 'dicom-lossy-jpeg',
    breaks: 'the series is stored as lossy JPEG baseline, which changes HU values',
    expectedCode: 'UNSUPPORTED_TRANSFER_SYNTAX',
    build: (ids) =>
      folder(dicomStudy(ids, { transferSyntax: TRANSFER_SYNTAX.jpegBaseline, bitsAllocated: 8, pixelRepresentation: 0, encapsulated: { fragments: [new Uint8Array([0xff, 0xd8, 0xff, 0xd9])] } })),
  },
  {
    name: 'dicom-uneven-spacing',
    breaks: 'slices are 2 mm apart in the lower half and 3 mm apart in the upper half',
    expectedCode: 'NON_UNIFORM_SPACING',
    build: (ids) =>
      folder(dicomStudy(ids, { positionOf: (k) => [SMALL_GRID.origin[0], SMALL_GRID.origin[1], SMALL_GRID.origin[2] + (k < 4 ? 2 * k : 8 + 3 * (k - 4))] })),
  },
  {
    name: 'dicom-inconsistent-slices',
    breaks: 'one slice has a different pixel spacing from the others',
    expectedCode: 'INCONSISTENT_SLICES',
    build: (ids) => folder(dicomStudy(ids, { editSlice: (k, elements) => (k === 5 ? replaceElement(elements, el('00280030', 'DS', ['0.7', '0.7'])) : elements) })),
  },
  {
    name: 'dicom-phi-in-sequence',
    breaks: 'a real referring physician name inside a nested sequence item',
    expectedCode: 'PHI_PRESENT',
    build: (ids) =>
      folder(
        dicomStudy(ids, {
          editSlice: (_k, elements) => [...elements, el('00081032', 'SQ', [[el('00080100', 'SH', 'CT123'), el('00080090', 'PN', 'Moreau^Isabelle')]])],
        }),
      ),
  },
  {
    name: 'dicom-burned-in-annotation',
    breaks: 'the slices declare identifying text burned into the pixels',
    expectedCode: 'PHI_PRESENT',
    build: (ids) => folder(dicomStudy(ids, { editSlice: (_k, elements) => [...elements, el('00280301', 'CS', 'YES')] })),
  },
  {
    name: 'dicom-identifying-and-broken',
    breaks: 'identifying headers, a truncated slice and a mask on the wrong grid: the audit comes first',
    expectedCode: 'PHI_PRESENT',
    build: (ids) => {
      const files = dicomStudy(ids, { editSlice: (_k, elements) => replaceElement(elements, el('00100010', 'PN', 'Doe^Jane')) });
      const truncated = files[slice(6)]!;
      const grid: GridGeometry = { ...SMALL_GRID, size: [16, 16, 5] };
      return folder({ ...files, [slice(6)]: truncated.slice(0, truncated.byteLength - 100), 'masks/lesions.nii.gz': niftiOn(grid, labelMap(grid)) });
    },
  },
  {
    name: 'dicom-no-manifest-no-mask',
    breaks: 'no manifest.json and no segmentation among the files',
    expectedCode: 'STUDY_LAYOUT_AMBIGUOUS',
    cloudExpectedCode: 'MANIFEST_INVALID',
    build: () => folder(ctDicomSeries({ lesions: [] }).files),
  },

  // Masks and labels.
  {
    name: 'mask-geometry-mismatch',
    breaks: 'the label map has 7 slices on an 8-slice CT',
    expectedCode: 'GEOMETRY_MISMATCH',
    build: (ids) => {
      const grid: GridGeometry = { ...SMALL_GRID, size: [16, 16, 7] };
      return folder(niftiStudyWithMask(ids, niftiOn(grid, labelMap(grid))));
    },
  },
  {
    name: 'mask-label-absent',
    breaks: 'the manifest asks for label 2, the mask holds only label 1',
    expectedCode: 'LABEL_NOT_FOUND',
    build: (ids) => folder(niftiStudyWithMask(ids, niftiOn(SMALL_GRID, labelMap(SMALL_GRID)), { label: 2 })),
  },
  {
    name: 'mask-float-labels',
    breaks: 'the mask holds probabilities (0.5) instead of integer labels',
    expectedCode: 'NON_INTEGER_LABELS',
    build: (ids) => folder(niftiStudyWithMask(ids, niftiOn(SMALL_GRID, Float32Array.from(labelMap(SMALL_GRID), (value) => value * 0.5)))),
  },
  {
    name: 'mask-empty',
    breaks: 'the mask has no labelled voxel',
    expectedCode: 'EMPTY_ROI',
    build: (ids) => folder(niftiStudyWithMask(ids, niftiOn(SMALL_GRID, new Uint8Array(16 * 16 * 8)))),
  },
  {
    name: 'mask-single-voxel',
    breaks: 'the lesion is one voxel',
    expectedCode: 'ROI_TOO_SMALL',
    build: (ids) => {
      const labels = new Uint8Array(16 * 16 * 8);
      labels[8 + 16 * (8 + 16 * 4)] = 1;
      return folder(niftiStudyWithMask(ids, niftiOn(SMALL_GRID, labels)));
    },
  },
  {
    name: 'mask-qform-sform-conflict',
    breaks: 'the mask qform and sform place the volume 20 mm apart',
    expectedCode: 'NIFTI_ORIENTATION_CONFLICT',
    build: (ids) => {
      // LPS origin (-6, -6, 100) is RAS (6, 6, 100); the LPS identity direction is a 180° turn about z in RAS.
      const mask = buildNifti1({
        dim: [3, 16, 16, 8],
        datatype: 2,
        data: labelMap(SMALL_GRID),
        pixdim: [1, 0.8, 0.8, 2],
        qformCode: 1,
        quatern: [0, 0, 1],
        qoffset: [6, 6, 100],
        sformCode: 1,
        srow: [-0.8, 0, 0, 6, 0, -0.8, 0, 6, 0, 0, 2, 120],
      });
      return folder(niftiStudyWithMask(ids, mask, { maskPath: 'masks/lesions.nii' }));
    },
  },
  {
    name: 'rtstruct-other-frame',
    breaks: 'the RTSTRUCT was drawn on another frame of reference',
    expectedCode: 'FRAME_OF_REFERENCE_MISMATCH',
    build: (ids) => folder(dicomStudyWithDicomMask(ids, 'rtstruct', newUid())),
  },
  {
    name: 'seg-other-frame',
    breaks: 'the SEG was drawn on another frame of reference',
    expectedCode: 'FRAME_OF_REFERENCE_MISMATCH',
    build: (ids) => folder(dicomStudyWithDicomMask(ids, 'seg', newUid())),
  },
  {
    name: 'nrrd-data-outside',
    breaks: 'a detached NRRD header names a data file outside the study',
    expectedCode: 'NRRD_INVALID',
    build: (ids) => {
      const header = ['NRRD0004', 'type: uint8', 'dimension: 3', 'sizes: 16 16 8', 'space: left-posterior-superior', 'space directions: (0.8,0,0) (0,0.8,0) (0,0,2)', 'space origin: (-6,-6,100)', 'encoding: raw', 'data file: ../../../escaped.raw', '', ''].join('\n');
      return folder(niftiStudyWithMask(ids, new TextEncoder().encode(header), { maskPath: 'masks/lesions.nhdr' }));
    },
  },

  // Archives.
  {
    name: 'zip-path-traversal',
    breaks: 'a zip entry climbs out of the study with ".." segments',
    expectedCode: 'ARCHIVE_UNSAFE_PATH',
    build: (ids) =>
      ({
        kind: 'zip',
        bytes: writeZip([...Object.entries(niftiStudy(ids)).map(([name, data]) => ({ name, data })), { name: '../../escaped-by-traversal.txt', data: 'outside' }]),
      }) as const,
  },
  {
    name: 'zip-absolute-path',
    breaks: 'a zip entry has an absolute path',
    expectedCode: 'ARCHIVE_UNSAFE_PATH',
    build: (ids) =>
      ({
        kind: 'zip',
        bytes: writeZip([...Object.entries(niftiStudy(ids)).map(([name, data]) => ({ name, data })), { name: '/tmp/escaped-by-absolute-path.txt', data: 'outside' }]),
      }) as const,
  },
  {
    name: 'zip-symlink',
    breaks: 'a zip entry is a symbolic link to /etc/passwd',
    expectedCode: 'ARCHIVE_UNSAFE_PATH',
    build: (ids) =>
      ({
        kind: 'zip',
        bytes: writeZip([...Object.entries(niftiStudy(ids)).map(([name, data]) => ({ name, data })), { name: 'masks/link.nii.gz', data: '/etc/passwd', unixMode: 0o120777 }]),
      }) as const,
  },
  {
    name: 'zip-bomb',
    breaks: `${BOMB_ENTRIES} entries of 16 MiB zeros (ratio about 1,000) whose headers claim 1 KiB each`,
    expectedCode: 'ARCHIVE_TOO_LARGE',
    build: (ids) => {
      const zeros = new Uint8Array(BOMB_ENTRY_BYTES);
      const bombs = Array.from({ length: BOMB_ENTRIES }, (_, n) => ({ name: `ct/slice-${n}.dcm`, data: zeros, declaredSize: 1024 }));
      const manifest = manifestJson({ ...ids, image: 'ct', lesions: [{ lesionId: 'lesion-1', mask: 'ct/slice-0.dcm', label: 1 }] });
      return { kind: 'zip', bytes: writeZip([{ name: 'manifest.json', data: manifest }, ...bombs]) };
    },
  },
  {
    name: 'zip-too-many-entries',
    breaks: '10,001 entries, one more than an archive may hold',
    expectedCode: 'ARCHIVE_TOO_LARGE',
    build: (ids) =>
      ({
        kind: 'zip',
        bytes: writeZip([
          ...Object.entries(niftiStudy(ids)).map(([name, data]) => ({ name, data })),
          ...Array.from({ length: 10_001 }, (_, n) => ({ name: `extra/${n}.txt`, data: '', stored: true })),
        ]),
      }) as const,
  },
  {
    name: 'zip-not-an-archive',
    breaks: 'the .zip upload is not a zip archive',
    expectedCode: 'ARCHIVE_INVALID',
    build: () => ({ kind: 'zip', bytes: new TextEncoder().encode('this is not a zip archive') }),
  },

  // Manifests.
  {
    name: 'manifest-missing-fields',
    breaks: 'manifest.json has no image and no lesions',
    expectedCode: 'MANIFEST_INVALID',
    build: (ids) => folder({ ...niftiStudy(ids), 'manifest.json': new TextEncoder().encode(JSON.stringify({ schemaVersion: 1, ...ids })) }),
  },
  {
    name: 'manifest-not-json',
    breaks: 'manifest.json is not JSON',
    expectedCode: 'MANIFEST_INVALID',
    build: (ids) => folder({ ...niftiStudy(ids), 'manifest.json': new TextEncoder().encode('{"schemaVersion": 1, "siteId": ') }),
  },
  {
    name: 'manifest-unsafe-lesion-id',
    breaks: 'a lesion id with path separators and ".."',
    expectedCode: 'MANIFEST_INVALID',
    build: (ids) =>
      folder({ ...niftiStudy(ids), 'manifest.json': manifestJson({ ...ids, image: 'image.nii.gz', lesions: [{ lesionId: '../../lesion', mask: 'masks/lesions.nii.gz', label: 1 }] }) }),
  },
  {
    name: 'manifest-mask-outside',
    breaks: 'the mask path climbs out of the study',
    expectedCode: 'MANIFEST_INVALID',
    build: (ids) =>
      folder({ ...niftiStudy(ids), 'manifest.json': manifestJson({ ...ids, image: 'image.nii.gz', lesions: [{ lesionId: 'lesion-1', mask: '../other-study/masks/lesions.nii.gz', label: 1 }] }) }),
  },
  {
    name: 'manifest-other-site',
    breaks: 'a zip uploaded by one site whose manifest claims another site',
    expectedCode: 'MANIFEST_INVALID',
    scope: 'cloud',
    build: (ids) => ({ kind: 'zip', bytes: zipStudy(niftiStudy({ ...ids, siteId: 'site-victim' })) }),
  },
  {
    name: 'manifest-mask-missing',
    breaks: 'the manifest names a mask file the upload does not contain',
    expectedCode: 'FILE_NOT_FOUND',
    build: (ids) => folder(without(niftiStudy(ids), 'masks/lesions.nii.gz')),
  },
];
