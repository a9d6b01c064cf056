/**
 * Previews for the results API: the stored PNG of a lesion, rendered on first request from the resampled,
 * cropped region (image and 0/1 mask) that the workflow keeps under the lesion's work prefix.
 */
import { readNifti } from '../io';
import type { BlobStore, LesionFeatureSet } from '../pipeline/ports';
import { lesionWorkPrefix } from '../pipeline/keys';
import { previewKey, renderLesionPreview } from './render';

/**
 * Finds the prepared region of the lesion's feature set. It is an `image.nii` and a `mask.nii` (either may
 * end in `.gz`) in one folder named after the settings hash's first 12 hex digits. The folder may sit at
 * any depth under the lesion's work prefix, because the workflow nests it under an execution folder. The
 * last such folder in key order wins.
 */
// NOTE: depends on the workflow's intermediate naming; a preview stored at previewKey needs none of this.
async function findRegionKeys(blobs: BlobStore, featureSet: LesionFeatureSet): Promise<{ imageKey: string; maskKey: string } | undefined> {
  const keys = (await blobs.list(lesionWorkPrefix(featureSet.siteId, featureSet.studyId, featureSet.lesionId))).map((blob) => blob.key);
  const present = new Set(keys);
  const folderSuffix = `/${featureSet.settingsHash.slice(0, 12)}/`;
  let found: { imageKey: string; maskKey: string } | undefined;
  for (const imageKey of keys) {
    const match = /^(.*\/)image\.nii(\.gz)?$/.exec(imageKey);
    if (!match || !match[1].endsWith(folderSuffix)) continue;
    const maskKey = [`${match[1]}mask.nii`, `${match[1]}mask.nii.gz`].find((key) => present.has(key));
    if (maskKey) found = { imageKey, maskKey };
  }
  return found;
}

/**
 * Returns the lesion's preview PNG, rendering and storing it when absent. Returns undefined when the region
 * intermediates are gone (for example after a work-area clean-up), so the API answers 404.
 */
export async function loadOrRenderPreview(blobs: BlobStore, featureSet: LesionFeatureSet): Promise<Uint8Array | undefined> {
  const key = previewKey(featureSet.siteId, featureSet.studyId, featureSet.lesionId);
  if (await blobs.exists(key)) return blobs.get(key);

  const region = await findRegionKeys(blobs, featureSet);
  if (!region) return undefined;
  const { imageKey, maskKey } = region;
  const image = readNifti(await blobs.get(imageKey), 'prepared image');
  const mask = readNifti(await blobs.get(maskKey), 'prepared mask');
  const preview = renderLesionPreview(image, mask);
  await blobs.put(key, preview.png, 'image/png');
  return preview.png;
}
