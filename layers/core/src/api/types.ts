/**
 * Request and response shapes of the results API.
 *
 * The router is framework-free: the Lambda handler turns an API Gateway HTTP API event into an ApiRequest,
 * the local server does the same with a Node.js request, and both write the ApiResponse back unchanged.
 */

export type CallerRole = 'coordinator' | 'site-user';

/** Identity of the caller, resolved by the adapter from a verified JWT (cloud) or the start-up token (local). */
export interface CallerIdentity {
  readonly role: CallerRole;
  /** The only site a site user may read; ignored for coordinators. */
  readonly siteId?: string;
  /** Subject for audit logs (Cognito `sub` or "local"); never shown to other users. */
  readonly subject: string;
}

export interface ApiRequest {
  readonly method: string;
  /** URL path without the query string, still percent-encoded, e.g. `/api/studies/site-a/study-1`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Undefined when the adapter found no valid credentials. */
  readonly caller: CallerIdentity | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text for JSON responses, raw bytes for images. */
  readonly body: string | Uint8Array;
}

/** The error envelope of every non-2xx JSON response. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly action: string };
}
