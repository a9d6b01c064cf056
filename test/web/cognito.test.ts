import { describe, expect, it } from 'vitest';

import { authorizeUrl, codeChallenge, parseCognitoConfig, randomUrlSafe } from '../../web/src/cognito';

describe('Cognito PKCE helpers', () => {
  it('computes the RFC 7636 example challenge', async () => {
    // RFC 7636, Appendix B.
    await expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).resolves.toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes URL-safe random verifiers', () => {
    const verifier = randomUrlSafe();

    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomUrlSafe()).not.toBe(verifier);
  });

  it('builds the authorize URL', () => {
    const url = new URL(authorizeUrl({ domain: 'https://auth.example.org', clientId: 'client-1' }, 'https://dash.example.org/', 'challenge', 'state-1'));

    expect(url.origin + url.pathname).toBe('https://auth.example.org/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'https://dash.example.org/',
      scope: 'openid email',
      code_challenge_method: 'S256',
      code_challenge: 'challenge',
      state: 'state-1',
    });
  });

  it('reads only an https configuration', () => {
    expect(parseCognitoConfig({ cognito: { domain: 'https://auth.example.org/', clientId: 'c' } })).toEqual({ domain: 'https://auth.example.org', clientId: 'c' });
    expect(parseCognitoConfig({ cognito: { domain: 'http://auth.example.org', clientId: 'c' } })).toBeNull();
    expect(parseCognitoConfig({})).toBeNull();
    expect(parseCognitoConfig(null)).toBeNull();
  });
});
