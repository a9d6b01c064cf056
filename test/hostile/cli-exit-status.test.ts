// The error category of a failed study reaches the exit status of `radiomics run`: 2 for a broken upload,
// 3 for identifying data, 5 for a limit, 0 when every study completes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EXIT_STATUS } from '@radiomics/core';

import { materialiseCorpus } from './corpus/build-corpus';
import { CORPUS } from './corpus/cases';
import { FAST_PARAMS_PATH } from './local-store';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SITE = 'site-exit';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'radiomics-exit-status-'));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Runs `radiomics run` on one corpus case in its own store; returns the exit status and the JSON line. */
function runCase(name: string): { status: number | null; line: Record<string, unknown> | undefined; stderr: string } {
  const corpusCase = CORPUS.find((candidate) => candidate.name === name);
  if (!corpusCase) throw new Error(`No corpus case ${name}`);
  const [written] = materialiseCorpus(join(root, name, 'uploads'), SITE, [corpusCase]);
  const run = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'node'),
    [join(PROJECT_ROOT, 'bin', 'radiomics.mjs'), 'run', written!.path, '--json', '--site', SITE, '--store', join(root, name, 'store'), '--params', FAST_PARAMS_PATH, '--workers', '0'],
    { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  const jsonLine = run.stdout.split('\n').find((text) => text.startsWith('{'));
  return { status: run.status, line: jsonLine ? (JSON.parse(jsonLine) as Record<string, unknown>) : undefined, stderr: run.stderr };
}

describe('radiomics run exit status', () => {
  it('is 0 when the study completes', () => {
    const { status, line, stderr } = runCase('control-nifti');
    expect(line?.status, stderr).toBe('COMPLETED');
    expect(status).toBe(0);
  });

  it('is the input status for a label the mask lacks', () => {
    const { status, line, stderr } = runCase('mask-label-absent');
    expect(line?.errorCode, stderr).toBe('LABEL_NOT_FOUND');
    expect(status).toBe(EXIT_STATUS.input);
  });

  it('is the privacy status for identifying headers', () => {
    const { status, line, stderr } = runCase('dicom-identifying');
    expect(line?.errorCode, stderr).toBe('PHI_PRESENT');
    expect(status).toBe(EXIT_STATUS.privacy);
  });

  it('is the limit status for an archive with too many entries', () => {
    const { status, line, stderr } = runCase('zip-too-many-entries');
    expect(line?.errorCode, stderr).toBe('ARCHIVE_TOO_LARGE');
    expect(status).toBe(EXIT_STATUS.limit);
  });
});
