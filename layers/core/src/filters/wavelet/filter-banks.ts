/**
 * Wavelet filter banks, read from filter-banks.json (PyWavelets' tables; README.md beside this file gives the
 * source and how the file was written).
 */
import { RadiomicsError } from '../../errors';
import bankDocument from './filter-banks.json';

export interface WaveletFilterBank {
  /** Name as PyWavelets spells it: 'coif1', 'db4', 'bior2.2', … */
  readonly name: string;
  /** PyWavelets short family name: 'haar', 'db', 'sym', 'coif', 'bior', 'rbio' or 'dmey'. */
  readonly family: string;
  readonly orthogonal: boolean;
  readonly biorthogonal: boolean;
  /** Analysis low-pass and high-pass filters, used as convolution kernels (PyWavelets `dec_lo`, `dec_hi`). */
  readonly decLo: Float64Array;
  readonly decHi: Float64Array;
  /** Synthesis filters (PyWavelets `rec_lo`, `rec_hi`); only the identities in the tests use them. */
  readonly recLo: Float64Array;
  readonly recHi: Float64Array;
  /**
   * The analysis filters PyWavelets uses for float32 images. For most wavelets they are the float64 taps
   * rounded to float32; for the Coiflets PyWavelets multiplies a float32 table by sqrt(2) in float32, which
   * differs in the last bit, so the file stores them explicitly.
   */
  readonly decLoFloat32: Float32Array;
  readonly decHiFloat32: Float32Array;
}

interface StoredFilterBank {
  family: string;
  orthogonal: boolean;
  biorthogonal: boolean;
  decLo: number[];
  decHi: number[];
  recLo: number[];
  recHi: number[];
  decLoFloat32?: number[];
  decHiFloat32?: number[];
}

const storedBanks = (bankDocument as { wavelets: Record<string, StoredFilterBank> }).wavelets;
const cache = new Map<string, WaveletFilterBank>();

/** Names of every wavelet with a stored filter bank, in PyWavelets' `wavelist(kind='discrete')` order. */
export function listWavelets(): string[] {
  return Object.keys(storedBanks);
}

/** Returns the filter bank of a wavelet named as PyWavelets names it; throws SETTINGS_INVALID for an unknown name. */
export function getFilterBank(name: string): WaveletFilterBank {
  const cached = cache.get(name);
  if (cached) return cached;

  const stored = Object.hasOwn(storedBanks, name) ? storedBanks[name] : undefined;
  if (!stored) {
    throw new RadiomicsError(
      'SETTINGS_INVALID',
      `Unknown wavelet "${name}" in the Wavelet image type settings. Use one of PyWavelets' discrete wavelets: ` +
        'haar, dmey, db1–db38, sym2–sym20, coif1–coif17, bior1.1–bior6.8 or rbio1.1–rbio6.8.',
      { details: { setting: 'wavelet', value: name } },
    );
  }

  const bank: WaveletFilterBank = {
    name,
    family: stored.family,
    orthogonal: stored.orthogonal,
    biorthogonal: stored.biorthogonal,
    decLo: Float64Array.from(stored.decLo),
    decHi: Float64Array.from(stored.decHi),
    recLo: Float64Array.from(stored.recLo),
    recHi: Float64Array.from(stored.recHi),
    decLoFloat32: Float32Array.from(stored.decLoFloat32 ?? stored.decLo),
    decHiFloat32: Float32Array.from(stored.decHiFloat32 ?? stored.decHi),
  };
  cache.set(name, bank);
  return bank;
}
