import { toRadiomicsError } from '../errors';

/**
 * Converts anything a step throws into the error a Task reports to Step Functions. Its `name` is the catalogue
 * code, so Retry and Catch match on it and the failure handler reads the code back from `Error`. Its message is
 * the catalogue error's message, which names no upload path or header value.
 */
export function toTaskError(thrown: unknown): Error {
  const radiomicsError = toRadiomicsError(thrown);
  const error = new Error(radiomicsError.message);
  error.name = radiomicsError.code;
  return error;
}
