/**
 * Stores a prepared lesion region in the blob store and reads it back for the extraction units, which may run
 * on other machines. Volumes go as NIfTI, an exact round trip of geometry and voxel type. The rest of the
 * region (label, ROI box, voxel count, position in the wavelet source) goes in a small JSON file.
 *
 * The wavelet source is stored only when it is not the region itself (no resampling and no preCrop), with its
 * own voxel type, because the wavelet transform's precision follows the input type as in PyWavelets.
 */
import type { PreparedRegion } from '../extraction/prepare';
import type { ImageVolume, Vec3 } from '../image/volume';
import type { BoundingBox } from '../roi';
import { readNifti, writeNifti } from '../io/nifti';
import type { BlobStore } from './ports';

export interface RegionKeys {
  readonly imageKey: string;
  readonly maskKey: string;
}

/**
 * Intermediates are written uncompressed: a 1 mm region of a large lesion is about 10 MB of float64, and gzip
 * would cost more CPU in prepare-lesions and in each of the nine extraction units than it saves in transfer.
 */
const NIFTI_TYPE = 'application/octet-stream';

/** NIfTI-2 keeps spacing and origin as float64, so shape features see exactly the spacing of the region. */
const REGION_NIFTI_OPTIONS = { gzip: false, version: 2 } as const;

interface RegionMetadata {
  readonly label: number;
  readonly roiBox: BoundingBox;
  readonly roiVoxelCount: number;
  readonly resampled: boolean;
  readonly regionBox: BoundingBox;
  /** True when the shape mask differs from the feature mask (re-segmentation without resegmentShape). */
  readonly separateShapeMask: boolean;
  /** True when the wavelet source is a volume other than the region image. */
  readonly separateWaveletSource: boolean;
}

/** Blob keys of the companion files, derived from the image key so that units carry only two keys. */
function companionKeys(keys: RegionKeys): { metadata: string; shapeMask: string; waveletSource: string } {
  const base = keys.imageKey.replace(/image\.nii$/, '');
  return { metadata: `${base}region.json`, shapeMask: `${base}shape-mask.nii`, waveletSource: `${base}wavelet-source.nii` };
}

export async function storeRegion(blobs: BlobStore, region: PreparedRegion, keys: RegionKeys): Promise<void> {
  const companions = companionKeys(keys);
  const separateShapeMask = !sameData(region.shapeMask.data, region.mask.data);
  const separateWaveletSource = !isWholeRegion(region);

  await blobs.put(keys.imageKey, writeNifti(region.image, REGION_NIFTI_OPTIONS), NIFTI_TYPE);
  await blobs.put(keys.maskKey, writeNifti(region.mask, REGION_NIFTI_OPTIONS), NIFTI_TYPE);
  if (separateShapeMask) await blobs.put(companions.shapeMask, writeNifti(region.shapeMask, REGION_NIFTI_OPTIONS), NIFTI_TYPE);
  if (separateWaveletSource) await blobs.put(companions.waveletSource, writeNifti(region.waveletSource.source, REGION_NIFTI_OPTIONS), NIFTI_TYPE);

  const metadata: RegionMetadata = {
    label: region.label,
    roiBox: region.roiBox,
    roiVoxelCount: region.roiVoxelCount,
    resampled: region.resampled,
    regionBox: region.waveletSource.regionBox,
    separateShapeMask,
    separateWaveletSource,
  };
  await blobs.put(companions.metadata, JSON.stringify(metadata), 'application/json');
}

export async function loadRegion(blobs: BlobStore, keys: RegionKeys): Promise<PreparedRegion> {
  const companions = companionKeys(keys);
  const metadata = JSON.parse(new TextDecoder().decode(await blobs.get(companions.metadata))) as RegionMetadata;

  const image = asFloat64(readNifti(await blobs.get(keys.imageKey), 'prepared region image'));
  const mask = asUint8(readNifti(await blobs.get(keys.maskKey), 'prepared region mask'));
  const shapeMask = metadata.separateShapeMask ? asUint8(readNifti(await blobs.get(companions.shapeMask), 'prepared shape mask')) : mask;
  const source = metadata.separateWaveletSource ? geometryAndData(readNifti(await blobs.get(companions.waveletSource), 'wavelet source')) : image;

  return {
    label: metadata.label,
    image,
    mask,
    shapeMask,
    roiBox: metadata.roiBox,
    roiVoxelCount: metadata.roiVoxelCount,
    resampled: metadata.resampled,
    waveletSource: { source, regionBox: metadata.regionBox },
  };
}

function isWholeRegion(region: PreparedRegion): boolean {
  const { source, regionBox } = region.waveletSource;
  if (source.data === region.image.data) return true;

  // The transform's precision follows the source's voxel type (float32 stays float32, as in PyWavelets), so a
  // source of another type is stored itself even when it covers exactly the region.
  if (!(source.data instanceof Float64Array)) return false;

  const size: Vec3 = region.image.size;
  return (
    source.size.every((extent, axis) => extent === size[axis]) &&
    regionBox.lower.every((index) => index === 0) &&
    regionBox.upper.every((index, axis) => index === size[axis] - 1)
  );
}

function sameData(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

function geometryAndData(volume: ImageVolume): ImageVolume {
  return { size: volume.size, spacing: volume.spacing, origin: volume.origin, direction: volume.direction, data: volume.data };
}

function asFloat64(volume: ImageVolume): ImageVolume<Float64Array> {
  const data = volume.data instanceof Float64Array ? volume.data : Float64Array.from(volume.data);
  return { ...geometryAndData(volume), data };
}

function asUint8(volume: ImageVolume): ImageVolume<Uint8Array> {
  const data = volume.data instanceof Uint8Array ? volume.data : Uint8Array.from(volume.data);
  return { ...geometryAndData(volume), data };
}
