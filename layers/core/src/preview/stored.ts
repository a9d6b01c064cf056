/**
 * Previews for the results API: the stored PNG of a lesion, rendered on first request from the resampled,
 * cropped region (image and 0/1 mask) that the workflow keeps under the lesion's work prefix.
 */
import { readNifti } from '../io';
import type { BlobStore, LesionFeatureSet } from '../pipeline/ports';
import { lesionWorkPrefix } from '../pipeline/keys';
import { previewKey, renderLesionPreview } from './render';

/** Blob keys of the prepared region, as the workflow's prepare step writes them (settings hash, first 12 hex digits). */
export function regionKeys(featureSet: LesionFeatureSet): { imageKey: string; maskKey: string } {
  const prefix = `${lesionWorkPrefix(featureSet.siteId, featureSet.studyId, featureSet.lesionId)}${featureSet.settingsHash.slice(0, 12)}/`;
  return { imageKey: `${prefix}image.nii.gz`, maskKey: `${prefix}mask.nii.gz` };
}

/**
 * Returns the lesion's preview PNG, rendering and storing it when absent. Returns undefined when the region
 * intermediates are gone (for example after a work-area clean-up), so the API answers 404.
 */
export async function loadOrRenderPreview(blobs: BlobStore, featureSet: LesionFeatureSet): Promise<Uint8Array | undefined> {
  const key = previewKey(featureSet.siteId, featureSet.studyId, featureSet.lesionId);
  if (await blobs.exists(key)) return blobs.get(key);

  const { imageKey, maskKey } = regionKeys(featureSet);
  if (!(await blobs.exists(imageKey)) || !(await blobs.exists(maskKey))) return undefined;
  const image = readNifti(await blobs.get(imageKey), 'prepared image');
  const mask = readNifti(await blobs.get(maskKey), 'prepared mask');
  const preview = renderLesionPreview(image, mask);
  await blobs.put(key, preview.png, 'image/png');
  return preview.png;
}
