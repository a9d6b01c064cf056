import { ERROR_CATALOGUE, EXIT_STATUS, isErrorCode, type ErrorCategory, type ErrorCode } from './catalogue';

export interface RadiomicsErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
  /** Structured facts for logs and API responses: measured values, file names inside the study, limits. */
  details?: Record<string, unknown>;
}

/**
 * A refusal with a stable code from the error catalogue.
 *
 * The message says what was wrong and where (file, attribute, label); `action` says what to do next.
 * Never put a DICOM header value that could identify a patient into the message or the details.
 */
export class RadiomicsError extends Error {
  override readonly name = 'RadiomicsError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: RadiomicsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  get category(): ErrorCategory {
    return ERROR_CATALOGUE[this.code].category;
  }

  get action(): string {
    return ERROR_CATALOGUE[this.code].action;
  }

  get exitStatus(): number {
    return EXIT_STATUS[this.category];
  }

  /** A plain object for study records, SNS messages and API responses. */
  toJSON(): { code: ErrorCode; message: string; action: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, action: this.action, details: this.details };
  }
}

/**
 * Converts anything thrown into a RadiomicsError: catalogue errors pass through, a serialised error record
 * (for example from a Step Functions `Cause`) is revived, and anything else becomes INTERNAL_ERROR.
 */
export function toRadiomicsError(thrown: unknown): RadiomicsError {
  if (thrown instanceof RadiomicsError) return thrown;

  if (typeof thrown === 'object' && thrown !== null && isErrorCode((thrown as { code?: unknown }).code)) {
    const record = thrown as { code: ErrorCode; message?: unknown; details?: unknown };
    const message = typeof record.message === 'string' ? record.message : record.code;
    const details = typeof record.details === 'object' && record.details !== null ? (record.details as Record<string, unknown>) : {};
    return new RadiomicsError(record.code, message, { details });
  }

  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new RadiomicsError('INTERNAL_ERROR', `Unexpected failure: ${message}`, { cause: thrown });
}
