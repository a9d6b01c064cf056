// Feature extraction speed on the PAT1 lesion (IBSI CT phantom, 125,256 ROI voxels, int16 HU): the 107
// original-image features and all 851 (Original + 8 wavelet sub-bands), PyRadiomics default settings.
// Single-threaded; each figure is the median of several runs after two warm-up runs. PyRadiomics 3.x needs
// about 1.2 s (Original) and 3.55 s (all 851) for the same work on this machine kind.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { extractFeatures, parseParams, readNifti, type ExtractionSettings, type ImageVolume } from '@radiomics/core';

import type { BenchRow } from './run';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const referenceRoot = process.env.RADIOMICS_REFERENCE_DIR ?? join(projectRoot, '..', 'shared', 'reference');
const WARM_UP_RUNS = 2;
const MEASURED_RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Median wall-clock and CPU time in ms of one extraction. */
function timeExtraction(image: ImageVolume, mask: ImageVolume, settings: ExtractionSettings): { wall: number; cpu: number; features: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  let features = 0;
  for (let run = 0; run < WARM_UP_RUNS + MEASURED_RUNS; run++) {
    const wallStart = performance.now();
    const cpuStart = cpuMilliseconds();
    features = Object.keys(extractFeatures(image, mask, settings).features).length;
    if (run >= WARM_UP_RUNS) {
      wall.push(performance.now() - wallStart);
      cpu.push(cpuMilliseconds() - cpuStart);
    }
  }
  return { wall: median(wall), cpu: median(cpu), features };
}

export default async function benchFeatures(): Promise<BenchRow[]> {
  const casePath = (name: string) => join(referenceRoot, 'oracle', 'cases', name);
  if (!existsSync(casePath('pat1_image_int16.nii.gz'))) {
    return [{ name: 'features: PAT1 reference data missing', value: Number.NaN, unit: 'ms', note: `not found under ${referenceRoot}` }];
  }
  const image = readNifti(new Uint8Array(readFileSync(casePath('pat1_image_int16.nii.gz'))), 'pat1_image_int16.nii.gz');
  const mask = readNifti(new Uint8Array(readFileSync(casePath('pat1_mask.nii.gz'))), 'pat1_mask.nii.gz');

  const original = timeExtraction(image, mask, parseParams('imageType:\n  Original: {}\n', 'original'));
  const all = timeExtraction(image, mask, parseParams('imageType:\n  Original: {}\n  Wavelet: {}\n', 'original + wavelet'));
  const cpuNote = (result: { cpu: number; features: number }) => `${result.features} features, CPU ${result.cpu.toFixed(0)} ms`;
  return [
    { name: 'PAT1 original features (107), wall clock', value: original.wall, unit: 'ms', target: { limit: 100, comparison: '<=' }, note: cpuNote(original) },
    { name: 'PAT1 original + wavelet features (851), wall clock', value: all.wall, unit: 'ms', target: { limit: 350, comparison: '<=' }, note: cpuNote(all) },
  ];
}
