// `radiomics extract` end to end, through the real launcher.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, expect, it } from 'vitest';

import { describeWithReference, referencePath } from '../helpers/reference';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function radiomics(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'radiomics.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function oracleOriginal(): Map<string, number> {
  const lines = readFileSync(referencePath('oracle', 'pat1_default.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(
    lines
      .map((line) => line.split(','))
      .filter(([name]) => name.startsWith('original_'))
      .map(([name, value]) => [name, Number(value)]),
  );
}

describeWithReference('radiomics extract', ['oracle/cases/pat1_image_int16.nii.gz', 'oracle/cases/pat1_mask.nii.gz', 'pyradiomics/data/breast1_image.nrrd'], () => {
  const image = referencePath('oracle', 'cases', 'pat1_image_int16.nii.gz');
  const mask = referencePath('oracle', 'cases', 'pat1_mask.nii.gz');
  let folder = '';

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'radiomics-extract-'));
  });

  it('prints the 107 original PAT1 features as JSON', () => {
    const result = radiomics(['extract', '--image', image, '--mask', mask, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const features = JSON.parse(result.stdout) as Record<string, number>;
    const expected = oracleOriginal();
    expect(Object.keys(features).sort()).toEqual([...expected.keys()].sort());
    for (const [name, value] of expected) {
      expect(Math.abs(features[name] - value), name).toBeLessThanOrEqual(Math.max(1e-9 * Math.abs(value), 1e-12));
    }
  });

  it('writes locale-independent CSV with PyRadiomics columns', () => {
    const out = join(folder, 'features.csv');
    const result = radiomics(['extract', '--image', image, '--mask', mask, '--label', '1', '--out', out], { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' });
    expect(result.status).toBe(0);
    const [header, row, extra] = readFileSync(out, 'utf8').split('\n');
    expect(extra).toBe('');
    const names = header.split(',');
    const cells = row.split(',');
    expect(names.slice(0, 3)).toEqual(['Image', 'Mask', 'Label']);
    expect(names).toHaveLength(110);
    expect(cells).toHaveLength(110);
    const mean = Number(cells[names.indexOf('original_firstorder_Mean')]);
    expect(mean).toBeCloseTo(oracleOriginal().get('original_firstorder_Mean')!, 9);
  });

  it('extracts every row of a batch CSV and reports failed rows', () => {
    const batch = join(folder, 'batch.csv');
    const breastImage = referencePath('pyradiomics', 'data', 'breast1_image.nrrd');
    const breastMask = referencePath('pyradiomics', 'data', 'breast1_label.nrrd');
    writeFileSync(batch, `Image,Mask,Label\n${image},${mask},1\n${breastImage},${breastMask},1\n${breastImage},${breastMask},7\n`);
    const params = join(folder, 'params.yaml');
    writeFileSync(params, 'featureClass:\n  firstorder:\n  glcm: [Contrast]\n');
    const result = radiomics(['extract', '--batch', batch, '--params', params, '--format', 'csv']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('row 3: LABEL_NOT_FOUND');
    const lines = result.stdout.trim().split('\n');
    // The failed row stays in the output, with its error cell and empty feature cells.
    expect(lines).toHaveLength(4);
    expect(lines[0].split(',')).toHaveLength(3 + 1 + 18 + 1);
    expect(lines[3]).toContain('LABEL_NOT_FOUND');
  });

  it('missing image file keeps its name private', () => {
    const result = radiomics(['extract', '--image', join(folder, 'PATIENT-NAME.nii.gz'), '--mask', mask]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('FILE_NOT_FOUND');
    expect(result.stderr).not.toContain('PATIENT-NAME');
  });

  it('rejects an invalid parameter file with SETTINGS_INVALID', () => {
    const params = join(folder, 'bad.yaml');
    writeFileSync(params, 'setting:\n  binWidht: 25\n');
    const result = radiomics(['extract', '--image', image, '--mask', mask, '--params', params]);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('SETTINGS_INVALID');
    expect(result.stderr).toContain('binWidht');
  });
});
