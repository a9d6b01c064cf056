// Contract tests that every BlobStore binding (S3, local folder) must pass.
import { describe, expect, it } from 'vitest';

import { RadiomicsError } from '@radiomics/core';
import type { BlobStore } from '@radiomics/core/pipeline/ports';

export function describeBlobStoreContract(name: string, createStore: () => Promise<BlobStore>): void {
  describe(`${name} blob store contract`, () => {
    it('round-trips bytes and text', async () => {
      const store = await createStore();
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await store.put('incoming/site-a/study-1/image/slice-1.dcm', bytes);
      await store.put('incoming/site-a/study-1/manifest.json', '{"schemaVersion":1}', 'application/json');

      expect(await store.get('incoming/site-a/study-1/image/slice-1.dcm')).toEqual(bytes);
      expect(new TextDecoder().decode(await store.get('incoming/site-a/study-1/manifest.json'))).toBe('{"schemaVersion":1}');
    });

    it('replaces an object on a second put', async () => {
      const store = await createStore();
      await store.put('work/a.json', 'first');
      await store.put('work/a.json', 'second');
      expect(new TextDecoder().decode(await store.get('work/a.json'))).toBe('second');
    });

    it('reports a missing object as FILE_NOT_FOUND', async () => {
      const store = await createStore();
      const failure = await store.get('incoming/nowhere/missing.dcm').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RadiomicsError);
      expect((failure as RadiomicsError).code).toBe('FILE_NOT_FOUND');
      expect(await store.exists('incoming/nowhere/missing.dcm')).toBe(false);
    });

    it('lists a prefix in key order with sizes', async () => {
      const store = await createStore();
      await store.put('incoming/site-b/s1/b.dcm', new Uint8Array(3));
      await store.put('incoming/site-b/s1/a.dcm', new Uint8Array(5));
      await store.put('incoming/site-b/s1/nested/c.nii.gz', new Uint8Array(7));
      await store.put('incoming/site-b/s10/other.dcm', new Uint8Array(1));

      const listed = await store.list('incoming/site-b/s1/');
      expect(listed).toEqual([
        { key: 'incoming/site-b/s1/a.dcm', size: 5 },
        { key: 'incoming/site-b/s1/b.dcm', size: 3 },
        { key: 'incoming/site-b/s1/nested/c.nii.gz', size: 7 },
      ]);
      expect((await store.list('incoming/site-b/s1')).map((object) => object.key)).toContain('incoming/site-b/s10/other.dcm');
      expect(await store.list('incoming/site-none/')).toEqual([]);
    });

    it('copies an object and keeps the source', async () => {
      const store = await createStore();
      await store.put('incoming/site-c/s1.zip', new Uint8Array([9, 8, 7]));
      await store.copy('incoming/site-c/s1.zip', 'quarantine/site-c/s1/upload/s1.zip');
      expect(await store.get('quarantine/site-c/s1/upload/s1.zip')).toEqual(new Uint8Array([9, 8, 7]));
      expect(await store.exists('incoming/site-c/s1.zip')).toBe(true);
    });

    it('rejects copying a missing object', async () => {
      const store = await createStore();
      const failure = await store.copy('incoming/site-c/none.zip', 'quarantine/x').catch((error: unknown) => error);
      expect((failure as RadiomicsError).code).toBe('FILE_NOT_FOUND');
    });
  });
}
