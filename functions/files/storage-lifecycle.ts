/**
 * The start and end of a file object's life (./storage.ts holds the client and a turn's calls): the presigned
 * POST of an upload, which pins key, type, size and the `pending` tag, and batch deletes.
 */
import { DeleteObjectsCommand, type DeleteObjectsCommandOutput } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { DomainError } from '../platform/errors';
import { FILE_STATE_TAG, filesBucket, s3Client, s3Failure, type FileState } from './storage';

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
