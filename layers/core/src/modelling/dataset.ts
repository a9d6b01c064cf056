/**
 * Builds the training data set by joining the feature table (one row per lesion, as `radiomics extract`
 * writes it) with the label table (lesion, patient, label and optional clinical covariates) on the lesion id.
 */
import { createHash } from 'node:crypto';

import { RadiomicsError } from '../errors';
import { findColumn, parseCsv } from './csv';

export interface Case {
  lesionId: string;
  patientId: string;
  /** 1 = progression, 0 = non-progression. */
  label: number;
  /** Feature values in the order of the data set's featureNames. */
  values: number[];
  /** Clinical covariates from the label table (age, sex, …) for the group comparison. */
  covariates: Record<string, string>;
}

export interface Dataset {
  featureNames: string[];
  cases: Case[];
  covariateNames: string[];
  /** SHA-256 of the feature table bytes followed by the label table bytes. */
  hash: string;
}

// `Mask` comes last: a batch extraction without an id column can still be joined on the mask path, provided the
// label table has the same Mask column and each mask holds one lesion.
export const LESION_ID_COLUMNS = ['lesionId', 'lesion_id', 'lesion', 'ID', 'id', 'Mask'];
export const PATIENT_ID_COLUMNS = ['patientId', 'patient_id', 'patient', 'PatientID'];
export const LABEL_COLUMNS = ['label', 'progression', 'outcome'];

/** PyRadiomics feature column names: `<imageType>_<class>_<feature>`, for example `wavelet-HHH_firstorder_Mean`. */
export const PYRADIOMICS_FEATURE_PATTERN = /^[A-Za-z0-9.-]+_(firstorder|shape|shape2D|glcm|glrlm|glszm|gldm|ngtdm)_[A-Za-z0-9]+$/;

/** Reads a label cell: 1/0, true/false, progression/non-progression, or a RECIST response (PD is progression). */
export function parseLabel(value: string): number | null {
  const normalised = value.trim().toLowerCase();
  if (['1', 'true', 'progression', 'pd', 'yes'].includes(normalised)) return 1;
  if (['0', 'false', 'non-progression', 'nonprogression', 'cr', 'pr', 'sd', 'no'].includes(normalised)) return 0;
  return null;
}

export interface JoinOptions {
  featuresSource?: string;
  labelsSource?: string;
  /** Restricts the candidate features to these names (each must be present). */
  featureNames?: string[];
}

/** Joins the two tables; throws DATA_INVALID for missing columns, unparseable cells or duplicated lesions. */
export function joinFeaturesAndLabels(featuresText: string, labelsText: string, options: JoinOptions = {}): Dataset {
  const featuresSource = options.featuresSource ?? 'features CSV';
  const labelsSource = options.labelsSource ?? 'labels CSV';
  const features = parseCsv(featuresText, featuresSource);
  const labels = parseCsv(labelsText, labelsSource);

  const featureLesionColumn = findColumn(features.header, LESION_ID_COLUMNS);
  if (featureLesionColumn < 0) {
    throw new RadiomicsError('DATA_INVALID', `${featuresSource}: no lesion id column; name one of ${LESION_ID_COLUMNS.join(', ')}.`);
  }
  const labelLesionColumn = findColumn(labels.header, LESION_ID_COLUMNS);
  const labelPatientColumn = findColumn(labels.header, PATIENT_ID_COLUMNS);
  const labelColumn = findColumn(labels.header, LABEL_COLUMNS);
  for (const [index, names] of [
    [labelLesionColumn, LESION_ID_COLUMNS],
    [labelPatientColumn, PATIENT_ID_COLUMNS],
    [labelColumn, LABEL_COLUMNS],
  ] as const) {
    if (index < 0) throw new RadiomicsError('DATA_INVALID', `${labelsSource}: missing a column named one of ${names.join(', ')}.`);
  }

  let featureColumns = features.header
    .map((name, index) => ({ name, index }))
    .filter(({ name }) => PYRADIOMICS_FEATURE_PATTERN.test(name));
  if (options.featureNames) {
    const requested = options.featureNames;
    const absent = requested.filter((name) => !features.header.includes(name));
    if (absent.length > 0) throw new RadiomicsError('DATA_INVALID', `${featuresSource}: requested features are absent: ${absent.join(', ')}.`);
    featureColumns = requested.map((name) => ({ name, index: features.header.indexOf(name) }));
  }
  if (featureColumns.length === 0) {
    throw new RadiomicsError('DATA_INVALID', `${featuresSource}: no PyRadiomics feature columns (names like original_firstorder_Mean).`);
  }

  const featureRows = new Map<string, string[]>();
  features.rows.forEach((row, index) => {
    const lesionId = row[featureLesionColumn].trim();
    if (lesionId === '') throw new RadiomicsError('DATA_INVALID', `${featuresSource}: line ${index + 2} has an empty lesion id.`);
    if (featureRows.has(lesionId)) throw new RadiomicsError('DATA_INVALID', `${featuresSource}: lesion ${lesionId} appears twice.`);
    featureRows.set(lesionId, row);
  });

  const specialColumns = new Set([labelLesionColumn, labelPatientColumn, labelColumn]);
  const covariateNames = labels.header.filter((_, index) => !specialColumns.has(index));
  const cases: Case[] = [];
  const seen = new Set<string>();
  labels.rows.forEach((row, index) => {
    const lesionId = row[labelLesionColumn].trim();
    if (seen.has(lesionId)) throw new RadiomicsError('DATA_INVALID', `${labelsSource}: lesion ${lesionId} appears twice.`);
    seen.add(lesionId);
    const label = parseLabel(row[labelColumn]);
    if (label === null) {
      throw new RadiomicsError('DATA_INVALID', `${labelsSource}: line ${index + 2} has label "${row[labelColumn]}"; use 1/0 or progression/non-progression.`);
    }
    const patientId = row[labelPatientColumn].trim();
    if (patientId === '') throw new RadiomicsError('DATA_INVALID', `${labelsSource}: line ${index + 2} has an empty patient id.`);
    const featureRow = featureRows.get(lesionId);
    if (!featureRow) throw new RadiomicsError('DATA_INVALID', `Lesion ${lesionId} has a label but no row in the ${featuresSource}.`);
    const values = featureColumns.map(({ name, index: column }) => {
      const value = Number(featureRow[column]);
      if (featureRow[column].trim() === '' || !Number.isFinite(value)) {
        throw new RadiomicsError('DATA_INVALID', `${featuresSource}: lesion ${lesionId} has no finite value for ${name}.`);
      }
      return value;
    });
    const covariates: Record<string, string> = {};
    labels.header.forEach((name, column) => {
      if (!specialColumns.has(column)) covariates[name] = row[column];
    });
    cases.push({ lesionId, patientId, label, values, covariates });
  });

  const hash = createHash('sha256').update(featuresText).update(labelsText).digest('hex');
  return { featureNames: featureColumns.map(({ name }) => name), cases, covariateNames, hash };
}
