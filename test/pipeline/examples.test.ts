// The README's main job on the bundled real studies: `radiomics run examples/` end to end, through the CLI,
// then again to show that a second run changes nothing, and once more without manifests to show inference.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { PROJECT_ROOT } from '../../local/local-context';
import { runLocal } from '../../local/runner';
import { SqliteResultStore } from '../../local/sqlite-result-store';

/** Each case runs whole studies (about 10 s each on an idle 2-core machine); allow for a loaded one. */
const STUDY_TIMEOUT_MS = 300_000;

const scratch = mkdtempSync(join(tmpdir(), 'radiomics-examples-'));
const storeDir = join(scratch, 'store');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'node'), [join(PROJECT_ROOT, 'bin', 'radiomics.mjs'), ...args], {
    cwd: scratch,
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('radiomics run examples/', () => {
  it('scores every lesion of both example studies', () => {
    const result = runCli(['run', join(PROJECT_ROOT, 'examples'), '--json', '--store', storeDir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => `${line.site}/${line.study}/${line.lesion}`)).toEqual(['site-ibsi/pat1/gtv-1', 'site-sarcoma/sts-004/gtv-mass']);
    for (const line of lines) {
      expect(line.status).toBe('COMPLETED');
      expect(line.modelVersion).toBe('demo-synthetic-v1');
      expect(line.synthetic).toBe(true);
      expect(['progression', 'non-progression']).toContain(line.class);
      expect(line.probability).toBeGreaterThanOrEqual(0);
      expect(line.probability).toBeLessThanOrEqual(1);
      expect(line.unchanged).toBeUndefined();
    }
  }, STUDY_TIMEOUT_MS);

  it('stores 851 features per lesion in SQLite', async () => {
    const results = new SqliteResultStore(join(storeDir, 'results.sqlite'));
    try {
      for (const [siteId, studyId] of [
        ['site-ibsi', 'pat1'],
        ['site-sarcoma', 'sts-004'],
      ]) {
        expect((await results.getStudy({ siteId, studyId }))?.status).toBe('COMPLETED');
        const featureSets = await results.listFeatureSets({ siteId, studyId });
        expect(featureSets).toHaveLength(1);
        expect(Object.keys(featureSets[0].features)).toHaveLength(851);
        expect(Object.values(featureSets[0].features).every(Number.isFinite)).toBe(true);
      }
    } finally {
      results.close();
    }
  }, STUDY_TIMEOUT_MS);

  it('marks unchanged studies in JSON', () => {
    const result = runCli(['run', join(PROJECT_ROOT, 'examples', 'site-ibsi', 'pat1'), '--json', '--store', storeDir]);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(result.status).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0].unchanged).toBe(true);
    expect(lines[0].status).toBe('COMPLETED');
  }, STUDY_TIMEOUT_MS);

  it('changes nothing on a second run', async () => {
    const report = await runLocal([join(PROJECT_ROOT, 'examples')], { storeDir, workers: 0 });
    expect(report.studies.map((study) => [study.studyId, study.status, study.ran])).toEqual([
      ['pat1', 'COMPLETED', false],
      ['sts-004', 'COMPLETED', false],
    ]);
    const results = new SqliteResultStore(join(storeDir, 'results.sqlite'));
    try {
      const events = await results.listAuditEvents({ siteId: 'site-ibsi', studyId: 'pat1' });
      expect(events.map((event) => event.toStatus)).toEqual(['RECEIVED', 'VALIDATING', 'EXTRACTING', 'SCORING', 'COMPLETED']);
    } finally {
      results.close();
    }
  }, STUDY_TIMEOUT_MS);

  it('infers the layout of studies without a manifest', async () => {
    const folder = join(scratch, 'no-manifest');
    cpSync(join(PROJECT_ROOT, 'examples', 'site-ibsi', 'pat1'), join(folder, 'pat1'), { recursive: true, filter: (source) => !source.endsWith('manifest.json') });
    cpSync(join(PROJECT_ROOT, 'examples', 'site-sarcoma', 'sts-004'), join(folder, 'sts-004'), { recursive: true, filter: (source) => !source.endsWith('manifest.json') });

    const report = await runLocal([folder], { storeDir: join(scratch, 'store-inferred'), siteId: 'site-local', workers: 2 });
    expect(report.studies.map((study) => [study.siteId, study.studyId, study.status])).toEqual([
      ['site-local', 'pat1', 'COMPLETED'],
      ['site-local', 'sts-004', 'COMPLETED'],
    ]);
    expect(report.studies[0].lesions.map((lesion) => lesion.lesionId)).toEqual(['roi-1']);
    expect(report.studies[0].inferredLayout).toMatch(/60 DICOM slices, 1 RTSTRUCT file\(s\) with 1 ROI/);
    expect(report.studies[1].lesions.map((lesion) => lesion.lesionId)).toEqual(['mask1-label-1']);
    expect(report.studies[1].inferredLayout).toMatch(/label-map file/);
  }, STUDY_TIMEOUT_MS);
});
