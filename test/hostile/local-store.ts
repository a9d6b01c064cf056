// Helpers for reading back what a local run left in its store folder.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { MaterialisedCase } from './corpus/build-corpus';

/** Extraction settings with only the feature classes the demo model reads, so small studies run fast. */
export const FAST_PARAMS_PATH = fileURLToPath(new URL('./corpus/fast-params.yaml', import.meta.url));

export function readJsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function* walk(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Lists every file of a folder as a path relative to it (forward slashes) with its bytes. */
export function filesOf(folder: string): { path: string; bytes: Uint8Array }[] {
  return [...walk(folder)].map((absolute) => ({ path: relative(folder, absolute).split(sep).join('/'), bytes: new Uint8Array(readFileSync(absolute)) }));
}

/** The blobs an upload must consist of: the zip at the upload key, or each study file under the folder prefix. */
export function uploadedFilesOf(entry: Pick<MaterialisedCase, 'path'>, uploadKey: string): { key: string; bytes: Uint8Array }[] {
  if (uploadKey.endsWith('.zip')) return [{ key: uploadKey, bytes: new Uint8Array(readFileSync(entry.path)) }];
  return filesOf(entry.path).map((file) => ({ key: `${uploadKey}${file.path}`, bytes: file.bytes }));
}
