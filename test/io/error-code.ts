import { RadiomicsError } from '@radiomics/core';

/** The RadiomicsError code thrown by `action`, a marker string for any other throw, or undefined when none. */
export function errorCodeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof RadiomicsError ? error.code : `not a RadiomicsError: ${String(error)}`;
  }
  return undefined;
}

/** The RadiomicsError thrown by `action`; fails the test when nothing or something else is thrown. */
export function errorOf(action: () => unknown): RadiomicsError {
  try {
    action();
  } catch (error) {
    if (error instanceof RadiomicsError) return error;
    throw new Error(`expected a RadiomicsError, got ${String(error)}`);
  }
  throw new Error('expected a RadiomicsError, but nothing was thrown');
}
