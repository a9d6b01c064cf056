import { readdirSync, readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { auditDeidentification, looksLikePersonName, looksLikePlaceName, parseDicomFile } from '@radiomics/core/io';

import { ctSliceElements, el, newUid, writeDicom, writeRtStruct, type DicomElement } from '../helpers/dicom-writer';
import { describeWithReference, referencePath } from '../helpers/reference';
import { errorOf } from './error-code';

function dataSetWith(extra: DicomElement[]) {
  const elements = ctSliceElements({ rows: 1, columns: 1, pixels: [0], position: [0, 0, 0], seriesUid: newUid(), extra });
  return parseDicomFile(writeDicom(elements), 'file 1 of 1');
}

describe('name heuristics', () => {
  it('treats family^given as a real name', () => {
    expect(looksLikePersonName('DOE^JOHN')).toBe(true);
    expect(looksLikePersonName('Müller^Anna^^Dr.')).toBe(true);
    expect(looksLikePersonName('Jane Smith')).toBe(true);
  });

  it('lets pseudonyms and placeholders pass', () => {
    for (const name of ['PAT1', 'STS_004', 'checkerboard', 'ANONYMOUS', 'Anonymous^Patient', 'Subject 12', 'SITE01-0042']) {
      expect(looksLikePersonName(name)).toBe(false);
    }
  });

  it('flags multi-word institutions only', () => {
    expect(looksLikePlaceName('Maastricht University Medical Centre')).toBe(true);
    expect(looksLikePlaceName('CERR')).toBe(false);
    expect(looksLikePlaceName('SITE_07')).toBe(false);
  });
});

describe('auditDeidentification', () => {
  it('passes a pseudonymised slice', () => {
    const report = auditDeidentification([dataSetWith([])]);
    expect(report.findings).toEqual([]);
    expect(report.identityRemovedDeclared).toBe(1);
  });

  it('names attributes but never values', () => {
    const dataSet = dataSetWith([
      el('00100010', 'PN', 'Horowitz^Bernadette'),
      el('00100030', 'DA', '19520317'),
      el('00080080', 'LO', 'Saint Elsewhere Hospital'),
      el('00081050', 'PN', 'Okonkwo^Chidi'),
      el('00101040', 'LO', '12 Rue de la Paix'),
    ]);
    const error = errorOf(() => auditDeidentification([dataSet, dataSetWith([])]));
    expect(error.code).toBe('PHI_PRESENT');
    for (const attribute of ['PatientName', 'PatientBirthDate', 'InstitutionName', 'PerformingPhysicianName', 'PatientAddress']) {
      expect(error.message).toContain(attribute);
    }
    for (const value of ['Horowitz', 'Bernadette', '1952', 'Elsewhere', 'Okonkwo', 'Paix']) {
      expect(error.message).not.toContain(value);
      expect(JSON.stringify(error.details)).not.toContain(value);
    }
    expect(error.message).toContain('1 of 2 files');
  });

  it('finds names inside sequences', () => {
    const dataSet = dataSetWith([el('00400275', 'SQ', [[el('00321032', 'PN', 'Ivanova^Olga')]])]);
    expect(errorOf(() => auditDeidentification([dataSet])).message).toContain('RequestingPhysician');
  });

  it('requires identity removal for accession numbers', () => {
    const withoutDeclaration = dataSetWith([el('00080050', 'SH', 'A123456'), el('00120062', 'CS', 'NO')]);
    expect(errorOf(() => auditDeidentification([withoutDeclaration])).message).toContain('AccessionNumber');
    expect(auditDeidentification([dataSetWith([el('00080050', 'SH', 'A123456')])]).findings).toEqual([]);
  });

  it('rejects burned-in annotation', () => {
    expect(errorOf(() => auditDeidentification([dataSetWith([el('00280301', 'CS', 'YES')])])).message).toContain('BurnedInAnnotation');
  });

  it('rejects other patient IDs', () => {
    expect(errorOf(() => auditDeidentification([dataSetWith([el('00101000', 'LO', 'MRN-99812')])])).message).toContain('OtherPatientIDs');
  });

  it('audits RTSTRUCT headers too', () => {
    const rtstruct = writeRtStruct({ frameOfReferenceUid: '1.2.3', rois: [], extra: [el('00081070', 'PN', 'Tanaka^Hiroshi')] });
    expect(errorOf(() => auditDeidentification([parseDicomFile(rtstruct, 'file 1 of 1')])).message).toContain('OperatorsName');
  });
});

describeWithReference('auditDeidentification reference studies', ['ibsi1/ct_phantom/dicom', 'studies/sts_004_ct/dicom'], () => {
  for (const folder of [
    'ibsi1/ct_phantom/dicom/image',
    'ibsi1/ct_phantom/dicom/mask',
    'studies/sts_004_ct/dicom/image',
    'studies/sts_004_ct/dicom/mask',
    'ibsi2/digital_phantom/dicom/checkerboard',
    'ibsi2/digital_phantom/dicom/sphere',
  ]) {
    it(`passes ${folder}`, () => {
      const dataSets = readdirSync(referencePath(folder)).map((file, index) => parseDicomFile(readFileSync(referencePath(folder, file)), `file ${index + 1}`));
      expect(auditDeidentification(dataSets).findings).toEqual([]);
    });
  }
});
