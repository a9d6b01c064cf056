// `radiomics serve`: the local dashboard and results API over the local store, on 127.0.0.1 by default.
import { resolve } from 'node:path';

import type { Command } from 'commander';

import { isSafeId, RadiomicsError } from '@radiomics/core';
import type { CallerIdentity } from '@radiomics/core/api';
import { loadOrRenderPreview } from '@radiomics/core/preview';

import { createAccessToken, ensureWebBuild, startDashboardServer, WEB_ROOT } from '../../local/server';
import { DEFAULT_STORE_DIR, openResultsStore } from './rescore';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RadiomicsError('REQUEST_INVALID', `Port ${value} is invalid; give an integer from 0 to 65535 (0 picks a free port).`);
  }
  return port;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve the dashboard and the results API over the local store; prints the address and an access token.')
    .option('--port <n>', 'TCP port (0 picks a free port)', parsePort, 8787)
    .option('--host <address>', 'address to listen on; other than 127.0.0.1 exposes the results to the network', '127.0.0.1')
    .option('--store <dir>', 'local store folder', DEFAULT_STORE_DIR)
    .option('--rebuild', 'rebuild the web page even when web/dist is current')
    .option('--site-token <siteIds...>', 'also print a site-user token for each site id, which sees only that site')
    .action(async (options: { port: number; host: string; store: string; rebuild?: boolean; siteToken?: string[] }) => {
      const build = await ensureWebBuild(WEB_ROOT, { force: options.rebuild === true });
      if (build.built) console.error('Built the dashboard page into web/dist.');

      const local = openResultsStore(resolve(options.store));
      const token = createAccessToken();
      const tokens = new Map<string, CallerIdentity>([[token, { role: 'coordinator', subject: 'local' }]]);
      const siteTokens: [string, string][] = [];
      for (const siteId of options.siteToken ?? []) {
        if (!isSafeId(siteId)) throw new RadiomicsError('REQUEST_INVALID', `Site id ${JSON.stringify(siteId)} is invalid; ids are 1-64 letters, digits, ".", "_" or "-".`);
        const siteToken = createAccessToken();
        tokens.set(siteToken, { role: 'site-user', siteId, subject: `local-${siteId}` });
        siteTokens.push([siteId, siteToken]);
      }
      const server = await startDashboardServer({
        store: local.results,
        blobs: local.blobs,
        renderPreview: (featureSet) => loadOrRenderPreview(local.blobs, featureSet),
        staticDir: build.distDir,
        tokens,
        host: options.host,
        port: options.port,
      });

      console.log(`Dashboard: ${server.url}`);
      console.log(`Access token: ${token}`);
      for (const [siteId, siteToken] of siteTokens) console.log(`Site token (${siteId}): ${siteToken}`);
      console.log('Sign in with the token; it is valid until this server stops. Press Ctrl+C to stop.');
      if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
        console.error(`Warning: listening on ${options.host}; anyone on the network with the token can read the results.`);
      }

      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      local.close();
    });
}
