// Privacy: identifying values planted in uploads (a patient name, a birth date, a record number, file and ROI
// names carrying the name) must not appear in anything the product writes about a study: console output of
// `radiomics run`, step logs, notifications, the stored study record and quarantine reason, nor in the Lambda
// handlers' log output and SNS messages. The uploads themselves (and their quarantine copies) hold the values,
// as they must: those are the site's data, kept for review.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { executionNameFor } from '@radiomics/core/pipeline';

import { el, type DicomElement } from '../helpers/dicom-writer';
import { ctDicomSeries, dicomStudy, manifestJson, niftiStudy, rtStructFor, writeStudyFolder, type StudyFiles } from '../helpers/study-builder';
import { caughtLambdaError, startAwsHarness, type AwsHarness, type StepHandler } from './aws-harness';
import { FAST_PARAMS_PATH } from './local-store';
import { openSqliteDatabase } from '../../local/sqlite-database';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SITE = 'site-private';

/** The planted values, and the forms they take in a DICOM header. */
const FAMILY_NAME = 'Kowalczyk';
const GIVEN_NAME = 'Agnieszka';
const BIRTH_DATE = '19610417';
const RECORD_NUMBER = 'MRN88231977';
const PLANTED = [FAMILY_NAME, GIVEN_NAME, BIRTH_DATE, RECORD_NUMBER];

function identifyingHeader(elements: DicomElement[]): DicomElement[] {
  const planted = [
    el('00100010', 'PN', `${FAMILY_NAME}^${GIVEN_NAME}`),
    el('00100020', 'LO', RECORD_NUMBER),
    el('00100030', 'DA', BIRTH_DATE),
    el('00080090', 'PN', `${FAMILY_NAME}^Referrer`),
  ];
  const replaced = new Set(planted.map((element) => element.tag));
  return [...elements.filter((element) => !replaced.has(element.tag) && element.tag !== '00120062'), ...planted];
}

/** Builds studies that each plant the values somewhere else and fail (or complete) for their own reason. */
function privacyStudies(): Record<string, StudyFiles> {
  const ids = (studyId: string) => ({ siteId: SITE, studyId });

  // 1. Identifying DICOM headers, in files named after the patient.
  const inHeaders = dicomStudy(ids('phi-in-headers'), { editSlice: (_k, elements) => identifyingHeader(elements), fileName: (k) => `${FAMILY_NAME}_${GIVEN_NAME}_CT_${k}.dcm` });

  // 2. Clean headers, file names carrying the name, and a missing slice.
  const inFileNames = dicomStudy(ids('phi-in-file-names'), { fileName: (k) => `${FAMILY_NAME}_${GIVEN_NAME}_${BIRTH_DATE}_${k}.dcm` });
  delete inFileNames[`ct/${FAMILY_NAME}_${GIVEN_NAME}_${BIRTH_DATE}_4.dcm`];

  // 3. A NIfTI study whose mask file is named after the patient and lacks the label the manifest requests.
  const maskPath = `masks/${FAMILY_NAME}_${GIVEN_NAME}_${RECORD_NUMBER}.nii.gz`;
  const base = niftiStudy(ids('phi-in-mask-name'));
  const inMaskName: StudyFiles = {
    'image.nii.gz': base['image.nii.gz']!,
    [maskPath]: base['masks/lesions.nii.gz']!,
    'manifest.json': manifestJson({ ...ids('phi-in-mask-name'), image: 'image.nii.gz', lesions: [{ lesionId: 'lesion-1', mask: maskPath, label: 3 }] }),
  };

  // 4. A study that completes, with the image and mask files named after the patient.
  const completed = niftiStudy(ids('phi-completed'));
  const imagePath = `${FAMILY_NAME}-${GIVEN_NAME}/${BIRTH_DATE}_CT.nii.gz`;
  const completedMaskPath = `${FAMILY_NAME}-${GIVEN_NAME}/${BIRTH_DATE}_lesion.nii.gz`;
  const completing: StudyFiles = {
    [imagePath]: completed['image.nii.gz']!,
    [completedMaskPath]: completed['masks/lesions.nii.gz']!,
    'manifest.json': manifestJson({ ...ids('phi-completed'), image: imagePath, lesions: [{ lesionId: 'lesion-1', mask: completedMaskPath, label: 1 }] }),
  };

  // 5. No manifest: an RTSTRUCT whose ROI is named after the patient, in files named after the patient.
  const series = ctDicomSeries({ fileName: (k) => `${GIVEN_NAME}_${k}.dcm` });
  const inRoiName: StudyFiles = { ...series.files, [`rt/${FAMILY_NAME}_RS.dcm`]: rtStructFor(series, { roiName: `${FAMILY_NAME} tumour` }) };

  return { 'phi-in-headers': inHeaders, 'phi-in-file-names': inFileNames, 'phi-in-mask-name': inMaskName, 'phi-completed': completing, 'phi-in-roi-name': inRoiName };
}

const EXPECTED = {
  'phi-in-headers': 'PHI_PRESENT',
  'phi-in-file-names': 'MISSING_SLICES',
  'phi-in-mask-name': 'LABEL_NOT_FOUND',
  'phi-completed': 'COMPLETED',
} as const;

function* walk(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Returns a store row without the mask file path of its feature set. The path is kept on purpose, so that the
 * lesion can be traced to the uploaded file, and it is not served by the results API; every other field is scanned.
 */
function withoutMaskFile(row: Record<string, unknown>): Record<string, unknown> {
  if (typeof row.record !== 'string') return row;
  const record = JSON.parse(row.record) as Record<string, unknown>;
  delete record.maskFile;
  return { ...row, record };
}

/** Lines of `text` that hold a planted value (case-insensitive), for a readable failure. */
function leaks(text: string): string[] {
  const lower = text.toLowerCase();
  if (!PLANTED.some((value) => lower.includes(value.toLowerCase()))) return [];
  return text.split('\n').filter((line) => PLANTED.some((value) => line.toLowerCase().includes(value.toLowerCase()))).map((line) => line.slice(0, 300));
}

/**
 * Runs `radiomics run` on the studies into a fresh store and scans what it printed and stored. `expected` maps
 * each study id to its error code, or COMPLETED.
 */
function describePrivacyRun(title: string, studyIds: readonly string[], expected: Readonly<Record<string, string>>, minimumReasons: number): void {
  describe(title, () => {
    let root: string;
    let storeDir: string;
    let stdout: string;
    let stderr: string;
    let status: number | null;

    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'radiomics-privacy-'));
      storeDir = join(root, 'store');
      const studies = privacyStudies();
      for (const studyId of studyIds) writeStudyFolder(join(root, 'uploads', studyId), studies[studyId]!);
      const run = spawnSync(
        join(PROJECT_ROOT, 'node_modules', '.bin', 'node'),
        [join(PROJECT_ROOT, 'bin', 'radiomics.mjs'), 'run', ...studyIds.map((studyId) => join(root, 'uploads', studyId)), '--json', '--verbose', '--site', SITE, '--store', storeDir, '--params', FAST_PARAMS_PATH, '--workers', '1'],
        { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 240_000 },
      );
      stdout = run.stdout;
      stderr = run.stderr;
      status = run.status;
    }, 300_000);

    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('runs every study to its expected end', () => {
      const lines = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { study: string; status: string; errorCode?: string });
      for (const [studyId, outcome] of Object.entries(expected)) {
        const line = lines.find((candidate) => candidate.study === studyId);
        expect(line?.errorCode ?? line?.status, `${studyId}; stderr: ${stderr.slice(0, 500)}`).toBe(outcome);
      }
      const allCompleted = Object.values(expected).every((outcome) => outcome === 'COMPLETED');
      if (allCompleted) expect(status).toBe(0);
      else expect(status).toBeGreaterThan(0);
    });

    it('prints no planted value on stdout or stderr (step logs included)', () => {
      expect(leaks(stdout)).toEqual([]);
      expect(leaks(stderr)).toEqual([]);
    });

    it('writes no planted value to the step log or the notifications', () => {
      expect(existsSync(join(storeDir, 'logs', 'pipeline.jsonl'))).toBe(true);
      expect(leaks(readFileSync(join(storeDir, 'logs', 'pipeline.jsonl'), 'utf8'))).toEqual([]);
      expect(leaks(readFileSync(join(storeDir, 'notifications.jsonl'), 'utf8'))).toEqual([]);
    });

    it('stores no planted value in the SQLite store or a quarantine reason', () => {
      // Read through SQLite rather than the file bytes, so a failure shows the rows that hold the value.
      const database = openSqliteDatabase(join(storeDir, 'results.sqlite'), { readonly: true });
      try {
        const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
        for (const { name } of tables) {
          const rows = database.prepare(`SELECT * FROM "${name}"`).all().map((row) => JSON.stringify(withoutMaskFile(row as Record<string, unknown>)));
          expect(leaks(rows.join('\n')).map((line) => line.replace(/"features\\?":\{.*$/, '…')), `table ${name}`).toEqual([]);
        }
      } finally {
        database.close();
      }
      const quarantine = join(storeDir, 'blobs', 'quarantine');
      const reasons = existsSync(quarantine) ? [...walk(quarantine)].filter((path) => path.endsWith('reason.json')) : [];
      expect(reasons.length).toBeGreaterThanOrEqual(minimumReasons);
      for (const reason of reasons) expect(leaks(readFileSync(reason, 'utf8')), reason).toEqual([]);
    });

    it('keeps planted values out of other blobs', () => {
      const blobRoot = join(storeDir, 'blobs');
      for (const path of walk(blobRoot)) {
        const key = relative(blobRoot, path).split(sep).join('/');
        if (key.startsWith('incoming/') || /^quarantine\/[^/]+\/[^/]+\/upload\//.test(key)) continue;
        expect(leaks(key), key).toEqual([]);
        expect(leaks(readFileSync(path).toString('latin1')), key).toEqual([]);
      }
    });
  });
}

describePrivacyRun(
  'privacy of a local run (CLI)',
  ['phi-in-headers', 'phi-in-file-names', 'phi-in-mask-name', 'phi-completed'],
  EXPECTED,
  3,
);

// Without a manifest, the lesion id of an RTSTRUCT ROI is inferred; an ROI name can carry a patient name.
describePrivacyRun('privacy of inferred lesion ids (CLI)', ['phi-in-roi-name'], { 'phi-in-roi-name': 'COMPLETED' }, 0);

describe('privacy of the Lambda handlers (moto)', () => {
  let aws: AwsHarness;
  const captured: string[] = [];
  const outcomes = new Map<string, string>();

  beforeAll(async () => {
    aws = await startAwsHarness();
    const capture = (stream: NodeJS.WriteStream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => {
        stream.write = original as typeof stream.write;
      };
    };
    const restoreOut = capture(process.stdout);
    const restoreErr = capture(process.stderr);
    try {
      const validate = (await import('../../functions/validate-study/index')).handler as StepHandler;
      const recordFailure = (await import('../../functions/record-failure/index')).handler as StepHandler;
      for (const [studyId, files] of Object.entries(privacyStudies())) {
        if (studyId === 'phi-in-roi-name') continue; // the cloud requires a manifest
        const uploadKey = await aws.upload(SITE, studyId, { kind: 'folder', files });
        const input = { siteId: SITE, studyId, uploadKey, executionName: executionNameFor(SITE, studyId, 'etag-1') };
        try {
          await validate(input);
          outcomes.set(studyId, 'VALIDATED');
        } catch (thrown) {
          outcomes.set(studyId, (thrown as Error).name);
          await recordFailure({ ...input, error: caughtLambdaError(thrown) });
        }
      }
    } finally {
      restoreOut();
      restoreErr();
    }
  }, 240_000);

  afterAll(async () => {
    await aws?.stop();
  });

  it('fails the broken studies with their codes', () => {
    expect(outcomes.get('phi-in-headers')).toBe('PHI_PRESENT');
    expect(outcomes.get('phi-in-file-names')).toBe('MISSING_SLICES');
    expect(outcomes.get('phi-in-mask-name')).toBe('LABEL_NOT_FOUND');
    expect(outcomes.get('phi-completed')).toBe('VALIDATED');
  });

  it('logs no planted value', () => {
    expect(captured.join('').length).toBeGreaterThan(0);
    expect(leaks(captured.join(''))).toEqual([]);
  });

  it('publishes no planted value and stores none in the failure records', async () => {
    const messages = await aws.drainNotifications();
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(leaks(JSON.stringify(messages))).toEqual([]);
    for (const studyId of ['phi-in-headers', 'phi-in-file-names', 'phi-in-mask-name']) {
      const record = await aws.results.getStudy({ siteId: SITE, studyId });
      expect(record?.status).toBe('FAILED');
      expect(leaks(JSON.stringify(record))).toEqual([]);
      const reason = await aws.getObject(`quarantine/${SITE}/${studyId}/reason.json`);
      expect(leaks(Buffer.from(reason ?? new Uint8Array()).toString('utf8'))).toEqual([]);
    }
  });
});
