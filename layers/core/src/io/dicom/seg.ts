// Binary DICOM SEG objects placed onto the voxel grid of the CT they segment.
import type { DataSet } from 'dicom-parser';

import { RadiomicsError } from '../../errors';
import type { ImageGeometry, ImageVolume } from '../../image/volume';
import { physicalToIndex, voxelCount } from '../../image/volume';
import { items, nested, numbers, text } from './dataset';
import { pixelFormatOf } from './pixels';

export interface SegSegment {
  readonly number: number;
  readonly label: string;
}

export interface LoadSegOptions {
  /** Segment (by SegmentLabel) to load as label 1; without it each segment keeps its number as label. */
  readonly segmentLabel?: string;
  readonly frameOfReferenceUid?: string;
}

/** Largest offset of a frame from the reference grid, in voxels, still taken as lying on it. */
const GRID_TOLERANCE = 0.01;

/**
 * Places every frame of a binary SEG on `reference`. Frames must lie on CT slices, with the CT's row and column
 * directions and pixel spacing; FRACTIONAL segmentations are rejected. Raises SEG_INVALID,
 * FRAME_OF_REFERENCE_MISMATCH, GEOMETRY_MISMATCH and LABEL_NOT_FOUND.
 */
export function loadSeg(dataSet: DataSet, reference: ImageGeometry, options: LoadSegOptions = {}): { mask: ImageVolume<Uint8Array | Uint16Array>; segments: SegSegment[] } {
  if (text(dataSet, 'x00080060') !== 'SEG') throw new RadiomicsError('SEG_INVALID', 'The file is not a DICOM SEG (Modality is not SEG).');
  const type = text(dataSet, 'x00620001');
  if (type !== 'BINARY') throw new RadiomicsError('SEG_INVALID', `SegmentationType ${type ?? 'missing'} is not supported; export a BINARY segmentation.`);

  const frameOfReference = text(dataSet, 'x00200052');
  if (options.frameOfReferenceUid && frameOfReference && frameOfReference !== options.frameOfReferenceUid) {
    throw new RadiomicsError('FRAME_OF_REFERENCE_MISMATCH', `The SEG is in frame of reference ${frameOfReference}, but the CT series is in ${options.frameOfReferenceUid}.`);
  }

  // SegmentNumber and ReferencedSegmentNumber are US (binary) attributes.
  const segments = items(dataSet, 'x00620002').map((segment, index) => ({
    number: segment.uint16('x00620004') ?? index + 1,
    label: text(segment, 'x00620005') ?? '',
  }));
  let wanted: number | undefined;
  if (options.segmentLabel !== undefined) {
    const match = segments.find((segment) => segment.label === options.segmentLabel);
    if (!match) {
      throw new RadiomicsError('LABEL_NOT_FOUND', `Segment "${options.segmentLabel}" is not in the SEG; segments present: ${segments.map((segment) => `"${segment.label}"`).join(', ')}.`);
    }
    wanted = match.number;
  }

  const format = pixelFormatOf(dataSet);
  const frames = Number(text(dataSet, 'x00280008') ?? '1');
  if (format.bitsAllocated !== 1) throw new RadiomicsError('SEG_INVALID', `A binary SEG has BitsAllocated 1, not ${format.bitsAllocated}.`);
  const pixelData = dataSet.elements.x7fe00010;
  const frameBits = format.rows * format.columns;
  if (!pixelData || pixelData.length * 8 < frameBits * frames) throw new RadiomicsError('SEG_INVALID', 'The SEG pixel data is missing or shorter than its frames.');
  const bits = dataSet.byteArray.subarray(pixelData.dataOffset, pixelData.dataOffset + pixelData.length);

  const shared = items(dataSet, 'x52009229')[0];
  const perFrame = items(dataSet, 'x52009230');
  if (perFrame.length !== frames) throw new RadiomicsError('SEG_INVALID', `The SEG has ${frames} frames but ${perFrame.length} per-frame functional groups.`);

  const maxLabel = Math.max(1, ...segments.map((segment) => segment.number));
  const data = wanted === undefined && maxLabel > 255 ? new Uint16Array(voxelCount(reference.size)) : new Uint8Array(voxelCount(reference.size));
  const mask = { size: reference.size, spacing: reference.spacing, origin: reference.origin, direction: reference.direction, data };

  perFrame.forEach((frame, f) => {
    const segmentNumber = nested(frame, ['x0062000a'])?.uint16('x0062000b') ?? 1;
    if (wanted !== undefined && segmentNumber !== wanted) return;
    const label = wanted === undefined ? segmentNumber : 1;

    const group = (sequence: string, tag: string): number[] | undefined => {
      const own = nested(frame, [sequence]);
      return (own && numbers(own, tag)) ?? (nested(shared, [sequence]) && numbers(nested(shared, [sequence]) as DataSet, tag));
    };
    const position = group('x00209113', 'x00200032');
    const orientation = group('x00209116', 'x00200037');
    const spacing = group('x00289110', 'x00280030');
    if (!position || !orientation || !spacing) throw new RadiomicsError('SEG_INVALID', `SEG frame ${f + 1} has no plane position, orientation or pixel spacing.`);
    checkFrameOnGrid(orientation, spacing, reference, f);

    const [i0, j0, k] = physicalToIndex(reference, position[0], position[1], position[2]);
    const [ri, rj, rk] = [Math.round(i0), Math.round(j0), Math.round(k)];
    if (Math.abs(i0 - ri) > GRID_TOLERANCE || Math.abs(j0 - rj) > GRID_TOLERANCE || Math.abs(k - rk) > GRID_TOLERANCE) {
      throw new RadiomicsError('GEOMETRY_MISMATCH', `SEG frame ${f + 1} does not lie on the CT grid (index offset ${[i0 - ri, j0 - rj, k - rk].map((v) => v.toFixed(3)).join(', ')} voxels).`);
    }
    if (rk < 0 || rk >= reference.size[2] || ri < 0 || rj < 0 || ri + format.columns > reference.size[0] || rj + format.rows > reference.size[1]) {
      throw new RadiomicsError('GEOMETRY_MISMATCH', `SEG frame ${f + 1} lies outside the CT volume.`);
    }

    for (let row = 0; row < format.rows; row++) {
      for (let column = 0; column < format.columns; column++) {
        const bit = f * frameBits + row * format.columns + column;
        if (bits[bit >> 3] & (1 << (bit & 7))) data[ri + column + reference.size[0] * (rj + row + reference.size[1] * rk)] = label;
      }
    }
  });
  return { mask, segments };
}

function checkFrameOnGrid(orientation: number[], spacing: number[], reference: ImageGeometry, frame: number): void {
  const d = reference.direction;
  const expected = [d[0], d[3], d[6], d[1], d[4], d[7]];
  const directionDelta = Math.max(...orientation.map((value, n) => Math.abs(value - expected[n])));
  const spacingDelta = Math.max(Math.abs(spacing[1] - reference.spacing[0]) / reference.spacing[0], Math.abs(spacing[0] - reference.spacing[1]) / reference.spacing[1]);
  if (directionDelta > 1e-4 || spacingDelta > 1e-4) {
    throw new RadiomicsError(
      'GEOMETRY_MISMATCH',
      `SEG frame ${frame + 1} is not on the CT grid: direction cosines differ by ${directionDelta.toFixed(5)}, pixel spacing by ${(spacingDelta * 100).toFixed(3)} %.`,
    );
  }
}
