// `radiomics recist`: classifies each patient's RECIST 1.1 response from target-lesion diameters and writes the
// binary progression label per target lesion (ready for `radiomics train --labels`) or per patient.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

import type { Command } from 'commander';

import { classifyRecist, RadiomicsError, type LabelRule, type PatientResponse } from '@radiomics/core';

interface RecistCommandOptions {
  measurements: string;
  out?: string;
  perPatient?: boolean;
  labelRule: string;
  minStableDuration: string;
  json?: boolean;
}

function csvLine(values: (string | number | null)[]): string {
  return values.map((value) => (value === null ? '' : /[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value))).join(',');
}

/** Per-lesion rows: every target lesion carries its patient's label. Patients without a label are left out. */
export function formatRecistLabels(patients: PatientResponse[], perPatient: boolean): string {
  const lines: string[] = [];
  if (perPatient) {
    lines.push('patientId,label,best_response,progressed,first_progression,baseline_sum_mm');
    for (const patient of patients) {
      lines.push(csvLine([patient.patientId, patient.label, patient.bestResponse, patient.progressed ? 1 : 0, patient.firstProgression, patient.baselineSum]));
    }
  } else {
    lines.push('lesionId,patientId,label,best_response');
    for (const patient of patients) {
      if (patient.label === null) continue;
      for (const lesion of patient.targetLesions) lines.push(csvLine([lesion, patient.patientId, patient.label, patient.bestResponse]));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerRecist(program: Command): void {
  program
    .command('recist')
    .description('Classify RECIST 1.1 responses (CR, PR, SD, PD) from target-lesion longest diameters and derive the progression label.')
    .requiredOption('--measurements <file>', 'CSV with patientId, timepoint (number or YYYY-MM-DD; the earliest is baseline), lesionId, diameter_mm and optional new_lesion (1/0)')
    .option('--out <file>', 'write the labels CSV here instead of standard output')
    .option('--per-patient', 'one row per patient instead of one row per target lesion')
    .option('--label-rule <rule>', 'best-response: progression when the best overall response is PD; any-progression: any PD time point', 'best-response')
    .option('--min-stable-duration <n>', 'minimum time from baseline, in time point units (days for dates), for SD to count as best response', '0')
    .option('--json', 'print every patient with each time point assessment as JSON')
    .action((options: RecistCommandOptions) => {
      if (!existsSync(options.measurements)) {
        throw new RadiomicsError('FILE_NOT_FOUND', `The measurements file ${basename(options.measurements)} does not exist.`);
      }
      if (options.labelRule !== 'best-response' && options.labelRule !== 'any-progression') {
        throw new RadiomicsError('SETTINGS_INVALID', `--label-rule must be best-response or any-progression, got "${options.labelRule}".`);
      }
      const minStableDuration = Number(options.minStableDuration);
      if (!(minStableDuration >= 0)) throw new RadiomicsError('SETTINGS_INVALID', '--min-stable-duration must be a number ≥ 0.');

      const patients = classifyRecist(readFileSync(options.measurements, 'utf8'), {
        labelRule: options.labelRule as LabelRule,
        minStableDuration,
        source: basename(options.measurements),
      });
      const output = options.json ? `${JSON.stringify(patients, null, 2)}\n` : formatRecistLabels(patients, options.perPatient ?? false);
      if (options.out) writeFileSync(options.out, output);
      else process.stdout.write(output);

      const unlabelled = patients.filter((patient) => patient.label === null).length;
      const progression = patients.filter((patient) => patient.label === 1).length;
      console.error(`RECIST 1.1: ${patients.length} patients, ${progression} progression, ${patients.length - progression - unlabelled} non-progression, ${unlabelled} not evaluable.`);
    });
}
