/**
 * Multipart uploads on the local S3 (scripts/local/s3-server.ts; the export documents are written so): an upload
 * completes into one object; AbortMultipartUpload drops it, after which a part or a completion of it is S3's
 * 404 NoSuchUpload, as is any use of an upload id that never existed (s3rver itself checks neither).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { BUCKET, useLocalS3 } from './local-s3-harness';

const s = useLocalS3();

const start = async (key: string) => (await s.client().send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
const part = (key: string, uploadId: string, body: string) =>
  s.client().send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: body }));
const complete = (key: string, uploadId: string, etag: string) =>
  s
    .client()
    .send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] } }));

describe('multipart uploads', () => {
  it('complete into one object', async () => {
    const key = 'exports/u1/a.ndjson';
    const id = await start(key);
    const { ETag } = await part(key, id, 'line\n');
    await complete(key, id, ETag!);
    expect(await s.read(key)).toBe('line\n');
  });

  it('an aborted upload leaves nothing, and its parts and completion are 404 NoSuchUpload', async () => {
    const key = 'exports/u1/b.ndjson';
    const id = await start(key);
    const { ETag } = await part(key, id, 'line\n');
    await s.client().send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    await expect(complete(key, id, ETag!)).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    await expect(part(key, id, 'more\n')).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(s.client().send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }))).rejects.toMatchObject({ name: 'NoSuchUpload' });
    expect((await s.client().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }))).Contents ?? []).toEqual([]);
  });

  it('an upload id that never existed is 404 NoSuchUpload', async () => {
    await expect(part('exports/u1/c.ndjson', 'f'.repeat(32), 'x')).rejects.toMatchObject({ name: 'NoSuchUpload' });
    await expect(part('exports/u1/c.ndjson', '../../etc', 'x')).rejects.toMatchObject({ name: 'NoSuchUpload' });
  });
});
