import { expect } from 'vitest';

import { RadiomicsError } from '@radiomics/core';

/** Runs `action` and returns the code of the RadiomicsError it throws, or undefined when it throws nothing. */
export function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(RadiomicsError);
    return (thrown as RadiomicsError).code;
  }
  return undefined;
}
