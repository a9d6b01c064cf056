import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, it } from 'vitest';

import { readZipArchive } from '@radiomics/core';

import { FUZZ_RUNS, mutatedBytes, typedOutcome } from '../helpers/fuzz';

const sampleArchive = zipSync({
  'manifest.json': new TextEncoder().encode('{"schemaVersion":1}'),
  'ct/0001.dcm': new Uint8Array(4096).map((_, index) => (index * 7) % 256),
  'mask.nii.gz': new Uint8Array(512),
});

describe('zip reader fuzzing', () => {
  it('handles random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        typedOutcome(() => readZipArchive(bytes, 'random.zip'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles mutated archives', () => {
    fc.assert(
      fc.property(mutatedBytes(sampleArchive), (bytes) => {
        typedOutcome(() => readZipArchive(bytes, 'mutated.zip'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
