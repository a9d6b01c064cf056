import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

import { DEFAULT_ARCHIVE_LIMITS, RadiomicsError, readZipArchive } from '@radiomics/core';

import { writeZip } from '../helpers/zip-writer';

function errorOf(action: () => unknown): RadiomicsError {
  try {
    action();
  } catch (thrown) {
    if (thrown instanceof RadiomicsError) return thrown;
    throw thrown;
  }
  throw new Error('expected a RadiomicsError');
}

describe('readZipArchive', () => {
  it('reads an archive made by a standard tool', () => {
    const archive = zipSync({ 'manifest.json': new TextEncoder().encode('{"a":1}'), 'ct/0001.dcm': new Uint8Array([1, 2, 3]) });

    const contents = readZipArchive(archive, 'study.zip');

    expect(contents.entries.map((entry) => entry.path).sort()).toEqual(['ct/0001.dcm', 'manifest.json']);
    expect(Array.from(contents.entries.find((entry) => entry.path === 'ct/0001.dcm')!.bytes)).toEqual([1, 2, 3]);
  });

  it('drops clutter and a shared top folder', () => {
    const archive = writeZip([
      { name: 'study/manifest.json', data: '{}' },
      { name: 'study/ct/' },
      { name: 'study/ct/a.dcm', data: 'x', stored: true },
      { name: 'study/.DS_Store', data: 'junk' },
      { name: 'study/__MACOSX/ct/._a.dcm', data: 'junk' },
    ]);

    const contents = readZipArchive(archive, 'study.zip');

    expect(contents.entries.map((entry) => entry.path)).toEqual(['manifest.json', 'ct/a.dcm']);
    expect(contents.ignored).toEqual(['study/.DS_Store', 'study/__MACOSX/ct/._a.dcm']);
  });

  it.each([
    ['parent segment', '../outside.txt'],
    ['nested parent segment', 'ct/../../outside.txt'],
    ['absolute path', '/etc/passwd'],
    ['drive letter', 'C:\\windows\\evil.dll'],
    ['backslash parent', 'ct\\..\\..\\evil'],
  ])('rejects %s', (_case, name) => {
    const error = errorOf(() => readZipArchive(writeZip([{ name, data: 'x' }]), 'evil.zip'));

    expect(error.code).toBe('ARCHIVE_UNSAFE_PATH');
  });

  it('rejects symbolic links', () => {
    const archive = writeZip([{ name: 'ct/link', data: '/etc/passwd', stored: true, unixMode: 0o120777 }]);

    expect(errorOf(() => readZipArchive(archive, 'link.zip')).code).toBe('ARCHIVE_UNSAFE_PATH');
  });

  it('stops a bomb with understated sizes', () => {
    const zeros = new Uint8Array(8 * 1024 * 1024);
    const archive = writeZip([{ name: 'bomb.bin', data: zeros, declaredSize: 10 }]);
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxEntryBytes: 1024 * 1024 };

    const error = errorOf(() => readZipArchive(archive, 'bomb.zip', limits));

    expect(error.code).toBe('ARCHIVE_TOO_LARGE');
    expect(error.details.maxEntryBytes).toBe(1024 * 1024);
  });

  it('enforces the total size over entries', () => {
    const block = new Uint8Array(600 * 1024).fill(7);
    const archive = writeZip([1, 2, 3].map((index) => ({ name: `part${index}.bin`, data: block })));
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 1024 * 1024 };

    expect(errorOf(() => readZipArchive(archive, 'parts.zip', limits)).code).toBe('ARCHIVE_TOO_LARGE');
  });

  it('enforces the compression ratio', () => {
    const archive = writeZip([{ name: 'zeros.bin', data: new Uint8Array(4 * 1024 * 1024) }]);
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxCompressionRatio: 50, ratioCheckFloorBytes: 1024 };

    expect(errorOf(() => readZipArchive(archive, 'zeros.zip', limits)).code).toBe('ARCHIVE_TOO_LARGE');
  });

  it('enforces the entry count', () => {
    const archive = writeZip(Array.from({ length: 12 }, (_, index) => ({ name: `f${index}`, data: 'x' })));
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 10 };

    expect(errorOf(() => readZipArchive(archive, 'many.zip', limits)).code).toBe('ARCHIVE_TOO_LARGE');
  });

  it.each([
    ['empty file', new Uint8Array(0)],
    ['random bytes', new Uint8Array(200).map((_, index) => (index * 37) % 251)],
  ])('rejects %s as invalid', (_case, bytes) => {
    expect(errorOf(() => readZipArchive(bytes, 'broken.zip')).code).toBe('ARCHIVE_INVALID');
  });

  it('rejects a truncated archive', () => {
    const archive = zipSync({ 'a.bin': new Uint8Array(5000).map((_, index) => index % 13) });
    const truncated = new Uint8Array([...archive.subarray(0, 100), ...archive.subarray(archive.byteLength - 22)]);

    expect(errorOf(() => readZipArchive(truncated, 'cut.zip')).code).toBe('ARCHIVE_INVALID');
  });
});

describe('readZipArchive limits while inflating', () => {
  it('stops a padded bomb before the entry ends', () => {
    // 32 MiB of zeros after 64 KiB of incompressible bytes: the whole entry's ratio is high, and the check
    // must fire during inflation, not after the entry has been held in memory.
    let state = 2463534242;
    const noise = new Uint8Array(64 * 1024).map(() => {
      // xorshift32: bytes that deflate cannot compress.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    });
    const data = new Uint8Array(32 * 1024 * 1024);
    data.set(noise, 0);
    const archive = writeZip([{ name: 'padded.bin', data }]);
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxCompressionRatio: 20, ratioCheckFloorBytes: 1024 * 1024 };

    const error = errorOf(() => readZipArchive(archive, 'padded.zip', limits));

    expect(error.code).toBe('ARCHIVE_TOO_LARGE');
    // The whole entry inflates about 340 times its size; stopping early keeps the measured ratio far lower.
    expect(error.details.ratio as number).toBeLessThan(100);
  });

  it('rejects a drive letter behind a top folder', () => {
    const archive = writeZip([{ name: 'ct/C:/ct', data: 'x' }]);

    expect(errorOf(() => readZipArchive(archive, 'drive.zip')).code).toBe('ARCHIVE_UNSAFE_PATH');
  });
});
