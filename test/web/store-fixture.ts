// Local store for the browser test: the example studies run through `radiomics run`, or (on request) a seeded stand-in
// with the same sites, studies and bundled model when the run is not available.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { IDENTITY_DIRECTION } from '@radiomics/core';
import { loadModelArtifact, scoreFeatures } from '@radiomics/core/modelling';
import { previewKey, renderLesionPreview } from '@radiomics/core/preview';
import { extractReportFigures, publishModel } from '@radiomics/core/rescoring';

import { FolderBlobStore } from '../../local/folder-blob-store';
import { SqliteResultStore } from '../../local/sqlite-result-store';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
export const DEMO_MODEL_PATH = join(PROJECT_ROOT, 'models', 'demo-synthetic-v1.json');
export const DEMO_REPORT_PATH = join(PROJECT_ROOT, 'models', 'demo-synthetic-v1.report.html');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the radiomics CLI on this repository's sources. */
export function runCli(args: readonly string[], timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'radiomics.mjs'), ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
  });
}

export function openStores(storeDir: string): { results: SqliteResultStore; blobs: FolderBlobStore } {
  return { results: new SqliteResultStore(join(storeDir, 'results.sqlite')), blobs: new FolderBlobStore(join(storeDir, 'blobs')) };
}

/**
 * Seeds the store layout of `openLocalStore` with the two example sites, scored by the bundled demo model,
 * and a rendered preview per lesion. Feature values are made up within the demo model's synthetic ranges.
 */
export async function seedExampleStandIn(storeDir: string): Promise<void> {
  const { results, blobs } = openStores(storeDir);
  try {
    const artifactText = readFileSync(DEMO_MODEL_PATH, 'utf8');
    const artifact = loadModelArtifact(artifactText);
    await publishModel({
      store: results,
      blobs,
      model: { version: artifact.version, settingsHash: artifact.settingsHash, card: artifact.card as unknown as Record<string, unknown> },
      artifactText,
      figures: extractReportFigures(readFileSync(DEMO_REPORT_PATH, 'utf8')),
    });

    const studies = [
      { siteId: 'site-ibsi', studyId: 'pat1', receivedAt: '2026-12-01T10:00:00.000Z', lesions: [{ lesionId: 'gtv', hhh: -0.31, lhl: 0.021 }] },
      { siteId: 'site-sarcoma', studyId: 'sts-004', receivedAt: '2026-12-02T10:00:00.000Z', lesions: [{ lesionId: 'lesion-1', hhh: 0.42, lhl: 0.064 }] },
    ];

    // A 32 × 32 × 5 CT with a round 40 HU lesion in -800 HU lung, for the preview images.
    const size: [number, number, number] = [32, 32, 5];
    const ct = new Float32Array(32 * 32 * 5).fill(-800);
    const mask = new Uint8Array(ct.length);
    for (let k = 1; k < 4; k++) {
      for (let j = 0; j < 32; j++) {
        for (let i = 0; i < 32; i++) {
          if ((i - 16) ** 2 + (j - 16) ** 2 <= 36) {
            ct[i + 32 * (j + 32 * k)] = 40;
            mask[i + 32 * (j + 32 * k)] = 1;
          }
        }
      }
    }
    const geometry = { size, spacing: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: IDENTITY_DIRECTION };
    const preview = renderLesionPreview({ ...geometry, data: ct }, { ...geometry, data: mask });

    for (const study of studies) {
      const key = { siteId: study.siteId, studyId: study.studyId };
      await results.createStudy({ ...key, status: 'RECEIVED', uploadKey: `incoming/${study.siteId}/${study.studyId}/`, receivedAt: study.receivedAt, updatedAt: study.receivedAt });
      await results.transitionStudy(key, ['RECEIVED'], 'VALIDATING', { updatedAt: study.receivedAt });
      await results.transitionStudy(key, ['VALIDATING'], 'EXTRACTING', { updatedAt: study.receivedAt });
      for (const lesion of study.lesions) {
        const features = { [artifact.featureNames[0]]: lesion.hhh, [artifact.featureNames[1]]: lesion.lhl, original_shape_VoxelVolume: 113 };
        const lesionKey = { ...key, lesionId: lesion.lesionId };
        await blobs.put(previewKey(key.siteId, key.studyId, lesion.lesionId), preview.png);
        await results.putFeatureSet({
          ...lesionKey,
          label: 1,
          maskFile: 'mask.nii.gz',
          features,
          settingsHash: artifact.settingsHash ?? 'c'.repeat(64),
          provenance: {},
          previewKey: previewKey(key.siteId, key.studyId, lesion.lesionId),
          extractedAt: study.receivedAt,
        });
        const score = scoreFeatures(artifact, features);
        await results.putScore({ ...lesionKey, modelVersion: artifact.version, ...score, scoredAt: study.receivedAt });
      }
      await results.transitionStudy(key, ['EXTRACTING'], 'SCORING', { updatedAt: study.receivedAt });
      await results.transitionStudy(key, ['SCORING'], 'COMPLETED', { updatedAt: study.receivedAt, lesionCount: study.lesions.length });
    }
  } finally {
    results.close();
  }
}
