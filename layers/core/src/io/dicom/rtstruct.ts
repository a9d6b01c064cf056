// Rasterisation of DICOM RTSTRUCT contours onto the voxel grid of the CT they were drawn on.
import type { DataSet } from 'dicom-parser';

import { RadiomicsError } from '../../errors';
import type { ImageGeometry, ImageVolume } from '../../image/volume';
import { physicalToIndex, voxelCount } from '../../image/volume';
import { items, numbers, text } from './dataset';

export interface RtStructRoi {
  readonly number: number;
  readonly name: string;
  readonly frameOfReferenceUid?: string;
  readonly contourCount: number;
}

/** Lists the ROIs declared in an RTSTRUCT, in StructureSetROISequence order. */
export function listRtStructRois(dataSet: DataSet): RtStructRoi[] {
  const contoursByRoi = new Map<number, number>();
  for (const roiContour of items(dataSet, 'x30060039')) {
    const number = Number(text(roiContour, 'x30060084'));
    contoursByRoi.set(number, items(roiContour, 'x30060040').length);
  }
  return items(dataSet, 'x30060020').map((roi) => {
    const number = Number(text(roi, 'x30060022'));
    return {
      number,
      name: text(roi, 'x30060026') ?? `ROI ${number}`,
      frameOfReferenceUid: text(roi, 'x30060024'),
      contourCount: contoursByRoi.get(number) ?? 0,
    };
  });
}

export interface RasteriseOptions {
  /** ROI to rasterise as label 1; without it every ROI is rasterised with its ROI number as label. */
  readonly roiName?: string;
  /** Frame of Reference UID of the CT; contours in another frame are rejected. Unknown when undefined. */
  readonly frameOfReferenceUid?: string;
}

export interface RasterisedRtStruct {
  readonly mask: ImageVolume<Uint8Array | Uint16Array>;
  readonly rois: RtStructRoi[];
  readonly warnings: string[];
}

/** Largest distance (in slice spacings) between a contour's plane and the nearest slice centre. */
const PLANE_TOLERANCE = 0.25;

/**
 * Rasterises closed planar contours onto `reference`. A voxel is inside when its centre is inside an odd number
 * of the slice's contours of that ROI (even-odd rule), so contours drawn inside others are holes and stay holes.
 * Contours with fewer than three distinct points or no area are skipped: they enclose nothing and must not
 * change the parity of a slice. Raises RTSTRUCT_INVALID and FRAME_OF_REFERENCE_MISMATCH.
 */
export function rasteriseRtStruct(dataSet: DataSet, reference: ImageGeometry, options: RasteriseOptions = {}): RasterisedRtStruct {
  if (text(dataSet, 'x00080060') !== 'RTSTRUCT') throw new RadiomicsError('RTSTRUCT_INVALID', 'The file is not an RTSTRUCT (Modality is not RTSTRUCT).');
  const rois = listRtStructRois(dataSet);
  if (rois.length === 0) throw new RadiomicsError('RTSTRUCT_INVALID', 'The RTSTRUCT declares no ROI (StructureSetROISequence is empty).');

  let selected = rois;
  if (options.roiName !== undefined) {
    selected = rois.filter((roi) => roi.name === options.roiName);
    if (selected.length === 0) {
      throw new RadiomicsError('LABEL_NOT_FOUND', `ROI "${options.roiName}" is not in the RTSTRUCT; ROIs present: ${rois.map((roi) => `"${roi.name}"`).join(', ')}.`, {
        details: { roisPresent: rois.map((roi) => roi.name) },
      });
    }
  }

  const frameOfReference = options.frameOfReferenceUid;
  const structureFrame = text(items(dataSet, 'x30060010')[0] ?? dataSet, 'x00200052');
  for (const roi of selected) {
    const roiFrame = roi.frameOfReferenceUid ?? structureFrame;
    if (frameOfReference && roiFrame && roiFrame !== frameOfReference) {
      throw new RadiomicsError(
        'FRAME_OF_REFERENCE_MISMATCH',
        `ROI "${roi.name}" is drawn in frame of reference ${roiFrame}, but the CT series is in ${frameOfReference}.`,
      );
    }
  }

  const warnings: string[] = [];
  if (!frameOfReference) warnings.push('The CT frame of reference is unknown, so the RTSTRUCT frame of reference was not checked.');

  const maxLabel = Math.max(...selected.map((roi) => roi.number));
  const useRoiNumbers = options.roiName === undefined;
  const data = useRoiNumbers && maxLabel > 255 ? new Uint16Array(voxelCount(reference.size)) : new Uint8Array(voxelCount(reference.size));
  const mask: ImageVolume<Uint8Array | Uint16Array> = { size: reference.size, spacing: reference.spacing, origin: reference.origin, direction: reference.direction, data };

  const contoursByRoi = new Map(items(dataSet, 'x30060039').map((entry) => [Number(text(entry, 'x30060084')), items(entry, 'x30060040')]));
  let skipped = 0;
  let outside = 0;
  for (const roi of selected) {
    const label = useRoiNumbers ? roi.number : 1;
    const slices = new Map<number, number[][]>();
    for (const contour of contoursByRoi.get(roi.number) ?? []) {
      const type = text(contour, 'x30060042') ?? 'CLOSED_PLANAR';
      if (type !== 'CLOSED_PLANAR') {
        skipped++;
        continue;
      }
      const placed = placeContour(contour, reference, roi.name);
      if (placed === 'degenerate') {
        skipped++;
        continue;
      }
      if (placed === 'outside') {
        outside++;
        continue;
      }
      const list = slices.get(placed.k) ?? [];
      list.push(placed.polygon);
      slices.set(placed.k, list);
    }
    for (const [k, polygons] of slices) fillEvenOdd(mask, k, polygons, label);
  }

  if (skipped > 0) warnings.push(`${skipped} contour${skipped === 1 ? '' : 's'} without area (open, point or degenerate) ${skipped === 1 ? 'was' : 'were'} skipped.`);
  if (outside > 0) warnings.push(`${outside} contour${outside === 1 ? ' lies' : 's lie'} outside the CT volume and ${outside === 1 ? 'was' : 'were'} skipped.`);
  return { mask, rois, warnings };
}

/** Converts a contour to continuous (i, j) indices on slice k; 'degenerate' when it has no area. */
function placeContour(contour: DataSet, reference: ImageGeometry, roiName: string): { k: number; polygon: number[] } | 'degenerate' | 'outside' {
  const points = numbers(contour, 'x30060050') ?? [];
  if (points.length % 3 !== 0 || points.some((value) => !Number.isFinite(value))) {
    throw new RadiomicsError('RTSTRUCT_INVALID', `A contour of ROI "${roiName}" has ContourData that is not a list of x, y, z triplets.`);
  }
  if (points.length < 9) return 'degenerate';

  const polygon: number[] = [];
  let kSum = 0;
  const ks: number[] = [];
  for (let n = 0; n < points.length; n += 3) {
    const [i, j, k] = physicalToIndex(reference, points[n], points[n + 1], points[n + 2]);
    polygon.push(i, j);
    ks.push(k);
    kSum += k;
  }
  const kMean = kSum / ks.length;
  if (ks.some((k) => Math.abs(k - kMean) > PLANE_TOLERANCE)) {
    throw new RadiomicsError('RTSTRUCT_INVALID', `A contour of ROI "${roiName}" is not parallel to the CT slices.`);
  }
  const k = Math.round(kMean);
  if (k < 0 || k >= reference.size[2]) return 'outside';
  if (Math.abs(kMean - k) > PLANE_TOLERANCE) {
    throw new RadiomicsError(
      'RTSTRUCT_INVALID',
      `A contour of ROI "${roiName}" lies between CT slices (${Math.abs(kMean - k).toFixed(2)} slice spacings from the nearest one); the RTSTRUCT was not drawn on this series.`,
    );
  }

  let twiceArea = 0;
  const count = polygon.length / 2;
  for (let n = 0; n < count; n++) {
    const m = (n + 1) % count;
    twiceArea += polygon[2 * n] * polygon[2 * m + 1] - polygon[2 * m] * polygon[2 * n + 1];
  }
  if (Math.abs(twiceArea) < 1e-9) return 'degenerate';
  return { k, polygon };
}

/**
 * Fills slice k by scanlines through the voxel centres. For row j, every polygon edge crossing y = j gives an x
 * (half-open in y, so a vertex on the line counts once). Sorted crossings pair up into spans, and the centres
 * i with x_{2m} ≤ i < x_{2m+1} are inside: the even-odd rule over all contours of the ROI on this slice.
 */
function fillEvenOdd(mask: ImageVolume<Uint8Array | Uint16Array>, k: number, polygons: number[][], label: number): void {
  const [nx, ny] = mask.size;
  const crossings: number[] = [];
  for (let j = 0; j < ny; j++) {
    crossings.length = 0;
    for (const polygon of polygons) {
      const count = polygon.length / 2;
      for (let n = 0; n < count; n++) {
        const m = (n + 1) % count;
        const y1 = polygon[2 * n + 1];
        const y2 = polygon[2 * m + 1];
        if ((y1 <= j && y2 > j) || (y2 <= j && y1 > j)) {
          const x1 = polygon[2 * n];
          const x2 = polygon[2 * m];
          crossings.push(x1 + ((j - y1) * (x2 - x1)) / (y2 - y1));
        }
      }
    }
    if (crossings.length < 2) continue;
    crossings.sort((a, b) => a - b);
    const row = nx * (j + ny * k);
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      const start = Math.max(0, Math.ceil(crossings[c]));
      const end = Math.min(nx - 1, Math.ceil(crossings[c + 1]) - 1);
      for (let i = start; i <= end; i++) mask.data[row + i] = label;
    }
  }
}
