import { describe, expect, it } from 'vitest';

import { ERROR_CATALOGUE, RadiomicsError, toRadiomicsError } from '@radiomics/core';

describe('RadiomicsError', () => {
  it('carries catalogue action and exit status', () => {
    const error = new RadiomicsError('LABEL_NOT_FOUND', 'Label 3 is not in mask lesion.nii.gz; labels present: 1, 2.');

    expect(error.code).toBe('LABEL_NOT_FOUND');
    expect(error.action).toBe(ERROR_CATALOGUE.LABEL_NOT_FOUND.action);
    expect(error.exitStatus).toBe(2);
    expect(error.toJSON().message).toContain('labels present: 1, 2');
  });

  it('revives a serialised record', () => {
    const revived = toRadiomicsError({ code: 'PHI_PRESENT', message: 'PatientName is set', details: { file: 'a.dcm' } });

    expect(revived).toBeInstanceOf(RadiomicsError);
    expect(revived.code).toBe('PHI_PRESENT');
    expect(revived.details).toEqual({ file: 'a.dcm' });
  });

  it('wraps unknown errors as internal', () => {
    const wrapped = toRadiomicsError(new TypeError('boom'));

    expect(wrapped.code).toBe('INTERNAL_ERROR');
    expect(wrapped.exitStatus).toBe(70);
    expect(wrapped.cause).toBeInstanceOf(TypeError);
  });
});
