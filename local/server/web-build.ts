/**
 * Builds the dashboard (web/) with Vite's JavaScript API when web/dist is missing or older than its sources,
 * so `radiomics serve` and the browser test work on a fresh clone without a separate build step.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WebBuildResult {
  readonly distDir: string;
  /** False when the existing build was newer than every source file. */
  readonly built: boolean;
}

const STAMP_FILE = '.build-stamp';

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Returns whether web/dist contains a build at least as new as every file under web/src and web/index.html. */
export function webBuildIsCurrent(webRoot: string): boolean {
  const stamp = join(webRoot, 'dist', STAMP_FILE);
  if (!existsSync(stamp)) return false;
  const sources = [join(webRoot, 'index.html'), join(webRoot, 'src')].filter((path) => existsSync(path));
  const newestSource = Math.max(...sources.map(newestMtime));
  return statSync(stamp).mtimeMs >= newestSource;
}

/**
 * Builds web/ into web/dist unless the build is current. The build goes to a temporary folder first and
 * replaces web/dist by a rename, so a server reading web/dist never reads a half-written build.
 */
export async function ensureWebBuild(webRoot: string, options: { force?: boolean } = {}): Promise<WebBuildResult> {
  const distDir = join(webRoot, 'dist');
  if (!options.force && webBuildIsCurrent(webRoot)) return { distDir, built: false };

  const { build } = await import('vite');
  const temporary = join(webRoot, `.dist-build-${process.pid}-${Date.now()}`);
  try {
    await build({
      root: webRoot,
      configFile: false,
      logLevel: 'warn',
      base: './',
      build: { outDir: temporary, emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0, modulePreload: { polyfill: false } },
    });
    writeFileSync(join(temporary, STAMP_FILE), new Date().toISOString());
    rmSync(distDir, { recursive: true, force: true });
    renameSync(temporary, distDir);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  return { distDir, built: true };
}
