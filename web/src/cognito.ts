/**
 * Cognito sign-in for the cloud dashboard: the OAuth 2.0 authorization code flow with PKCE (RFC 7636)
 * against the user pool's hosted UI. The page sends the returned ID token as the bearer token. The HTTP
 * API's JWT authorizer verifies it, and the results API reads the group and site claims from it.
 *
 * The flow is enabled by a `config.json` beside index.html, written at deployment:
 * `{"cognito": {"domain": "https://auth.example.org", "clientId": "…"}}`. The local server has no such
 * file, so locally the page asks for the start-up token instead.
 */

export interface CognitoConfig {
  /** Hosted UI base URL of the user pool domain, https only. */
  readonly domain: string;
  readonly clientId: string;
}

const VERIFIER_KEY = 'radiomics.pkceVerifier';
const STATE_KEY = 'radiomics.oauthState';

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomUrlSafe(byteCount = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** Computes the S256 code challenge: base64url(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** Reads and checks the deployment's Cognito settings; returns null when the page runs locally. */
export function parseCognitoConfig(json: unknown): CognitoConfig | null {
  const cognito = (json as { cognito?: { domain?: unknown; clientId?: unknown } } | null)?.cognito;
  if (!cognito || typeof cognito.domain !== 'string' || typeof cognito.clientId !== 'string') return null;
  const domain = new URL(cognito.domain);
  if (domain.protocol !== 'https:') return null;
  return { domain: domain.origin, clientId: cognito.clientId };
}

export function authorizeUrl(config: CognitoConfig, redirectUri: string, challenge: string, state: string): string {
  const url = new URL('/oauth2/authorize', config.domain);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  }).toString();
  return url.toString();
}

/** The page's own address without query or fragment, registered as the app client's callback URL. */
export function redirectUri(): string {
  return `${window.location.origin}${window.location.pathname}`;
}

export async function startCognitoSignIn(config: CognitoConfig): Promise<void> {
  const verifier = randomUrlSafe();
  const state = randomUrlSafe(16);
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  window.location.assign(authorizeUrl(config, redirectUri(), await codeChallenge(verifier), state));
}

/**
 * Completes the flow when the hosted UI redirects back with `?code=…&state=…`: exchanges the code for
 * tokens and returns the ID token, or null when the page was not opened by such a redirect.
 */
export async function completeCognitoSignIn(config: CognitoConfig): Promise<string | null> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  if (!code) return null;
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  const expectedState = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  sessionStorage.removeItem(STATE_KEY);
  // Drop the code from the address bar, so a reload or a shared link does not replay it.
  window.history.replaceState(null, '', redirectUri() + window.location.hash);
  if (!verifier || params.get('state') !== expectedState) throw new Error('The sign-in response does not match this tab. Sign in again.');

  const response = await fetch(new URL('/oauth2/token', config.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.clientId, code, redirect_uri: redirectUri(), code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`The sign-in service rejected the code (status ${response.status}). Sign in again.`);
  const tokens = (await response.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error('The sign-in service returned no ID token. Sign in again.');
  return tokens.id_token;
}

/** Loads config.json beside the page; a missing file means the local dashboard. */
export async function loadCognitoConfig(): Promise<CognitoConfig | null> {
  try {
    const response = await fetch(new URL('config.json', window.location.href), { credentials: 'omit' });
    if (!response.ok) return null;
    return parseCognitoConfig(await response.json());
  } catch {
    return null;
  }
}
