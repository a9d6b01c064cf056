// Shared property-based checks for readers of untrusted bytes: every input must give a value or a
// RadiomicsError, never another exception, and must finish within a time bound.
import fc from 'fast-check';
import { expect } from 'vitest';

import { RadiomicsError } from '@radiomics/core';

/** Runs per input; a reader slower than this on a few kilobytes is treated as a hang. */
export const PER_INPUT_TIME_LIMIT_MS = 2_000;

/** Number of generated inputs per property; FUZZ_RUNS raises it for a longer local campaign. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Calls `read` and returns 'value' or the RadiomicsError code; any other exception fails the property. */
export function typedOutcome(read: () => unknown): string {
  const started = performance.now();
  let outcome = 'value';
  try {
    read();
  } catch (thrown) {
    if (!(thrown instanceof RadiomicsError)) {
      const description = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      throw new Error(`reader threw an untyped exception: ${description}`, { cause: thrown });
    }
    outcome = thrown.code;
  }
  const elapsed = performance.now() - started;
  expect(elapsed, `reader took ${elapsed.toFixed(0)} ms on one input`).toBeLessThan(PER_INPUT_TIME_LIMIT_MS);
  return outcome;
}

/** Byte arrays derived from a valid sample: flipped bytes, truncations, overwritten runs and splices. */
export function mutatedBytes(sample: Uint8Array): fc.Arbitrary<Uint8Array> {
  const flip = fc
    .array(fc.tuple(fc.nat({ max: Math.max(sample.byteLength - 1, 0) }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 })
    .map((changes) => {
      const copy = sample.slice();
      for (const [offset, value] of changes) copy[offset] = value;
      return copy;
    });
  const truncate = fc.nat({ max: sample.byteLength }).map((length) => sample.slice(0, length));
  const overwrite = fc
    .tuple(fc.nat({ max: Math.max(sample.byteLength - 1, 0) }), fc.uint8Array({ minLength: 1, maxLength: 64 }))
    .map(([offset, run]) => {
      const copy = sample.slice();
      copy.set(run.subarray(0, Math.max(0, copy.byteLength - offset)), offset);
      return copy;
    });
  const splice = fc
    .tuple(fc.nat({ max: sample.byteLength }), fc.uint8Array({ minLength: 1, maxLength: 256 }))
    .map(([offset, insert]) => new Uint8Array([...sample.subarray(0, offset), ...insert, ...sample.subarray(offset)]));
  return fc.oneof(flip, truncate, overwrite, splice);
}
