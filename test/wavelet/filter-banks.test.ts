import { describe, expect, it } from 'vitest';

import { getFilterBank, listWavelets } from '@radiomics/core/filters/wavelet';

// Identities of two-channel filter banks in PyWavelets' convention (analysis filters stored as convolution
// kernels of even length F, synthesis filters as PyWavelets' rec_lo / rec_hi):
// - biorthogonality: (decLo ∗ recLo)[F − 1 + 2k] = δ(k) and (decHi ∗ recHi)[F − 1 + 2k] = δ(k),
// - no leakage: (decLo ∗ recHi)[F − 1 + 2k] = 0 and (decHi ∗ recLo)[F − 1 + 2k] = 0,
// - orthogonality in addition: recLo is decLo reversed, Σ decLo = √2, and decLo is orthonormal to its even shifts.
// 'dmey' is a finite approximation of the Meyer wavelet and meets these only to about 3e-3.

function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
  return out;
}

/** Largest deviation of (a ∗ b)[F − 1 + 2k] from `diagonal` · δ(k) over every k. */
function evenShiftDeviation(a: Float64Array, b: Float64Array, diagonal: number): number {
  const product = convolve(a, b);
  const centre = a.length - 1;
  let worst = 0;
  for (let n = centre % 2; n < product.length; n += 2) {
    const expected = n === centre ? diagonal : 0;
    worst = Math.max(worst, Math.abs(product[n] - expected));
  }
  return worst;
}

const names = listWavelets();

describe('filter banks', () => {
  it('cover haar, dmey, db1–db38, sym2–sym20, coif1–coif17, bior and rbio', () => {
    const expected = ['haar', 'dmey'];
    for (let n = 1; n <= 38; n++) expected.push(`db${n}`);
    for (let n = 2; n <= 20; n++) expected.push(`sym${n}`);
    for (let n = 1; n <= 17; n++) expected.push(`coif${n}`);
    for (const order of ['1.1', '1.3', '1.5', '2.2', '2.4', '2.6', '2.8', '3.1', '3.3', '3.5', '3.7', '3.9', '4.4', '5.5', '6.8']) {
      expected.push(`bior${order}`, `rbio${order}`);
    }
    expect([...names].sort()).toEqual(expected.sort());
  });

  it('have the standard filter lengths', () => {
    expect(getFilterBank('haar').decLo).toHaveLength(2);
    expect(getFilterBank('db38').decLo).toHaveLength(76);
    expect(getFilterBank('sym20').decLo).toHaveLength(40);
    expect(getFilterBank('coif1').decLo).toHaveLength(6);
    expect(getFilterBank('coif17').decLo).toHaveLength(102);
    expect(getFilterBank('bior6.8').decLo).toHaveLength(18);
  });

  it('keep the coif1 low-pass filter PyRadiomics uses by default', () => {
    // PyWavelets 1.1.1 pywt.Wavelet('coif1').dec_lo; its float32 transform reproduces the PAT1 reference bit for bit.
    const published = [-0.015655728135791993, -0.07273261951252645, 0.3848648468648578, 0.8525720202116004, 0.3378976624574818, -0.07273261951252645];
    expect(Array.from(getFilterBank('coif1').decLo)).toEqual(published);
  });

  for (const name of names) {
    it(`${name} satisfies the perfect-reconstruction identities`, () => {
      const bank = getFilterBank(name);
      const tolerance = name === 'dmey' ? 3e-3 : 1e-10;
      const taps = bank.decLo.length;
      expect(taps % 2).toBe(0);
      for (const filter of [bank.decHi, bank.recLo, bank.recHi]) expect(filter).toHaveLength(taps);

      expect(evenShiftDeviation(bank.decLo, bank.recLo, 1)).toBeLessThan(tolerance);
      expect(evenShiftDeviation(bank.decHi, bank.recHi, 1)).toBeLessThan(tolerance);
      expect(evenShiftDeviation(bank.decLo, bank.recHi, 0)).toBeLessThan(tolerance);
      expect(evenShiftDeviation(bank.decHi, bank.recLo, 0)).toBeLessThan(tolerance);

      const lowSum = bank.decLo.reduce((sum, value) => sum + value, 0);
      const highSum = bank.decHi.reduce((sum, value) => sum + value, 0);
      expect(Math.abs(lowSum - Math.SQRT2)).toBeLessThan(tolerance);
      expect(Math.abs(highSum)).toBeLessThan(tolerance);

      if (bank.orthogonal) {
        expect(Array.from(bank.recLo)).toEqual(Array.from(bank.decLo).reverse());
        expect(evenShiftDeviation(bank.decLo, Float64Array.from(bank.decLo).reverse(), 1)).toBeLessThan(tolerance);
      }

      // The float32 filters are the float64 ones to within one float32 rounding step.
      for (const [single, double] of [
        [bank.decLoFloat32, bank.decLo],
        [bank.decHiFloat32, bank.decHi],
      ] as const) {
        for (let j = 0; j < taps; j++) expect(Math.abs(single[j] - double[j])).toBeLessThanOrEqual(Math.abs(double[j]) * 2 ** -23);
      }
    });
  }
});
