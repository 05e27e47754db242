/**
 * The files bucket through the real S3 client (the container's, functions/lib/clients.ts): presigned POST uploads and GET links,
 * HeadObject, batch deletes. FILES_BUCKET names the bucket; S3_ENDPOINT points the client at a local S3
 * (path-style URLs), as BEDROCK_*_ENDPOINT do for the agent emulator.
 */
import {
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { defineClient } from '../lib/clients';
import { config } from '../lib/config';
import { DomainError, dependencyErrorOf } from '../lib/errors';

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
function s3Failure(err: unknown): DomainError {
  return dependencyErrorOf(err) ?? new DomainError('DEPENDENCY_UNAVAILABLE', 'The file store failed; retry later', undefined, { cause: err });
}

/**
 * The object tag the bucket's lifecycle rules read: uploads start `pending` (expired after a day or so by the
 * bucket's rule, lib/constructs/chat-files.ts) and become `attached` when a message first uses them.
 */
export const FILE_STATE_TAG = 'pika-file';
export type FileState = 'pending' | 'attached';
const taggingXml = (state: FileState) => `<Tagging><TagSet><Tag><Key>${FILE_STATE_TAG}</Key><Value>${state}</Value></Tag></TagSet></Tagging>`;

/** A browser form upload of exactly one object: key, content type, size range and the pending tag pinned by the policy. */
export async function presignUpload(
  key: string,
  contentType: string,
  maxBytes: number,
  expiresSeconds: number,
): Promise<{ url: string; fields: Record<string, string> }> {
  try {
    return await createPresignedPost(s3Client(), {
      Bucket: filesBucket(),
      Key: key,
      Conditions: [
        ['eq', '$Content-Type', contentType],
        ['content-length-range', 1, maxBytes],
        ['eq', '$tagging', taggingXml('pending')],
      ],
      Fields: { 'Content-Type': contentType, tagging: taggingXml('pending') },
      Expires: expiresSeconds,
    });
  } catch (err) {
    throw s3Failure(err);
  }
}

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

/** Deletes objects (absent ones are no error), 1000 per request. */
export async function deleteObjects(keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    let out: DeleteObjectsCommandOutput;
    try {
      out = await s3Client().send(new DeleteObjectsCommand({ Bucket: filesBucket(), Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    } catch (err) {
      throw s3Failure(err);
    }
    if (out.Errors?.length)
      throw new DomainError('DEPENDENCY_UNAVAILABLE', `The file store did not delete ${out.Errors.length} object(s); retry`, {
        keys: out.Errors.map((e) => e.Key),
      });
  }
}

export const s3Uri = (key: string) => `s3://${filesBucket()}/${key}`;
