/**
 * API Gateway HTTP API (payload format 2.0) ↔ results API, and the caller identity from the claims that
 * the JWT authorizer verified against the Cognito user pool. Pure functions: the Lambda handler supplies
 * the event and sends the result back; no AWS SDK is involved.
 */
import type { ApiRequest, ApiResponse, CallerIdentity } from './types';

export type JwtClaims = Readonly<Record<string, unknown>>;

export interface HttpApiEvent {
  readonly rawPath?: string;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly requestContext?: {
    readonly http?: { readonly method?: string; readonly path?: string };
    readonly authorizer?: { readonly jwt?: { readonly claims?: JwtClaims } };
  };
}

export interface HttpApiResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reads the `cognito:groups` claim. The HTTP API authorizer passes a list claim as the text "[a b]"; an
 * array or a JSON array text is accepted too.
 */
export function groupsFromClaims(claims: JwtClaims): string[] {
  const raw = claims['cognito:groups'];
  if (Array.isArray(raw)) return raw.filter((group): group is string => typeof group === 'string');
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed.filter((group): group is string => typeof group === 'string');
    } catch {
      // Not JSON: fall through to the bracketed, space-separated form.
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group !== '');
}

/**
 * Maps verified claims to a caller: a member of group `coordinator` reads every site; a member of
 * `site-user` reads the site in `custom:siteId` only. Anyone else gets no identity, so the API returns 401.
 */
export function callerFromClaims(claims: JwtClaims | undefined): CallerIdentity | undefined {
  if (!claims) return undefined;
  const subject = typeof claims.sub === 'string' ? claims.sub : 'unknown';
  const groups = groupsFromClaims(claims);
  if (groups.includes('coordinator')) return { role: 'coordinator', subject };
  if (groups.includes('site-user')) {
    const siteId = claims['custom:siteId'];
    // A site user without a valid site gets the role without a site; the router then refuses every request.
    return { role: 'site-user', subject, ...(typeof siteId === 'string' && SITE_ID.test(siteId) ? { siteId } : {}) };
  }
  return undefined;
}

export function apiRequestFromHttpEvent(event: HttpApiEvent): ApiRequest {
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    query: { ...(event.queryStringParameters ?? {}) },
    caller: callerFromClaims(event.requestContext?.authorizer?.jwt?.claims),
  };
}

export function httpResultFromApiResponse(response: ApiResponse): HttpApiResult {
  if (typeof response.body === 'string') {
    return { statusCode: response.status, headers: { ...response.headers }, body: response.body, isBase64Encoded: false };
  }
  return { statusCode: response.status, headers: { ...response.headers }, body: Buffer.from(response.body).toString('base64'), isBase64Encoded: true };
}
