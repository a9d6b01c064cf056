// The extractor must hand the wavelet the region PyRadiomics transforms, which matters for a lesion at the
// image border. Without preCrop the whole image is transformed, so border voxels see wrap-around from the far
// side of the image. With preCrop only the ROI box plus padDistance is transformed, so they see the far side
// of that box. Both are checked against sub-bands computed directly on the right region.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  applyWaveletSubBands,
  cropVolume,
  extractFeatures,
  labelInventory,
  padBoundingBox,
  parseParams,
  type ImageVolume,
} from '@radiomics/core';

import { describeWithReference } from '../helpers/reference';
import { loadVolume, maskedValues, simpleFirstOrder } from './oracle-cases';

const IMAGE = 'pyradiomics/data/breast1_image.nrrd';
const parameterText = readFileSync(new URL('../../params/pyradiomics-default.yaml', import.meta.url), 'utf8');

/** Builds a 6 × 10 × 4 box lesion touching the x = 0 face and the last slice of the image. */
function borderLesion(image: ImageVolume): ImageVolume<Uint8Array> {
  const [nx, ny, nz] = image.size;
  const data = new Uint8Array(nx * ny * nz);
  for (let k = nz - 4; k < nz; k++) {
    for (let j = 50; j < 60; j++) for (let i = 0; i < 6; i++) data[i + nx * (j + ny * k)] = 1;
  }
  return { ...image, data };
}

describeWithReference('wavelet region chosen by the extractor', [IMAGE], () => {
  const image = loadVolume(IMAGE);
  const mask = borderLesion(image);

  function expectFirstOrderMatches(features: Record<string, number>, source: ImageVolume, maskOnSource: ImageVolume): void {
    for (const band of applyWaveletSubBands(source)) {
      const statistics = simpleFirstOrder(maskedValues(band.image, maskOnSource));
      for (const feature of ['Mean', 'Minimum', 'Maximum', 'Median'] as const) {
        const name = `${band.name}_firstorder_${feature}`;
        expect(features[name], name).toBe(statistics[feature]);
      }
    }
  }

  describe('for a lesion at the image border', () => {
    it('transforms the whole image without preCrop', () => {
      const settings = parseParams(parameterText, 'default.yaml');
      const { features } = extractFeatures(image, mask, settings, { label: 1 });
      expectFirstOrderMatches(features, image, mask);
    });

    it('transforms the padded ROI box with preCrop', () => {
      const settings = parseParams(`${parameterText}\n  preCrop: true\n`, 'precrop.yaml');
      expect(settings.setting.preCrop).toBe(true);
      const { features } = extractFeatures(image, mask, settings, { label: 1 });

      const roiBox = labelInventory(mask)[0].boundingBox;
      const box = padBoundingBox(roiBox, image.size, settings.setting.padDistance);
      expect(box.lower[0]).toBe(0);
      expectFirstOrderMatches(features, cropVolume(image, box), cropVolume(mask, box));

      // The two regions give different sub-band values at the border.
      const whole = extractFeatures(image, mask, parseParams(parameterText, 'default.yaml'), { label: 1 }).features;
      expect(features['wavelet-HLL_firstorder_Mean']).not.toBe(whole['wavelet-HLL_firstorder_Mean']);
    });
  });
});
