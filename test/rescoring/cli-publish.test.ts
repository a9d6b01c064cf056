// `radiomics models publish` end to end on a local store: the new version becomes active and every stored
// lesion gains a score for it while keeping the earlier one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_MODEL_PATH, openStores, runCli, seedExampleStandIn } from '../web/store-fixture';

let storeDir: string;

beforeAll(async () => {
  storeDir = mkdtempSync(join(tmpdir(), 'cli-publish-'));
  await seedExampleStandIn(storeDir);
}, 120_000);

afterAll(() => rmSync(storeDir, { recursive: true, force: true }));

describe('radiomics models publish', () => {
  it('activates the version and scores every lesion', async () => {
    const second = JSON.parse(readFileSync(DEMO_MODEL_PATH, 'utf8')) as Record<string, unknown>;
    second.version = 'demo-synthetic-v2';
    const file = join(storeDir, 'demo-synthetic-v2.json');
    writeFileSync(file, JSON.stringify(second));

    const published = await runCli(['models', 'publish', file, '--store', storeDir, '--json']);
    const output = JSON.parse(published.stdout.trim().split('\n').pop()!);
    const { results } = openStores(storeDir);
    const lesions = (await results.scanFeatureSets(undefined, 100)).items;
    const versions = await Promise.all(lesions.map(async (lesion) => (await results.listScores(lesion)).map((score) => score.modelVersion).sort()));
    const active = await results.getActiveModel();
    results.close();

    expect(published.status, published.stderr).toBe(0);
    expect(output).toMatchObject({ version: 'demo-synthetic-v2', created: true, rescore: { scored: lesions.length, failed: 0 } });
    expect(active?.version).toBe('demo-synthetic-v2');
    expect(lesions.length).toBeGreaterThan(0);
    for (const list of versions) expect(list).toEqual(['demo-synthetic-v1', 'demo-synthetic-v2']);
  });

  it('lists both versions with the active mark', async () => {
    const listed = await runCli(['models', 'list', '--store', storeDir, '--json']);
    const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line));

    expect(listed.status, listed.stderr).toBe(0);
    expect(rows.map((row: { version: string; active: boolean }) => [row.version, row.active])).toEqual([
      ['demo-synthetic-v2', true],
      ['demo-synthetic-v1', false],
    ]);
  });

  it('rejects an invalid artifact with exit status 4', async () => {
    const file = join(storeDir, 'broken.json');
    writeFileSync(file, '{"format": "something-else"}');

    const published = await runCli(['models', 'publish', file, '--store', storeDir]);

    expect(published.status).toBe(4);
    expect(published.stderr).toContain('MODEL_INVALID');
  });
});
