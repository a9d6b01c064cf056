// Small synthetic studies for workflow tests: a NIfTI CT-like volume with spherical lesions in a label map.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { writeNifti, type ImageVolume } from '@radiomics/core';

export interface SyntheticLesion {
  readonly label: number;
  readonly centre: readonly [number, number, number];
  readonly radius: number;
  /** Mean HU inside the lesion. */
  readonly hu: number;
}

export interface SyntheticStudyOptions {
  readonly siteId: string;
  readonly studyId: string;
  readonly size?: readonly [number, number, number];
  readonly spacing?: readonly [number, number, number];
  readonly lesions?: readonly SyntheticLesion[];
  /** Manifest lesions; default one per synthetic lesion with its label. */
  readonly manifestLesions?: readonly { lesionId: string; mask: string; label?: number }[];
  /** Replaces the manifest text (for invalid-manifest cases); null writes no manifest. */
  readonly manifestText?: string | null;
  readonly seed?: number;
}

export const DEFAULT_LESIONS: readonly SyntheticLesion[] = [
  { label: 1, centre: [10, 12, 6], radius: 4, hu: 40 },
  { label: 2, centre: [22, 20, 9], radius: 3, hu: 80 },
];

/** Writes image.nii.gz, mask.nii.gz and manifest.json into `folder`; returns the folder. */
export function writeSyntheticStudy(folder: string, options: SyntheticStudyOptions): string {
  const size = options.size ?? [32, 32, 16];
  const spacing = options.spacing ?? [0.8, 0.8, 2];
  const lesions = options.lesions ?? DEFAULT_LESIONS;
  const count = size[0] * size[1] * size[2];
  const image = new Int16Array(count);
  const mask = new Uint8Array(count);

  // A deterministic linear congruential generator keeps the texture the same on every run.
  let state = options.seed ?? 12345;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };

  for (let k = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      for (let i = 0; i < size[0]; i++) {
        const index = i + size[0] * (j + size[1] * k);
        let value = -700 + 200 * random();
        for (const lesion of lesions) {
          const dx = (i - lesion.centre[0]) * spacing[0];
          const dy = (j - lesion.centre[1]) * spacing[1];
          const dz = (k - lesion.centre[2]) * spacing[2];
          if (Math.hypot(dx, dy, dz) <= lesion.radius * spacing[0] * 1.5) {
            mask[index] = lesion.label;
            value = lesion.hu + 60 * (random() - 0.5);
          }
        }
        image[index] = Math.round(value);
      }
    }
  }

  const geometry = { size, spacing, origin: [-12, -30, 100], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] } as unknown as Omit<ImageVolume, 'data'>;
  write(join(folder, 'image.nii.gz'), writeNifti({ ...geometry, data: image }, { gzip: true }));
  write(join(folder, 'masks', 'lesions.nii.gz'), writeNifti({ ...geometry, data: mask }, { gzip: true }));

  if (options.manifestText !== null) {
    const manifest = {
      schemaVersion: 1,
      siteId: options.siteId,
      studyId: options.studyId,
      image: { path: 'image.nii.gz' },
      lesions: options.manifestLesions ?? lesions.map((lesion) => ({ lesionId: `lesion-${lesion.label}`, mask: 'masks/lesions.nii.gz', label: lesion.label })),
    };
    write(join(folder, 'manifest.json'), options.manifestText ?? JSON.stringify(manifest, null, 2));
  }
  return folder;
}

function write(path: string, content: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** PyRadiomics defaults with Original and all 8 coif1 wavelet sub-bands: 851 features per lesion. */
export const DEFAULT_PARAMS_YAML = `
imageType:
  Original: {}
  Wavelet: {}
featureClass:
  shape:
  firstorder:
  glcm:
  glrlm:
  glszm:
  gldm:
  ngtdm:
setting:
  binWidth: 25
  label: 1
`;
