// Assembles small synthetic studies in memory (a CT as a DICOM series or a NIfTI volume, lesion masks as NIfTI,
// RTSTRUCT or SEG, and manifest.json), then writes them as a study folder or a zip archive. The hostile-input
// corpus starts from these valid studies and breaks one thing at a time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { zipSync } from 'fflate';

import { writeNifti, type ImageVolume } from '@radiomics/core';

import { newUid, writeCtSeries, writeRtStruct, writeSeg, type CtSeriesOptions } from './dicom-writer';

/** Study-relative path → file content. */
export type StudyFiles = Record<string, Uint8Array>;

export interface GridGeometry {
  readonly size: readonly [number, number, number];
  readonly spacing: readonly [number, number, number];
  /** LPS position of voxel (0, 0, 0), mm. */
  readonly origin: readonly [number, number, number];
}

/** A small axial CT grid: 16 × 16 pixels of 0.8 mm, 8 slices 2 mm apart. Large enough for two lesions. */
export const SMALL_GRID: GridGeometry = { size: [16, 16, 8], spacing: [0.8, 0.8, 2], origin: [-6, -6, 100] };

export const IDENTITY_DIRECTION = [1, 0, 0, 0, 1, 0, 0, 0, 1] as const;

export interface SphereLesion {
  readonly label: number;
  /** Voxel indices (i, j, k) of the centre. */
  readonly centre: readonly [number, number, number];
  /** Radius in voxels of the in-plane spacing. */
  readonly radius: number;
  /** Mean HU inside the lesion. */
  readonly hu: number;
}

export const ONE_LESION: readonly SphereLesion[] = [{ label: 1, centre: [8, 8, 4], radius: 3, hu: 40 }];

function voxelCount(grid: GridGeometry): number {
  return grid.size[0] * grid.size[1] * grid.size[2];
}

function indexOf(grid: GridGeometry, i: number, j: number, k: number): number {
  return i + grid.size[0] * (j + grid.size[1] * k);
}

function insideSphere(grid: GridGeometry, lesion: SphereLesion, i: number, j: number, k: number): boolean {
  const dx = (i - lesion.centre[0]) * grid.spacing[0];
  const dy = (j - lesion.centre[1]) * grid.spacing[1];
  const dz = (k - lesion.centre[2]) * grid.spacing[2];
  return Math.hypot(dx, dy, dz) <= lesion.radius * grid.spacing[0] * 1.5;
}

/** HU values of the grid: lung-like background with noise, lesions brighter; deterministic for a seed. */
export function ctValues(grid: GridGeometry, lesions: readonly SphereLesion[] = ONE_LESION, seed = 7): Int16Array {
  // A linear congruential generator keeps the texture identical on every run.
  let state = seed;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const values = new Int16Array(voxelCount(grid));
  for (let k = 0; k < grid.size[2]; k++) {
    for (let j = 0; j < grid.size[1]; j++) {
      for (let i = 0; i < grid.size[0]; i++) {
        const lesion = lesions.find((candidate) => insideSphere(grid, candidate, i, j, k));
        const value = lesion ? lesion.hu + 60 * (random() - 0.5) : -700 + 200 * random();
        values[indexOf(grid, i, j, k)] = Math.round(value);
      }
    }
  }
  return values;
}

/** Builds a label map on the grid in which each lesion's voxels carry its label. */
export function labelMap(grid: GridGeometry, lesions: readonly SphereLesion[] = ONE_LESION): Uint8Array {
  const labels = new Uint8Array(voxelCount(grid));
  for (let k = 0; k < grid.size[2]; k++) {
    for (let j = 0; j < grid.size[1]; j++) {
      for (let i = 0; i < grid.size[0]; i++) {
        const lesion = lesions.find((candidate) => insideSphere(grid, candidate, i, j, k));
        if (lesion) labels[indexOf(grid, i, j, k)] = lesion.label;
      }
    }
  }
  return labels;
}

/** Wraps `data` in an ImageVolume on the grid (axial, identity direction). */
export function volumeOn<T extends ImageVolume['data']>(grid: GridGeometry, data: T): ImageVolume {
  return {
    size: [...grid.size],
    spacing: [...grid.spacing],
    origin: [...grid.origin],
    direction: [...IDENTITY_DIRECTION],
    data,
  } as unknown as ImageVolume;
}

/** NIfTI-1 (gzip) bytes of a volume on the grid. */
export function niftiOn(grid: GridGeometry, data: ImageVolume['data']): Uint8Array {
  return writeNifti(volumeOn(grid, data), { gzip: true });
}

export interface CtDicomOptions extends Partial<Omit<CtSeriesOptions, 'rows' | 'columns' | 'slices'>> {
  readonly grid?: GridGeometry;
  readonly lesions?: readonly SphereLesion[];
  /** Folder of the series inside the study. Default 'ct'. */
  readonly folder?: string;
  /** File name of slice k. Default 'slice-<k>.dcm'. */
  readonly fileName?: (k: number) => string;
}

export interface CtDicomSeries {
  readonly files: StudyFiles;
  readonly seriesUid: string;
  readonly frameOfReferenceUid: string;
  readonly grid: GridGeometry;
}

/** Writes the CT of a study as a DICOM series: slice k at origin + k · slice spacing along +z, pixels in HU. */
export function ctDicomSeries(options: CtDicomOptions = {}): CtDicomSeries {
  const grid = options.grid ?? SMALL_GRID;
  const [columns, rows, slices] = grid.size;
  const values = ctValues(grid, options.lesions ?? ONE_LESION);
  const seriesUid = options.seriesUid ?? newUid();
  const frameOfReferenceUid = options.frameOfReferenceUid ?? newUid();
  const written = writeCtSeries({
    pixelSpacing: [grid.spacing[1], grid.spacing[0]],
    sliceThickness: grid.spacing[2],
    sliceSpacing: grid.spacing[2],
    positionOf: (k) => [grid.origin[0], grid.origin[1], grid.origin[2] + k * grid.spacing[2]],
    pixelsOf: (k) => values.subarray(k * rows * columns, (k + 1) * rows * columns),
    ...options,
    rows,
    columns,
    slices,
    seriesUid,
    frameOfReferenceUid,
  });
  const folder = options.folder ?? 'ct';
  const files: StudyFiles = {};
  written.forEach((file, k) => {
    files[`${folder}/${options.fileName ? options.fileName(k) : file.name}`] = file.bytes;
  });
  return { files, seriesUid, frameOfReferenceUid, grid };
}

/** Writes an RTSTRUCT with one closed square contour, in patient coordinates, per slice that the lesion crosses. */
export function rtStructFor(
  series: Pick<CtDicomSeries, 'grid' | 'frameOfReferenceUid' | 'seriesUid'>,
  options: { roiName?: string; lesion?: SphereLesion; frameOfReferenceUid?: string } = {},
): Uint8Array {
  const { grid } = series;
  const lesion = options.lesion ?? ONE_LESION[0]!;
  const half = lesion.radius * grid.spacing[0];
  const centreX = grid.origin[0] + lesion.centre[0] * grid.spacing[0];
  const centreY = grid.origin[1] + lesion.centre[1] * grid.spacing[1];
  const contours = [-1, 0, 1].map((dk) => {
    const z = grid.origin[2] + (lesion.centre[2] + dk) * grid.spacing[2];
    return {
      points: [centreX - half, centreY - half, z, centreX + half, centreY - half, z, centreX + half, centreY + half, z, centreX - half, centreY + half, z],
    };
  });
  return writeRtStruct({
    frameOfReferenceUid: options.frameOfReferenceUid ?? series.frameOfReferenceUid,
    referencedSeriesUid: series.seriesUid,
    rois: [{ number: 1, name: options.roiName ?? 'GTV-1', contours }],
  });
}

/** Writes a binary DICOM SEG of the lesions on the series grid, one frame per slice that contains the segment. */
export function segFor(
  series: Pick<CtDicomSeries, 'grid' | 'frameOfReferenceUid'>,
  options: { lesions?: readonly SphereLesion[]; frameOfReferenceUid?: string } = {},
): Uint8Array {
  const { grid } = series;
  const lesions = options.lesions ?? ONE_LESION;
  const labels = labelMap(grid, lesions);
  const sliceLength = grid.size[0] * grid.size[1];
  const frames: { segment: number; position: [number, number, number]; pixels: Uint8Array }[] = [];
  for (const lesion of lesions) {
    for (let k = 0; k < grid.size[2]; k++) {
      const pixels = labels.subarray(k * sliceLength, (k + 1) * sliceLength).map((value) => (value === lesion.label ? 1 : 0));
      if (!pixels.some((value) => value === 1)) continue;
      frames.push({ segment: lesion.label, position: [grid.origin[0], grid.origin[1], grid.origin[2] + k * grid.spacing[2]], pixels });
    }
  }
  return writeSeg({
    rows: grid.size[1],
    columns: grid.size[0],
    frameOfReferenceUid: options.frameOfReferenceUid ?? series.frameOfReferenceUid,
    pixelSpacing: [grid.spacing[1], grid.spacing[0]],
    sliceThickness: grid.spacing[2],
    frames,
    segments: lesions.map((lesion) => ({ number: lesion.label, label: `lesion ${lesion.label}` })),
  });
}

export interface ManifestLesionSpec {
  readonly lesionId: string;
  readonly mask: string;
  readonly label?: number;
  readonly roiName?: string;
}

export interface ManifestSpec {
  readonly siteId: string;
  readonly studyId: string;
  /** A DICOM series folder or a NIfTI/NRRD file. */
  readonly image: string;
  readonly seriesInstanceUid?: string;
  readonly lesions: readonly ManifestLesionSpec[];
}

export function manifestJson(spec: ManifestSpec): Uint8Array {
  const manifest = {
    schemaVersion: 1,
    siteId: spec.siteId,
    studyId: spec.studyId,
    image: { path: spec.image, ...(spec.seriesInstanceUid ? { seriesInstanceUid: spec.seriesInstanceUid } : {}) },
    lesions: spec.lesions,
  };
  return new TextEncoder().encode(JSON.stringify(manifest, null, 2));
}

export interface StudyIds {
  readonly siteId: string;
  readonly studyId: string;
}

/** Builds a valid study: a NIfTI CT volume and a NIfTI label map with one lesion (label 1). */
export function niftiStudy(ids: StudyIds, grid: GridGeometry = SMALL_GRID, lesions: readonly SphereLesion[] = ONE_LESION): StudyFiles {
  return {
    'image.nii.gz': niftiOn(grid, ctValues(grid, lesions)),
    'masks/lesions.nii.gz': niftiOn(grid, labelMap(grid, lesions)),
    'manifest.json': manifestJson({
      ...ids,
      image: 'image.nii.gz',
      lesions: lesions.map((lesion) => ({ lesionId: `lesion-${lesion.label}`, mask: 'masks/lesions.nii.gz', label: lesion.label })),
    }),
  };
}

/** Builds a valid study: a CT DICOM series under ct/ and a NIfTI label map on its grid. */
export function dicomStudy(ids: StudyIds, options: CtDicomOptions = {}): StudyFiles {
  const series = ctDicomSeries(options);
  const lesions = options.lesions ?? ONE_LESION;
  return {
    ...series.files,
    'masks/lesions.nii.gz': niftiOn(series.grid, labelMap(series.grid, lesions)),
    'manifest.json': manifestJson({
      ...ids,
      image: options.folder ?? 'ct',
      lesions: lesions.map((lesion) => ({ lesionId: `lesion-${lesion.label}`, mask: 'masks/lesions.nii.gz', label: lesion.label })),
    }),
  };
}

/** Writes the files under `folder` (created as needed); returns the folder. */
export function writeStudyFolder(folder: string, files: StudyFiles): string {
  for (const [path, bytes] of Object.entries(files)) {
    const target = join(folder, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** Zips the files, optionally inside one top folder as zip tools add it. */
export function zipStudy(files: StudyFiles, topFolder?: string): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, bytes] of Object.entries(files)) entries[topFolder ? `${topFolder}/${path}` : path] = bytes;
  return zipSync(entries);
}
