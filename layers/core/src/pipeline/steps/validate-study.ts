import { RadiomicsError } from '../../errors';
import { parseManifest } from '../../manifest';
import type { StudyManifest } from '../../manifest/types';
import { loggerOf, nowIso, type PipelineContext } from '../context';
import { inferLayout } from '../infer-layout';
import { assertSafeId } from '../keys';
import { keepLoadedStudy, loadedStudyKey } from '../loaded-study-cache';
import type { StudyRunInput, ValidatedLesion, ValidatedStudy } from '../state';
import { advanceStudy } from '../study-status';
import { auditStudy, checkLesion, labelOf, loadCtImage, loadLesions, maskKeyOf } from '../study-loader';
import { readStudyFiles } from '../study-files';

/**
 * First step: registers the study, reads its manifest (or infers the layout when allowed), audits
 * de-identification before any pixel data is read, then loads the CT and each mask to check geometry and labels.
 */
export async function validateStudy(context: PipelineContext, input: StudyRunInput): Promise<ValidatedStudy> {
  const siteId = assertSafeId(input.siteId, 'site id');
  const studyId = assertSafeId(input.studyId, 'study id');
  const log = loggerOf(context);
  const at = nowIso(context);

  await context.results.createStudy({
    siteId,
    studyId,
    status: 'RECEIVED',
    uploadKey: input.uploadKey,
    executionName: input.executionName,
    receivedAt: input.receivedAt ?? at,
    updatedAt: at,
  });
  // A failed study may be re-run after a fix (a new upload gives a new execution name). The same execution
  // may also start over after an interruption, from whichever step it had reached.
  const current = await context.results.getStudy({ siteId, studyId });
  const resumable = current?.executionName === input.executionName ? (['VALIDATING', 'EXTRACTING', 'SCORING'] as const) : [];
  await advanceStudy(context.results, input, ['RECEIVED', 'FAILED', ...resumable], 'VALIDATING', {
    executionName: input.executionName,
    uploadKey: input.uploadKey,
    updatedAt: at,
  });
  log.info('study validation started', { siteId, studyId });

  const { files } = await readStudyFiles(context.blobs, input.uploadKey);

  // De-identification first: only headers have been parsed so far.
  const headers = auditStudy(files);

  const manifestFile = files.find((file) => file.path === 'manifest.json');
  let manifest: StudyManifest;
  let inferredLayout: string | undefined;
  let labelMapFiles: readonly string[] = [];
  if (manifestFile) {
    manifest = parseManifest(manifestFile.bytes, 'manifest.json');
    if (manifest.siteId !== siteId || manifest.studyId !== studyId) {
      throw new RadiomicsError(
        'MANIFEST_INVALID',
        `manifest.json names site "${manifest.siteId}" and study "${manifest.studyId}", but the study was uploaded as ${siteId}/${studyId}.`,
      );
    }
  } else if (context.allowInference) {
    const layout = inferLayout(siteId, studyId, files, headers);
    manifest = layout.manifest;
    labelMapFiles = layout.labelMapFiles;
    inferredLayout = layout.description;
    log.info('study layout inferred', { siteId, studyId, lesionsFromStructureSets: layout.manifest.lesions.length, labelMapFiles: labelMapFiles.length });
  } else {
    throw new RadiomicsError('MANIFEST_INVALID', 'The study has no manifest.json at its top folder.');
  }

  const image = await loadCtImage(files, manifest);
  const { lesions, masks } = loadLesions(files, manifest, image, labelMapFiles);
  if (context.reuseLoadedStudy) keepLoadedStudy(loadedStudyKey(input), { image, masks });
  if (lesions.length === 0) {
    throw new RadiomicsError('EMPTY_ROI', 'No lesion was found: the masks hold no labelled voxels.');
  }

  const validated: ValidatedLesion[] = lesions.map((lesion) => {
    const mask = masks.get(maskKeyOf(lesion));
    if (!mask) throw new RadiomicsError('INTERNAL_ERROR', `The mask of lesion "${lesion.lesionId}" was not loaded.`);
    const label = labelOf(lesion);
    const voxelCount = checkLesion(image, mask, label);
    return {
      lesionId: assertSafeId(lesion.lesionId, 'lesion id'),
      maskFile: lesion.mask,
      label,
      ...(lesion.roiName === undefined ? {} : { roiName: lesion.roiName }),
      voxelCount,
    };
  });

  log.info('study validated', { siteId, studyId, lesionCount: validated.length });
  const { receivedAt: _receivedAt, ...run } = input;
  return {
    ...run,
    siteId,
    studyId,
    manifest: { ...manifest, lesions },
    ...(inferredLayout === undefined ? {} : { inferredLayout }),
    lesions: validated,
  };
}
