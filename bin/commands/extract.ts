// `radiomics extract`: PyRadiomics-compatible features of one lesion, or of every row of a batch CSV.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';

import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

import {
  extractFeatures,
  loadParamsFile,
  parseParams,
  RadiomicsError,
  readNifti,
  readNrrd,
  toRadiomicsError,
  type ExtractionResult,
  type ExtractionSettings,
  type ImageVolume,
} from '@radiomics/core';

import { PRODUCT_VERSION } from '../version';

interface ExtractCommandOptions {
  readonly image?: string;
  readonly mask?: string;
  readonly label?: string;
  readonly batch?: string;
  readonly params?: string;
  readonly format: string;
  readonly out: string;
  readonly provenance?: string;
}

interface Lesion {
  readonly image: string;
  readonly mask: string;
  readonly label?: number;
}

/** PyRadiomics' default extraction (Original image, all default features) when no parameter file is given. */
const DEFAULT_PARAMS = 'imageType:\n  Original: {}\n';

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description('Extract PyRadiomics-compatible features from an image and a lesion mask (NIfTI or NRRD), or from a batch CSV.')
    .option('--image <path>', 'CT image (.nii, .nii.gz or .nrrd)')
    .option('--mask <path>', 'label map on the image grid (.nii, .nii.gz or .nrrd)')
    .option('--label <n>', 'label value of the lesion in the mask (default: the label setting, 1)')
    .option('--batch <csv>', 'CSV with columns Image,Mask[,Label], one lesion per row; relative paths are read from the CSV folder')
    .option('--params <file>', 'PyRadiomics parameter file (YAML); default: Original image, all default features')
    .option('--format <format>', 'output format: csv or json', 'csv')
    .option('--out <file>', 'output file, or - for standard output', '-')
    .option('--provenance <file>', 'also write the provenance of each extraction (versions, settings hash, input hashes) as JSON')
    .action((options: ExtractCommandOptions) => runExtract(options));
}

function runExtract(options: ExtractCommandOptions): void {
  if (options.format !== 'csv' && options.format !== 'json') {
    throw new RadiomicsError('DATA_INVALID', `--format must be csv or json, not "${options.format}".`);
  }
  const lesions = options.batch ? readBatch(options.batch) : [singleLesion(options)];
  const settings: ExtractionSettings = options.params ? loadParamsFile(options.params) : parseParams(DEFAULT_PARAMS, 'default settings');

  const bar = options.batch && process.stderr.isTTY ? new SingleBar({ format: 'extract [{bar}] {value}/{total} lesions', stream: process.stderr }) : null;
  bar?.start(lesions.length, 0);

  const results: { lesion: Lesion; result: ExtractionResult }[] = [];
  const failures: string[] = [];
  lesions.forEach((lesion, index) => {
    try {
      const image = readVolumeFile(lesion.image, 'image');
      const mask = readVolumeFile(lesion.mask, 'mask');
      results.push({ lesion, result: extractFeatures(image, mask, settings, { label: lesion.label, productVersion: PRODUCT_VERSION }) });
    } catch (thrown) {
      if (!options.batch) throw thrown;
      const error = toRadiomicsError(thrown);
      failures.push(`row ${index + 1}: ${error.code}: ${error.message}`);
    }
    bar?.increment();
  });
  bar?.stop();

  const text = options.format === 'json' ? formatJson(results, Boolean(options.batch)) : formatCsv(results);
  if (options.out === '-') process.stdout.write(text);
  else writeFileSync(options.out, text);
  if (options.provenance) {
    const provenance = results.map(({ lesion, result }) => ({ image: basename(lesion.image), mask: basename(lesion.mask), ...result.provenance }));
    writeFileSync(options.provenance, `${JSON.stringify(options.batch ? provenance : provenance[0], null, 2)}\n`);
  }

  if (failures.length > 0) {
    for (const failure of failures) console.error(`radiomics extract: ${failure}`);
    console.error(`radiomics extract: ${failures.length} of ${lesions.length} lesions failed; the output contains the others.`);
    process.exitCode = 2;
  }
}

function singleLesion(options: ExtractCommandOptions): Lesion {
  if (!options.image || !options.mask) {
    throw new RadiomicsError('DATA_INVALID', 'Give --image and --mask, or --batch with a CSV of Image,Mask[,Label] rows.');
  }
  return { image: options.image, mask: options.mask, label: options.label === undefined ? undefined : parseLabel(options.label, '--label') };
}

function parseLabel(text: string, where: string): number {
  const label = Number(text);
  if (!Number.isInteger(label) || label < 1) throw new RadiomicsError('DATA_INVALID', `${where} must be a positive integer label, not "${text}".`);
  return label;
}

/** Reads a batch CSV in PyRadiomics' form: a header with Image and Mask (and optionally Label) columns. */
function readBatch(path: string): Lesion[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RadiomicsError('FILE_NOT_FOUND', `Batch file ${path} could not be read.`, { cause: error });
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length < 2) throw new RadiomicsError('DATA_INVALID', `Batch file ${path} needs a header row and at least one lesion row.`);
  const header = splitCsvLine(lines[0]).map((cell) => cell.trim());
  const imageColumn = header.indexOf('Image');
  const maskColumn = header.indexOf('Mask');
  const labelColumn = header.indexOf('Label');
  if (imageColumn < 0 || maskColumn < 0) {
    throw new RadiomicsError('DATA_INVALID', `Batch file ${path} must have Image and Mask columns; its header is ${header.join(', ')}.`);
  }
  const folder = dirname(path);
  const locate = (cell: string): string => (isAbsolute(cell) ? cell : resolve(folder, cell));
  return lines.slice(1).map((line, index) => {
    const cells = splitCsvLine(line).map((cell) => cell.trim());
    const labelText = labelColumn >= 0 ? cells[labelColumn] : '';
    return {
      image: locate(cells[imageColumn] ?? ''),
      mask: locate(cells[maskColumn] ?? ''),
      label: labelText ? parseLabel(labelText, `${path} row ${index + 1} Label`) : undefined,
    };
  });
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quoted && char === '"' && line[index + 1] === '"') {
      cell += '"';
      index++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells;
}

/**
 * Reads a NIfTI or NRRD volume; DICOM input goes through `radiomics run` with a study manifest. Messages name
 * the role (image or mask), never the file, because file names of patient data can identify the patient.
 */
function readVolumeFile(path: string, role: 'image' | 'mask'): ImageVolume {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'read error';
    throw new RadiomicsError('FILE_NOT_FOUND', `The ${role} file could not be read (${reason}); check the --${role} path or the batch row.`, { cause: error });
  }
  const name = path.toLowerCase();
  if (name.endsWith('.nii') || name.endsWith('.nii.gz')) return readNifti(bytes, `${role}${name.endsWith('.gz') ? '.nii.gz' : '.nii'}`);
  if (name.endsWith('.nrrd')) return readNrrd(bytes, `${role}.nrrd`);
  throw new RadiomicsError('UNSUPPORTED_FILE_FORMAT', `The ${role} file is not NIfTI (.nii, .nii.gz) or NRRD (.nrrd).`);
}

/** Formats a number as PyRadiomics writes it: shortest round-trip decimal, independent of the locale; NaN as nan. */
function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

function quoteCsv(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

function formatCsv(results: { lesion: Lesion; result: ExtractionResult }[]): string {
  if (results.length === 0) return '';
  const names = Object.keys(results[0].result.features);
  const rows = [['Image', 'Mask', 'Label', ...names].map(quoteCsv).join(',')];
  for (const { lesion, result } of results) {
    const cells = [lesion.image, lesion.mask, String(result.provenance.label), ...names.map((name) => formatNumber(result.features[name]))];
    rows.push(cells.map(quoteCsv).join(','));
  }
  return `${rows.join('\n')}\n`;
}

function formatJson(results: { lesion: Lesion; result: ExtractionResult }[], batch: boolean): string {
  // JSON has no NaN; a feature PyRadiomics reports as nan becomes null.
  const replacer = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? null : value);
  if (!batch) return `${JSON.stringify(results[0]?.result.features ?? {}, replacer, 2)}\n`;
  const rows = results.map(({ lesion, result }) => ({ Image: lesion.image, Mask: lesion.mask, Label: result.provenance.label, features: result.features }));
  return `${JSON.stringify(rows, replacer, 2)}\n`;
}
