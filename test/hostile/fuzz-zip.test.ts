import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { readZipArchive, type ArchiveLimits } from '@radiomics/core';

import { FUZZ_RUNS, mutatedBytes, typedOutcome } from '../helpers/fuzz';
import { writeZip } from '../helpers/zip-writer';

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

/** Small limits, so that generated archives cross them often. */
const SMALL_LIMITS: ArchiveLimits = { maxEntries: 8, maxTotalBytes: 6_000, maxEntryBytes: 4_000, maxCompressionRatio: 50, ratioCheckFloorBytes: 2_000 };

const entryName = fc
  .array(fc.constantFrom('ct', 'mask.nii.gz', '..', '.', '', 'C:', '/', '\\', '__MACOSX', '._x', 'a\u0000b', '%2e%2e', '…', 'é'), { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('/'));

const hostileEntry = fc.record({
  name: entryName,
  size: fc.nat({ max: 5_000 }),
  fill: fc.constantFrom('zeros', 'pattern'),
  stored: fc.boolean(),
  // Headers that understate (or overstate) the inflated size, as zip bombs do.
  declaredSize: fc.option(fc.nat({ max: 10_000 }), { nil: undefined }),
  link: fc.boolean(),
});

describe('zip reader limits and paths under hostile headers', () => {
  it('never returns an unsafe path or more bytes than the limits allow', () => {
    fc.assert(
      fc.property(fc.array(hostileEntry, { minLength: 1, maxLength: 10 }), (entries) => {
        const archive = writeZip(
          entries.map((entry) => ({
            name: entry.name,
            data: entry.fill === 'zeros' ? new Uint8Array(entry.size) : new Uint8Array(entry.size).map((_, index) => (index * 31) % 251),
            stored: entry.stored,
            ...(entry.declaredSize === undefined ? {} : { declaredSize: entry.declaredSize }),
            ...(entry.link ? { unixMode: 0o120777 } : {}),
          })),
        );
        let contents: ReturnType<typeof readZipArchive> | undefined;
        const outcome = typedOutcome(() => {
          contents = readZipArchive(archive, 'hostile.zip', SMALL_LIMITS);
        });
        if (outcome !== 'value' || !contents) return;

        let total = 0;
        for (const file of contents.entries) {
          const segments = file.path.split('/');
          expect(segments, file.path).not.toContain('..');
          expect(file.path.startsWith('/'), file.path).toBe(false);
          expect(/^[A-Za-z]:/.test(file.path), file.path).toBe(false);
          expect(file.path.includes('\u0000'), file.path).toBe(false);
          expect(file.bytes.byteLength).toBeLessThanOrEqual(SMALL_LIMITS.maxEntryBytes);
          total += file.bytes.byteLength;
        }
        expect(total).toBeLessThanOrEqual(SMALL_LIMITS.maxTotalBytes);
        expect(entries.some((entry) => entry.link)).toBe(false);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('zip reader top-folder stripping', () => {
  it('exposes no drive letter after stripping', () => {
    // The smallest counterexample the property found: the shared top folder "ct/" hides the drive letter.
    const archive = writeZip([{ name: 'ct/C:/ct', data: 'x' }]);
    const outcome = typedOutcome(() => {
      const contents = readZipArchive(archive, 'drive.zip');
      for (const file of contents.entries) expect(file.path, file.path).not.toMatch(/^[A-Za-z]:/);
    });
    expect(['value', 'ARCHIVE_UNSAFE_PATH']).toContain(outcome);
  });
});
