/**
 * Finds the studies behind the paths given to `radiomics run`: a study folder, a zip archive, or a folder of
 * studies (at any depth, for example `examples/<site>/<study>/`).
 *
 * A folder is one study when it contains manifest.json. Otherwise it is a folder of studies when any child is a
 * study (a manifest folder or a zip) or when two or more children each contain a CT DICOM series. A folder whose
 * only content is one subfolder with a study-like name (not `dicom`, `ct`, `images`, …) wraps that study. Failing
 * all of that, a folder that contains DICOM files is one study whose layout the workflow infers.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';

import dicomParser from 'dicom-parser';

import { RadiomicsError, readZipArchive } from '@radiomics/core';

export interface DiscoveredStudy {
  readonly kind: 'folder' | 'zip';
  /** Absolute path of the study folder or zip. */
  readonly path: string;
  /** Study id proposed from the folder or zip name, made safe; the manifest's id wins when there is one. */
  readonly proposedStudyId: string;
  readonly manifest?: { readonly siteId?: unknown; readonly studyId?: unknown };
}

/** Folder names that sites use for the parts of one study, never for a study itself. */
const DATA_FOLDER_NAMES = new Set([
  'dicom', 'dcm', 'ct', 'image', 'images', 'img', 'series', 'scan', 'scans',
  'mask', 'masks', 'label', 'labels', 'seg', 'segmentation', 'segmentations', 'rt', 'rtstruct', 'rtss', 'contours',
  'nifti', 'nii', 'nrrd', 'data',
]);

const IGNORED_NAMES = new Set(['.DS_Store', 'Thumbs.db', '__MACOSX', 'node_modules', '.git', '.radiomics']);

export function discoverStudies(paths: readonly string[]): DiscoveredStudy[] {
  const studies: DiscoveredStudy[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new RadiomicsError('FILE_NOT_FOUND', `The path ${path} does not exist.`);
    }
    if (stats.isFile()) {
      if (!absolute.toLowerCase().endsWith('.zip')) {
        throw new RadiomicsError('UNSUPPORTED_FILE_FORMAT', `${path} is a file but not a .zip archive; pass a study folder, a zip or a folder of studies.`);
      }
      studies.push(zipStudy(absolute));
    } else {
      collectFolder(absolute, studies);
    }
  }

  const seen = new Set<string>();
  return studies.filter((study) => !seen.has(study.path) && seen.add(study.path));
}

function collectFolder(folder: string, studies: DiscoveredStudy[]): void {
  const manifest = readManifest(folder);
  if (manifest !== undefined) {
    studies.push({ kind: 'folder', path: folder, proposedStudyId: safeId(basename(folder)), manifest });
    return;
  }

  const children = listChildren(folder);
  const childStudies: DiscoveredStudy[] = [];
  for (const child of children) {
    if (child.isFile && child.name.toLowerCase().endsWith('.zip')) childStudies.push(zipStudy(child.path));
  }
  const childFolders = children.filter((child) => !child.isFile);
  const folderHoldsStudies = childFolders.some((child) => containsManifestOrZip(child.path));
  const ctChildren = childFolders.filter((child) => containsCtDicom(child.path));

  const onlyChild = children.length === 1 && childFolders.length === 1 ? childFolders[0] : undefined;
  const wrapsOneStudy = onlyChild !== undefined && !DATA_FOLDER_NAMES.has(onlyChild.name.toLowerCase());

  if (childStudies.length > 0 || folderHoldsStudies || ctChildren.length >= 2 || wrapsOneStudy) {
    studies.push(...childStudies);
    for (const child of childFolders) collectFolder(child.path, studies);
    return;
  }
  if (containsDicom(folder)) {
    studies.push({ kind: 'folder', path: folder, proposedStudyId: safeId(basename(folder)) });
  }
}

function zipStudy(path: string): DiscoveredStudy {
  const manifest = readZipManifest(path);
  return { kind: 'zip', path, proposedStudyId: safeId(basename(path).replace(/\.zip$/i, '')), ...(manifest ? { manifest } : {}) };
}

/**
 * Reads the site and study ids from the manifest.json at the top of an archive, through the safe archive reader
 * (its limits count inflated bytes, so an archive that understates its sizes is stopped). Any problem leaves the
 * ids to the defaults, and the workflow then reports the archive's error on the study.
 */
function readZipManifest(path: string): { siteId?: unknown; studyId?: unknown } | undefined {
  try {
    const { entries } = readZipArchive(new Uint8Array(readFileSync(path)), basename(path));
    const manifest = entries.find((entry) => entry.path === 'manifest.json');
    if (!manifest) return undefined;
    const parsed = JSON.parse(new TextDecoder().decode(manifest.bytes)) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as { siteId?: unknown; studyId?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function readManifest(folder: string): { siteId?: unknown; studyId?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, 'manifest.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as { siteId?: unknown; studyId?: unknown }) : {};
  } catch {
    // The workflow reports the invalid manifest with MANIFEST_INVALID; discovery only needs to know it exists.
    return {};
  }
}

interface Child {
  readonly name: string;
  readonly path: string;
  readonly isFile: boolean;
}

function listChildren(folder: string): Child[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !IGNORED_NAMES.has(entry.name) && !entry.name.startsWith('._'))
    .filter((entry) => entry.isFile() || entry.isDirectory())
    .map((entry) => ({ name: entry.name, path: join(folder, entry.name), isFile: entry.isFile() }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function* walkFiles(folder: string): Generator<string> {
  for (const child of listChildren(folder)) {
    if (child.isFile) yield child.path;
    else yield* walkFiles(child.path);
  }
}

function containsManifestOrZip(folder: string): boolean {
  if (readManifest(folder) !== undefined) return true;
  for (const file of walkFiles(folder)) {
    if (file.toLowerCase().endsWith('.zip') || basename(file) === 'manifest.json') return true;
  }
  return false;
}

/** Reads the first 132 bytes of a file: enough for the DICOM preamble, without reading pixel data. */
function readPreamble(file: string): Uint8Array | undefined {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    const bytes = new Uint8Array(132);
    const length = readSync(descriptor, bytes, 0, 132, 0);
    return bytes.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function isDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function containsDicom(folder: string): boolean {
  for (const file of walkFiles(folder)) {
    const bytes = readPreamble(file);
    if (bytes && isDicom(bytes)) return true;
  }
  return false;
}

function containsCtDicom(folder: string): boolean {
  for (const file of walkFiles(folder)) {
    const preamble = readPreamble(file);
    if (!preamble || !isDicom(preamble)) continue;
    try {
      const dataSet = dicomParser.parseDicom(new Uint8Array(readFileSync(file)), { untilTag: 'x7fe00010' });
      if ((dataSet.string('x00080060') ?? '').trim().toUpperCase() === 'CT') return true;
    } catch {
      // Not parsable: not evidence of a CT series.
    }
  }
  return false;
}

/** Makes a safe id (letters, digits, '.', '_', '-'; at most 64 characters) from a file or folder name. */
export function safeId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return id.length > 0 ? id : 'study';
}

/** Files of a study folder as study-relative paths, sorted, clutter excluded. */
export function studyFolderFiles(folder: string): { path: string; absolute: string }[] {
  return [...walkFiles(folder)].map((absolute) => ({ path: relative(folder, absolute).split(sep).join('/'), absolute }));
}

/** Content fingerprint of a study: SHA-256 over each file's relative path and content, in path order. */
export function fingerprintFiles(files: readonly { path: string; bytes: Uint8Array }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    hash.update(file.path).update('\0').update(createHash('sha256').update(file.bytes).digest()).update('\0');
  }
  return hash.digest('hex');
}
