import { createHash } from 'node:crypto';

import { enabledImageTypes } from '../../extraction';
import { RadiomicsError } from '../../errors';
import { parseParams, settingsHash } from '../../settings';
import { loggerOf, nowIso, type PipelineContext } from '../context';
import { lesionWorkPrefix } from '../keys';
import { loadedStudyKey, takeLoadedStudy, type LoadedStudyEntry } from '../loaded-study-cache';
import { prepareRegion } from '../../extraction/prepare';
import { storeRegion } from '../region-codec';
import { keepPreparedRegion } from './extract-unit';
import type { ExtractionUnit, PreparedLesion, PreparedStudy, ValidatedStudy } from '../state';
import { advanceStudy } from '../study-status';
import { loadCtImage, loadLesions, maskKeyOf } from '../study-loader';
import { readStudyFiles } from '../study-files';

/**
 * Second step: resamples each lesion to the protocol spacing and crops it with padDistance, exactly as the
 * feature extraction does. It writes the cropped image and mask as NIfTI and lists one extraction unit per
 * lesion and image type for the Map state.
 */
export async function prepareLesions(context: PipelineContext, input: ValidatedStudy): Promise<PreparedStudy> {
  const { siteId, studyId } = input;
  const log = loggerOf(context);
  await advanceStudy(context.results, input, ['VALIDATING'], 'EXTRACTING', {
    updatedAt: nowIso(context),
    lesionCount: input.lesions.length,
    ...(input.inferredLayout === undefined ? {} : { inferredLayout: input.inferredLayout }),
  });

  const settings = parseParams(context.params.yaml, context.params.source);
  const hash = settingsHash(settings);
  const imageTypes = heaviestFirst(enabledImageTypes(settings));

  const { image, masks } = takeLoadedStudy(loadedStudyKey(input)) ?? (await loadStudy(context, input));

  const lesions: PreparedLesion[] = [];
  const units: ExtractionUnit[] = [];
  for (const lesion of input.lesions) {
    const manifestLesion = input.manifest.lesions.find((candidate) => candidate.lesionId === lesion.lesionId);
    const mask = manifestLesion ? masks.get(maskKeyOf(manifestLesion)) : undefined;
    if (!mask) throw new RadiomicsError('INTERNAL_ERROR', `The mask of lesion "${lesion.lesionId}" was not loaded.`);

    const started = performance.now();
    const region = prepareRegion(image, mask, settings, lesion.label);
    const regionVoxels = region.roiVoxelCount;
    if (context.maxVoxels !== undefined && region.image.data.length > context.maxVoxels) {
      throw new RadiomicsError(
        'VOLUME_TOO_LARGE',
        `The resampled region of lesion "${lesion.lesionId}" has ${region.image.data.length} voxels; the limit is ${context.maxVoxels}.`,
      );
    }

    // Intermediates live under the execution and the settings hash: a corrected re-upload (a new execution) or
    // a change of protocol never reuses volumes or features of an earlier run.
    const prefix = `${lesionWorkPrefix(siteId, studyId, lesion.lesionId)}${input.executionName}/${hash.slice(0, 12)}/`;
    const keys = { imageKey: `${prefix}image.nii`, maskKey: `${prefix}mask.nii` };
    await storeRegion(context.blobs, region, keys);
    keepPreparedRegion(context.blobs, keys, region);

    const provenanceKey = `${prefix}provenance.json`;
    await context.blobs.put(
      provenanceKey,
      JSON.stringify({
        settingsHash: hash,
        settings,
        label: lesion.label,
        roiVoxelsOnCtGrid: lesion.voxelCount,
        roiVoxelsResampled: regionVoxels,
        regionSize: region.image.size,
        regionSpacing: region.image.spacing,
        regionOrigin: region.image.origin,
        imageSha256: sha256(region.image.data),
        maskSha256: sha256(region.mask.data),
      }),
      'application/json',
    );

    lesions.push({ ...lesion, ...keys, provenanceKey });
    for (const imageType of imageTypes) {
      units.push({ siteId, studyId, lesionId: lesion.lesionId, imageType, ...keys, featuresKey: `${prefix}features/${imageType}.json` });
    }
    log.info('lesion region prepared', {
      siteId,
      studyId,
      lesionId: lesion.lesionId,
      regionVoxels: region.image.data.length,
      roiVoxels: regionVoxels,
      milliseconds: Math.round(performance.now() - started),
    });
  }

  // NOTE: every unit and its Map result travel in the state (about 640 bytes together, nine per lesion), so the
  // 256 KB Step Functions payload limit is reached at roughly 40 lesions per study; more would need the units in S3.
  return { ...input, lesions, settingsHash: hash, units };
}

async function loadStudy(context: PipelineContext, input: ValidatedStudy): Promise<LoadedStudyEntry> {
  const { files } = await readStudyFiles(context.blobs, input.uploadKey);
  const image = await loadCtImage(files, input.manifest);
  return { image, masks: loadLesions(files, input.manifest, image).masks };
}

function sha256(data: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
}

/**
 * Orders a lesion's image types so that the costliest start first and the cheaper ones fill the workers beside
 * them. The approximation sub-band keeps as many grey levels as the original image or more, and each GLCM
 * direction solves an eigenvalue problem of that size, so it costs the most. The original image comes next
 * because it adds the shape features. On the PAT1 lesion at 1 mm, wavelet-LLL takes twice as long as a detail
 * sub-band. The sort is stable, so the other image types keep their order.
 */
export function heaviestFirst(imageTypes: readonly string[]): string[] {
  const rank = (imageType: string): number => {
    if (imageType.endsWith('-LLL')) return 0;
    if (imageType === 'original') return 1;
    return 2;
  };
  return [...imageTypes].sort((a, b) => rank(a) - rank(b));
}
