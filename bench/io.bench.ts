// Image input benchmark: loading a 512 × 512 × 300 int16 CT series (targets: under 3 s and 1.5 GB peak
// memory on one core), and B-spline resampling of a lesion region to 1 mm voxels.
//
// The series is synthesised into a temporary folder, then loaded by a separate Node.js process so that
// its peak resident memory (maxRSS) covers the load alone: reading 300 files, parsing, decoding, rescaling.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { resampleImageAndMask } from '../layers/core/src/io';
import type { ImageVolume } from '../layers/core/src/image/volume';
import { writeCtSeries } from '../test/helpers/dicom-writer';
import type { BenchRow } from './run';

const ROWS = 512;
const COLUMNS = 512;
const SLICES = 300;

export default async function benchmark(): Promise<BenchRow[]> {
  const folder = mkdtempSync(join(tmpdir(), 'radiomics-bench-io-'));
  try {
    writeSeries(folder);
    const load = loadInChildProcess(folder);
    const resampling = resampleLesion();
    return [
      { name: `load DICOM series ${ROWS} × ${COLUMNS} × ${SLICES} int16 (wall time)`, value: load.seconds, unit: 's', target: { limit: 3, comparison: '<=' } },
      { name: 'load DICOM series: peak resident memory of the process', value: load.peakMiB, unit: 'MiB', target: { limit: 1536, comparison: '<=' }, note: `Node.js baseline ${load.baselineMiB.toFixed(0)} MiB included` },
      { name: 'resample 80 mm lesion region to 1 mm (B-spline + mask)', value: resampling.seconds, unit: 's', note: `${resampling.voxels} output voxels` },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Writes a series of uniform noise in HU-like stored values, one file per slice. */
function writeSeries(folder: string): void {
  let seed = 12345;
  const slice = new Int16Array(ROWS * COLUMNS);
  for (let k = 0; k < SLICES; k++) {
    for (let n = 0; n < slice.length; n++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      slice[n] = (seed % 3000) - 1024;
    }
    const [file] = writeCtSeries({
      rows: ROWS,
      columns: COLUMNS,
      slices: 1,
      seriesUid: '1.2.826.0.1.3680043.9.9999.77',
      pixelsOf: () => slice,
      positionOf: () => [-250, -250, k * 1.25],
      pixelSpacing: [0.98, 0.98],
      rescaleIntercept: 0,
    });
    writeFileSync(join(folder, `slice-${String(k).padStart(3, '0')}.dcm`), file.bytes);
  }
}

function loadInChildProcess(folder: string): { seconds: number; peakMiB: number; baselineMiB: number } {
  const ioModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'layers', 'core', 'src', 'io', 'index.ts')).href;
  const script = `
    const baseline = process.resourceUsage().maxRSS;
    const { loadImagePath } = await import(${JSON.stringify(ioModule)});
    const start = performance.now();
    const loaded = await loadImagePath(${JSON.stringify(folder)});
    const seconds = (performance.now() - start) / 1000;
    if (loaded.image.data.length !== ${ROWS * COLUMNS * SLICES}) throw new Error('wrong voxel count');
    console.log(JSON.stringify({ seconds, peakKiB: process.resourceUsage().maxRSS, baselineKiB: baseline }));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`load benchmark failed: ${child.stderr}`);
  const result = JSON.parse(child.stdout.trim().split('\n').pop() as string) as { seconds: number; peakKiB: number; baselineKiB: number };
  return { seconds: result.seconds, peakMiB: result.peakKiB / 1024, baselineMiB: result.baselineKiB / 1024 };
}

function resampleLesion(): { seconds: number; voxels: number } {
  const size = [512, 512, 120] as const;
  const data = new Int16Array(size[0] * size[1] * size[2]);
  for (let n = 0; n < data.length; n++) data[n] = (n * 7919) % 2000;
  const image: ImageVolume = { size, spacing: [0.98, 0.98, 2.5], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data };
  const maskData = new Uint8Array(data.length);
  // An 80 mm sphere-like box: 82 × 82 × 32 voxels around the centre.
  for (let k = 44; k < 76; k++) for (let j = 215; j < 297; j++) for (let i = 215; i < 297; i++) maskData[i + size[0] * (j + size[1] * k)] = 1;
  const mask = { ...image, data: maskData };

  const start = performance.now();
  const result = resampleImageAndMask(image, mask, { spacing: [1, 1, 1], interpolator: 'sitkBSpline', padDistance: 5 });
  return { seconds: (performance.now() - start) / 1000, voxels: result.image.data.length };
}
