// `radiomics inspect`: geometry of a CT image and the label inventory of a mask, with every warning.
import type { Command } from 'commander';

import {
  labelInventory,
  orientationCode,
  RadiomicsError,
  toRadiomicsError,
  validateRoi,
  compareGeometry,
  type ImageVolume,
  type LabelSummary,
  type LoadedImage,
  type LoadedMask,
} from '@radiomics/core';

import { loadImageInput, loadMaskInput } from './load-inputs';

interface InspectOptions {
  readonly image: string;
  readonly mask?: string;
  readonly roi?: string;
  readonly series?: string;
  readonly json?: boolean;
}

interface InspectReport {
  image: ReturnType<typeof describeImage>;
  mask?: {
    format: string;
    geometryMatchesImage: boolean;
    geometryDeltas: { spacingRelative: number; originMm: number; direction: number; sameSize: boolean };
    labels: Array<LabelSummary & { name?: string; volumeMm3: number; check: string }>;
  };
  warnings: string[];
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('Print the geometry of a CT image and the label inventory of a mask, with every warning; exit non-zero with the named error when the input is rejected.')
    .requiredOption('--image <path>', 'CT image: a DICOM series folder, or a DICOM, NIfTI (.nii, .nii.gz) or NRRD file')
    .option('--mask <path>', 'lesion mask: NIfTI, NRRD, DICOM RTSTRUCT or DICOM SEG file')
    .option('--roi <name>', 'RTSTRUCT ROI name or SEG segment label to load as label 1 (default: every ROI, labelled by number)')
    .option('--series <uid>', 'SeriesInstanceUID to load when the folder holds several series')
    .option('--json', 'print the report as JSON')
    .action((options: InspectOptions) => runInspect(options));
}

async function runInspect(options: InspectOptions): Promise<void> {
  const loaded = await loadImageInput(options.image, '--image', options.series ? { seriesInstanceUid: options.series } : {});
  const report: InspectReport = { image: describeImage(loaded), warnings: [...loaded.warnings] };

  let mask: LoadedMask | undefined;
  if (options.mask) {
    mask = await loadMaskInput(options.mask, loaded.image, '--mask', options.roi ? { roiName: options.roi } : {});
    report.mask = describeMask(loaded.image, mask);
    report.warnings.push(...mask.warnings);
  }

  if (options.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);

  // The report is printed in full first, so the user sees every label, then the first refusal is raised.
  if (!mask || !report.mask) return;
  if (!report.mask.geometryMatchesImage) {
    throw new RadiomicsError('GEOMETRY_MISMATCH', 'The mask grid does not match the image grid; see the deltas above.');
  }
  if (report.mask.labels.length === 0) throw new RadiomicsError('EMPTY_ROI', 'The mask contains no non-zero voxel.');
  const failing = report.mask.labels.find((label) => label.check !== 'ok');
  // Re-running the first failing check raises its own error code (ROI_TOO_SMALL, …).
  if (failing) validateRoi(loaded.image, mask.mask, { label: failing.label });
}

function describeImage(loaded: LoadedImage) {
  const { image, series } = loaded;
  return {
    format: loaded.format,
    size: image.size,
    spacing: image.spacing,
    origin: image.origin,
    direction: image.direction,
    orientation: orientationCode(image.direction),
    voxelType: image.data.constructor.name.replace('Array', '').toLowerCase(),
    modality: series?.modality,
    seriesInstanceUid: series?.seriesInstanceUid,
    frameOfReferenceUid: series?.frameOfReferenceUid,
    sliceCount: series?.sliceCount ?? image.size[2],
    transferSyntaxes: series?.transferSyntaxes,
    range: valueRange(image),
  };
}

function valueRange(image: ImageVolume): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let n = 0; n < image.data.length; n++) {
    const value = image.data[n];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

function describeMask(image: ImageVolume, loaded: LoadedMask): NonNullable<InspectReport['mask']> {
  const comparison = compareGeometry(image, loaded.mask);
  const voxelVolume = loaded.mask.spacing[0] * loaded.mask.spacing[1] * loaded.mask.spacing[2];
  const labels = labelInventory(loaded.mask).map((summary) => ({
    ...summary,
    name: loaded.labelNames[summary.label],
    volumeMm3: summary.voxelCount * voxelVolume,
    check: comparison.withinTolerance ? roiCheck(image, loaded, summary.label) : 'not checked (geometry mismatch)',
  }));
  return {
    format: loaded.format,
    geometryMatchesImage: comparison.withinTolerance,
    geometryDeltas: {
      sameSize: comparison.sameSize,
      spacingRelative: comparison.spacingDelta,
      originMm: comparison.originDeltaMm,
      direction: comparison.directionDelta,
    },
    labels,
  };
}

function roiCheck(image: ImageVolume, loaded: LoadedMask, label: number): string {
  try {
    validateRoi(image, loaded.mask, { label });
    return 'ok';
  } catch (thrown) {
    const error = toRadiomicsError(thrown);
    return `${error.code}: ${error.message}`;
  }
}

function printReport(report: InspectReport): void {
  const { image } = report;
  const fixed = (values: readonly number[], digits: number) => values.map((value) => value.toFixed(digits)).join(' × ');
  console.log(`Image (${image.format})`);
  console.log(`  size         ${image.size.join(' × ')} voxels`);
  console.log(`  spacing      ${fixed(image.spacing, 4)} mm`);
  console.log(`  origin       ${image.origin.map((value) => value.toFixed(3)).join(', ')} mm (LPS)`);
  console.log(`  direction    ${image.direction.map((value) => value.toFixed(4)).join(' ')} (${image.orientation})`);
  console.log(`  voxel type   ${image.voxelType}, values ${image.range[0]} … ${image.range[1]}`);
  if (image.seriesInstanceUid) {
    console.log(`  modality     ${image.modality}`);
    console.log(`  series UID   ${image.seriesInstanceUid}`);
    console.log(`  slices       ${image.sliceCount}`);
    console.log(`  transfer syntaxes ${image.transferSyntaxes?.join(', ')}`);
  }

  if (report.mask) {
    const { mask } = report;
    console.log(`\nMask (${mask.format})`);
    const deltas = mask.geometryDeltas;
    console.log(
      `  geometry     ${mask.geometryMatchesImage ? 'matches the image' : 'DOES NOT match the image'} (origin Δ ${deltas.originMm.toExponential(2)} mm, spacing Δ ${deltas.spacingRelative.toExponential(2)}, direction Δ ${deltas.direction.toExponential(2)}${deltas.sameSize ? '' : ', different size'})`,
    );
    if (mask.labels.length === 0) console.log('  labels       none (the mask is empty)');
    for (const label of mask.labels) {
      const name = label.name ? ` "${label.name}"` : '';
      const box = `[${label.boundingBox.lower.join(', ')}] – [${label.boundingBox.upper.join(', ')}]`;
      console.log(
        `  label ${label.label}${name}: ${label.voxelCount} voxels (${(label.volumeMm3 / 1000).toFixed(2)} cm³), box ${box}, ${label.components} component${label.components === 1 ? '' : 's'}, ${label.check}`,
      );
    }
  }

  if (report.warnings.length > 0) {
    console.log('\nWarnings');
    for (const warning of report.warnings) console.log(`  - ${warning}`);
  }
}
