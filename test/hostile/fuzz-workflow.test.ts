// Property-based robustness of the validate-study step as a whole: a study zip whose archive bytes, CT slice,
// RTSTRUCT, SEG, label map or manifest are mutated must end in a validated study or a RadiomicsError within the
// time bound. The record-failure step must then mark the study FAILED and quarantine it, whatever the error.
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { RadiomicsError } from '@radiomics/core';
import { recordFailure, toTaskError, validateStudy, type PipelineContext, type StudyNotification } from '@radiomics/core/pipeline';

import { FUZZ_RUNS, PER_INPUT_TIME_LIMIT_MS, mutatedBytes } from '../helpers/fuzz';
import { MemoryBlobStore, MemoryResultStore } from '../helpers/memory-result-store';
import { ctDicomSeries, labelMap, manifestJson, niftiOn, rtStructFor, segFor, type GridGeometry, type StudyFiles } from '../helpers/study-builder';

const SITE = 'site-fuzz';
const GRID: GridGeometry = { size: [8, 8, 5], spacing: [0.8, 0.8, 2], origin: [-6, -6, 100] };
const LESION = { label: 1, centre: [4, 4, 2] as const, radius: 2, hu: 40 };

/** Builds one study with every mask kind: a NIfTI label map, an RTSTRUCT and a SEG on a 5-slice DICOM CT. */
function sampleStudy(studyId: string): StudyFiles {
  const series = ctDicomSeries({ grid: GRID, lesions: [LESION] });
  return {
    ...series.files,
    'masks/lesion.nii.gz': niftiOn(GRID, labelMap(GRID, [LESION])),
    'rtstruct/rs.dcm': rtStructFor(series, { lesion: LESION }),
    'seg/seg.dcm': segFor(series, { lesions: [LESION] }),
    'manifest.json': manifestJson({
      siteId: SITE,
      studyId,
      image: 'ct',
      lesions: [
        { lesionId: 'from-label-map', mask: 'masks/lesion.nii.gz', label: 1 },
        { lesionId: 'from-rtstruct', mask: 'rtstruct/rs.dcm', roiName: 'GTV-1' },
        { lesionId: 'from-seg', mask: 'seg/seg.dcm', label: 1 },
      ],
    }),
  };
}

const STUDY_ID = 'fuzzed';
const SAMPLE = sampleStudy(STUDY_ID);
const SAMPLE_ZIP = zipSync(SAMPLE);
const UPLOAD_KEY = `incoming/${SITE}/${STUDY_ID}.zip`;

class RecordingNotifier {
  readonly published: StudyNotification[] = [];
  async publish(notification: StudyNotification): Promise<void> {
    this.published.push(notification);
  }
}

function freshContext(upload: Uint8Array): { context: PipelineContext; blobs: MemoryBlobStore; results: MemoryResultStore; notifier: RecordingNotifier } {
  const blobs = new MemoryBlobStore();
  blobs.objects.set(UPLOAD_KEY, upload);
  const results = new MemoryResultStore();
  const notifier = new RecordingNotifier();
  const context: PipelineContext = { blobs, results, notifier, params: { yaml: 'setting:\n  binWidth: 25\n', source: 'fuzz.yaml' }, allowInference: true };
  return { context, blobs, results, notifier };
}

/**
 * Runs validate-study on the upload and, when it raises, record-failure with the error as Step Functions would
 * deliver it. Returns 'validated' or the failure code; any exception other than a RadiomicsError fails the property.
 */
async function validateOrFail(upload: Uint8Array): Promise<string> {
  const { context, blobs, results, notifier } = freshContext(upload);
  const input = { siteId: SITE, studyId: STUDY_ID, uploadKey: UPLOAD_KEY, executionName: `${SITE}-${STUDY_ID}-1` };
  const started = performance.now();
  let outcome = 'validated';
  try {
    await validateStudy(context, input);
  } catch (thrown) {
    if (!(thrown instanceof RadiomicsError)) {
      const description = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      throw new Error(`validate-study threw an untyped exception: ${description}`, { cause: thrown });
    }
    outcome = thrown.code;
    const taskError = toTaskError(thrown);
    const failed = await recordFailure(context, { ...input, error: { Error: taskError.name, Cause: taskError.message } });
    expect(failed.failure.code).toBe(thrown.code);
    expect((await results.getStudy({ siteId: SITE, studyId: STUDY_ID }))?.status).toBe('FAILED');
    expect(await blobs.exists(`quarantine/${SITE}/${STUDY_ID}/reason.json`)).toBe(true);
    expect(notifier.published.filter((notification) => notification.kind === 'study.failed')).toHaveLength(1);
  }
  expect(blobs.objects.get(UPLOAD_KEY)).toBe(upload);
  const elapsed = performance.now() - started;
  expect(elapsed, `validate-study took ${elapsed.toFixed(0)} ms on one input`).toBeLessThan(PER_INPUT_TIME_LIMIT_MS * 2);
  return outcome;
}

/** A third of the reader properties' runs: each input here goes through every reader of the study. */
const WORKFLOW_RUNS = Math.max(20, Math.round(FUZZ_RUNS / 3));

describe('validate-study fuzzing', () => {
  it('validates the unbroken sample', async () => {
    expect(await validateOrFail(SAMPLE_ZIP)).toBe('validated');
  });

  it('handles a mutated study archive', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(SAMPLE_ZIP), async (bytes) => {
        await validateOrFail(bytes);
      }),
      { numRuns: WORKFLOW_RUNS },
    );
  });

  for (const path of ['ct/slice-2.dcm', 'rtstruct/rs.dcm', 'seg/seg.dcm', 'masks/lesion.nii.gz', 'manifest.json']) {
    it(`handles a mutated ${path} inside a valid archive`, async () => {
      const outcomes = new Set<string>();
      await fc.assert(
        fc.asyncProperty(mutatedBytes(SAMPLE[path]!), async (bytes) => {
          outcomes.add(await validateOrFail(zipSync({ ...SAMPLE, [path]: bytes })));
        }),
        { numRuns: WORKFLOW_RUNS },
      );
      // Mutations reach the reader of this file: some inputs are rejected with a code.
      expect([...outcomes].filter((outcome) => outcome !== 'validated').length, [...outcomes].join(', ')).toBeGreaterThan(0);
    });
  }
});
