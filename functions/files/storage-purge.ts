/**
 * Listing a prefix of the files bucket, for erasure (functions/lifecycle/erase-user.ts): every object of a user
 * is under `files/<user>/`, sessions deleted long ago included. A chunk of its own: only the lifecycle worker
 * loads it (its role alone may list, and only under `files/`: lib/constructs/chat-lifecycle.ts).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { filesBucket, s3Client, s3Failure } from './storage';

/** One page (≤ 1000) of the keys under `prefix`. */
export async function listObjectKeys(prefix: string, continuationToken?: string): Promise<{ keys: string[]; next?: string }> {
  try {
    const out = await s3Client().send(
      new ListObjectsV2Command({
        Bucket: filesBucket(),
        Prefix: prefix,
        MaxKeys: 1000,
        ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
      }),
    );
    return { keys: (out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])), ...(out.NextContinuationToken ? { next: out.NextContinuationToken } : {}) };
  } catch (err) {
    throw s3Failure(err);
  }
}
