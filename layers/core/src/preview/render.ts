/**
 * Lesion preview: the axial CT slice through the middle of the lesion, windowed to greyscale, with the mask
 * drawn over it as a translucent fill and an opaque outline, cropped around the lesion and written as PNG.
 *
 * Display convention: index i runs left to right and j top to bottom, which for the usual axial DICOM
 * orientation (direction = identity in LPS) is the radiological view, patient left on the image right.
 */
import { RadiomicsError } from '../errors';
import type { ImageVolume } from '../image/volume';
import { encodePng } from './png';

export interface CtWindow {
  /** Window centre in HU. */
  readonly level: number;
  /** Window width in HU. */
  readonly width: number;
}

/** Soft-tissue window: lung parenchyma renders black, so a metastasis is visible against it. */
export const SOFT_TISSUE_WINDOW: CtWindow = { level: 40, width: 400 };

export interface PreviewOptions {
  /** Label value of the lesion; by default every non-zero voxel belongs to it. */
  readonly label?: number;
  readonly window?: CtWindow;
  /** Margin around the lesion's bounding box in mm; default 15. */
  readonly marginMm?: number;
  /** Length in pixels of the longer side of the output image; default 256. */
  readonly outputSize?: number;
}

export interface LesionPreview {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Index of the axial slice shown. */
  readonly slice: number;
}

const FILL_RGB = [255, 48, 48] as const;
const FILL_ALPHA = 0.35;
const OUTLINE_RGB = [255, 220, 0] as const;

function sameGrid(image: ImageVolume, mask: ImageVolume): boolean {
  const close = (a: readonly number[], b: readonly number[]) => a.every((value, index) => Math.abs(value - b[index]) <= 1e-3 * Math.max(1, Math.abs(value)));
  return (
    image.size.every((value, index) => value === mask.size[index]) &&
    close(image.spacing, mask.spacing) &&
    close(image.origin, mask.origin) &&
    close(image.direction, mask.direction)
  );
}

/** Chooses the axial slice in the middle of the lesion's k-extent, or the slice with the largest area when the middle slice is empty. */
function chooseSlice(voxelsPerSlice: Uint32Array, firstK: number, lastK: number): number {
  const middle = Math.round((firstK + lastK) / 2);
  if (voxelsPerSlice[middle] > 0) return middle;
  let best = firstK;
  for (let k = firstK; k <= lastK; k++) if (voxelsPerSlice[k] > voxelsPerSlice[best]) best = k;
  return best;
}

export function renderLesionPreview(image: ImageVolume, mask: ImageVolume, options: PreviewOptions = {}): LesionPreview {
  if (!sameGrid(image, mask)) {
    throw new RadiomicsError('GEOMETRY_MISMATCH', 'The preview mask is not on the CT grid (size, spacing, origin or direction differ).');
  }
  const [nx, ny, nz] = image.size;
  const label = options.label;
  const inLesion = (value: number) => (label === undefined ? value !== 0 : value === label);

  // Bounding box and per-slice voxel counts of the lesion.
  const voxelsPerSlice = new Uint32Array(nz);
  let minI = nx, maxI = -1, minJ = ny, maxJ = -1, minK = nz, maxK = -1;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = nx * (j + ny * k);
      for (let i = 0; i < nx; i++) {
        if (!inLesion(mask.data[row + i])) continue;
        voxelsPerSlice[k]++;
        if (i < minI) minI = i;
        if (i > maxI) maxI = i;
        if (j < minJ) minJ = j;
        if (j > maxJ) maxJ = j;
        if (k < minK) minK = k;
        if (k > maxK) maxK = k;
      }
    }
  }
  if (maxK < 0) {
    throw new RadiomicsError(label === undefined ? 'EMPTY_ROI' : 'LABEL_NOT_FOUND', label === undefined ? 'The preview mask has no lesion voxels.' : `Label ${label} is not in the preview mask.`);
  }
  const slice = chooseSlice(voxelsPerSlice, minK, maxK);

  // Crop window in voxels: the bounding box plus the margin, clipped to the image.
  const marginMm = options.marginMm ?? 15;
  const marginI = Math.ceil(marginMm / image.spacing[0]);
  const marginJ = Math.ceil(marginMm / image.spacing[1]);
  const i0 = Math.max(0, minI - marginI);
  const i1 = Math.min(nx - 1, maxI + marginI);
  const j0 = Math.max(0, minJ - marginJ);
  const j1 = Math.min(ny - 1, maxJ + marginJ);
  const cropWidthMm = (i1 - i0 + 1) * image.spacing[0];
  const cropHeightMm = (j1 - j0 + 1) * image.spacing[1];

  // Output pixels keep the physical aspect ratio of the crop.
  const outputSize = options.outputSize ?? 256;
  const pixelMm = Math.max(cropWidthMm, cropHeightMm) / outputSize;
  const width = Math.max(1, Math.round(cropWidthMm / pixelMm));
  const height = Math.max(1, Math.round(cropHeightMm / pixelMm));

  // Nearest voxel of each output pixel, and whether it lies in the lesion.
  const sourceIndex = new Int32Array(width * height);
  const lesion = new Uint8Array(width * height);
  const sliceOffset = nx * ny * slice;
  for (let y = 0; y < height; y++) {
    const j = Math.min(j1, j0 + Math.floor(((y + 0.5) * pixelMm) / image.spacing[1]));
    for (let x = 0; x < width; x++) {
      const i = Math.min(i1, i0 + Math.floor(((x + 0.5) * pixelMm) / image.spacing[0]));
      const index = sliceOffset + i + nx * j;
      sourceIndex[y * width + x] = index;
      lesion[y * width + x] = inLesion(mask.data[index]) ? 1 : 0;
    }
  }

  const window = options.window ?? SOFT_TISSUE_WINDOW;
  const low = window.level - window.width / 2;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const grey = Math.round(Math.min(1, Math.max(0, (image.data[sourceIndex[p]] - low) / window.width)) * 255);
    let red = grey, green = grey, blue = grey;
    if (lesion[p]) {
      const x = p % width;
      const y = (p - x) / width;
      // A lesion pixel with a background 4-neighbour (or at the crop edge) is on the outline.
      const outline = x === 0 || y === 0 || x === width - 1 || y === height - 1 || !lesion[p - 1] || !lesion[p + 1] || !lesion[p - width] || !lesion[p + width];
      if (outline) {
        [red, green, blue] = OUTLINE_RGB;
      } else {
        red = Math.round(grey * (1 - FILL_ALPHA) + FILL_RGB[0] * FILL_ALPHA);
        green = Math.round(grey * (1 - FILL_ALPHA) + FILL_RGB[1] * FILL_ALPHA);
        blue = Math.round(grey * (1 - FILL_ALPHA) + FILL_RGB[2] * FILL_ALPHA);
      }
    }
    rgb[p * 3] = red;
    rgb[p * 3 + 1] = green;
    rgb[p * 3 + 2] = blue;
  }

  return { png: encodePng(width, height, rgb, 'rgb'), width, height, slice };
}

/** Blob key of a lesion's preview image. */
export function previewKey(siteId: string, studyId: string, lesionId: string): string {
  return `previews/${siteId}/${studyId}/${lesionId}.png`;
}
