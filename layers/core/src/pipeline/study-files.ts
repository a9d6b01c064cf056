/**
 * Reads an uploaded study from the blob store into memory: either the files under a folder prefix or the
 * entries of a zip archive (read with the safe archive reader, so unsafe paths and zip bombs are rejected).
 */
import { readZipArchive } from '../archive';
import { RadiomicsError } from '../errors';
import type { BlobStore } from './ports';

export interface StudyFile {
  /** Path relative to the study's top folder, forward slashes. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface StudyFiles {
  readonly files: readonly StudyFile[];
  /** Files dropped as archive clutter (`__MACOSX/`, `.DS_Store`, …). */
  readonly ignored: readonly string[];
}

/** Files of an upload with no pixel-bearing content that is never analysed. */
const CLUTTER = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\._[^/]*)$|(^|\/)__MACOSX\//;

export async function readStudyFiles(blobs: BlobStore, uploadKey: string): Promise<StudyFiles> {
  if (uploadKey.endsWith('.zip')) {
    const archive = await blobs.get(uploadKey);
    const contents = readZipArchive(archive, uploadName(uploadKey));
    return { files: contents.entries, ignored: contents.ignored };
  }

  if (!uploadKey.endsWith('/')) {
    throw new RadiomicsError('INTERNAL_ERROR', 'An upload key must name a .zip archive or a folder prefix ending in "/".');
  }
  const objects = await blobs.list(uploadKey);
  if (objects.length === 0) {
    throw new RadiomicsError('FILE_NOT_FOUND', 'The study upload is empty: no files were found under its folder.');
  }

  const ignored = objects.map((object) => object.key.slice(uploadKey.length)).filter((path) => CLUTTER.test(path));
  const wanted = objects.filter((object) => !CLUTTER.test(object.key.slice(uploadKey.length)));

  // Reads run a few at a time: a CT series is hundreds of small objects, and S3 latency dominates one by one.
  const files: StudyFile[] = new Array(wanted.length);
  let next = 0;
  const readers = Array.from({ length: Math.min(PARALLEL_READS, wanted.length) }, async () => {
    while (next < wanted.length) {
      const index = next++;
      const object = wanted[index];
      files[index] = { path: object.key.slice(uploadKey.length), bytes: await blobs.get(object.key) };
    }
  });
  await Promise.all(readers);
  return { files, ignored };
}

/** Objects read concurrently from the blob store. */
const PARALLEL_READS = 16;

/** Returns the last segment of an upload key for messages: the study id the site chose, never a patient name. */
function uploadName(uploadKey: string): string {
  return uploadKey.split('/').filter(Boolean).pop() ?? uploadKey;
}

/** Files under `folder` (a study-relative folder path; '' is the whole study). */
export function filesUnder(files: readonly StudyFile[], folder: string): StudyFile[] {
  if (folder === '' || folder === '.') return [...files];
  const prefix = folder.endsWith('/') ? folder : `${folder}/`;
  return files.filter((file) => file.path.startsWith(prefix));
}

/**
 * Returns the file at `path`. `description` names it in the error (for example 'the mask of lesion "gtv-1"'):
 * upload paths can carry identifying names, so they never appear in messages.
 */
export function findFile(files: readonly StudyFile[], path: string, description: string): StudyFile {
  const file = files.find((candidate) => candidate.path === path);
  if (!file) throw new RadiomicsError('FILE_NOT_FOUND', `The study has no file at the path the manifest gives for ${description}.`);
  return file;
}
