/**
 * Blob store over one S3 bucket. Keys are the storage layout's keys (`incoming/…`, `work/…`, `quarantine/…`,
 * `models/…`) used as object keys as they are.
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

import { RadiomicsError } from '@radiomics/core';
import type { BlobObject, BlobStore } from '@radiomics/core/pipeline/ports';

import { storageError } from './aws-errors';

export class S3BlobStore implements BlobStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async get(key: string): Promise<Uint8Array> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) return new Uint8Array(0);
      return await response.Body.transformToByteArray();
    } catch (thrown) {
      if (isNotFound(thrown)) throw new RadiomicsError('FILE_NOT_FOUND', `Object "${key}" does not exist in the bucket.`);
      throw storageError(thrown, 'Reading an object');
    }
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ...(contentType ? { ContentType: contentType } : {}) }),
      );
    } catch (thrown) {
      throw storageError(thrown, 'Writing an object');
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (thrown) {
      if (isNotFound(thrown)) return false;
      throw storageError(thrown, 'Checking an object');
    }
  }

  async list(prefix: string): Promise<BlobObject[]> {
    const objects: BlobObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) objects.push({ key: object.Key, size: object.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (thrown) {
      throw storageError(thrown, 'Listing objects');
    }
    // S3 lists in UTF-8 binary order already; sorting keeps the port's promise for any endpoint.
    return objects.sort((a, b) => compareKeys(a.key, b.key));
  }

  async copy(sourceKey: string, targetKey: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: targetKey,
          CopySource: `${this.bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    } catch (thrown) {
      if (isNotFound(thrown)) throw new RadiomicsError('FILE_NOT_FOUND', `Object "${sourceKey}" does not exist in the bucket.`);
      throw storageError(thrown, 'Copying an object');
    }
  }
}

function isNotFound(thrown: unknown): boolean {
  const error = thrown as { name?: string; $metadata?: { httpStatusCode?: number } };
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata?.httpStatusCode === 404;
}

function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
