/**
 * Safe reading of study archives (zip).
 *
 * Sites upload a study as one zip archive. An archive is untrusted input, so this reader:
 * - parses the central directory itself, because only it carries the Unix mode bits that mark links;
 * - rejects entries with absolute paths, drive letters, `..` segments, links or encryption (ARCHIVE_UNSAFE_PATH
 *   or ARCHIVE_INVALID), so nothing can be written outside the study's work area;
 * - counts the bytes it inflates and stops as soon as a limit is passed (ARCHIVE_TOO_LARGE), so an archive whose
 *   headers understate the sizes (a zip bomb) cannot exhaust memory;
 * - drops ordinary clutter (`__MACOSX/`, `.DS_Store`, `Thumbs.db`, AppleDouble `._*` files) and one top folder
 *   shared by every entry.
 */
import { Inflate } from 'fflate';

import { RadiomicsError } from '../errors';

export interface ArchiveLimits {
  /** Maximum number of entries, folders included. */
  readonly maxEntries: number;
  /** Maximum total inflated size of all files, in bytes. */
  readonly maxTotalBytes: number;
  /** Maximum inflated size of one file, in bytes. */
  readonly maxEntryBytes: number;
  /**
   * Maximum ratio of inflated to compressed size over the whole archive, checked once more than
   * `ratioCheckFloorBytes` have been inflated (small archives of sparse masks compress very well).
   */
  readonly maxCompressionRatio: number;
  readonly ratioCheckFloorBytes: number;
}

/**
 * Defaults sized for one CT study: a 1,000-slice 512 × 512 series is about 0.5 GiB. The total stays well
 * below the memory of the function that reads archives, because the archive and its contents are both held.
 */
export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 10_000,
  maxTotalBytes: 1024 ** 3,
  maxEntryBytes: 512 * 1024 ** 2,
  maxCompressionRatio: 1_000,
  ratioCheckFloorBytes: 64 * 1024 ** 2,
};

export interface ArchiveEntry {
  /** Path inside the study, forward slashes, no leading top folder. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface ArchiveContents {
  readonly entries: ArchiveEntry[];
  /** Paths dropped as clutter, for the record of what was inferred. */
  readonly ignored: string[];
}

interface CentralDirectoryEntry {
  readonly rawName: string;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly declaredSize: number;
  readonly localHeaderOffset: number;
  readonly unixMode: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const ZIP64_MARKER = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Reads every file of a zip archive into memory, enforcing `limits`; `archiveName` appears in messages. */
export function readZipArchive(
  bytes: Uint8Array,
  archiveName: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): ArchiveContents {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const directory = readCentralDirectory(view, archiveName, limits);

  const files: ArchiveEntry[] = [];
  const ignored: string[] = [];
  let inflatedTotal = 0;
  let compressedTotal = 0;

  for (const entry of directory) {
    const path = normaliseEntryPath(entry, archiveName);
    if (path.endsWith('/')) continue;
    if (isClutter(path)) {
      ignored.push(path);
      continue;
    }

    // The ratio is checked while inflating, over everything inflated so far, so one entry of zeros padded
    // with incompressible bytes cannot grow far past the limit before it is caught.
    const compressedSoFar = compressedTotal + entry.compressedSize;
    const inflatedBefore = inflatedTotal;
    const checkProgress = (entryBytes: number): void =>
      checkCompressionRatio(inflatedBefore + entryBytes, compressedSoFar, archiveName, limits);

    const data = extractEntry(view, bytes, entry, path, archiveName, limits, limits.maxTotalBytes - inflatedTotal, checkProgress);
    inflatedTotal += data.byteLength;
    compressedTotal = compressedSoFar;
    files.push({ path, bytes: data });
  }

  return { entries: stripSharedTopFolder(files), ignored };
}

function readCentralDirectory(view: DataView, archiveName: string, limits: ArchiveLimits): CentralDirectoryEntry[] {
  const endOffset = findEndOfCentralDirectory(view);
  if (endOffset < 0) {
    throw invalid(archiveName, 'the end-of-central-directory record was not found, so the file is not a zip archive or is truncated');
  }

  const entryCount = view.getUint16(endOffset + 10, true);
  const directorySize = view.getUint32(endOffset + 12, true);
  const directoryOffset = view.getUint32(endOffset + 16, true);
  if (entryCount === 0xffff || directoryOffset === ZIP64_MARKER) {
    throw invalid(archiveName, 'ZIP64 archives are not supported; split the study into archives under 4 GB');
  }
  if (entryCount > limits.maxEntries) {
    throw new RadiomicsError(
      'ARCHIVE_TOO_LARGE',
      `Archive ${archiveName} has ${entryCount} entries; at most ${limits.maxEntries} are accepted.`,
      { details: { entryCount, maxEntries: limits.maxEntries } },
    );
  }
  if (directoryOffset + directorySize > endOffset) {
    throw invalid(archiveName, 'the central directory lies outside the file');
  }

  const entries: CentralDirectoryEntry[] = [];
  let offset = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    if (offset + 46 > endOffset || view.getUint32(offset, true) !== CENTRAL_DIRECTORY_HEADER) {
      throw invalid(archiveName, `central directory entry ${index + 1} is damaged`);
    }
    const versionMadeBy = view.getUint16(offset + 4, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const externalAttributes = view.getUint32(offset + 38, true);
    const nameBytes = new Uint8Array(view.buffer, view.byteOffset + offset + 46, Math.min(nameLength, endOffset - offset - 46));

    // Unix hosts (version made by, high byte 3) keep the file mode in the upper 16 bits of the attributes.
    const madeOnUnix = versionMadeBy >> 8 === 3;
    entries.push({
      rawName: new TextDecoder('utf-8', { fatal: false }).decode(nameBytes),
      flags: view.getUint16(offset + 8, true),
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      declaredSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
      unixMode: madeOnUnix ? externalAttributes >>> 16 : 0,
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the end of the file.
  const earliest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let offset = view.byteLength - 22; offset >= earliest; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) return offset;
  }
  return -1;
}

function normaliseEntryPath(entry: CentralDirectoryEntry, archiveName: string): string {
  const name = entry.rawName.replaceAll('\\', '/');
  const unsafe = (reason: string): RadiomicsError =>
    new RadiomicsError('ARCHIVE_UNSAFE_PATH', `Archive ${archiveName} has an entry ${reason}; such entries are never extracted.`, {
      details: { reason },
    });

  if ((entry.unixMode & S_IFMT) === S_IFLNK) throw unsafe('that is a symbolic link');
  if (name.includes('\0')) throw unsafe('whose name contains a NUL character');
  if (name.startsWith('/')) throw unsafe('with an absolute path');
  // A drive letter is checked in every segment, because removing a shared top folder can bring it to the front.
  if (name.split('/').some((segment) => /^[A-Za-z]:/.test(segment))) throw unsafe('with a drive letter');
  if (name.split('/').includes('..')) throw unsafe('with a ".." path segment');
  if (name.length === 0) throw unsafe('with an empty name');

  return name.split('/').filter((segment) => segment !== '.' && segment !== '').join('/') + (name.endsWith('/') ? '/' : '');
}

function isClutter(path: string): boolean {
  const segments = path.split('/');
  const fileName = segments[segments.length - 1] ?? '';
  return (
    segments.includes('__MACOSX') ||
    fileName === '.DS_Store' ||
    fileName === 'Thumbs.db' ||
    fileName === 'desktop.ini' ||
    fileName.startsWith('._')
  );
}

function extractEntry(
  view: DataView,
  bytes: Uint8Array,
  entry: CentralDirectoryEntry,
  path: string,
  archiveName: string,
  limits: ArchiveLimits,
  remainingTotal: number,
  checkProgress: (entryBytes: number) => void,
): Uint8Array {
  if (entry.flags & 0x1) {
    throw invalid(archiveName, `entry ${path} is encrypted; upload an archive without a password`);
  }
  if (entry.compressedSize === ZIP64_MARKER || entry.declaredSize === ZIP64_MARKER || entry.localHeaderOffset === ZIP64_MARKER) {
    throw invalid(archiveName, `entry ${path} uses ZIP64 sizes, which are not supported`);
  }

  const headerOffset = entry.localHeaderOffset;
  if (headerOffset + 30 > view.byteLength || view.getUint32(headerOffset, true) !== LOCAL_FILE_HEADER) {
    throw invalid(archiveName, `the local header of entry ${path} is missing or damaged`);
  }
  const dataOffset = headerOffset + 30 + view.getUint16(headerOffset + 26, true) + view.getUint16(headerOffset + 28, true);
  if (dataOffset + entry.compressedSize > view.byteLength) {
    throw invalid(archiveName, `entry ${path} extends past the end of the file; the archive is truncated`);
  }
  const compressed = bytes.subarray(dataOffset, dataOffset + entry.compressedSize);

  // The limit for this entry is whichever is smaller: the per-file limit or what is left of the total.
  const entryLimit = Math.min(limits.maxEntryBytes, remainingTotal);
  const tooLarge = (): RadiomicsError =>
    new RadiomicsError(
      'ARCHIVE_TOO_LARGE',
      `Archive ${archiveName} inflates past its size limits at entry ${path} (limit ${entryLimit} bytes for this entry, ${limits.maxTotalBytes} bytes in all).`,
      { details: { entry: path, maxEntryBytes: limits.maxEntryBytes, maxTotalBytes: limits.maxTotalBytes } },
    );

  if (entry.method === METHOD_STORED) {
    if (compressed.byteLength > entryLimit) throw tooLarge();
    checkProgress(compressed.byteLength);
    return compressed.slice();
  }
  if (entry.method !== METHOD_DEFLATED) {
    throw invalid(archiveName, `entry ${path} uses compression method ${entry.method}; only stored and deflated entries are supported`);
  }

  const corrupt = (): RadiomicsError => invalid(archiveName, `entry ${path} has corrupt deflate data`);
  return inflateWithLimit(compressed, entryLimit, tooLarge, corrupt, checkProgress);
}

/**
 * Inflates in chunks, counting the output, and throws as soon as it passes `limit`. `checkProgress` sees the
 * running output size after every chunk and throws to stop inflating.
 */
function inflateWithLimit(
  compressed: Uint8Array,
  limit: number,
  tooLarge: () => RadiomicsError,
  corrupt: () => RadiomicsError,
  checkProgress: (produced: number) => void,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let finished = false;
  const inflater = new Inflate((chunk, final) => {
    produced += chunk.byteLength;
    if (produced > limit) throw tooLarge();
    checkProgress(produced);
    chunks.push(chunk);
    if (final) finished = true;
  });

  // Deflate expands at most about 1,032 times, so 4 KiB of input yields at most about 4 MiB per callback.
  const inputChunk = 4 * 1024;
  try {
    for (let offset = 0; offset < compressed.byteLength; offset += inputChunk) {
      const end = Math.min(offset + inputChunk, compressed.byteLength);
      inflater.push(compressed.subarray(offset, end), end === compressed.byteLength);
    }
    if (compressed.byteLength === 0) inflater.push(new Uint8Array(0), true);
  } catch (thrown) {
    if (thrown instanceof RadiomicsError) throw thrown;
    throw corrupt();
  }
  if (!finished) throw corrupt();

  const output = new Uint8Array(produced);
  let position = 0;
  for (const chunk of chunks) {
    output.set(chunk, position);
    position += chunk.byteLength;
  }
  return output;
}

function checkCompressionRatio(inflated: number, compressed: number, archiveName: string, limits: ArchiveLimits): void {
  if (inflated <= limits.ratioCheckFloorBytes) return;
  const ratio = inflated / Math.max(compressed, 1);
  if (ratio > limits.maxCompressionRatio) {
    throw new RadiomicsError(
      'ARCHIVE_TOO_LARGE',
      `Archive ${archiveName} inflates ${ratio.toFixed(0)} times its compressed size; at most ${limits.maxCompressionRatio} is accepted.`,
      { details: { ratio, maxCompressionRatio: limits.maxCompressionRatio } },
    );
  }
}

/** Removes one top folder shared by every file (the folder that zip tools add around a study). */
function stripSharedTopFolder(entries: ArchiveEntry[]): ArchiveEntry[] {
  if (entries.length === 0) return entries;
  const firstSegment = entries[0]!.path.split('/')[0]!;
  const shared = entries.every((entry) => entry.path.startsWith(`${firstSegment}/`));
  if (!shared) return entries;
  return entries.map((entry) => ({ path: entry.path.slice(firstSegment.length + 1), bytes: entry.bytes }));
}

function invalid(archiveName: string, reason: string): RadiomicsError {
  return new RadiomicsError('ARCHIVE_INVALID', `Archive ${archiveName} cannot be read: ${reason}.`);
}
