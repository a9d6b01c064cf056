import { extractImageType } from '../../extraction';
import { RadiomicsError } from '../../errors';
import { parseParams } from '../../settings';
import { loggerOf, type PipelineContext } from '../context';
import type { PreparedRegion } from '../../extraction/prepare';
import { loadRegion, type RegionKeys } from '../region-codec';
import type { ExtractedUnit, ExtractionUnit } from '../state';

interface StoredFeatures {
  readonly imageType: string;
  readonly features: Record<string, number>;
}

/**
 * One Map item: computes the features of one image type ('original' or one wavelet sub-band) of one lesion
 * and stores them as JSON. A retried unit whose JSON is already stored returns it without recomputing.
 */
export async function extractUnit(context: PipelineContext, unit: ExtractionUnit): Promise<ExtractedUnit> {
  const { siteId, studyId, lesionId, imageType } = unit;

  if (await context.blobs.exists(unit.featuresKey)) {
    const stored = await readFeatures(context, unit);
    return { lesionId, imageType, featuresKey: unit.featuresKey, featureCount: Object.keys(stored.features).length };
  }

  const started = performance.now();
  const settings = parseParams(context.params.yaml, context.params.source);
  const region = await loadRegionOnce(context, unit);
  const features = extractImageType(region, settings, imageType);

  const featureCount = Object.keys(features).length;
  if (featureCount === 0) {
    throw new RadiomicsError('INTERNAL_ERROR', `Image type ${imageType} of lesion "${lesionId}" produced no features.`);
  }
  const stored: StoredFeatures = { imageType, features };
  await context.blobs.put(unit.featuresKey, JSON.stringify(stored), 'application/json');

  loggerOf(context).info('image type extracted', {
    siteId,
    studyId,
    lesionId,
    imageType,
    featureCount,
    milliseconds: Math.round(performance.now() - started),
  });
  return { lesionId, imageType, featuresKey: unit.featuresKey, featureCount };
}

/**
 * The last region loaded from each blob store. A worker (or a warm Lambda container) often runs several image
 * types of one lesion in a row, and each would otherwise decode the same volumes again (about 40 ms for a 1 mm
 * region of 10⁶ voxels). Region keys contain the execution name and settings hash and are written once, so a
 * key always names the same volumes. One region per store is kept, so memory stays bounded.
 */
const lastRegions = new WeakMap<object, { readonly key: string; readonly region: Promise<PreparedRegion> }>();

function regionCacheKey(keys: RegionKeys): string {
  return `${keys.imageKey}\u0000${keys.maskKey}`;
}

/**
 * Keeps a region that this process has just prepared and stored, so that the extraction units it runs next use
 * it without reading it back. The stored volumes are an exact copy of it (see region-codec).
 */
export function keepPreparedRegion(blobs: object, keys: RegionKeys, region: PreparedRegion): void {
  lastRegions.set(blobs, { key: regionCacheKey(keys), region: Promise.resolve(region) });
}

function loadRegionOnce(context: PipelineContext, unit: ExtractionUnit): Promise<PreparedRegion> {
  const key = regionCacheKey(unit);
  const cached = lastRegions.get(context.blobs);
  if (cached?.key === key) return cached.region;

  const region = loadRegion(context.blobs, unit);
  lastRegions.set(context.blobs, { key, region });
  // A failed read is not kept: the retry reads again.
  region.catch(() => {
    if (lastRegions.get(context.blobs)?.region === region) lastRegions.delete(context.blobs);
  });
  return region;
}

export async function readFeatures(context: PipelineContext, unit: Pick<ExtractionUnit, 'featuresKey' | 'lesionId' | 'imageType'>): Promise<StoredFeatures> {
  const parsed = JSON.parse(new TextDecoder().decode(await context.blobs.get(unit.featuresKey))) as StoredFeatures;
  if (parsed.imageType !== unit.imageType || typeof parsed.features !== 'object' || parsed.features === null) {
    throw new RadiomicsError('INTERNAL_ERROR', `The stored features of lesion "${unit.lesionId}", image type ${unit.imageType}, are unreadable.`);
  }
  return parsed;
}
