import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { readNrrd } from '@radiomics/core/io';

import { buildNrrd, bytesOf } from '../helpers/nifti-writer';
import { describeWithReference, referencePath } from '../helpers/reference';
import { errorCodeOf } from './error-code';

const base = {
  type: 'short',
  dimension: '3',
  space: 'left-posterior-superior',
  sizes: '2 2 2',
  'space directions': '(0.5,0,0) (0,0.5,0) (0,0,2)',
  'space origin': '(-10,20,30)',
  endian: 'little',
  encoding: 'raw',
};
const payload = bytesOf([0, 1, 2, 3, 4, 5, 6, 7], 'int16');

describe('readNrrd', () => {
  it('reads raw LPS data', () => {
    const volume = readNrrd(buildNrrd(base, payload));
    expect(volume.size).toEqual([2, 2, 2]);
    expect(volume.spacing).toEqual([0.5, 0.5, 2]);
    expect(volume.origin).toEqual([-10, 20, 30]);
    expect(volume.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(volume.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads gzip data', () => {
    const volume = readNrrd(buildNrrd({ ...base, encoding: 'gzip' }, gzipSync(payload)));
    expect(volume.data[7]).toBe(7);
  });

  it('converts RAS space to LPS', () => {
    const volume = readNrrd(buildNrrd({ ...base, space: 'right-anterior-superior' }, payload));
    expect(volume.origin).toEqual([10, -20, 30]);
    expect(volume.direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
  });

  it('converts LAS space to LPS', () => {
    const volume = readNrrd(buildNrrd({ ...base, space: 'left-anterior-superior' }, payload));
    expect(volume.origin).toEqual([-10, -20, 30]);
    expect(volume.direction).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
  });

  it('reads big-endian data', () => {
    const big = new Uint8Array(payload);
    for (let n = 0; n < big.length; n += 2) [big[n], big[n + 1]] = [big[n + 1], big[n]];
    expect(readNrrd(buildNrrd({ ...base, endian: 'big' }, big)).data[3]).toBe(3);
  });

  it('reads ASCII data', () => {
    const text = new TextEncoder().encode('0 1 2 3\n4 5 6 -7\n');
    expect(Array.from(readNrrd(buildNrrd({ ...base, encoding: 'ascii' }, text)).data)).toEqual([0, 1, 2, 3, 4, 5, 6, -7]);
  });

  it('reads a detached data file through the callback', () => {
    const requested: string[] = [];
    const header = buildNrrd({ ...base, 'data file': './mask.raw' });
    const volume = readNrrd(header, 'mask.nhdr', {
      readDataFile: (name) => {
        requested.push(name);
        return payload;
      },
    });
    expect(requested).toEqual(['mask.raw']);
    expect(volume.data[6]).toBe(6);
  });

  it('rejects detached files outside the folder', () => {
    for (const name of ['../secret.raw', '/etc/passwd', 'C:/data.raw', 'a/../../b.raw']) {
      const header = buildNrrd({ ...base, 'data file': name });
      expect(errorCodeOf(() => readNrrd(header, 'x.nhdr', { readDataFile: () => payload }))).toBe('NRRD_INVALID');
    }
  });

  it('rejects file lists', () => {
    const header = buildNrrd({ ...base, 'data file': 'LIST' });
    expect(errorCodeOf(() => readNrrd(header, 'x.nhdr', { readDataFile: () => payload }))).toBe('NRRD_INVALID');
  });

  it('rejects truncated data', () => {
    expect(errorCodeOf(() => readNrrd(buildNrrd(base, payload.subarray(0, 10))))).toBe('NRRD_INVALID');
  });

  it('rejects unknown spaces', () => {
    expect(errorCodeOf(() => readNrrd(buildNrrd({ ...base, space: 'scanner-xyz' }, payload)))).toBe('NRRD_INVALID');
  });

  it('rejects vector images', () => {
    expect(errorCodeOf(() => readNrrd(buildNrrd({ ...base, dimension: '4', sizes: '3 2 2 2' }, payload)))).toBe('NRRD_INVALID');
  });

  it('rejects bzip2 encoding', () => {
    expect(errorCodeOf(() => readNrrd(buildNrrd({ ...base, encoding: 'bzip2' }, payload)))).toBe('NRRD_INVALID');
  });

  it('rejects files without the magic line', () => {
    expect(errorCodeOf(() => readNrrd(new TextEncoder().encode('P5 2 2 255\n')))).toBe('NRRD_INVALID');
  });

  it('uses spacings without a space field', () => {
    const { space: _space, 'space directions': _directions, 'space origin': _origin, ...plain } = base;
    const volume = readNrrd(buildNrrd({ ...plain, spacings: '1.5 1.5 4' }, payload));
    expect(volume.spacing).toEqual([1.5, 1.5, 4]);
    expect(volume.origin).toEqual([0, 0, 0]);
  });
});

describeWithReference('readNrrd PyRadiomics cases', ['pyradiomics/data/brain1_image.nrrd', 'pyradiomics/data/breast1_image.nrrd'], () => {
  // The PyRadiomics baselines record SimpleITK's SHA-1 of the voxel buffer and the spacing it read.
  const cases: Array<[string, string, number[]]> = [
    ['brain1_image', '5c9ce3ca174f0f8324aa4d277e0fef82dc5ac566', [0.7812499999999999, 0.7812499999999999, 6.499999999999998]],
    ['brain1_label', '9dc2c3137b31fd872997d92c9a92d5178126d9d3', [0.7812499999999999, 0.7812499999999999, 6.499999999999998]],
    ['brain2_image', 'f2b8fbc4d5d1da08a1a70e79a301f8a830139438', [0.7812499999999999, 0.7812499999999999, 6.499999999999998]],
    ['breast1_image', '016951a8f9e8e5de21092d9d62b77262f92e04a5', [0.664062, 0.664062, 2.1]],
  ];
  for (const [name, hash, spacing] of cases) {
    it(`matches the SimpleITK hash of ${name}`, () => {
      const volume = readNrrd(readFileSync(referencePath(`pyradiomics/data/${name}.nrrd`)));
      const bytes = new Uint8Array(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength);
      expect(createHash('sha1').update(bytes).digest('hex')).toBe(hash);
      expect(volume.spacing).toEqual(spacing);
    });
  }

  it('reads the brain1 direction with a flipped j axis', () => {
    const volume = readNrrd(readFileSync(referencePath('pyradiomics/data/brain1_image.nrrd')));
    expect(volume.direction).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(volume.origin).toEqual([-99.609374999999986, 99.609374999999986, -77.999999999999957]);
  });
});
