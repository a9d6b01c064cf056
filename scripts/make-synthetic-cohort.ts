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
 * patient's RECIST label. Each feature is normal (or log-normal) with a mean shifted by the label, plus a
 * patient-level offset shared by that patient's lesions, so that lesions of one patient are correlated.
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
  /** Draw on the log scale and exponentiate (for positive, skewed features). */
  logNormal?: boolean;
}

// The study's two selected features carry most of the signal; the original features carry little or none.
export const SYNTHETIC_FEATURES: FeatureModel[] = [
  { name: 'wavelet-HHH_firstorder_Mean', mean: 0.1, shift: -0.9, sd: 0.7, patientSd: 0.3 },
  { name: 'wavelet-LHL_glrlm_LongRunLowGrayLevelEmphasis', mean: Math.log(0.02), shift: 0.8, sd: 0.55, patientSd: 0.25, logNormal: true },
  { name: 'original_shape_MeshVolume', mean: Math.log(1800), shift: 0.35, sd: 0.9, patientSd: 0.4, logNormal: true },
  { name: 'original_shape_Sphericity', mean: 0.74, shift: -0.02, sd: 0.07, patientSd: 0.03 },
  { name: 'original_firstorder_Mean', mean: 35, shift: 0, sd: 14, patientSd: 8 },
  { name: 'original_firstorder_Entropy', mean: 1.9, shift: 0.1, sd: 0.35, patientSd: 0.15 },
  { name: 'original_glcm_Idmn', mean: 0.93, shift: 0.005, sd: 0.02, patientSd: 0.01 },
];

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
        return feature.logNormal ? Math.exp(draw) : draw;
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
