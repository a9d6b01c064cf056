// De-identification audit of DICOM headers before a study is processed.
//
// The rule (documented for sites in docs/image-input.md):
// 1. Attributes that the DICOM basic application level confidentiality profile (PS3.15 Annex E) removes and that
//    directly identify a person or place must be absent or empty: birth date and time, other patient IDs and
//    names, birth name, mother's birth name, addresses, telephone numbers, medical record locator, country and
//    region of residence.
// 2. Person names (patient, physicians, operators) must not look like a real name: two or more alphabetic
//    words (family and given name), unless every word is a placeholder such as ANONYMOUS or PATIENT. Single
//    tokens and codes with digits (PAT1, STS_004) are pseudonyms and pass.
// 3. Institution, department and station names must not be multi-word names ("Maastricht University Medical
//    Centre"); single tokens (CERR, a site code) pass.
// 4. AccessionNumber must be empty unless PatientIdentityRemoved is YES, because it links back to the
//    hospital's records and only a de-identifier that replaced it says so.
// 5. BurnedInAnnotation = YES means identifying text in the pixels: reject.
// The audit reads every level of nested sequences. Messages name attributes and counts, never values.
import type { DataSet } from 'dicom-parser';

import { RadiomicsError } from '../errors';

interface AttributeRule {
  readonly tag: string;
  readonly name: string;
  readonly kind: 'must-be-empty' | 'person-name' | 'place-name';
}

const RULES: readonly AttributeRule[] = [
  { tag: 'x00100030', name: 'PatientBirthDate', kind: 'must-be-empty' },
  { tag: 'x00100032', name: 'PatientBirthTime', kind: 'must-be-empty' },
  { tag: 'x00101000', name: 'OtherPatientIDs', kind: 'must-be-empty' },
  { tag: 'x00101001', name: 'OtherPatientNames', kind: 'must-be-empty' },
  { tag: 'x00101002', name: 'OtherPatientIDsSequence', kind: 'must-be-empty' },
  { tag: 'x00101005', name: 'PatientBirthName', kind: 'must-be-empty' },
  { tag: 'x00101040', name: 'PatientAddress', kind: 'must-be-empty' },
  { tag: 'x00101060', name: 'PatientMotherBirthName', kind: 'must-be-empty' },
  { tag: 'x00101090', name: 'MedicalRecordLocator', kind: 'must-be-empty' },
  { tag: 'x00102150', name: 'CountryOfResidence', kind: 'must-be-empty' },
  { tag: 'x00102152', name: 'RegionOfResidence', kind: 'must-be-empty' },
  { tag: 'x00102154', name: 'PatientTelephoneNumbers', kind: 'must-be-empty' },
  { tag: 'x00080081', name: 'InstitutionAddress', kind: 'must-be-empty' },
  { tag: 'x00080092', name: 'ReferringPhysicianAddress', kind: 'must-be-empty' },
  { tag: 'x00080094', name: 'ReferringPhysicianTelephoneNumbers', kind: 'must-be-empty' },
  { tag: 'x00401102', name: 'PersonAddress', kind: 'must-be-empty' },
  { tag: 'x00401103', name: 'PersonTelephoneNumbers', kind: 'must-be-empty' },
  { tag: 'x00100010', name: 'PatientName', kind: 'person-name' },
  { tag: 'x00080090', name: 'ReferringPhysicianName', kind: 'person-name' },
  { tag: 'x00081048', name: 'PhysiciansOfRecord', kind: 'person-name' },
  { tag: 'x00081050', name: 'PerformingPhysicianName', kind: 'person-name' },
  { tag: 'x00081060', name: 'NameOfPhysiciansReadingStudy', kind: 'person-name' },
  { tag: 'x00081070', name: 'OperatorsName', kind: 'person-name' },
  { tag: 'x00321032', name: 'RequestingPhysician', kind: 'person-name' },
  { tag: 'x00400006', name: 'ScheduledPerformingPhysicianName', kind: 'person-name' },
  { tag: 'x0040a123', name: 'PersonName', kind: 'person-name' },
  { tag: 'x00080080', name: 'InstitutionName', kind: 'place-name' },
  { tag: 'x00081040', name: 'InstitutionalDepartmentName', kind: 'place-name' },
  { tag: 'x00081010', name: 'StationName', kind: 'place-name' },
];

/** Words that de-identification tools put in place of a name. */
const PLACEHOLDER_WORDS = new Set([
  'anon',
  'anonymous',
  'anonymised',
  'anonymized',
  'deidentified',
  'de',
  'identified',
  'removed',
  'unknown',
  'patient',
  'subject',
  'phantom',
  'test',
  'case',
  'study',
  'none',
  'na',
  'doctor',
  'physician',
  'dr',
]);

export interface DeidentificationFinding {
  /** DICOM keyword, e.g. PatientBirthDate. */
  readonly attribute: string;
  /** Tag as (gggg,eeee). */
  readonly tag: string;
  readonly reason: string;
  /** Number of data sets in which the attribute failed. */
  readonly dataSets: number;
}

export interface DeidentificationReport {
  readonly dataSetsAudited: number;
  /** Data sets that state PatientIdentityRemoved = YES. */
  readonly identityRemovedDeclared: number;
  readonly findings: DeidentificationFinding[];
}

/**
 * Audits DICOM headers for identifying values and raises PHI_PRESENT naming each failing attribute (never
 * its value). Returns the report when the study passes.
 */
export function auditDeidentification(dataSets: readonly DataSet[]): DeidentificationReport {
  const report = inspectDeidentification(dataSets);
  if (report.findings.length > 0) {
    const listing = report.findings.map((finding) => `${finding.attribute} ${finding.tag} (${finding.reason}, ${finding.dataSets} of ${report.dataSetsAudited} files)`);
    throw new RadiomicsError('PHI_PRESENT', `The DICOM headers still hold identifying data: ${listing.join('; ')}.`, {
      details: { attributes: report.findings.map((finding) => finding.attribute), findings: report.findings },
    });
  }
  return report;
}

/** Applies the audit rule without raising: the findings list is empty when the study passes. */
export function inspectDeidentification(dataSets: readonly DataSet[]): DeidentificationReport {
  const counts = new Map<string, { rule: AttributeRule | { tag: string; name: string }; reason: string; count: number }>();
  let identityRemovedDeclared = 0;

  for (const dataSet of dataSets) {
    const identityRemoved = readText(dataSet, 'x00120062')?.toUpperCase() === 'YES';
    if (identityRemoved) identityRemovedDeclared++;
    const failed = new Map<string, { rule: AttributeRule | { tag: string; name: string }; reason: string }>();
    auditLevel(dataSet, failed, 0);

    if (!identityRemoved && readText(dataSet, 'x00080050')) {
      failed.set('x00080050', { rule: { tag: 'x00080050', name: 'AccessionNumber' }, reason: 'present without PatientIdentityRemoved = YES' });
    }
    if (readText(dataSet, 'x00280301')?.toUpperCase() === 'YES') {
      failed.set('x00280301', { rule: { tag: 'x00280301', name: 'BurnedInAnnotation' }, reason: 'pixels carry burned-in text' });
    }

    for (const [tag, failure] of failed) {
      const entry = counts.get(tag) ?? { ...failure, count: 0 };
      entry.count++;
      counts.set(tag, entry);
    }
  }

  const findings = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([tag, entry]) => ({ attribute: entry.rule.name, tag: formatTag(tag), reason: entry.reason, dataSets: entry.count }));
  return { dataSetsAudited: dataSets.length, identityRemovedDeclared, findings };
}

const MAX_SEQUENCE_DEPTH = 8;

function auditLevel(dataSet: DataSet, failed: Map<string, { rule: { tag: string; name: string }; reason: string }>, depth: number): void {
  for (const rule of RULES) {
    if (failed.has(rule.tag) || !dataSet.elements[rule.tag]) continue;
    const reason = failureReason(dataSet, rule);
    if (reason) failed.set(rule.tag, { rule, reason });
  }
  if (depth >= MAX_SEQUENCE_DEPTH) return;
  for (const element of Object.values(dataSet.elements)) {
    for (const item of element.items ?? []) if (item.dataSet) auditLevel(item.dataSet, failed, depth + 1);
  }
}

function failureReason(dataSet: DataSet, rule: AttributeRule): string | undefined {
  const element = dataSet.elements[rule.tag];
  if (rule.kind === 'must-be-empty') {
    if (element.items) return element.items.length > 0 ? 'must be empty' : undefined;
    return readText(dataSet, rule.tag) ? 'must be empty' : undefined;
  }
  const value = readText(dataSet, rule.tag);
  if (!value) return undefined;
  if (rule.kind === 'person-name') return looksLikePersonName(value) ? 'looks like a real name' : undefined;
  return looksLikePlaceName(value) ? 'names an institution' : undefined;
}

/** Two or more alphabetic words (family and given name) that are not all placeholders; values are multi-valued with "\". */
export function looksLikePersonName(value: string): boolean {
  return value.split('\\').some((name) => {
    const words = name.split(/[\s^,=]+/).filter((word) => /^[\p{L}'’-]{2,}$/u.test(word));
    const real = words.filter((word) => !PLACEHOLDER_WORDS.has(word.toLowerCase()));
    return words.length >= 2 && real.length >= 1;
  });
}

/** Tells whether a value is a name of two or more words with letters; single tokens and codes pass. */
export function looksLikePlaceName(value: string): boolean {
  const words = value.split(/[\s^,]+/).filter((word) => /\p{L}{2,}/u.test(word));
  const real = words.filter((word) => !PLACEHOLDER_WORDS.has(word.toLowerCase()));
  return words.length >= 2 && real.length >= 1;
}

function readText(dataSet: DataSet, tag: string): string | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.length === 0 || element.items) return undefined;
  let value: string | undefined;
  try {
    value = dataSet.string(tag);
  } catch {
    return undefined;
  }
  const trimmed = value?.replace(/\0+$/, '').trim();
  return trimmed ? trimmed : undefined;
}

function formatTag(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
}
