/**
 * The files bucket through the real S3 client (the container's, functions/platform/clients.ts), and the calls a
 * converse turn makes: HeadObject, the attached tag, GET links. FILES_BUCKET names the bucket; S3_ENDPOINT
 * points the client at a local S3 (path-style URLs), as BEDROCK_*_ENDPOINT do for the agent emulator.
 * Presigned uploads and deletes are in ./storage-lifecycle.ts: a bundle that needs only a turn's calls holds
 * neither (the converse function's role allows neither: lib/constructs/access-map.ts FILES_ACCESS).
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { defineClient } from '../platform/clients';
import { config } from '../platform/config';
import { DomainError, dependencyErrorOf } from '../platform/errors';

export const s3Client = defineClient('s3', {
  key: (c) => c.S3_ENDPOINT,
  create: (c) =>
    new S3Client({
      ...(c.S3_ENDPOINT ? { endpoint: c.S3_ENDPOINT, forcePathStyle: true } : {}),
      maxAttempts: 3,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
});

/** The bucket, or a 503 when this deployment has none (files are off). */
export function filesBucket(): string {
  const bucket = config().FILES_BUCKET;
  if (!bucket) throw new DomainError('DEPENDENCY_UNAVAILABLE', 'File uploads are not configured in this deployment (no FILES_BUCKET)');
  return bucket;
}

/** An S3 failure as a domain error: a dependency's kind, else 503 (never a silent empty answer). */
export function s3Failure(err: unknown): DomainError {
  return dependencyErrorOf(err) ?? new DomainError('DEPENDENCY_UNAVAILABLE', 'The file store failed; retry later', undefined, { cause: err });
}

/**
 * The object tag the bucket's lifecycle rules read: uploads start `pending` (expired after a day or so by the
 * bucket's rule, lib/constructs/chat-files.ts) and become `attached` when a message first uses them.
 */
export const FILE_STATE_TAG = 'pika-file';
export type FileState = 'pending' | 'attached';

/** A GET link to one object, with the name to save it as. */
export async function presignDownload(key: string, fileName: string, expiresSeconds: number): Promise<string> {
  try {
    const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`;
    return await getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: filesBucket(), Key: key, ResponseContentDisposition: disposition }), {
      expiresIn: expiresSeconds,
    });
  } catch (err) {
    throw s3Failure(err);
  }
}

/** The object's size and content type, or undefined when there is none (not uploaded yet). */
export async function headObject(key: string): Promise<{ size: number; contentType: string | undefined } | undefined> {
  try {
    const out = await s3Client().send(new HeadObjectCommand({ Bucket: filesBucket(), Key: key }));
    return { size: Number(out.ContentLength ?? 0), contentType: out.ContentType };
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw s3Failure(err);
  }
}

/** Sets the object's lifecycle state tag. */
export async function tagObject(key: string, state: FileState): Promise<void> {
  try {
    await s3Client().send(new PutObjectTaggingCommand({ Bucket: filesBucket(), Key: key, Tagging: { TagSet: [{ Key: FILE_STATE_TAG, Value: state }] } }));
  } catch (err) {
    throw s3Failure(err);
  }
}

export const s3Uri = (key: string) => `s3://${filesBucket()}/${key}`;
