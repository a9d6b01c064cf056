import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  applyWaveletSubBand,
  applyWaveletSubBands,
  computeWaveletSubBand,
  forEachWaveletSubBand,
  getFilterBank,
  listWavelets,
  planWaveletRegion,
  waveletImageTypes,
  waveletSupport,
  type WaveletSubBand,
} from '@radiomics/core/filters/wavelet';
import { cropVolume, IDENTITY_DIRECTION, RadiomicsError, type BoundingBox, type ImageVolume, type Vec3, type VoxelArray } from '@radiomics/core';

interface SwtnCase {
  name: string;
  size: Vec3;
  dtype: 'int16' | 'float32';
  wavelet: string;
  level: number;
  startLevel: number;
  force2DDimension: number | null;
  image: number[];
  subBands: Record<string, number[]>;
}

const fixtures = JSON.parse(readFileSync(new URL('./fixtures/swtn-cases.json', import.meta.url), 'utf8')) as { cases: SwtnCase[] };

function volume<T extends VoxelArray>(size: Vec3, data: T): ImageVolume<T> {
  return { size, spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY_DIRECTION, data };
}

function randomVolume(size: Vec3, seed: number): ImageVolume<Int16Array> {
  let state = seed;
  const data = new Int16Array(size[0] * size[1] * size[2]);
  for (let n = 0; n < data.length; n++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[n] = (state % 2500) - 1000;
  }
  return volume(size, data);
}

function byName(bands: WaveletSubBand[]): Map<string, Float64Array> {
  return new Map(bands.map((band) => [band.name, band.image.data]));
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let n = 0; n < a.length; n++) max = Math.max(max, Math.abs(a[n] - b[n]));
  return max;
}

describe('PyWavelets swtn fixtures', () => {
  for (const fixture of fixtures.cases) {
    it(`matches ${fixture.name} bit for bit`, () => {
      const data = fixture.dtype === 'float32' ? Float32Array.from(fixture.image) : Int16Array.from(fixture.image);
      const options = {
        wavelet: fixture.wavelet,
        level: fixture.level,
        startLevel: fixture.startLevel,
        force2DDimension: fixture.force2DDimension ?? undefined,
      };
      const bands = byName(applyWaveletSubBands(volume(fixture.size, data), options));

      expect([...bands.keys()].sort()).toEqual(Object.keys(fixture.subBands).sort());
      for (const [name, expected] of Object.entries(fixture.subBands)) {
        expect(Array.from(bands.get(name)!), name).toEqual(expected);
      }
    });
  }
});

describe('single sub-band API', () => {
  it('equals the all-sub-band output for every name', () => {
    const image = randomVolume([11, 8, 7], 5);
    for (const options of [{}, { wavelet: 'db3', level: 2, startLevel: 1 }, { force2DDimension: 1, level: 2 }]) {
      const all = applyWaveletSubBands(image, options);
      expect(all.map((band) => band.name)).toEqual(waveletImageTypes(options));
      for (const band of all) {
        const single = applyWaveletSubBand(image, band.name, options);
        expect(single.name).toBe(band.name);
        expect(Array.from(single.image.data), band.name).toEqual(Array.from(band.image.data));
      }
    }
  });

  it('visitor matches the copying API', () => {
    const image = randomVolume([11, 8, 7], 7);
    const float32Image = volume(image.size, Float32Array.from(image.data, (value) => value / 7));
    for (const [source, precision] of [[image, Float64Array], [float32Image, Float32Array]] as const) {
      for (const options of [{}, { wavelet: 'db3', level: 2, startLevel: 1 }, { force2DDimension: 0 }, { box: { lower: [2, 1, 1], upper: [8, 6, 5] } as BoundingBox }]) {
        const copies = applyWaveletSubBands(source, options);
        const visited: string[] = [];
        forEachWaveletSubBand(source, options, (name, band) => {
          // The buffer is reused by the next sub-band, so it is compared while it is current.
          const expected = copies[visited.length];
          visited.push(name);
          expect(name).toBe(expected.name);
          expect(band.data).toBeInstanceOf(precision);
          expect(band.size).toEqual(expected.image.size);
          expect(Array.from(band.data), name).toEqual(Array.from(expected.image.data));
          expect(Array.from(computeWaveletSubBand(source, name, options).data), name).toEqual(Array.from(band.data));
        });
        expect(visited).toEqual(waveletImageTypes(options));
      }
    }
  });

  it('keeps the image geometry', () => {
    const image: ImageVolume<Int16Array> = { ...randomVolume([6, 5, 4], 9), spacing: [0.7, 0.8, 3], origin: [-10, 20, 5] };
    const band = applyWaveletSubBand(image, 'wavelet-HLH');
    expect(band.image.size).toEqual(image.size);
    expect(band.image.spacing).toEqual(image.spacing);
    expect(band.image.origin).toEqual(image.origin);
    expect(band.image.data).toBeInstanceOf(Float64Array);
  });

  it('rejects names PyRadiomics never yields', () => {
    const image = randomVolume([4, 4, 4], 1);
    for (const name of ['wavelet-XYZ', 'LLH', 'wavelet1-LLH', 'wavelet2-LLH', 'wavelet-llh']) {
      expect(() => applyWaveletSubBand(image, name), name).toThrowError(RadiomicsError);
    }
    expect(() => applyWaveletSubBand(image, 'wavelet-LLL', { level: 2 })).toThrowError(/wavelet2-LLL/);
  });
});

describe('sub-band names', () => {
  it('follow PyRadiomics for one level', () => {
    expect(waveletImageTypes()).toEqual([
      'wavelet-LLH',
      'wavelet-LHL',
      'wavelet-LHH',
      'wavelet-HLL',
      'wavelet-HLH',
      'wavelet-HHL',
      'wavelet-HHH',
      'wavelet-LLL',
    ]);
  });

  it('have two letters in 2-D', () => {
    expect(waveletImageTypes({ force2DDimension: 0 })).toEqual(['wavelet-LH', 'wavelet-HL', 'wavelet-HH', 'wavelet-LL']);
    expect(waveletImageTypes({ force2DDimension: 2, level: 2 })).toHaveLength(7);
    expect(() => waveletImageTypes({ force2DDimension: 3 })).toThrowError(/force2Ddimension must be 0, 1 or 2/);
    expect(() => applyWaveletSubBand(randomVolume([4, 4, 4], 1), 'wavelet-LLH', { force2DDimension: 0 })).toThrowError(/wavelet-LH/);
  });

  it('number levels after the first', () => {
    const names = waveletImageTypes({ level: 3 });
    expect(names).toHaveLength(22);
    expect(names[7]).toBe('wavelet2-LLH');
    expect(names[20]).toBe('wavelet3-HHH');
    expect(names[21]).toBe('wavelet3-LLL');
  });

  it('put the x axis first', () => {
    // A volume that varies only along x has no detail along y or z.
    const size: Vec3 = [8, 6, 4];
    const data = new Float64Array(8 * 6 * 4).map((_, n) => ((n % 8) * 37) % 11);
    const bands = byName(applyWaveletSubBands(volume(size, data)));
    expect(maxAbsDifference(bands.get('wavelet-HLL')!, new Float64Array(data.length))).toBeGreaterThan(1);
    for (const name of ['wavelet-LLH', 'wavelet-LHL', 'wavelet-HHL', 'wavelet-HLH']) {
      expect(maxAbsDifference(bands.get(name)!, new Float64Array(data.length)), name).toBeLessThan(1e-12);
    }
  });
});

describe('start level', () => {
  it('skips the first levels', () => {
    const image = randomVolume([10, 9, 6], 3);
    const twoLevels = byName(applyWaveletSubBands(image, { level: 2 }));
    const fromSecond = byName(applyWaveletSubBands(image, { startLevel: 1 }));
    expect(Array.from(fromSecond.get('wavelet-HLH')!)).toEqual(Array.from(twoLevels.get('wavelet2-HLH')!));
    expect(Array.from(fromSecond.get('wavelet-LLL')!)).toEqual(Array.from(twoLevels.get('wavelet2-LLL')!));
  });
});

describe('precision', () => {
  it('follows PyWavelets: float32 for Float32Array, float64 otherwise', () => {
    const image = randomVolume([6, 6, 4], 4);
    const asFloat32 = volume(image.size, Float32Array.from(image.data));
    const single = applyWaveletSubBand(asFloat32, 'wavelet-LLL').image.data;
    const double = applyWaveletSubBand(image, 'wavelet-LLL').image.data;
    expect(single.every((value) => Math.fround(value) === value)).toBe(true);
    expect(double.some((value) => Math.fround(value) !== value)).toBe(true);

    const forced = applyWaveletSubBand(volume(image.size, Float64Array.from(image.data)), 'wavelet-LLL', { precision: 'float32' });
    expect(Array.from(forced.image.data)).toEqual(Array.from(single));
  });
});

describe('odd dimensions', () => {
  it('are padded by wrap-around at the end and trimmed', () => {
    const odd = randomVolume([5, 7, 3], 8);
    const [nx, ny, nz] = odd.size;
    const padded = new Int16Array(6 * 8 * 4);
    for (let k = 0; k < 4; k++) {
      for (let j = 0; j < 8; j++) {
        for (let i = 0; i < 6; i++) padded[i + 6 * (j + 8 * k)] = odd.data[(i % nx) + nx * ((j % ny) + ny * (k % nz))];
      }
    }
    const fromOdd = byName(applyWaveletSubBands(odd));
    const fromPadded = byName(applyWaveletSubBands(volume([6, 8, 4], padded)));
    for (const [name, values] of fromOdd) {
      const big = fromPadded.get(name)!;
      const trimmed = new Float64Array(nx * ny * nz);
      for (let k = 0; k < nz; k++) {
        for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) trimmed[i + nx * (j + ny * k)] = big[i + 6 * (j + 8 * k)];
      }
      expect(Array.from(values), name).toEqual(Array.from(trimmed));
    }
  });
});

describe('perfect reconstruction', () => {
  // The undecimated transform is inverted by x[n] = 1/2 Σ_j (recLo[j] a[n − j + F/2 − 1] + recHi[j] d[n − j + F/2 − 1])
  // per axis (indices mod N), so the eight sub-bands of one level give the image back.
  function inverseAxis(bands: Float64Array[], letters: string[], size: Vec3, axis: number, wavelet: string): Float64Array {
    const bank = getFilterBank(wavelet);
    const taps = bank.recLo.length;
    const shift = taps / 2 - 1;
    const [nx, ny] = size;
    const strides = [1, nx, nx * ny];
    const stride = strides[axis];
    const length = size[axis];
    const output = new Float64Array(bands[0].length);
    for (let b = 0; b < bands.length; b++) {
      const filter = letters[b] === 'L' ? bank.recLo : bank.recHi;
      for (let n = 0; n < output.length; n++) {
        const position = Math.floor(n / stride) % length;
        const base = n - position * stride;
        let sum = 0;
        for (let j = 0; j < taps; j++) {
          const source = (((position - j + shift) % length) + length) % length;
          sum += filter[j] * bands[b][base + source * stride];
        }
        output[n] += sum / 2;
      }
    }
    return output;
  }

  for (const wavelet of ['haar', 'coif1', 'db4', 'sym7', 'bior2.4', 'rbio5.5']) {
    it(`gives the image back from the sub-bands of ${wavelet}`, () => {
      const image = randomVolume([12, 10, 8], 21);
      const bands = byName(applyWaveletSubBands(image, { wavelet }));
      const band = (letters: string) => bands.get(letters === 'LLL' ? 'wavelet-LLL' : `wavelet-${letters}`)!;

      // Undo z, then y, then x.
      const xy: Record<string, Float64Array> = {};
      for (const prefix of ['LL', 'LH', 'HL', 'HH']) {
        xy[prefix] = inverseAxis([band(`${prefix}L`), band(`${prefix}H`)], ['L', 'H'], image.size, 2, wavelet);
      }
      const x = {
        L: inverseAxis([xy.LL, xy.LH], ['L', 'H'], image.size, 1, wavelet),
        H: inverseAxis([xy.HL, xy.HH], ['L', 'H'], image.size, 1, wavelet),
      };
      const restored = inverseAxis([x.L, x.H], ['L', 'H'], image.size, 0, wavelet);
      // Values reach 1500 and the tabulated taps carry about 15 significant digits.
      expect(maxAbsDifference(restored, image.data)).toBeLessThan(1500 * 1e-11);
    });
  }
});

describe('region planning', () => {
  it('gives the filter reach of coif1 and haar', () => {
    expect(waveletSupport()).toEqual({ before: 2, after: 3 });
    expect(waveletSupport({ wavelet: 'haar' })).toEqual({ before: 0, after: 1 });
    expect(waveletSupport({ level: 2, startLevel: 1 })).toEqual({ before: 6, after: 9 });
  });

  it('crops an inner ROI and keeps the whole image at the border', () => {
    const roi = { lower: [10, 10, 5] as Vec3, upper: [13, 13, 6] as Vec3 };
    expect(planWaveletRegion([30, 30, 20], roi, { padDistance: 5 })).toEqual({
      box: { lower: [5, 5, 0], upper: [18, 18, 11] },
      cropped: true,
    });
    expect(planWaveletRegion([30, 30, 20], roi)).toEqual({ box: { lower: [7, 7, 2], upper: [16, 16, 9] }, cropped: true });
    expect(planWaveletRegion([30, 30, 20], { lower: [1, 10, 5], upper: [4, 13, 6] }, { padDistance: 5 }).cropped).toBe(false);
    expect(planWaveletRegion([30, 30, 20], { lower: [10, 10, 5], upper: [13, 13, 15] }, { padDistance: 5 }).cropped).toBe(false);
    expect(planWaveletRegion([30, 30, 20], roi, { padDistance: 2 }).cropped).toBe(false);
    expect(planWaveletRegion([30, 30, 20], roi, { wavelet: 'db8', padDistance: 5 }).cropped).toBe(false);

    // In 2-D without z, a crop clipped along z is still exact.
    const nearLastSlice = { lower: [10, 10, 17] as Vec3, upper: [13, 13, 19] as Vec3 };
    expect(planWaveletRegion([30, 30, 20], nearLastSlice, { padDistance: 5 }).cropped).toBe(false);
    expect(planWaveletRegion([30, 30, 20], nearLastSlice, { padDistance: 5, force2DDimension: 0 })).toEqual({
      box: { lower: [5, 5, 12], upper: [18, 18, 19] },
      cropped: true,
    });
  });

  it('gives the whole-image values inside an inner ROI, bit for bit', () => {
    const image = randomVolume([31, 27, 15], 13);
    const roi = { lower: [9, 8, 5] as Vec3, upper: [15, 13, 7] as Vec3 };
    const whole = byName(applyWaveletSubBands(image));
    const plan = planWaveletRegion(image.size, roi, { padDistance: 5 });
    expect(plan.cropped).toBe(true);

    const start = plan.box.lower;
    const size = [0, 1, 2].map((axis) => plan.box.upper[axis] - start[axis] + 1);
    for (const band of applyWaveletSubBands(cropVolume(image, plan.box))) {
      const full = whole.get(band.name)!;
      for (let k = roi.lower[2]; k <= roi.upper[2]; k++) {
        for (let j = roi.lower[1]; j <= roi.upper[1]; j++) {
          for (let i = roi.lower[0]; i <= roi.upper[0]; i++) {
            const local = i - start[0] + size[0] * (j - start[1] + size[1] * (k - start[2]));
            expect(band.image.data[local]).toBe(full[i + 31 * (j + 27 * k)]);
          }
        }
      }
    }
  });
});

describe('2-D crop planning', () => {
  it('keeps values when the crop is clipped along the unfiltered axis', () => {
    const image = randomVolume([24, 22, 9], 31);
    const roi = { lower: [8, 7, 6] as Vec3, upper: [14, 12, 8] as Vec3 };
    const options = { force2DDimension: 0, padDistance: 4 };
    const plan = planWaveletRegion(image.size, roi, options);
    expect(plan.cropped).toBe(true);

    const whole = byName(applyWaveletSubBands(image, options));
    const cropped = applyWaveletSubBands(cropVolume(image, plan.box), options);
    const [cx, cy] = [0, 1].map((axis) => plan.box.upper[axis] - plan.box.lower[axis] + 1);
    for (const band of cropped) {
      for (let k = roi.lower[2]; k <= roi.upper[2]; k++) {
        for (let j = roi.lower[1]; j <= roi.upper[1]; j++) {
          for (let i = roi.lower[0]; i <= roi.upper[0]; i++) {
            const local = i - plan.box.lower[0] + cx * (j - plan.box.lower[1] + cy * (k - plan.box.lower[2]));
            expect(band.image.data[local], band.name).toBe(whole.get(band.name)![i + 24 * (j + 22 * k)]);
          }
        }
      }
    }
  });
});

describe('output box', () => {
  function cropData(band: Float64Array, size: Vec3, box: BoundingBox): number[] {
    const values: number[] = [];
    for (let k = box.lower[2]; k <= box.upper[2]; k++) {
      for (let j = box.lower[1]; j <= box.upper[1]; j++) {
        for (let i = box.lower[0]; i <= box.upper[0]; i++) values.push(band[i + size[0] * (j + size[1] * k)]);
      }
    }
    return values;
  }

  const size: Vec3 = [23, 18, 13];
  const image = randomVolume(size, 29);
  const boxes: Array<[string, BoundingBox]> = [
    ['inner', { lower: [8, 6, 4], upper: [14, 11, 8] }],
    ['at the low border', { lower: [0, 0, 0], upper: [5, 4, 3] }],
    ['at the high border of odd axes', { lower: [17, 12, 9], upper: [22, 17, 12] }],
    ['one voxel', { lower: [11, 9, 6], upper: [11, 9, 6] }],
  ];

  const optionSets = [{}, { wavelet: 'haar' }, { wavelet: 'db5', level: 2, startLevel: 1 }, { precision: 'float32' as const }, { force2DDimension: 0 }];
  for (const options of optionSets) {
    for (const [label, box] of boxes) {
      it(`equals the whole-image values ${label} (${JSON.stringify(options)})`, () => {
        const whole = applyWaveletSubBands(image, options);
        const boxed = applyWaveletSubBands(image, { ...options, box });
        expect(boxed.map((band) => band.name)).toEqual(whole.map((band) => band.name));
        for (const [index, band] of boxed.entries()) {
          expect(band.image.size).toEqual([0, 1, 2].map((axis) => box.upper[axis] - box.lower[axis] + 1));
          expect(band.image.origin).toEqual([box.lower[0], box.lower[1], box.lower[2]]);
          expect(Array.from(band.image.data), band.name).toEqual(cropData(whole[index].image.data, size, box));

          const single = applyWaveletSubBand(image, band.name, { ...options, box });
          expect(Array.from(single.image.data), band.name).toEqual(Array.from(band.image.data));
        }
      });
    }
  }

  it('rejects a box outside the image', () => {
    expect(() => applyWaveletSubBands(image, { box: { lower: [0, 0, 0], upper: [23, 5, 5] } })).toThrowError(/does not fit/);
    expect(() => applyWaveletSubBands(image, { box: { lower: [4, 0, 0], upper: [3, 5, 5] } })).toThrowError(RadiomicsError);
  });
});

describe('settings validation', () => {
  const image = randomVolume([4, 4, 4], 2);
  it.each([
    [{ wavelet: 'coif0' }, /Unknown wavelet "coif0"/],
    [{ wavelet: 'toString' }, /Unknown wavelet/],
    [{ level: 0 }, /level must be an integer ≥ 1/],
    [{ level: 1.5 }, /level must be an integer ≥ 1/],
    [{ startLevel: -1 }, /start_level must be an integer ≥ 0/],
    [{ level: 10, startLevel: 10 }, /at most 16 levels/],
  ])('rejects %o', (options, message) => {
    let thrown: unknown;
    try {
      applyWaveletSubBands(image, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RadiomicsError);
    expect((thrown as RadiomicsError).code).toBe('SETTINGS_INVALID');
    expect((thrown as RadiomicsError).message).toMatch(message);
  });

  it('lists every family PyRadiomics accepts', () => {
    const names = listWavelets();
    expect(names).toHaveLength(106);
    for (const name of ['haar', 'dmey', 'db1', 'db38', 'sym2', 'sym20', 'coif1', 'coif17', 'bior1.1', 'bior6.8', 'rbio3.9']) {
      expect(names, name).toContain(name);
    }
  });
});
