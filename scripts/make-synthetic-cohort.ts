/**
 * Writes a SYNTHETIC cohort (made-up patients, lesions, features and RECIST labels) for the bundled demo
 * model. Nothing here comes from a real patient. The values are drawn from distributions centred on
 * plausible PyRadiomics values for contrast-enhanced chest CT lung metastases (study protocol settings).
 *
 * Usage: npx tsx scripts/make-synthetic-cohort.ts [--seed 20260101] [--patients 120] [--out models/synthetic-cohort]
 * Writes features.csv (lesionId + PyRadiomics feature columns) and labels.csv (lesionId, patientId, label,
 * age, sex). The same seed always gives the same files.
 *
 * Generative model: each patient progresses with probability 0.35; every lesion of a patient carries the
 * patient's RECIST label. Each feature is normal on its scale with a mean shifted by the label, plus a
 * patient-level offset shared by that patient's lesions, so that lesions of one patient are correlated.
 * Each feature is drawn on its own scale (linear, logarithmic, or log(1 − value) for features just under 1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { formatCsv } from '../layers/core/src/modelling/csv';
import { createRandom, randomInteger, randomNormal } from '../layers/core/src/modelling/random';

interface FeatureModel {
  name: string;
  /** Mean of the non-progression class, its shift for progression, the within-class SD, the patient-level SD. */
  mean: number;
  shift: number;
  sd: number;
  patientSd: number;
  /** 'log': the draw is the logarithm of the value; 'one-minus-log': the draw is log(1 − value), for values just under 1. */
  scale?: 'log' | 'one-minus-log';
}

// The study's two selected features carry most of the signal; the original features carry little or none.
// Centres were checked against PyRadiomics values of real CT lesions (PyRadiomics 3.x settings, bin width 25):
// wavelet-HHH_firstorder_Mean lies within ±0.2 and wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis between
// about 0.004 and 0.06. docs/modelling.md lists the values and where they came from.
export const SYNTHETIC_FEATURES: FeatureModel[] = [
  { name: 'wavelet-HHH_firstorder_Mean', mean: 0.03, shift: -0.1, sd: 0.08, patientSd: 0.03 },
  { name: 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis', mean: Math.log(0.015), shift: 0.7, sd: 0.6, patientSd: 0.3, scale: 'log' },
  { name: 'original_shape_MeshVolume', mean: Math.log(1800), shift: 0.35, sd: 0.9, patientSd: 0.4, scale: 'log' },
  { name: 'original_shape_Sphericity', mean: 0.72, shift: -0.02, sd: 0.07, patientSd: 0.03 },
  { name: 'original_firstorder_Mean', mean: 35, shift: 0, sd: 14, patientSd: 8 },
  { name: 'original_firstorder_Entropy', mean: 2.2, shift: 0.1, sd: 0.45, patientSd: 0.15 },
  { name: 'original_glcm_Idmn', mean: Math.log(0.015), shift: 0.1, sd: 0.4, patientSd: 0.15, scale: 'one-minus-log' },
];

function fromDrawScale(draw: number, scale: FeatureModel['scale']): number {
  if (scale === 'log') return Math.exp(draw);
  if (scale === 'one-minus-log') return 1 - Math.exp(draw);
  return draw;
}

export function makeSyntheticCohort(seed: number, patientCount: number): { features: string; labels: string } {
  const random = createRandom(seed);
  const featureRows: (string | number)[][] = [];
  const labelRows: (string | number)[][] = [];
  for (let p = 1; p <= patientCount; p++) {
    const patientId = `SYN-P${String(p).padStart(3, '0')}`;
    const label = random() < 0.35 ? 1 : 0;
    const age = Math.round(Math.min(85, Math.max(18, randomNormal(random, 46, 14))));
    const sex = random() < 0.48 ? 'male' : 'female';
    const offsets = SYNTHETIC_FEATURES.map((feature) => randomNormal(random, 0, feature.patientSd));
    const lesionCount = 1 + randomInteger(random, 3);
    for (let l = 1; l <= lesionCount; l++) {
      const lesionId = `${patientId}-L${l}`;
      const values = SYNTHETIC_FEATURES.map((feature, f) => {
        const draw = randomNormal(random, feature.mean + label * feature.shift + offsets[f], feature.sd);
        return fromDrawScale(draw, feature.scale);
      });
      featureRows.push([lesionId, ...values]);
      labelRows.push([lesionId, patientId, label, age, sex]);
    }
  }
  return {
    features: formatCsv(['lesionId', ...SYNTHETIC_FEATURES.map((feature) => feature.name)], featureRows),
    labels: formatCsv(['lesionId', 'patientId', 'label', 'age', 'sex'], labelRows),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '20260101' },
      patients: { type: 'string', default: '120' },
      out: { type: 'string', default: 'models/synthetic-cohort' },
    },
  });
  const cohort = makeSyntheticCohort(Number(values.seed), Number(values.patients));
  mkdirSync(values.out!, { recursive: true });
  writeFileSync(join(values.out!, 'features.csv'), cohort.features);
  writeFileSync(join(values.out!, 'labels.csv'), cohort.labels);
  console.log(`Synthetic cohort (seed ${values.seed}, ${values.patients} patients) written to ${values.out}`);
}
