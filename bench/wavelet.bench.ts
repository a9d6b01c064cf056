// Wavelet benchmarks on the PAT1 lesion (IBSI 1 CT phantom, 204 × 201 × 60 voxels, float32). They time the
// coif1 transform of the whole image and of the ROI bounding box only, all 8 sub-bands at once and each alone.
// When the extractor is available they also time the full 851-feature extraction and each image type's share.
import { readFileSync } from 'node:fs';

import {
  applyWaveletSubBand,
  applyWaveletSubBands,
  labelInventory,
  readNifti,
  waveletImageTypes,
  type ImageVolume,
} from '../layers/core/src';
import { referencePath } from '../test/helpers/reference';
import type { BenchRow } from './run';

/**
 * Measures the median CPU time (user + system, this process) of `repeats` runs after `warmUps` warm-up runs. The
 * target is for one core, and the 2-core benchmark machine is often shared with other work, so CPU time is
 * steadier than wall time. It still includes the garbage collector's helper threads.
 */
function medianMilliseconds(run: () => unknown, repeats: number, warmUps = 1): number {
  for (let warmUp = 0; warmUp < warmUps; warmUp++) run();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function load(relativePath: string): ImageVolume {
  return readNifti(new Uint8Array(readFileSync(referencePath(relativePath))), relativePath);
}

export default async function waveletBench(): Promise<BenchRow[]> {
  const image = load('oracle/cases/pat1_image_int16.nii.gz');
  const mask = load('oracle/cases/pat1_mask.nii.gz');
  const roiBox = labelInventory(mask).find((summary) => summary.label === 1)!.boundingBox;
  const boxSize = [0, 1, 2].map((axis) => roiBox.upper[axis] - roiBox.lower[axis] + 1);

  const rows: BenchRow[] = [
    {
      name: 'PAT1 coif1, whole image, 8 sub-bands',
      value: medianMilliseconds(() => applyWaveletSubBands(image), 3),
      unit: 'ms',
      note: `${image.size.join(' × ')} voxels, float32`,
    },
    {
      name: 'PAT1 coif1, ROI box, 8 sub-bands',
      value: medianMilliseconds(() => applyWaveletSubBands(image, { box: roiBox }), 7),
      unit: 'ms',
      note: `${boxSize.join(' × ')} voxels returned`,
    },
  ];

  for (const name of waveletImageTypes()) {
    rows.push({
      name: `PAT1 coif1, ROI box, ${name} alone`,
      value: medianMilliseconds(() => applyWaveletSubBand(image, name, { box: roiBox }), 5),
      unit: 'ms',
    });
  }

  rows.push(...(await extractionRows(image, mask)));
  return rows;
}

/** Times the full extraction through the extractor's public API when that module is present. */
async function extractionRows(image: ImageVolume, mask: ImageVolume): Promise<BenchRow[]> {
  const core = (await import('../layers/core/src')) as Record<string, unknown>;
  const extractFeatures = core.extractFeatures as undefined | ((...args: unknown[]) => { features: Record<string, number> });
  const parseParams = core.parseParams as undefined | ((text: string, source: string) => { setting: { label: number } });
  const extractImageType = core.extractImageType as undefined | ((...args: unknown[]) => Record<string, number>);
  const prepareRegion = core.prepareRegion as undefined | ((...args: unknown[]) => unknown);
  if (!extractFeatures || !parseParams || !extractImageType || !prepareRegion) {
    return [{ name: 'PAT1 851 features (extractor not available)', value: Number.NaN, unit: 'ms' }];
  }

  const settings = parseParams(readFileSync(new URL('../params/pyradiomics-default.yaml', import.meta.url), 'utf8'), 'pyradiomics-default.yaml');
  let featureCount = 0;
  // Measured as `npm run bench features` measures it (median of 7 after 2 warm-ups): the first extractions of a
  // process still run code that V8 has not optimised yet.
  const total = medianMilliseconds(() => {
    featureCount = Object.keys(extractFeatures(image, mask, settings, { label: 1 }).features).length;
  }, 7, 2);
  const rows: BenchRow[] = [
    {
      name: 'PAT1 all features, CPU time',
      value: total / 1000,
      unit: 's',
      target: { limit: 0.35, comparison: '<=' },
      note: `${featureCount} features; PyRadiomics takes about 3.5 s`,
    },
  ];

  const prepared = prepareRegion(image, mask, settings, 1);
  for (const imageType of ['original', ...waveletImageTypes()]) {
    rows.push({
      name: `PAT1 ${imageType} features alone (worker share)`,
      value: medianMilliseconds(() => extractImageType(prepared, settings, imageType), 3),
      unit: 'ms',
    });
  }
  return rows;
}
