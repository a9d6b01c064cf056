/**
 * RECIST 1.1 response classification from target-lesion longest diameters.
 *
 * Per follow-up time point (Eisenhauer et al., Eur J Cancer 2009;45:228–247):
 * - PD: any new lesion, or a sum of diameters at least 20 % above the smallest sum on study (the nadir, which
 *   includes the baseline) with an absolute increase of at least 5 mm;
 * - CR: every target lesion has disappeared (sum 0) and no new lesion;
 * - PR: a sum at least 30 % below the baseline sum;
 * - SD: neither enough shrinkage for PR nor enough growth for PD;
 * - NE: a target lesion was not measured at that time point.
 * The best overall response is the best time-point response before progression (CR > PR > SD > PD), an SD
 * counting only once it is at least `minStableDuration` after baseline. Confirmation of CR/PR by a second scan
 * is not required (RECIST 1.1 does not require it in randomised trials). Lymph-node short axes are not
 * modelled: every target lesion counts as a non-nodal lesion.
 */
import { RadiomicsError } from '../errors';
import { findColumn, parseCsv } from './csv';

export type RecistResponse = 'CR' | 'PR' | 'SD' | 'PD' | 'NE';

export interface TimepointAssessment {
  timepoint: string;
  /** Time since baseline in the unit of the time point column (days when dates are given). */
  elapsed: number;
  sumOfDiameters: number | null;
  /** Smallest sum before this time point (baseline included). */
  nadir: number;
  newLesion: boolean;
  response: RecistResponse;
}

export interface PatientResponse {
  patientId: string;
  targetLesions: string[];
  baselineSum: number;
  assessments: TimepointAssessment[];
  bestResponse: RecistResponse;
  /** True when any follow-up time point is PD. */
  progressed: boolean;
  firstProgression: string | null;
  /** 1 = progression, 0 = non-progression by the chosen label rule; null when the response is not evaluable. */
  label: number | null;
}

export type LabelRule = 'best-response' | 'any-progression';

export interface RecistOptions {
  /** 'best-response': progression when the best overall response is PD (default); 'any-progression': any PD time point. */
  labelRule?: LabelRule;
  /** Minimum time from baseline for an SD to count as best response (in time point units; default 0). */
  minStableDuration?: number;
  source?: string;
}

export const PATIENT_COLUMNS = ['patientId', 'patient_id', 'patient'];
export const TIMEPOINT_COLUMNS = ['timepoint', 'time_point', 'date', 'day', 'week'];
export const LESION_COLUMNS = ['lesionId', 'lesion_id', 'lesion'];
export const DIAMETER_COLUMNS = ['diameter_mm', 'diameter', 'longest_diameter_mm', 'ld_mm'];
export const NEW_LESION_COLUMNS = ['new_lesion', 'newLesion', 'new_lesions'];

// Diameters are measured to 0.1 mm at best, so a comparison within 1e-9 mm is an exact one.
const EPSILON_MM = 1e-9;

interface Measurement {
  patientId: string;
  timepoint: string;
  time: number;
  lesionId: string;
  diameter: number | null;
  newLesion: boolean;
}

function parseTime(value: string, source: string, line: number): number {
  const trimmed = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return Date.parse(trimmed) / 86_400_000;
  throw new RadiomicsError('DATA_INVALID', `${source}: line ${line} has time point "${trimmed}"; use a number (days or weeks from baseline) or a date YYYY-MM-DD.`);
}

function parseFlag(value: string | undefined): boolean {
  return ['1', 'true', 'yes', 'y'].includes((value ?? '').trim().toLowerCase());
}

/** Reads the measurement table; one row per patient, time point and target lesion, or a new-lesion row. */
export function parseRecistMeasurements(text: string, source = 'measurements CSV'): Measurement[] {
  const table = parseCsv(text, source);
  const column = (names: string[], required: boolean): number => {
    const index = findColumn(table.header, names);
    if (index < 0 && required) throw new RadiomicsError('DATA_INVALID', `${source}: missing a column named one of ${names.join(', ')}.`);
    return index;
  };
  const patient = column(PATIENT_COLUMNS, true);
  const timepoint = column(TIMEPOINT_COLUMNS, true);
  const lesion = column(LESION_COLUMNS, true);
  const diameter = column(DIAMETER_COLUMNS, true);
  const newLesion = column(NEW_LESION_COLUMNS, false);

  return table.rows.map((row, index) => {
    const line = index + 2;
    const diameterText = row[diameter].trim();
    let value: number | null = null;
    if (diameterText !== '') {
      value = Number(diameterText);
      if (!Number.isFinite(value) || value < 0) {
        throw new RadiomicsError('DATA_INVALID', `${source}: line ${line} has diameter "${diameterText}"; diameters are non-negative millimetres.`);
      }
    }
    const patientId = row[patient].trim();
    if (patientId === '') throw new RadiomicsError('DATA_INVALID', `${source}: line ${line} has an empty patient id.`);
    return {
      patientId,
      timepoint: row[timepoint].trim(),
      time: parseTime(row[timepoint], source, line),
      lesionId: row[lesion].trim(),
      diameter: value,
      newLesion: newLesion >= 0 && parseFlag(row[newLesion]),
    };
  });
}

const RANK: Record<RecistResponse, number> = { CR: 4, PR: 3, SD: 2, PD: 1, NE: 0 };

/** Classifies one patient's measurements (all rows of that patient). */
export function classifyPatient(rows: Measurement[], options: RecistOptions = {}): PatientResponse {
  const source = options.source ?? 'measurements CSV';
  const patientId = rows[0].patientId;
  const times = [...new Map(rows.map((row) => [row.time, row.timepoint])).entries()].sort((a, b) => a[0] - b[0]);
  if (times.length < 2) throw new RadiomicsError('DATA_INVALID', `${source}: patient ${patientId} has only a baseline time point; RECIST needs a follow-up.`);

  const [baselineTime] = times[0];
  const baselineRows = rows.filter((row) => row.time === baselineTime && row.lesionId !== '');
  if (baselineRows.some((row) => row.newLesion)) {
    throw new RadiomicsError('DATA_INVALID', `${source}: patient ${patientId} has a new lesion flagged at baseline; new lesions appear only at follow-up.`);
  }
  const targetLesions = [...new Set(baselineRows.map((row) => row.lesionId))].sort();
  if (targetLesions.length === 0) throw new RadiomicsError('DATA_INVALID', `${source}: patient ${patientId} has no target lesion measured at baseline.`);
  if (baselineRows.some((row) => row.diameter === null)) {
    throw new RadiomicsError('DATA_INVALID', `${source}: patient ${patientId} has a target lesion without a baseline diameter.`);
  }
  const baselineSum = baselineRows.reduce((sum, row) => sum + row.diameter!, 0);

  const assessments: TimepointAssessment[] = [];
  let nadir = baselineSum;
  for (const [time, label] of times.slice(1)) {
    const atTime = rows.filter((row) => row.time === time);
    const newLesion = atTime.some((row) => row.newLesion);
    const measured = new Map(atTime.filter((row) => row.lesionId !== '' && targetLesions.includes(row.lesionId)).map((row) => [row.lesionId, row.diameter]));
    const complete = targetLesions.every((lesion) => measured.get(lesion) !== undefined && measured.get(lesion) !== null);
    const sum = complete ? targetLesions.reduce((total, lesion) => total + measured.get(lesion)!, 0) : null;

    let response: RecistResponse;
    if (newLesion) response = 'PD';
    else if (sum === null) response = 'NE';
    else if (sum - nadir >= 0.2 * nadir - EPSILON_MM && sum - nadir >= 5 - EPSILON_MM) response = 'PD';
    else if (sum <= EPSILON_MM) response = 'CR';
    else if (baselineSum - sum >= 0.3 * baselineSum - EPSILON_MM) response = 'PR';
    else response = 'SD';

    assessments.push({ timepoint: label, elapsed: time - baselineTime, sumOfDiameters: sum, nadir, newLesion, response });
    if (sum !== null) nadir = Math.min(nadir, sum);
  }

  const firstProgressionIndex = assessments.findIndex((assessment) => assessment.response === 'PD');
  const beforeProgression = firstProgressionIndex >= 0 ? assessments.slice(0, firstProgressionIndex) : assessments;
  const minStable = options.minStableDuration ?? 0;
  let bestResponse: RecistResponse = 'NE';
  for (const assessment of beforeProgression) {
    const counts = assessment.response !== 'SD' || assessment.elapsed >= minStable;
    if (counts && RANK[assessment.response] > RANK[bestResponse]) bestResponse = assessment.response;
  }
  if (bestResponse === 'NE' && firstProgressionIndex >= 0) bestResponse = 'PD';

  const progressed = firstProgressionIndex >= 0;
  const labelRule = options.labelRule ?? 'best-response';
  return {
    patientId,
    targetLesions,
    baselineSum,
    assessments,
    bestResponse,
    progressed,
    firstProgression: progressed ? assessments[firstProgressionIndex].timepoint : null,
    label: labelFor(labelRule, bestResponse, progressed),
  };
}

function labelFor(rule: LabelRule, bestResponse: RecistResponse, progressed: boolean): number | null {
  if (rule === 'any-progression' && progressed) return 1;
  if (bestResponse === 'NE') return null;
  if (rule === 'any-progression') return 0;
  return bestResponse === 'PD' ? 1 : 0;
}

/** Classifies every patient in a measurement table, in patient id order. */
export function classifyRecist(text: string, options: RecistOptions = {}): PatientResponse[] {
  const measurements = parseRecistMeasurements(text, options.source);
  const byPatient = new Map<string, Measurement[]>();
  for (const row of measurements) {
    if (!byPatient.has(row.patientId)) byPatient.set(row.patientId, []);
    byPatient.get(row.patientId)!.push(row);
  }
  return [...byPatient.keys()].sort().map((patientId) => classifyPatient(byPatient.get(patientId)!, options));
}
