// Shape features (3-D) on the PAT1 lesion (125,256 voxels) and on brain1. The mask is cropped to the ROI
// bounding box first, as the extractor hands it over, so the figure covers only computeShape. Target: the
// shape share of the 107-feature budget of 0.1 s, set at 40 ms.
import { readFileSync } from 'node:fs';

import type { ImageVolume } from '../layers/core/src';
import { computeShape } from '../layers/core/src/features/shape';
import { readNifti, readNrrd } from '../layers/core/src/io';
import { referencePath } from '../test/helpers/reference';
import type { BenchRow } from './run';

const REPETITIONS = 15;

/** Label 1 cropped to its bounding box, as a 0/1 mask. */
function loadCroppedMask(relativePath: string): ImageVolume<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(referencePath(relativePath)));
  const labelMap = relativePath.endsWith('.nrrd') ? readNrrd(bytes, relativePath) : readNifti(bytes, relativePath);
  const [nx, ny] = labelMap.size;

  const low = [Infinity, Infinity, Infinity];
  const high = [-1, -1, -1];
  for (let index = 0; index < labelMap.data.length; index++) {
    if (labelMap.data[index] !== 1) continue;
    const position = [index % nx, Math.floor(index / nx) % ny, Math.floor(index / (nx * ny))];
    for (let d = 0; d < 3; d++) {
      low[d] = Math.min(low[d], position[d]);
      high[d] = Math.max(high[d], position[d]);
    }
  }

  const size: [number, number, number] = [high[0] - low[0] + 1, high[1] - low[1] + 1, high[2] - low[2] + 1];
  const data = new Uint8Array(size[0] * size[1] * size[2]);
  let target = 0;
  for (let z = low[2]; z <= high[2]; z++) {
    for (let y = low[1]; y <= high[1]; y++) {
      for (let x = low[0]; x <= high[0]; x++, target++) data[target] = labelMap.data[x + nx * (y + ny * z)] === 1 ? 1 : 0;
    }
  }
  return { size, spacing: labelMap.spacing, origin: labelMap.origin, direction: labelMap.direction, data };
}

function medianMilliseconds(run: () => void): number {
  run(); // warm-up: JIT compilation
  const times: number[] = [];
  for (let repetition = 0; repetition < REPETITIONS; repetition++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export default async function benchShape(): Promise<BenchRow[]> {
  const pat1 = loadCroppedMask('oracle/cases/pat1_mask.nii.gz');
  const brain1 = loadCroppedMask('pyradiomics/data/brain1_label.nrrd');

  return [
    {
      name: 'computeShape, PAT1 lesion (125,256 voxels)',
      value: medianMilliseconds(() => computeShape(pat1)),
      unit: 'ms',
      target: { limit: 40, comparison: '<=' },
      note: `median of ${REPETITIONS}, mask cropped to the ROI box`,
    },
    {
      name: 'computeShape, brain1 (4,137 voxels)',
      value: medianMilliseconds(() => computeShape(brain1)),
      unit: 'ms',
      note: `median of ${REPETITIONS}`,
    },
  ];
}
