import { describe, expect, it } from 'vitest';

import { apiRequestFromHttpEvent, callerFromClaims, groupsFromClaims, httpResultFromApiResponse } from '@radiomics/core/api';

describe('groupsFromClaims', () => {
  it.each([
    ['[coordinator site-user]', ['coordinator', 'site-user']],
    ['["site-user"]', ['site-user']],
    ['site-user', ['site-user']],
    ['[]', []],
  ])('reads %j', (raw, expected) => {
    expect(groupsFromClaims({ 'cognito:groups': raw })).toEqual(expected);
  });

  it('reads an array claim', () => {
    expect(groupsFromClaims({ 'cognito:groups': ['coordinator'] })).toEqual(['coordinator']);
  });
});

describe('callerFromClaims', () => {
  it('maps a coordinator', () => {
    expect(callerFromClaims({ sub: 'u1', 'cognito:groups': '[coordinator]' })).toEqual({ role: 'coordinator', subject: 'u1' });
  });

  it('maps a site user to its site', () => {
    expect(callerFromClaims({ sub: 'u2', 'cognito:groups': '[site-user]', 'custom:siteId': 'site-a' })).toEqual({ role: 'site-user', subject: 'u2', siteId: 'site-a' });
  });

  it('drops an invalid site id', () => {
    expect(callerFromClaims({ sub: 'u3', 'cognito:groups': '[site-user]', 'custom:siteId': '../b' })).toEqual({ role: 'site-user', subject: 'u3' });
  });

  it('gives no identity without a group', () => {
    expect(callerFromClaims({ sub: 'u4' })).toBeUndefined();
    expect(callerFromClaims(undefined)).toBeUndefined();
  });
});

describe('HTTP API conversion', () => {
  it('builds a request from an event', () => {
    const request = apiRequestFromHttpEvent({
      rawPath: '/api/studies',
      queryStringParameters: { site: 'site-a' },
      requestContext: { http: { method: 'GET', path: '/api/studies' }, authorizer: { jwt: { claims: { sub: 'u', 'cognito:groups': '[coordinator]' } } } },
    });

    expect(request).toEqual({ method: 'GET', path: '/api/studies', query: { site: 'site-a' }, caller: { role: 'coordinator', subject: 'u' } });
  });

  it('encodes binary bodies as base64', () => {
    const result = httpResultFromApiResponse({ status: 200, headers: { 'content-type': 'image/png' }, body: new Uint8Array([1, 2, 3]) });

    expect(result).toEqual({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: 'AQID', isBase64Encoded: true });
  });
});
