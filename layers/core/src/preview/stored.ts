/**
 * Previews for the results API: the stored PNG of a lesion, rendered on first request from the resampled,
 * cropped region (image and 0/1 mask) that the workflow keeps under the lesion's work prefix.
 */
import { readNifti } from '../io';
import type { BlobStore, LesionFeatureSet } from '../pipeline/ports';
import { lesionWorkPrefix } from '../pipeline/keys';
import { previewKey, renderLesionPreview } from './render';

/** Blob prefix of the prepared region: the lesion's work prefix, then the settings hash's first 12 hex digits. */
export function regionPrefix(featureSet: LesionFeatureSet): string {
  return `${lesionWorkPrefix(featureSet.siteId, featureSet.studyId, featureSet.lesionId)}${featureSet.settingsHash.slice(0, 12)}/`;
}

/** Finds the region's image and mask NIfTI files (`image.nii` or `image.nii.gz`, likewise the mask). */
async function findRegionKeys(blobs: BlobStore, prefix: string): Promise<{ imageKey: string; maskKey: string } | undefined> {
  const keys = new Set((await blobs.list(prefix)).map((blob) => blob.key));
  const pick = (name: string) => [`${prefix}${name}.nii`, `${prefix}${name}.nii.gz`].find((key) => keys.has(key));
  const imageKey = pick('image');
  const maskKey = pick('mask');
  return imageKey && maskKey ? { imageKey, maskKey } : undefined;
}

/**
 * Returns the lesion's preview PNG, rendering and storing it when absent. Returns undefined when the region
 * intermediates are gone (for example after a work-area clean-up), so the API answers 404.
 */
export async function loadOrRenderPreview(blobs: BlobStore, featureSet: LesionFeatureSet): Promise<Uint8Array | undefined> {
  const key = previewKey(featureSet.siteId, featureSet.studyId, featureSet.lesionId);
  if (await blobs.exists(key)) return blobs.get(key);

  const region = await findRegionKeys(blobs, regionPrefix(featureSet));
  if (!region) return undefined;
  const { imageKey, maskKey } = region;
  const image = readNifti(await blobs.get(imageKey), 'prepared image');
  const mask = readNifti(await blobs.get(maskKey), 'prepared mask');
  const preview = renderLesionPreview(image, mask);
  await blobs.put(key, preview.png, 'image/png');
  return preview.png;
}
