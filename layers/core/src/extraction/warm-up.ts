/**
 * Warm-up of the feature code in a fresh thread. V8 runs a function in its interpreter and baseline tiers until
 * the function proves hot, and only then compiles optimised code, so the first lesion a thread extracts is slow.
 * On the 2-core benchmark machine, nine image types of the PAT1 lesion at 1 mm took 1.25 to 1.3 s in a fresh
 * thread. After a warm-up like this one, which itself took 0.15 to 0.2 s, they took 1.05 to 1.15 s. The local
 * runner's workers run it while the main thread validates and resamples the first study.
 *
 * The warm-up extracts a small synthetic lesion with the run's own settings, so the same code paths and the same
 * typed-array kinds (int16 CT, float64 region) are compiled. Its features are thrown away.
 */
import { IDENTITY_DIRECTION, type ImageVolume, type Vec3 } from '../image/volume';
import type { ExtractionSettings } from '../settings';
import { enabledImageTypes, extractImageType } from './extract';
import { prepareRegion } from './prepare';

/** Edge length in voxels of the synthetic cube: large enough for every loop to turn hot, small enough to be quick. */
const WARM_UP_EDGE = 16;

/**
 * Extracts every enabled image type of a synthetic spherical lesion in a cube of 16 voxels at 1 mm, with a textured
 * int16 intensity pattern, and returns the number of features computed. An error means that the settings reject
 * the synthetic lesion. That costs only the warm-up, so the caller logs it and goes on.
 */
export function warmUpExtraction(settings: ExtractionSettings): number {
  const edge = WARM_UP_EDGE;
  const size: Vec3 = [edge, edge, edge];
  const intensities = new Int16Array(edge * edge * edge);
  const label = settings.setting.label;
  const labels = label <= 0xff ? new Uint8Array(edge * edge * edge) : new Uint16Array(edge * edge * edge);
  const centre = (edge - 1) / 2;

  // A fixed linear congruential sequence gives the same fine texture on every run, over a smooth pattern, so
  // the discretised ROI has tens of grey levels, runs and zones of several lengths, as a real lesion has.
  let seed = 12345;
  for (let k = 0; k < edge; k++) {
    for (let j = 0; j < edge; j++) {
      for (let i = 0; i < edge; i++) {
        const voxel = i + edge * (j + edge * k);
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const noise = (seed >>> 16) / 65536;
        const radius = Math.hypot(i - centre, j - centre, k - centre);
        intensities[voxel] = Math.round(40 + 300 * Math.sin(i / 3) * Math.cos(j / 4) + 200 * noise - 5 * radius);
        labels[voxel] = radius < edge / 2 - 2 ? label : 0;
      }
    }
  }

  const geometry = { size, spacing: [1, 1, 1] as Vec3, origin: [0, 0, 0] as Vec3, direction: IDENTITY_DIRECTION };
  const image: ImageVolume<Int16Array> = { ...geometry, data: intensities };
  const labelMap: ImageVolume = { ...geometry, data: labels };
  const region = prepareRegion(image, labelMap, settings, label);

  let featureCount = 0;
  for (const imageType of enabledImageTypes(settings)) {
    featureCount += Object.keys(extractImageType(region, settings, imageType)).length;
  }
  return featureCount;
}
