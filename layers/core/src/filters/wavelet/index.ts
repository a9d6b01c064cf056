/**
 * Undecimated (stationary) 3-D wavelet transform, PyRadiomics-compatible.
 *
 * NOTE: interface only; the transform lands with the wavelet module.
 */
import { RadiomicsError } from '../../errors';
import type { ImageVolume } from '../../image/volume';

export interface WaveletOptions {
  /** Filter bank name as PyWavelets spells it: 'coif1' (default), 'haar', 'db2', 'sym4', 'bior1.3', … */
  readonly wavelet?: string;
  /** First decomposition level whose sub-bands are returned (PyRadiomics `start_level`, default 0). */
  readonly startLevel?: number;
  /** Number of levels computed (PyRadiomics `level`, default 1). */
  readonly level?: number;
}

export interface WaveletSubBand {
  /** PyRadiomics image type name, for example 'wavelet-LLH' or 'wavelet2-HHH' at level 2. */
  readonly name: string;
  readonly image: ImageVolume<Float64Array>;
}

/** Computes every sub-band of the image, sharing the 1-D passes between sub-bands. */
export function applyWaveletSubBands(_image: ImageVolume, _options: WaveletOptions = {}): WaveletSubBand[] {
  throw new RadiomicsError('INTERNAL_ERROR', 'The wavelet transform is not available in this build.');
}

/** Computes one named sub-band, for a worker that owns a single sub-band. */
export function applyWaveletSubBand(_image: ImageVolume, _name: string, _options: WaveletOptions = {}): WaveletSubBand {
  throw new RadiomicsError('INTERNAL_ERROR', 'The wavelet transform is not available in this build.');
}
