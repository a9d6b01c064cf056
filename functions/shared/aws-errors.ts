import { RadiomicsError } from '@radiomics/core';

/** Error names of AWS SDK v3 that a retry can get past: throttling, timeouts and server-side faults. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'InternalServerError',
  'RequestTimeout',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/**
 * Converts an AWS SDK failure into STORAGE_UNAVAILABLE when retrying can help (so the state machine's Retry
 * on that code applies), and returns anything else unchanged.
 */
export function storageError(thrown: unknown, operation: string): unknown {
  const error = thrown as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = error.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT_NAMES.has(error.name ?? '') || status >= 500 || error.$retryable !== undefined) {
    return new RadiomicsError('STORAGE_UNAVAILABLE', `${operation} failed with ${error.name ?? 'an error'}; the storage service did not respond.`, {
      cause: thrown,
    });
  }
  return thrown;
}
