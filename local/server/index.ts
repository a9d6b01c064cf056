/**
 * The local dashboard server behind `radiomics serve`: the results API under /api and the built web page
 * from web/dist, on 127.0.0.1 by default, with a bearer token printed at start-up.
 *
 * The API is the same router that the cloud's Lambda runs. This file turns Node.js requests into
 * ApiRequests and back. It serves static files with a strict Content-Security-Policy, which allows no
 * request to any other origin.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

import { createResultsApi, type ApiRequest, type CallerIdentity, type ResultsApiOptions } from '@radiomics/core/api';

import { TokenAuthenticator } from './auth';

export interface DashboardServerOptions extends ResultsApiOptions {
  /** Folder of the built web page (web/dist). */
  readonly staticDir: string;
  /** Bearer token → identity; the token printed at start-up maps to a coordinator. */
  readonly tokens: ReadonlyMap<string, CallerIdentity>;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
}

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Everything from this origin only; images may also be blob: URLs made from authenticated fetches. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function sendJsonError(response: ServerResponse, status: number, code: string, message: string, action: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify({ error: { code, message, action } }));
}

/** Resolves a URL path inside the static folder, or undefined when it would leave it or names no file. */
function staticFile(staticDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const root = resolve(staticDir);
  const candidate = resolve(root, `.${normalize(`/${decoded}`)}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const log = options.log ?? ((entry: Record<string, unknown>) => console.error(JSON.stringify({ timestamp: new Date().toISOString(), ...entry })));
  const api = createResultsApi({ ...options, log });
  const authenticator = new TokenAuthenticator(options.tokens);
  const host = options.host ?? '127.0.0.1';

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';

    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) query[name] = value;
      const apiRequest: ApiRequest = { method, path: url.pathname, query, caller: authenticator.identify(request.headers.authorization) };
      const result = await api(apiRequest);
      response.writeHead(result.status, { ...SECURITY_HEADERS, ...result.headers });
      response.end(result.body);
      return;
    }

    if (method !== 'GET' && method !== 'HEAD') {
      sendJsonError(response, 405, 'REQUEST_INVALID', `Method ${method} is not allowed.`, 'Use GET.');
      return;
    }

    // Unknown paths without a file extension get the page itself, so a reload on a deep link still opens
    // the dashboard; a missing file (for example config.json, which only the cloud deployment has) is 404.
    const requested = staticFile(options.staticDir, url.pathname === '/' ? '/index.html' : url.pathname);
    const file = requested ?? (extname(url.pathname) === '' ? staticFile(options.staticDir, '/index.html') : undefined);
    if (!file) {
      sendJsonError(response, 404, 'FILE_NOT_FOUND', 'No such file in the dashboard page.', 'Check the address; "radiomics serve --rebuild" rebuilds the page.');
      return;
    }
    const cacheControl = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cacheControl });
    if (method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((thrown: unknown) => {
      log({ level: 'ERROR', message: 'Dashboard request failed', method: request.method, error: thrown instanceof Error ? thrown.message : String(thrown) });
      if (!response.headersSent) sendJsonError(response, 500, 'INTERNAL_ERROR', 'The dashboard server failed unexpectedly.', 'Report this to the platform team.');
      else response.destroy();
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

export { createAccessToken, TokenAuthenticator } from './auth';
export { ensureWebBuild, webBuildIsCurrent } from './web-build';

/** Folder of the dashboard sources, next to this repository's local/ folder. */
export const WEB_ROOT = join(resolve(import.meta.dirname, '..', '..'), 'web');
