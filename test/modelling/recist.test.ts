import { describe, expect, it } from 'vitest';

import { classifyRecist, RadiomicsError } from '@radiomics/core';

function table(rows: string[]): string {
  return ['patientId,timepoint,lesionId,diameter_mm,new_lesion', ...rows].join('\n');
}

function single(rows: string[], options = {}) {
  const [patient] = classifyRecist(table(rows), options);
  return patient;
}

describe('RECIST 1.1 time point responses', () => {
  it('PR at exactly 30 % shrinkage', () => {
    const patient = single(['P1,0,L1,60,0', 'P1,0,L2,40,0', 'P1,56,L1,42,0', 'P1,56,L2,28,0']);
    expect(patient.baselineSum).toBe(100);
    expect(patient.assessments[0].sumOfDiameters).toBe(70);
    expect(patient.assessments[0].response).toBe('PR');
    expect(patient.bestResponse).toBe('PR');
    expect(patient.label).toBe(0);
  });

  it('SD just short of 30 % shrinkage', () => {
    expect(single(['P1,0,L1,100,0', 'P1,56,L1,70.1,0']).assessments[0].response).toBe('SD');
  });

  it('PD at 20 % and 5 mm over the nadir', () => {
    const patient = single(['P1,0,L1,50,0', 'P1,42,L1,30,0', 'P1,84,L1,36,0']);
    expect(patient.assessments.map((a) => a.response)).toEqual(['PR', 'PD']);
    expect(patient.assessments[1].nadir).toBe(30);
    // Progression after a response keeps the best overall response PR.
    expect(patient.bestResponse).toBe('PR');
    expect(patient.progressed).toBe(true);
    expect(patient.firstProgression).toBe('84');
    expect(patient.label).toBe(0);
  });

  it('20 % growth under 5 mm is SD', () => {
    // 20 → 24 mm is +20 % but only +4 mm.
    expect(single(['P1,0,L1,20,0', 'P1,42,L1,24,0']).assessments[0].response).toBe('SD');
  });

  it('5 mm growth under 20 % is SD', () => {
    expect(single(['P1,0,L1,40,0', 'P1,42,L1,45,0']).assessments[0].response).toBe('SD');
  });

  it('PD when growth reaches both limits', () => {
    const patient = single(['P1,0,L1,25,0', 'P1,42,L1,30,0']);
    expect(patient.assessments[0].response).toBe('PD');
    expect(patient.bestResponse).toBe('PD');
    expect(patient.label).toBe(1);
  });

  it('new lesion is PD whatever the sum', () => {
    const patient = single(['P1,0,L1,40,0', 'P1,42,L1,20,0', 'P1,42,,,1']);
    expect(patient.assessments[0].response).toBe('PD');
    expect(patient.label).toBe(1);
  });

  it('CR when every target lesion disappears', () => {
    const patient = single(['P1,0,L1,12,0', 'P1,0,L2,8,0', 'P1,42,L1,0,0', 'P1,42,L2,0,0']);
    expect(patient.assessments[0].response).toBe('CR');
    expect(patient.bestResponse).toBe('CR');
  });

  it('unmeasured target lesion is NE', () => {
    const patient = single(['P1,0,L1,30,0', 'P1,0,L2,20,0', 'P1,42,L1,30,0']);
    expect(patient.assessments[0].response).toBe('NE');
    expect(patient.bestResponse).toBe('NE');
    expect(patient.label).toBeNull();
  });

  it('dates as time points', () => {
    const patient = single(['P1,2024-01-10,L1,30,0', 'P1,2024-03-06,L1,20,0']);
    expect(patient.assessments[0].elapsed).toBe(56);
    expect(patient.assessments[0].response).toBe('PR');
  });

  it('minimum SD duration', () => {
    const rows = ['P1,0,L1,30,0', 'P1,20,L1,30,0', 'P1,60,L1,40,0'];
    expect(single(rows).bestResponse).toBe('SD');
    // SD at day 20 is too early when 6 weeks are required, so PD at day 60 becomes the best response.
    expect(single(rows, { minStableDuration: 42 }).bestResponse).toBe('PD');
    expect(single(rows, { minStableDuration: 42 }).label).toBe(1);
  });

  it('any-progression label rule', () => {
    const rows = ['P1,0,L1,50,0', 'P1,42,L1,30,0', 'P1,84,L1,36,0'];
    expect(single(rows, { labelRule: 'best-response' }).label).toBe(0);
    expect(single(rows, { labelRule: 'any-progression' }).label).toBe(1);
  });

  it('patients in id order with their target lesions', () => {
    const patients = classifyRecist(table(['P2,0,A,20,0', 'P2,30,A,30,0', 'P1,0,B,20,0', 'P1,0,C,10,0', 'P1,30,B,20,0', 'P1,30,C,10,0']));
    expect(patients.map((p) => p.patientId)).toEqual(['P1', 'P2']);
    expect(patients[0].targetLesions).toEqual(['B', 'C']);
    expect(patients.map((p) => p.label)).toEqual([0, 1]);
  });
});

describe('RECIST input errors', () => {
  const cases: [string, string][] = [
    ['missing column', 'patientId,timepoint,lesionId\nP1,0,L1'],
    ['negative diameter', table(['P1,0,L1,-3,0', 'P1,30,L1,3,0'])],
    ['bad time point', table(['P1,day one,L1,3,0', 'P1,30,L1,3,0'])],
    ['baseline only', table(['P1,0,L1,3,0'])],
    ['new lesion at baseline', table(['P1,0,L1,3,1', 'P1,30,L1,3,0'])],
  ];
  for (const [name, text] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => classifyRecist(text)).toThrow(RadiomicsError);
      try {
        classifyRecist(text);
      } catch (thrown) {
        expect((thrown as RadiomicsError).code).toBe('DATA_INVALID');
      }
    });
  }
});
