// `radiomics extract` on every input format `radiomics inspect` reads, batch input columns carried to the output
// and joined by `radiomics train`, and errors that name the option at fault.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { extractFeatures, joinFeaturesAndLabels, parseParams, writeNifti } from '@radiomics/core';
import { parseCsv } from '@radiomics/core/modelling/csv';

import { loadImageInput, loadMaskInput } from '../../bin/commands/load-inputs';
import { TRANSFER_SYNTAX, el, encodeFrame, writeCtSeries, writeSeg, type DicomElement } from '../helpers/dicom-writer';
import { describeWithReference, referencePath } from '../helpers/reference';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function radiomics(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'radiomics.mjs'), ...args], { encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectRelativelyEqual(actual: number, expected: number, tolerance: number, name: string): void {
  expect(Math.abs(actual - expected), `${name}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(tolerance * Math.abs(expected), 1e-12));
}

/**
 * Features that scale with the voxel spacing. The NIfTI twin stores the spacing as float32 (0.9765620231628418 mm
 * against the DICOM 0.976562 mm, 2.4e-8 relative), so these agree only to that rounding: volumes differ by 4.2e-8
 * relative. The rest ignore spacing.
 */
const SPACING_DEPENDENT = /^original_shape_|^original_firstorder_TotalEnergy$/;

const STUDY = ['studies', 'sts_004_ct'];
const REQUIRED = ['dicom/image/000000.dcm', 'dicom/mask/RS.dcm', 'nifti/CT_image.nii.gz', 'nifti/CT_mask.nii.gz'].map((path) => `${STUDY.join('/')}/${path}`);

describeWithReference('radiomics extract inputs', [...REQUIRED, 'oracle/cases/pat1_image_int16.nii.gz', 'oracle/cases/pat1_mask.nii.gz'], () => {
  const dicomImage = referencePath(...STUDY, 'dicom', 'image');
  const rtstruct = referencePath(...STUDY, 'dicom', 'mask', 'RS.dcm');
  const niftiImage = referencePath(...STUDY, 'nifti', 'CT_image.nii.gz');
  const niftiMask = referencePath(...STUDY, 'nifti', 'CT_mask.nii.gz');
  let folder = '';

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'radiomics-extract-inputs-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('DICOM series with RTSTRUCT equals its NIfTI twin', () => {
    const fromDicom = radiomics(['extract', '--image', dicomImage, '--mask', rtstruct, '--roi', 'GTV_Mass_CT', '--format', 'json']);
    expect(fromDicom.stderr).toBe('');
    expect(fromDicom.status).toBe(0);
    const fromNifti = radiomics(['extract', '--image', niftiImage, '--mask', niftiMask, '--format', 'json']);
    expect(fromNifti.status).toBe(0);

    const dicomFeatures = JSON.parse(fromDicom.stdout) as Record<string, number>;
    const niftiFeatures = JSON.parse(fromNifti.stdout) as Record<string, number>;
    expect(Object.keys(dicomFeatures)).toHaveLength(107);
    expect(Object.keys(dicomFeatures).sort()).toEqual(Object.keys(niftiFeatures).sort());
    let spacingFree = 0;
    for (const [name, value] of Object.entries(niftiFeatures)) {
      const tolerance = SPACING_DEPENDENT.test(name) ? 1e-7 : 1e-9;
      if (tolerance === 1e-9) spacingFree++;
      expectRelativelyEqual(dicomFeatures[name], value, tolerance, name);
    }
    expect(spacingFree).toBe(107 - 14 - 1);
    expect(dicomFeatures.original_shape_VoxelVolume).toBeGreaterThan(0);
  });

  it('DICOM inputs on the NIfTI geometry give all 107 features within 1e-9', async () => {
    const dicom = await loadImageInput(dicomImage, '--image');
    const nifti = await loadImageInput(niftiImage, '--image');
    const rasterised = await loadMaskInput(rtstruct, dicom.image, '--mask');
    const labelMap = await loadMaskInput(niftiMask, nifti.image, '--mask');
    expect(rasterised.format).toBe('rtstruct');
    expect(rasterised.labelNames[1]).toBe('GTV_Mass_CT');

    // Same voxels, and the DICOM grid given the NIfTI's float32 spacing and origin: every feature must agree.
    const geometry = { spacing: nifti.image.spacing, origin: nifti.image.origin, direction: nifti.image.direction };
    const settings = parseParams('imageType:\n  Original: {}\n', 'default settings');
    const fromDicom = extractFeatures({ ...dicom.image, ...geometry }, { ...rasterised.mask, ...geometry }, settings, { label: 1 });
    const fromNifti = extractFeatures(nifti.image, labelMap.mask, settings, { label: 1 });
    expect(fromDicom.provenance.roiVoxelCount).toBe(fromNifti.provenance.roiVoxelCount);
    expect(Object.keys(fromDicom.features)).toHaveLength(107);
    for (const [name, value] of Object.entries(fromNifti.features)) expectRelativelyEqual(fromDicom.features[name], value, 1e-9, name);
  });

  it('RTSTRUCT ROIs are labelled by number without --roi', () => {
    const params = join(folder, 'firstorder.yaml');
    writeFileSync(params, 'featureClass:\n  firstorder: [Mean, Maximum]\n');
    const byNumber = radiomics(['extract', '--image', dicomImage, '--mask', rtstruct, '--label', '1', '--params', params, '--format', 'json']);
    expect(byNumber.status).toBe(0);
    const byName = radiomics(['extract', '--image', niftiImage, '--mask', niftiMask, '--params', params, '--format', 'json']);
    expect(JSON.parse(byNumber.stdout)).toEqual(JSON.parse(byName.stdout));
  });

  it('batch carries input columns and joins in training', () => {
    // Relative paths resolve from the CSV's folder: copy the NIfTI pair next to the CSV, in a sub-folder.
    const batchFolder = join(folder, 'batch');
    mkdirSync(join(batchFolder, 'sts'), { recursive: true });
    copyFileSync(niftiImage, join(batchFolder, 'sts', 'ct.nii.gz'));
    copyFileSync(niftiMask, join(batchFolder, 'sts', 'mask.nii.gz'));
    const pat1Image = referencePath('oracle', 'cases', 'pat1_image_int16.nii.gz');
    const pat1Mask = referencePath('oracle', 'cases', 'pat1_mask.nii.gz');
    const batch = join(batchFolder, 'lesions.csv');
    writeFileSync(
      batch,
      [
        'ID,patientId,Image,Mask,Label,lesionId',
        'L1,P1,sts/ct.nii.gz,sts/mask.nii.gz,1,sts-1',
        `L2,P2,${pat1Image},${pat1Mask},,pat1-1`,
        'L3,P1,sts/missing.nii.gz,sts/mask.nii.gz,1,sts-2',
        'L4,P1,sts/ct.nii.gz,sts/mask.nii.gz,5,sts-3',
        `L5,P3,${dicomImage},${rtstruct},1,sts-dicom`,
      ].join('\n'),
    );
    const params = join(folder, 'batch.yaml');
    writeFileSync(params, 'featureClass:\n  firstorder:\n  glcm: [Contrast, Idmn]\n');

    const out = join(folder, 'features.csv');
    const result = radiomics(['extract', '--batch', batch, '--params', params, '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('row 3: FILE_NOT_FOUND: batch row 3, Image column:');
    expect(result.stderr).toContain('row 4: LABEL_NOT_FOUND: batch row 4, Label column: Label 5 is not in the mask');
    expect(result.stderr).toContain('2 of 5 lesions failed');
    expect(result.stderr).not.toContain('missing.nii.gz');
    expect(result.stderr).not.toMatch(/\n\s+at /);

    const table = parseCsv(readFileSync(out, 'utf8'), 'features');
    expect(table.header.slice(0, 7)).toEqual(['ID', 'patientId', 'Image', 'Mask', 'Label', 'lesionId', 'error']);
    expect(table.header).toHaveLength(7 + 18 + 2);
    expect(table.rows.map((row) => row[0])).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    expect(table.rows[0][2]).toBe('sts/ct.nii.gz');
    // A blank Label cell is written as the label extracted.
    expect(table.rows[1][4]).toBe('1');
    expect(table.rows.map((row) => row[6] === '')).toEqual([true, true, false, false, true]);
    expect(table.rows[2][6]).toMatch(/^FILE_NOT_FOUND: batch row 3, Image column:/);
    expect(table.rows[2].slice(7).every((cell) => cell === '')).toBe(true);
    const mean = table.header.indexOf('original_firstorder_Mean');
    // The DICOM twin of the first row's NIfTI gives the same mean.
    expectRelativelyEqual(Number(table.rows[4][mean]), Number(table.rows[0][mean]), 1e-9, 'original_firstorder_Mean');

    // lesionId comes before ID among the id columns `radiomics train` looks for.
    const labels = 'lesionId,patientId,label,age\nsts-1,P1,1,61\npat1-1,P2,0,70\nsts-dicom,P3,1,61\n';
    const dataset = joinFeaturesAndLabels(readFileSync(out, 'utf8'), labels);
    expect(dataset.cases.map((item) => item.lesionId)).toEqual(['sts-1', 'pat1-1', 'sts-dicom']);
    expect(dataset.featureNames).toHaveLength(20);
    expect(dataset.featureNames).not.toContain('error');
    expect(dataset.cases[0].values[dataset.featureNames.indexOf('original_firstorder_Mean')]).toBe(Number(table.rows[0][mean]));
    expect(dataset.covariateNames).toEqual(['age']);

    // A labelled lesion whose extraction failed is rejected by the join, not silently dropped.
    expect(() => joinFeaturesAndLabels(readFileSync(out, 'utf8'), `${labels}sts-2,P1,0,61\n`)).toThrow(/sts-2 has no finite value/);
  });

  it('batch joins on ID without lesionId', () => {
    const batch = join(folder, 'ids.csv');
    writeFileSync(batch, `Image,Mask,ID\n${niftiImage},${niftiMask},lesion-a\n`);
    const params = join(folder, 'mean.yaml');
    writeFileSync(params, 'featureClass:\n  firstorder: [Mean]\n');
    const result = radiomics(['extract', '--batch', batch, '--params', params]);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Image,Mask,ID,Label,error,original_firstorder_Mean');
    const dataset = joinFeaturesAndLabels(result.stdout, 'ID,patientId,label\nlesion-a,P1,1\n');
    expect(dataset.cases).toHaveLength(1);
    expect(dataset.cases[0].lesionId).toBe('lesion-a');
  });

  it('batch row with wrong cell count fails alone', () => {
    const batch = join(folder, 'ragged.csv');
    writeFileSync(batch, `Image,Mask,ID\n${niftiImage},${niftiMask}\n${niftiImage},${niftiMask},b\n`);
    const params = join(folder, 'mean.yaml');
    writeFileSync(params, 'featureClass:\n  firstorder: [Mean]\n');
    const result = radiomics(['extract', '--batch', batch, '--params', params, '--format', 'json']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('row 1: DATA_INVALID: batch row 1: the row has 2 cells but the header has 3.');
    const rows = JSON.parse(result.stdout) as Array<{ ID: string; error?: string; features: Record<string, number> | null }>;
    expect(rows[0].features).toBeNull();
    expect(rows[1].ID).toBe('b');
    expect(rows[1].error).toBeUndefined();
    expect(rows[1].features?.original_firstorder_Mean).toBeTypeOf('number');
  });

  it('missing mask names --mask', () => {
    const result = radiomics(['extract', '--image', niftiImage, '--mask', join(folder, 'NAME-mask.nii.gz')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: FILE_NOT_FOUND: --mask:');
    expect(result.stderr).not.toContain('NAME-mask');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('wrong image format names --image', () => {
    const notAnImage = join(folder, 'notes.nii.gz');
    writeFileSync(notAnImage, 'plain text, not a volume\n');
    const result = radiomics(['extract', '--image', notAnImage, '--mask', niftiMask]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: UNSUPPORTED_FILE_FORMAT: --image:');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('absent label names --label', () => {
    const result = radiomics(['extract', '--image', niftiImage, '--mask', niftiMask, '--label', '3']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: LABEL_NOT_FOUND: --label: Label 3 is not in the mask; labels present: 1.');
    expect(result.stdout).toBe('');
  });

  it('absent ROI name names --roi', () => {
    const result = radiomics(['extract', '--image', dicomImage, '--mask', rtstruct, '--roi', 'GTV-2']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: LABEL_NOT_FOUND: --roi: ROI "GTV-2" is not in the RTSTRUCT');
  });

  it('ROI name on a label map names --roi', () => {
    const result = radiomics(['extract', '--image', niftiImage, '--mask', niftiMask, '--roi', 'GTV_Mass_CT']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: DATA_INVALID: --roi: an ROI name selects an RTSTRUCT ROI or SEG segment, but the mask is a NIfTI label map');
  });

  it('mask on another grid names --mask', () => {
    const pat1Mask = referencePath('oracle', 'cases', 'pat1_mask.nii.gz');
    const result = radiomics(['extract', '--image', niftiImage, '--mask', pat1Mask]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: GEOMETRY_MISMATCH: --mask:');
  });
});

describe('radiomics extract on compressed series and SEG', () => {
  // 12 × 12 × 4 CT, 1 × 1 × 2 mm, slice k at z = 2k; a 5 × 5 lesion on slices 1 and 2, in SEG and in NIfTI.
  const rows = 12;
  const columns = 12;
  const slices = 4;
  const frame = '1.2.826.0.1.3680043.9.9999.7';
  const pixelsOf = (k: number): number[] => Array.from({ length: rows * columns }, (_, n) => ((n * 37 + k * 101) % 400) - 150);
  const inLesion = (k: number, n: number): boolean => k >= 1 && k <= 2 && n % columns >= 3 && n % columns < 8 && Math.floor(n / columns) >= 4 && Math.floor(n / columns) < 9;
  const folder = mkdtempSync(join(tmpdir(), 'radiomics-extract-seg-'));
  const params = join(folder, 'params.yaml');

  const replacePixelData = (elements: DicomElement[], fragment: Uint8Array): DicomElement[] => [
    ...elements.filter((element) => element.tag !== '7FE00010'),
    el('7FE00010', 'OB', { fragments: [fragment] }),
  ];

  beforeAll(async () => {
    writeFileSync(params, 'featureClass:\n  firstorder:\n  glcm: [Contrast, JointEntropy]\n  shape: [VoxelVolume]\n');
    const common = { rows, columns, slices, sliceSpacing: 2, frameOfReferenceUid: frame, pixelsOf };
    const series: Record<string, { name: string; bytes: Uint8Array }[]> = { native: writeCtSeries(common) };
    for (const [kind, uid] of [
      ['jpeg-ls', TRANSFER_SYNTAX.jpegLs],
      ['jpeg-2000', TRANSFER_SYNTAX.jpeg2000Lossless],
    ] as const) {
      const frames = await Promise.all([0, 1, 2, 3].map((k) => encodeFrame(kind, pixelsOf(k), columns, rows, true)));
      series[kind] = writeCtSeries({ ...common, transferSyntax: uid, editSlice: (k, elements) => replacePixelData(elements, frames[k]) });
    }
    for (const [name, files] of Object.entries(series)) {
      mkdirSync(join(folder, name));
      for (const file of files) writeFileSync(join(folder, name, file.name), file.bytes);
    }

    const segFrames = [1, 2].map((k) => ({ segment: 1, position: [0, 0, 2 * k] as [number, number, number], pixels: Array.from({ length: rows * columns }, (_, n) => (inLesion(k, n) ? 1 : 0)) }));
    writeFileSync(join(folder, 'seg.dcm'), writeSeg({ rows, columns, frameOfReferenceUid: frame, pixelSpacing: [1, 1], sliceThickness: 2, frames: segFrames, segments: [{ number: 1, label: 'Lesion' }] }));
    const labelMap = new Uint8Array(rows * columns * slices);
    for (let k = 0; k < slices; k++) for (let n = 0; n < rows * columns; n++) labelMap[k * rows * columns + n] = inLesion(k, n) ? 1 : 0;
    writeFileSync(join(folder, 'mask.nii'), writeNifti({ size: [columns, rows, slices], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], data: labelMap }));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('SEG and JPEG series match native with NIfTI', () => {
    const reference = radiomics(['extract', '--image', join(folder, 'native'), '--mask', join(folder, 'mask.nii'), '--params', params, '--format', 'json']);
    expect(reference.stderr).toBe('');
    expect(reference.status).toBe(0);
    const expected = JSON.parse(reference.stdout) as Record<string, number>;
    expect(expected.original_shape_VoxelVolume).toBe(50 * 2);
    expect(Object.keys(expected)).toHaveLength(18 + 2 + 1);

    for (const image of ['native', 'jpeg-ls', 'jpeg-2000']) {
      const result = radiomics(['extract', '--image', join(folder, image), '--mask', join(folder, 'seg.dcm'), '--roi', 'Lesion', '--params', params, '--format', 'json']);
      expect(result.stderr, image).toBe('');
      expect(result.status, image).toBe(0);
      const features = JSON.parse(result.stdout) as Record<string, number>;
      for (const [name, value] of Object.entries(expected)) expectRelativelyEqual(features[name], value, 1e-12, `${image} ${name}`);
    }
  });

  it('absent SEG segment names --roi', () => {
    const result = radiomics(['extract', '--image', join(folder, 'native'), '--mask', join(folder, 'seg.dcm'), '--roi', 'Liver', '--params', params]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: LABEL_NOT_FOUND: --roi:');
  });
});

describe('radiomics extract batch into radiomics train', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radiomics-extract-train-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('batch with --image is rejected', () => {
    const result = radiomics(['extract', '--batch', join(folder, 'any.csv'), '--image', join(folder, 'ct.nii')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('radiomics: DATA_INVALID: --batch takes image, mask and label from the CSV');
  });

  it('batch ids reach the model predictions', () => {
    // 20 cubes of 4 × 4 × 4 voxels in one 40 × 8 × 8 image, labels 1–20; cube n has mean intensity 10 n.
    const lesions = 20;
    const size: [number, number, number] = [lesions * 2 + 2, 8, 8];
    const image = new Int16Array(size[0] * size[1] * size[2]);
    const mask = new Uint8Array(image.length);
    for (let n = 0; n < lesions; n++) {
      for (let k = 2; k < 6; k++) {
        for (let j = 2; j < 6; j++) {
          for (let i = 0; i < 2; i++) {
            const x = 2 + 2 * n + i;
            const index = x + size[0] * (j + size[1] * k);
            image[index] = 10 * (n + 1) + ((i * 7 + j * 3 + k * 5 + n) % 9);
            mask[index] = n + 1;
          }
        }
      }
    }
    const geometry = { size, spacing: [1, 1, 1] as [number, number, number], origin: [0, 0, 0] as [number, number, number], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] as [number, number, number, number, number, number, number, number, number] };
    writeFileSync(join(folder, 'ct.nii'), writeNifti({ ...geometry, data: image }));
    writeFileSync(join(folder, 'lesions.nii'), writeNifti({ ...geometry, data: mask }));

    const ids = Array.from({ length: lesions }, (_, n) => `lesion-${n + 1}`);
    const batchRows = ids.map((id, n) => `${id},patient-${n + 1},ct.nii,lesions.nii,${n + 1}`);
    writeFileSync(join(folder, 'batch.csv'), `lesionId,patientId,Image,Mask,Label\n${batchRows.join('\n')}\n`);
    writeFileSync(join(folder, 'params.yaml'), 'featureClass:\n  firstorder: [Mean, Median, Energy, Range]\n');
    // The brighter half progresses, so the mean intensity separates the classes.
    const labelRows = ids.map((id, n) => `${id},patient-${n + 1},${n >= lesions / 2 ? 1 : 0}`);
    writeFileSync(join(folder, 'labels.csv'), `lesionId,patientId,label\n${labelRows.join('\n')}\n`);
    writeFileSync(join(folder, 'train.yaml'), 'bootstrapReplicates: 100\ncvFolds: 2\nclassifiers: [decision-tree]\nrfe:\n  features: 1\n');

    const features = join(folder, 'features.csv');
    const extracted = radiomics(['extract', '--batch', join(folder, 'batch.csv'), '--params', join(folder, 'params.yaml'), '--out', features]);
    expect(extracted.stderr).toBe('');
    expect(extracted.status).toBe(0);

    const trained = radiomics([
      'train', '--features', features, '--labels', join(folder, 'labels.csv'), '--config', join(folder, 'train.yaml'),
      '--out', join(folder, 'models'), '--model-version', 'join-check', '--seed', '7', '--synthetic',
    ]);
    expect(trained.stderr).not.toContain('DATA_INVALID');
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(0);
    const predictions = parseCsv(readFileSync(join(folder, 'models', 'join-check.predictions.csv'), 'utf8'), 'predictions');
    const lesionColumn = predictions.header.indexOf('lesionId');
    expect(predictions.rows.map((row) => row[lesionColumn]).sort()).toEqual([...ids].sort());
  });
});
