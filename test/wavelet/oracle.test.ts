// Sub-band values against PyRadiomics' own output (coif1, one level, default settings) on PAT1, brain1 and
// breast1. First-order mean, minimum, maximum and median need only the sub-band voxels inside the mask, so
// they check the transform on its own; every value agrees to the last bit. The full 851-feature comparison
// lives with the extractor tests.
import { describe, expect, it } from 'vitest';

import { cropVolume, labelInventory, type BoundingBox, type ImageVolume } from '@radiomics/core';
import { applyWaveletSubBand, applyWaveletSubBands, planWaveletRegion } from '@radiomics/core/filters/wavelet';

import { describeWithReference } from '../helpers/reference';
import { ORACLE_CASES, loadVolume, maskedValues, readOracle, simpleFirstOrder } from './oracle-cases';

function roiBox(mask: ImageVolume): BoundingBox {
  return labelInventory(mask).find((summary) => summary.label === 1)!.boundingBox;
}

const required = ORACLE_CASES.flatMap((oracleCase) => [oracleCase.csv, oracleCase.image, oracleCase.mask]);

describeWithReference('wavelet sub-bands against the PyRadiomics reference', required, () => {
  for (const oracleCase of ORACLE_CASES) {
    describe(oracleCase.name, () => {
      const image = loadVolume(oracleCase.image);
      const mask = loadVolume(oracleCase.mask);
      const oracle = readOracle(oracleCase.csv);
      const roi = roiBox(mask);
      const whole = applyWaveletSubBands(image);

      it('reproduces first-order mean, minimum, maximum and median of all 8 sub-bands', () => {
        expect(whole).toHaveLength(8);
        for (const band of whole) {
          const statistics = simpleFirstOrder(maskedValues(band.image, mask));
          for (const [feature, value] of Object.entries(statistics)) {
            const name = `${band.name}_firstorder_${feature}`;
            expect(oracle.has(name), name).toBe(true);
            expect(value, name).toBe(oracle.get(name));
          }
        }
      });

      it('gives the same values on the ROI box alone', () => {
        const boxed = applyWaveletSubBands(image, { box: roi });
        for (const [index, band] of boxed.entries()) {
          expect(band.name).toBe(whole[index].name);
          expect(Array.from(maskedValues(band.image, mask, 1, roi.lower)), band.name).toEqual(Array.from(maskedValues(whole[index].image, mask)));
        }
      });

      it('gives the same values on a crop planned around the ROI', () => {
        const plan = planWaveletRegion(image.size, roi, { padDistance: 5 });
        expect(plan.cropped).toBe(true);
        const cropped = applyWaveletSubBands(cropVolume(image, plan.box));
        for (const [index, band] of cropped.entries()) {
          expect(Array.from(maskedValues(band.image, mask, 1, plan.box.lower)), band.name).toEqual(Array.from(maskedValues(whole[index].image, mask)));
        }
      });

      it('computes the single sub-band the study model uses', () => {
        const single = applyWaveletSubBand(image, 'wavelet-HHH');
        const mean = simpleFirstOrder(maskedValues(single.image, mask)).Mean;
        expect(mean).toBe(oracle.get('wavelet-HHH_firstorder_Mean'));
      });
    });
  }

});
