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
  toRadiomicsError,
  type ErrorCode,
  type ExtractionResult,
  type ExtractionSettings,
  type LoadedImage,
  type LoadedMask,
} from '@radiomics/core';

import { PRODUCT_VERSION } from '../version';
import { attributeError, loadImageInput, loadMaskInput } from './load-inputs';

interface ExtractCommandOptions {
  readonly image?: string;
  readonly mask?: string;
  readonly label?: string;
  readonly roi?: string;
  readonly series?: string;
  readonly batch?: string;
  readonly params?: string;
  readonly format: string;
  readonly out: string;
  readonly provenance?: string;
}

/** Origin of each input of a lesion, named in error messages: an option or a batch column. */
interface InputSources {
  readonly image: string;
  readonly mask: string;
  readonly label: string;
  readonly roi: string;
}

/** One lesion to extract: its input row as written (batch CSV or options) and the paths resolved from it. */
interface LesionRequest {
  /** Input columns in input order, with cell text as written; they lead the output row. */
  readonly cells: Record<string, string>;
  readonly imagePath: string;
  readonly maskPath: string;
  readonly labelText?: string;
  readonly roiName?: string;
  readonly sources: InputSources;
  /** Reason the batch row cannot be read (wrong number of cells), raised when the row is extracted. */
  readonly invalid?: string;
}

interface LesionOutcome {
  readonly request: LesionRequest;
  readonly label?: number;
  readonly result?: ExtractionResult;
  readonly error?: RadiomicsError;
}

/** PyRadiomics' default extraction (Original image, all default features) when no parameter file is given. */
const DEFAULT_PARAMS = 'imageType:\n  Original: {}\n';

/** Output column that carries a failed batch row's error code and message. */
const ERROR_COLUMN = 'error';

/** Optional batch column with the RTSTRUCT ROI name (or SEG segment label) of the row's lesion. */
const ROI_COLUMN = 'ROI';

const SINGLE_SOURCES: InputSources = { image: '--image', mask: '--mask', label: '--label', roi: '--roi' };

export function registerExtract(program: Command): void {
  program
    .command('extract')
    .description('Extract PyRadiomics-compatible features from a CT image and a lesion mask, or from every row of a batch CSV.')
    .option('--image <path>', 'CT image: a DICOM series folder, or a DICOM, NIfTI (.nii, .nii.gz) or NRRD file')
    .option('--mask <path>', 'lesion mask: NIfTI or NRRD label map on the image grid, or a DICOM RTSTRUCT or SEG file drawn on the CT')
    .option('--label <n>', 'label value of the lesion in the mask (default: the "label" setting of --params, which is 1 unless set; with --roi, 1)')
    .option(
      '--roi <name>',
      'RTSTRUCT ROI name or SEG segment label to extract, loaded as label 1. Without it, each ROI or segment takes its number as its label, and --label chooses one',
    )
    .option('--series <uid>', 'SeriesInstanceUID to load when the image folder holds several series')
    .option(
      '--batch <csv>',
      'CSV with columns Image,Mask[,Label][,ROI] and any others (ID, lesionId, patientId…), one lesion per row; relative paths are read from the CSV folder',
    )
    .option('--params <file>', 'PyRadiomics parameter file (YAML); default: Original image, all default features')
    .option('--format <format>', 'output format: csv or json', 'csv')
    .option('--out <file>', 'output file, or - for standard output', '-')
    .option('--provenance <file>', 'also write the provenance of each extraction (versions, settings hash, input hashes) as JSON')
    .action((options: ExtractCommandOptions) => runExtract(options));
}

async function runExtract(options: ExtractCommandOptions): Promise<void> {
  if (options.format !== 'csv' && options.format !== 'json') {
    throw new RadiomicsError('DATA_INVALID', `--format must be csv or json, not "${options.format}".`);
  }
  if (options.batch && (options.image || options.mask || options.label)) {
    throw new RadiomicsError('DATA_INVALID', '--batch takes image, mask and label from the CSV; leave out --image, --mask and --label.');
  }
  const batch = options.batch ? readBatch(options.batch, options) : undefined;
  const requests = batch ? batch.requests : [singleRequest(options)];
  const settings = loadSettings(options.params);

  const bar = batch && process.stderr.isTTY ? new SingleBar({ format: 'extract [{bar}] {value}/{total} lesions', stream: process.stderr }) : null;
  bar?.start(requests.length, 0);
  const loader = new InputCache(options.series);
  const outcomes: LesionOutcome[] = [];
  for (const request of requests) {
    try {
      outcomes.push(await extractLesion(request, settings, loader));
    } catch (thrown) {
      // A single lesion stops here with the error's exit status; a batch row is reported and the batch goes on.
      if (!batch) throw thrown;
      outcomes.push({ request, error: toRadiomicsError(thrown) });
    }
    bar?.increment();
  }
  bar?.stop();

  let text: string;
  if (batch) text = options.format === 'json' ? formatBatchJson(outcomes) : formatBatchCsv(batch.header, outcomes);
  else text = options.format === 'json' ? formatSingleJson(outcomes[0]) : formatSingleCsv(outcomes[0]);
  if (options.out === '-') process.stdout.write(text);
  else writeFileSync(options.out, text);
  if (options.provenance) writeProvenance(options.provenance, outcomes, Boolean(batch));

  const failures = outcomes.filter((outcome) => outcome.error);
  if (failures.length > 0) {
    for (const failure of failures) console.error(`radiomics extract: row ${requests.indexOf(failure.request) + 1}: ${errorText(failure.error!)}`);
    console.error(`radiomics extract: ${failures.length} of ${requests.length} lesions failed; the output has an ${ERROR_COLUMN} cell for each.`);
    process.exitCode = failures[0].error!.exitStatus;
  }
}

function loadSettings(params: string | undefined): ExtractionSettings {
  if (!params) return parseParams(DEFAULT_PARAMS, 'default settings');
  try {
    return loadParamsFile(params);
  } catch (thrown) {
    throw attributeError(thrown, '--params');
  }
}

function errorText(error: RadiomicsError): string {
  return `${error.code}: ${error.message}`;
}

function singleRequest(options: ExtractCommandOptions): LesionRequest {
  if (!options.image || !options.mask) {
    throw new RadiomicsError('DATA_INVALID', 'Give --image and --mask, or --batch with a CSV of Image,Mask[,Label] rows.');
  }
  const cells: Record<string, string> = { Image: options.image, Mask: options.mask };
  if (options.label !== undefined) cells.Label = options.label;
  return { cells, imagePath: options.image, maskPath: options.mask, labelText: options.label, roiName: options.roi, sources: SINGLE_SOURCES };
}

function parseLabel(text: string, source: string): number {
  const label = Number(text);
  if (text.trim() === '' || !Number.isInteger(label) || label < 1) {
    throw new RadiomicsError('DATA_INVALID', `${source}: the label must be a positive integer, not "${text}".`);
  }
  return label;
}

/**
 * Loads images and masks, keeping the last of each: batch rows often list several lesions of one CT, or several
 * labels of one mask, one after the other.
 */
class InputCache {
  private image?: { key: string; loaded: LoadedImage };
  private mask?: { key: string; loaded: LoadedMask };

  constructor(private readonly seriesInstanceUid: string | undefined) {}

  async loadImage(request: LesionRequest): Promise<LoadedImage> {
    const key = resolve(request.imagePath);
    if (this.image?.key !== key) {
      this.mask = undefined;
      const options = this.seriesInstanceUid ? { seriesInstanceUid: this.seriesInstanceUid } : {};
      this.image = { key, loaded: await loadImageInput(request.imagePath, request.sources.image, options) };
    }
    return this.image.loaded;
  }

  async loadMask(request: LesionRequest, image: LoadedImage): Promise<LoadedMask> {
    const key = `${resolve(request.maskPath)}\u0000${request.roiName ?? ''}`;
    if (this.mask?.key !== key) {
      const options = { roiName: request.roiName, roiSource: request.sources.roi };
      this.mask = { key, loaded: await loadMaskInput(request.maskPath, image.image, request.sources.mask, options) };
    }
    return this.mask.loaded;
  }
}

async function extractLesion(request: LesionRequest, settings: ExtractionSettings, loader: InputCache): Promise<LesionOutcome> {
  const { sources } = request;
  if (request.invalid) throw new RadiomicsError('DATA_INVALID', request.invalid);
  if (request.imagePath === '') throw new RadiomicsError('FILE_NOT_FOUND', `${sources.image}: the image path is empty.`);
  if (request.maskPath === '') throw new RadiomicsError('FILE_NOT_FOUND', `${sources.mask}: the mask path is empty.`);
  const explicitLabel = request.labelText === undefined || request.labelText.trim() === '' ? undefined : parseLabel(request.labelText, sources.label);
  // A named ROI or segment is loaded as label 1, whatever label the parameter file sets.
  const label = explicitLabel ?? (request.roiName === undefined ? undefined : 1);

  const image = await loader.loadImage(request);
  const mask = await loader.loadMask(request, image);
  if (request.roiName !== undefined && (mask.format === 'nifti' || mask.format === 'nrrd')) {
    const formatName = mask.format === 'nifti' ? 'NIfTI' : 'NRRD';
    throw new RadiomicsError('DATA_INVALID', `${sources.roi}: an ROI name selects an RTSTRUCT ROI or SEG segment, but the mask is a ${formatName} label map; give --label instead.`);
  }
  try {
    const result = extractFeatures(image.image, mask.mask, settings, { label, productVersion: PRODUCT_VERSION });
    return { request, label: result.provenance.label, result };
  } catch (thrown) {
    throw attributeError(thrown, extractionErrorSource(toRadiomicsError(thrown).code, request, explicitLabel !== undefined));
  }
}

/** Names the input an extraction error is about: the label for an absent or too small ROI, the mask for its grid. */
function extractionErrorSource(code: ErrorCode, request: LesionRequest, explicitLabel: boolean): string {
  const { sources } = request;
  if (code === 'LABEL_NOT_FOUND' || code === 'ROI_TOO_SMALL') {
    if (explicitLabel) return sources.label;
    return request.roiName === undefined ? `${sources.label} (default from the label setting)` : sources.roi;
  }
  if (code === 'EMPTY_ROI' || code === 'GEOMETRY_MISMATCH' || code === 'NON_INTEGER_LABELS') return sources.mask;
  if (code === 'SETTINGS_INVALID') return '--params';
  return `${sources.image} with ${sources.mask}`;
}

interface Batch {
  /** Input columns in the order of the CSV header. */
  readonly header: string[];
  readonly requests: LesionRequest[];
}

/**
 * Reads a batch CSV in PyRadiomics' form: a header with Image and Mask columns, optionally Label, ROI and any
 * other columns, which are copied to the output. A row with the wrong number of cells fails alone, at extraction.
 */
function readBatch(path: string, options: ExtractCommandOptions): Batch {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? 'read error';
    throw new RadiomicsError('FILE_NOT_FOUND', `--batch: the batch CSV could not be read (${reason}).`, { cause });
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0);
  if (lines.length < 2) throw new RadiomicsError('DATA_INVALID', '--batch: the batch CSV needs a header row and at least one lesion row.');
  const header = splitCsvLine(lines[0]).map((cell) => cell.trim());
  if (!header.includes('Image') || !header.includes('Mask')) {
    throw new RadiomicsError('DATA_INVALID', `--batch: the batch CSV must have Image and Mask columns; its header is ${header.join(', ')}.`);
  }
  if (header.includes(ERROR_COLUMN)) {
    throw new RadiomicsError('DATA_INVALID', `--batch: the column name "${ERROR_COLUMN}" is reserved for extraction errors; rename that column.`);
  }
  const duplicated = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicated !== undefined) throw new RadiomicsError('DATA_INVALID', `--batch: the column "${duplicated}" appears twice in the header.`);

  const folder = dirname(path);
  const locate = (cell: string): string => (cell === '' || isAbsolute(cell) ? cell : resolve(folder, cell));
  const requests = lines.slice(1).map((line, index): LesionRequest => {
    const values = splitCsvLine(line).map((cell) => cell.trim());
    const cells = Object.fromEntries(header.map((name, column) => [name, values[column] ?? '']));
    const row = `batch row ${index + 1}`;
    const roiCell = cells[ROI_COLUMN] ?? '';
    const sources: InputSources = {
      image: `${row}, Image column`,
      mask: `${row}, Mask column`,
      label: `${row}, Label column`,
      roi: roiCell !== '' ? `${row}, ${ROI_COLUMN} column` : '--roi',
    };
    const request: LesionRequest = {
      cells,
      imagePath: locate(cells.Image),
      maskPath: locate(cells.Mask),
      labelText: cells.Label,
      roiName: roiCell !== '' ? roiCell : options.roi,
      sources,
    };
    if (values.length === header.length) return request;
    return { ...request, invalid: `${row}: the row has ${values.length} cells but the header has ${header.length}.` };
  });
  return { header, requests };
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

function csvText(rows: string[][]): string {
  return `${rows.map((row) => row.map(quoteCsv).join(',')).join('\n')}\n`;
}

function featureNamesOf(outcomes: LesionOutcome[]): string[] {
  const first = outcomes.find((outcome) => outcome.result);
  return first?.result ? Object.keys(first.result.features) : [];
}

function formatSingleCsv(outcome: LesionOutcome): string {
  const names = featureNamesOf([outcome]);
  const { cells } = outcome.request;
  const row = [cells.Image, cells.Mask, String(outcome.label), ...names.map((name) => formatNumber(outcome.result!.features[name]))];
  return csvText([['Image', 'Mask', 'Label', ...names], row]);
}

/**
 * Batch CSV in PyRadiomics' batch layout: the input columns first (a Label column is added when the input has
 * none), then the error column, empty for rows that succeeded, then the features.
 */
function formatBatchCsv(inputHeader: string[], outcomes: LesionOutcome[]): string {
  const names = featureNamesOf(outcomes);
  const addLabel = !inputHeader.includes('Label');
  const header = [...inputHeader, ...(addLabel ? ['Label'] : []), ERROR_COLUMN, ...names];
  const rows = outcomes.map((outcome) => {
    const labelText = outcome.label === undefined ? '' : String(outcome.label);
    // A blank Label cell is filled with the label actually extracted.
    const input = inputHeader.map((name) => (name === 'Label' && outcome.request.cells.Label === '' ? labelText : outcome.request.cells[name]));
    const label = addLabel ? [labelText] : [];
    const error = outcome.error ? errorText(outcome.error) : '';
    const features = names.map((name) => (outcome.result ? formatNumber(outcome.result.features[name]) : ''));
    return [...input, ...label, error, ...features];
  });
  return csvText([header, ...rows]);
}

// JSON has no NaN; a feature PyRadiomics reports as nan becomes null.
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function formatSingleJson(outcome: LesionOutcome): string {
  return `${JSON.stringify(outcome.result?.features ?? {}, jsonReplacer, 2)}\n`;
}

function formatBatchJson(outcomes: LesionOutcome[]): string {
  const rows = outcomes.map(({ request, label, result, error }) => ({
    ...request.cells,
    Label: label ?? (request.cells.Label || null),
    ...(error ? { [ERROR_COLUMN]: errorText(error) } : {}),
    features: result?.features ?? null,
  }));
  return `${JSON.stringify(rows, jsonReplacer, 2)}\n`;
}

function writeProvenance(path: string, outcomes: LesionOutcome[], batch: boolean): void {
  const provenance = outcomes
    .filter((outcome) => outcome.result)
    .map(({ request, result }) => ({ image: basename(request.imagePath), mask: basename(request.maskPath), ...result!.provenance }));
  writeFileSync(path, `${JSON.stringify(batch ? provenance : provenance[0], null, 2)}\n`);
}
