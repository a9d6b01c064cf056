/**
 * Blob store over a local folder: each key is a relative file path under the root.
 *
 * Writes go to a temporary file that is renamed into place, so a reader never sees a half-written object,
 * and keys that would leave the root (absolute paths, `..` segments) are rejected.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';

import { RadiomicsError } from '@radiomics/core';
import type { BlobObject, BlobStore } from '@radiomics/core/pipeline/ports';

export class FolderBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Returns the file path of a key, rejecting keys that would resolve outside the root folder. */
  pathOf(key: string): string {
    if (key.length === 0 || key.startsWith('/') || key.split('/').some((segment) => segment === '..' || segment === '.')) {
      throw new RadiomicsError('INTERNAL_ERROR', `Blob key "${key}" is not a relative path inside the store.`);
    }
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) {
      throw new RadiomicsError('INTERNAL_ERROR', `Blob key "${key}" resolves outside the store.`);
    }
    return path;
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if (isMissing(error)) throw new RadiomicsError('FILE_NOT_FOUND', `Object "${key}" does not exist in the blob store.`);
      throw error;
    }
  }

  async put(key: string, body: Uint8Array | string, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<BlobObject[]> {
    // The listing starts at the deepest folder named by the prefix, then filters on the whole key.
    const slash = prefix.lastIndexOf('/');
    const folder = slash < 0 ? this.root : join(this.root, prefix.slice(0, slash));
    const objects: BlobObject[] = [];
    await this.walk(folder, objects);
    return objects.filter((object) => object.key.startsWith(prefix)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(sourceKey: string, targetKey: string): Promise<void> {
    const source = this.pathOf(sourceKey);
    const target = this.pathOf(targetKey);
    await mkdir(dirname(target), { recursive: true });
    try {
      await copyFile(source, target);
    } catch (error) {
      if (isMissing(error)) throw new RadiomicsError('FILE_NOT_FOUND', `Object "${sourceKey}" does not exist in the blob store.`);
      throw error;
    }
  }

  private async walk(folder: string, objects: BlobObject[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await this.walk(path, objects);
      } else if (entry.isFile() && !entry.name.endsWith('.partial')) {
        const key = relative(this.root, path).split(sep).join('/');
        objects.push({ key, size: (await stat(path)).size });
      }
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
