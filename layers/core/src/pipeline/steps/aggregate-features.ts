import { RadiomicsError } from '../../errors';
import { CORE_VERSION } from '../../extraction/extract';
import { loggerOf, nowIso, type PipelineContext } from '../context';
import type { LesionFeatureSet } from '../ports';
import type { AggregatedLesion, AggregatedStudy, ExtractedStudy } from '../state';
import { advanceStudy } from '../study-status';
import { readFeatures } from './extract-unit';

/**
 * Merges each lesion's per-image-type features into one feature set (851 features with the default
 * PyRadiomics settings: original and 8 wavelet sub-bands) with its provenance, and stores it.
 */
export async function aggregateFeatures(context: PipelineContext, input: ExtractedStudy): Promise<AggregatedStudy> {
  const { siteId, studyId } = input;
  const at = nowIso(context);
  const aggregated: AggregatedLesion[] = [];

  for (const lesion of input.lesions) {
    const units = input.units.filter((unit) => unit.lesionId === lesion.lesionId);
    if (units.length === 0) throw new RadiomicsError('INTERNAL_ERROR', `Lesion "${lesion.lesionId}" has no extraction units.`);

    const features: Record<string, number> = {};
    for (const unit of units) {
      const stored = await readFeatures(context, unit);
      for (const [name, value] of Object.entries(stored.features)) {
        if (Object.hasOwn(features, name)) {
          throw new RadiomicsError('INTERNAL_ERROR', `Feature ${name} of lesion "${lesion.lesionId}" was produced by two image types.`);
        }
        features[name] = value;
      }
    }

    const region = JSON.parse(new TextDecoder().decode(await context.blobs.get(lesion.provenanceKey))) as Record<string, unknown>;
    const featureSet: LesionFeatureSet = {
      siteId,
      studyId,
      lesionId: lesion.lesionId,
      label: lesion.label,
      maskFile: lesion.maskFile,
      features,
      settingsHash: input.settingsHash,
      provenance: {
        ...region,
        productVersion: context.productVersion ?? CORE_VERSION,
        executionName: input.executionName,
        imageTypes: units.map((unit) => unit.imageType),
        featureCount: Object.keys(features).length,
      },
      extractedAt: at,
    };
    await context.results.putFeatureSet(featureSet);
    aggregated.push({ lesionId: lesion.lesionId, label: lesion.label, featureCount: Object.keys(features).length });
    loggerOf(context).info('lesion features stored', { siteId, studyId, lesionId: lesion.lesionId, featureCount: Object.keys(features).length });
  }

  await advanceStudy(context.results, input, ['EXTRACTING'], 'SCORING', { updatedAt: at });
  return {
    siteId,
    studyId,
    uploadKey: input.uploadKey,
    executionName: input.executionName,
    ...(input.inferredLayout === undefined ? {} : { inferredLayout: input.inferredLayout }),
    settingsHash: input.settingsHash,
    lesions: aggregated,
  };
}
