import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDashboardServer, TokenAuthenticator, type DashboardServer } from '../../local/server';
import { MemoryBlobStore, MemoryResultStore, seedResults } from '../helpers/memory-result-store';

const TOKEN = 'local-test-token';
const SITE_TOKEN = 'site-b-token';

let server: DashboardServer;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'dashboard-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(tmpdir(), 'outside-static.txt'), 'secret');

  const store = new MemoryResultStore();
  const blobs = new MemoryBlobStore();
  await seedResults(store, blobs);
  server = await startDashboardServer({
    store,
    blobs,
    staticDir,
    tokens: new Map([
      [TOKEN, { role: 'coordinator' as const, subject: 'local' }],
      [SITE_TOKEN, { role: 'site-user' as const, siteId: 'site-b', subject: 'site-b-user' }],
    ]),
    port: 0,
    log: () => {},
  });
});

afterAll(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});

const get = (path: string, token?: string) => fetch(new URL(path, server.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('local dashboard server', () => {
  it('listens on 127.0.0.1 by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('requires the bearer token', async () => {
    const anonymous = await get('/api/studies');
    const wrong = await get('/api/studies', 'not-the-token');
    const signedIn = await get('/api/studies', TOKEN);

    expect(anonymous.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(signedIn.status).toBe(200);
    expect((await signedIn.json()).items).toHaveLength(4);
  });

  it('applies the site scope of a token', async () => {
    const response = await get('/api/studies', SITE_TOKEN);
    const other = await get('/api/studies/site-a/study-001', SITE_TOKEN);

    expect((await response.json()).items.map((study: { siteId: string }) => study.siteId)).toEqual(['site-b']);
    expect(other.status).toBe(404);
  });

  it('serves the page with a strict policy', async () => {
    const response = await get('/');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves assets and falls back to the page', async () => {
    const asset = await get('/assets/app.js');
    const deepLink = await get('/studies/site-a');

    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(await asset.text()).toBe('console.log(1);');
    expect(await deepLink.text()).toContain('<title>dashboard</title>');
  });

  it('answers 404 for a missing file', async () => {
    const response = await get('/config.json');

    expect(response.status).toBe(404);
  });

  it('never serves files outside the page folder', async () => {
    for (const path of ['/../outside-static.txt', '/%2e%2e/outside-static.txt', '/assets/..%2f..%2foutside-static.txt']) {
      const response = await get(path);
      expect(await response.text()).not.toContain('secret');
    }
  });

  it('rejects writes', async () => {
    const response = await fetch(new URL('/index.html', server.url), { method: 'POST' });

    expect(response.status).toBe(405);
  });
});

describe('TokenAuthenticator', () => {
  it('matches only exact bearer tokens', () => {
    const authenticator = new TokenAuthenticator(new Map([['abc', { role: 'coordinator' as const, subject: 'x' }]]));

    expect(authenticator.identify('Bearer abc')?.role).toBe('coordinator');
    expect(authenticator.identify('bearer abc')?.role).toBe('coordinator');
    expect(authenticator.identify('Bearer abcd')).toBeUndefined();
    expect(authenticator.identify('abc')).toBeUndefined();
    expect(authenticator.identify(undefined)).toBeUndefined();
  });
});
